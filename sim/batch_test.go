package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

var testEnv = circuit.MapEnv(map[string]float64{"a": 0.7311, "b": -1.913})

// TestApplyOpDense checks every gate, with up to two extra controls, in the three modes
// (G, G†, Gᵀ), on batches of several widths, against the dense embedded product.
func TestApplyOpDense(t *testing.T) {
	withThreads(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		const n = 5
		d := 1 << n
		for _, g := range gates.All() {
			for trial := 0; trial < 6; trial++ {
				pool := []*gates.Gate{g}
				op := randomOp(r, n, pool, 2, true)
				for _, B := range []int{1, 2, 3} {
					x, _ := NewBatch(n, B)
					copy(x.Data, randComplex(r, d*B))
					x0 := append([]complex128(nil), x.Data...)
					u := opDense(t, n, &op, testEnv)
					for _, mode := range []struct {
						name  string
						apply func(*circuit.Op, circuit.Env) error
						mat   []complex128
					}{
						{"G", x.ApplyOp, u},
						{"adjoint", x.ApplyOpAdjoint, adjoint(u, d)},
						{"transpose", x.ApplyOpTranspose, transpose(u, d)},
					} {
						copy(x.Data, x0)
						if err := mode.apply(&op, testEnv); err != nil {
							t.Fatalf("%s %s: %v", op.Name(), mode.name, err)
						}
						want := matMul(mode.mat, x0, d, d, B)
						if e := maxDiff(x.Data, want); e > 1e-12 {
							t.Errorf("%s on %v %s B=%d: max diff %g", op.Name(), op.Qubits, mode.name, B, e)
						}
					}
				}
			}
		}
	})
}

// TestRealBatchDense checks the float64 path of every real gate against the dense product.
func TestRealBatchDense(t *testing.T) {
	withThreads(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		const n = 5
		d := 1 << n
		for _, g := range realGates() {
			for trial := 0; trial < 6; trial++ {
				op := randomOp(r, n, []*gates.Gate{g}, 2, true)
				for _, B := range []int{1, 4, 5} {
					x, _ := NewRealBatch(n, B)
					for i := range x.Data {
						x.Data[i] = r.NormFloat64()
					}
					x0 := toComplex(x.Data)
					u := opDense(t, n, &op, testEnv)
					if err := x.ApplyOp(&op, testEnv); err != nil {
						t.Fatal(err)
					}
					if e := maxDiff(toComplex(x.Data), matMul(u, x0, d, d, B)); e > 1e-12 {
						t.Errorf("%s on %v B=%d: max diff %g", op.Name(), op.Qubits, B, e)
					}
					y := x.Clone()
					if err := y.ApplyOpTranspose(&op, testEnv); err != nil {
						t.Fatal(err)
					}
					if e := maxDiff(toComplex(y.Data), x0); e > 1e-12 {
						t.Errorf("%s: transpose is not the inverse: %g", op.Name(), e)
					}
				}
			}
		}
	})
}

func toComplex(v []float64) []complex128 {
	out := make([]complex128, len(v))
	for i, x := range v {
		out[i] = complex(x, 0)
	}
	return out
}

// TestRealBatchRejectsComplexGates: a complex gate on the float64 path is an error that names
// the gate and its position.
func TestRealBatchRejectsComplexGates(t *testing.T) {
	x, _ := NewRealBatch(2, 1)
	for _, name := range []string{"rz", "rx", "s", "t", "y", "cp", "gphase"} {
		g := gates.MustGet(name)
		op := circuit.Op{Kind: circuit.GateOp, Gate: g, Pos: circuit.NewPos("a.qasm", 3, 5)}
		for i := 0; i < g.Qubits; i++ {
			op.Qubits = append(op.Qubits, i)
		}
		for i := 0; i < g.Params; i++ {
			op.Args = append(op.Args, circuit.Num(0.3))
		}
		err := x.ApplyOp(&op, nil)
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		for _, want := range []string{"a.qasm:3:5", name, "complex"} {
			if !contains(err.Error(), want) {
				t.Errorf("%s: error %q does not mention %q", name, err, want)
			}
		}
	}
}

