"""Routing onto coupling maps (`qpeft export --device ... | --coupling-map FILE`), checked with
Qiskit: its transpiler finds nothing left to route in qpeft's output (optimization_level=0 adds
no SWAP, every two-qubit gate is on an edge of the device, in its direction for Eagle's ecr),
and on Qiskit's own random circuits qpeft's two-qubit gate count stays within 1.2x of Qiskit's
transpile at optimization_level=1. Whole adapter factors (`--adapter DIR --whole`) of
non-power-of-two dimension reproduce the trained factor under Qiskit's Operator."""

import json
import pathlib
import re
import subprocess

import numpy as np
import pytest
from qiskit import qasm3
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import Operator
from qiskit.transpiler import CouplingMap
from qiskit import transpile

from conftest import ROOT, assert_close, record

MAPS = ROOT / "export" / "route" / "maps"
BASIS = {"ibm_heron": ["rz", "sx", "x", "cz"], "ibm_eagle": ["rz", "sx", "x", "ecr"], "rigetti_ankaa3": ["rx", "rz", "cz"]}
ROUTING = re.compile(r"^// qpeft-routing (\{.*\})$", re.M)


def fake_backend(device):
    from qiskit_ibm_runtime.fake_provider import FakeBrisbane, FakeFez

    return {"ibm_heron": FakeFez, "ibm_eagle": FakeBrisbane}[device]()


def coupling(device):
    """The device's coupling map as Qiskit has it (the fake backend for IBM, qpeft's
    documented lattice for Ankaa-3, which has no Qiskit backend)."""
    if device.startswith("ibm_"):
        return fake_backend(device).coupling_map
    doc = json.loads((MAPS / f"{device}.json").read_text())
    return CouplingMap.from_line(2) if not doc["edges"] else CouplingMap([e for a, b in doc["edges"] for e in ([a, b], [b, a])])


def qpeft_export(bindir, src, *args):
    r = subprocess.run([str(bindir / "qpeft"), "export", str(src), "--target", "qasm3", "--stats", *args],
                       check=True, capture_output=True, text=True)
    m = re.search(r"(\d+) two-qubit gates, depth (\d+), (\d+) SWAPs added", r.stderr)
    assert m, r.stderr
    return r.stdout, int(m.group(1)), int(m.group(3))


def device_args(device):
    if device == "rigetti_ankaa3":  # the device takes quil and braket; qasm3 through its map
        return ["--coupling-map", str(MAPS / "rigetti_ankaa3.json"), "--basis", "rigetti"]
    return ["--device", device]


def inputs(tmp_path):
    """Qiskit random circuits and the Pauli ansatz (brickwork on a line)."""
    out = []
    for s in range(4):
        qc = random_circuit(8, 10, max_operands=2, seed=100 + s)
        p = tmp_path / f"rc{s}.qasm"
        p.write_text(qasm3.dumps(qc))
        out.append((f"random{s}", p, False))
    for n in (6, 12):
        p = tmp_path / f"pauli{n}.qasm"
        p.write_text(subprocess.run([str(ROOT_BIN["qpeft"]), "ansatz", "pauli", "--qubits", str(n), "--layers", "3"],
                                    check=True, capture_output=True, text=True).stdout)
        out.append((f"pauli{n}", p, True))
    return out


ROOT_BIN = {}


@pytest.mark.parametrize("device", ["ibm_heron", "ibm_eagle", "rigetti_ankaa3"])
def test_routed_output_needs_no_swap(bindir, tmp_path, device):
    ROOT_BIN["qpeft"] = bindir / "qpeft"
    cm = coupling(device)
    basis = BASIS[device]
    for name, src, brickwork in inputs(tmp_path):
        for restore in ([], ["--restore-order"]):
            text, twoq, swaps = qpeft_export(bindir, src, *device_args(device), "--seed", "3", *restore)
            if brickwork:
                assert swaps == 0, f"{device} {name}: the Pauli ansatz brickwork needed {swaps} SWAPs"
            rt = json.loads(ROUTING.search(text).group(1))
            if restore:
                assert rt["initial_layout"] == rt["final_layout"]
            qc = qasm3.loads(text)
            assert set(qc.count_ops()) <= set(basis), f"{device} {name}: {qc.count_ops()}"
            pairs = [tuple(qc.find_bit(q).index for q in inst.qubits) for inst in qc.data if len(inst.qubits) == 2]
            assert len(pairs) == twoq
            edges = set(map(tuple, cm.get_edges()))
            for p in pairs:
                assert p in edges or (device != "ibm_eagle" and p[::-1] in edges), f"{device} {name}: 2q gate on {p} is not an edge"
            out = transpile(qc, coupling_map=cm, basis_gates=basis + ["swap"], optimization_level=0,
                            initial_layout=list(range(qc.num_qubits)), seed_transpiler=0)
            ops = out.count_ops()
            assert ops.get("swap", 0) == 0, f"{device} {name}: Qiskit added {ops.get('swap')} SWAPs"
            assert sum(1 for inst in out.data if len(inst.qubits) == 2) == twoq
            record(f"route no-swap {device}", name, 0.0)


