package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/library"
)

// TestSingleMatchesItsubaki: in single precision (float32/complex64), with every blocking
// configuration (gate by gate included), serial and parallel, random circuits over every
// gate itsubaki/q has, with up to two extra controls, agree with itsubaki/q (bits reversed,
// complex128) to 2e-6 per amplitude, and with double-precision gate-by-gate execution as
// well; on the real and the complex path.
func TestSingleMatchesItsubaki(t *testing.T) {
	perN := 4
	if testing.Short() {
		perN = 1
	}
	pool := itsubakiPool()
	realPool := realOf(pool)
	withThreads(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(31, 32))
		worst, worstDouble := 0.0, 0.0
		for n := 4; n <= 10; n++ {
			for trial := 0; trial < perN; trial++ {
				p := pool
				if trial%2 == 1 {
					p = realPool
				}
				c := randomCircuit(r, n, 6*n+10, p, 2)
				want := runItsubaki(t, c)
				var double *Result
				var err error
				withBlocking(BlockConfig{}, func() { double, err = Run(c, Options{}) })
				require.NoError(t, err)
				for _, cfg := range blockConfigs {
					for _, complexPath := range []bool{true, false} {
						var res *Result
						withBlocking(cfg, func() { res, err = Run(c, Options{Complex: complexPath, Precision: Single}) })
						require.NoError(t, err)
						require.Equal(t, Single, res.State.Precision())
						require.Equal(t, !complexPath && c.IsReal(), res.State.IsReal())
						got := res.State.Amplitudes()
						e, ed := maxDiff(got, want), maxDiff(got, double.State.Amplitudes())
						worst, worstDouble = max(worst, e), max(worstDouble, ed)
						require.Less(t, e, 2e-6, "n=%d trial %d %v complex=%v\n%s", n, trial, cfg, complexPath, describe(c))
						require.Less(t, ed, 2e-6)
					}
				}
			}
		}
		t.Logf("worst amplitude difference: %.3g against itsubaki/q, %.3g against double gate by gate", worst, worstDouble)
	})
}

// TestSingleFidelity: a random-layered circuit of depth 20 on 14 qubits run in single
// precision through small chunks (gathers, fusion) has fidelity ≥ 1 − 1e-6 with the
// double-precision run; the norm stays 1 to 1e-5.
func TestSingleFidelity(t *testing.T) {
	c := randomLayered(14, 20, 3)
	for _, cfg := range []BlockConfig{{}, {ChunkBytes: 4 << 10, PinnedBytes: 64, FuseQubits: 1}, {ChunkBytes: 16 << 10, PinnedBytes: 256, FuseQubits: 2}} {
		var d, s *Result
		var err error
		withBlocking(cfg, func() {
			d, err = Run(c, Options{})
			require.NoError(t, err)
			s, err = Run(c, Options{Precision: Single})
		})
		require.NoError(t, err)
		f, err := Fidelity(d.State, s.State)
		require.NoError(t, err)
		t.Logf("%v: 1 − fidelity = %.3g", cfg, 1-f)
		assert.Greater(t, f, 1-1e-6)
		assert.InDelta(t, 1, s.State.Norm(), 1e-5)
	}
}

// randomLayered is library.RandomLayered for sizes the tests know to be valid.
func randomLayered(n, layers int, seed uint64) *circuit.Circuit {
	c, err := library.RandomLayered(n, layers, seed)
	if err != nil {
		panic(err) // the tests pass fixed, valid sizes
	}
	return c
}

