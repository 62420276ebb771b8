"""The reverse direction: circuits that Qiskit writes with qasm2.dumps and qasm3.dumps parse
in qpeft's qasm package and simulate (package sim) to Qiskit's Statevector, up to the global
phase (OpenQASM 2 has none, and Qiskit's u3 omits stdgates.inc's)."""

import json
import subprocess

import numpy as np
import pytest
from qiskit import QuantumCircuit, qasm2, qasm3
from qiskit.circuit.library import QFTGate, efficient_su2, real_amplitudes
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import Statevector

from conftest import assert_close


def qiskit_circuits():
    out = {}
    for seed in range(8):
        n = 2 + seed % 4
        out[f"random_{seed}"] = random_circuit(n, 6, max_operands=3, seed=seed)
    qft = QuantumCircuit(4)
    qft.h(range(4))
    qft.append(QFTGate(4), range(4))
    out["qft4"] = qft
    rng = np.random.default_rng(5)
    for name, ans in (("efficient_su2", efficient_su2(3, reps=2)), ("real_amplitudes", real_amplitudes(4, reps=2))):
        out[name] = ans.assign_parameters(rng.uniform(-np.pi, np.pi, ans.num_parameters))
    return out


CIRCUITS = qiskit_circuits()


@pytest.mark.parametrize("version", [2, 3])
def test_reverse(bindir, tmp_path, version):
    files = {}
    for name, qc in CIRCUITS.items():
        text = qasm2.dumps(qc.decompose(reps=2) if version == 2 else qc) if version == 2 else qasm3.dumps(qc)
        path = tmp_path / f"{name}.qasm"
        path.write_text(text)
        files[str(path)] = name
    res = subprocess.run([str(bindir / "gen"), "simulate", *files], check=True, capture_output=True, text=True)
    got = json.loads(res.stdout)
    for path, name in files.items():
        r = got[path]
        assert "error" not in r, f"{name} (OpenQASM {version}): qpeft could not read Qiskit's output: {r.get('error')}\n{open(path).read()}"
        ours = np.array([complex(a, b) for a, b in r["amplitudes"]])
        assert_close(f"reverse qasm{version} (qpeft reads Qiskit)", name, Statevector(CIRCUITS[name]).data, ours)
