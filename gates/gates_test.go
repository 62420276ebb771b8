package gates

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	qgate "github.com/itsubaki/q/quantum/gate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func randParams(r *rand.Rand, n int) []float64 {
	p := make([]float64, n)
	for i := range p {
		p[i] = (r.Float64()*2 - 1) * 2 * math.Pi
	}
	return p
}

func matmul(a, b []complex128, n int) []complex128 {
	out := make([]complex128, n*n)
	for i := 0; i < n; i++ {
		for k := 0; k < n; k++ {
			if a[i*n+k] == 0 {
				continue
			}
			for j := 0; j < n; j++ {
				out[i*n+j] += a[i*n+k] * b[k*n+j]
			}
		}
	}
	return out
}

func maxDiff(a, b []complex128) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	m := 0.0
	for i := range a {
		m = math.Max(m, cmplx.Abs(a[i]-b[i]))
	}
	return m
}

func identity(n int) []complex128 {
	out := make([]complex128, n*n)
	for i := 0; i < n; i++ {
		out[i*n+i] = 1
	}
	return out
}

// embed expands a k-qubit matrix acting on the given qubits (little-endian argument order)
// to the full n-qubit space.
func embed(m []complex128, qubits []int, n int) []complex128 {
	d := 1 << n
	k := len(qubits)
	out := make([]complex128, d*d)
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			// The rest of the bits must agree.
			mask := 0
			for _, q := range qubits {
				mask |= 1 << q
			}
			if r&^mask != c&^mask {
				continue
			}
			lr, lc := 0, 0
			for j, q := range qubits {
				lr |= (r >> q & 1) << j
				lc |= (c >> q & 1) << j
			}
			out[r*d+c] = m[lr*(1<<k)+lc]
		}
	}
	return out
}

func TestEveryGateIsUnitary(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, g := range All() {
		for trial := 0; trial < 20; trial++ {
			p := randParams(r, g.Params)
			m := g.Matrix(p...)
			d := g.Dim()
			assert.LessOrEqual(t, maxDiff(matmul(InverseMatrix(m, d), m, d), identity(d)), 1e-14, "%s%v: ‖U†U−I‖", g.Name, p)
		}
	}
}

func TestFlags(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, g := range All() {
		for trial := 0; trial < 10; trial++ {
			p := randParams(r, g.Params)
			m := g.Matrix(p...)
			d := g.Dim()
			anyImag, offDiag := false, false
			for i, v := range m {
				if imag(v) != 0 {
					anyImag = true
				}
				if i/d != i%d && v != 0 {
					offDiag = true
				}
			}
			if g.Real && anyImag {
				t.Errorf("%s is flagged real but has complex entries at %v", g.Name, p)
			}
			if g.Diagonal && offDiag {
				t.Errorf("%s is flagged diagonal but has off-diagonal entries", g.Name)
			}
			if g.Controls > 0 {
				want := Controlled(g.TargetMatrix(p...), g.Qubits-g.Controls, g.Controls)
				if maxDiff(want, m) != 0 {
					t.Errorf("%s is not the controlled form of its target block", g.Name)
				}
			}
			if g.Real {
				rm := g.RealMatrix(p...)
				for i := range rm {
					if rm[i] != real(m[i]) {
						t.Fatalf("%s RealMatrix disagrees", g.Name)
					}
				}
			}
		}
	}
	// Gates that must be real, for adapters, and gates that must not be.
	for _, n := range []string{"ry", "cz", "cx", "x", "z", "h", "swap", "ccx", "cswap", "cry", "id", "ch"} {
		if !MustGet(n).Real {
			t.Errorf("%s should be real", n)
		}
	}
	for _, n := range []string{"rx", "rz", "s", "t", "y", "sx", "p", "u3", "rzz", "iswap", "ecr", "ms", "gpi"} {
		if MustGet(n).Real {
			t.Errorf("%s should not be real", n)
		}
	}
}

func TestInverseIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, g := range All() {
		if g.Qubits == 0 {
			p := randParams(r, 1)
			inv := g.Inverse()[0]
			prod := g.Matrix(p...)[0] * MustGet(inv.Gate).Matrix(inv.Params[0].Apply(p))[0]
			if cmplx.Abs(prod-1) > 1e-15 {
				t.Errorf("gphase inverse: %v", prod)
			}
			continue
		}
		for trial := 0; trial < 10; trial++ {
			p := randParams(r, g.Params)
			d := g.Dim()
			acc := g.Matrix(p...)
			for _, term := range g.Inverse() {
				tg := MustGet(term.Gate)
				tp := make([]float64, len(term.Params))
				for i, a := range term.Params {
					tp[i] = a.Apply(p)
				}
				acc = matmul(embed(tg.Matrix(tp...), term.Qubits, g.Qubits), acc, d)
			}
			if got := maxDiff(acc, identity(d)); got > 1e-14 {
				t.Errorf("%s%v: inverse·gate differs from I by %g (global phase counts)", g.Name, p, got)
			}
		}
	}
}

func TestDerivativeMatchesFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const h = 1e-6
	for _, g := range All() {
		for i := 0; i < g.Params; i++ {
			p := randParams(r, g.Params)
			d := g.Derivative(i, p...)
			pp := append([]float64{}, p...)
			pm := append([]float64{}, p...)
			pp[i] += h
			pm[i] -= h
			mp, mm := g.Matrix(pp...), g.Matrix(pm...)
			fd := make([]complex128, len(mp))
			for k := range fd {
				fd[k] = (mp[k] - mm[k]) / (2 * h)
			}
			assert.LessOrEqual(t, maxDiff(d, fd), 1e-8, "%s ∂/∂%s: max |analytic − FD|", g.Name, g.ParamNames[i])
		}
	}
	// Parameter shift: ∂RY(θ)/∂θ = ½·RY(θ+π) exactly.
	th := 0.7
	d := MustGet("ry").Derivative(0, th)
	sh := MustGet("ry").Matrix(th + math.Pi)
	for k := range d {
		if cmplx.Abs(d[k]-sh[k]/2) > 1e-15 {
			t.Fatalf("ry derivative is not ½RY(θ+π)")
		}
	}
}

func toFlat(m interface {
	Dim() (int, int)
	At(i, j int) complex128
}) []complex128 {
	r, c := m.Dim()
	out := make([]complex128, 0, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out = append(out, m.At(i, j))
		}
	}
	return out
}

// TestAgainstItsubaki checks the single-qubit matrices against itsubaki/q's independent ones.
func TestAgainstItsubaki(t *testing.T) {
	th, f, l := 0.37, -1.21, 2.05
	cases := []struct {
		got  []complex128
		want []complex128
		name string
	}{
		{MustGet("x").Matrix(), toFlat(qgate.X()), "x"},
		{MustGet("y").Matrix(), toFlat(qgate.Y()), "y"},
		{MustGet("z").Matrix(), toFlat(qgate.Z()), "z"},
		{MustGet("h").Matrix(), toFlat(qgate.H()), "h"},
		{MustGet("s").Matrix(), toFlat(qgate.S()), "s"},
		{MustGet("t").Matrix(), toFlat(qgate.T()), "t"},
		{MustGet("rx").Matrix(th), toFlat(qgate.RX(th)), "rx"},
		{MustGet("ry").Matrix(th), toFlat(qgate.RY(th)), "ry"},
		{MustGet("rz").Matrix(th), toFlat(qgate.RZ(th)), "rz"},
		{MustGet("p").Matrix(th), toFlat(qgate.R(th)), "p"},
		{MustGet("U").Matrix(th, f, l), toFlat(qgate.U(th, f, l)), "U"},
		{MustGet("u3").Matrix(th, f, l), toFlat(qgate.SU(th, f, l)), "u3 (= SU form)"},
		{MustGet("sdg").Matrix(), toFlat(qgate.S().Dagger()), "sdg"},
		{MustGet("tdg").Matrix(), toFlat(qgate.T().Dagger()), "tdg"},
	}
	for _, c := range cases {
		assert.LessOrEqual(t, maxDiff(c.got, c.want), 1e-15, "%s differs from itsubaki/q", c.name)
	}
}

