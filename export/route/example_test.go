package route_test

import (
	"fmt"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/export/route"
)

// Route a triangle of CX gates onto a line of three qubits: one SWAP is needed, and the final
// permutation says where each logical qubit ends.
func ExampleRoute() {
	m, err := route.Parse([]byte(`[[0,1],[1,2]]`), "line.json")
	if err != nil {
		panic(err)
	}
	c := circuit.New(3).CX(0, 1).CX(1, 2).CX(0, 2)
	res, err := route.Route(c, m, route.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println("layout:", res.Layout, "swaps:", res.Swaps)
	for i := range res.Circuit.Ops {
		op := &res.Circuit.Ops[i]
		if !m.Coupled(op.Qubits[0], op.Qubits[1]) {
			fmt.Println("uncoupled", op.Name(), op.Qubits)
		}
	}
	fmt.Println("every gate on a coupled pair")
	// Output:
	// layout: sabre swaps: 1
	// every gate on a coupled pair
}

// The built-in maps of the devices that qpeft export names.
func ExampleBuiltin() {
	for _, name := range []string{"ibm_heron", "ibm_eagle", "rigetti_ankaa3", "ionq_aria"} {
		m, err := route.Builtin(name)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: %d qubits, %d coupled pairs, directed %v\n", name, m.Qubits, m.NumEdges(), m.Directed)
	}
	// Output:
	// ibm_heron: 156 qubits, 176 coupled pairs, directed true
	// ibm_eagle: 127 qubits, 144 coupled pairs, directed true
	// rigetti_ankaa3: 84 qubits, 149 coupled pairs, directed false
	// ionq_aria: 25 qubits, 300 coupled pairs, directed false
}
