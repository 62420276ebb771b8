package lowering

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/sim"
)

const tol = 1e-12

// simColumns is the simulator's unitary: the first K columns from sim.Columns.
func simColumns(t testing.TB, c *circuit.Circuit, env circuit.Env, K int) []complex128 {
	t.Helper()
	b, err := sim.Columns(c, env, K)
	if err != nil {
		t.Fatal(err)
	}
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
			if err != nil {
				t.Fatal(err)
			}
			th := randTheta(r, len(p.Params()))
			env := c.Env(th)
			u, err := p.Dense(th)
			if err != nil {
				t.Fatal(err)
			}
			got := realToComplex(u.Data)
			N := 1 << n
			want := bruteColumns(t, c, env, N, nil)
			if d := maxAbsDiff(got, want); d > tol {
				t.Errorf("n=%d seed=%d: Dense vs brute force: max |Δ| = %.3g", n, seed, d)
			}
			if d := maxAbsDiff(got, simColumns(t, c, env, N)); d > tol {
				t.Errorf("n=%d seed=%d: Dense vs sim.Columns: max |Δ| = %.3g", n, seed, d)
			}
			if ru, err := sim.RealUnitary(c, env); err != nil {
				t.Fatal(err)
			} else if d := maxAbsDiff(got, realToComplex(ru.Data)); d > tol {
				t.Errorf("n=%d seed=%d: Dense vs sim.RealUnitary: max |Δ| = %.3g", n, seed, d)
			}
			if n <= 5 {
				if d := maxAbsDiff(got, bruteDenseProduct(t, c, env)); d > tol {
					t.Errorf("n=%d seed=%d: Dense vs dense product: max |Δ| = %.3g", n, seed, d)
				}
			}
			// Stiefel columns are the first K columns.
			K := 1 + r.IntN(N)
			s, err := p.Stiefel(th, K)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < N; i++ {
				for j := 0; j < K; j++ {
					if d := math.Abs(s.At(i, j) - u.At(i, j)); d > tol {
						t.Fatalf("n=%d: Stiefel(%d)[%d,%d] = %v, Dense %v", n, K, i, j, s.At(i, j), u.At(i, j))
					}
				}
			}
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
			if err != nil {
				t.Fatal(err)
			}
			th := randTheta(r, len(p.Params()))
			env := c.Env(th)
			u, err := p.Dense(th)
			if err != nil {
				t.Fatal(err)
			}
			N := 1 << n
			if d := maxAbsDiff(u.Data, bruteColumns(t, c, env, N, nil)); d > tol {
				t.Errorf("n=%d seed=%d: Dense vs brute force: max |Δ| = %.3g\n%s", n, seed, d, p)
			}
			if d := maxAbsDiff(u.Data, simColumns(t, c, env, N)); d > tol {
				t.Errorf("n=%d seed=%d: Dense vs sim.Columns: max |Δ| = %.3g", n, seed, d)
			}
			K := 1 + r.IntN(N)
			cols, err := p.Columns(th, K)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < N; i++ {
				for j := 0; j < K; j++ {
					if cols.At(i, j) != u.At(i, j) && math.Abs(real(cols.At(i, j)-u.At(i, j)))+math.Abs(imag(cols.At(i, j)-u.At(i, j))) > tol {
						t.Fatalf("n=%d: Columns(%d)[%d,%d] = %v, Dense %v", n, K, i, j, cols.At(i, j), u.At(i, j))
					}
				}
			}
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
		if err != nil {
			t.Fatal(err)
		}
		th := randTheta(r, len(p.Params()))
		u, err := p.Dense(th)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxAbsDiff(u.Data, itsubakiColumns(t, c, c.Env(th), 1<<n)); d > tol {
			t.Errorf("n=%d: Dense vs itsubaki/q: max |Δ| = %.3g", n, d)
		}
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
			want := identityMat(d)
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
				if err != nil {
					t.Fatal(err)
				}
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
				if b != a+1 {
					t.Fatalf("pauli ansatz has a non-adjacent pair %v", op.Qubits)
				}
				want = denseMul(kronAdjacent(n, a, m), want, d, d, d)
			}
			flush()
			p, err := CompileReal(c)
			if err != nil {
				t.Fatal(err)
			}
			u, err := p.Dense(th)
			if err != nil {
				t.Fatal(err)
			}
			if diff := maxAbsDiff(realToComplex(u.Data), want); diff > tol {
				t.Errorf("n=%d L=%d: Dense vs literal Kronecker products: %.3g", n, L, diff)
			}
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
	if err != nil {
		t.Fatal(err)
	}
	th := randTheta(r, len(p.Params()))
	u, err := p.Stiefel(th, K)
	if err != nil {
		t.Fatal(err)
	}
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
	if worst > tol {
		t.Errorf("n=%d depth=%d: max |UᵀU − I| = %.3g", n, depth, worst)
	}
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
		if err != nil {
			t.Fatal(err)
		}
		th := randTheta(r, len(p.Params()))
		x, _ := sim.NewRealBatch(n, B)
		for i := range x.Data {
			x.Data[i] = r.NormFloat64()
		}
		y, err := p.Apply(th, x)
		if err != nil {
			t.Fatal(err)
		}
		want := bruteColumns(t, c, c.Env(th), B, realToComplex(x.Data))
		if d := maxAbsDiff(realToComplex(y.Data), want); d > tol {
			t.Errorf("n=%d real: Apply vs dense·X: %.3g", n, d)
		}
		// Qᵀ·X against the brute-force transpose.
		dense := bruteColumns(t, c, c.Env(th), N, nil)
		back, err := p.ApplyTranspose(th, x)
		if err != nil {
			t.Fatal(err)
		}
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
		if d := maxAbsDiff(realToComplex(back.Data), wantT); d > tol {
			t.Errorf("n=%d real: ApplyTranspose vs denseᵀ·X: %.3g", n, d)
		}
		// Complex.
		cc := randCircuit(r, n, 8*n, complexGates, symNames(4), true)
		pc, err := Compile(cc)
		if err != nil {
			t.Fatal(err)
		}
		thc := randTheta(r, len(pc.Params()))
		xc, _ := sim.NewBatch(n, B)
		for i := range xc.Data {
			xc.Data[i] = complex(r.NormFloat64(), r.NormFloat64())
		}
		yc, err := pc.Apply(thc, xc)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxAbsDiff(yc.Data, bruteColumns(t, cc, cc.Env(thc), B, append([]complex128(nil), xc.Data...))); d > tol {
			t.Errorf("n=%d complex: Apply vs dense·X: %.3g", n, d)
		}
		dc := bruteColumns(t, cc, cc.Env(thc), N, nil)
		inv, err := pc.ApplyInverse(thc, xc)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := pc.ApplyTranspose(thc, xc)
		if err != nil {
			t.Fatal(err)
		}
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
		if d := maxAbsDiff(inv.Data, wantInv); d > tol {
			t.Errorf("n=%d complex: ApplyInverse vs dense†·X: %.3g", n, d)
		}
		if d := maxAbsDiff(tr.Data, wantTr); d > tol {
			t.Errorf("n=%d complex: ApplyTranspose vs denseᵀ·X: %.3g", n, d)
		}
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
		if err != nil {
			t.Fatal(err)
		}
		if got := kinds(p); got != tc.want {
			t.Errorf("%s: stages %s, want %s\n%s", tc.name, got, tc.want, p)
		}
	}
	// Diagonal single-qubit gates join a diagonal stage when it is the nearest, and the
	// complex diagonal family (rz, cp, crz, p, t) fuses into one stage.
	c := circuit.New(3).CZ(0, 1).RZ("a", 0).CP("b", 1, 2).T(2).CRZ("c", 0, 2).P("d", 1)
	p, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	if st := p.Stages(); len(st) != 1 || st[0].Kind != DiagStage || len(st[0].Ops) != 6 {
		t.Errorf("diagonal family: %v\n%s", st, p)
	}
}

