package ortho

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// WholeCircuit returns one circuit, with the angles θ bound, on ⌈log2 N⌉ qubits whose
// unitary W satisfies W·E_K = U(θ): its first K columns, restricted to the first N rows,
// are the factor's (and its other rows vanish on those columns). f is an [Orthogonal]
// (then K = N, the whole N×N block is Q(θ)) or a [Stiefel] map. Power-of-two factors are
// their circuit; a block cosine–sine factor Q = diag(A1, A2)·CS(φ)·diag(B1, I) becomes, with
// the top qubit selecting the block,
//
//   - B1 on the low qubits — uncontrolled when K ≤ N1, since then the inputs E_K lie in the
//     first block, and controlled on the top qubit being |0⟩ otherwise;
//   - CS(φ) as a uniformly controlled RY on the top qubit (angle φ_i when the low qubits hold
//     i < N2, 0 for N2 ≤ i < N1), decomposed into 2^m RY and CX gates in Gray-code order
//     (Möttönen, Vartiainen, Bergholm and Salomaa, "Quantum circuits for general multiqubit
//     gates", PRL 93, 130502, 2004), dropping zero angles and cancelling the CX pairs that
//     then meet;
//   - A1 controlled on the top qubit being |0⟩ and A2 (its own whole circuit, recursively, on
//     ⌈log2 N2⌉ low qubits) controlled on it being |1⟩.
//
// The first N basis states span an invariant subspace of every stage, which is the block
// embedding. Factors with Taylor blocks are not circuits and give an error.
func WholeCircuit(f any, theta []float64) (*circuit.Circuit, error) {
	switch f := f.(type) {
	case *Taylor:
		return nil, fmt.Errorf("ortho: a Taylor-series factor is not a circuit and has no whole-circuit export")
	case *firstColumns:
		return wholeOrth(f.q, theta, f.k)
	case *BlockCS:
		return wholeOrth(f, theta, f.k)
	case Orthogonal:
		return wholeOrth(f, theta, 0)
	}
	return nil, fmt.Errorf("ortho: WholeCircuit: %T is not a factor", f)
}

// qubitsFor returns ⌈log2 n⌉.
func qubitsFor(n int) int { return bits.Len(uint(n - 1)) }

// wholeOrth builds the circuit of o; k > 0 means only the first k columns must be exact.
func wholeOrth(o Orthogonal, theta []float64, k int) (*circuit.Circuit, error) {
	if len(theta) != o.NumParams() {
		return nil, fmt.Errorf("ortho: WholeCircuit: %d angles for a factor with %d", len(theta), o.NumParams())
	}
	switch o := o.(type) {
	case *Circuit:
		return o.c.BindVector(theta)
	case identity:
		return circuit.New(qubitsFor(o.n)), nil
	case *BlockCS:
		return o.whole(theta, k)
	}
	return nil, fmt.Errorf("ortho: WholeCircuit: a %T block is not a circuit", o)
}

func (b *BlockCS) whole(theta []float64, k int) (*circuit.Circuit, error) {
	m := Log2(b.n1)
	top := m
	out := circuit.New(m + 1)
	b1, err := wholeOrth(b.b1, b.part(theta, b.b1, b.offB1), 0)
	if err != nil {
		return nil, fmt.Errorf("block CS B1: %w", err)
	}
	if k > 0 && k <= b.n1 {
		if err := appendBlock(out, b1, -1, false); err != nil {
			return nil, err
		}
	} else if err := appendBlock(out, b1, top, false); err != nil {
		return nil, err
	}
	if b.b2 != nil {
		b2, err := wholeOrth(b.b2, b.part(theta, b.b2, b.offB2), 0)
		if err != nil {
			return nil, fmt.Errorf("block CS B2: %w", err)
		}
		if err := appendBlock(out, b2, top, true); err != nil {
			return nil, err
		}
	}
	phi := make([]float64, b.n1)
	copy(phi, b.angles(theta))
	if err := UniformlyControlledRY(out, phi, seqInts(m), top); err != nil {
		return nil, err
	}
	a1, err := wholeOrth(b.a1, b.part(theta, b.a1, b.offA1), 0)
	if err != nil {
		return nil, fmt.Errorf("block CS A1: %w", err)
	}
	if err := appendBlock(out, a1, top, false); err != nil {
		return nil, err
	}
	a2, err := wholeOrth(b.a2, b.part(theta, b.a2, b.offA2), 0)
	if err != nil {
		return nil, fmt.Errorf("block CS A2: %w", err)
	}
	if err := appendBlock(out, a2, top, true); err != nil {
		return nil, err
	}
	return out, nil
}

