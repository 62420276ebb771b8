package sim

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/library"
	"github.com/qpeft/qpeft/gates"
	"github.com/stretchr/testify/require"
)

// dense4Oracle applies the 4x4 matrix m on targets to every column of d (N x B row-major,
// complex128) by the definition: out[i] = Σ_k m[j(i)·4+k] · d[i with the target bits set
// to k], independently of the kernels.
func dense4Oracle(d []complex128, B int, targets []int, m []complex128) []complex128 {
	out := make([]complex128, len(d))
	rows := len(d) / B
	for i := 0; i < rows; i++ {
		j := i>>targets[0]&1 | (i>>targets[1]&1)<<1
		base := i &^ (1<<targets[0] | 1<<targets[1])
		for b := 0; b < B; b++ {
			var acc complex128
			for k := 0; k < 4; k++ {
				src := base | (k&1)<<targets[0] | (k>>1)<<targets[1]
				acc += m[j*4+k] * d[src*B+b]
			}
			out[i*B+b] = acc
		}
	}
	return out
}

func randUnitary4(r *rand.Rand) []complex128 {
	if r == nil {
		r = rand.New(rand.NewPCG(7, 7))
	}
	// Gram-Schmidt on random columns.
	m := make([]complex128, 16)
	for c := 0; c < 4; c++ {
		v := make([]complex128, 4)
		for i := range v {
			v[i] = complex(r.NormFloat64(), r.NormFloat64())
		}
		for p := 0; p < c; p++ {
			var dot complex128
			for i := 0; i < 4; i++ {
				dot += cmplx.Conj(m[i*4+p]) * v[i]
			}
			for i := 0; i < 4; i++ {
				v[i] -= dot * m[i*4+p]
			}
		}
		nrm := 0.0
		for _, x := range v {
			nrm += real(x)*real(x) + imag(x)*imag(x)
		}
		for i := 0; i < 4; i++ {
			m[i*4+c] = v[i] / complex(math.Sqrt(nrm), 0)
		}
	}
	return m
}

// TestDense4SIMD checks the dense 4x4 loops (and, with them off, the portable loop) against
// the definition for every pair of target qubits (inside a vector, across vectors, high),
// both argument orders, batch widths 1-4 (3: no SIMD layout inside a vector), every element
// type, serially and split between goroutines. The worst difference is logged.
func TestDense4SIMD(t *testing.T) {
	defer func(v, v512 bool, mc int) { useDense4, useDense4x512, minChunk = v, v512, mc }(useDense4, useDense4x512, minChunk)
	minChunk = 64
	r := rand.New(rand.NewPCG(19, 4))
	type mode struct{ simd, x512 bool }
	modes := []mode{{false, false}}
	if useDense4 {
		modes = append(modes, mode{true, false})
		if useDense4x512 {
			modes = append(modes, mode{true, true})
		} else {
			t.Log("no AVX-512F: testing the AVX2 loops and the portable loop")
		}
	} else {
		t.Log("no AVX2+FMA: testing the portable loop only")
	}
	worst := map[string]float64{}
	for _, md := range modes {
		useDense4, useDense4x512 = md.simd, md.x512
		simd := fmt.Sprintf("%v/avx512=%v", md.simd, md.x512)
		for _, nB := range [][2]int{{7, 1}, {7, 2}, {7, 3}, {7, 4}, {2, 1}, {3, 1}, {3, 2}} {
			n, B := nB[0], nB[1]
			for qa := 0; qa < n; qa++ {
				for qb := 0; qb < n; qb++ {
					if qa == qb {
						continue
					}
					targets := []int{qa, qb}
					m := randUnitary4(r)
					mr := make([]complex128, 16)
					for i := range mr {
						mr[i] = complex(real(m[i]), 0)
					}
					N := (1 << n) * B
					in := make([]complex128, N)
					for i := range in {
						in[i] = complex(r.NormFloat64(), r.NormFloat64())
					}
					inr := make([]complex128, N)
					for i := range inr {
						inr[i] = complex(real(in[i]), 0)
					}
					want := dense4Oracle(in, B, targets, m)
					wantR := dense4Oracle(inr, B, targets, mr)
					for _, w := range []int{0, 3} {
						name := fmt.Sprintf("simd=%s/n=%d/B=%d/q=%d,%d/w=%d", simd, n, B, qa, qb, w)
						check := func(kind string, got []complex128, want []complex128, tol float64) {
							d := 0.0
							for i := range got {
								d = max(d, cmplx.Abs(got[i]-want[i]))
							}
							worst[kind] = max(worst[kind], d)
							assert.LessOrEqual(t, d, tol, "%s %s", name, kind)
						}
						// complex128 and complex64 with the complex matrix.
						c := append([]complex128(nil), in...)
						applyControlled(c, B, nil, targets, append([]complex128(nil), m...), w)
						check("complex128", c, want, 1e-13)
						c64 := make([]complex64, N)
						for i, v := range in {
							c64[i] = complex64(v)
						}
						m64 := make([]complex64, 16)
						for i, v := range m {
							m64[i] = complex64(v)
						}
						applyControlled(c64, B, nil, targets, m64, w)
						got := make([]complex128, N)
						for i, v := range c64 {
							got[i] = complex128(v)
						}
						check("complex64", got, want, 2e-5)
						// float64 and float32 with the real part of the matrix.
						f := make([]float64, N)
						f32 := make([]float32, N)
						for i, v := range inr {
							f[i], f32[i] = real(v), float32(real(v))
						}
						fm := make([]float64, 16)
						fm32 := make([]float32, 16)
						for i, v := range mr {
							fm[i], fm32[i] = real(v), float32(real(v))
						}
						applyControlled(f, B, nil, targets, fm, w)
						applyControlled(f32, B, nil, targets, fm32, w)
						for i := range got {
							got[i] = complex(f[i], 0)
						}
						check("float64", got, wantR, 1e-13)
						for i := range got {
							got[i] = complex(float64(f32[i]), 0)
						}
						check("float32", got, wantR, 2e-5)
						// The real matrix on complex data: the float64 loops on the re/im view.
						c = append([]complex128(nil), in...)
						applyControlled(floatView(c), 2*B, nil, targets, fm, w)
						check("real-on-complex128", c, dense4Oracle(in, B, targets, mr), 1e-13)
					}
				}
			}
		}
	}
	for k, v := range worst {
		t.Logf("worst |difference| against the definition, %s: %.2g", k, v)
	}
}