// TestStdgatesDefinitions checks each gate against its definition in OpenQASM 3's
// stdgates.inc, written with U and gphase, phases included.
func TestStdgatesDefinitions(t *testing.T) {
	U := func(a, b, c float64) []complex128 { return MustGet("U").Matrix(a, b, c) }
	ph := func(g float64, m []complex128) []complex128 {
		out := make([]complex128, len(m))
		for i := range m {
			out[i] = cmplx.Exp(complex(0, g)) * m[i]
		}
		return out
	}
	mul := func(a, b []complex128) []complex128 { return matmul(a, b, 2) }
	pi := math.Pi
	th, f, l := 0.81, 0.33, -1.7
	sx := ph(pi/4, U(pi/2, -pi/2, pi/2)) // Qiskit: SX = e^{iπ/4}·RX(π/2)
	cases := []struct {
		name string
		got  []complex128
		want []complex128
	}{
		{"x = U(π,0,π)", MustGet("x").Matrix(), U(pi, 0, pi)},
		{"y = U(π,π/2,π/2)", MustGet("y").Matrix(), U(pi, pi/2, pi/2)},
		{"h = U(π/2,0,π)", MustGet("h").Matrix(), U(pi/2, 0, pi)},
		{"rx = U(θ,−π/2,π/2)", MustGet("rx").Matrix(th), U(th, -pi/2, pi/2)},
		{"ry = U(θ,0,0)", MustGet("ry").Matrix(th), U(th, 0, 0)},
		{"rz = gphase(−λ/2) U(0,0,λ)", MustGet("rz").Matrix(l), ph(-l/2, U(0, 0, l))},
		{"p = U(0,0,λ)", MustGet("p").Matrix(l), U(0, 0, l)},
		{"u1 = U(0,0,λ)", MustGet("u1").Matrix(l), U(0, 0, l)},
		{"u2 = gphase(−(φ+λ)/2) U(π/2,φ,λ)", MustGet("u2").Matrix(f, l), ph(-(f+l)/2, U(pi/2, f, l))},
		{"u3 = gphase(−(φ+λ)/2) U(θ,φ,λ)", MustGet("u3").Matrix(th, f, l), ph(-(f+l)/2, U(th, f, l))},
		{"s = z^½", mul(MustGet("s").Matrix(), MustGet("s").Matrix()), MustGet("z").Matrix()},
		{"t = s^½", mul(MustGet("t").Matrix(), MustGet("t").Matrix()), MustGet("s").Matrix()},
		{"sx = x^½", mul(MustGet("sx").Matrix(), MustGet("sx").Matrix()), MustGet("x").Matrix()},
		{"sx (Qiskit definition)", MustGet("sx").Matrix(), sx},
		{"gpi2(0) = rx(π/2)", MustGet("gpi2").Matrix(0), MustGet("rx").Matrix(pi / 2)},
		{"gpi(0) = x", MustGet("gpi").Matrix(0), MustGet("x").Matrix()},
	}
	for _, c := range cases {
		assert.LessOrEqual(t, maxDiff(c.got, c.want), 1e-15, "%s: differs", c.name)
	}
}