// TestFuse checks the fusion pass against the brute-force product and its block shapes.
func TestFuse(t *testing.T) {
	for _, maxQ := range []int{1, 2, 3} {
		for seed := uint64(0); seed < 6; seed++ {
			r := rand.New(rand.NewPCG(seed, uint64(maxQ)))
			n := 2 + r.IntN(4)
			c := randCircuit(r, n, 10*n, complexGates, symNames(2), true)
			th := randTheta(r, len(c.Params))
			env := c.Env(th)
			blocks, err := Fuse(c, env, maxQ)
			if err != nil {
				t.Fatal(err)
			}
			d := 1 << n
			u := identityMat(d)
			seen := map[int]bool{}
			for _, b := range blocks {
				if len(b.Qubits) > maxQ {
					// Only a single gate larger than maxQ (plus folded global phases) may exceed it.
					var sized []int
					for _, i := range b.Ops {
						if len(c.Ops[i].Qubits) > 0 {
							sized = append(sized, i)
						}
					}
					big := len(sized) == 1 && len(c.Ops[sized[0]].Qubits) == len(b.Qubits)
					if !big {
						t.Errorf("maxQ=%d: block on %d qubits from %d ops", maxQ, len(b.Qubits), len(b.Ops))
					}
				}
				for _, i := range b.Ops {
					if seen[i] {
						t.Errorf("op %d in two blocks", i)
					}
					seen[i] = true
				}
				var e []complex128
				if len(b.Qubits) == 0 {
					e = identityMat(d)
					for j := 0; j < d; j++ {
						e[j*d+j] = b.Matrix[0]
					}
				} else {
					e = fullEmbed(n, b.Qubits, b.Matrix)
				}
				u = denseMul(e, u, d, d, d)
				if b.Diagonal != isDiagMat(b.Matrix, b.Dim()) || b.Real != isRealMat(b.Matrix) {
					t.Errorf("block flags wrong: %+v", b)
				}
			}
			if len(seen) != len(c.Ops) {
				t.Errorf("fused %d of %d ops", len(seen), len(c.Ops))
			}
			if diff := maxAbsDiff(u, bruteDenseProduct(t, c, env)); diff > tol {
				t.Errorf("maxQ=%d seed=%d: fused product differs by %.3g", maxQ, seed, diff)
			}
		}
	}
	// Shapes.
	shapes := []struct {
		name string
		c    *circuit.Circuit
		maxQ int
		want []int // qubit counts of the blocks
	}{
		{"1q runs", circuit.New(2).RY(0.1, 0).H(0).RY(0.2, 1).X(0), 1, []int{1, 1}},
		{"absorb into pair", circuit.New(2).RY(0.1, 0).RY(0.2, 1).CZ(0, 1).RY(0.3, 1), 2, []int{2}},
		{"pair limit", circuit.New(3).CZ(0, 1).CZ(1, 2), 2, []int{2, 2}},
		{"diag merge", circuit.New(3).CZ(0, 1).CZ(1, 2).CZ(0, 2), 3, []int{3}},
		{"same pair", circuit.New(3).CX(0, 1).RY(0.3, 2).CX(1, 0).CZ(0, 1), 2, []int{2, 1}},
	}
	for _, s := range shapes {
		blocks, err := Fuse(s.c, nil, s.maxQ)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, b := range blocks {
			got = append(got, len(b.Qubits))
		}
		if len(got) != len(s.want) {
			t.Errorf("%s: blocks %v, want %v", s.name, got, s.want)
			continue
		}
		for i := range got {
			if got[i] != s.want[i] {
				t.Errorf("%s: blocks %v, want %v", s.name, got, s.want)
				break
			}
		}
	}
	if _, err := Fuse(circuit.New(1).H(0), nil, 0); err == nil {
		t.Error("maxQubits 0 accepted")
	}
	if _, err := Fuse(circuit.New(1).H(0).Measure(0, 0), nil, 2); err == nil || !strings.Contains(err.Error(), "measure") {
		t.Errorf("measure: %v", err)
	}
}

