#!/usr/bin/env bash
# Peer simulator benchmark: qpeft's sim (and itsubaki/q) against Qiskit Aer, qsim and
# PennyLane lightning.qubit on the same circuits, in one run on one machine state.
#
#   interop/bench/run.sh [OUTDIR]
#
# Environment: VENV (default ~/.cache/qpeft-bench-venv), PYTHON (python3.11 or python3),
# QUBITS (default 12,16,20,24), REPEAT (default 3), THREADS (default 1,2),
# ITSUBAKI_MAX (default 20). OUTDIR defaults to a temp dir;
# it receives circuits/, peers.jsonl, go.jsonl, gotest.txt, bench.json and table.txt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${VENV:-$HOME/.cache/qpeft-bench-venv}"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
qubits="${QUBITS:-12,16,20,24}"
repeat="${REPEAT:-3}"
threads="${THREADS:-1,2}"
out="${1:-$(mktemp -d)}"
mkdir -p "$out/circuits"

echo "bench: machine: $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2 " GiB"}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -x "$venv/bin/python" ]; then
  echo "bench: creating virtual environment $venv"
  "$python" -m venv "$venv"
fi
t0=$(date +%s)
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
echo "bench: pip install took $(( $(date +%s) - t0 )) s"
py="$venv/bin/python"

"$py" "$here/bench.py" gen "$out/circuits" --qubits "$qubits"
(cd "$root" && go build -o "$out/gobench" ./interop/bench/gobench)

echo "bench: go test ./sim -bench 'Ansatz|Bandwidth' (load $(cut -d' ' -f1-3 /proc/loadavg))"
(cd "$root" && go test ./sim -run '^$' -bench '^Benchmark(Ansatz|Bandwidth)$' -benchtime 1x -count 1) | tee "$out/gotest.txt"
echo "bench: qpeft and itsubaki/q on the generated circuits (load $(cut -d' ' -f1-3 /proc/loadavg))"
"$out/gobench" -circuits "$out/circuits" -threads "$threads" -repeat "$repeat" \
  -itsubaki-max "${ITSUBAKI_MAX:-20}" | tee "$out/go.jsonl"
echo "bench: peers (load $(cut -d' ' -f1-3 /proc/loadavg))"
"$py" "$here/bench.py" run "$out/circuits" --out "$out/peers.jsonl" --threads "$threads" --repeat "$repeat"
echo "bench: done (load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
"$py" "$here/bench.py" report "$out/peers.jsonl" "$out/go.jsonl" --gotest "$out/gotest.txt" \
  --json "$out/bench.json" --text "$out/table.txt"
echo "bench: results in $out"
