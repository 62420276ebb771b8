package lowering

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/internal/oracle"
	"github.com/qpeft/qpeft/sim"
)

const tol = 1e-12

// simColumns is the simulator's unitary: the first K columns from sim.Columns.
func simColumns(t testing.TB, c *circuit.Circuit, env circuit.Env, K int) []complex128 {
	t.Helper()
	b, err := sim.Columns(c, env, K)
	require.NoError(t, err)
	return b.Data
}

func TestDenseRealMatchesOracles(t *testing.T) {
	maxN := 10
	if testing.Short() {
		maxN = 8
	}
	for n := 1; n <= maxN; n++ {
		for seed := uint64(0); seed < 3; seed++ {
			r := rand.New(rand.NewPCG(seed, uint64(n)))
			syms := symNames(3)
			ops := 6 * n
			if n >= 9 {
				ops = 20
			}
			c := randCircuit(r, n, ops, realGates, syms, n >= 3)
			p, err := CompileReal(c)
			require.NoError(t, err)
			th := randTheta(r, len(p.Params()))
			env := c.Env(th)
			u, err := p.Dense(th)
			require.NoError(t, err)
			got := realToComplex(u.Data)
			N := 1 << n
			want := bruteColumns(t, c, env, N, nil)
			assert.LessOrEqual(t, maxAbsDiff(got, want), tol, "n=%d seed=%d: Dense vs brute force: max |Δ|", n, seed)
			assert.LessOrEqual(t, maxAbsDiff(got, simColumns(t, c, env, N)), tol, "n=%d seed=%d: Dense vs sim.Columns: max |Δ|", n, seed)
			ru, err := sim.RealUnitary(c, env)
			require.NoError(t, err)
			assert.LessOrEqual(t, maxAbsDiff(got, realToComplex(ru.Data)), tol, "n=%d seed=%d: Dense vs sim.RealUnitary: max |Δ|", n, seed)
			if n <= 5 {
				assert.LessOrEqual(t, maxAbsDiff(got, bruteDenseProduct(t, c, env)), tol, "n=%d seed=%d: Dense vs dense product: max |Δ|", n, seed)
			}
			// Stiefel columns are the first K columns.
			K := 1 + r.IntN(N)
			s, err := p.Stiefel(th, K)
			require.NoError(t, err)
			worst := 0.0
			for i := 0; i < N; i++ {
				for j := 0; j < K; j++ {
					worst = max(worst, math.Abs(s.At(i, j)-u.At(i, j)))
				}
			}
			assert.LessOrEqual(t, worst, tol, "n=%d: Stiefel(%d) vs the first columns of Dense", n, K)
		}
	}
}

func TestDenseComplexMatchesOracles(t *testing.T) {
	maxN := 10
	if testing.Short() {
		maxN = 7
	}
	for n := 1; n <= maxN; n++ {
		for seed := uint64(0); seed < 3; seed++ {
			r := rand.New(rand.NewPCG(seed+100, uint64(n)))
			syms := symNames(3)
			ops := 6 * n
			if n >= 9 {
				ops = 20
			}
			c := randCircuit(r, n, ops, complexGates, syms, true)
			p, err := Compile(c)
			require.NoError(t, err)
			th := randTheta(r, len(p.Params()))
			env := c.Env(th)
			u, err := p.Dense(th)
			require.NoError(t, err)
			N := 1 << n
			assert.LessOrEqual(t, maxAbsDiff(u.Data, bruteColumns(t, c, env, N, nil)), tol, "n=%d seed=%d: Dense vs brute force: max |Δ|\n%s", n, seed, p)
			assert.LessOrEqual(t, maxAbsDiff(u.Data, simColumns(t, c, env, N)), tol, "n=%d seed=%d: Dense vs sim.Columns: max |Δ|", n, seed)
			K := 1 + r.IntN(N)
			cols, err := p.Columns(th, K)
			require.NoError(t, err)
			worst := 0.0
			for i := 0; i < N; i++ {
				for j := 0; j < K; j++ {
					d := cols.At(i, j) - u.At(i, j)
					worst = max(worst, math.Abs(real(d))+math.Abs(imag(d)))
				}
			}
			assert.LessOrEqual(t, worst, tol, "n=%d: Columns(%d) vs the first columns of Dense", n, K)
		}
	}
}

func TestDenseMatchesItsubaki(t *testing.T) {
	maxN := 10
	if testing.Short() {
		maxN = 7
	}
	for n := 1; n <= maxN; n++ {
		r := rand.New(rand.NewPCG(7, uint64(n)))
		ops := 5 * n
		if n >= 9 {
			ops = 16
		}
		c := randCircuit(r, n, ops, itsubakiSet, symNames(2), false)
		p, err := Compile(c)
		require.NoError(t, err)
		th := randTheta(r, len(p.Params()))
		u, err := p.Dense(th)
		require.NoError(t, err)
		assert.LessOrEqual(t, maxAbsDiff(u.Data, itsubakiColumns(t, c, c.Env(th), 1<<n)), tol, "n=%d: Dense vs itsubaki/q: max |Δ|", n)
	}
}