def test_two_qubit_count_vs_qiskit(bindir, tmp_path):
    """Qiskit's random_circuit(20, 20, max_operands=2, seed=s), s = 0..19, routed to Heron's
    heavy-hex map in {rz, sx, x, cz}: the sum of qpeft's cz counts is at most 1.2x the sum of
    Qiskit's transpile at optimization_level=1."""
    cm = fake_backend("ibm_heron").coupling_map
    ours = theirs = swaps = 0
    rows = []
    for s in range(20):
        qc = random_circuit(20, 20, max_operands=2, seed=s)
        src = tmp_path / f"rc{s}.qasm"
        src.write_text(qasm3.dumps(qc))
        _, twoq, sw = qpeft_export(bindir, src, "--device", "ibm_heron", "--seed", str(s))
        ref = transpile(qc, coupling_map=cm, basis_gates=BASIS["ibm_heron"], optimization_level=1, seed_transpiler=s)
        q = ref.count_ops().get("cz", 0)
        rows.append((s, twoq, sw, q))
        ours, theirs, swaps = ours + twoq, theirs + q, swaps + sw
    ratio = ours / theirs
    print(f"\nrandom_circuit(20, 20) on ibm_heron: qpeft {ours} cz ({swaps} SWAPs), Qiskit O1 {theirs} cz, ratio {ratio:.3f}")
    for s, a, sw, b in rows:
        print(f"  seed {s:2d}: qpeft {a:5d} cz ({sw:3d} SWAPs)  qiskit {b:5d} cz")
    (tmp_path / "route_vs_qiskit.json").write_text(json.dumps({"qpeft": ours, "qiskit_o1": theirs, "swaps": swaps, "rows": rows}))
    record("route cz ratio qpeft/qiskit-O1", "sum of 20", ratio)
    assert ratio <= 1.2, f"qpeft {ours} two-qubit gates vs Qiskit's {theirs}: ratio {ratio:.3f} > 1.2"


@pytest.mark.parametrize("basis", ["auto", "heron"])
def test_adapter_whole_qiskit(bindir, corpus_dir, tmp_path, basis):
    """`--adapter --whole`: each factor is one circuit on ceil(log2 N) qubits whose Operator's
    first K columns are the trained factor's (zero below row N): exactly (1e-12, phase
    included) with --basis auto, up to a global phase in Heron's basis."""
    expect = json.loads((corpus_dir / "adapter_whole_expect.json").read_text())
    out = tmp_path / "whole"
    r = subprocess.run([str(bindir / "qpeft"), "export", "--adapter", str(corpus_dir / "adapter_whole"), "--whole",
                        "--target", "qasm3", "--basis", basis, "-o", str(out)], check=True, capture_output=True, text=True)
    assert "classical" not in r.stderr
    for name, e in expect.items():
        qc = qasm3.loads((out / f"{name}.qasm").read_text())
        n, k = e["dim"], e["rank"]
        assert qc.num_qubits == (n - 1).bit_length()
        assert not qc.parameters
        u = Operator(qc).data
        want = np.zeros((1 << qc.num_qubits, k))
        want[:n] = np.array(e["columns"]).reshape(n, k)
        if basis == "auto":
            assert_close("adapter whole qiskit (exact)", name, want, u[:, :k], phase=0.0, tol=1e-12)
        else:
            assert_close("adapter whole qiskit heron", name, want, u[:, :k], tol=1e-10)
