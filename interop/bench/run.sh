#!/usr/bin/env bash
# Peer simulator benchmark: qpeft's sim (and itsubaki/q) against Qiskit Aer, qsim and
# PennyLane lightning.qubit on the same circuits, in one run on one machine state.
#
#   interop/bench/run.sh [OUTDIR]
#
# Environment: VENV (default ~/.cache/qpeft-bench-venv), PYTHON (python3.11 or python3),
# QUBITS (default 12,16,20,24,26), REPEAT (default 3; one less at n = 24 for the peers),
# REPEAT_LARGE (runs per case from LARGE_QUBITS on, default 1), LARGE_QUBITS (default 26),
# THREADS (default 1,2), ITSUBAKI_MAX (default 24), KINDS (default pauli,random,qft; the held-out
# families qaoa, hea, cliffordt on request). OUTDIR defaults to a temp dir;
# it receives circuits/, peers.jsonl, go.jsonl, gotest.txt, gotest-sweeps.txt (per-sweep
# times, BenchmarkSweep and BenchmarkCircuitSweeps), bench.json and table.txt.
#
# Duration: the defaults are sized for ~45 minutes on 2 cores (n = 26 dominates: Aer alone
# ~20 minutes, one warm-up plus one timed run per case and thread count). Run it on a quiet
# machine: 2-thread figures are meaningless when other jobs hold a core (see bench.py).
#
# Memory: a 26-qubit complex128 state is 1 GiB (float64: 512 MiB). qpeft holds one state
# plus the floor measurement's (freed before the next case); Aer keeps its state and the
# saved copy and hands back a numpy array (~3 GiB peak); lightning returns a copy from
# qml.state(); qsim is complex64 (512 MiB). Peaks stay below ~4 GiB, one simulator at a
# time, so 24 GiB is enough; itsubaki/q stops at ITSUBAKI_MAX = 24 (its n = 24 state is
# 256 MiB, with per-gate temporaries).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${VENV:-$HOME/.cache/qpeft-bench-venv}"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
qubits="${QUBITS:-12,16,20,24,26}"
repeat="${REPEAT:-3}"
repeat_large="${REPEAT_LARGE:-1}"
large_qubits="${LARGE_QUBITS:-26}"
threads="${THREADS:-1,2}"
out="${1:-$(mktemp -d)}"
mkdir -p "$out/circuits"

echo "bench: machine: $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2 " GiB"}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -x "$venv/bin/python" ]; then
  echo "bench: creating virtual environment $venv"
  "$python" -m venv "$venv"
fi
start=$(date +%s)
t0=$(date +%s)
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
echo "bench: pip install took $(( $(date +%s) - t0 )) s"
py="$venv/bin/python"

"$py" "$here/bench.py" gen "$out/circuits" --qubits "$qubits" --kinds "${KINDS:-pauli,random,qft}"
(cd "$root" && go build -o "$out/gobench" ./interop/bench/gobench)

echo "bench: go test ./sim -bench 'Ansatz|Bandwidth' (load $(cut -d' ' -f1-3 /proc/loadavg))"
(cd "$root" && go test ./sim -run '^$' -bench '^Benchmark(Ansatz|Bandwidth)$' -benchtime 1x -count 1) | tee "$out/gotest.txt"
echo "bench: go test ./sim -bench 'Sweep|CircuitSweeps': per-sweep time against the floor (load $(cut -d' ' -f1-3 /proc/loadavg))"
(cd "$root" && go test ./sim -run '^$' -bench '^Benchmark(Sweep|CircuitSweeps)$' -benchtime 10x -count 1) | tee "$out/gotest-sweeps.txt"
echo "bench: qpeft and itsubaki/q on the generated circuits (load $(cut -d' ' -f1-3 /proc/loadavg))"
"$out/gobench" -circuits "$out/circuits" -threads "$threads" -repeat "$repeat" \
  -repeat-large "$repeat_large" -large-qubits "$large_qubits" \
  -itsubaki-max "${ITSUBAKI_MAX:-24}" | tee "$out/go.jsonl"
echo "bench: peers (load $(cut -d' ' -f1-3 /proc/loadavg))"
"$py" "$here/bench.py" run "$out/circuits" --out "$out/peers.jsonl" --threads "$threads" --repeat "$repeat" \
  --repeat-large "$repeat_large" --large-qubits "$large_qubits"
echo "bench: done (load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
"$py" "$here/bench.py" report "$out/peers.jsonl" "$out/go.jsonl" --gotest "$out/gotest.txt" \
  --json "$out/bench.json" --text "$out/table.txt"
secs=$(( $(date +%s) - start ))
echo "bench: results in $out; total wall time $((secs / 60)) min $((secs % 60)) s"
