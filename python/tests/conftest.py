"""Fixtures of the qpeft_torch tests: the qpeft binary and the Go reference tool (torchref).

Both are taken from QPEFT_BIN / QPEFT_TORCHREF when set, else built with `go build` from this
repository. Without Go (and without the variables) the tests that need them skip, except under
CI=true, where they fail.
"""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
CI = os.environ.get("CI", "").lower() == "true"


def _missing(msg: str):
    if CI:
        pytest.fail(msg + " (CI=true: a missing tool fails)")
    pytest.skip(msg)


def _go_build(tmp_path_factory, pkg: str, name: str) -> str:
    go = shutil.which("go")
    if go is None:
        _missing(f"go is not on PATH to build {pkg}")
    out = str(tmp_path_factory.mktemp("bin") / name)
    p = subprocess.run([go, "build", "-o", out, pkg], cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        pytest.fail(f"go build {pkg}: {p.stderr}")
    return out


@pytest.fixture(scope="session")
def qpeft_bin(tmp_path_factory):
    path = os.environ.get("QPEFT_BIN") or _go_build(tmp_path_factory, "./cmd/qpeft", "qpeft")
    os.environ["QPEFT_BIN"] = path
    return path


@pytest.fixture(scope="session")
def torchref(tmp_path_factory):
    return os.environ.get("QPEFT_TORCHREF") or _go_build(tmp_path_factory, "./interop/torchref", "torchref")


def run(*args):
    p = subprocess.run(list(args), capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"{' '.join(args)}: exit {p.returncode}: {p.stderr}")
    return p.stdout
