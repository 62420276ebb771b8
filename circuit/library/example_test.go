package library_test

import (
	"fmt"

	"github.com/qpeft/qpeft/circuit/library"
	"github.com/qpeft/qpeft/sim"
)

// The QFT of |1⟩ on 2 qubits: amplitudes (1, i, −1, −i)/2.
func ExampleQFT() {
	c, _ := library.QFT(2)
	s, _ := sim.Run(c, sim.Options{Initial: mustBasis(2, 1)})
	for _, a := range s.State.Amplitudes() {
		fmt.Printf("%.2f ", a)
	}
	fmt.Println()
	// Output: (0.50+0.00i) (0.00+0.50i) (-0.50+0.00i) (-0.00-0.50i)
}

func mustBasis(n, i int) *sim.State {
	amps := make([]complex128, 1<<n)
	amps[i] = 1
	s, err := sim.FromAmplitudes(amps)
	if err != nil {
		panic(err)
	}
	return s
}
