package ortho_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/qpeft/qpeft/peft/ortho"
)

// The first 8 columns of an orthogonal 768 × 768 factor (DeBERTa's hidden size, not a power of
// two): the block cosine–sine split 768 = 512 + 256 with Pauli circuits (L = 2) on the blocks.
func ExampleNew() {
	s, err := ortho.New(768, 8, ortho.Spec{Layers: 2})
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	theta := make([]float64, s.NumParams())
	for i := range theta {
		theta[i] = rng.Float64()*4 - 2
	}
	u := make([]float64, 768*8)
	if err := s.Columns(theta, u); err != nil {
		panic(err)
	}
	fmt.Println("parameters:", s.NumParams())
	fmt.Println("‖UᵀU − I‖ < 1e-12:", ortho.Deviation(u, 768, 8) < 1e-12)
	for _, b := range s.(ortho.Structured).Blocks() {
		fmt.Printf("%-3s %-8s dim %3d params %2d\n", b.Path, b.Kind, b.Dim, b.Params)
	}
	// Output:
	// parameters: 127
	// ‖UᵀU − I‖ < 1e-12: true
	// B1  circuit  dim 512 params 41
	// CS  cs-walsh dim 768 params  9
	// A1  circuit  dim 512 params 41
	// A2  circuit  dim 256 params 36
}

// A factor of dimension 12 (not a power of two) as one circuit on 4 qubits: its first 12×2
// block is the factor's U.
func ExampleWholeCircuit() {
	s, err := ortho.NewStiefelFrom(12, 2, func(q int) (ortho.Orthogonal, error) { return ortho.NewPauli(q, 1) }, ortho.CSWalsh)
	if err != nil {
		panic(err)
	}
	theta := make([]float64, s.NumParams())
	for i := range theta {
		theta[i] = 0.1 * float64(i+1)
	}
	c, err := ortho.WholeCircuit(s, theta)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.NumQubits, "qubits,", len(c.Params), "unbound parameters")
	// Output: 4 qubits, 0 unbound parameters
}
