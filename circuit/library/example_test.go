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

// The held-out benchmark families: gate counts by kind.
func ExampleQAOARing() {
	q, _ := library.QAOARing(6, 2, 1)
	h, _ := library.HardwareEfficient(6, 2, 1)
	ct, _ := library.CliffordT(6, 4, 1)
	fmt.Println(q.CountOps()["rzz"], q.CountOps()["rx"], len(q.Ops))
	fmt.Println(h.CountOps()["cx"], len(h.Ops))
	fmt.Println(ct.CountOps()["cx"], len(ct.Ops))
	// Output:
	// 12 12 30
	// 10 46
	// 12 36
}