func seqInts(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// appendBlock appends the operations of blk (acting on qubits 0…) to out, controlled on
// qubit ctrl being |1⟩ (on1) or |0⟩ (an X before and after); ctrl < 0 appends them as they
// are.
func appendBlock(out, blk *circuit.Circuit, ctrl int, on1 bool) error {
	if len(blk.Ops) == 0 {
		return nil
	}
	x := circuit.Op{Kind: circuit.GateOp, Gate: gates.MustGet("x"), Qubits: []int{ctrl}}
	if ctrl >= 0 && !on1 {
		if err := out.Append(x); err != nil {
			return err
		}
	}
	for _, op := range blk.Ops {
		if op.Kind != circuit.GateOp || op.Cond != nil {
			return fmt.Errorf("ortho: whole circuit: the block holds a %s, not a gate", op.Name())
		}
		op.Args = append([]circuit.Expr(nil), op.Args...)
		if ctrl >= 0 {
			op.Qubits = append([]int{ctrl}, op.Qubits...)
			op.Ctrl++
		} else {
			op.Qubits = append([]int(nil), op.Qubits...)
		}
		op.Pos = circuit.Pos{}
		if err := out.Append(op); err != nil {
			return err
		}
	}
	if ctrl >= 0 && !on1 {
		return out.Append(x)
	}
	return nil
}

// UniformlyControlledRY appends to c the multiplexed rotation that applies RY(phi[i]) to
// target when the control qubits hold i (controls[j] is bit j of i; len(phi) must be
// 2^len(controls)), as 2^k RY and 2^k CX gates in Gray-code order (Möttönen et al. 2004):
// RY(α_j) then CX from the control whose bit changes between Gray codes g_j and g_{j+1},
// with α = 2^{−k}·Mᵀφ, M[i][j] = (−1)^{popcount(i & g_j)}. RY gates with a zero angle are
// left out and the CX gates that then meet (they all target the same qubit and commute)
// cancel in pairs.
func UniformlyControlledRY(c *circuit.Circuit, phi []float64, controls []int, target int) error {
	k := len(controls)
	n := 1 << k
	if len(phi) != n {
		return fmt.Errorf("ortho: uniformly controlled RY: %d angles for %d controls (want %d)", len(phi), k, n)
	}
	alpha := make([]float64, n)
	for j := 0; j < n; j++ {
		g := j ^ j>>1
		var s float64
		for i, f := range phi {
			if bits.OnesCount(uint(i&g))%2 == 0 {
				s += f
			} else {
				s -= f
			}
		}
		alpha[j] = s / float64(n)
	}
	pending := make([]bool, k) // CX parity per control since the last RY
	flush := func() {
		for b, on := range pending {
			if on {
				c.CX(controls[b], target)
				pending[b] = false
			}
		}
	}
	for j := 0; j < n; j++ {
		if math.Abs(alpha[j]) > 1e-15 {
			flush()
			c.RY(alpha[j], target)
		}
		if k == 0 {
			break
		}
		var b int
		if j == n-1 {
			b = k - 1
		} else {
			b = bits.TrailingZeros(uint(j + 1))
		}
		pending[b] = !pending[b]
	}
	flush()
	return nil
}
