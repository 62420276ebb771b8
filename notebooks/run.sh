#!/usr/bin/env bash
# Executes every notebook headlessly with the GoNB kernel and checks that its outputs match
# the committed ones (apart from timings). Installs what it needs first (setup.sh).
#
#   notebooks/run.sh                 # check every notebook
#   notebooks/run.sh 01-bell.ipynb   # check some
#   notebooks/run.sh --update [NB…]  # re-execute and write the outputs back (then commit them)
#
# Exit status 0 when every notebook ran without a cell error and matched.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${NB_VENV:-$here/.venv}"
NB_VENV="$venv" "$here/setup.sh"
args=()
nbs=()
for a in "$@"; do
  case "$a" in
    --*) args+=("$a") ;;
    *) nbs+=("$(cd "$(dirname "$a")" && pwd)/$(basename "$a")") ;;
  esac
done
cd "$here"
if [ "${#nbs[@]}" -eq 0 ]; then
  nbs=("$here"/*.ipynb)
fi
export PATH="$venv/bin:$PATH"
export NB_LOG="${NB_LOG:-$venv/kernel.log}"
: >"$NB_LOG"
"$venv/bin/python" "$here/nbrun.py" "${args[@]}" "${nbs[@]}"