// TestKronLiteral checks layered circuits (single-qubit layers and gates on adjacent qubit
// pairs) against literal Kronecker products of the layers' factors.
func TestKronLiteral(t *testing.T) {
	for n := 2; n <= 6; n++ {
		for L := 1; L <= 2; L++ {
			c := pauli(n, L)
			r := rand.New(rand.NewPCG(uint64(n), uint64(L)))
			th := randTheta(r, len(c.Params))
			env := c.Env(th)
			d := 1 << n
			// Build the reference layer by layer: consecutive single-qubit ops on distinct
			// qubits become one literal Kronecker product; cz(a, a+1) is I ⊗ CZ ⊗ I.
			want := oracle.Identity(d)
			var layer [][]complex128
			flush := func() {
				if layer != nil {
					want = denseMul(kronLayer(layer), want, d, d, d)
					layer = nil
				}
			}
			for i := range c.Ops {
				op := &c.Ops[i]
				m, err := op.Matrix(env)
				require.NoError(t, err)
				if len(op.Qubits) == 1 {
					q := op.Qubits[0]
					if layer != nil && layer[q] != nil {
						flush()
					}
					if layer == nil {
						layer = make([][]complex128, n)
					}
					layer[q] = m
					continue
				}
				flush()
				a, b := op.Qubits[0], op.Qubits[1]
				require.Equal(t, a+1, b, "pauli ansatz has a non-adjacent pair %v", op.Qubits)
				want = denseMul(kronAdjacent(n, a, m), want, d, d, d)
			}
			flush()
			p, err := CompileReal(c)
			require.NoError(t, err)
			u, err := p.Dense(th)
			require.NoError(t, err)
			assert.LessOrEqual(t, maxAbsDiff(realToComplex(u.Data), want), tol, "n=%d L=%d: Dense vs literal Kronecker products", n, L)
		}
	}
}

func TestStiefelOrthonormalDeep(t *testing.T) {
	n, depth, K := 12, 100, 64
	if testing.Short() {
		n, depth, K = 10, 40, 32
	}
	// depth layers of RY on every qubit and CZ on alternating pairs, plus random CX/SWAP/H.
	c := circuit.New(n)
	r := rand.New(rand.NewPCG(12, 100))
	k := 0
	for l := 0; l < depth; l++ {
		for q := 0; q < n; q++ {
			c.RY(circuit.Param(symNames(k + 1)[k]), q)
			k++
		}
		for a := l % 2; a+1 < n; a += 2 {
			c.CZ(a, a+1)
		}
		switch r.IntN(3) {
		case 0:
			c.CX(r.IntN(n/2), n/2+r.IntN(n/2))
		case 1:
			c.Swap(r.IntN(n/2), n/2+r.IntN(n/2))
		case 2:
			c.H(r.IntN(n))
		}
	}
	p, err := CompileReal(c)
	require.NoError(t, err)
	th := randTheta(r, len(p.Params()))
	u, err := p.Stiefel(th, K)
	require.NoError(t, err)
	N := 1 << n
	worst := 0.0
	for a := 0; a < K; a++ {
		for b := a; b < K; b++ {
			s := 0.0
			for i := 0; i < N; i++ {
				s += u.At(i, a) * u.At(i, b)
			}
			if a == b {
				s--
			}
			worst = math.Max(worst, math.Abs(s))
		}
	}
	assert.LessOrEqual(t, worst, tol, "n=%d depth=%d: max |UᵀU − I|", n, depth)
	t.Logf("n=%d depth=%d K=%d: %d stages, max |UᵀU − I| = %.2g", n, depth, K, len(p.Stages()), worst)
}

