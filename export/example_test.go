package export_test

import (
	"fmt"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/export"
)

// A parameterised circuit translated to IBM Heron's basis and written as OpenQASM 3 with
// its angle as a run-time input.
func ExampleExport() {
	c := circuit.New(2).H(0).CX(0, 1).RY("theta", 1)
	p, err := export.Export(c, export.QASM3, export.Options{Basis: "heron"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(p.Text))
	fmt.Println("inputs:", p.Inputs)
	// Output:
	// OPENQASM 3.0;
	// include "stdgates.inc";
	// input float[64] theta;
	// qubit[2] q;
	// rz(pi/2) q[0];
	// sx q[0];
	// rz(pi/2) q[0];
	// rz(pi/2) q[1];
	// sx q[1];
	// rz(pi/2) q[1];
	// cz q[0], q[1];
	// rz(pi) q[1];
	// sx q[1];
	// rz(theta - (pi/2)) q[1];
	// sx q[1];
	// rz(pi) q[1];
	// inputs: [{theta theta}]
}

// A chain of CZ gates exported for IBM Heron: routed onto the heavy-hex map (a path of the
// lattice holds it, so no SWAP), in Heron's basis, with the layout recorded.
func ExampleProgram_Stats() {
	c := circuit.New(5)
	for q := 0; q+1 < 5; q++ {
		c.RY(0.3, q).CZ(q, q+1)
	}
	p, err := export.Export(c, export.QASM3, export.Options{Device: "ibm_heron"})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := p.Stats()
	fmt.Println(s.Qubits, "qubits,", s.TwoQubitGates, "two-qubit gates,", s.Swaps, "SWAPs, layout", p.Routing.Layout)
	// Output: 156 qubits, 4 two-qubit gates, 0 SWAPs, layout embedding
}
