#!/usr/bin/env python3
"""Set-up checks of the peer simulators behind the notes at the top of bench.py.

Times one circuit of bench.py (best of 3 after a warm-up, as bench.py does) with one
peer and one set of options, and prints the wall time with what the peer reports:

  fairness.py aer N THREADS KIND ['{"fusion_enable": false}']   # AerSimulator options
  fairness.py qsim N THREADS KIND [MAX_FUSED_GATE_SIZE]
  fairness.py lightning N THREADS KIND

Run it with OMP_NUM_THREADS=THREADS (bench.py's workers set it). Keep N <= 20 on a shared
machine.
"""
import functools
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def aer(n, threads, kind, opts):
    from qiskit import QuantumCircuit, transpile
    from qiskit_aer import AerSimulator

    extra = json.loads(opts) if opts else {}
    qc = QuantumCircuit(n)
    for g in bench.KINDS[kind](n):
        getattr(qc, g["name"])(*g["params"], *g["qubits"])
    qc.save_statevector()
    backend = AerSimulator(method="statevector", max_parallel_threads=threads, **extra)
    tqc = transpile(qc, backend, optimization_level=0)
    backend.run(tqc, shots=1).result()
    best = (math.inf, None)
    for _ in range(3):
        t = time.perf_counter()
        r = backend.run(tqc, shots=1).result()
        w = time.perf_counter() - t
        if w < best[0]:
            best = (w, r)
    w, r = best
    md = r.results[0].metadata
    print(json.dumps({"sim": "aer", "n": n, "threads": threads, "kind": kind, "options": extra,
                      "wall": round(w, 4), "results0_time_taken": round(r.results[0].time_taken, 4),
                      "result_time_taken": round(r.time_taken, 4), "fusion": md.get("fusion"),
                      "parallel_state_update": md.get("parallel_state_update")}))


def qsim(n, threads, kind, fused):
    import qsimcirq

    if fused:
        qsimcirq.QSimOptions = functools.partial(qsimcirq.QSimOptions, max_fused_gate_size=int(fused))
    s, _ = bench.best(3, bench.make_qsim({"qubits": n, "gates": bench.KINDS[kind](n)}, threads))
    print(json.dumps({"sim": "qsim", "n": n, "threads": threads, "kind": kind,
                      "max_fused_gate_size": int(fused) if fused else "default", "wall": round(s, 4)}))


def lightning(n, threads, kind, _):
    s, _ = bench.best(3, bench.make_lightning({"qubits": n, "gates": bench.KINDS[kind](n)}, threads))
    print(json.dumps({"sim": "lightning", "n": n, "threads": threads, "kind": kind, "wall": round(s, 4)}))


if __name__ == "__main__":
    if len(sys.argv) < 5 or sys.argv[1] not in ("aer", "qsim", "lightning"):
        raise SystemExit(__doc__)
    {"aer": aer, "qsim": qsim, "lightning": lightning}[sys.argv[1]](
        int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
