#!/usr/bin/env bash
# Fuzzes each of the project's input readers for a fixed time (default 30 s each) with Go's
# native fuzzing, one target after another:
#
#   qasm             FuzzParse      OpenQASM 2/3 text: parse, lower to the IR, print, re-read
#   peft/safetensors FuzzRead       safetensors files (Parse, Read, Open)
#   peft             FuzzLoad       adapter directories (adapter_config.json + weights)
#   peft/onnx        FuzzDecode     ONNX models (Decode, Convert, forward pass)
#   peft/bert        FuzzTokenizer  tokenizer.json and the tokenizer it builds
#
# Their seed corpora (testdata/fuzz/<Target>/ of each package) are replayed by plain
# `go test ./...`; this script looks for new failures. A failure prints the reproducer's
# path and content and makes the script exit 1: commit the file (it becomes a regression
# test) and fix the bug. Environment: FUZZTIME (default 30s), FUZZ_PARALLEL (workers,
# default GOMAXPROCS), FUZZ_TARGETS (names to run, default all). See docs/testing.md.
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-30s}"
targets=(
  "./qasm FuzzParse"
  "./peft/safetensors FuzzRead"
  "./peft FuzzLoad"
  "./peft/onnx FuzzDecode"
  "./peft/bert FuzzTokenizer"
)
parallel=()
[ -n "${FUZZ_PARALLEL:-}" ] && parallel=(-parallel "$FUZZ_PARALLEL")

failed=()
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $name "* ]]; then
    continue
  fi
  echo "== $name ($pkg, $fuzztime)"
  log=$(mktemp)
  # -fuzzminimizetime bounds the shrinking of each new input to 100 calls: by default the
  # engine spends up to a minute on every new interesting input, which stalls the slower
  # targets (FuzzLoad ran 64 inputs in 60 s instead of ~40,000).
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 100x "${parallel[@]}" "$pkg" 2>&1 | tee "$log" | grep -v '^fuzz: elapsed' || true
  tail -n 3 "$log" | grep '^fuzz: elapsed' | tail -n 1
  if grep -q -e '^--- FAIL' -e '^FAIL' "$log"; then
    failed+=("$name")
    repro=$(sed -n 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' "$log" | head -n 1)
    if [ -n "$repro" ]; then
      path="${pkg#./}/$repro"
      echo "!! $name found a failure; reproducer $path (commit it and fix the bug):"
      cat "$path"
      echo
      echo "!! replay: go test -run '${name}/$(basename "$repro")' $pkg"
    else
      echo "!! $name failed without writing a reproducer (see the log above)"
    fi
  fi
  rm -f "$log"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found failures in: ${failed[*]}"
  exit 1
fi
echo "fuzzing found nothing new"
