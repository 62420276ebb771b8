package sim

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// TestUnitaryDense: Unitary, Columns and RealColumns of random circuits over every gate (with
// ctrl @ modifiers and symbolic angles) equal the brute-force product of embedded matrices.
func TestUnitaryDense(t *testing.T) {
	withThreads(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		all := gates.All()
		for n := 1; n <= 5; n++ {
			for trial := 0; trial < 12; trial++ {
				pool := all
				if trial%3 == 2 {
					pool = realGates()
				}
				c := circuit.New(n)
				for len(c.Ops) < 3*n+6 {
					require.NoError(t, c.Append(randomOp(r, n, pool, min(2, n-1), true)))
				}
				d := 1 << n
				want := denseCircuit(t, c, testEnv)
				u, err := Unitary(c, testEnv)
				require.NoError(t, err)
				require.LessOrEqual(t, maxDiff(u.Data, want), 1e-12, "n=%d trial %d: Unitary differs", n, trial)
				k := 1 + r.IntN(d)
				cols, err := Columns(c, testEnv, k)
				require.NoError(t, err)
				require.LessOrEqual(t, maxDiff(cols.Data, firstColumns(want, d, k)), 1e-12, "n=%d: Columns(%d) differs", n, k)
				if trial%3 == 2 {
					rc, err := RealColumns(c, testEnv, k)
					require.NoError(t, err)
					require.LessOrEqual(t, maxDiff(toComplex(rc.Data), firstColumns(want, d, k)), 1e-12, "n=%d: RealColumns(%d) differs", n, k)
				}
			}
		}
	})
}

func firstColumns(u []complex128, d, k int) []complex128 {
	out := make([]complex128, 0, d*k)
	for i := 0; i < d; i++ {
		out = append(out, u[i*d:i*d+k]...)
	}
	return out
}

// TestUnitarityAndInverse: U†U = I for random circuits, and the circuit followed by its
// inverse (circuit.Inverse) simulates to the identity; both to 1e-12 (Frobenius norm).
func TestUnitarityAndInverse(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for n := 1; n <= 7; n++ {
		for trial := 0; trial < 6; trial++ {
			c := randomCircuit(r, n, 5*n+5, gates.All(), min(2, n-1))
			d := 1 << n
			u, err := Unitary(c, nil)
			require.NoError(t, err)
			assert.LessOrEqual(t, frobDiff(matMul(adjoint(u.Data, d), u.Data, d, d, d), identity(d)), 1e-12, "n=%d: ‖U†U − I‖", n)
			inv, err := c.Inverse()
			require.NoError(t, err)
			both := c.Clone()
			require.NoError(t, both.Compose(inv, nil, nil))
			v, err := Unitary(both, nil)
			require.NoError(t, err)
			assert.LessOrEqual(t, frobDiff(v.Data, identity(d)), 1e-12, "n=%d: ‖U⁻¹U − I‖", n)
		}
	}
}

func frobDiff(a, b []complex128) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += real(d)*real(d) + imag(d)*imag(d)
	}
	return math.Sqrt(s)
}

// TestRealPathMatchesComplex: real circuits simulate to the same amplitudes on the float64
// and the complex128 path (to 1e-13), for states and for Stiefel columns.
func TestRealPathMatchesComplex(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for n := 1; n <= 12; n++ {
		for trial := 0; trial < 4; trial++ {
			c := randomCircuit(r, n, 6*n, realGates(), min(2, n-1))
			re, err := Run(c, Options{})
			require.NoError(t, err)
			cx, err := Run(c, Options{Complex: true})
			require.NoError(t, err)
			require.True(t, re.State.IsReal(), "n=%d: the real path's state is real", n)
			require.False(t, cx.State.IsReal(), "n=%d: the complex path's state is complex", n)
			assert.LessOrEqual(t, maxDiff(re.State.Amplitudes(), cx.State.Amplitudes()), 1e-13, "n=%d: real and complex paths differ", n)
			if n <= 8 {
				k := 1 + r.IntN(1<<n)
				a, err := RealColumns(c, nil, k)
				require.NoError(t, err)
				b, err := Columns(c, nil, k)
				require.NoError(t, err)
				assert.LessOrEqual(t, maxDiff(toComplex(a.Data), b.Data), 1e-13, "n=%d: RealColumns and Columns differ", n)
			}
		}
	}
	// A circuit with a complex gate is refused by RealColumns, naming the gate.
	c := circuit.New(2).RY(0.3, 0).RZ(0.2, 1)
	_, err := RealColumns(c, nil, 2)
	assert.ErrorContains(t, err, "rz", "RealColumns with rz")
}

