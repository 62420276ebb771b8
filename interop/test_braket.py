"""Amazon Braket: the local simulator (amazon-braket-default-simulator through the SDK's
LocalSimulator) runs qpeft's braket.ir.openqasm.program documents, inputs included, and its
state vector and probabilities equal qpeft's. Braket orders qubits big-endian in its
results; the test reverses the bits."""

import json

import numpy as np
import pytest
from braket.devices import LocalSimulator
from braket.ir.openqasm import Program

from conftest import amplitudes, assert_close, assert_probs_close, case_names, cases, export_of, reverse_bits

_DEVICE = LocalSimulator("braket_sv")


def run(doc, result):
    prog = Program(**doc)
    prog = Program(source=prog.source + f"#pragma braket result {result}\n", inputs=prog.inputs)
    return _DEVICE.run(prog, shots=0).result().values[0]


@pytest.mark.parametrize("key", ["braket", "braket_verbatim"])
@pytest.mark.parametrize("name", case_names())
def test_braket(name, key):
    case = cases()[name]
    ex = export_of(case, key)
    doc = json.loads(ex["text"])
    assert doc["braketSchemaHeader"] == {"name": "braket.ir.openqasm.program", "version": "1"}
    assert set(doc.get("inputs") or {}) == {n for n, _ in ex["inputs"]}
    n = case["num_qubits"]
    sv = reverse_bits(np.asarray(run(doc, "state_vector")), n)
    assert_close(f"braket {key} state_vector", name, amplitudes(case), sv, phase=ex["phase"])
    probs = reverse_bits(np.asarray(run(doc, "probability")), n)
    assert_probs_close(f"braket {key} probability", name, amplitudes(case), probs)
    if key == "braket_verbatim":
        assert "#pragma braket verbatim" in doc["source"] and "qubit[" not in doc["source"]
