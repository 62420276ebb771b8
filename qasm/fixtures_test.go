package qasm

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	qsim "github.com/itsubaki/q"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
)

// ---- an independent textbook simulator for hand-derived expectations ----

type mat2 [4]complex128

func expi(x float64) complex128 { return cmplx.Exp(complex(0, x)) }

func tbRZ(a float64) mat2 { return mat2{expi(-a / 2), 0, 0, expi(a / 2)} }
func tbRY(a float64) mat2 {
	c, s := complex(math.Cos(a/2), 0), complex(math.Sin(a/2), 0)
	return mat2{c, -s, s, c}
}
func tbRX(a float64) mat2 {
	c, s := complex(math.Cos(a/2), 0), complex(0, -math.Sin(a/2))
	return mat2{c, s, s, c}
}
func tbP(a float64) mat2 { return mat2{1, 0, 0, expi(a)} }

// tbU is the textbook U(θ,φ,λ) (Nielsen & Chuang's / Qiskit's).
func tbU(t, f, l float64) mat2 {
	c, s := complex(math.Cos(t/2), 0), complex(math.Sin(t/2), 0)
	return mat2{c, -expi(l) * s, expi(f) * s, expi(f+l) * c}
}

var (
	tbX  = mat2{0, 1, 1, 0}
	tbY  = mat2{0, -1i, 1i, 0}
	tbZ  = mat2{1, 0, 0, -1}
	tbH  = mat2{complex(1/math.Sqrt2, 0), complex(1/math.Sqrt2, 0), complex(1/math.Sqrt2, 0), complex(-1/math.Sqrt2, 0)}
	tbS  = mat2{1, 0, 0, 1i}
	tbT  = mat2{1, 0, 0, expi(math.Pi / 4)}
	tbSX = mat2{complex(.5, .5), complex(.5, -.5), complex(.5, -.5), complex(.5, .5)}
	tbI  = mat2{1, 0, 0, 1}
)

func (a mat2) mul(b mat2) mat2 {
	return mat2{a[0]*b[0] + a[1]*b[2], a[0]*b[1] + a[1]*b[3], a[2]*b[0] + a[3]*b[2], a[2]*b[1] + a[3]*b[3]}
}
func (a mat2) dag() mat2 {
	return mat2{cmplx.Conj(a[0]), cmplx.Conj(a[2]), cmplx.Conj(a[1]), cmplx.Conj(a[3])}
}
func (a mat2) scale(s complex128) mat2 { return mat2{a[0] * s, a[1] * s, a[2] * s, a[3] * s} }

// tb is a textbook state-vector (or, column by column, unitary) simulator.
type tb struct {
	n   int
	psi [][]complex128 // columns being evolved
}

// newTB evolves every basis state, so that unitary() returns the full matrix.
func newTB(n int) *tb {
	d := 1 << n
	t := &tb{n: n, psi: make([][]complex128, d)}
	for j := range t.psi {
		t.psi[j] = make([]complex128, d)
		t.psi[j][j] = 1
	}
	return t
}

// apply applies u to target when every control has its active value.
func (t *tb) apply(u mat2, target int, controls []int, active []bool) *tb {
	for _, v := range t.psi {
		for i := range v {
			if i>>uint(target)&1 == 1 {
				continue
			}
			ok := true
			for k, c := range controls {
				want := 1
				if active != nil && !active[k] {
					want = 0
				}
				if i>>uint(c)&1 != want {
					ok = false
				}
			}
			if !ok {
				continue
			}
			j := i | 1<<uint(target)
			a, b := v[i], v[j]
			v[i], v[j] = u[0]*a+u[1]*b, u[2]*a+u[3]*b
		}
	}
	return t
}

