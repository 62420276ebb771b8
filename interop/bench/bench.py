#!/usr/bin/env python3
"""Times statevector simulation of the same circuits on peer simulators.

Circuits (written as JSON gate lists so the Go side runs exactly the same gates):
  pauli   the canonical Pauli ansatz, L = 4 (method.md §2): RY on every qubit, then L times
          CZ on the even pairs (0,1),(2,3),... each followed by RY on both qubits, then CZ on
          the odd pairs (1,2),(3,4),... each followed by RY on both qubits. n + 3L(n-1) gates.
  random  a random-layered circuit, D = 20 layers: on every qubit one of RX/RY/RZ with a
          random angle, then CX on floor(n/2) disjoint pairs of a random permutation.
          D(n + floor(n/2)) gates.
  qft     the textbook QFT: for j = n-1..0, H(j) then CP(pi/2^(j-k)) (k, j) for k = j-1..0;
          then SWAP(i, n-1-i). n(n+1)/2 + floor(n/2) gates.
Angles come from numpy's PCG64 with a fixed seed per (circuit, n).

Usage:
  bench.py gen DIR --qubits 12,16,20,24
  bench.py run DIR --out peers.jsonl [--threads 1,2] [--repeat 3] [--sims aer,qsim,lightning]

"run" starts one worker process per (simulator, threads) so that OpenMP thread counts are
fixed at process start; each worker prints one JSON object per circuit. Only the simulation
is timed (best of --repeat wall-clock runs, state allocation included); circuit
construction, transpilation and qsim/lightning set-up happen before the clock starts. One
warm-up run per circuit is not timed.
"""
import argparse
import glob
import json
import math
import os
import subprocess
import sys
import time

import numpy as np


def pauli(n, L=4, seed=1):
    r = np.random.Generator(np.random.PCG64(seed * 1000 + n))
    g = []

    def ry(q):
        g.append({"name": "ry", "qubits": [q], "params": [float((r.random() * 2 - 1) * 3)]})

    for q in range(n):
        ry(q)
    for _ in range(L):
        for start in (0, 1):
            for a in range(start, n - 1, 2):
                g.append({"name": "cz", "qubits": [a, a + 1], "params": []})
                ry(a)
                ry(a + 1)
    return g


def random_layered(n, D=20, seed=2):
    r = np.random.Generator(np.random.PCG64(seed * 1000 + n))
    g = []
    for _ in range(D):
        for q in range(n):
            name = ("rx", "ry", "rz")[int(r.integers(3))]
            g.append({"name": name, "qubits": [q], "params": [float(r.uniform(-math.pi, math.pi))]})
        perm = [int(x) for x in r.permutation(n)]
        for i in range(0, n - 1, 2):
            g.append({"name": "cx", "qubits": [perm[i], perm[i + 1]], "params": []})
    return g