// TestHandWrittenGates checks the gates itsubaki/q lacks against matrices written out by hand
// from their definitions (Qiskit's little-endian matrices; Braket's big-endian MS matrix
// with its bit order reversed here).
func TestHandWrittenGates(t *testing.T) {
	const th, f0, f1 = 0.913, -0.377, 1.234
	c, s := complex(math.Cos(th/2), 0), complex(math.Sin(th/2), 0)
	e := func(x float64) complex128 { return cmplx.Exp(complex(0, x)) }
	h := complex(1/math.Sqrt2, 0)
	msBig := []complex128{
		c, 0, 0, -1i * e(-(f0 + f1)) * s,
		0, c, -1i * e(-(f0 - f1)) * s, 0,
		0, -1i * e(f0-f1) * s, c, 0,
		-1i * e(f0+f1) * s, 0, 0, c,
	}
	cases := []struct {
		name string
		args []float64
		m    []complex128
	}{
		{"sx", nil, []complex128{0.5 + 0.5i, 0.5 - 0.5i, 0.5 - 0.5i, 0.5 + 0.5i}},
		{"sxdg", nil, []complex128{0.5 - 0.5i, 0.5 + 0.5i, 0.5 + 0.5i, 0.5 - 0.5i}},
		{"gpi", []float64{f0}, []complex128{0, e(-f0), e(f0), 0}},
		{"gpi2", []float64{f0}, []complex128{h, -1i * h * e(-f0), -1i * h * e(f0), h}},
		{"rxx", []float64{th}, []complex128{c, 0, 0, -1i * s, 0, c, -1i * s, 0, 0, -1i * s, c, 0, -1i * s, 0, 0, c}},
		{"ryy", []float64{th}, []complex128{c, 0, 0, 1i * s, 0, c, -1i * s, 0, 0, -1i * s, c, 0, 1i * s, 0, 0, c}},
		{"rzz", []float64{th}, []complex128{e(-th / 2), 0, 0, 0, 0, e(th / 2), 0, 0, 0, 0, e(th / 2), 0, 0, 0, 0, e(-th / 2)}},
		{"iswap", nil, []complex128{1, 0, 0, 0, 0, 0, 1i, 0, 0, 1i, 0, 0, 0, 0, 0, 1}},
		{"ecr", nil, []complex128{0, h, 0, 1i * h, h, 0, -1i * h, 0, 0, 1i * h, 0, h, -1i * h, 0, h, 0}},
		{"ms", []float64{f0, f1, th}, reverseBits(msBig, 2)},
		{"cswap", nil, permMatrix(8, 3, 5)},
		{"swap", nil, permMatrix(4, 1, 2)},
	}
	for _, tc := range cases {
		g := gates.MustGet(tc.name)
		cc := circuit.New(g.Qubits)
		qs := make([]int, g.Qubits)
		for i := range qs {
			qs[i] = i
		}
		args := make([]any, len(tc.args))
		for i, a := range tc.args {
			args[i] = a
		}
		require.NoError(t, cc.Gate(tc.name, qs, args...))
		u, err := Unitary(cc, nil)
		require.NoError(t, err)
		assert.LessOrEqual(t, maxDiff(u.Data, tc.m), 1e-15, "%s: differs from the hand-written matrix", tc.name)
		// And embedded on scattered qubits of a larger register, against the dense oracle.
		n := g.Qubits + 2
		big := circuit.New(n)
		perm := []int{n - 1, 1, 0}[:g.Qubits]
		require.NoError(t, big.Gate(tc.name, perm, args...))
		ub, err := Unitary(big, nil)
		require.NoError(t, err)
		assert.LessOrEqual(t, maxDiff(ub.Data, embed(n, perm, tc.m)), 1e-15, "%s on %v: differs", tc.name, perm)
	}
}