func (t *tb) g(u mat2, q int) *tb          { return t.apply(u, q, nil, nil) }
func (t *tb) c(u mat2, c, q int) *tb       { return t.apply(u, q, []int{c}, nil) }
func (t *tb) cc(u mat2, c1, c2, q int) *tb { return t.apply(u, q, []int{c1, c2}, nil) }
func (t *tb) cx(c, q int) *tb              { return t.c(tbX, c, q) }
func (t *tb) swap(a, b int) *tb            { return t.cx(a, b).cx(b, a).cx(a, b) }
func (t *tb) phase(g float64) *tb          { return t.global(expi(g)) }
func (t *tb) global(s complex128) *tb {
	for _, v := range t.psi {
		for i := range v {
			v[i] *= s
		}
	}
	return t
}

// apply4 applies a 4×4 matrix to qubits (a, b), a being the low bit of its index.
func (t *tb) apply4(m [16]complex128, a, b int) *tb {
	for _, v := range t.psi {
		for i := range v {
			if i>>uint(a)&1 == 1 || i>>uint(b)&1 == 1 {
				continue
			}
			idx := [4]int{i, i | 1<<uint(a), i | 1<<uint(b), i | 1<<uint(a) | 1<<uint(b)}
			var in, out [4]complex128
			for k := range idx {
				in[k] = v[idx[k]]
			}
			for r := 0; r < 4; r++ {
				for k := 0; k < 4; k++ {
					out[r] += m[r*4+k] * in[k]
				}
			}
			for k := range idx {
				v[idx[k]] = out[k]
			}
		}
	}
	return t
}

func (t *tb) unitary() []complex128 {
	d := 1 << t.n
	u := make([]complex128, d*d)
	for j, v := range t.psi {
		for i := range v {
			u[i*d+j] = v[i]
		}
	}
	return u
}

// ---- itsubaki/q (big-endian) as an oracle ----

func reverseBits(i, n int) int {
	r := 0
	for k := 0; k < n; k++ {
		r |= (i >> uint(k) & 1) << uint(n-1-k)
	}
	return r
}

func itsubakiState(n int, f func(s *qsim.Q, q []qsim.Qubit)) []complex128 {
	s := qsim.New()
	qs := s.Zeros(n)
	f(s, qs)
	amp := s.Amplitude()
	out := make([]complex128, len(amp))
	for i, a := range amp {
		out[reverseBits(i, n)] = a
	}
	return out
}

// ---- the fixtures ----

func readFixture(t *testing.T, name string) *Program {
	t.Helper()
	var cfg Config
	p, err := cfg.ParseFile(filepath.Join("testdata", name))
	require.NoError(t, err, name)
	return p
}

func bindAll(t *testing.T, c *circuit.Circuit, vals map[string]float64) *circuit.Circuit {
	t.Helper()
	b, err := c.Bind(vals)
	require.NoError(t, err)
	return b
}

type fixture struct {
	file  string
	bind  map[string]float64 // parameter values for the checks and OpenQASM 2 round trips
	check func(t *testing.T, c *circuit.Circuit)
}

func checkDist(want map[uint64]float64) func(t *testing.T, c *circuit.Circuit) {
	return func(t *testing.T, c *circuit.Circuit) {
		got := distribution(simulate(t, c, nil))
		for k, p := range want {
			assert.InDelta(t, p, got[k], 1e-12, "P(%b) (all: %v)", k, got)
		}
		for k, p := range got {
			if _, ok := want[k]; !ok {
				assert.LessOrEqual(t, p, 1e-12, "unexpected outcome %b with probability %v", k, p)
			}
		}
	}
}

func checkState(want []complex128, upToPhase bool) func(t *testing.T, c *circuit.Circuit) {
	return func(t *testing.T, c *circuit.Circuit) {
		got := stateOf(t, c, nil)
		ok := closeVec(got, want, 1e-12)
		if upToPhase {
			ok = equalUpToPhase(got, want, 1e-12)
		}
		assert.True(t, ok, "state\n got  %v\n want %v", got, want)
	}
}