// TestDense4Layouts checks which layouts get a SIMD loop (G vectors per group).
func TestDense4Layouts(t *testing.T) {
	for _, tc := range []struct {
		B, qa, qb, es int
		cplx          bool
		G             int
	}{
		{1, 2, 5, 8, true, 4}, {1, 1, 5, 8, true, 2}, {1, 0, 1, 8, true, 1}, {1, 0, 5, 16, true, 2},
		{1, 1, 4, 16, true, 4}, {1, 0, 1, 16, true, 2}, {1, 0, 1, 8, false, 1}, {3, 0, 4, 8, true, 0}, {1, 0, 2, 4, false, 1},
	} {
		pl, ok := newDense4Plan(tc.B, []int{tc.qa, tc.qb}, randUnitary4(rand.New(rand.NewPCG(1, 2))), tc.cplx, tc.es, 32)
		if tc.G == 0 {
			assert.False(t, ok, "%+v", tc)
			continue
		}
		require.True(t, ok, "%+v", tc)
		assert.Equal(t, tc.G, pl.G, "%+v", tc)
	}
}

// floatView is the interleaved re/im float64 view of complex128 data.
func floatView(c []complex128) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(c))), 2*len(c))
}

// TestMulRun checks the element-by-element products of the short-run diagonals (diagPattern)
// against the Go loop: bit for bit in double precision (no FMA there), to rounding in single.
func TestMulRun(t *testing.T) {
	t.Cleanup(func() { useSIMD = simdCPU })
	r := rand.New(rand.NewPCG(3, 9))
	for _, simd := range []bool{false, simdCPU} {
		useSIMD = simd
		for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 64, 67} {
			a := make([]complex128, n)
			p := make([]complex128, n)
			a64 := make([]complex64, n)
			p64 := make([]complex64, n)
			for i := range a {
				a[i], p[i] = complex(r.NormFloat64(), r.NormFloat64()), complex(r.NormFloat64(), r.NormFloat64())
				a64[i], p64[i] = complex64(a[i]), complex64(p[i])
			}
			want := make([]complex128, n)
			for i := range a {
				want[i] = a[i] * p[i]
			}
			mulRun(a, p)
			mulRun(a64, p64)
			for i := range a {
				require.Equal(t, math.Float64bits(real(want[i])), math.Float64bits(real(a[i])), "simd=%v n=%d i=%d", simd, n, i)
				require.Equal(t, math.Float64bits(imag(want[i])), math.Float64bits(imag(a[i])), "simd=%v n=%d i=%d", simd, n, i)
				assert.InDelta(t, real(want[i]), float64(real(a64[i])), 1e-5*(1+cmplx.Abs(want[i])))
				assert.InDelta(t, imag(want[i]), float64(imag(a64[i])), 1e-5*(1+cmplx.Abs(want[i])))
			}
		}
	}
}

