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
