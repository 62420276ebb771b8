package qasm_test

import (
	"fmt"
	"os"

	"github.com/qpeft/qpeft/qasm"
)

func ExampleParse() {
	src := []byte(`OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
qubit[2] q;
bit[2] c;
h q[0];
ctrl @ ry(theta) q[0], q[1];
c = measure q;
`)
	circ, err := qasm.Parse("ansatz.qasm", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(circ.NumQubits, "qubits, parameters", circ.Params)
	for _, op := range circ.Ops {
		fmt.Println(op.Pos, op.Name(), op.Qubits, op.Args)
	}
	// Output:
	// 2 qubits, parameters [theta]
	// ansatz.qasm:6:1 h [0] []
	// ansatz.qasm:7:1 cry [0 1] [theta]
	// ansatz.qasm:8:5 measure [0] []
	// ansatz.qasm:8:5 measure [1] []
}

func ExampleParse_errors() {
	_, err := qasm.Parse("bad.qasm", []byte("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[4];\nrzx(0.1) q[0], q[1];\ncx q[0];\nh q[5];\n"))
	fmt.Println(err)
	// Output:
	// bad.qasm:4:1: unknown gate rzx — did you mean rzz?
	// bad.qasm:5:1: wrong number of qubit arguments for cx: expected 2 qubits, got 1
	// bad.qasm:6:5: index 5 out of range for q[4] (valid indices are 0 to 3)
}

func ExamplePrint() {
	circ, _ := qasm.Parse("ghz.qasm", []byte("qubit[3] q; h q[0]; for int i in [0:1] { cx q[i], q[i + 1]; }"))
	qasm.Fprint(os.Stdout, circ, qasm.PrintOptions{Version: 2})
	// Output:
	// OPENQASM 2.0;
	// include "qelib1.inc";
	// qreg q[3];
	// h q[0];
	// cx q[0], q[1];
	// cx q[1], q[2];
}
