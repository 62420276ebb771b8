package lowering

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"time"

	"github.com/stretchr/testify/require"

	qq "github.com/itsubaki/q"
	"gonum.org/v1/gonum/mat"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/sim"
)

// Benchmarks. Commands used for the figures in the report:
//
//	go test ./lowering -run XXX -bench 'Kron' -benchtime 3x
//	go test ./lowering -run XXX -bench 'Stiefel' -benchtime 2x
//	go test ./lowering -run XXX -bench 'DenseN12' -benchtime 1x
//
// Every benchmark reports the FLOP count of one operation (flop/op, counted from the
// compiled stages: 6 flops per amplitude pair per column for a 2×2 factor, 1 per rewritten
// element for a diagonal, 20 per pair in the fused backward kernel) and the memory-bandwidth
// floor (floor-ns/op: the bytes one operation must read and write at least once per pass,
// divided by the machine's read+write bandwidth measured at start-up with a large copy).

var (
	bwOnce sync.Once
	bwBps  float64 // measured read+write bytes per second
)

// bandwidth measures copy bandwidth over 2 × 128 MiB (best of 3), counting bytes read plus
// bytes written.
func bandwidth() float64 {
	bwOnce.Do(func() {
		const n = 16 << 20
		a := make([]float64, n)
		c := make([]float64, n)
		for i := range a {
			a[i] = float64(i)
		}
		copy(c, a)
		best := time.Duration(1 << 62)
		for r := 0; r < 3; r++ {
			t0 := time.Now()
			copy(c, a)
			if d := time.Since(t0); d < best {
				best = d
			}
		}
		bwBps = float64(2*8*n) / best.Seconds()
	})
	return bwBps
}

// costModel counts the flops and the bytes moved by one forward pass and one backward pass
// of a bound program on B columns of elem-byte amplitudes.
func costModel[T scalar](e *engine[T], B, elem int) (fwdFlops, fwdBytes, vjpFlops, vjpBytes float64) {
	N := float64(int(1) << e.p.n)
	nb := N * float64(B)
	for i, st := range e.p.stages {
		sd := &e.st[i]
		switch st.kind {
		case KronStage:
			k := float64(len(st.support))
			fwdFlops += k * 3 * nb
			fwdBytes += k * 2 * nb * float64(elem)
			vjpFlops += k * 10 * nb
			vjpBytes += k * 4 * nb * float64(elem)
		case DiagStage:
			non1 := 0
			for _, v := range sd.d {
				if any(v) != any(T(1)) {
					non1++
				}
			}
			frac := float64(non1) / float64(len(sd.d))
			fwdFlops += frac * nb
			fwdBytes += frac * 2 * nb * float64(elem)
			vjpFlops += 2 * frac * nb
			vjpBytes += 2 * frac * 2 * nb * float64(elem)
		case PermStage:
			fwdBytes += 2 * nb * float64(elem)
			vjpBytes += 4 * nb * float64(elem)
		case BlockStage:
			D := float64(int(1) << len(st.support))
			fwdFlops += 2 * D * nb
			fwdBytes += 2 * nb * float64(elem)
			vjpFlops += 6 * D * nb
			vjpBytes += 4 * nb * float64(elem)
		}
	}
	return
}

func report(b *testing.B, flops, bytes float64) {
	b.ReportMetric(flops, "flop/op")
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(flops/sec/1e9, "GFLOP/s")
	b.ReportMetric(bytes/bandwidth()*1e9, "floor-ns/op")
}

// BenchmarkKronApply is the Kronecker program on a batch of activations (B = 64) against the
// dense N × N operator times X (gonum's Dgemm), for N = 2^8 … 2^14, Pauli ansatz with L = 2.
// The program's time grows as N·log N, the dense product's as N².
func BenchmarkKronApply(b *testing.B) {
	const B, L = 64, 2
	bandwidth()
	for n := 8; n <= 14; n++ {
		c := pauli(n, L)
		p, err := CompileReal(c)
		require.NoError(b, err)
		r := rand.New(rand.NewPCG(uint64(n), 1))
		th := randTheta(r, len(p.Params()))
		ws := p.NewWorkspace()
		require.NoError(b, ws.Bind(th))
		x, _ := sim.NewRealBatch(n, B)
		for i := range x.Data {
			x.Data[i] = r.NormFloat64()
		}
		N := 1 << n
		b.Run(fmt.Sprintf("N=%d/kron", N), func(b *testing.B) {
			f, by, _, _ := costModel(ws.e, B, 8)
			for i := 0; i < b.N; i++ {
				require.NoError(b, ws.Apply(x))
			}
			report(b, f, by)
		})
		if n > 13 {
			continue // the dense operator alone is 2 GiB at N = 2^14
		}
		b.Run(fmt.Sprintf("N=%d/dense", N), func(b *testing.B) {
			q, err := p.Dense(th)
			require.NoError(b, err)
			qm := mat.NewDense(N, N, q.Data)
			xm := mat.NewDense(N, B, x.Data)
			var y mat.Dense
			y.Mul(qm, xm)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				y.Mul(qm, xm)
			}
			nn := float64(N)
			report(b, 2*nn*nn*B, 8*(nn*nn+2*nn*B))
		})
	}
}