// reverseBits turns a big-endian k-qubit matrix into little-endian order.
func reverseBits(m []complex128, k int) []complex128 {
	d := 1 << k
	out := make([]complex128, d*d)
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			out[bitrev(r, k)*d+bitrev(c, k)] = m[r*d+c]
		}
	}
	return out
}

func permMatrix(d, a, b int) []complex128 {
	m := identity(d)
	m[a*d+a], m[b*d+b], m[a*d+b], m[b*d+a] = 0, 0, 1, 1
	return m
}

// TestExpectation compares ⟨ψ|P|ψ⟩ with the dense Pauli matrix (Kronecker products of the
// hand-written 2x2 Paulis, rightmost label character on qubit 0) on random complex and real
// states.
func TestExpectation(t *testing.T) {
	paulis := map[byte][]complex128{
		'I': {1, 0, 0, 1}, 'X': {0, 1, 1, 0}, 'Y': {0, -1i, 1i, 0}, 'Z': {1, 0, 0, -1},
	}
	r := rand.New(rand.NewPCG(51, 52))
	for n := 1; n <= 6; n++ {
		for trial := 0; trial < 20; trial++ {
			label := make([]byte, n)
			for i := range label {
				label[i] = "IXYZ"[r.IntN(4)]
			}
			// Dense P = label[0] ⊗ … ⊗ label[n−1]: the leftmost factor is the highest qubit.
			p := []complex128{1}
			dim := 1
			for _, ch := range label {
				p = kron(p, dim, paulis[ch], 2)
				dim *= 2
			}
			var s *State
			var err error
			if trial%2 == 0 {
				s, err = FromAmplitudes(normalize(randComplex(r, 1<<n)))
			} else {
				v := normalize(toComplex(randReal(r, 1<<n)))
				s, err = FromRealAmplitudes(realParts(v))
			}
			require.NoError(t, err)
			psi := s.Amplitudes()
			pv := matMul(p, psi, dim, dim, 1)
			var want complex128
			for i := range psi {
				want += cmplx.Conj(psi[i]) * pv[i]
			}
			got, err := s.Expectation(string(label))
			require.NoError(t, err)
			assert.InDelta(t, real(want), got, 1e-13, "⟨%s⟩ (real %v), want %v", label, s.IsReal(), want)
			assert.InDelta(t, 0, imag(want), 1e-13, "⟨%s⟩ (real %v): imaginary part of the oracle's %v", label, s.IsReal(), want)
			lower, _ := s.Expectation(strings.ToLower(string(label)))
			assert.Equal(t, got, lower, "lower-case label %s", label)
		}
	}
	s, _ := NewState(3)
	for _, bad := range []string{"XZ", "XQZ", "IIII"} {
		_, err := s.Expectation(bad)
		assert.Error(t, err, "Expectation(%q)", bad)
	}
	// Hand-derived values: |0⟩ has ⟨Z⟩ = 1; RY(θ)|0⟩ has ⟨X⟩ = sin θ, ⟨Z⟩ = cos θ.
	res, _ := Run(circuit.New(2).RY(0.6, 0), Options{})
	for label, want := range map[string]float64{"IZ": math.Cos(0.6), "IX": math.Sin(0.6), "ZI": 1, "ZZ": math.Cos(0.6), "IY": 0} {
		got, _ := res.State.Expectation(label)
		assert.InDelta(t, want, got, 1e-15, "⟨%s⟩", label)
	}
}

func normalize(v []complex128) []complex128 {
	s := 0.0
	for _, x := range v {
		s += real(x)*real(x) + imag(x)*imag(x)
	}
	s = 1 / math.Sqrt(s)
	for i := range v {
		v[i] *= complex(s, 0)
	}
	return v
}

