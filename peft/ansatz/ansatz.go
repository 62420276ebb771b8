// Package ansatz builds the circuits that parameterise Quantum-PEFT's orthogonal factors.
//
// The headline ansatz is the Pauli circuit of method.md §2: RY on every qubit, then L layers of
// CZ brickwork (even pairs, then odd pairs), each CZ followed by RY on both qubits of its pair.
// It has exactly (2L+1)·n − 2L angles on n ≥ 1 qubits. The circuits are ordinary
// [circuit.Circuit] values with symbolic angles named theta[0], theta[1], … in application order,
// so they can be printed as OpenQASM, edited, simulated, lowered and exported like any other
// circuit.
//
// A user-written circuit can serve as an ansatz too, provided every operation is a real gate
// (ry, cry, cz, cx, x, z, h, swap, …); [Check] verifies that and reports the offending gate with
// its source position.
package ansatz

import (
	"fmt"

	"github.com/qpeft/qpeft/circuit"
)

// MaxQubits bounds the qubit count of an ansatz (an orthogonal factor of dimension 2^MaxQubits).
// Weight matrices of real models stay far below it.
const MaxQubits = 30

// ParamName returns the name of the i-th angle of the canonical ansätze: "theta[<i>]", so
// that OpenQASM 3 prints them as one input array (input array[float[64], P] theta).
func ParamName(i int) string { return fmt.Sprintf("theta[%d]", i) }

// PauliParams returns the number of angles of the Pauli ansatz on n qubits with L entangling
// layers: (2L+1)·n − 2L for n ≥ 1. It returns an error for n < 1 or L < 0.
func PauliParams(n, layers int) (int, error) {
	if n < 1 {
		return 0, fmt.Errorf("ansatz: the Pauli ansatz needs at least 1 qubit, got %d", n)
	}
	if layers < 0 {
		return 0, fmt.Errorf("ansatz: the number of layers must be ≥ 0, got %d", layers)
	}
	return (2*layers+1)*n - 2*layers, nil
}

// Pauli returns the canonical Pauli ansatz on n qubits with the given number of entangling
// layers (method.md §2):
//
//  1. RY on every qubit 0..n−1;
//  2. then, layers times: CZ on each even pair (0,1), (2,3), …, each followed by RY on both
//     qubits of the pair; then CZ on each odd pair (1,2), (3,4), …, each followed by RY on both
//     qubits of the pair.
//
// Its angles are the parameters theta[0] … theta[P−1] in application order, P = (2L+1)·n − 2L.
func Pauli(n, layers int) (*circuit.Circuit, error) {
	if _, err := PauliParams(n, layers); err != nil {
		return nil, err
	}
	if n > MaxQubits {
		return nil, fmt.Errorf("ansatz: %d qubits exceed the limit of %d (a %d-dimensional factor)", n, MaxQubits, 1<<MaxQubits)
	}
	return PauliCircuit(n, layers)
}

// PauliCircuit returns the circuit of the Pauli ansatz (as Pauli) without the adapter's
// qubit limit MaxQubits, for simulating and benchmarking the circuit itself at any size the
// simulator's memory check admits. It returns an error for n < 1 or L < 0.
func PauliCircuit(n, layers int) (*circuit.Circuit, error) {
	if _, err := PauliParams(n, layers); err != nil {
		return nil, err
	}
	c := circuit.New(n)
	k := 0
	ry := func(q int) {
		c.RY(circuit.Param(ParamName(k)), q)
		k++
	}
	for q := 0; q < n; q++ {
		ry(q)
	}
	for l := 0; l < layers; l++ {
		for _, start := range []int{0, 1} {
			for a := start; a+1 < n; a += 2 {
				c.CZ(a, a+1)
				ry(a)
				ry(a + 1)
			}
		}
	}
	return c, nil
}

// Check verifies that c can serve as an orthogonal factor: it has at least one qubit, at most
// MaxQubits, only unconditional gates (barriers allowed) and every gate is real. The error
// names the first offending operation and, for circuits read from OpenQASM, its file:line:col.
func Check(c *circuit.Circuit) error {
	if c == nil {
		return fmt.Errorf("ansatz: nil circuit")
	}
	if c.NumQubits < 1 {
		return fmt.Errorf("ansatz: the circuit has no qubits")
	}
	if c.NumQubits > MaxQubits {
		return fmt.Errorf("ansatz: %d qubits exceed the limit of %d", c.NumQubits, MaxQubits)
	}
	if err := c.CheckReal(); err != nil {
		return fmt.Errorf("ansatz: %w", err)
	}
	return nil
}
