package ortho

import (
	"fmt"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/peft/ansatz"
)

// Kind names a parameterisation of an orthogonal factor.
type Kind string

// The parameterisations.
const (
	// KindPauli is the Pauli ansatz (method.md §2) on power-of-two blocks, with the block
	// cosine–sine split for other dimensions.
	KindPauli Kind = "pauli"
	// KindTaylor is the truncated Lie-algebra map (method.md §4).
	KindTaylor Kind = "taylor"
	// KindCircuit is a user-supplied real circuit on n qubits, for dimension 2^n.
	KindCircuit Kind = "circuit"
)

// MaxLayers bounds the number of entangling layers of the Pauli ansatz.
const MaxLayers = 64

// Spec selects how a factor is built.
type Spec struct {
	// Kind is the parameterisation; "" means KindPauli.
	Kind Kind
	// Layers is L, the number of entangling layers of the Pauli ansatz.
	Layers int
	// Order is the truncation order of the Taylor map (default 8 when 0).
	Order int
	// CS is the parameterisation of the cosine–sine stages of non-power-of-two dimensions.
	CS CSMode
	// Circuit is the user's circuit for KindCircuit.
	Circuit *circuit.Circuit
	// Ansatz is the built-in family of the power-of-two blocks of KindPauli
	// (ansatz.FamilyPauli, FamilyGivens or FamilyAllToAll; "" means pauli).
	Ansatz string
	// Rotate appends to every power-of-two block of KindPauli the fixed rotation
	// ansatz.Rotation(qubits, RotationSeed(Seed, qubits)): U = R·Q(θ)·E_K, so that the
	// near-identity start does not sit on the coordinate axes.
	Rotate bool
	// Seed seeds the fixed rotations.
	Seed uint64
}

// RotationSeed is the seed of the fixed rotation of the blocks on the given number of
// qubits, derived from a run's seed: every block of one size gets the same rotation.
func RotationSeed(seed uint64, qubits int) uint64 {
	return seed ^ (uint64(qubits)+1)*0x9e3779b97f4a7c15
}

// Leaf returns the circuit of the power-of-two blocks on the given number of qubits the
// spec builds (KindPauli): the family's circuit, followed by the fixed rotation when Rotate
// is set.
func (s Spec) Leaf(qubits int) (*circuit.Circuit, error) {
	c, err := ansatz.Build(s.Ansatz, qubits, s.Layers)
	if err != nil {
		return nil, err
	}
	if s.Rotate {
		return ansatz.Rotated(c, RotationSeed(s.Seed, qubits))
	}
	return c, nil
}

func (s Spec) kind() Kind {
	if s.Kind == "" {
		return KindPauli
	}
	return s.Kind
}

func (s Spec) order() int {
	if s.Order == 0 {
		return 8
	}
	return s.Order
}

// Validate checks the spec on its own (dimension checks happen in New).
func (s Spec) Validate() error {
	switch s.kind() {
	case KindPauli:
		if s.Layers < 0 || s.Layers > MaxLayers {
			return fmt.Errorf("ortho: Pauli layers L = %d must be in 0..%d", s.Layers, MaxLayers)
		}
		if s.CS != CSWalsh && s.CS != CSFull {
			return fmt.Errorf("ortho: unknown cosine–sine mode %d", int(s.CS))
		}
		if s.Ansatz != "" && !ansatz.IsFamily(s.Ansatz) {
			return fmt.Errorf("ortho: unknown ansatz family %q (want %s)", s.Ansatz, strings.Join(ansatz.Families, ", "))
		}
	case KindTaylor:
		if s.Rotate || s.Ansatz != "" {
			return fmt.Errorf("ortho: the Taylor map has no circuit: an ansatz family or a rotated start does not apply")
		}
		if o := s.order(); o < 1 || o > MaxTaylorOrder {
			return fmt.Errorf("ortho: Taylor order %d must be in 1..%d", o, MaxTaylorOrder)
		}
	case KindCircuit:
		if s.Circuit == nil {
			return fmt.Errorf("ortho: a circuit factor needs a circuit")
		}
		if s.Rotate {
			return fmt.Errorf("ortho: the fixed rotation applies to the built-in ansätze; append fixed gates to a user circuit instead")
		}
		return ansatz.Check(s.Circuit)
	default:
		return fmt.Errorf("ortho: unknown parameterisation %q (want pauli, taylor or circuit)", s.Kind)
	}
	return nil
}

// New builds the N × K Stiefel factor the spec describes: for KindPauli the circuit of the
// spec's family ([Spec.Leaf]: Pauli by default, optionally followed by a fixed rotation) on
// log2 N qubits when N is a power of two and the block cosine–sine split otherwise (N = 1 is
// the 1 × 1 identity, no parameters); for KindTaylor the Taylor map; for KindCircuit the
// user's circuit, whose 2^n must equal N.
func New(n, k int, s Spec) (Stiefel, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if n < 1 || n > 1<<ansatz.MaxQubits {
		return nil, fmt.Errorf("ortho: dimension %d must be in 1..2^%d", n, ansatz.MaxQubits)
	}
	if k < 1 || k > n {
		return nil, fmt.Errorf("ortho: rank K = %d must be in 1..N = %d", k, n)
	}
	switch s.kind() {
	case KindTaylor:
		return NewTaylor(n, k, s.order())
	case KindCircuit:
		q := s.Circuit.NumQubits
		if 1<<q != n {
			return nil, fmt.Errorf("ortho: the ansatz circuit acts on %d qubits (dimension %d) but the factor has dimension %d; a user circuit needs exactly 2^n = N (use the pauli parameterisation for other dimensions)", q, 1<<q, n)
		}
		c, err := NewCircuit(s.Circuit)
		if err != nil {
			return nil, err
		}
		return FirstColumns(c, k), nil
	}
	progs := map[int]*Circuit{}
	leaf := func(qubits int) (Orthogonal, error) {
		if c, ok := progs[qubits]; ok {
			// Compiled programs are immutable: blocks of the same size share one.
			return &Circuit{c: c.c, prog: c.prog}, nil
		}
		lc, err := s.Leaf(qubits)
		if err != nil {
			return nil, err
		}
		c, err := NewCircuit(lc)
		if err != nil {
			return nil, err
		}
		progs[qubits] = c
		return c, nil
	}
	return NewStiefelFrom(n, k, leaf, s.CS)
}

// CountParams returns the number of parameters of the factor New(n, k, s) builds, without
// building it (cheap for any dimension).
func CountParams(n, k int, s Spec) (int, error) {
	if err := s.Validate(); err != nil {
		return 0, err
	}
	if n < 1 || k < 1 || k > n {
		return 0, fmt.Errorf("ortho: need 1 ≤ K ≤ N, got N = %d, K = %d", n, k)
	}
	switch s.kind() {
	case KindTaylor:
		return TaylorParams(n, k), nil
	case KindCircuit:
		if 1<<s.Circuit.NumQubits != n {
			return 0, fmt.Errorf("ortho: the ansatz circuit has dimension %d, not %d", 1<<s.Circuit.NumQubits, n)
		}
		return len(s.Circuit.Params), nil
	}
	lp := func(q int) int { p, _ := ansatz.Params(s.Ansatz, q, s.Layers); return p }
	return countStiefel(n, k, lp, s.CS), nil
}
