// Package library builds standard circuits: the quantum Fourier transform, random-layered
// circuits, QAOA on a ring, the hardware-efficient RY/RZ+CX ansatz and random Clifford+T
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

// QAOARing returns a QAOA circuit for MaxCut on the ring of n qubits: H on every qubit, then
// p rounds of RZZ(γ_r) on every edge (q, q+1 mod n) followed by RX(β_r) on every qubit, with
// γ_r uniform in [0, π) and β_r uniform in [0, π/2) drawn from seed (one pair per round, as a
// QAOA optimiser would set them). n = 2 has the single edge (0, 1). It has n + p·(edges + n)
// gates; the RZZ are diagonal and the RX complex.
func QAOARing(n, p int, seed uint64) (*circuit.Circuit, error) {
	if n < 2 {
		return nil, fmt.Errorf("library: a QAOA ring needs at least 2 qubits, got %d", n)
	}
	if p < 0 {
		return nil, fmt.Errorf("library: the number of QAOA rounds must be ≥ 0, got %d", p)
	}
	r := rand.New(rand.NewPCG(seed, 0x51a0a))
	c := circuit.New(n)
	c.H(rangeQubits(n)...)
	edges := n
	if n == 2 {
		edges = 1
	}
	for round := 0; round < p; round++ {
		gamma, beta := r.Float64()*math.Pi, r.Float64()*math.Pi/2
		for q := 0; q < edges; q++ {
			c.RZZ(gamma, q, (q+1)%n)
		}
		for q := 0; q < n; q++ {
			c.RX(beta, q)
		}
	}
	return c, nil
}

// HardwareEfficient returns the hardware-efficient ansatz of n qubits with the given number of
// entangling layers: each layer is RY then RZ on every qubit (angles uniform in [−π, π) from
// seed) followed by a ladder of CX (0,1), (1,2), …, (n−2,n−1); a final RY, RZ layer closes it.
// It has (layers+1)·2n + layers·(n−1) gates.
func HardwareEfficient(n, layers int, seed uint64) (*circuit.Circuit, error) {
	if n < 1 {
		return nil, fmt.Errorf("library: a hardware-efficient ansatz needs at least 1 qubit, got %d", n)
	}
	if layers < 0 {
		return nil, fmt.Errorf("library: the number of layers must be ≥ 0, got %d", layers)
	}
	r := rand.New(rand.NewPCG(seed, 0x4ea))
	c := circuit.New(n)
	rot := func() {
		for q := 0; q < n; q++ {
			c.RY((r.Float64()*2-1)*math.Pi, q)
			c.RZ((r.Float64()*2-1)*math.Pi, q)
		}
	}
	for l := 0; l < layers; l++ {
		rot()
		for q := 0; q+1 < n; q++ {
			c.CX(q, q+1)
		}
	}
	rot()
	return c, nil
}

// CliffordT returns a random Clifford+T circuit of n qubits: depth layers, each with one of
// H, S, T (uniformly) on every qubit, then CX on ⌊n/2⌋ disjoint pairs of a random
// permutation of the qubits. The same seed gives the same circuit; it has depth·(n + ⌊n/2⌋)
// gates (S and T are diagonal, H real).
func CliffordT(n, depth int, seed uint64) (*circuit.Circuit, error) {
	if n < 1 {
		return nil, fmt.Errorf("library: a Clifford+T circuit needs at least 1 qubit, got %d", n)
	}
	if depth < 0 {
		return nil, fmt.Errorf("library: the depth must be ≥ 0, got %d", depth)
	}
	r := rand.New(rand.NewPCG(seed, 0xc71f))
	c := circuit.New(n)
	for l := 0; l < depth; l++ {
		for q := 0; q < n; q++ {
			switch r.IntN(3) {
			case 0:
				c.H(q)
			case 1:
				c.S(q)
			default:
				c.T(q)
			}
		}
		perm := r.Perm(n)
		for i := 0; i+1 < n; i += 2 {
			c.CX(perm[i], perm[i+1])
		}
	}
	return c, nil
}

func rangeQubits(n int) []int {
	qs := make([]int, n)
	for i := range qs {
		qs[i] = i
	}
	return qs
}
