// Package oracle is the one brute-force reference the tests compare against: for the circuit
// tests (sim, lowering, qasm, circuit/fuse, export), dense little-endian matrices of circuits
// built by the index formula, with no gate fusion, no kernels and no special cases, and a
// seeded random circuit generator over the whole gate vocabulary; for the adapter tests (peft,
// peft/ortho), plain real products, differences and central finite differences (real.go).
//
// It computes independently of the code it checks: a gate's matrix is taken from package
// gates (Gate.Matrix, itself checked against hand-written matrices in gates_test) with the
// angles evaluated by circuit.Op.Params; the controls of ctrl @ modifiers, the embedding into
// the 2^n space and every product are computed here. It imports only circuit and gates: never
// sim, lowering or circuit/fuse (internal/layering places it just above circuit, so that its
// test fails if it ever does). Tests only: it favours obviousness over speed.
package oracle

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// MaxQubits bounds Unitary (a 2^n × 2^n dense matrix).
const MaxQubits = 10

// Controlled returns the matrix of m (dimension 2^k) with nctrl controls on the low bits of
// the index: the identity unless all control bits are 1, then m on the high bits.
func Controlled(m []complex128, k, nctrl int) []complex128 {
	dk := 1 << k
	d := dk << nctrl
	ones := 1<<nctrl - 1
	out := make([]complex128, d*d)
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			switch {
			case r&ones == ones && c&ones == ones:
				out[r*d+c] = m[(r>>nctrl)*dk+c>>nctrl]
			case r == c:
				out[r*d+c] = 1
			}
		}
	}
	return out
}

// Matrix returns the matrix of a gate operation on its qubits (bit j of the index is
// op.Qubits[j]), controls included.
func Matrix(op *circuit.Op, env circuit.Env) ([]complex128, error) {
	if op.Kind != circuit.GateOp {
		return nil, fmt.Errorf("oracle: %s has no matrix", op.Name())
	}
	p, err := op.Params(env)
	if err != nil {
		return nil, fmt.Errorf("oracle: %s: %w", op.Name(), err)
	}
	m := op.Gate.Matrix(p...)
	if op.Ctrl > 0 {
		m = Controlled(m, op.Gate.Qubits, int(op.Ctrl))
	}
	return m, nil
}

// Embed returns the 2^n × 2^n matrix (row-major) of the matrix m acting on qubits (bit j of
// m's index is qubits[j]); with no qubits, m is 1 × 1 and the result is m[0]·I.
func Embed(n int, qubits []int, m []complex128) []complex128 {
	d := 1 << n
	full := make([]complex128, d*d)
	if len(qubits) == 0 {
		for i := 0; i < d; i++ {
			full[i*d+i] = m[0]
		}
		return full
	}
	k := len(qubits)
	mask := 0
	for _, q := range qubits {
		mask |= 1 << q
	}
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			if r&^mask != c&^mask {
				continue
			}
			lr, lc := 0, 0
			for j, q := range qubits {
				lr |= (r >> q & 1) << j
				lc |= (c >> q & 1) << j
			}
			full[r*d+c] = m[lr<<k+lc]
		}
	}
	return full
}

// ApplyColumns returns E·X for E = Embed(n, qubits, m) without forming E, where X is a
// 2^n × K matrix (row-major): row r of the result sums, over the 2^k rows r' that agree with
// r off the qubits, E[r][r']·X[r'].
func ApplyColumns(x []complex128, K int, m []complex128, qubits []int) []complex128 {
	out := make([]complex128, len(x))
	if len(qubits) == 0 {
		for i, v := range x {
			out[i] = m[0] * v
		}
		return out
	}
	d := len(x) / K
	k := len(qubits)
	mask := 0
	for _, q := range qubits {
		mask |= 1 << q
	}
	for r := 0; r < d; r++ {
		lr := 0
		for j, q := range qubits {
			lr |= (r >> q & 1) << j
		}
		for lc := 0; lc < 1<<k; lc++ {
			v := m[lr<<k+lc]
			if v == 0 {
				continue
			}
			c := r &^ mask
			for j, q := range qubits {
				c |= (lc >> j & 1) << q
			}
			for b := 0; b < K; b++ {
				out[r*K+b] += v * x[c*K+b]
			}
		}
	}
	return out
}

