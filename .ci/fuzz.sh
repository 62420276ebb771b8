#!/usr/bin/env bash
# Fuzzes each of the project's input readers for a fixed time (default 30 s each) with Go's
# native fuzzing, all targets at the same time:
#
#   qasm             FuzzParse      OpenQASM 2/3 text: parse, lower to the IR, print, re-read
#   formats/safetensors FuzzRead       safetensors files (Parse, Read, Open)
#   formats/torchbin FuzzRead       torch.save archives (pytorch_model.bin): zip, pickle, views
#   peft             FuzzLoad       adapter directories (adapter_config.json + weights)
#   formats/onnx        FuzzDecode     ONNX models (Decode, Convert, forward pass)
#   models/bert        FuzzTokenizer  tokenizer.json and the tokenizer it builds
#   data             FuzzReadNPZ    NumPy .npz image datasets
#   data/text        FuzzReadCSV    CSV text classification datasets
#   data/text        FuzzReadJSONL  JSON Lines text classification datasets
#
# Their seed corpora (testdata/fuzz/<Target>/ of each package) are replayed by plain
# `go test ./...`; this script looks for new failures. A failure prints the reproducer's
# path and content and makes the script exit 1: commit the file (it becomes a regression
# test) and fix the bug. Environment: FUZZTIME (default 30s), FUZZ_PARALLEL (workers per
# target, default CPUs / targets), FUZZ_TARGETS (names to run, default all),
# FUZZ_REPORT_ONLY=1 (CI: print each finding with its reproducer, move the reproducer out of
# the tree so that later `go test` steps do not replay it, and exit 0 — a finding is then
# fixed by a developer, not by the CI run that happened to find it). See docs/testing.md.
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-30s}"
targets=(
  "./qasm FuzzParse"
  "./formats/safetensors FuzzRead"
  "./formats/torchbin FuzzRead"
  "./peft FuzzLoad"
  "./formats/onnx FuzzDecode"
  "./models/bert FuzzTokenizer"
  "./data FuzzReadNPZ"
  "./data/text FuzzReadCSV"
  "./data/text FuzzReadJSONL"
)
selected=()
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  if [ -z "${FUZZ_TARGETS:-}" ] || [[ " $FUZZ_TARGETS " == *" $name "* ]]; then
    selected+=("$t")
  fi
done
# The targets fuzz at the same time, each for $fuzztime, sharing the CPUs (workers per
# target: FUZZ_PARALLEL, default CPUs / targets, at least 1), so the step takes about
# $fuzztime plus compilation rather than five times $fuzztime.
cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
parallel="${FUZZ_PARALLEL:-$(( cpus / ${#selected[@]} > 0 ? cpus / ${#selected[@]} : 1 ))}"
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

pids=()
for t in "${selected[@]}"; do
  read -r pkg name <<<"$t"
  echo "== $name ($pkg): fuzzing for $fuzztime with $parallel worker(s)"
  # -fuzzminimizetime bounds the shrinking of each new input to 100 calls: by default the
  # engine spends up to a minute on every new interesting input, which stalls the slower
  # targets (FuzzLoad ran 64 inputs in 60 s instead of 30,000 to 60,000).
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 100x \
    -parallel "$parallel" "$pkg" >"$logdir/$(echo "$pkg" | tr /. __)-$name.log" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do
  wait "$pid" || true
done

failed=()   # a failing input was found and written: a bug to fix
unproven=() # the run failed without a reproducer (a fuzzing-engine time-out, a killed worker)
for t in "${selected[@]}"; do
  read -r pkg name <<<"$t"
  log="$logdir/$(echo "$pkg" | tr /. __)-$name.log"
  echo "== $name ($pkg)"
  grep -v '^fuzz: elapsed' "$log"
  grep '^fuzz: elapsed' "$log" | tail -n 1
  if grep -q -e '^--- FAIL' -e '^FAIL' "$log"; then
    repro=$(sed -n 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' "$log" | head -n 1)
    if [ -n "$repro" ]; then
      failed+=("$name")
      path="${pkg#./}/$repro"
      echo "!! $name found a failure; reproducer $path (commit it and fix the bug):"
      cat "$path"
      echo
      echo "!! replay: go test -run '${name}/$(basename "$repro")' $pkg"
      if [ "${FUZZ_REPORT_ONLY:-}" = 1 ]; then
        mkdir -p "${FUZZ_FINDINGS:-/tmp/qpeft-fuzz-findings}/$name"
        mv "$path" "${FUZZ_FINDINGS:-/tmp/qpeft-fuzz-findings}/$name/"
        echo "!! (report only) moved to ${FUZZ_FINDINGS:-/tmp/qpeft-fuzz-findings}/$name/$(basename "$repro")"
      fi
    else
      unproven+=("$name")
      if grep -q 'context deadline exceeded' "$log"; then
        # Go <= 1.26's coordinator compares the stop error with the workers' context only
        # (src/internal/fuzz/fuzz.go, stop: err == fuzzCtx.Err()); when -fuzztime's deadline
        # fires, the parent context is done before the child is cancelled, and a worker
        # stopping in that window is reported as a failure (go.dev/issue/75804, fixed in Go
        # 1.27). No input is involved.
        echo "!! $name ended with Go's fuzz-coordinator shutdown race at -fuzztime (go.dev/issue/75804): no failing input"
      else
        echo "!! $name failed without writing a reproducer (see its log above)"
      fi
    fi
  fi
done

# A run that failed without a reproducer is reported but does not fail the step: there is
# no input to commit or replay, and Go's engine ends that way when one slow input outlasts
# -fuzztime on a loaded machine. A reproducer always fails it.
if [ ${#unproven[@]} -gt 0 ]; then
  echo "fuzzing: no reproducer, reported only (rerun by hand with a longer FUZZTIME): ${unproven[*]}"
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found failures in: ${failed[*]}"
  if [ "${FUZZ_REPORT_ONLY:-}" = 1 ]; then
    echo "FUZZ FINDINGS (report only, printed above with their inputs): ${failed[*]}"
    exit 0
  fi
  exit 1
fi
[ ${#unproven[@]} -gt 0 ] && exit 0
echo "fuzzing found nothing new"
