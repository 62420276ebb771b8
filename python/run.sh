#!/usr/bin/env bash
# Runs the tests of the PyTorch package (python/qpeft_torch): parity with the Go toolkit in
# float64, checkpoint interchange both ways, layers, distributed training (gloo, CPU), small
# real models. Reuses the torch venv of interop/bert (VENV_BERT), which has torch,
# transformers, peft and accelerate pinned (interop/bert/requirements.txt).
#
#   python/run.sh [VENV] [pytest args...]
#
# The qpeft binary and the Go reference tool are built here; CI=true turns every missing tool
# or model into a failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
. "$root/interop/venv.sh"
venv_arg "${VENV_BERT:-$root/.venv-bert}" "$@" && shift
if [ ! -x "$venv/bin/python" ]; then
  echo "python: no venv at $venv; run interop/bert/run.sh first (it installs torch, transformers, peft)" >&2
  exit 1
fi
start=$(date +%s)
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
echo "python: building qpeft and interop/torchref"
(cd "$root" && go build -o "$bin/qpeft" ./cmd/qpeft && go build -o "$bin/torchref" ./interop/torchref)
export QPEFT_BIN="$bin/qpeft" QPEFT_TORCHREF="$bin/torchref" VENV_BERT="$venv"
# The SpamAssassin corpus of the MiniLM smoke test: where interop/bert/run.sh puts it.
if [ -z "${QPEFT_SPAM_DIR:-}" ] && [ -f "$venv/spam-assassin/package/data/file_list.json" ]; then
  export QPEFT_SPAM_DIR="$venv/spam-assassin/package"
fi
echo "python: checking that the package installs (pip install ./python into a scratch directory)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
  --target "$bin/site" "$here" >/dev/null
rm -rf "$here/build" "$here"/*.egg-info
cd "$here"
set +e
"$venv/bin/python" -m pytest -q "$@"
rc=$?
set -e
echo "python: finished after $(( $(date +%s) - start )) s"
exit "$rc"