// Apply returns m (on qubits, qubits[j] = bit j of m's index) applied to the state v.
func Apply(v, m []complex128, qubits []int) []complex128 { return ApplyColumns(v, 1, m, qubits) }

// Columns returns U·X0 for the unitary U of the circuit bound by env, applied operation by
// operation, where X0 is the first K columns of the identity (or x0, 2^n × K row-major, when
// it is not nil; x0 is not modified). Barriers are skipped; any other non-gate operation is
// an error.
func Columns(c *circuit.Circuit, env circuit.Env, K int, x0 []complex128) ([]complex128, error) {
	d := 1 << c.NumQubits
	x := append([]complex128(nil), x0...)
	if x0 == nil {
		x = make([]complex128, d*K)
		for j := 0; j < K; j++ {
			x[j*K+j] = 1
		}
	}
	err := eachGate(c, env, func(m []complex128, qubits []int) { x = ApplyColumns(x, K, m, qubits) })
	if err != nil {
		return nil, err
	}
	return x, nil
}

// eachGate calls apply with the matrix and qubits of every operation of c under env, in
// order. Barriers are skipped; any other non-gate operation is an error.
func eachGate(c *circuit.Circuit, env circuit.Env, apply func(m []complex128, qubits []int)) error {
	for i := range c.Ops {
		op := &c.Ops[i]
		switch {
		case op.Kind == circuit.Barrier:
			continue
		case !op.IsUnitary():
			return fmt.Errorf("oracle: operation %d (%s) is not unitary", i, op.Name())
		}
		m, err := Matrix(op, env)
		if err != nil {
			return fmt.Errorf("oracle: operation %d: %w", i, err)
		}
		apply(m, op.Qubits)
	}
	return nil
}

// Unitary returns the 2^n × 2^n matrix (row-major) of a unitary circuit under env.
func Unitary(c *circuit.Circuit, env circuit.Env) ([]complex128, error) {
	if n := c.NumQubits; n > MaxQubits {
		return nil, fmt.Errorf("oracle: %d qubits exceed %d", n, MaxQubits)
	}
	return Columns(c, env, 1<<c.NumQubits, nil)
}

// Product returns the unitary of a circuit as the literal product of every operation's
// embedded 2^n × 2^n matrix (Embed, MatMul): the slowest and plainest form, for small n.
func Product(c *circuit.Circuit, env circuit.Env) ([]complex128, error) {
	n := c.NumQubits
	if n > MaxQubits {
		return nil, fmt.Errorf("oracle: %d qubits exceed %d", n, MaxQubits)
	}
	d := 1 << n
	u := Identity(d)
	err := eachGate(c, env, func(m []complex128, qubits []int) { u = MatMul(Embed(n, qubits, m), u, d, d, d) })
	if err != nil {
		return nil, err
	}
	return u, nil
}

// State returns the circuit's output state from |0…0⟩.
func State(c *circuit.Circuit, env circuit.Env) ([]complex128, error) {
	return Columns(c, env, 1, nil)
}

// MatMul returns the n × m product of a (n × k) and b (k × m), all row-major.
func MatMul(a, b []complex128, n, k, m int) []complex128 {
	out := make([]complex128, n*m)
	for i := 0; i < n; i++ {
		for l := 0; l < k; l++ {
			v := a[i*k+l]
			if v == 0 {
				continue
			}
			for j := 0; j < m; j++ {
				out[i*m+j] += v * b[l*m+j]
			}
		}
	}
	return out
}

// Kron returns a ⊗ b (a on the high bits of the index) for square a (da × da) and b (db × db).
func Kron(a []complex128, da int, b []complex128, db int) []complex128 {
	n := da * db
	out := make([]complex128, n*n)
	for i := 0; i < da; i++ {
		for j := 0; j < da; j++ {
			for k := 0; k < db; k++ {
				for l := 0; l < db; l++ {
					out[(i*db+k)*n+j*db+l] = a[i*da+j] * b[k*db+l]
				}
			}
		}
	}
	return out
}

// Identity returns the d × d identity.
func Identity(d int) []complex128 {
	u := make([]complex128, d*d)
	for i := 0; i < d; i++ {
		u[i*d+i] = 1
	}
	return u
}

