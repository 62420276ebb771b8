#!/usr/bin/env bash
# Runs the interop suite: creates (or reuses) a virtual environment, installs the pinned
# requirements, builds the Go tools it needs and runs pytest.
#
#   interop/run.sh [VENV] [pytest args...]
#
# VENV defaults to $VENV, else <repo>/.venv. "No tests collected" counts as a failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
. "$here/venv.sh"
venv_arg "${VENV:-$root/.venv}" "$@" && shift
venv_install interop "${PYTHON:-python3}" "$here/requirements.txt"

bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
echo "interop: building the Go tools"
(cd "$root" && go build -o "$bin/gen" ./interop/gen && go build -o "$bin/qpeft" ./cmd/qpeft)
export QPEFT_INTEROP_BIN="$bin"

cd "$here"
set +e
"$venv/bin/python" -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "interop: no tests were collected" >&2
  exit 1
fi
exit "$rc"
