// Package library builds standard circuits: the quantum Fourier transform and random-layered
// circuits, the workloads of the simulator benchmarks (qpeft bench, interop/bench), beside the
// Pauli ansatz of package peft/ansatz.
package library

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/qpeft/qpeft/circuit"
)

// QFT returns the textbook quantum Fourier transform on n qubits: for j = n−1 down to 0,
// H on j then CP(π/2^(j−k)) on (k, j) for k = j−1 down to 0, then swaps reversing the qubit
// order. Its unitary is the discrete Fourier transform, ⟨k|QFT|j⟩ = e^{2πi·jk/2^n}/√2^n
// (qubit 0 the least significant bit), with n(n+1)/2 + ⌊n/2⌋ gates.
func QFT(n int) (*circuit.Circuit, error) {
	if n < 1 {
		return nil, fmt.Errorf("library: the QFT needs at least 1 qubit, got %d", n)
	}
	c := circuit.New(n)
	for j := n - 1; j >= 0; j-- {
		c.H(j)
		for k := j - 1; k >= 0; k-- {
			c.CP(math.Pi/math.Exp2(float64(j-k)), k, j)
		}
	}
	for i := 0; i < n/2; i++ {
		c.Swap(i, n-1-i)
	}
	return c, nil
}

// RandomLayered returns a random-layered circuit of n qubits: layers times, on every qubit one
// of RX, RY, RZ (uniformly) with an angle uniform in [−π, π), then CX on ⌊n/2⌋ disjoint pairs
// of a random permutation of the qubits (control first). The same seed gives the same
// circuit. It has layers·(n + ⌊n/2⌋) gates, all complex except RY and CX.
func RandomLayered(n, layers int, seed uint64) (*circuit.Circuit, error) {
	if n < 1 {
		return nil, fmt.Errorf("library: a random-layered circuit needs at least 1 qubit, got %d", n)
	}
	if layers < 0 {
		return nil, fmt.Errorf("library: the number of layers must be ≥ 0, got %d", layers)
	}
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	c := circuit.New(n)
	for l := 0; l < layers; l++ {
		for q := 0; q < n; q++ {
			theta := (r.Float64()*2 - 1) * math.Pi
			switch r.IntN(3) {
			case 0:
				c.RX(theta, q)
			case 1:
				c.RY(theta, q)
			default:
				c.RZ(theta, q)
			}
		}
		perm := r.Perm(n)
		for i := 0; i+1 < n; i += 2 {
			c.CX(perm[i], perm[i+1])
		}
	}
	return c, nil
}