// TestApplyBatch checks the Kronecker program on random activation batches against the
// brute-force dense operator, and its transpose / inverse.
func TestApplyBatch(t *testing.T) {
	for n := 1; n <= 8; n++ {
		r := rand.New(rand.NewPCG(31, uint64(n)))
		N := 1 << n
		B := 1 + r.IntN(9)
		// Real.
		c := randCircuit(r, n, 8*n, realGates, symNames(4), n >= 3)
		p, err := CompileReal(c)
		require.NoError(t, err)
		th := randTheta(r, len(p.Params()))
		x, _ := sim.NewRealBatch(n, B)
		for i := range x.Data {
			x.Data[i] = r.NormFloat64()
		}
		y, err := p.Apply(th, x)
		require.NoError(t, err)
		want := bruteColumns(t, c, c.Env(th), B, realToComplex(x.Data))
		assert.LessOrEqual(t, maxAbsDiff(realToComplex(y.Data), want), tol, "n=%d real: Apply vs dense·X", n)
		// Qᵀ·X against the brute-force transpose.
		dense := bruteColumns(t, c, c.Env(th), N, nil)
		back, err := p.ApplyTranspose(th, x)
		require.NoError(t, err)
		wantT := make([]complex128, N*B)
		for i := 0; i < N; i++ {
			for b := 0; b < B; b++ {
				var s complex128
				for j := 0; j < N; j++ {
					s += dense[j*N+i] * complex(x.Data[j*B+b], 0)
				}
				wantT[i*B+b] = s
			}
		}
		assert.LessOrEqual(t, maxAbsDiff(realToComplex(back.Data), wantT), tol, "n=%d real: ApplyTranspose vs denseᵀ·X", n)
		// Complex.
		cc := randCircuit(r, n, 8*n, complexGates, symNames(4), true)
		pc, err := Compile(cc)
		require.NoError(t, err)
		thc := randTheta(r, len(pc.Params()))
		xc, _ := sim.NewBatch(n, B)
		for i := range xc.Data {
			xc.Data[i] = complex(r.NormFloat64(), r.NormFloat64())
		}
		yc, err := pc.Apply(thc, xc)
		require.NoError(t, err)
		assert.LessOrEqual(t, maxAbsDiff(yc.Data, bruteColumns(t, cc, cc.Env(thc), B, append([]complex128(nil), xc.Data...))), tol, "n=%d complex: Apply vs dense·X", n)
		dc := bruteColumns(t, cc, cc.Env(thc), N, nil)
		inv, err := pc.ApplyInverse(thc, xc)
		require.NoError(t, err)
		tr, err := pc.ApplyTranspose(thc, xc)
		require.NoError(t, err)
		wantInv := make([]complex128, N*B)
		wantTr := make([]complex128, N*B)
		for i := 0; i < N; i++ {
			for b := 0; b < B; b++ {
				var si, st complex128
				for j := 0; j < N; j++ {
					v := dc[j*N+i]
					si += complex(real(v), -imag(v)) * xc.Data[j*B+b]
					st += v * xc.Data[j*B+b]
				}
				wantInv[i*B+b], wantTr[i*B+b] = si, st
			}
		}
		assert.LessOrEqual(t, maxAbsDiff(inv.Data, wantInv), tol, "n=%d complex: ApplyInverse vs dense†·X", n)
		assert.LessOrEqual(t, maxAbsDiff(tr.Data, wantTr), tol, "n=%d complex: ApplyTranspose vs denseᵀ·X", n)
	}
}

func TestStageStructure(t *testing.T) {
	kinds := func(p *RealProgram) string {
		var s []string
		for _, st := range p.Stages() {
			s = append(s, st.Kind.String())
		}
		return strings.Join(s, ",")
	}
	cases := []struct {
		name  string
		build func() *circuit.Circuit
		want  string
	}{
		{"pauli L=1", func() *circuit.Circuit { return pauli(6, 1) }, "kron,diag,kron,diag,kron"},
		{"pauli L=2", func() *circuit.Circuit { return pauli(6, 2) }, "kron,diag,kron,diag,kron,diag,kron,diag,kron"},
		{"ry ry on one qubit fuse", func() *circuit.Circuit {
			return circuit.New(2).RY("a", 0).RY("b", 0).RY("c", 1)
		}, "kron"},
		{"permutations fuse", func() *circuit.Circuit {
			return circuit.New(3).CX(0, 1).Swap(1, 2).CCX(0, 1, 2).CX(2, 0)
		}, "perm"},
		{"x joins a permutation stage", func() *circuit.Circuit {
			return circuit.New(3).CX(0, 1).X(2).X(0)
		}, "perm"},
		{"diagonals fuse across disjoint kron", func() *circuit.Circuit {
			return circuit.New(4).CZ(0, 1).RY("a", 2).CZ(1, 2).Z(3).CZ(0, 3)
		}, "diag,kron,diag"},
		{"same-pair gates merge into one block", func() *circuit.Circuit {
			return circuit.New(2).CRY("a", 0, 1).RY("b", 1).CH(1, 0).CRY("c", 1, 0)
		}, "block"},
	}
	for _, tc := range cases {
		p, err := CompileReal(tc.build())
		require.NoError(t, err)
		assert.Equal(t, tc.want, kinds(p), "%s: stages\n%s", tc.name, p)
	}
	// Diagonal single-qubit gates join a diagonal stage when it is the nearest, and the
	// complex diagonal family (rz, cp, crz, p, t) fuses into one stage.
	c := circuit.New(3).CZ(0, 1).RZ("a", 0).CP("b", 1, 2).T(2).CRZ("c", 0, 2).P("d", 1)
	p, err := Compile(c)
	require.NoError(t, err)
	st := p.Stages()
	require.Len(t, st, 1, "diagonal family:\n%s", p)
	assert.Equal(t, DiagStage, st[0].Kind, "diagonal family:\n%s", p)
	assert.Len(t, st[0].Ops, 6, "diagonal family:\n%s", p)
}