// BenchmarkStiefel is the adapter's per-step work: U = first K columns of the Pauli ansatz's
// orthogonal matrix (forward) and ∂ℓ/∂θ from Ū (VJP), on a workspace.
//
//	go test ./lowering -run XXX -bench 'Stiefel/N=65536' -benchtime 2x
func BenchmarkStiefel(b *testing.B) {
	bandwidth()
	for n := 10; n <= 16; n += 2 {
		for _, K := range []int{8, 16, 32, 64} {
			for L := 1; L <= 4; L++ {
				p, err := CompileReal(pauli(n, L))
				require.NoError(b, err)
				r := rand.New(rand.NewPCG(uint64(n), uint64(K*10+L)))
				th := randTheta(r, len(p.Params()))
				ws := p.NewWorkspace()
				require.NoError(b, ws.Bind(th))
				u, _ := sim.NewRealBatch(n, K)
				ubar, _ := sim.NewRealBatch(n, K)
				for i := range ubar.Data {
					ubar.Data[i] = r.NormFloat64()
				}
				grad := make([]float64, len(th))
				name := fmt.Sprintf("N=%d/K=%d/L=%d", 1<<n, K, L)
				ff, fb, vf, vb := costModel(ws.e, K, 8)
				b.Run(name+"/forward", func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						require.NoError(b, ws.Stiefel(u))
					}
					report(b, ff, fb)
				})
				b.Run(name+"/vjp", func(b *testing.B) {
					require.NoError(b, ws.Stiefel(u))
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						require.NoError(b, ws.StiefelVJP(u, ubar, grad))
					}
					// The VJP also copies U and Ū into its scratch.
					report(b, vf, vb+4*float64(len(u.Data))*8)
				})
			}
		}
	}
}

// BenchmarkDenseN12 is the dense 4096 × 4096 orthogonal matrix of the Pauli ansatz (L = 2,
// 56 RY + 22 CZ) four ways in one run: the stage program on identity columns (this
// package), sim's op-by-op RealUnitary, itsubaki/q column by column (4096 state-vector
// simulations), and the naive product of per-gate 2^n × 2^n matrices with gonum's Dgemm —
// of which one gate's product is timed (naive-1gate-*) and multiplied by the gate count
// (est-naive-s) because the whole dense product would take far longer than a benchmark run.
func BenchmarkDenseN12(b *testing.B) {
	const n, L = 12, 2
	c := pauli(n, L)
	p, err := CompileReal(c)
	require.NoError(b, err)
	r := rand.New(rand.NewPCG(12, 2))
	th := randTheta(r, len(p.Params()))
	bound, err := c.BindVector(th)
	require.NoError(b, err)
	N := 1 << n
	b.Run("lowering", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := p.Dense(th); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sim-RealUnitary", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := sim.RealUnitary(bound, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("itsubaki-columns", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for j := 0; j < N; j++ {
				s := qq.New()
				qs := s.Zeros(n)
				for k := 0; k < n; k++ {
					if j>>k&1 == 1 {
						s.X(qs[n-1-k])
					}
				}
				for oi := range bound.Ops {
					op := &bound.Ops[oi]
					switch op.Gate.Name {
					case "ry":
						a, _ := circuit.Eval(op.Args[0], nil)
						s.RY(a, qs[n-1-op.Qubits[0]])
					case "cz":
						s.CZ(qs[n-1-op.Qubits[0]], qs[n-1-op.Qubits[1]])
					}
				}
				_ = s.Amplitude()
			}
		}
	})
	// One step of the naive construction: embed a gate as a 2^n × 2^n matrix G and multiply
	// it with the running product, dense (U·G for the gates in reverse order: a full GEMM,
	// N³ multiply-adds) and as G·U (gonum's Dgemm skips the zero entries of its left
	// operand, so this is really a sparse product, about 2·N² multiply-adds).
	op := &bound.Ops[n+1] // an RY after the first CZ
	m, _ := op.Matrix(nil)
	g := mat.NewDense(N, N, nil)
	mask := 1 << op.Qubits[0]
	for row := 0; row < N; row++ {
		for a := 0; a < 2; a++ {
			col := row&^mask | a<<op.Qubits[0]
			g.Set(row, col, real(m[(row>>op.Qubits[0]&1)*2+a]))
		}
	}
	acc := mat.NewDense(N, N, nil)
	for i := range acc.RawMatrix().Data {
		acc.RawMatrix().Data[i] = r.NormFloat64()
	}
	for _, order := range []string{"naive-1gate-UG", "naive-1gate-GU"} {
		b.Run(order, func(b *testing.B) {
			var out mat.Dense
			for i := 0; i < b.N; i++ {
				if order == "naive-1gate-UG" {
					out.Mul(acc, g)
				} else {
					out.Mul(g, acc)
				}
			}
			per := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(per*float64(len(bound.Ops)), "est-naive-s")
			b.ReportMetric(float64(len(bound.Ops)), "gates")
		})
	}
}

