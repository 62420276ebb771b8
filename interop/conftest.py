"""Shared fixtures of the interop suite.

The Go side (interop/gen) writes the corpus: every circuit with qpeft's exports and qpeft's
own simulation. The tests feed each export to the provider's SDK and compare. Binaries come
from $QPEFT_INTEROP_BIN (set by run.sh) or are built here with `go build`.
"""

import json
import os
import pathlib
import subprocess
import tempfile

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOL = 1e-9

_state = {}


def _build():
    bindir = os.environ.get("QPEFT_INTEROP_BIN")
    if not bindir:
        bindir = tempfile.mkdtemp(prefix="qpeft-interop-bin-")
        for pkg, name in (("./interop/gen", "gen"), ("./cmd/qpeft", "qpeft")):
            subprocess.run(["go", "build", "-o", os.path.join(bindir, name), pkg], cwd=ROOT, check=True)
    return pathlib.Path(bindir)


def _setup():
    if "corpus" in _state:
        return
    bindir = _build()
    corpus = pathlib.Path(tempfile.mkdtemp(prefix="qpeft-interop-corpus-"))
    subprocess.run([str(bindir / "gen"), "corpus", str(corpus)], check=True)
    names = json.loads((corpus / "index.json").read_text())
    cases = {n: json.loads((corpus / f"{n}.json").read_text()) for n in names}
    _state.update(bindir=bindir, corpus=corpus, cases=cases, names=names)


def cases():
    _setup()
    return _state["cases"]


def case_names():
    _setup()
    return _state["names"]


@pytest.fixture(scope="session")
def bindir():
    _setup()
    return _state["bindir"]


@pytest.fixture(scope="session")
def corpus_dir():
    _setup()
    return _state["corpus"]


def amplitudes(case):
    return np.array([complex(re, im) for re, im in case["amplitudes"]])


def unitary(case):
    if "unitary" not in case:
        return None
    return np.array([[complex(re, im) for re, im in row] for row in case["unitary"]])


# Largest difference seen per check, printed at the end of the run.
RESULTS = {}


def record(check, case_name, diff):
    n, worst, where = RESULTS.get(check, (0, 0.0, ""))
    if diff >= worst:
        worst, where = diff, case_name
    RESULTS[check] = (n + 1, worst, where)


def assert_close(check, case_name, ours, theirs, phase=None, tol=TOL):
    """ours = e^{i·phase}·theirs; phase None compares up to a fitted global phase."""
    ours = np.asarray(ours, dtype=complex)
    theirs = np.asarray(theirs, dtype=complex)
    assert ours.shape == theirs.shape, f"{check} {case_name}: shape {theirs.shape}, want {ours.shape}"
    if phase is None:
        s = np.vdot(theirs.ravel(), ours.ravel())
        theirs = theirs * (s / abs(s) if abs(s) > 0 else 1)
    else:
        theirs = theirs * np.exp(1j * phase)
    diff = float(np.max(np.abs(ours - theirs)))
    record(check, case_name, diff)
    assert diff <= tol, f"{check} {case_name}: max |difference| {diff:.3g} > {tol}"


def assert_probs_close(check, case_name, ours, theirs, tol=TOL):
    ours = np.abs(np.asarray(ours, dtype=complex)) ** 2
    theirs = np.asarray(theirs, dtype=float)
    diff = float(np.max(np.abs(ours - theirs)))
    record(check, case_name, diff)
    assert diff <= tol, f"{check} {case_name}: max |probability difference| {diff:.3g} > {tol}"


def reverse_bits(vec, n):
    """Reorder a big-endian state vector (qubit 0 = most significant bit) to little-endian."""
    idx = [int(format(i, f"0{n}b")[::-1], 2) if n > 0 else 0 for i in range(1 << n)]
    return np.asarray(vec)[idx]


def export_of(case, key):
    ex = case["exports"][key]
    if ex.get("error"):
        pytest.fail(f"{case['name']}: qpeft could not export to {key}: {ex['error']}")
    return ex


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    terminalreporter.section("interop agreement (checks, worst difference, where)")
    for check in sorted(RESULTS):
        n, worst, where = RESULTS[check]
        terminalreporter.write_line(f"{check:34s} {n:4d} checks  max diff {worst:.2e}  ({where})")
