package ansatz_test

import (
	"fmt"

	"github.com/qpeft/qpeft/peft/ansatz"
)

// The Pauli ansatz for a 1024-dimensional factor (10 qubits) with 2 entangling layers.
func ExamplePauli() {
	c, err := ansatz.Pauli(10, 2)
	if err != nil {
		panic(err)
	}
	p, _ := ansatz.PauliParams(10, 2)
	fmt.Println(len(c.Params), p, c.CountOps())
	// Output: 46 46 map[cz:18 ry:46]
}
