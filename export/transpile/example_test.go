package transpile_test

import (
	"fmt"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/export/transpile"
)

// The Pauli ansatz's RY rotation on Rigetti's natives: the angle stays symbolic.
func ExampleTranslate() {
	c := circuit.New(2).RY("theta", 0).CZ(0, 1)
	res, err := transpile.Translate(c, transpile.Rigetti())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, op := range res.Circuit.Ops {
		fmt.Println(op.Name(), op.Args, op.Qubits)
	}
	fmt.Println("global phase:", res.GlobalPhase)
	// Output:
	// rx [pi/2] [0]
	// rz [theta] [0]
	// rx [-pi/2] [0]
	// cz [] [0 1]
	// global phase: 0.0
}
