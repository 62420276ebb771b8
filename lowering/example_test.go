package lowering_test

import (
	"fmt"
	"math"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/lowering"
	"github.com/qpeft/qpeft/sim"
)

// A two-qubit RY/CZ adapter circuit: compile it once, take the first two columns of its
// orthogonal matrix, and back-propagate ℓ = U[0][0] to the angles.
func Example() {
	c := circuit.New(2).RY("a", 0).RY("b", 1).CZ(0, 1)
	p, err := lowering.CompileReal(c)
	if err != nil {
		panic(err)
	}
	fmt.Print(p)

	theta := []float64{math.Pi / 2, 0} // a, b in p.Params() order
	u, err := p.Stiefel(theta, 2)
	if err != nil {
		panic(err)
	}
	for i := 0; i < u.Rows(); i++ {
		fmt.Printf("% .4f % .4f\n", u.At(i, 0)+0, u.At(i, 1)+0)
	}

	ubar := &sim.RealBatch{Qubits: 2, B: 2, Data: make([]float64, 8)}
	ubar.Data[0] = 1 // ∂ℓ/∂U[0][0]
	grad, err := p.StiefelVJP(theta, u, ubar)
	if err != nil {
		panic(err)
	}
	fmt.Printf("∂ℓ/∂a = %.4f, ∂ℓ/∂b = %.4f\n", grad[0]+0, grad[1]+0)
	// Output:
	// program on 2 qubits (N = 4): 2 stages, 3 gates, 2 parameters
	// stage 0: kron on 2 qubits: q[0]: ry(a); q[1]: ry(b)
	// stage 1: diag on qubits [0 1]: cz q[0], q[1]
	//  0.7071 -0.7071
	//  0.7071  0.7071
	//  0.0000  0.0000
	//  0.0000  0.0000
	// ∂ℓ/∂a = -0.3536, ∂ℓ/∂b = 0.0000
}