func randReal(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

// chiSquared returns Σ (observed − expected)² / expected over outcomes with expected > 0,
// the degrees of freedom, and an error if an outcome with probability 0 was observed.
func chiSquared(t *testing.T, counts map[string]int, probs map[string]float64, shots int) (float64, int) {
	t.Helper()
	chi, df := 0.0, -1
	for k, p := range probs {
		if p == 0 {
			continue
		}
		e := p * float64(shots)
		o := float64(counts[k])
		chi += (o - e) * (o - e) / e
		df++
	}
	for k, n := range counts {
		assert.NotZero(t, probs[k], "outcome %s observed %d times but has probability 0", k, n)
	}
	return chi, df
}

// chi2Critical999 is the 0.999 quantile of χ² with df degrees of freedom
// (Wilson–Hilferty approximation, accurate to a few per cent for df ≥ 3).
func chi2Critical999(df int) float64 {
	const z = 3.090232 // Φ⁻¹(0.999)
	k := float64(df)
	a := 1 - 2/(9*k) + z*math.Sqrt(2/(9*k))
	return k * a * a * a
}

// TestSamplingChiSquared: shots sampled from random states (fixed seeds, so the test is
// deterministic) fit the exact Born probabilities; the terminal-measurement fast path and
// per-shot trajectories both.
func TestSamplingChiSquared(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	for n := 1; n <= 5; n++ {
		for trial := 0; trial < 3; trial++ {
			c := randomCircuit(r, n, 4*n+4, gates.All(), 0)
			st, err := Statevector(c, nil)
			require.NoError(t, err)
			probs := map[string]float64{}
			pr, _ := st.Probabilities()
			for i, p := range pr {
				probs[basisString(i, n)] += p
			}
			c.MeasureAll()
			for _, mid := range []bool{false, true} {
				cc := c
				if mid { // a barrier then an identity after the measurements forces trajectories
					cc = c.Clone()
					cc.Barrier()
					cc.I(0)
				}
				shots := 4000
				res, err := Run(cc, Options{Shots: shots, Seed: uint64(100*n + trial)})
				require.NoError(t, err)
				chi, df := chiSquared(t, res.Counts, probs, shots)
				if df >= 1 {
					assert.LessOrEqual(t, chi, chi2Critical999(max(df, 3)), "n=%d trial %d trajectories=%v: χ² with %d degrees of freedom", n, trial, mid, df)
				}
			}
		}
	}
}

func basisString(i, n int) string {
	b := make([]byte, n)
	for k := 0; k < n; k++ {
		b[n-1-k] = '0' + byte(i>>k&1)
	}
	return string(b)
}

// TestSeedsReproduce: the same seed gives the same shots, in the same order; another seed
// gives others.
func TestSeedsReproduce(t *testing.T) {
	c := circuit.New(3).H(0, 1, 2).RY(0.4, 1).CX(0, 2).MeasureAll()
	mid := circuit.New(2).H(0).Measure(0, 0).X(1).If([]int{0}, 1).H(1).Measure(1, 1)
	for _, cc := range []*circuit.Circuit{c, mid} {
		a, _ := Run(cc, Options{Shots: 500, Seed: 7, Memory: true})
		b, _ := Run(cc, Options{Shots: 500, Seed: 7, Memory: true})
		d, _ := Run(cc, Options{Shots: 500, Seed: 8, Memory: true})
		assert.Equal(t, a.Memory, b.Memory, "same seed, different shots")
		assert.NotEqual(t, a.Memory, d.Memory, "different seeds, same 500 shots")
		sum := 0
		for _, n := range a.Counts {
			sum += n
		}
		assert.Equal(t, 500, sum, "counts sum")
		assert.Len(t, a.Memory, 500, "memory")
	}
}

// TestMidCircuitMeasurement: Bell pairs measured one qubit at a time always agree, and the
// state collapses onto the outcome with norm 1.
func TestMidCircuitMeasurement(t *testing.T) {
	c := circuit.New(2).H(0).CX(0, 1).Measure(0, 0).Measure(1, 1)
	for seed := uint64(0); seed < 40; seed++ {
		res, err := Run(c, Options{Seed: seed})
		require.NoError(t, err)
		b := res.Bits()
		require.Contains(t, []string{"00", "11"}, b, "seed %d: Bell pair measured", seed)
		want := make([]complex128, 4)
		want[map[string]int{"00": 0, "11": 3}[b]] = 1
		require.LessOrEqual(t, maxDiff(res.State.Amplitudes(), want), 1e-15, "seed %d: collapsed state %v", seed, res.State.Amplitudes())
	}
	res, _ := Run(c, Options{Shots: 2000, Seed: 3})
	assert.Len(t, res.Counts, 2, "Bell counts %v", res.Counts)
	assert.Equal(t, 2000, res.Counts["00"]+res.Counts["11"], "Bell counts %v", res.Counts)
	assert.Nil(t, res.State, "a measured circuit with shots has no single final state")
}

// TestTeleportation: the standard teleportation circuit with mid-circuit measurement and
// classically conditioned corrections leaves qubit 2 in the input state, for every outcome.
func TestTeleportation(t *testing.T) {
	const th, ph = 1.1, -0.6
	in := []complex128{complex(math.Cos(th/2), 0), cmplx.Exp(complex(0, ph)) * complex(math.Sin(th/2), 0)}
	c := circuit.New(3)
	c.AddClbits("m", 2)
	c.RY(th, 0).P(ph, 0) // the state to send: cos(θ/2)|0⟩ + e^{iφ} sin(θ/2)|1⟩
	c.H(1).CX(1, 2)
	c.CX(0, 1).H(0)
	c.Measure(0, 0).Measure(1, 1)
	c.X(2).If([]int{1}, 1)
	c.Z(2).If([]int{0}, 1)
	seen := map[string]bool{}
	for seed := uint64(0); seed < 40; seed++ {
		res, err := Run(c, Options{Seed: seed})
		require.NoError(t, err)
		m0, m1 := int(res.Clbits[0]), int(res.Clbits[1])
		seen[res.Bits()] = true
		want := make([]complex128, 8)
		want[m0|m1<<1] = in[0]
		want[m0|m1<<1|4] = in[1]
		require.LessOrEqual(t, maxDiff(res.State.Amplitudes(), want), 1e-14, "outcome %s: final state differs", res.Bits())
	}
	assert.Len(t, seen, 4, "saw outcomes %v, want all four", seen)
}

// TestConditionalChiSquared: RY(a) q0; measure q0; if c0 = 1 then RY(b) q1; measure q1. The
// exact distribution is P(c0=1) = sin²(a/2), P(c1=1 | c0=1) = sin²(b/2), P(c1=1 | c0=0) = 0.
func TestConditionalChiSquared(t *testing.T) {
	const a, b = 1.2, 2.1
	c := circuit.New(2).RY(a, 0).Measure(0, 0).RY(b, 1).If([]int{0}, 1).Measure(1, 1)
	p1 := math.Pow(math.Sin(a/2), 2)
	q1 := math.Pow(math.Sin(b/2), 2)
	probs := map[string]float64{"00": 1 - p1, "01": p1 * (1 - q1), "11": p1 * q1, "10": 0}
	const shots = 20000
	res, err := Run(c, Options{Shots: shots, Seed: 99})
	require.NoError(t, err)
	chi, df := chiSquared(t, res.Counts, probs, shots)
	assert.LessOrEqual(t, chi, chi2Critical999(max(df, 3)), "χ² with %d degrees of freedom; counts %v", df, res.Counts)
}

// TestConditionedMeasurement: a measurement conditioned on a bit is skipped when the bit does
// not match, also after the last gate (where shots are otherwise sampled from one state).
func TestConditionedMeasurement(t *testing.T) {
	c := circuit.New(2).X(1)
	c.AddClbits("c", 2)
	c.Measure(0, 0)
	c.Measure(1, 1).If([]int{0}, 1) // c0 is 0, so c1 stays 0 although qubit 1 is 1
	res, err := Run(c, Options{Shots: 50})
	require.NoError(t, err)
	assert.Equal(t, 50, res.Counts["00"], "counts %v, want {00: 50}", res.Counts)
}

// TestReset: reset sends a qubit to |0⟩ from any state, keeping the other qubits' state.
func TestReset(t *testing.T) {
	c := circuit.New(2).RY(1.3, 0).H(1).Reset(0)
	for seed := uint64(0); seed < 20; seed++ {
		res, err := Run(c, Options{Seed: seed})
		require.NoError(t, err)
		h := complex(1/math.Sqrt2, 0)
		require.LessOrEqual(t, maxDiff(res.State.Amplitudes(), []complex128{h, 0, h, 0}), 1e-15, "seed %d: after reset %v", seed, res.State.Amplitudes())
	}
}

// TestCountsKeys: bit strings are Qiskit style, highest bit leftmost, registers separated
// by spaces with the last register leftmost.
func TestCountsKeys(t *testing.T) {
	c := circuit.New(3)
	c.AddClbits("a", 2)
	c.AddClbits("b", 1)
	c.X(0).X(2)
	c.Append(circuit.NewMeasure([]int{0, 1, 2}, []int{0, 1, 2}))
	res, err := Run(c, Options{Shots: 10})
	require.NoError(t, err)
	assert.Equal(t, 10, res.Counts["1 01"], "counts %v, want {\"1 01\": 10}", res.Counts)
}

// TestRunErrors: bad input gets errors, not panics.
func TestRunErrors(t *testing.T) {
	c := circuit.New(2).RY("theta", 0)
	_, err := Run(c, Options{})
	assert.ErrorContains(t, err, "theta", "unbound parameter")
	_, err = Run(c, Options{Params: map[string]float64{"theta": 0.1}})
	assert.NoError(t, err, "bound parameter")
	m := circuit.New(1).H(0).Measure(0, 0)
	_, err = Unitary(m, nil)
	assert.ErrorContains(t, err, "measure", "Unitary of a measured circuit")
	_, err = Columns(circuit.New(2), nil, 5)
	assert.Error(t, err, "5 columns of a 2-qubit unitary")
	_, err = FromAmplitudes([]complex128{1, 0, 0})
	assert.Error(t, err, "3 amplitudes accepted")
	_, err = FromRealAmplitudes([]float64{1, 1})
	assert.Error(t, err, "unnormalised amplitudes accepted")
	bad := circuit.New(2)
	bad.Ops = append(bad.Ops, circuit.Op{Kind: circuit.GateOp, Gate: gates.MustGet("cx"), Qubits: []int{0, 5}, Pos: circuit.Pos{Line: 4, Col: 1}})
	_, err = Run(bad, Options{})
	assert.ErrorContains(t, err, "4:1", "out-of-range qubit")
}

// TestRunMemoryLimit: more qubits than the limit allows is an error naming the estimate in GiB.
func TestRunMemoryLimit(t *testing.T) {
	c := circuit.New(40).H(0)
	_, err := Run(c, Options{})
	assert.ErrorContains(t, err, "8.19e+03 GiB", "40 qubits")
	assert.ErrorContains(t, err, "40 qubits", "40 qubits")
	_, err = Run(circuit.New(20).H(0), Options{MemoryLimit: 1 << 20})
	assert.ErrorContains(t, err, "8 MiB", "20 qubits under a 1 MiB limit")
	assert.ErrorContains(t, err, "1 MiB", "20 qubits under a 1 MiB limit")
	old := MemoryLimit
	MemoryLimit = 1 << 30
	_, err = Unitary(circuit.New(16), nil)
	MemoryLimit = old
	assert.ErrorContains(t, err, "64 GiB", "16-qubit unitary under 1 GiB")
}

// TestThreadsDeterministic: results are bit-identical for any number of goroutines.
func TestThreadsDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	c := randomCircuit(r, 12, 80, gates.All(), 2)
	oldT, oldP, oldC := Threads, ParallelThreshold, minChunk
	defer func() { Threads, ParallelThreshold, minChunk = oldT, oldP, oldC }()
	minChunk = 1
	var ref []complex128
	var refE float64
	for _, th := range []int{1, 2, 3, 5} {
		Threads, ParallelThreshold = th, 64
		s, err := Statevector(c, nil)
		require.NoError(t, err)
		e, _ := s.Expectation(strings.Repeat("XZY", 4))
		if ref == nil {
			ref, refE = s.Amplitudes(), e
			continue
		}
		assert.Equal(t, ref, s.Amplitudes(), "%d threads: amplitudes differ from 1 thread", th)
		assert.Equal(t, refE, e, "%d threads: expectation differs from 1 thread", th)
	}
}