func TestCompileErrors(t *testing.T) {
	// A complex gate in a real program names the gate and its position.
	c := circuit.New(2).RY("a", 0).CZ(0, 1).RY("b", 1)
	g, _ := circuit.ToExpr("c")
	require.NoError(t, c.Append(circuit.Op{Kind: circuit.GateOp, Gate: gates.MustGet("rz"), Qubits: []int{1}, Args: []circuit.Expr{g},
		Pos: circuit.NewPos("adapter.qasm", 7, 3)}))
	_, err := CompileReal(c)
	var nre *circuit.NotRealError
	require.True(t, errors.As(err, &nre), "CompileReal: %v", err)
	assert.Equal(t, "rz", nre.Gate)
	assert.Equal(t, 3, nre.Index)
	assert.ErrorContains(t, err, "adapter.qasm:7:3")
	assert.ErrorContains(t, err, "rz")
	_, err = Compile(c)
	assert.NoError(t, err, "Compile of a complex circuit")
	bad := []struct {
		name string
		c    *circuit.Circuit
		want string
	}{
		{"measure", circuit.New(1).H(0).Measure(0, 0), "not a unitary"},
		{"reset", circuit.New(1).H(0).Reset(0), "not a unitary"},
		{"condition", func() *circuit.Circuit { c := circuit.New(1).Measure(0, 0); c.X(0).If([]int{0}, 1); return c }(), "not a unitary"},
	}
	for _, b := range bad {
		_, err := Compile(b.c)
		assert.ErrorContains(t, err, b.want, b.name)
	}
	p, err := CompileReal(pauli(3, 1))
	require.NoError(t, err)
	_, err = p.Stiefel(make([]float64, 2), 2)
	assert.ErrorContains(t, err, "parameters", "short theta")
	th := make([]float64, len(p.Params()))
	th[1] = math.NaN()
	_, err = p.Stiefel(th, 2)
	assert.ErrorContains(t, err, "theta_1", "NaN theta")
	th[1] = 0
	for _, k := range []int{0, 9} {
		_, err := p.Stiefel(th, k)
		assert.Error(t, err, "k=%d accepted", k)
	}
	ws := p.NewWorkspace()
	x, _ := sim.NewRealBatch(3, 2)
	assert.ErrorContains(t, ws.Apply(x), "before Bind")
	require.NoError(t, ws.Bind(th))
	wrong, _ := sim.NewRealBatch(4, 2)
	assert.ErrorContains(t, ws.Apply(wrong), "does not fit", "wrong batch")
	ubar, _ := sim.NewRealBatch(3, 3)
	assert.Error(t, ws.StiefelVJP(x, ubar, make([]float64, len(th))), "mismatched Ū accepted")
	assert.Error(t, ws.StiefelVJP(x, x, make([]float64, 1)), "short grad accepted")
}

// TestLargeSupports: diagonal and permutation stages stop growing at maxTableQubits, and the
// result still matches the simulator on a 20-qubit circuit; oversized gates are errors.
func TestLargeSupports(t *testing.T) {
	n := 20
	c := circuit.New(n)
	for q := 0; q < n; q++ {
		c.RY(circuit.Param("a"), q)
	}
	for q := 0; q+1 < n; q++ {
		c.CZ(q, q+1)
	}
	for q := 0; q+1 < n; q++ {
		c.CX(q, q+1)
	}
	c.RY(circuit.Param("b"), 0)
	p, err := CompileReal(c)
	require.NoError(t, err)
	for _, st := range p.Stages() {
		if st.Kind == DiagStage || st.Kind == PermStage {
			assert.LessOrEqual(t, len(st.Qubits), maxTableQubits, "%s stage", st.Kind)
		}
	}
	th := []float64{0.3, -1.1}
	u, err := p.Stiefel(th, 2)
	require.NoError(t, err)
	want, err := sim.RealColumns(c, c.Env(th), 2)
	require.NoError(t, err)
	assert.LessOrEqual(t, maxAbsDiff(realToComplex(u.Data), realToComplex(want.Data)), tol, "20 qubits: Stiefel vs sim.RealColumns\n%s", p)
	big := circuit.New(12)
	ctrls := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	big.Ctrl("x", ctrls, []int{11})
	_, err = Compile(big)
	assert.ErrorContains(t, err, "at most 10", "11-qubit gate")
}
