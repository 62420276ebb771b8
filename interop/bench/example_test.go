package bench_test

import (
	"fmt"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/interop/bench"
)

// A circuit with a gate the peers lack (u) is translated into their gates before it is
// written for them.
func ExampleFromCircuit() {
	c := circuit.New(2)
	c.H(0).CX(0, 1).U(0.1, 0.2, 0.3, 1)
	f, translated, err := bench.FromCircuit(c, nil, "mine")
	if err != nil {
		panic(err)
	}
	fmt.Println(translated, f.Gates[0].Name, f.Gates[1].Name, len(f.Gates) > 3)
	// Output: true h cx true
}