def qft(n):
    g = []
    for j in range(n - 1, -1, -1):
        g.append({"name": "h", "qubits": [j], "params": []})
        for k in range(j - 1, -1, -1):
            g.append({"name": "cp", "qubits": [k, j], "params": [math.pi / 2 ** (j - k)]})
    for i in range(n // 2):
        g.append({"name": "swap", "qubits": [i, n - 1 - i], "params": []})
    return g


KINDS = {"pauli": pauli, "random": random_layered, "qft": qft}


def gen(args):
    os.makedirs(args.dir, exist_ok=True)
    for n in [int(x) for x in args.qubits.split(",")]:
        for kind, f in KINDS.items():
            path = os.path.join(args.dir, f"{kind}-{n:02d}.json")
            with open(path + ".tmp", "w") as fh:
                json.dump({"kind": kind, "qubits": n, "gates": f(n)}, fh)
            os.replace(path + ".tmp", path)


def load(d):
    out = []
    for p in sorted(glob.glob(os.path.join(d, "*.json"))):
        with open(p) as fh:
            out.append(json.load(fh))
    out.sort(key=lambda c: (c["qubits"], c["kind"]))
    return out


def best(k, f):
    f()  # warm-up, not timed
    b = math.inf
    for _ in range(k):
        t = time.perf_counter()
        f()
        b = min(b, time.perf_counter() - t)
    return b


def make_aer(c, threads):
    from qiskit import QuantumCircuit, transpile
    from qiskit_aer import AerSimulator

    qc = QuantumCircuit(c["qubits"])
    for g in c["gates"]:
        getattr(qc, {"swap": "swap", "cx": "cx", "cp": "cp"}.get(g["name"], g["name"]))(*g["params"], *g["qubits"])
    qc.save_statevector()
    backend = AerSimulator(method="statevector", max_parallel_threads=threads)
    tqc = transpile(qc, backend, optimization_level=0)

    def run():
        res = backend.run(tqc, shots=1).result()
        if not res.success:
            raise RuntimeError(res.status)

    return run


def make_qsim(c, threads):
    import cirq
    import qsimcirq

    qs = cirq.LineQubit.range(c["qubits"])
    ops = []
    for g in c["gates"]:
        q = [qs[i] for i in g["qubits"]]
        p = g["params"]
        op = {
            "ry": lambda: cirq.ry(p[0]).on(*q),
            "rx": lambda: cirq.rx(p[0]).on(*q),
            "rz": lambda: cirq.rz(p[0]).on(*q),
            "h": lambda: cirq.H.on(*q),
            "cz": lambda: cirq.CZ.on(*q),
            "cx": lambda: cirq.CNOT.on(*q),
            "cp": lambda: cirq.CZPowGate(exponent=p[0] / math.pi).on(*q),
            "swap": lambda: cirq.SWAP.on(*q),
        }[g["name"]]()
        ops.append(op)
    circ = cirq.Circuit(ops)
    sim = qsimcirq.QSimSimulator(qsim_options=qsimcirq.QSimOptions(cpu_threads=threads))

    def run():
        sim.simulate(circ, qubit_order=qs)

    return run


def make_lightning(c, threads):
    import pennylane as qml

    n = c["qubits"]
    dev = qml.device("lightning.qubit", wires=n)
    gates = c["gates"]
    table = {"ry": qml.RY, "rx": qml.RX, "rz": qml.RZ, "h": qml.Hadamard, "cz": qml.CZ,
             "cx": qml.CNOT, "cp": qml.ControlledPhaseShift, "swap": qml.SWAP}

    @qml.qnode(dev)
    def circuit():
        for g in gates:
            table[g["name"]](*g["params"], wires=g["qubits"])
        return qml.state()

    return circuit


MAKERS = {"aer": make_aer, "qsim": make_qsim, "lightning": make_lightning}


def worker(args):
    maker = MAKERS[args.sim]
    for c in load(args.dir):
        if c["qubits"] > args.max_qubits:
            continue
        f = maker(c, args.threads)
        reps = args.repeat if c["qubits"] < 24 else max(1, args.repeat - 1)
        s = best(reps, f)
        work = len(c["gates"]) * 2.0 ** c["qubits"]
        print(json.dumps({"sim": args.sim, "threads": args.threads, "circuit": c["kind"], "qubits": c["qubits"],
                          "gates": len(c["gates"]), "seconds": s, "ns_per_amp_gate": s * 1e9 / work,
                          "repeats": reps}), flush=True)


def versions():
    from importlib.metadata import version
    out = {}
    for p in ("qiskit", "qiskit-aer", "cirq-core", "qsimcirq", "pennylane", "pennylane-lightning", "numpy"):
        try:
            out[p] = version(p)
        except Exception:
            out[p] = None
    return out


def run(args):
    with open(args.out, "w") as out:
        out.write(json.dumps({"versions": versions(), "python": sys.version.split()[0]}) + "\n")
        for sim in args.sims.split(","):
            for t in [int(x) for x in args.threads.split(",")]:
                env = dict(os.environ, OMP_NUM_THREADS=str(t))
                cmd = [sys.executable, __file__, "worker", args.dir, "--sim", sim, "--threads", str(t),
                       "--repeat", str(args.repeat), "--max-qubits", str(args.max_qubits)]
                print(f"bench: {sim} threads={t}", file=sys.stderr, flush=True)
                p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
                out.write(p.stdout)
                out.flush()
                sys.stderr.write(p.stdout)
                if p.returncode != 0:
                    raise SystemExit(f"bench: worker {sim} threads={t} failed with status {p.returncode}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("dir")
    g.add_argument("--qubits", default="12,16,20,24")
    r = sub.add_parser("run")
    r.add_argument("dir")
    r.add_argument("--out", required=True)
    r.add_argument("--threads", default="1,2")
    r.add_argument("--repeat", type=int, default=3)
    r.add_argument("--sims", default="aer,qsim,lightning")
    r.add_argument("--max-qubits", type=int, default=30)
    w = sub.add_parser("worker")
    w.add_argument("dir")
    w.add_argument("--sim", required=True, choices=sorted(MAKERS))
    w.add_argument("--threads", type=int, required=True)
    w.add_argument("--repeat", type=int, default=3)
    w.add_argument("--max-qubits", type=int, default=30)
    a = ap.parse_args()
    {"gen": gen, "run": run, "worker": worker}[a.cmd](a)


if __name__ == "__main__":
    main()