// TestTwoQubitTextbook checks multi-qubit gates against textbook matrices written out by hand
// in little-endian order (argument 0 = bit 0), as Qiskit prints them.
func TestTwoQubitTextbook(t *testing.T) {
	r2 := complex(1/math.Sqrt2, 0)
	th := 0.9
	c, s := complex(math.Cos(th/2), 0), complex(math.Sin(th/2), 0)
	e := func(x float64) complex128 { return cmplx.Exp(complex(0, x)) }
	cases := []struct {
		name   string
		got    []complex128
		want   []complex128
		params []float64
	}{
		{name: "cx", got: MustGet("cx").Matrix(), want: []complex128{1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0}},
		{name: "cz", got: MustGet("cz").Matrix(), want: []complex128{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1}},
		{name: "cy", got: MustGet("cy").Matrix(), want: []complex128{1, 0, 0, 0, 0, 0, 0, -1i, 0, 0, 1, 0, 0, 1i, 0, 0}},
		{name: "swap", got: MustGet("swap").Matrix(), want: []complex128{1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1}},
		{name: "cry", got: MustGet("cry").Matrix(th), want: []complex128{1, 0, 0, 0, 0, c, 0, -s, 0, 0, 1, 0, 0, s, 0, c}},
		{name: "cp", got: MustGet("cp").Matrix(th), want: []complex128{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, e(th)}},
		{name: "rzz", got: MustGet("rzz").Matrix(th), want: []complex128{e(-th / 2), 0, 0, 0, 0, e(th / 2), 0, 0, 0, 0, e(th / 2), 0, 0, 0, 0, e(-th / 2)}},
		{name: "rxx", got: MustGet("rxx").Matrix(th), want: []complex128{c, 0, 0, -1i * s, 0, c, -1i * s, 0, 0, -1i * s, c, 0, -1i * s, 0, 0, c}},
		{name: "ryy", got: MustGet("ryy").Matrix(th), want: []complex128{c, 0, 0, 1i * s, 0, c, -1i * s, 0, 0, -1i * s, c, 0, 1i * s, 0, 0, c}},
		{name: "iswap", got: MustGet("iswap").Matrix(), want: []complex128{1, 0, 0, 0, 0, 0, 1i, 0, 0, 1i, 0, 0, 0, 0, 0, 1}},
		{name: "ecr", got: MustGet("ecr").Matrix(), want: []complex128{0, r2, 0, 1i * r2, r2, 0, -1i * r2, 0, 0, 1i * r2, 0, r2, -1i * r2, 0, r2, 0}},
		{name: "ch", got: MustGet("ch").Matrix(), want: []complex128{1, 0, 0, 0, 0, r2, 0, r2, 0, 0, 1, 0, 0, r2, 0, -r2}},
	}
	for _, tc := range cases {
		assert.LessOrEqual(t, maxDiff(tc.got, tc.want), 1e-15, "%s: differs from textbook", tc.name)
	}
	// ccx flips bit 2 when bits 0 and 1 are set: |011⟩ (3) ↔ |111⟩ (7).
	m := MustGet("ccx").Matrix()
	for i := 0; i < 8; i++ {
		j := i
		if i == 3 || i == 7 {
			j = i ^ 4
		}
		if m[j*8+i] != 1 {
			t.Fatalf("ccx does not map |%03b⟩ to |%03b⟩", i, j)
		}
	}
	// cswap swaps bits 1 and 2 when bit 0 is set: |011⟩ (3) ↔ |101⟩ (5).
	m = MustGet("cswap").Matrix()
	for i := 0; i < 8; i++ {
		j := i
		if i == 3 {
			j = 5
		} else if i == 5 {
			j = 3
		}
		if m[j*8+i] != 1 {
			t.Fatalf("cswap does not map |%03b⟩ to |%03b⟩", i, j)
		}
	}
	// MS(0,0,π/2) = exp(−iπ/4 X⊗X) = rxx(π/2).
	assert.LessOrEqual(t, maxDiff(MustGet("ms").Matrix(0, 0, math.Pi/2), MustGet("rxx").Matrix(math.Pi/2)), 1e-15, "ms(0,0,π/2) ≠ rxx(π/2)")
	// cu(θ,φ,λ,γ) = p(γ) on the control then ctrl @ U.
	p := []float64{0.3, -0.8, 1.1, 0.45}
	want := matmul(Controlled(MustGet("U").Matrix(p[:3]...), 1, 1), embed(MustGet("p").Matrix(p[3]), []int{0}, 2), 4)
	assert.LessOrEqual(t, maxDiff(MustGet("cu").Matrix(p...), want), 1e-15, "cu differs from p(γ)·ctrl@U")
}

func ExampleGate_Matrix() {
	ry := MustGet("ry")
	fmt.Printf("%s: %d qubit, %d parameter, real=%v\n", ry.Name, ry.Qubits, ry.Params, ry.Real)
	for _, v := range ry.RealMatrix(math.Pi) {
		fmt.Printf("%.0f ", v+0) // +0 folds −0
	}
	fmt.Println()
	// Output:
	// ry: 1 qubit, 1 parameter, real=true
	// 0 -1 1 0
}

// TestTargetBlock checks that TargetBlock takes back the block Controlled embeds, for a
// block with no structure of its own, and returns an uncontrolled gate's matrix as it is.
func TestTargetBlock(t *testing.T) {
	for _, name := range []string{"cx", "ccx", "crx", "cswap", "cu", "ry"} {
		t.Run(name, func(t *testing.T) {
			g := MustGet(name)
			tq := g.Qubits - g.Controls
			td := 1 << tq
			blk := make([]complex128, td*td)
			for i := range blk {
				blk[i] = complex(float64(i+1), -float64(2*i+1))
			}
			full := blk
			if g.Controls > 0 {
				full = Controlled(blk, tq, g.Controls)
			}
			require.Len(t, full, g.Dim()*g.Dim())
			assert.Equal(t, blk, g.TargetBlock(full))
		})
	}
}

func ExampleGate_TargetBlock() {
	cry := MustGet("cry")
	// The derivative of cry(θ) at θ = 0 acts on the target only when the control is 1.
	for _, v := range cry.TargetBlock(cry.Derivative(0, 0)) {
		fmt.Printf("%.1f ", real(v)+0) // +0 folds −0
	}
	fmt.Println()
	// Output:
	// 0.0 -0.5 0.5 0.0
}