// Adjoint returns the conjugate transpose of the d × d matrix a.
func Adjoint(a []complex128, d int) []complex128 {
	out := make([]complex128, d*d)
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			out[c*d+r] = cmplx.Conj(a[r*d+c])
		}
	}
	return out
}

// Transpose returns the transpose of the d × d matrix a.
func Transpose(a []complex128, d int) []complex128 {
	out := make([]complex128, d*d)
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			out[c*d+r] = a[r*d+c]
		}
	}
	return out
}

// MaxDiff returns max |a_i − b_i|, or +Inf when the lengths differ.
func MaxDiff(a, b []complex128) float64 {
	return maxDist(a, b, func(x, y complex128) float64 { return cmplx.Abs(x - y) })
}

// maxDist returns max dist(a_i, b_i) (0 for empty slices), or +Inf when the lengths differ.
func maxDist[T any](a, b []T, dist func(x, y T) float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	m := 0.0
	for i := range a {
		m = math.Max(m, dist(a[i], b[i]))
	}
	return m
}

// PhaseDiff returns min over global phases γ of max |a_i − e^{iγ} b_i|, with γ fitted by
// least squares, or +Inf when the lengths differ.
func PhaseDiff(a, b []complex128) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var s complex128
	for i := range a {
		s += cmplx.Conj(b[i]) * a[i]
	}
	ph := complex(1, 0)
	if cmplx.Abs(s) > 0 {
		ph = s / complex(cmplx.Abs(s), 0)
	}
	m := 0.0
	for i := range a {
		m = math.Max(m, cmplx.Abs(a[i]-ph*b[i]))
	}
	return m
}

// Scale returns e^{iγ}·a.
func Scale(a []complex128, gamma float64) []complex128 {
	p := cmplx.Exp(complex(0, gamma))
	out := make([]complex128, len(a))
	for i, v := range a {
		out[i] = p * v
	}
	return out
}

// Options steer RandomCircuit.
type Options struct {
	// Symbolic makes some angles parameter expressions (p0, p1, … with affine maps).
	Symbolic bool
	// MaxCtrl is the largest number of extra ctrl @ modifiers on one gate.
	MaxCtrl int
	// Gates restricts the vocabulary (nil means every gate).
	Gates []string
}

// RandomCircuit returns a seeded random unitary circuit of depth gates on n qubits.
func RandomCircuit(r *rand.Rand, n, depth int, o Options) *circuit.Circuit {
	c := circuit.New(n)
	var all []*gates.Gate
	if o.Gates == nil {
		all = gates.All()
	} else {
		for _, g := range o.Gates {
			all = append(all, gates.MustGet(g))
		}
	}
	nsym := 0
	for len(c.Ops) < depth {
		g := all[r.IntN(len(all))]
		ctrl := 0
		if o.MaxCtrl > 0 && r.IntN(3) == 0 {
			ctrl = 1 + r.IntN(o.MaxCtrl)
		}
		if g.Qubits+ctrl > n || (g.Qubits == 0 && ctrl == 0 && r.IntN(2) == 0) {
			continue
		}
		qs := r.Perm(n)[:g.Qubits+ctrl]
		args := make([]circuit.Expr, g.Params)
		for i := range args {
			v := (r.Float64()*2 - 1) * 2 * math.Pi
			if o.Symbolic && r.IntN(2) == 0 {
				name := fmt.Sprintf("p%d", nsym%4)
				nsym++
				var e circuit.Expr = circuit.Param(name)
				switch r.IntN(4) {
				case 1:
					e = circuit.Mul(circuit.Num(2), e)
				case 2:
					e = circuit.Add(circuit.Div(e, circuit.Num(2)), circuit.Num(v))
				case 3:
					e = circuit.Neg{X: e}
				}
				args[i] = e
			} else {
				args[i] = circuit.Num(v)
			}
		}
		if err := c.Append(circuit.Op{Kind: circuit.GateOp, Gate: g, Ctrl: int32(ctrl), Qubits: qs, Args: args}); err != nil {
			panic(err)
		}
	}
	return c
}

// Env returns an environment with seeded random values for every parameter of c.
func Env(r *rand.Rand, c *circuit.Circuit) (circuit.Env, map[string]float64) {
	m := map[string]float64{}
	for _, p := range c.Params {
		m[p] = (r.Float64()*2 - 1) * 2 * math.Pi
	}
	return circuit.MapEnv(m), m
}