// TestFusedDense4MatchesItsubaki: with chunks big enough for the SIMD dense 4x4 loops (8 KiB,
// n = 11 and 12) and 2-qubit fusion, random-layered circuits, the QFT, the Pauli ansatz and
// random circuits over every gate itsubaki/q has agree with itsubaki/q (bits reversed) in
// double precision (1e-12 per amplitude) and in single precision (2e-6), on the real and the
// complex path, with the AVX-512 loops, the AVX2 loops and the portable loop, serial and
// parallel. It also checks that the schedules do run fused 4x4 blocks through the SIMD loops.
func TestFusedDense4MatchesItsubaki(t *testing.T) {
	defer func(v, v512 bool) { useDense4, useDense4x512 = v, v512 }(useDense4, useDense4x512)
	type mode struct{ simd, x512 bool }
	modes := []mode{{false, false}}
	if useDense4 {
		modes = append(modes, mode{true, false})
		if useDense4x512 {
			modes = append(modes, mode{true, true})
		}
	}
	cfg := BlockConfig{ChunkBytes: 8 << 10, PinnedBytes: 256, FuseQubits: 2}
	pool := itsubakiPool()
	r := rand.New(rand.NewPCG(5, 19))
	worst := map[Precision]float64{}
	withThreads(t, func(t *testing.T) {
		for _, n := range []int{11, 12} {
			rl, err := library.RandomLayered(n, 8, 3)
			require.NoError(t, err)
			qft, err := library.QFT(n)
			require.NoError(t, err)
			pa, _ := pauliAnsatz(n, 3, 2)
			circs := []*circuit.Circuit{rl, qft, pa, randomCircuit(r, n, 8*n, pool, 1)}
			for ci, c := range circs {
				want := runItsubaki(t, c)
				for _, md := range modes {
					useDense4, useDense4x512 = md.simd, md.x512
					if md.simd && ci == 0 {
						steps, err := compile(c, nil)
						require.NoError(t, err)
						sweeps, _ := cfg.plan(gateSteps(steps), n, 2, 8, true)
						a := amps{c: make([]complex128, 1), n: n, B: 1}
						d4 := 0
						for i := range sweeps {
							for j := range sweeps[i].steps {
								if st := &sweeps[i].steps[j]; !sweeps[i].direct {
									a.prepareDense4(st)
									if st.d4 != nil {
										d4++
									}
								}
							}
						}
						require.Positive(t, d4, "no SIMD 4x4 block in the schedule of the random-layered circuit")
					}
					for _, prec := range []Precision{Double, Single} {
						for _, complexPath := range []bool{true, false} {
							var res *Result
							withBlocking(cfg, func() { res, err = Run(c, Options{Complex: complexPath, Precision: prec}) })
							require.NoError(t, err)
							e := maxDiff(res.State.Amplitudes(), want)
							worst[prec] = max(worst[prec], e)
							tol := 1e-12
							if prec == Single {
								tol = 2e-6
							}
							require.LessOrEqual(t, e, tol, "n=%d circuit %d simd=%v avx512=%v %s complex=%v", n, ci, md.simd, md.x512, prec, complexPath)
						}
					}
				}
			}
		}
	})
	for p, w := range worst {
		t.Logf("worst amplitude difference against itsubaki/q, %s precision: %.2g", p, w)
	}
}

