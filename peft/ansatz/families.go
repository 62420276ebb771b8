package ansatz

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/qpeft/qpeft/circuit"
)

// The built-in ansatz families ([Build]). Each is a circuit of real gates on n qubits with L
// entangling layers and angles theta[0] … theta[P−1] in application order.
const (
	// FamilyPauli is the canonical Pauli ansatz ([Pauli]).
	FamilyPauli = "pauli"
	// FamilyGivens is a Givens (reconfigurable beam splitter) ansatz ([Givens]).
	FamilyGivens = "givens"
	// FamilyAllToAll is RY layers with all-to-all CX entanglement ([AllToAll]).
	FamilyAllToAll = "alltoall"
)

// Families lists the built-in families in the order help texts show them.
var Families = []string{FamilyPauli, FamilyGivens, FamilyAllToAll}

// IsFamily reports whether name is a built-in family.
func IsFamily(name string) bool { return slices.Contains(Families, name) }

// Build returns the circuit of a built-in family on n qubits with the given number of
// entangling layers.
func Build(family string, n, layers int) (*circuit.Circuit, error) {
	switch family {
	case FamilyPauli, "":
		return Pauli(n, layers)
	case FamilyGivens:
		return Givens(n, layers)
	case FamilyAllToAll:
		return AllToAll(n, layers)
	}
	return nil, fmt.Errorf("ansatz: unknown family %q (want pauli, givens or alltoall)", family)
}

// Params returns the number of angles of a family's circuit on n qubits with L layers:
// Pauli (2L+1)·n − 2L, Givens (2L+1)·n − L, all-to-all (L+1)·n.
func Params(family string, n, layers int) (int, error) {
	if n < 1 {
		return 0, fmt.Errorf("ansatz: an ansatz needs at least 1 qubit, got %d", n)
	}
	if layers < 0 {
		return 0, fmt.Errorf("ansatz: the number of layers must be ≥ 0, got %d", layers)
	}
	switch family {
	case FamilyPauli, "":
		return PauliParams(n, layers)
	case FamilyGivens:
		return (2*layers+1)*n - layers, nil
	case FamilyAllToAll:
		return (layers + 1) * n, nil
	}
	return 0, fmt.Errorf("ansatz: unknown family %q (want pauli, givens or alltoall)", family)
}

func checkSize(family string, n, layers int) error {
	if _, err := Params(family, n, layers); err != nil {
		return err
	}
	if n > MaxQubits {
		return fmt.Errorf("ansatz: %d qubits exceed the limit of %d (a %d-dimensional factor)", n, MaxQubits, 1<<MaxQubits)
	}
	return nil
}

// GivensGate appends a Givens rotation by angle theta on qubits a and b: the rotation
// [[cos θ/2, −sin θ/2], [sin θ/2, cos θ/2]] of the two basis states |a=1, b=0⟩ and
// |a=0, b=1⟩ (in that order), the identity on |00⟩ and |11⟩ — a real two-qubit
// reconfigurable beam splitter, written as cx b→a; cry(θ) a→b; cx b→a.
func GivensGate(c *circuit.Circuit, theta any, a, b int) {
	c.CX(b, a)
	c.CRY(theta, a, b)
	c.CX(b, a)
}

// Givens returns the Givens ansatz on n qubits with L layers:
//
//  1. RY on every qubit 0..n−1;
//  2. then L times: a Givens rotation ([GivensGate]) on each even pair (0,1), (2,3), …, then
//     on each odd pair (1,2), (3,4), …, then RY on every qubit.
//
// It has (2L+1)·n − L angles, L fewer than the Pauli ansatz. Givens rotations alone
// conserve the number of ones of a basis state (|0⟩ would never move), so the RY layers
// are what reach the whole space.
func Givens(n, layers int) (*circuit.Circuit, error) {
	if err := checkSize(FamilyGivens, n, layers); err != nil {
		return nil, err
	}
	c := circuit.New(n)
	k := 0
	next := func() circuit.Expr { e := circuit.Param(ParamName(k)); k++; return e }
	for q := 0; q < n; q++ {
		c.RY(next(), q)
	}
	for l := 0; l < layers; l++ {
		for _, start := range []int{0, 1} {
			for a := start; a+1 < n; a += 2 {
				GivensGate(c, next(), a, a+1)
			}
		}
		for q := 0; q < n; q++ {
			c.RY(next(), q)
		}
	}
	return c, nil
}

// AllToAll returns RY layers with all-to-all entanglement on n qubits with L layers, the
// circuit of Qiskit's RealAmplitudes(n, reps=L, entanglement="full"):
//
//  1. RY on every qubit 0..n−1;
//  2. then L times: CX from qubit i to qubit j for every pair i < j (i outer, j inner), then
//     RY on every qubit.
//
// It has (L+1)·n angles.
func AllToAll(n, layers int) (*circuit.Circuit, error) {
	if err := checkSize(FamilyAllToAll, n, layers); err != nil {
		return nil, err
	}
	c := circuit.New(n)
	k := 0
	ry := func(q int) { c.RY(circuit.Param(ParamName(k)), q); k++ }
	for q := 0; q < n; q++ {
		ry(q)
	}
	for l := 0; l < layers; l++ {
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				c.CX(i, j)
			}
		}
		for q := 0; q < n; q++ {
			ry(q)
		}
	}
	return c, nil
}

// RotationLayers is the depth of the fixed rotation of [Rotation].
const RotationLayers = 2

// Rotation returns a fixed real rotation of n qubits drawn from seed: the Pauli ansatz with
// [RotationLayers] layers and every angle bound to a constant uniform in [−π, π) (PCG
// seeded with seed). Appended to an ansatz (U = R·Q(θ)·E_K) it turns the coordinate axes
// the near-identity start sits on into directions spread over every coordinate, without
// adding a trainable parameter.
func Rotation(n int, seed uint64) (*circuit.Circuit, error) {
	c, err := Pauli(n, RotationLayers)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x726f746174696f6e))
	v := make([]float64, len(c.Params))
	for i := range v {
		v[i] = (2*rng.Float64() - 1) * math.Pi
	}
	return c.BindVector(v)
}

// Rotated returns c followed by [Rotation](c.NumQubits, seed): the same parameters, the
// unitary R·Q(θ).
func Rotated(c *circuit.Circuit, seed uint64) (*circuit.Circuit, error) {
	r, err := Rotation(c.NumQubits, seed)
	if err != nil {
		return nil, err
	}
	d := c.Clone()
	if err := d.Compose(r, nil, nil); err != nil {
		return nil, fmt.Errorf("ansatz: %w", err)
	}
	return d, nil
}