// TestSingleStateMethods: measurement, reset, sampling, probabilities and expectations of a
// single-precision state agree with the double-precision state's (same seed, same outcomes),
// and the real state switches to complex64 at the first complex gate.
func TestSingleStateMethods(t *testing.T) {
	c := circuit.New(4)
	c.AddClbits("c", 4)
	c.H(0).RY(0.7, 1).CX(0, 2).Measure(2, 0).RZ(0.3, 1).CRX(0.4, 1, 3).Reset(0).H(0).Measure(1, 1)
	for seed := uint64(0); seed < 8; seed++ {
		d, err := Run(c, Options{Seed: seed})
		require.NoError(t, err)
		s, err := Run(c, Options{Seed: seed, Precision: Single})
		require.NoError(t, err)
		assert.Equal(t, d.Bits(), s.Bits(), "seed %d", seed)
		assert.False(t, s.State.IsReal())
		c64, r32 := s.State.SingleData()
		assert.NotNil(t, c64)
		assert.Nil(t, r32)
		assert.Less(t, maxDiff(d.State.Amplitudes(), s.State.Amplitudes()), 1e-6)
		pd, err := d.State.Probabilities()
		require.NoError(t, err)
		ps, err := s.State.Probabilities()
		require.NoError(t, err)
		for i := range pd {
			assert.InDelta(t, pd[i], ps[i], 1e-6)
			assert.InDelta(t, pd[i], s.State.Probability(i), 1e-6)
		}
		for _, p := range []string{"ZIXY", "YYZI", "XXXX", "IZIZ"} {
			ed, err := d.State.Expectation(p)
			require.NoError(t, err)
			es, err := s.State.Expectation(p)
			require.NoError(t, err)
			assert.InDelta(t, ed, es, 1e-6, p)
		}
	}
	shots := circuit.New(3)
	shots.AddClbits("c", 3)
	shots.H(0).CX(0, 1).RY(0.4, 2).Measure(0, 0).Measure(1, 1).Measure(2, 2)
	d, err := Run(shots, Options{Seed: 5, Shots: 2000})
	require.NoError(t, err)
	s, err := Run(shots, Options{Seed: 5, Shots: 2000, Precision: Single})
	require.NoError(t, err)
	assert.Equal(t, d.Counts, s.Counts)
	u, err := Run(circuit.New(4).H(0).RY(0.3, 2), Options{Precision: Single})
	require.NoError(t, err)
	assert.True(t, u.State.IsReal())
	assert.Equal(t, Single, u.State.Precision())
	_, r32 := u.State.SingleData()
	assert.NotNil(t, r32)
	assert.InDelta(t, 1, u.State.Norm(), 1e-6)
	st, err := NewStatePrecision(3, Single)
	require.NoError(t, err)
	require.NoError(t, st.ApplyOp(&shots.Ops[0], nil))
	assert.InDelta(t, 0.5, st.Probability(1), 1e-7)
	cl := st.Clone()
	assert.Equal(t, st.Amplitudes(), cl.Amplitudes())
	f, err := Fidelity(st, cl)
	require.NoError(t, err)
	assert.InDelta(t, 1, f, 1e-12)
	_, err = Fidelity(st, u.State)
	assert.Error(t, err, "different qubit counts")
	_, err = NewStatePrecision(70, Single)
	var me *MemoryError
	assert.ErrorAs(t, err, &me)
	for in, want := range map[string]Precision{"single": Single, "complex64": Single, "double": Double, "float64": Double} {
		p, err := ParsePrecision(in)
		require.NoError(t, err)
		assert.Equal(t, want, p)
		assert.Equal(t, map[Precision]string{Single: "single", Double: "double"}[want], p.String())
	}
	_, err = ParsePrecision("half")
	assert.ErrorContains(t, err, "half")
}

// TestStartComplex: a circuit that will turn complex starts complex when its real and complex
// states do not fit side by side under the memory limit (and only then); it still runs.
func TestStartComplex(t *testing.T) {
	c := circuit.New(10)
	c.H(0).RZ(0.3, 0).RY(0.2, 1)
	prog, err := prepare(c, nil)
	require.NoError(t, err)
	sh := prog.sh
	assert.False(t, startComplex(c, sh, Options{}))
	// A limit under which a complex128 state fits but real + complex do not.
	complexOnly := footprintOf(c, sh, Options{}, true, false)
	both := footprintOf(c, sh, Options{}, false, true)
	require.Greater(t, both.Bytes(), complexOnly.Bytes())
	limit := int64(complexOnly.Bytes()) + 100
	assert.True(t, startComplex(c, sh, Options{MemoryLimit: limit}))
	res, err := Run(c, Options{MemoryLimit: limit})
	require.NoError(t, err)
	want, err := Run(c, Options{})
	require.NoError(t, err)
	assert.Less(t, maxDiff(res.State.Amplitudes(), want.State.Amplitudes()), 1e-15)
	single := footprintOf(c, sh, Options{Precision: Single}, true, false)
	assert.True(t, startComplex(c, sh, Options{MemoryLimit: int64(single.Bytes()) + 100, Precision: Single}))
	real := circuit.New(10)
	real.H(0).RY(0.2, 1)
	prog, err = prepare(real, nil)
	require.NoError(t, err)
	assert.False(t, startComplex(real, prog.sh, Options{MemoryLimit: limit}))
}