func checkUnitary(want []complex128) func(t *testing.T, c *circuit.Circuit) {
	return func(t *testing.T, c *circuit.Circuit) {
		got := dense(t, c, nil)
		assert.True(t, closeVec(got, want, 1e-12), "unitary differs:\n got  %v\n want %v", got, want)
	}
}

// checkBuilt compares with a circuit built through the Go API (no parsing): the same
// branches, with the same probabilities and states.
func checkBuilt(build func() *circuit.Circuit) func(t *testing.T, c *circuit.Circuit) {
	return func(t *testing.T, c *circuit.Circuit) {
		want := build()
		gb, wb := simulate(t, c, nil), simulate(t, want, nil)
		require.Equal(t, len(wb), len(gb), "number of branches")
		for i := range gb {
			assert.Equal(t, wb[i].bits, gb[i].bits, "branch %d: bits", i)
			assert.InDelta(t, wb[i].p, gb[i].p, 1e-12, "branch %d: probability", i)
			assert.True(t, closeVec(gb[i].psi, wb[i].psi, 1e-12), "branch %d: state\n got  %v\n want %v", i, gb[i].psi, wb[i].psi)
		}
	}
}

func teleportCheck(prepared []complex128) func(t *testing.T, c *circuit.Circuit) {
	return func(t *testing.T, c *circuit.Circuit) {
		bs := simulate(t, c, nil)
		require.Equal(t, 4, len(bs), "number of branches")
		for _, b := range bs {
			assert.InDelta(t, 0.25, b.p, 1e-12, "branch %b: probability, want 1/4", b.bits)
			// Bob's qubit q[2]: the state is |m0 m1⟩ ⊗ ψ.
			m0, m1 := int(b.bits&1), int(b.bits>>1&1)
			bob := []complex128{b.psi[m0|m1<<1], b.psi[m0|m1<<1|4]}
			assert.True(t, equalUpToPhase(bob, prepared, 1e-12), "branch %b: Bob holds %v, want %v", b.bits, bob, prepared)
		}
	}
}

