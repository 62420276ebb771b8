package printer_test

import (
	"os"

	"github.com/qpeft/qpeft/qasm/parser"
	"github.com/qpeft/qpeft/qasm/printer"
)

func Example() {
	src := []byte("OPENQASM 3.0;\nqubit[2] q;   // two qubits\nU(pi/2,0,pi) q[0];ctrl@U(pi,0,pi) q[0],q[1];\n")
	f, err := parser.ParseFile("messy.qasm", src, parser.ParseComments)
	if err != nil {
		panic(err)
	}
	printer.Fprint(os.Stdout, f)
	// Output:
	// OPENQASM 3.0;
	// qubit[2] q; // two qubits
	// U(pi/2, 0, pi) q[0];
	// ctrl @ U(pi, 0, pi) q[0], q[1];
}