func TestCompileErrors(t *testing.T) {
	// A complex gate in a real program names the gate and its position.
	c := circuit.New(2).RY("a", 0).CZ(0, 1).RY("b", 1)
	g, _ := circuit.ToExpr("c")
	if err := c.Append(circuit.Op{Kind: circuit.GateOp, Gate: gates.MustGet("rz"), Qubits: []int{1}, Args: []circuit.Expr{g},
		Pos: circuit.NewPos("adapter.qasm", 7, 3)}); err != nil {
		t.Fatal(err)
	}
	_, err := CompileReal(c)
	var nre *circuit.NotRealError
	if !errors.As(err, &nre) || nre.Gate != "rz" || nre.Index != 3 {
		t.Fatalf("CompileReal: %v", err)
	}
	if !strings.Contains(err.Error(), "adapter.qasm:7:3") || !strings.Contains(err.Error(), "rz") {
		t.Errorf("error lacks position or gate: %v", err)
	}
	if _, err := Compile(c); err != nil {
		t.Errorf("Compile of a complex circuit: %v", err)
	}
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
		if _, err := Compile(b.c); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: %v", b.name, err)
		}
	}
	p, err := CompileReal(pauli(3, 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Stiefel(make([]float64, 2), 2); err == nil || !strings.Contains(err.Error(), "parameters") {
		t.Errorf("short theta: %v", err)
	}
	th := make([]float64, len(p.Params()))
	th[1] = math.NaN()
	if _, err := p.Stiefel(th, 2); err == nil || !strings.Contains(err.Error(), "theta_1") {
		t.Errorf("NaN theta: %v", err)
	}
	th[1] = 0
	for _, k := range []int{0, 9} {
		if _, err := p.Stiefel(th, k); err == nil {
			t.Errorf("k=%d accepted", k)
		}
	}
	ws := p.NewWorkspace()
	x, _ := sim.NewRealBatch(3, 2)
	if err := ws.Apply(x); err == nil || !strings.Contains(err.Error(), "before Bind") {
		t.Errorf("Apply before Bind: %v", err)
	}
	if err := ws.Bind(th); err != nil {
		t.Fatal(err)
	}
	wrong, _ := sim.NewRealBatch(4, 2)
	if err := ws.Apply(wrong); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("wrong batch: %v", err)
	}
	ubar, _ := sim.NewRealBatch(3, 3)
	if err := ws.StiefelVJP(x, ubar, make([]float64, len(th))); err == nil {
		t.Error("mismatched Ū accepted")
	}
	if err := ws.StiefelVJP(x, x, make([]float64, 1)); err == nil {
		t.Error("short grad accepted")
	}
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
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range p.Stages() {
		if (st.Kind == DiagStage || st.Kind == PermStage) && len(st.Qubits) > maxTableQubits {
			t.Errorf("%s stage on %d qubits", st.Kind, len(st.Qubits))
		}
	}
	th := []float64{0.3, -1.1}
	u, err := p.Stiefel(th, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, err := sim.RealColumns(c, c.Env(th), 2)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(realToComplex(u.Data), realToComplex(want.Data)); d > tol {
		t.Errorf("20 qubits: Stiefel vs sim.RealColumns: %.3g\n%s", d, p)
	}
	big := circuit.New(12)
	ctrls := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	big.Ctrl("x", ctrls, []int{11})
	if _, err := Compile(big); err == nil || !strings.Contains(err.Error(), "at most 10") {
		t.Errorf("11-qubit gate: %v", err)
	}
	if _, err := Fuse(big, nil, 2); err == nil || !strings.Contains(err.Error(), "at most 10") {
		t.Errorf("Fuse of an 11-qubit gate: %v", err)
	}
	if _, err := Fuse(big, nil, 11); err == nil {
		t.Error("Fuse maxQubits 11 accepted")
	}
}
