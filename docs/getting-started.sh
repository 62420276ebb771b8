#!/usr/bin/env bash
# Follows docs/getting-started.md the way a newcomer would: runs every ```sh block of the page,
# in order, in one bash session, in a fresh clone of this repository, with `set -euo pipefail`.
# A ```text block that comes right after a ```sh block (only blank lines or prose between them
# do not count: nothing but blank lines) is that block's expected standard output and must
# match exactly. ```bash blocks (cloning) are shown to the reader but not run. At the end it
# checks that the tour produced a trained adapter, its LoRA export and exported circuits, and
# that the page's pictures are what the commands draw.
#
#   docs/getting-started.sh              # a fresh clone of HEAD (what CI and a newcomer see)
#   docs/getting-started.sh --worktree   # a copy of the working tree, uncommitted files included
#   docs/getting-started.sh --update-images   # also copy the drawn pictures into docs/images
#
# Needs go, git and python3 (to split the page into blocks). Takes about a minute.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode=clone
update_images=0
for a in "$@"; do
  case "$a" in
    --worktree) mode=worktree ;;
    --update-images) update_images=1 ;;
    *) echo "getting-started.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
clone="$tmp/qpeft"
if [ "$mode" = clone ]; then
  git clone --quiet --no-hardlinks "$root" "$clone"
else
  mkdir -p "$clone"
  (cd "$root" && git ls-files -co --exclude-standard -z | tar --null --ignore-failed-read -T - -cf -) | (cd "$clone" && tar -xf -)
fi

# Split the page (from the clone: what a newcomer reads) into blocks and expected outputs.
blocks="$tmp/blocks"
mkdir -p "$blocks"
python3 - "$clone/docs/getting-started.md" "$blocks" <<'PY'
import os, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
out = sys.argv[2]
fence = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
n = 0
last_sh_end = None
for m in fence.finditer(text):
    lang, body = m.group(1), m.group(2)
    if lang == "sh":
        n += 1
        open(os.path.join(out, f"{n}.sh"), "w", encoding="utf-8").write(body)
        last_sh_end = m.end()
    elif lang == "text" and last_sh_end is not None and text[last_sh_end:m.start()].strip() == "":
        open(os.path.join(out, f"{n}.expected"), "w", encoding="utf-8").write(body)
    if lang != "sh":
        last_sh_end = None
print(f"getting-started: {n} sh blocks", file=sys.stderr)
PY

# One session: cd and export carry over from block to block, as in the reader's terminal.
driver="$tmp/driver.sh"
{
  echo 'set -euo pipefail'
  echo "cd \"$clone\""
  count="$(find "$blocks" -name '*.sh' | wc -l)"
  for n in $(seq 1 "$count"); do
    f="$blocks/$n.sh"
    echo "printf '\\n== block $n\\n' >&2"
    echo "sed 's/^/  \$ /' \"$f\" >&2"
    echo "{"
    cat "$f"
    echo "} >\"$blocks/$n.out\""
    echo "cat \"$blocks/$n.out\""
  done
  echo 'echo "$PWD" >"'"$blocks"'/final.pwd"'
} >"$driver"
start=$(date +%s)
(cd "$clone" && bash "$driver")

fail=0
for e in "$blocks"/*.expected; do
  [ -e "$e" ] || continue
  n="$(basename "$e" .expected)"
  if ! diff -u "$e" "$blocks/$n.out" >"$tmp/diff"; then
    echo "getting-started: the output of sh block $n differs from the text block after it:" >&2
    cat "$tmp/diff" >&2
    fail=1
  fi
done

# What the tour must have produced.
tour="$(cat "$blocks/final.pwd")"
for f in run1/adapter/adapter_config.json run1/adapter/adapter_model.safetensors \
  run1/lora/adapter_config.json run1/lora/adapter_model.safetensors run1/curves.png \
  run1/circuits/Convolution28.U.qasm bell.png pauli3.png; do
  if [ ! -s "$tour/$f" ]; then
    echo "getting-started: the tour did not produce $f" >&2
    fail=1
  fi
done
grep -q '^OPENQASM 3' "$tour/run1/circuits/Convolution28.U.qasm" || { echo "getting-started: the exported circuit is not OpenQASM 3" >&2; fail=1; }
# The pictures on the page are the ones the commands draw.
for pic in bell pauli3; do
  img="$root/docs/images/getting-started-$pic.png"
  if [ "$update_images" = 1 ]; then
    mkdir -p "$root/docs/images"
    cp "$tour/$pic.png" "$img"
  elif ! cmp -s "$tour/$pic.png" "$img"; then
    echo "getting-started: docs/images/getting-started-$pic.png differs from what the page's commands draw; refresh it with docs/getting-started.sh --update-images" >&2
    fail=1
  fi
done
took=$(($(date +%s) - start))
if [ "$fail" = 0 ]; then
  echo "getting-started: every command of the page ran and matched ($(ls "$blocks"/*.sh | wc -l) blocks, ${took} s)"
  echo "getting-started: 1 passed, 0 failed"
else
  echo "getting-started: 0 passed, 1 failed"
  exit 1
fi
