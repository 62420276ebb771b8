"""Writes the built-in IBM coupling maps of package export/route from qiskit-ibm-runtime's
offline fake backends (Apache-2.0; the snapshots of the devices' published configurations
that ship with the package), so that the committed JSON can be regenerated and checked:

    /work/venv/bin/python interop/coupling_maps.py export/route/maps

ibm_heron is FakeFez (Heron r2, 156 qubits, cz), ibm_eagle is FakeBrisbane (Eagle r3,
127 qubits, ecr). Edges are the directed pairs on which the backend's two-qubit gate is
defined, sorted.

rigetti_ankaa3 is not taken from a device snapshot: no public copy of Ankaa-3's instruction
set architecture (QCS) or Braket connectivity graph was found (searched: pyquil and qcs-sdk
test data, Braket SDK fixtures, qiskit-braket-provider). It is the documented lattice:
84 qubits in 7 rows of 12 on a square lattice with tunable couplers, numbered row-major,
each qubit coupled to its horizontal and vertical neighbours. A live device has dead qubits
and couplers: give its current map with --coupling-map.
"""

import json
import pathlib
import sys

import qiskit_ibm_runtime
from qiskit_ibm_runtime.fake_provider import FakeBrisbane, FakeFez

DEVICES = {
    "ibm_heron": (FakeFez, "cz", "Heron r2"),
    "ibm_eagle": (FakeBrisbane, "ecr", "Eagle r3"),
}


def coupling(name):
    cls, gate, family = DEVICES[name]
    backend = cls()
    edges = sorted([int(a), int(b)] for a, b in backend.target[gate].keys())
    return {
        "name": name,
        "qubits": backend.num_qubits,
        "directed": True,
        "gate": gate,
        "edges": edges,
        "source": (f"qiskit-ibm-runtime {qiskit_ibm_runtime.__version__} "
                   f"qiskit_ibm_runtime.fake_provider.{cls.__name__} ({backend.name}, IBM {family}), "
                   f"target['{gate}'] qubit pairs; written by interop/coupling_maps.py"),
        "license": "Apache-2.0 (qiskit-ibm-runtime)",
    }


def ankaa3():
    rows, cols = 7, 12
    edges = []
    for r in range(rows):
        for c in range(cols):
            q = r * cols + c
            if c + 1 < cols:
                edges.append([q, q + 1])
            if r + 1 < rows:
                edges.append([q, q + cols])
    return {
        "name": "rigetti_ankaa3",
        "qubits": rows * cols,
        "directed": False,
        "gate": "cz",
        "edges": sorted(edges),
        "source": ("Rigetti Ankaa-3 as documented (84 qubits, square lattice, 7 rows of 12, row-major "
                   "numbering); no public edge list was found, see interop/coupling_maps.py; "
                   "written by interop/coupling_maps.py"),
        "license": "generated (no third-party data)",
    }


def main(outdir):
    out = pathlib.Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for name in DEVICES:
        doc = coupling(name)
        text = json.dumps(doc, indent=None, separators=(",", ":"))
        (out / f"{name}.json").write_text(text + "\n")
        print(f"{name}: {doc['qubits']} qubits, {len(doc['edges'])} directed edges")
    doc = ankaa3()
    (out / "rigetti_ankaa3.json").write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"rigetti_ankaa3: {doc['qubits']} qubits, {len(doc['edges'])} edges")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "export/route/maps")
