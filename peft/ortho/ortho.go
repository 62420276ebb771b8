// Package ortho builds the orthogonal factors of Quantum-PEFT: maps from a parameter vector θ
// to a real orthogonal matrix Q(θ) ∈ O(N), or to its first K columns U = Q(θ)·E_K (a point of
// the Stiefel manifold), together with their vector-Jacobian products.
//
// Three constructions are provided:
//
//   - circuits (the Pauli ansatz of method.md §2 or any real user circuit) on n qubits for
//     N = 2^n, lowered by package lowering ([NewCircuit]);
//   - the block cosine–sine split of method.md §3 for any other N ([NewBlockCS]):
//     Q = diag(A1, A2)·CS(φ)·diag(B1, B2) with N1 the largest power of two below N, the
//     power-of-two blocks circuits and the remainder split again, recursively; exactly
//     orthogonal by construction;
//   - the truncated Taylor series of the Lie-algebra map of method.md §4 ([NewTaylor]), which
//     is only approximately orthogonal ([Deviation] measures by how much).
//
// [New] picks the construction from a [Spec]; [CountParams] gives the true parameter count of
// what New builds without building it.
//
// All matrices are row-major float64 slices; a block of m columns of dimension N is an N × m
// matrix. Shape mismatches are programmer errors and panic; everything a user can cause
// (a bad spec, a complex gate in a circuit) is an error.
package ortho

import (
	"fmt"
	"math"

	"github.com/qpeft/qpeft/circuit"
)

// Orthogonal is a parameterised real orthogonal matrix Q(θ) ∈ O(N) applied to blocks of
// vectors. Implementations are safe for concurrent use (they keep no per-call state).
type Orthogonal interface {
	// Dim returns N.
	Dim() int
	// NumParams returns len(θ).
	NumParams() int
	// Apply sets y = Q(θ)·x for x and y of shape N × m (row-major). x and y must not overlap.
	Apply(theta, x []float64, m int, y []float64) error
	// ApplyVJP runs the adjoint (reverse) pass of Apply without stored intermediates. On entry
	// y = Q(θ)·x is the output of Apply and ybar = ∂ℓ/∂y, both N × m; on return y holds the
	// input x = Q(θ)ᵀ·y and ybar holds ∂ℓ/∂x = Q(θ)ᵀ·ȳ, and ∂ℓ/∂θ has been added to dtheta.
	ApplyVJP(theta []float64, m int, y, ybar, dtheta []float64) error
}

// Stiefel is a parameterised N × K matrix U(θ) with orthonormal columns (exactly, or for
// [Taylor] approximately): the first K columns of an orthogonal factor.
type Stiefel interface {
	// Dim returns N.
	Dim() int
	// Rank returns K.
	Rank() int
	// NumParams returns len(θ): the number of parameters that influence U.
	NumParams() int
	// Columns writes U(θ) (N × K, row-major) into u.
	Columns(theta, u []float64) error
	// ColumnsVJP adds ∂ℓ/∂θ to dtheta, given u = U(θ) from Columns and ubar = ∂ℓ/∂U. It does
	// not modify u or ubar.
	ColumnsVJP(theta, u, ubar, dtheta []float64) error
}

// Block describes one leaf of a factor's construction: which parameters it owns, and the
// circuit that realises it, if any (for printing, saving and export).
type Block struct {
	// Path names the block's place in the construction, e.g. "A1", "A2.B1", "CS".
	Path string
	// Kind is "circuit", "cs-walsh", "cs-full", "taylor" or "identity".
	Kind string
	// Dim is the dimension the block acts on.
	Dim int
	// Offset and Params locate the block's parameters in θ: θ[Offset : Offset+Params].
	Offset, Params int
	// Circuit is the block's circuit (Kind "circuit"); it must not be modified.
	Circuit *circuit.Circuit
}

// Structured is implemented by factors that can list their leaf blocks.
type Structured interface {
	Blocks() []Block
}

// checkLen panics with a programmer-error message when a slice has the wrong length.
func checkLen(who, what string, have, want int) {
	if have != want {
		panic(fmt.Sprintf("ortho: %s: len(%s) = %d, want %d", who, what, have, want))
	}
}