// pauliVJPBench builds what the VJP benchmarks time: the Pauli ansatz on n qubits with L
// blocks at random angles, its first K columns U and a random cotangent Ū, and a gradient
// buffer.
func pauliVJPBench(b *testing.B, n, K, L int) (c *circuit.Circuit, p *RealProgram, ws *RealWorkspace, th []float64, u, ubar *sim.RealBatch, grad []float64) {
	c = pauli(n, L)
	p, err := CompileReal(c)
	require.NoError(b, err)
	r := rand.New(rand.NewPCG(5, 6))
	th = randTheta(r, len(p.Params()))
	ws = p.NewWorkspace()
	require.NoError(b, ws.Bind(th))
	u, _ = sim.NewRealBatch(n, K)
	require.NoError(b, ws.Stiefel(u))
	ubar, _ = sim.NewRealBatch(n, K)
	for i := range ubar.Data {
		ubar.Data[i] = r.NormFloat64()
	}
	return c, p, ws, th, u, ubar, make([]float64, len(th))
}

// BenchmarkVJPFusedVsUnfused measures what the fused backward kernel buys: the same Pauli
// ansatz VJP (N = 4096, K = 64, L = 2) by this package (one sweep per factor: undo on X and Ȳ
// and accumulate the 2×2 cotangent together) against the textbook adjoint method on sim's
// per-op kernels (per gate: Xᵀ-undo, copy, apply ∂G, dot with Ȳ, Ȳᵀ-undo).
func BenchmarkVJPFusedVsUnfused(b *testing.B) {
	const n, K, L = 12, 64, 2
	c, _, ws, th, u, ubar, grad := pauliVJPBench(b, n, K, L)
	b.Run("fused", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			require.NoError(b, ws.StiefelVJP(u, ubar, grad))
		}
	})
	b.Run("unfused-sim-ops", func(b *testing.B) {
		env := c.Env(th)
		x, _ := sim.NewRealBatch(n, K)
		y, _ := sim.NewRealBatch(n, K)
		tmp, _ := sim.NewRealBatch(n, K)
		g := make([]float64, len(th))
		for i := 0; i < b.N; i++ {
			copy(x.Data, u.Data)
			copy(y.Data, ubar.Data)
			clear(g)
			for oi := len(c.Ops) - 1; oi >= 0; oi-- {
				op := &c.Ops[oi]
				require.NoError(b, x.ApplyOpTranspose(op, env))
				if len(op.Args) > 0 {
					s := circuit.Symbols(op.Args[0])[0]
					copy(tmp.Data, x.Data)
					require.NoError(b, tmp.ApplyOpDerivative(op, env, s))
					g[indexOf(c.Params, s)] += y.Dot(tmp)
				}
				require.NoError(b, y.ApplyOpTranspose(op, env))
			}
		}
		// Same numbers as the fused pass.
		for j := range g {
			require.InDelta(b, grad[j], g[j], 1e-9, "unfused gradient %d, fused", j)
		}
	})
}

// BenchmarkStiefelVJPFullRank times the VJP of a Pauli ansatz at K = N (every column, as
// the fronts' centres: N = 512, L = 2), with pairChunkReal's AVX2 loop ("avx2") and
// without it ("go"), alternating in one run. The bytes of the pair passes (x and the
// cotangent, read and written once per qubit factor) over the time give "pair-GB/s"; the
// two batches (2 MiB each) sit in the L3, so the floor is that cache's bandwidth.
func BenchmarkStiefelVJPFullRank(b *testing.B) {
	const n, K, L = 9, 512, 2
	_, p, ws, _, u, ubar, grad := pauliVJPBench(b, n, K, L)
	defer func(v bool) { usePairAVX2 = v }(usePairAVX2)
	avail := usePairAVX2
	passes := 0 // pair passes: one per qubit factor of each Kronecker stage
	for _, st := range p.Stages() {
		if st.Kind == KronStage {
			passes += len(st.Qubits)
		}
	}
	for round := 0; round < 2; round++ {
		for _, simd := range []bool{true, false} {
			if simd && !avail {
				continue
			}
			name := "go"
			if simd {
				name = "avx2"
			}
			b.Run(name, func(b *testing.B) {
				usePairAVX2 = simd
				for i := 0; i < b.N; i++ {
					require.NoError(b, ws.StiefelVJP(u, ubar, grad))
				}
				bytes := float64(passes) * 2 * 2 * float64(len(u.Data)) * 8 // x, ȳ; read and write
				b.ReportMetric(bytes*float64(b.N)/b.Elapsed().Seconds()/1e9, "pair-GB/s")
				b.ReportMetric(float64(passes), "pair-passes")
			})
		}
	}
}