// TestApplyOpDerivative checks ∂G/∂θ·x against central finite differences of the dense
// matrix, for symbolic angles (chain rule through a·b expressions included).
func TestApplyOpDerivative(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const n, B = 4, 2
	d := 1 << n
	vals := map[string]float64{"a": 0.4, "b": -0.9}
	var pool []*gates.Gate
	for _, g := range gates.All() {
		if g.Params > 0 {
			pool = append(pool, g)
		}
	}
	for trial := 0; trial < 200; trial++ {
		op := randomOp(r, n, pool, 1, true)
		for _, wrt := range []string{"a", "b"} {
			x, _ := NewBatch(n, B)
			copy(x.Data, randComplex(r, d*B))
			x0 := append([]complex128(nil), x.Data...)
			if err := x.ApplyOpDerivative(&op, circuit.MapEnv(vals), wrt); err != nil {
				t.Fatal(err)
			}
			const h = 1e-5
			shift := func(s float64) []complex128 {
				v := map[string]float64{"a": vals["a"], "b": vals["b"]}
				v[wrt] += s
				return opDense(t, n, &op, circuit.MapEnv(v))
			}
			up, dn := shift(h), shift(-h)
			fd := make([]complex128, d*d)
			for i := range fd {
				fd[i] = (up[i] - dn[i]) / (2 * h)
			}
			if e := maxDiff(x.Data, matMul(fd, x0, d, d, B)); e > 1e-7 {
				t.Errorf("%s %v d/d%s: max diff %g", op.Name(), op.Qubits, wrt, e)
			}
			if op.Gate.Real {
				y, _ := NewRealBatch(n, B)
				for i := range y.Data {
					y.Data[i] = real(x0[i])
				}
				if err := y.ApplyOpDerivative(&op, circuit.MapEnv(vals), wrt); err != nil {
					t.Fatal(err)
				}
				if e := maxDiff(toComplex(y.Data), matMul(fd, toComplex(realParts(x0)), d, d, B)); e > 1e-7 {
					t.Errorf("real %s d/d%s: max diff %g", op.Name(), wrt, e)
				}
			}
		}
	}
}

func realParts(v []complex128) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = real(x)
	}
	return out
}