// TestSingleSIMD: the single-precision AVX2+FMA loops (pairs on runs, the short-run lane
// layouts of R = 1, 2, 4, strided blocks, scaling) against the portable loops on the same
// data, for lengths that leave tails: within 4 units in the last place of float32 of the
// largest magnitude (FMA rounds once where the portable loop rounds twice).
func TestSingleSIMD(t *testing.T) {
	if !useSIMD32 {
		t.Skip("no AVX2+FMA on this CPU (the portable loops are what runs)")
	}
	r := rand.New(rand.NewPCG(41, 42))
	rf := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return v
	}
	rc := func(n int) []complex64 {
		v := make([]complex64, n)
		for i := range v {
			v[i] = complex(float32(r.NormFloat64()), float32(r.NormFloat64()))
		}
		return v
	}
	m := rc(4)
	mf := rf(4)
	both := func(f func()) {
		defer func() { useSIMD32 = true }()
		useSIMD32 = true
		f()
		useSIMD32 = false
		f()
	}
	worst := 0.0
	check := func(name string, simd, plain []complex64) {
		for i := range simd {
			d := float64(cmplxAbs64(simd[i] - plain[i]))
			worst = max(worst, d)
			require.Less(t, d, 2e-6*max(1, float64(cmplxAbs64(plain[i]))), "%s element %d", name, i)
		}
	}
	checkF := func(name string, simd, plain []float32) {
		for i := range simd {
			d := math.Abs(float64(simd[i] - plain[i]))
			worst = max(worst, d)
			require.Less(t, d, 2e-6*max(1, math.Abs(float64(plain[i]))), "%s element %d", name, i)
		}
	}
	for _, n := range []int{1, 3, 4, 7, 8, 9, 16, 33, 64, 100} {
		for _, R := range []int{1, 2, 4} {
			if n*2*R > 1000 {
				continue
			}
			d := rf(2 * R * n)
			var out [2][]float32
			k := 0
			both(func() { x := slices.Clone(d); pairF32Short(x, R, mf[0], mf[1], mf[2], mf[3]); out[k] = x; k++ })
			checkF("pairF32Short", out[0], out[1])
			if R <= 2 {
				dc := rc(2 * R * n)
				var oc [2][]complex64
				k = 0
				both(func() { x := slices.Clone(dc); pairC64Short(x, R, m[0], m[1], m[2], m[3]); oc[k] = x; k++ })
				check("pairC64Short", oc[0], oc[1])
			}
		}
		a, b := rc(n), rc(n)
		var oa, ob [2][]complex64
		k := 0
		both(func() {
			x, y := slices.Clone(a), slices.Clone(b)
			pairC64(x, y, m[0], m[1], m[2], m[3])
			oa[k], ob[k] = x, y
			k++
		})
		check("pairC64 a", oa[0], oa[1])
		check("pairC64 b", ob[0], ob[1])
		af, bf := rf(n), rf(n)
		var ofa, ofb [2][]float32
		k = 0
		both(func() {
			x, y := slices.Clone(af), slices.Clone(bf)
			pairF32(x, y, mf[0], mf[1], mf[2], mf[3])
			ofa[k], ofb[k] = x, y
			k++
		})
		checkF("pairF32 a", ofa[0], ofa[1])
		checkF("pairF32 b", ofb[0], ofb[1])
		k = 0
		both(func() { x := slices.Clone(a); scaleC64(x, m[0]); oa[k] = x; k++ })
		check("scaleC64", oa[0], oa[1])
		k = 0
		both(func() { x := slices.Clone(af); scaleF32(x, mf[0]); ofa[k] = x; k++ })
		checkF("scaleF32", ofa[0], ofa[1])
	}
	for _, R := range []int{8, 16, 32} {
		d := rf(2 * R * 5)
		var out [2][]float32
		k := 0
		both(func() { x := slices.Clone(d); pairBlocksF32(x, R, mf[0], mf[1], mf[2], mf[3]); out[k] = x; k++ })
		checkF("pairBlocksF32", out[0], out[1])
		dc := rc(2 * R / 2 * 5)
		var oc [2][]complex64
		k = 0
		both(func() { x := slices.Clone(dc); pairBlocksC64(x, R/2, m[0], m[1], m[2], m[3]); oc[k] = x; k++ })
		check("pairBlocksC64", oc[0], oc[1])
	}
	t.Logf("worst difference SIMD vs portable: %.3g", worst)
}

func cmplxAbs64(v complex64) float32 {
	return float32(math.Hypot(float64(real(v)), float64(imag(v))))
}

// BenchmarkPrecision times the random-layered circuit (depth 20), the QFT and the Pauli-like
// real RY/CZ circuit in double and single precision alternately (the machine's state drifts,
// so the two share the same moments), n = 20 and 22, reporting the best of b.N rounds each
// and their ratio. go test ./sim -run '^$' -bench Precision -benchtime 5x
func BenchmarkPrecision(b *testing.B) {
	for _, n := range []int{20, 22} {
		qft := circuit.New(n)
		for j := n - 1; j >= 0; j-- {
			qft.H(j)
			for k := j - 1; k >= 0; k-- {
				qft.CP(math.Pi/math.Exp2(float64(j-k)), k, j)
			}
		}
		ryz := circuit.New(n)
		r := rand.New(rand.NewPCG(1, 2))
		for l := 0; l < 4; l++ {
			for q := 0; q < n; q++ {
				ryz.RY(r.Float64()*3, q)
			}
			for q := l % 2; q+1 < n; q += 2 {
				ryz.CZ(q, q+1)
			}
		}
		for _, tc := range []struct {
			name string
			c    *circuit.Circuit
		}{{"random", randomLayered(n, 20, 1)}, {"qft", qft}, {"ry-cz", ryz}} {
			b.Run(fmt.Sprintf("%s/n=%d", tc.name, n), func(b *testing.B) {
				run := func(p Precision) func() {
					return func() {
						if _, err := Run(tc.c, Options{Precision: p}); err != nil {
							b.Fatal(err)
						}
					}
				}
				_, best, _ := timeAgainstFloor(b.N, func() {}, run(Double), run(Single))
				b.ReportMetric(best[0].Seconds(), "double-s")
				b.ReportMetric(best[1].Seconds(), "single-s")
				b.ReportMetric(best[1].Seconds()/best[0].Seconds(), "single/double")
			})
		}
	}
}
