package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
						require.NoError(t, mode.apply(&op, testEnv), "%s %s", op.Name(), mode.name)
						want := matMul(mode.mat, x0, d, d, B)
						assert.LessOrEqual(t, maxDiff(x.Data, want), 1e-12, "%s on %v %s B=%d: max diff", op.Name(), op.Qubits, mode.name, B)
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
					require.NoError(t, x.ApplyOp(&op, testEnv))
					assert.LessOrEqual(t, maxDiff(toComplex(x.Data), matMul(u, x0, d, d, B)), 1e-12, "%s on %v B=%d: max diff", op.Name(), op.Qubits, B)
					y := x.Clone()
					require.NoError(t, y.ApplyOpTranspose(&op, testEnv))
					assert.LessOrEqual(t, maxDiff(toComplex(y.Data), x0), 1e-12, "%s: transpose is not the inverse", op.Name())
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
		require.Error(t, err, "%s: no error", name)
		for _, want := range []string{"a.qasm:3:5", name, "complex"} {
			assert.ErrorContains(t, err, want, name)
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
			require.NoError(t, x.ApplyOpDerivative(&op, circuit.MapEnv(vals), wrt))
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
			assert.LessOrEqual(t, maxDiff(x.Data, matMul(fd, x0, d, d, B)), 1e-7, "%s %v d/d%s: max diff", op.Name(), op.Qubits, wrt)
			if op.Gate.Real {
				y, _ := NewRealBatch(n, B)
				for i := range y.Data {
					y.Data[i] = real(x0[i])
				}
				require.NoError(t, y.ApplyOpDerivative(&op, circuit.MapEnv(vals), wrt))
				assert.LessOrEqual(t, maxDiff(toComplex(y.Data), matMul(fd, toComplex(realParts(x0)), d, d, B)), 1e-7, "real %s d/d%s: max diff", op.Name(), wrt)
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
				require.LessOrEqual(t, maxDiff(x.Data, want), 1e-12, "trial %d controls %v targets %v B=%d: max diff", trial, controls, targets, B)
				if nc == 0 && nt > 0 {
					copy(x.Data, x0)
					x.ApplyMatrix(targets, m)
					require.LessOrEqual(t, maxDiff(x.Data, want), 1e-12, "ApplyMatrix trial %d", trial)
				}
				if trial%4 == 3 { // the same on the float64 batch
					y, _ := NewRealBatch(n, B)
					rx := realParts(x0)
					copy(y.Data, rx)
					y.ApplyControlled(controls, targets, realParts(m))
					want := matMul(embed(n, qs, full), toComplex(rx), d, d, B)
					require.LessOrEqual(t, maxDiff(toComplex(y.Data), want), 1e-12, "real trial %d", trial)
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
			require.LessOrEqual(t, maxDiff(x.Data, matMul(embed(n, qs, m), x0, d, d, 2)), 1e-12, "ApplyDiag %v", qs)
			q := r.IntN(n)
			m1 := [4]complex128(randComplex(r, 4))
			copy(x.Data, x0)
			x.Apply1(q, m1)
			require.LessOrEqual(t, maxDiff(x.Data, matMul(embed(n, []int{q}, m1[:]), x0, d, d, 2)), 1e-12, "Apply1 %d", q)
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
	assert.Equal(t, 0.0, allocs, "kernels allocate per run")
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
		require.Error(t, err, "%d qubits x %d: no error", c.n, c.b)
		var me *MemoryError
		require.ErrorAs(t, err, &me)
		for _, want := range []string{c.bytes, "1 MiB", "QPEFT_MEMORY_LIMIT"} {
			assert.ErrorContains(t, err, want, "%d qubits x %d", c.n, c.b)
		}
		assert.ErrorContains(t, err, itoa(c.n)+" qubits", "the error names the qubit count")
	}
	_, err := NewBatch(16, 1)
	assert.NoError(t, err, "16 qubits (1 MiB) refused")
	v, err := ParseBytes("1.5GiB")
	assert.NoError(t, err, "ParseBytes(1.5GiB)")
	assert.Equal(t, int64(3<<29), v, "ParseBytes(1.5GiB)")
	_, err = ParseBytes("12 parsecs")
	assert.Error(t, err, "ParseBytes accepted a bad unit")
	_ = math.Pi
}
