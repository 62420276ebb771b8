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
  held-out families (not tuned for; qpeft bench --circuits builds the same families in Go with
  its own random angles, circuit/library):
  qaoa    QAOA MaxCut on the ring, p = 4 rounds: H on every qubit, then per round RZZ(gamma) on
          every ring edge (q, q+1 mod n) and RX(beta) on every qubit. n + p(2n) gates.
  hea     hardware-efficient ansatz, 8 layers: RY, RZ on every qubit then a CX ladder
          (0,1),(1,2),...; a final RY, RZ layer. 18n + 8(n-1) gates.
  cliffordt  random Clifford+T, 20 layers: one of H, S, T on every qubit, then CX on floor(n/2)
          disjoint pairs of a random permutation. 20(n + floor(n/2)) gates.
Any other gate list (qpeft bench FILE.qasm --peers PYTHON writes one per file) may use the
gates of GATES below.
Angles come from numpy's PCG64 with a fixed seed per (circuit, n).

Usage:
  bench.py gen DIR --qubits 12,16,20,24,26
  bench.py gen DIR --qubits 20,24 --kinds qaoa,hea,cliffordt
  bench.py run DIR --out peers.jsonl [--threads 1,2] [--repeat 3] [--repeat-large 1]
               [--large-qubits 26] [--sims aer,qsim,lightning] [--skip-missing]
  (--sims aer-unitary,operator times the full unitary: Aer's unitary method and Qiskit's
  Operator; gobench -unitary times qpeft's sim.Unitary on the same files)
  bench.py report peers.jsonl go.jsonl [--gotest gotest.txt] [--json all.json] [--text table.txt]
  bench.py serve --sim qsim --threads 2 < requests   (one timed run per circuit file named on
  stdin; interop/bench's BenchmarkInterleaved alternates it with qpeft)

"run" starts one worker process per (simulator, threads) so that OpenMP thread counts are
fixed at process start; each worker prints one JSON object per circuit. Only the simulation
is timed (best of --repeat wall-clock runs, --repeat-large from --large-qubits on, one less
at 24 <= n < --large-qubits; state allocation included); circuit construction,
transpilation and qsim/lightning set-up happen before the clock starts. One warm-up run per
circuit is not timed. Aer records also carry Aer's own simulation time
(aer_time_taken = results[0].time_taken, the C++ experiment time, and aer_total_time_taken
= Result.time_taken) beside the wall time, and the fusion metadata of the timed run.

Fairness of the peer set-ups (checked 2026-11-28 on this 2-core AMD EPYC, 32 MiB L3,
qiskit-aer 0.18.2, qsimcirq 0.22.1, pennylane 0.45.1 / pennylane-lightning 0.45.0; experiment at n = 20 with
the circuits above, best of 3 after a warm-up, OMP_NUM_THREADS = threads):
  Aer    AerSimulator(method="statevector", max_parallel_threads=T), transpile at
         optimization_level=0 outside the clock, save_statevector. Defaults are in effect
         and act as documented: fusion applied (max_fused_qubits 5, fusion_threshold 14, so
         no fusion at n = 12), parallel_state_update = T from n >= 14
         (statevector_parallel_threshold 14), double precision. The wall time is Aer's own
         time: pauli n=20 1t wall 0.436 s, results[0].time_taken 0.432 s; random 1.123 /
         1.114 s; qft 0.404 / 0.394 s. The statevector→numpy hand-back and Python
         run() overhead are ~4-9 ms (they dominate only at n = 12: wall 6.6 ms, internal
         2.7 ms). save_statevector cannot be dropped: without it Aer removes the unused
         qubits and simulates nothing (num_qubits 0, 30 µs). Settings do not explain the
         slowness: fusion_enable=False 0.86 s, fusion_max_qubit 2/3/4 0.59/0.44/0.43 s,
         precision="single" 0.44 s, fusion_threshold=30 (no fusion) 0.89 s; with 2 threads
         statevector_parallel_threshold=18 makes it slower (0.77 vs 0.63 s). So Aer's
         default is its best setting here; our use is as documented and not changed.
         Aer's slowness is its own kernel time (internal ≈ wall), not our use: unfused it
         spends 3.3 ns per amplitude-gate on an in-L3 state (n=20 complex128 is 16 MiB, L3
         32 MiB), and single precision is no faster, so it is compute/per-op bound on this
         CPU (AVX2/AVX-512 present) rather than memory bound; the n=24 figure (19.6 s) also
         ran under load.
         "2 threads slower than 1" (Aer pauli n=20: 0.63 s at 2t vs 0.43 s at 1t; same for
         qsim 0.091 vs 0.035 s and for qpeft at n=16) comes from the machine, not the
         set-up: other jobs kept the load average near 1 on 2 cores, and OpenMP teams whose
         second thread is descheduled wait at every barrier. 2-thread figures are only
         meaningful on a quiet machine (run.sh prints the load before each phase).
  qsim   QSimSimulator(QSimOptions(cpu_threads=T)); the default cpu_threads is 1, so T must
         be passed (it is). max_fused_gate_size default 2 is its fastest here (pauli n=20 1t
         0.035 / 0.040 / 0.049 s for 2 / 3 / 4). qsim computes in complex64 (single
         precision), the others in complex128 (qpeft pauli: float64): its memory traffic
         per amplitude is half of a complex128 simulator's; read qsim ratios with that in mind.
  lightning  lightning.qubit, threads from OMP_NUM_THREADS (set per worker); a QNode call
         includes PennyLane's tape construction, gate-by-gate dispatch and the copy
         returned by qml.state(): ~5 ms per call (pauli n=12 5.2 ms), negligible from n = 20
         (pauli n=20 0.090 s 1t, 0.081 s 2t).
Reproduce with fairness.py (same directory), e.g.
  OMP_NUM_THREADS=1 python fairness.py aer 20 1 pauli '{"fusion_enable": false}'
  OMP_NUM_THREADS=1 python fairness.py qsim 20 1 pauli 3
  OMP_NUM_THREADS=2 python fairness.py lightning 20 2 pauli
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


def _rng(seed, n):
    return np.random.Generator(np.random.PCG64(seed * 1000 + n))


def _gate(name, qubits, params=()):
    return {"name": name, "qubits": list(qubits), "params": list(params)}


def pauli(n, L=4, seed=1):
    r = _rng(seed, n)
    g = []

    def ry(q):
        g.append(_gate("ry", [q], [float((r.random() * 2 - 1) * 3)]))

    for q in range(n):
        ry(q)
    for _ in range(L):
        for start in (0, 1):
            for a in range(start, n - 1, 2):
                g.append(_gate("cz", [a, a + 1]))
                ry(a)
                ry(a + 1)
    return g


def _layered(n, D, r, one_qubit):
    """D layers: the gate one_qubit(q) on every qubit q, then CX on floor(n/2) disjoint pairs
    of a random permutation (random_layered and clifford_t)."""
    g = []
    for _ in range(D):
        for q in range(n):
            g.append(one_qubit(q))
        perm = [int(x) for x in r.permutation(n)]
        for i in range(0, n - 1, 2):
            g.append(_gate("cx", [perm[i], perm[i + 1]]))
    return g


def random_layered(n, D=20, seed=2):
    r = _rng(seed, n)
    return _layered(n, D, r, lambda q: _gate(("rx", "ry", "rz")[int(r.integers(3))], [q],
                                             [float(r.uniform(-math.pi, math.pi))]))


def qft(n):
    g = []
    for j in range(n - 1, -1, -1):
        g.append(_gate("h", [j]))
        for k in range(j - 1, -1, -1):
            g.append(_gate("cp", [k, j], [math.pi / 2 ** (j - k)]))
    for i in range(n // 2):
        g.append(_gate("swap", [i, n - 1 - i]))
    return g


def qaoa(n, p=4, seed=3):
    r = _rng(seed, n)
    g = [_gate("h", [q]) for q in range(n)]
    edges = [(q, (q + 1) % n) for q in range(n if n > 2 else 1)]
    for _ in range(p):
        gamma, beta = float(r.random() * math.pi), float(r.random() * math.pi / 2)
        for a, b in edges:
            g.append(_gate("rzz", [a, b], [gamma]))
        for q in range(n):
            g.append(_gate("rx", [q], [beta]))
    return g


def hea(n, L=8, seed=4):
    r = _rng(seed, n)
    g = []

    def rot():
        for q in range(n):
            g.append(_gate("ry", [q], [float(r.uniform(-math.pi, math.pi))]))
            g.append(_gate("rz", [q], [float(r.uniform(-math.pi, math.pi))]))

    for _ in range(L):
        rot()
        for q in range(n - 1):
            g.append(_gate("cx", [q, q + 1]))
    rot()
    return g


def clifford_t(n, D=20, seed=5):
    r = _rng(seed, n)
    return _layered(n, D, r, lambda q: _gate(("h", "s", "t")[int(r.integers(3))], [q]))


KINDS = {"pauli": pauli, "random": random_layered, "qft": qft, "qaoa": qaoa, "hea": hea, "cliffordt": clifford_t}
# The default set of gen (the table of docs/benchmarks.md); the held-out families on request.
DEFAULT_KINDS = "pauli,random,qft"
# Gates a circuit file may use: name -> (qubits, parameters). qpeft bench --peers translates
# other gates into these (export/transpile) before writing a file.
GATES = {"rx": (1, 1), "ry": (1, 1), "rz": (1, 1), "p": (1, 1), "h": (1, 0), "x": (1, 0), "y": (1, 0),
         "z": (1, 0), "s": (1, 0), "sdg": (1, 0), "t": (1, 0), "tdg": (1, 0), "cx": (2, 0), "cz": (2, 0),
         "cp": (2, 1), "swap": (2, 0), "rzz": (2, 1)}


def gen(args):
    os.makedirs(args.dir, exist_ok=True)
    for n in [int(x) for x in args.qubits.split(",")]:
        for kind in args.kinds.split(","):
            f = KINDS[kind]
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
    """Returns the fastest of k timed calls of f (after one untimed warm-up) and the extra
    fields (a dict, or {}) that the fastest call returned."""
    f()  # warm-up, not timed
    b, extra = math.inf, {}
    for _ in range(k):
        t = time.perf_counter()
        e = f()
        d = time.perf_counter() - t
        if d < b:
            b, extra = d, (e if isinstance(e, dict) else {})
    return b, extra


def make_aer(c, threads):
    result = _aer(c, "statevector", threads)

    def run():
        res = result()
        md = res.results[0].metadata or {}
        fu = md.get("fusion") or {}
        return {"aer_time_taken": res.results[0].time_taken, "aer_total_time_taken": res.time_taken,
                "aer_fusion_applied": fu.get("applied"), "aer_max_fused_qubits": fu.get("max_fused_qubits"),
                "aer_parallel_state_update": md.get("parallel_state_update")}

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
            "p": lambda: cirq.ZPowGate(exponent=p[0] / math.pi).on(*q),
            "x": lambda: cirq.X.on(*q),
            "y": lambda: cirq.Y.on(*q),
            "z": lambda: cirq.Z.on(*q),
            "s": lambda: cirq.S.on(*q),
            "sdg": lambda: (cirq.S**-1).on(*q),
            "t": lambda: cirq.T.on(*q),
            "tdg": lambda: (cirq.T**-1).on(*q),
            # RZZ(theta) = exp(-i theta Z⊗Z / 2) = ZZPowGate(t = theta/pi, global_shift = -1/2)
            "rzz": lambda: cirq.ZZPowGate(exponent=p[0] / math.pi, global_shift=-0.5).on(*q),
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
             "cx": qml.CNOT, "cp": qml.ControlledPhaseShift, "swap": qml.SWAP, "p": qml.PhaseShift,
             "x": qml.PauliX, "y": qml.PauliY, "z": qml.PauliZ, "s": qml.S, "t": qml.T,
             "sdg": lambda wires: qml.adjoint(qml.S(wires=wires)), "tdg": lambda wires: qml.adjoint(qml.T(wires=wires)),
             "rzz": qml.IsingZZ}

    @qml.qnode(dev)
    def circuit():
        for g in gates:
            table[g["name"]](*g["params"], wires=g["qubits"])
        return qml.state()

    return circuit


def qiskit_circuit(c):
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(c["qubits"])
    for g in c["gates"]:
        getattr(qc, g["name"])(*g["params"], *g["qubits"])
    return qc


def make_aer_unitary(c, threads):
    """The full unitary with Aer's unitary method (complex128), transpiled outside the clock."""
    result = _aer(c, "unitary", threads)

    def run():
        return {"aer_time_taken": result().results[0].time_taken}

    return run


def _aer(c, method, threads):
    """Aer with the method (statevector or unitary) and the thread count, the circuit c saving
    its final state or unitary and transpiled outside the clock: a function that runs it once
    and returns the (successful) result."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator  # also adds save_statevector and save_unitary

    qc = qiskit_circuit(c)
    getattr(qc, "save_" + method)()
    backend = AerSimulator(method=method, max_parallel_threads=threads)
    tqc = transpile(qc, backend, optimization_level=0)

    def result():
        res = backend.run(tqc, shots=1).result()
        if not res.success:
            raise RuntimeError(res.status)
        return res

    return result


def make_operator(c, threads):
    """The full unitary with qiskit.quantum_info.Operator (numpy, complex128)."""
    from qiskit.quantum_info import Operator

    qc = qiskit_circuit(c)

    def run():
        Operator(qc)

    return run


MAKERS = {"aer": make_aer, "qsim": make_qsim, "lightning": make_lightning,
          "aer-unitary": make_aer_unitary, "operator": make_operator}
# The module each simulator needs (run --skip-missing checks it before starting a worker).
IMPORTS = {"aer": "qiskit_aer", "qsim": "qsimcirq", "lightning": "pennylane_lightning",
           "aer-unitary": "qiskit_aer", "operator": "qiskit"}


def worker(args):
    maker = MAKERS[args.sim]
    for c in load(args.dir):
        if c["qubits"] > args.max_qubits:
            continue
        f = maker(c, args.threads)
        if c["qubits"] >= args.large_qubits:
            reps = args.repeat_large
        elif c["qubits"] >= 24:
            reps = max(1, args.repeat - 1)
        else:
            reps = args.repeat
        s, extra = best(reps, f)
        work = len(c["gates"]) * 2.0 ** c["qubits"]
        print(json.dumps({"sim": args.sim, "threads": args.threads, "circuit": c["kind"], "qubits": c["qubits"],
                          "gates": len(c["gates"]), "seconds": s, "ns_per_amp_gate": s * 1e9 / work,
                          "repeats": reps, **extra}), flush=True)


def serve(args):
    """Times one simulation per request, for side-by-side runs interleaved with another
    simulator (interop/bench's BenchmarkInterleaved): each line of stdin is a circuit file;
    the first request for a file builds the simulator and runs one untimed warm-up; every
    request prints {"seconds": wall time of one simulation} on stdout."""
    made = {}
    for line in sys.stdin:
        path = line.strip()
        if not path:
            continue
        if path not in made:
            with open(path) as fh:
                c = json.load(fh)
            made[path] = MAKERS[args.sim](c, args.threads)
            made[path]()
        t = time.perf_counter()
        made[path]()
        print(json.dumps({"seconds": time.perf_counter() - t}), flush=True)


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
                       "--repeat", str(args.repeat), "--repeat-large", str(args.repeat_large),
                       "--large-qubits", str(args.large_qubits), "--max-qubits", str(args.max_qubits)]
                print(f"bench: {sim} threads={t}", file=sys.stderr, flush=True)
                if args.skip_missing:
                    chk = subprocess.run([sys.executable, "-c", "import " + IMPORTS[sim]], env=env,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                    if chk.returncode != 0:
                        why = (chk.stderr.strip().splitlines() or ["import failed"])[-1]
                        out.write(json.dumps({"sim": sim, "threads": t, "missing": why}) + "\n")
                        out.flush()
                        print(f"bench: {sim}: not available in {sys.executable}: {why}", file=sys.stderr, flush=True)
                        continue
                p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
                out.write(p.stdout)
                out.flush()
                sys.stderr.write(p.stdout)
                if p.returncode != 0:
                    raise SystemExit(f"bench: worker {sim} threads={t} failed with status {p.returncode}")


def report(args):
    """Merges peer and Go records into one JSON file and prints the side-by-side table."""
    recs, meta = [], {}
    for path in args.inputs:
        with open(path) as fh:
            for line in fh:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                r = json.loads(line)
                if "missing" in r:
                    continue
                if "sim" in r:
                    recs.append(r)
                else:
                    meta.update(r)
    floor = {}
    if args.gotest:
        # go test lines: BenchmarkBandwidth/complex128-2  N  T ns/op  X ns/amp
        #                BenchmarkAnsatz/n=24/real-2      N  T ns/op  X ns/amp-gate
        with open(args.gotest) as fh:
            for line in fh:
                f = line.split()
                if not f or not f[0].startswith("Benchmark"):
                    continue
                name = f[0].rsplit("-", 1)[0]
                vals = {f[i + 1]: float(f[i]) for i in range(2, len(f) - 1, 2) if f[i].replace(".", "").isdigit()}
                if name.startswith("BenchmarkBandwidth/"):
                    floor[name.split("/")[1]] = vals.get("ns/amp")
                elif name.startswith("BenchmarkAnsatz/"):
                    _, nq, path = name.split("/")
                    n = int(nq[2:])
                    sim = {"real": "gotest-float64", "complex": "gotest-complex128", "itsubaki": "gotest-itsubaki-q"}[path]
                    recs.append({"sim": sim, "threads": 0, "circuit": "pauli", "qubits": n,
                                 "gates": n + 12 * (n - 1), "seconds": vals["ns/op"] / 1e9,
                                 "ns_per_amp_gate": vals.get("ns/amp-gate"), "repeats": None})
    key = {}
    for r in recs:
        key[(r["circuit"], r["qubits"], r["sim"], r["threads"])] = r
    cols = [("qpeft", 1), ("qpeft", 2), ("aer", 1), ("aer", 2), ("qsim", 1), ("qsim", 2),
            ("lightning", 1), ("lightning", 2), ("itsubaki-q", 1)]
    cases = sorted({(r["circuit"], r["qubits"]) for r in recs if not r["sim"].startswith("gotest")},
                   key=lambda c: (list(KINDS).index(c[0]) if c[0] in KINDS else len(KINDS), c[0], c[1]))

    def get(circ, n, sim, t):
        if sim == "qpeft":
            for s in ("qpeft", "qpeft-float64"):
                if (circ, n, s, t) in key:
                    return key[(circ, n, s, t)]
            return None
        return key.get((circ, n, sim, t))

    lines = []
    hdr = ["circuit", "n", "gates"] + [f"{s}/{t}t" if s != "itsubaki-q" else "itsubaki" for s, t in cols] + \
          ["ours1/aer1", "ours1/qsim1", "ours1/light1", "ours2/aer2", "ours2/qsim2", "ours2/light2",
           "ns/amp-gate ours2", "aer2", "aer2 internal", "sweeps2", "floor×sweeps2", "ours2/floor×sw"]
    rows = [hdr]
    for circ, n in cases:
        row = [circ, str(n), ""]
        for s, t in cols:
            r = get(circ, n, s, t)
            if r:
                row[2] = str(r["gates"])
            row.append(f"{r['seconds']:.4g}" if r else "-")
        for t in (1, 2):
            ours = get(circ, n, "qpeft", t)
            for s in ("aer", "qsim", "lightning"):
                p = get(circ, n, s, t)
                row.append(f"{ours['seconds'] / p['seconds']:.2f}" if ours and p else "-")
        p = get(circ, n, "aer", 2)
        row.append(f"{ours['ns_per_amp_gate']:.3f}" if ours else "-")
        row.append(f"{p['ns_per_amp_gate']:.3f}" if p else "-")
        row.append(f"{p['aer_time_taken']:.4g}" if p and p.get("aer_time_taken") is not None else "-")
        if ours and ours.get("sweeps"):
            fs = ours["floor_x_sweeps_seconds"]
            row += [str(ours["sweeps"]), f"{fs:.4g}", f"{ours['seconds'] / fs:.2f}"]
        else:
            row += ["-", "-", "-"]
        rows.append(row)
    w = [max(len(r[i]) for r in rows) for i in range(len(hdr))]
    for r in rows:
        lines.append("  ".join(c.rjust(w[i]) for i, c in enumerate(r)))
    lines.append("")
    lines.append("seconds: best wall-clock run of one statevector simulation from |0...0>; /1t, /2t: threads.")
    lines.append("oursT/peerT: qpeft time / peer time at T threads (below 1: qpeft is faster).")
    lines.append("aer2 internal: Aer's own simulation time (results[0].time_taken) of the timed 2-thread run.")
    lines.append("sweeps2: passes over the state vector of qpeft's fused, cache-blocked 2-thread schedule (sim.Plan); "
                 "floor×sweeps2: that many times the best 2-thread read+write sweep over a state of the same size "
                 "and type (the memory-bandwidth bound); ours2/floor×sw: qpeft 2t time / that bound (1 = at the bound). "
                 "The bound is meaningful once the state outgrows the last-level cache (2^n·16 or 2^n·8 bytes); "
                 "below that a sweep is an in-cache pass and compute dominates.")
    lines.append("qpeft on pauli = its automatic float64 path (all gates real); complex128 forced:")
    for circ, n in cases:
        if circ == "pauli":
            c = [key.get((circ, n, "qpeft-complex128", t)) for t in (1, 2)]
            if c[0] and c[1]:
                extra = ""
                if c[1].get("sweeps"):
                    extra = (f", {c[1]['sweeps']} sweeps, floor×sweeps {c[1]['floor_x_sweeps_seconds']:.4g} s, "
                             f"ours/floor×sw {c[1]['seconds'] / c[1]['floor_x_sweeps_seconds']:.2f}")
                lines.append(f"  pauli n={n}: complex128 1t {c[0]['seconds']:.4g} s, 2t {c[1]['seconds']:.4g} s "
                             f"({c[1]['ns_per_amp_gate']:.3f} ns/amp-gate{extra})")
    g = sorted((r for r in recs if r["sim"].startswith("gotest")), key=lambda r: (r["qubits"], r["sim"]))
    if g:
        lines.append("go test ./sim -bench Ansatz (pauli L=4, GOMAXPROCS threads):")
        for r in g:
            lines.append(f"  n={r['qubits']} {r['sim'][7:]}: {r['seconds']:.4g} s, {r['ns_per_amp_gate']} ns/amp-gate")
    if floor:
        lines.append("memory floor (go test ./sim -bench Bandwidth, one read+write sweep over 2^24 amplitudes): " +
                     ", ".join(f"{k} {v} ns/amp" for k, v in floor.items()))
    if meta:
        lines.append("peer versions: " + ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items()))
    text = "\n".join(lines)
    print(text)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"meta": meta, "floor_ns_per_amp": floor, "records": recs}, fh, indent=1)
    if args.text:
        with open(args.text, "w") as fh:
            fh.write(text + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("dir")
    g.add_argument("--qubits", default="12,16,20,24,26")
    g.add_argument("--kinds", default=DEFAULT_KINDS, help="comma-separated families: " + ",".join(KINDS))
    r = sub.add_parser("run")
    r.add_argument("dir")
    r.add_argument("--out", required=True)
    r.add_argument("--threads", default="1,2")
    r.add_argument("--repeat", type=int, default=3)
    r.add_argument("--repeat-large", type=int, default=1)
    r.add_argument("--large-qubits", type=int, default=26)
    r.add_argument("--sims", default="aer,qsim,lightning")
    r.add_argument("--max-qubits", type=int, default=30)
    r.add_argument("--skip-missing", action="store_true",
                   help="record a simulator whose module this Python lacks as missing instead of failing")
    w = sub.add_parser("worker")
    w.add_argument("dir")
    w.add_argument("--sim", required=True, choices=sorted(MAKERS))
    w.add_argument("--threads", type=int, required=True)
    w.add_argument("--repeat", type=int, default=3)
    w.add_argument("--repeat-large", type=int, default=1)
    w.add_argument("--large-qubits", type=int, default=26)
    w.add_argument("--max-qubits", type=int, default=30)
    sv = sub.add_parser("serve", help="time one simulation per circuit file read from stdin")
    sv.add_argument("--sim", required=True, choices=sorted(MAKERS))
    sv.add_argument("--threads", type=int, required=True)
    p = sub.add_parser("report")
    p.add_argument("inputs", nargs="+", help="JSON-lines files from run and gobench")
    p.add_argument("--gotest", help="output of go test ./sim -bench 'Ansatz|Bandwidth'")
    p.add_argument("--json", help="write the merged records here")
    p.add_argument("--text", help="write the table here")
    a = ap.parse_args()
    {"gen": gen, "run": run, "worker": worker, "serve": serve, "report": report}[a.cmd](a)


if __name__ == "__main__":
    main()
