"""IonQ: qpeft's ionq.circuit.v0 JSON is valid against the documented format and, converted
back into a circuit with IonQ's own gate definitions (qiskit-ionq's GPIGate, GPI2Gate, MSGate
in turns; Qiskit's standard gates for the qis gateset), simulates to qpeft's state."""

import json
import pathlib

import jsonschema
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import (HGate, RXGate, RYGate, RZGate, SdgGate, SGate, SwapGate,
                                    SXdgGate, SXGate, TdgGate, TGate, XGate, YGate, ZGate)
from qiskit.quantum_info import Statevector
from qiskit_ionq import GPI2Gate, GPIGate, MSGate

from conftest import amplitudes, assert_close, case_names, cases, export_of

SCHEMA = json.loads((pathlib.Path(__file__).parent / "schemas" / "ionq.circuit.v0.schema.json").read_text())

QIS = {"x": XGate, "not": XGate, "cnot": XGate, "y": YGate, "z": ZGate, "h": HGate, "s": SGate,
       "si": SdgGate, "t": TGate, "ti": TdgGate, "v": SXGate, "vi": SXdgGate, "rx": RXGate,
       "ry": RYGate, "rz": RZGate, "swap": SwapGate}


def to_qiskit(doc):
    """Rebuild a Qiskit circuit from an ionq.circuit.v0 document."""
    qc = QuantumCircuit(doc["qubits"])
    for g in doc["circuit"]:
        name = g["gate"]
        if doc.get("gateset", "qis") == "native":
            if name == "gpi":
                qc.append(GPIGate(g["phase"]), [g["target"]])
            elif name == "gpi2":
                qc.append(GPI2Gate(g["phase"]), [g["target"]])
            elif name == "ms":
                qc.append(MSGate(g["phases"][0], g["phases"][1], g.get("angle", 0.25)), g["targets"])
            else:
                raise ValueError(f"not a native gate: {name}")
            continue
        gate = QIS[name](g["rotation"]) if "rotation" in g else QIS[name]()
        controls = g.get("controls", [g["control"]] if "control" in g else [])
        targets = g.get("targets", [g["target"]] if "target" in g else [])
        if controls:
            gate = gate.control(len(controls))
        qc.append(gate, controls + targets)
    return qc


@pytest.mark.parametrize("key", ["ionq_qis", "ionq_native"])
@pytest.mark.parametrize("name", case_names())
def test_ionq(name, key):
    case = cases()[name]
    ex = export_of(case, key)
    doc = json.loads(ex["text"])
    jsonschema.validate(doc, SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert doc["format"] == "ionq.circuit.v0"
    assert doc["gateset"] == ("native" if key == "ionq_native" else "qis")
    sv = Statevector(to_qiskit(doc)).data
    assert_close(f"ionq {doc['gateset']} (qiskit-ionq)", name, amplitudes(case), sv, phase=ex["phase"])


def test_schema_rejects_bad_documents():
    bad = [
        {"format": "ionq.circuit.v0", "gateset": "native", "qubits": 1, "circuit": [{"gate": "h", "target": 0}]},
        {"format": "ionq.circuit.v0", "gateset": "native", "qubits": 2,
         "circuit": [{"gate": "ms", "targets": [0, 1], "phases": [0, 0], "angle": 0.3}]},
        {"format": "ionq.circuit.v0", "gateset": "qis", "qubits": 1, "circuit": [{"gate": "rx", "target": 0}]},
        {"format": "ionq.circuit.v0", "qubits": 1, "circuit": [{"gate": "u3", "target": 0}]},
    ]
    for doc in bad:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(doc, SCHEMA)
