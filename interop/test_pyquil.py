"""Rigetti: pyQuil parses qpeft's Quil and its own gate definitions (program_unitary, built
from pyquil.simulation.matrices) reproduce qpeft's state and unitary; the rigetti
translation uses only RX(±π/2), RX(π), RZ and CZ."""

import math

import numpy as np
import pytest
from pyquil import Program
from pyquil.quilatom import MemoryReference, substitute
from pyquil.quilbase import Declare, Gate
from pyquil.simulation.tools import program_unitary

from conftest import amplitudes, assert_close, case_names, cases, export_of, unitary


def value(p, subst):
    """Evaluate a pyQuil parameter (number or expression) with memory substituted."""
    if isinstance(p, (int, float)):
        return float(p)
    v = complex(substitute(p, subst))
    assert abs(v.imag) < 1e-15, f"complex angle {v}"
    return v.real


def bound_unitary(text, memory_values, n):
    """Parse with pyQuil, bind the parameter memory, and return pyQuil's unitary."""
    prog = Program(text)
    declared = {ins.name: ins for ins in prog.instructions if isinstance(ins, Declare)}
    subst = {}
    for region, values in memory_values.items():
        assert region in declared, f"DECLARE {region} missing"
        assert declared[region].memory_size == len(values)
        for i, v in enumerate(values):
            subst[MemoryReference(region, i)] = v
    gates = Program()
    for ins in prog.instructions:
        if isinstance(ins, Declare):
            continue
        assert isinstance(ins, Gate), f"unexpected instruction {ins}"
        params = [value(p, subst) for p in ins.params]
        mods = [str(m) for m in ins.modifiers]
        k = mods.count("CONTROLLED")
        assert "FORKED" not in mods
        g = Gate(ins.name, params, ins.qubits[k:])
        c = k
        for m in reversed(mods):  # innermost modifier first
            if m == "DAGGER":
                g = g.dagger()
            else:
                c -= 1
                g = g.controlled(ins.qubits[c])
        gates += g
    return program_unitary(gates, n), prog


def memory_values(case, ex):
    """The DECLAREd array theta, from the export's [declared name, value] inputs."""
    names = [n for n, _ in ex["inputs"]]
    assert names == [f"theta[{i}]" for i in range(len(names))], names
    vals = [v for _, v in ex["inputs"]]
    return {"theta": vals} if vals else {}


@pytest.mark.parametrize("key", ["quil", "rigetti"])
@pytest.mark.parametrize("name", case_names())
def test_pyquil(name, key):
    case = cases()[name]
    ex = export_of(case, key)
    n = case["num_qubits"]
    u, prog = bound_unitary(ex["text"], memory_values(case, ex), n)
    assert_close(f"pyquil {key} state", name, amplitudes(case), u[:, 0], phase=ex["phase"])
    ref = unitary(case)
    if ref is not None:
        assert_close(f"pyquil {key} unitary", name, ref, u, phase=ex["phase"])
    if key == "rigetti":
        for ins in prog.instructions:
            if isinstance(ins, Declare):
                continue
            assert ins.name in ("RX", "RZ", "CZ") and not ins.modifiers, f"{name}: non-native {ins}"
            if ins.name == "RX":
                v = value(ins.params[0], {})
                assert any(abs(v - a) < 1e-12 for a in (math.pi / 2, -math.pi / 2, math.pi)), f"{name}: {ins}"