func fixtures() []fixture {
	s2 := complex(1/math.Sqrt2, 0)
	grover := func() map[uint64]float64 {
		th := math.Asin(1 / math.Sqrt(8))
		p := math.Pow(math.Sin(5*th), 2)
		m := map[uint64]float64{}
		for k := uint64(0); k < 8; k++ {
			m[k] = (1 - p) / 7
		}
		m[5] = p
		return m
	}()
	u3 := tbU(0.3, 0.2, 0.1).scale(expi(-(0.2 + 0.1) / 2))
	return []fixture{
		{file: "bell.qasm", check: checkDist(map[uint64]float64{0: .5, 3: .5})},
		{file: "bell_state.qasm", check: checkState([]complex128{s2, 0, 0, s2}, false)},
		{file: "ghz.qasm", check: func(t *testing.T, c *circuit.Circuit) {
			want := make([]complex128, 32)
			want[0], want[31] = s2, s2
			checkState(want, false)(t, c)
			checkState(itsubakiState(5, func(s *qsim.Q, q []qsim.Qubit) {
				s.H(q[0])
				for i := 0; i < 4; i++ {
					s.CNOT(q[i], q[i+1])
				}
			}), false)(t, c)
		}},
		{file: "teleport.qasm", check: teleportCheck([]complex128{u3[0], u3[2]})},
		{file: "teleport3.qasm", bind: map[string]float64{"theta": 0.7},
			check: teleportCheck([]complex128{complex(math.Cos(0.35), 0), complex(math.Sin(0.35), 0)})},
		{file: "qft.qasm", check: checkState(itsubakiState(4, func(s *qsim.Q, q []qsim.Qubit) {
			s.X(q[0], q[2]).QFT(q...)
		}), false)},
		{file: "qft_oq2.qasm", check: checkState(itsubakiState(4, func(s *qsim.Q, q []qsim.Qubit) {
			s.X(q[0], q[2]).QFT(q...)
		}), false)},
		{file: "grover2.qasm", check: checkDist(map[uint64]float64{3: 1})},
		{file: "grover3.qasm", check: checkDist(grover)},
		{file: "adder.qasm", check: checkDist(map[uint64]float64{14: 1})},
		{file: "adder3.qasm", check: checkDist(map[uint64]float64{17: 1})},
		{file: "vqe.qasm", bind: randomBinding("theta", 16, 7), check: func(t *testing.T, c *circuit.Circuit) {
			th := randomBinding("theta", 16, 7)
			k := 0
			want := newTB(4)
			for i := 0; i < 4; i++ {
				want.g(tbRY(th[name("theta", k)]), i)
				k++
			}
			for l := 0; l < 2; l++ {
				for _, start := range []int{0, 1} {
					for i := start; i+1 < 4; i += 2 {
						want.c(tbZ, i, i+1)
						want.g(tbRY(th[name("theta", k)]), i)
						want.g(tbRY(th[name("theta", k+1)]), i+1)
						k += 2
					}
				}
			}
			u := dense(t, c, nil)
			checkUnitary(want.unitary())(t, c)
			for i, v := range u {
				require.Zero(t, imag(v), "entry %d of the ansatz is not real: %v", i, v)
			}
		}},
		{file: "stdgates.qasm", check: checkUnitary(func() []complex128 {
			t := newTB(3)
			t.g(tbP(0.1), 0).g(tbX, 1).g(tbY, 2).g(tbZ, 0).g(tbH, 1).g(tbS, 2).g(tbS.dag(), 0).g(tbT, 1).g(tbT.dag(), 2).g(tbSX, 0)
			t.g(tbRX(0.2), 1).g(tbRY(0.3), 2).g(tbRZ(0.4), 0)
			t.cx(0, 1).c(tbY, 1, 2).c(tbZ, 2, 0).c(tbP(0.5), 0, 2).c(tbRX(0.6), 1, 0).c(tbRY(0.7), 2, 1).c(tbRZ(0.8), 0, 1)
			t.c(tbH, 1, 2).swap(0, 2).cc(tbX, 0, 1, 2)
			t.cx(1, 0).cc(tbX, 2, 0, 1).cx(1, 0) // cswap q[2], q[0], q[1]
			t.g(tbP(1.2), 1).c(tbU(0.9, 1.0, 1.1), 1, 0)
			t.cx(2, 1).g(tbP(1.3), 1).c(tbP(1.4), 2, 0).g(tbI, 0).g(tbP(1.5), 1)
			t.g(tbU(math.Pi/2, 1.6, 1.7).scale(expi(-(1.6+1.7)/2)), 2)
			t.g(tbU(1.8, 1.9, 2.0).scale(expi(-(1.9+2.0)/2)), 0)
			t.g(tbU(2.1, 2.2, 2.3), 1).phase(2.4)
			return t.unitary()
		}())},
		{file: "user_gates.qasm", check: checkUnitary(func() []complex128 {
			rot := func(a, b float64) mat2 { return tbRY(b).mul(tbRZ(a)).scale(expi(a / 2)) }
			t := newTB(3)
			t.c(rot(0.3, 0.4), 0, 1)
			t.g(rot(0.5, -0.2).dag(), 2)
			r := rot(0.1, 0.2)
			t.g(r.mul(r).mul(r), 1)
			t.apply(rot(0.7, 0.1), 0, []int{2}, []bool{false})
			t.c(rot(0.2, 0.9).dag(), 1, 2)
			r = rot(0.6, 0.3).dag()
			t.g(r.mul(r), 0)
			t.cc(rot(1.1, 0.3), 0, 1, 2)
			t.cx(2, 0).g(rot(0.25, 0.5).dag(), 2)      // inv @ pair(0.25) q[2], q[0]
			t.c(rot(0.35, 0.7), 1, 2).cc(tbX, 1, 2, 0) // ctrl @ pair(0.35) q[1], q[2], q[0]
			return t.unitary()
		}())},
		{file: "qelib1_ext.qasm", check: checkUnitary(func() []complex128 {
			t := newTB(5)
			t.g(tbU(0.1, 0.2, 0.3), 0).g(tbP(0.4), 1).g(tbSX, 2).g(tbSX.dag(), 3)
			t.g(tbP(0.8), 0).c(tbU(0.5, 0.6, 0.7), 0, 1).c(tbP(0.9), 1, 2)
			t.c(tbU(1.0, 1.1, 1.2), 2, 3).c(tbSX, 3, 4) // cu3 = ctrl @ U (Qiskit's qelib1.inc and CU3Gate)
			// rxx(θ) = exp(−iθ X⊗X/2); rzz(θ) = exp(−iθ Z⊗Z/2), written through their textbook
			// conjugations H⊗H·ZZ·H⊗H and CX·RZ·CX.
			t.g(tbH, 0).g(tbH, 2).cx(0, 2).g(tbRZ(1.3), 2).cx(0, 2).g(tbH, 0).g(tbH, 2)
			t.cx(1, 3).g(tbRZ(1.4), 3).cx(1, 3)
			t.apply(tbX, 3, []int{0, 1, 2}, nil).apply(tbSX, 4, []int{1, 2, 3}, nil).apply(tbX, 0, []int{4, 3, 2, 1}, nil)
			t.c(tbRX(1.5), 0, 4).c(tbRY(1.6), 4, 0).c(tbRZ(1.7), 2, 0)
			t.cx(2, 1).cc(tbX, 0, 1, 2).cx(2, 1).swap(3, 4)
			t.g(tbU(1.8, 1.9, 2.0), 1).cx(1, 0)
			return t.unitary()
		}())},
		{file: "relative_phase.qasm", check: func(t *testing.T, c *circuit.Circuit) {
			// A relative-phase Toffoli is the Toffoli times a diagonal of phases.
			one := func(src string, tof []complex128) []complex128 {
				u := dense(t, mustParse(t, "rel.qasm", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[4];\n"+src).Circuit, nil)
				d := matmul(dagger(tof, 16), u, 16)
				for i := 0; i < 16; i++ {
					for j := 0; j < 16; j++ {
						v := cmplx.Abs(d[i*16+j])
						if i == j {
							require.InDelta(t, 1.0, v, 1e-12, "%s is not a Toffoli up to relative phases: entry (%d,%d) of Toffoli†·U = %v", src, i, j, d[i*16+j])
						} else {
							require.LessOrEqual(t, v, 1e-12, "%s is not a Toffoli up to relative phases: entry (%d,%d) of Toffoli†·U = %v", src, i, j, d[i*16+j])
						}
					}
				}
				return u
			}
			r2 := one("rccx q[0],q[1],q[2];", newTB(4).cc(tbX, 0, 1, 2).unitary())
			r3 := one("rc3x q[0],q[1],q[2],q[3];", newTB(4).apply(tbX, 3, []int{0, 1, 2}, nil).unitary())
			h := newTB(4).g(tbH, 0).g(tbH, 1).g(tbH, 2).g(tbH, 3).unitary()
			checkUnitary(matmul(r3, matmul(r2, h, 16), 16))(t, c)
		}},
		{file: "braket.qasm", check: checkDist(map[uint64]float64{0: .5, 3: .5})},
		{file: "braket_verbatim.qasm", check: checkDist(map[uint64]float64{0: .25, 1: .25, 2: .25, 3: .25})},
		{file: "qiskit_export.qasm", bind: map[string]float64{"theta": 0.8, "phi": 0.3}, check: func(t *testing.T, c *circuit.Circuit) {
			// The unitary part, before the measurements.
			u := *c
			u.Ops = nil
			for _, op := range c.Ops {
				if op.Kind == circuit.Measure {
					break
				}
				u.Ops = append(u.Ops, op)
			}
			th, be := 0.8, 0.3
			w := newTB(3).g(tbH, 0).cx(0, 1).g(tbRZ(th), 1).cx(0, 1).g(tbRY(0.3/2), 2)
			// Qiskit's XXPlusYYGate(θ, β) on (q[1], q[2]), its documented matrix.
			cs, sn := complex(math.Cos(th/2), 0), complex(0, -math.Sin(th/2))
			w.apply4([16]complex128{1, 0, 0, 0, 0, cs, sn * expi(-be), 0, 0, sn * expi(be), cs, 0, 0, 0, 0, 1}, 1, 2)
			// sxdg_1 (s h s) is √X† up to a global phase, which the export leaves out.
			got := dense(t, &u, nil)
			assert.True(t, equalUpToPhase(got, w.unitary(), 1e-12), "unitary differs (beyond a global phase):\n got  %v\n want %v", got, w.unitary())
		}},
		{file: "features.qasm", bind: map[string]float64{"alpha": 0.37}, check: checkBuilt(func() *circuit.Circuit {
			beta := 2*0.37 + 2*math.Pi/4
			c := circuit.New(6)
			c.AddClbits("m", 2)
			c.H(0, 1, 2)
			c.RY(beta*1, 3).RY(beta*2, 4).RY(beta*3, 5).CX(3, 5)
			for k := 0; k < 3; k++ {
				c.RZ(math.Pi/2*float64(k), 5)
			}
			c.X(0, 5).CZ(1, 4)
			return c.Measure(0, 0).Measure(5, 1)
		})},
		{file: "oq2_exprs.qasm", check: checkBuilt(func() *circuit.Circuit {
			c := circuit.New(3)
			c.AddClbits("c", 3)
			c.Gate("u3", []int{0}, math.Sin(math.Pi/7), math.Cos(0.3)*2, math.Tan(0.2))
			c.Gate("u2", []int{1}, math.Exp(0.5), math.Log(2.0))
			c.Gate("u1", []int{2}, -math.Pow(1.5-2*0.25, 3))
			c.RZ(math.Pow(0.4, 2), 0).CX(0, 2).RY(-0.2/2+0.4*3, 2)
			c.RZ(math.Pow(-0.4, 2), 2).CX(2, 0).RY(-math.Sqrt(0.4)/2+(-0.4)*3, 0)
			c.Barrier(0, 1).Reset(1).H(0, 1, 2)
			c.Measure(0, 0).Measure(1, 1).Measure(2, 2)
			return c.X(1).If([]int{0, 1, 2}, 5)
		})},
	}
}

func name(base string, i int) string { return base + "[" + itoa(i) + "]" }

func itoa(i int) string {
	return string(rune('0' + i/10%10))[:min(1, i/10)] + string(rune('0'+i%10))
}

func randomBinding(base string, n int, seed uint64) map[string]float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	m := map[string]float64{}
	for i := 0; i < n; i++ {
		m[name(base, i)] = (r.Float64()*2 - 1) * math.Pi
	}
	return m
}

func dagger(m []complex128, d int) []complex128 {
	out := make([]complex128, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			out[j*d+i] = cmplx.Conj(m[i*d+j])
		}
	}
	return out
}

func TestFixtures(t *testing.T) {
	fs := fixtures()
	seen := map[string]bool{}
	for _, f := range fs {
		seen[f.file] = true
		t.Run(f.file, func(t *testing.T) {
			p := readFixture(t, f.file)
			c := p.Circuit
			if f.bind != nil {
				c = bindAll(t, c, f.bind)
			}
			f.check(t, c)
		})
	}
	// Every fixture file has a check.
	files, _ := filepath.Glob("testdata/*.qasm")
	for _, fn := range files {
		assert.True(t, seen[filepath.Base(fn)], "fixture %s has no check in fixtures()", fn)
	}
	_ = os.Getenv
}
