"""A trained Quantum-PEFT adapter, exported with `qpeft export --adapter`: each U and V
circuit (trained angles bound), read by Qiskit, Braket and pyQuil, reproduces the factor's
first K columns as package peft computes them."""

import json
import subprocess

import numpy as np
import pytest
from qiskit import qasm3
from qiskit.quantum_info import Operator

from conftest import assert_close


@pytest.fixture(scope="module")
def expect(corpus_dir):
    return json.loads((corpus_dir / "adapter_expect.json").read_text())


def export(bindir, corpus_dir, tmp_path, *args):
    out = tmp_path / "out"
    subprocess.run([str(bindir / "qpeft"), "export", "--adapter", str(corpus_dir / "adapter"), "-o", str(out), *args],
                   check=True, capture_output=True, text=True)
    return out


@pytest.mark.parametrize("basis", ["", "heron", "eagle"])
def test_adapter_qiskit(bindir, corpus_dir, tmp_path, expect, basis):
    args = ["--target", "qasm3"] + (["--basis", basis] if basis else [])
    out = export(bindir, corpus_dir, tmp_path, *args)
    assert sorted(p.stem for p in out.glob("*.qasm")) == sorted(expect)
    for name, e in expect.items():
        qc = qasm3.loads((out / f"{name}.qasm").read_text())
        assert not qc.parameters, f"{name}: unbound parameters {qc.parameters}"
        u = Operator(qc).data
        n, k = 1 << e["num_qubits"], e["rank"]
        cols = np.array(e["columns"]).reshape(n, k)
        # The plain export is exact; a translation is exact up to its global phase.
        assert_close(f"adapter qiskit {basis or 'qasm3'}", name, cols, u[:, :k], phase=0.0 if not basis else None)


def test_adapter_braket_and_quil(bindir, corpus_dir, tmp_path, expect):
    from braket.devices import LocalSimulator
    from braket.ir.openqasm import Program as BraketProgram
    from pyquil import Program
    from pyquil.simulation.tools import program_unitary

    from conftest import reverse_bits

    out_b = export(bindir, corpus_dir, tmp_path / "b", "--target", "braket")
    out_q = export(bindir, corpus_dir, tmp_path / "q", "--target", "quil", "--basis", "rigetti")
    dev = LocalSimulator("braket_sv")
    for name, e in expect.items():
        n, k = 1 << e["num_qubits"], e["rank"]
        cols = np.array(e["columns"]).reshape(n, k)
        doc = json.loads((out_b / f"{name}.json").read_text())
        prog = BraketProgram(source=doc["source"] + "#pragma braket result state_vector\n")
        sv = reverse_bits(np.asarray(dev.run(prog, shots=0).result().values[0]), e["num_qubits"])
        assert_close("adapter braket column 0", name, cols[:, 0], sv, phase=0.0)
        u = program_unitary(Program((out_q / f"{name}.quil").read_text()), e["num_qubits"])
        assert_close("adapter pyquil rigetti", name, cols, u[:, :k])
