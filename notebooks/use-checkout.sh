#!/usr/bin/env bash
# Run by the first cell of every notebook (`!*bash "${GONB_DIR}/use-checkout.sh"`), in GoNB's
# scratch module (GONB_TMP_DIR). It makes the notebook use the qpeft checkout it lives in
# (a go.mod replace of github.com/qpeft/qpeft by the directory above notebooks/), pins GoNB's
# display package, and builds the qpeft command-line tool into the scratch directory as
# ./qpeft. It prints one line on success, so that the cell's output is the same everywhere.
set -euo pipefail
: "${GONB_DIR:?run this from a GoNB notebook cell: !*bash \"\${GONB_DIR}/use-checkout.sh\"}"
: "${GONB_TMP_DIR:?run this from a GoNB notebook cell}"
root="$(cd "$GONB_DIR/.." && pwd)"
if ! grep -qx 'module github.com/qpeft/qpeft' "$root/go.mod" 2>/dev/null; then
  echo "use-checkout.sh: $root is not a qpeft checkout (open the notebook from its notebooks/ directory)" >&2
  exit 1
fi
cd "$GONB_TMP_DIR"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! {
  go mod edit -replace "github.com/qpeft/qpeft=$root" &&
    go mod edit -require "github.com/qpeft/qpeft@v0.0.0-00010101000000-000000000000" &&
    go get "github.com/janpfeifer/gonb@v0.11.1" &&
    # qpeft's dependencies (gonum, …) with the checksums the checkout already verified.
    cat "$root/go.sum" >>go.sum &&
    (cd "$root" && go build -o "$GONB_TMP_DIR/qpeft" ./cmd/qpeft)
} >"$log" 2>&1; then
  cat "$log" >&2
  echo "use-checkout.sh: setting up the notebook's module failed" >&2
  exit 1
fi
echo "qpeft: using the checkout this notebook lives in; ./qpeft is the command-line tool built from it"
