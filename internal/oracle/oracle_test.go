package oracle

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

var (
	s2 = complex(1/math.Sqrt2, 0)
	h  = []complex128{s2, s2, s2, -s2}
	x  = []complex128{0, 1, 1, 0}
	i2 = []complex128{1, 0, 0, 1}
)

// The oracle's own building blocks against matrices written out by hand.
func TestHandWritten(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want []complex128
	}{
		// Control on the low bit: |c t⟩ is index c + 2t, so CX swaps indices 1 and 3.
		{"controlled X", Controlled(x, 1, 1), []complex128{1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0}},
		{"controlled phase", Controlled([]complex128{-1}, 0, 2), []complex128{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1}},
		{"H on the high qubit", Embed(2, []int{1}, h), Kron(h, 2, i2, 2)},
		{"H on the low qubit", Embed(2, []int{0}, h), Kron(i2, 2, h, 2)},
		{"global phase", Embed(1, nil, []complex128{1i}), []complex128{1i, 0, 0, 1i}},
		{"X on qubit 1 reversed operands", Embed(2, []int{1, 0}, Controlled(x, 1, 1)),
			[]complex128{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0}},
		{"product", MatMul(h, h, 2, 2, 2), []complex128{1, 0, 0, 1}},
		{"adjoint", Adjoint([]complex128{1, 2i, 3, 4}, 2), []complex128{1, 3, -2i, 4}},
		{"transpose", Transpose([]complex128{1, 2i, 3, 4}, 2), []complex128{1, 3, 2i, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.LessOrEqual(t, MaxDiff(tc.got, tc.want), 1e-15, "got %v", tc.got)
		})
	}
}

// Matrix adds controls itself; it agrees with package gates' own Controlled.
func TestMatrixControls(t *testing.T) {
	for _, g := range gates.All() {
		for ctrl := 0; ctrl <= 2; ctrl++ {
			args := make([]circuit.Expr, g.Params)
			p := make([]float64, g.Params)
			for i := range args {
				p[i] = 0.3 + float64(i)
				args[i] = circuit.Num(p[i])
			}
			qs := make([]int, g.Qubits+ctrl)
			for i := range qs {
				qs[i] = i
			}
			op := circuit.Op{Kind: circuit.GateOp, Gate: g, Ctrl: int32(ctrl), Qubits: qs, Args: args}
			m, err := Matrix(&op, nil)
			require.NoError(t, err, g.Name)
			want := g.Matrix(p...)
			if ctrl > 0 {
				want = gates.Controlled(want, g.Qubits, ctrl)
			}
			assert.Equal(t, want, m, "%s with %d controls", g.Name, ctrl)
		}
	}
}

// The three ways to get a circuit's action agree, and the result is unitary.
func TestUnitaryProductColumnsState(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 12 {
		n := 1 + trial%4
		c := RandomCircuit(r, n, 4*n+2, Options{Symbolic: true, MaxCtrl: 2})
		env, _ := Env(r, c)
		u, err := Unitary(c, env)
		require.NoError(t, err)
		p, err := Product(c, env)
		require.NoError(t, err)
		assert.LessOrEqual(t, MaxDiff(u, p), 1e-12, "trial %d: Unitary and Product", trial)
		d := 1 << n
		assert.LessOrEqual(t, MaxDiff(MatMul(Adjoint(u, d), u, d, d, d), Identity(d)), 1e-12, "trial %d: U†U", trial)
		st, err := State(c, env)
		require.NoError(t, err)
		first := make([]complex128, d)
		for i := range first {
			first[i] = u[i*d]
		}
		assert.LessOrEqual(t, MaxDiff(st, first), 1e-12, "trial %d: State", trial)
		v := make([]complex128, d)
		for i := range v {
			v[i] = complex(r.NormFloat64(), r.NormFloat64())
		}
		cols, err := Columns(c, env, 1, v)
		require.NoError(t, err)
		assert.LessOrEqual(t, MaxDiff(cols, MatMul(u, v, d, d, 1)), 1e-12, "trial %d: Columns", trial)
	}
}

func TestDiffs(t *testing.T) {
	a := []complex128{1, 2i, -3}
	assert.True(t, math.IsInf(MaxDiff(a, a[:2]), 1))
	assert.True(t, math.IsInf(PhaseDiff(a, a[:2]), 1))
	assert.Equal(t, 0.0, MaxDiff(a, a))
	assert.Greater(t, MaxDiff(Scale(a, 0.7), a), 0.5)
	assert.LessOrEqual(t, PhaseDiff(Scale(a, 0.7), a), 1e-15)
}

func TestErrors(t *testing.T) {
	_, err := Unitary(circuit.New(1).H(0).Measure(0, 0), nil)
	assert.ErrorContains(t, err, "is not unitary")
	_, err = Unitary(circuit.New(MaxQubits+1), nil)
	assert.ErrorContains(t, err, "exceed")
	_, err = Product(circuit.New(1).RY("theta", 0), nil)
	assert.ErrorContains(t, err, "theta")
}

func TestReal(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5, 6} // 2 × 3
	b := []float64{1, 0, 0, 1, 1, 1} // 3 × 2
	assert.Equal(t, []float64{4, 5, 10, 11}, MulReal(a, b, 2, 3, 2))
	bt := []float64{1, 0, 1, 0, 1, 1} // 2 × 3, the transpose of b
	assert.Equal(t, []float64{4, 5, 10, 11}, MulRealT(a, bt, 2, 3, 2))
	assert.Equal(t, 3.0, MaxAbsDiffReal([]float64{1, 2}, []float64{1, -1}))
	assert.True(t, math.IsInf(MaxAbsDiffReal(a, b[:2]), 1))
	assert.InDelta(t, 0.6, RelErr([]float64{3, 4}, []float64{3, 1}), 1e-15)
	assert.True(t, math.IsInf(RelErr(a, b[:2]), 1))
	p := []float64{0.5, -2}
	g := FiniteDiff(func() float64 { return p[0]*p[0]*p[0] + 3*p[1] }, p, 1e-5)
	assert.InDelta(t, 0.75, g[0], 1e-9)
	assert.InDelta(t, 3, g[1], 1e-9)
	assert.Equal(t, []float64{0.5, -2}, p, "p restored")
}