func contains(s, sub string) bool { return len(sub) == 0 || indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestKernelsDense checks the exported matrix kernels (ApplyMatrix, ApplyDiag,
// ApplyControlled, Apply1) with random matrices — dense, diagonal, transpositions — on
// random qubits against the embedded product.
func TestKernelsDense(t *testing.T) {
	withThreads(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		const n = 6
		d := 1 << n
		for trial := 0; trial < 300; trial++ {
			nt := r.IntN(4)
			nc := r.IntN(3)
			if nt+nc == 0 || (nt == 0 && trial%2 == 0) {
				nt = 1
			}
			perm := r.Perm(n)
			controls, targets := perm[:nc], perm[nc:nc+nt]
			D := 1 << nt
			var m []complex128
			switch trial % 4 {
			case 0:
				m = randComplex(r, D*D)
			case 1: // diagonal
				m = make([]complex128, D*D)
				for j := 0; j < D; j++ {
					m[j*D+j] = complex(r.NormFloat64(), r.NormFloat64())
				}
			case 2: // transposition
				m = identity(D)
				if D > 1 {
					a, b := r.IntN(D), r.IntN(D)
					if a != b {
						m[a*D+a], m[b*D+b], m[a*D+b], m[b*D+a] = 0, 0, 1, 1
					}
				}
			case 3: // real
				m = make([]complex128, D*D)
				for i := range m {
					m[i] = complex(r.NormFloat64(), 0)
				}
			}
			for _, B := range []int{1, 2, 3} {
				x, _ := NewBatch(n, B)
				copy(x.Data, randComplex(r, d*B))
				x0 := append([]complex128(nil), x.Data...)
				x.ApplyControlled(controls, targets, m)
				// Dense oracle: identity outside the controlled subspace.
				full := controlledDense(m, nt, nc)
				qs := append(append([]int(nil), controls...), targets...)
				want := matMul(embed(n, qs, full), x0, d, d, B)
				if e := maxDiff(x.Data, want); e > 1e-12 {
					t.Fatalf("trial %d controls %v targets %v B=%d: max diff %g", trial, controls, targets, B, e)
				}
				if nc == 0 && nt > 0 {
					copy(x.Data, x0)
					x.ApplyMatrix(targets, m)
					if e := maxDiff(x.Data, want); e > 1e-12 {
						t.Fatalf("ApplyMatrix trial %d: %g", trial, e)
					}
				}
				if trial%4 == 3 { // the same on the float64 batch
					y, _ := NewRealBatch(n, B)
					rx := realParts(x0)
					copy(y.Data, rx)
					y.ApplyControlled(controls, targets, realParts(m))
					want := matMul(embed(n, qs, full), toComplex(rx), d, d, B)
					if e := maxDiff(toComplex(y.Data), want); e > 1e-12 {
						t.Fatalf("real trial %d: %g", trial, e)
					}
				}
			}
		}
		// ApplyDiag and Apply1.
		for trial := 0; trial < 50; trial++ {
			k := 1 + r.IntN(3)
			qs := r.Perm(n)[:k]
			dg := randComplex(r, 1<<k)
			x, _ := NewBatch(n, 2)
			copy(x.Data, randComplex(r, d*2))
			x0 := append([]complex128(nil), x.Data...)
			x.ApplyDiag(qs, dg)
			m := make([]complex128, 1<<(2*k))
			for j := range dg {
				m[j<<k+j] = dg[j]
			}
			if e := maxDiff(x.Data, matMul(embed(n, qs, m), x0, d, d, 2)); e > 1e-12 {
				t.Fatalf("ApplyDiag %v: %g", qs, e)
			}
			q := r.IntN(n)
			m1 := [4]complex128(randComplex(r, 4))
			copy(x.Data, x0)
			x.Apply1(q, m1)
			if e := maxDiff(x.Data, matMul(embed(n, []int{q}, m1[:]), x0, d, d, 2)); e > 1e-12 {
				t.Fatalf("Apply1 %d: %g", q, e)
			}
		}
	})
}

// TestKernelsNoAlloc: the serial kernels allocate nothing.
func TestKernelsNoAlloc(t *testing.T) {
	oldP := ParallelThreshold
	defer func() { ParallelThreshold = oldP }()
	ParallelThreshold = 1 << 30
	x, _ := NewRealBatch(8, 1)
	c, _ := NewBatch(8, 1)
	ry := gates.MustGet("ry").RealMatrix(0.3)
	m := [4]float64(ry)
	cm := [4]complex128{1, 2i, 3, 4}
	cz := []int{2, 5}
	allocs := testing.AllocsPerRun(20, func() {
		x.Apply1(3, m)
		x.Apply1(0, m)
		x.ApplyDiag(cz, []float64{1, 1, 1, -1})
		x.ApplyControlled([]int{1}, []int{4}, []float64{0, 1, 1, 0})
		c.Apply1(0, cm)
		c.Apply1(6, [4]complex128{complex(ry[0], 0), complex(ry[1], 0), complex(ry[2], 0), complex(ry[3], 0)})
		c.ApplyDiag(cz, []complex128{1, 1, 1, -1})
	})
	if allocs != 0 {
		t.Errorf("kernels allocate %v times per run", allocs)
	}
}

// TestMemoryLimit: a batch above the limit is an error naming qubits, bytes and the limit.
func TestMemoryLimit(t *testing.T) {
	old := MemoryLimit
	defer func() { MemoryLimit = old }()
	MemoryLimit = 1 << 20
	for _, c := range []struct {
		n, b  int
		real  bool
		bytes string
	}{
		{20, 1, false, "16 MiB"},
		{20, 1, true, "8 MiB"},
		{10, 128, false, "2 MiB"},
		{70, 1, false, "qubits"},
	} {
		var err error
		if c.real {
			_, err = NewRealBatch(c.n, c.b)
		} else {
			_, err = NewBatch(c.n, c.b)
		}
		if err == nil {
			t.Fatalf("%d qubits x %d: no error", c.n, c.b)
		}
		var me *MemoryError
		if !asMemoryError(err, &me) {
			t.Fatalf("%v is not a *MemoryError", err)
		}
		for _, want := range []string{c.bytes, "1 MiB", "QPEFT_MEMORY_LIMIT"} {
			if !contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
		if !contains(err.Error(), itoa(c.n)+" qubits") {
			t.Errorf("error %q does not name the qubit count", err)
		}
	}
	if _, err := NewBatch(16, 1); err != nil {
		t.Errorf("16 qubits (1 MiB) refused: %v", err)
	}
	if v, err := ParseBytes("1.5GiB"); err != nil || v != 3<<29 {
		t.Errorf("ParseBytes(1.5GiB) = %d, %v", v, err)
	}
	if _, err := ParseBytes("12 parsecs"); err == nil {
		t.Error("ParseBytes accepted a bad unit")
	}
	_ = math.Pi
}