// Deviation returns ‖UᵀU − I‖_F for an N × K row-major u: zero for exactly orthonormal
// columns.
func Deviation(u []float64, n, k int) float64 {
	checkLen("Deviation", "u", len(u), n*k)
	var s float64
	for a := 0; a < k; a++ {
		for b := a; b < k; b++ {
			var d float64
			for r := 0; r < n; r++ {
				d += u[r*k+a] * u[r*k+b]
			}
			if a == b {
				d -= 1
				s += d * d
			} else {
				s += 2 * d * d
			}
		}
	}
	return math.Sqrt(s)
}

// identity is the 0-parameter identity of O(N); the construction uses it for N = 1.
type identity struct{ n int }

// NewIdentity returns the identity map of dimension n with no parameters.
func NewIdentity(n int) Orthogonal {
	if n < 1 {
		panic(fmt.Sprintf("ortho: NewIdentity(%d)", n))
	}
	return identity{n}
}

func (id identity) Dim() int       { return id.n }
func (id identity) NumParams() int { return 0 }
func (id identity) Apply(theta, x []float64, m int, y []float64) error {
	checkLen("identity.Apply", "theta", len(theta), 0)
	checkLen("identity.Apply", "x", len(x), id.n*m)
	checkLen("identity.Apply", "y", len(y), id.n*m)
	copy(y, x)
	return nil
}
func (id identity) ApplyVJP(theta []float64, m int, y, ybar, dtheta []float64) error {
	checkLen("identity.ApplyVJP", "y", len(y), id.n*m)
	checkLen("identity.ApplyVJP", "ybar", len(ybar), id.n*m)
	return nil
}
func (id identity) Blocks() []Block {
	return []Block{{Kind: "identity", Dim: id.n}}
}

// columner is implemented by orthogonal factors with a faster path for their first K
// columns than Apply on E_K.
type columner interface {
	Columns(theta []float64, k int, u []float64) error
}

// firstColumns is the Stiefel map θ ↦ Q(θ)·E_K of an orthogonal factor.
type firstColumns struct {
	q Orthogonal
	k int
}

// FirstColumns returns the Stiefel map U(θ) = Q(θ)·E_K, the first k columns of q.
// It panics unless 1 ≤ k ≤ q.Dim().
func FirstColumns(q Orthogonal, k int) Stiefel {
	if k < 1 || k > q.Dim() {
		panic(fmt.Sprintf("ortho: FirstColumns: k = %d outside 1..%d", k, q.Dim()))
	}
	return &firstColumns{q: q, k: k}
}

func (f *firstColumns) Dim() int       { return f.q.Dim() }
func (f *firstColumns) Rank() int      { return f.k }
func (f *firstColumns) NumParams() int { return f.q.NumParams() }

func (f *firstColumns) Columns(theta, u []float64) error {
	n := f.q.Dim()
	checkLen("Columns", "u", len(u), n*f.k)
	if c, ok := f.q.(columner); ok {
		return c.Columns(theta, f.k, u)
	}
	return f.q.Apply(theta, basis(n, f.k), f.k, u)
}

func (f *firstColumns) ColumnsVJP(theta, u, ubar, dtheta []float64) error {
	n := f.q.Dim()
	checkLen("ColumnsVJP", "u", len(u), n*f.k)
	checkLen("ColumnsVJP", "ubar", len(ubar), n*f.k)
	checkLen("ColumnsVJP", "dtheta", len(dtheta), f.q.NumParams())
	if c, ok := f.q.(*Circuit); ok {
		return c.stiefelVJP(theta, f.k, u, ubar, dtheta)
	}
	y := append([]float64(nil), u...)
	yb := append([]float64(nil), ubar...)
	return f.q.ApplyVJP(theta, f.k, y, yb, dtheta)
}

func (f *firstColumns) Blocks() []Block {
	if s, ok := f.q.(Structured); ok {
		return s.Blocks()
	}
	return nil
}

// basis returns E_K: the first k columns of the n × n identity, row-major n × k.
func basis(n, k int) []float64 {
	e := make([]float64, n*k)
	for j := 0; j < k && j < n; j++ {
		e[j*k+j] = 1
	}
	return e
}
