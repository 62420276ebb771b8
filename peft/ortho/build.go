package ortho

import (
	"fmt"
	"math/bits"
)

// Leaf builds the orthogonal factor of a power-of-two block of dimension 2^qubits
// (qubits ≥ 1). The block construction calls it for every such block.
type Leaf func(qubits int) (Orthogonal, error)

// IsPow2 reports whether n is a power of two (n ≥ 1).
func IsPow2(n int) bool { return n >= 1 && n&(n-1) == 0 }

// Log2 returns log2(n) for a power of two n.
func Log2(n int) int { return bits.Len(uint(n)) - 1 }

// NewOrthogonalFrom builds a full factor Q(θ) ∈ O(n): the identity for n = 1, leaf(log2 n)
// for a power of two, and otherwise the block cosine–sine split with N1 = the largest power
// of two below n, A1 and B1 leaves, B2 = I and A2 built recursively for N2 (see [BlockCS]).
func NewOrthogonalFrom(n int, leaf Leaf, mode CSMode) (Orthogonal, error) {
	switch {
	case n < 1:
		return nil, fmt.Errorf("ortho: dimension %d must be ≥ 1", n)
	case n == 1:
		return NewIdentity(1), nil
	case IsPow2(n):
		return leaf(Log2(n))
	}
	b, err := blockCSFrom(n, 0, leaf, mode)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// NewStiefelFrom builds the first k columns of the factor NewOrthogonalFrom would build.
func NewStiefelFrom(n, k int, leaf Leaf, mode CSMode) (Stiefel, error) {
	if n < 1 {
		return nil, fmt.Errorf("ortho: dimension %d must be ≥ 1", n)
	}
	if k < 1 || k > n {
		return nil, fmt.Errorf("ortho: rank K = %d must be in 1..%d", k, n)
	}
	if IsPow2(n) {
		q, err := NewOrthogonalFrom(n, leaf, mode)
		if err != nil {
			return nil, err
		}
		return FirstColumns(q, k), nil
	}
	b, err := blockCSFrom(n, k, leaf, mode)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// blockCSFrom builds the block cosine–sine factor of a dimension n that is not a power of
// two (its first k columns; 0: all): leaves A1 and B1 of dimension N1, B2 = I and A2 built
// recursively for N2.
func blockCSFrom(n, k int, leaf Leaf, mode CSMode) (*BlockCS, error) {
	n1, n2 := Split(n)
	a1, err := leaf(Log2(n1))
	if err != nil {
		return nil, err
	}
	b1, err := leaf(Log2(n1))
	if err != nil {
		return nil, err
	}
	a2, err := NewOrthogonalFrom(n2, leaf, mode)
	if err != nil {
		return nil, err
	}
	return NewBlockCS(a1, a2, b1, nil, mode, k)
}

// countOrth mirrors NewOrthogonalFrom with leaf parameter counts given by leafParams.
func countOrth(n int, leafParams func(qubits int) int, mode CSMode) int {
	switch {
	case n == 1:
		return 0
	case IsPow2(n):
		return leafParams(Log2(n))
	}
	n1, n2 := Split(n)
	return 2*leafParams(Log2(n1)) + csParams(n2, mode) + countOrth(n2, leafParams, mode)
}

// countStiefel mirrors NewStiefelFrom (the same blocks as the full map: B2 is always I).
func countStiefel(n, k int, leafParams func(qubits int) int, mode CSMode) int {
	return countOrth(n, leafParams, mode)
}