// TestMergedDiagonals: circuits rich in diagonal gates (controlled phases, rz, s, t, cz, with
// extra controls, between h and cx layers) run with chunks small enough for merged diagonal
// steps (mergeDiagonals) agree with itsubaki/q in both precisions and on both paths, and the
// schedules do merge diagonals.
func TestMergedDiagonals(t *testing.T) {
	var diagPool, mix []*gates.Gate
	for _, g := range itsubakiPool() {
		switch g.Name {
		case "cp", "rz", "s", "t", "cz", "z", "sdg", "tdg", "p", "crz", "u1", "cu1":
			diagPool = append(diagPool, g)
		case "h", "cx", "ry":
			mix = append(mix, g)
		}
	}
	require.NotEmpty(t, diagPool)
	r := rand.New(rand.NewPCG(8, 8))
	worst := map[Precision]float64{}
	merged := 0
	for _, cfg := range []BlockConfig{{ChunkBytes: 8 << 10, PinnedBytes: 256, FuseQubits: 2}, {ChunkBytes: 2 << 10, PinnedBytes: 64, FuseQubits: 1}} {
		for _, n := range []int{9, 11, 12} {
			for trial := 0; trial < 3; trial++ {
				c := circuit.New(n)
				for len(c.Ops) < 12*n {
					pool := diagPool
					if r.IntN(6) == 0 {
						pool = mix
					}
					require.NoError(t, c.Append(randomOp(r, n, pool, 1, false)))
				}
				want := runItsubaki(t, c)
				steps, err := compile(c, nil)
				require.NoError(t, err)
				sweeps, _ := cfg.plan(gateSteps(steps), n, 2, 8, true)
				for i := range sweeps {
					for j := range sweeps[i].steps {
						if sweeps[i].steps[j].dg != nil {
							merged++
						}
					}
				}
				for _, prec := range []Precision{Double, Single} {
					for _, complexPath := range []bool{true, false} {
						var res *Result
						withBlocking(cfg, func() { res, err = Run(c, Options{Complex: complexPath, Precision: prec}) })
						require.NoError(t, err)
						e := maxDiff(res.State.Amplitudes(), want)
						worst[prec] = max(worst[prec], e)
						tol := 1e-12
						if prec == Single {
							tol = 2e-6
						}
						require.LessOrEqual(t, e, tol, "n=%d %v %s complex=%v\n%s", n, cfg, prec, complexPath, describe(c))
					}
				}
			}
		}
	}
	require.Positive(t, merged, "no merged diagonal in the schedules")
	t.Logf("%d merged diagonal steps; worst amplitude difference against itsubaki/q: double %.2g, single %.2g", merged, worst[Double], worst[Single])
}

// mulRunRealCase checks mulRun on real data of type T against the product computed here,
// bit for bit (one multiply per element, no FMA), for every length and every start offset of
// a and of p within their arrays (the alignments the pattern blocks and any caller produce),
// and that nothing outside a[:n] and nothing of p is written.
func mulRunRealCase[T float32 | float64](t *testing.T, simd bool, bits func(T) uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 11))
	w := 32 / int(unsafe.Sizeof(T(0))) // elements per AVX2 vector
	lengths := []int{0, 1, w - 1, w, w + 1, 2*w + 3, 4*w - 1, 4 * w, 4*w + 1, 5*w + 2, patternElems, patternElems + 3, 1000}
	for _, n := range lengths {
		for offA := 0; offA < w; offA++ {
			for _, offP := range []int{0, 1, w - 1} {
				bufA := make([]T, n+offA+w)
				bufP := make([]T, n+offP+w)
				for i := range bufA {
					bufA[i] = T(r.NormFloat64())
				}
				for i := range bufP {
					bufP[i] = T(r.NormFloat64())
				}
				if n > 2 { // specials pass through one multiply as Go's does
					bufP[offP] = T(math.Inf(1))
					bufA[offA+1] = T(math.NaN())
					bufA[offA+2] = 0
				}
				origA, origP := append([]T(nil), bufA...), append([]T(nil), bufP...)
				a, p := bufA[offA:offA+n], bufP[offP:offP+n]
				mulRun(a, p)
				name := fmt.Sprintf("simd=%v n=%d offA=%d offP=%d", simd, n, offA, offP)
				for i := range bufA {
					want := origA[i]
					if i >= offA && i < offA+n {
						want = origA[i] * origP[offP+i-offA]
					}
					require.Equal(t, bits(want), bits(bufA[i]), "%s i=%d", name, i)
				}
				assert.Equal(t, origP, bufP, "%s: p written", name)
				if simd {
					assert.Equal(t, n&^(w-1), mulRunVec(bufA[offA:offA+n], p), "%s: SIMD elements", name)
				}
			}
		}
	}
}

// TestMulRunReal checks the real (float64, float32) element-by-element products of the
// merged diagonals' pattern pass, with the AVX2 loops (when the CPU has them) and the Go
// loop, against the products computed by the test.
func TestMulRunReal(t *testing.T) {
	t.Cleanup(func() { useSIMD = simdCPU })
	for _, simd := range []bool{false, simdCPU} {
		useSIMD = simd
		t.Run(fmt.Sprintf("float64/simd=%v", simd), func(t *testing.T) {
			mulRunRealCase(t, simd, func(v float64) uint64 { return math.Float64bits(v) })
		})
		t.Run(fmt.Sprintf("float32/simd=%v", simd), func(t *testing.T) {
			mulRunRealCase(t, simd, func(v float32) uint64 { return uint64(math.Float32bits(v)) })
		})
	}
}
