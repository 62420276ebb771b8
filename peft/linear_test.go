package peft

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft/ortho"
)

// adapterCase builds an adapter of a given kind for an out × in weight with K = k.
type adapterCase struct {
	name  string
	build func(t *testing.T, out, in, k int) Adapter
}

func taylorQPEFT(t *testing.T, out, in, k int) Adapter {
	u, err := ortho.NewTaylor(out, k, 6)
	require.NoError(t, err)
	v, err := ortho.NewTaylor(in, k, 6)
	require.NoError(t, err)
	a, err := NewQuantumPEFT(u, v, Options{Alpha: 2 * float64(k), InitScale: 0.3, Seed: 11})
	require.NoError(t, err)
	return a
}

func loraCase(t *testing.T, out, in, k int) Adapter {
	a, err := NewLoRA(out, in, k, 16, 3)
	require.NoError(t, err)
	return a
}

func adaloraCase(t *testing.T, out, in, k int) Adapter {
	a, err := NewAdaLoRA(out, in, k, 0, RankOptions{}, 0.1, 5)
	require.NoError(t, err)
	return a
}

func pauliQPEFT(t *testing.T, out, in, k int) Adapter {
	u, err := ortho.New(out, k, ortho.Spec{Layers: 2})
	require.NoError(t, err)
	v, err := ortho.New(in, k, ortho.Spec{Layers: 2})
	require.NoError(t, err)
	a, err := NewQuantumPEFT(u, v, Options{InitScale: 0.8, Seed: 13})
	require.NoError(t, err)
	return a
}

var baseCases = []adapterCase{
	{"qpeft-pauli", pauliQPEFT},
	{"qpeft-taylor", taylorQPEFT},
	{"lora", loraCase},
	{"adalora", adaloraCase},
}

// randomizeState makes every trainable parameter non-trivial (λ, B, E are zero at init).
func randomizeState(rng *rand.Rand, a Adapter) {
	for _, p := range a.Params() {
		for i := range p.Value {
			p.Value[i] += (2*rng.Float64() - 1) * 0.5
		}
	}
}

// gradCheck checks Backward against central finite differences of the whole forward pass
// for ℓ = Σ G ⊙ Y, with respect to X and every trainable parameter.
func gradCheck(t *testing.T, name string, a Adapter, out, in, rows int, rng *rand.Rand, tol float64) {
	t.Helper()
	w0 := randVec(rng, out*in, 1)
	bias := randVec(rng, out, 1)
	l, err := NewLinear(w0, out, in, bias, a)
	require.NoError(t, err)
	x := randVec(rng, rows*in, 1)
	g := randVec(rng, rows*out, 1)
	loss := func() float64 {
		y := make([]float64, rows*out)
		require.NoError(t, l.Forward(x, rows, y))
		var s float64
		for i := range y {
			s += y[i] * g[i]
		}
		return s
	}
	loss()
	nn.ZeroGrad(a.Params())
	dx := make([]float64, rows*in)
	require.NoError(t, l.Backward(g, dx))
	worst := relErr(dx, fd(loss, x, 1e-5))
	assert.LessOrEqual(t, worst, tol, "%s: ∂ℓ/∂X rel. error", name)
	for _, p := range a.Params() {
		got := append([]float64(nil), p.Grad...)
		want := fd(loss, p.Value, 1e-5)
		e := relErr(got, want)
		assert.LessOrEqual(t, e, tol, "%s: ∂ℓ/∂%s rel. error", name, p.Name)
		worst = math.Max(worst, e)
	}
	t.Logf("%s: worst rel. error %.2g", name, worst)
}

func TestGradCheckLayer(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, sh := range []struct{ out, in, k, rows int }{{8, 8, 3, 5}, {16, 32, 4, 3}, {12, 20, 4, 3}, {16, 6, 2, 7}, {24, 40, 5, 4}} {
		for _, c := range baseCases {
			a := c.build(t, sh.out, sh.in, sh.k)
			randomizeState(rng, a)
			gradCheck(t, fmt.Sprintf("%s %dx%d K=%d", c.name, sh.out, sh.in, sh.k), a, sh.out, sh.in, sh.rows, rng, 1e-6)
		}
	}
}

// TestForwardMatchesDense compares the factored forward pass with a brute-force
// X·(W0 + ΔW)ᵀ + b, with ΔW formed from the factors by a triple loop.
func TestForwardMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	out, in, k, rows := 10, 7, 3, 4
	for _, c := range baseCases {
		a := c.build(t, out, in, k)
		randomizeState(rng, a)
		w0 := randVec(rng, out*in, 1)
		bias := randVec(rng, out, 1)
		l, err := NewLinear(append([]float64(nil), w0...), out, in, bias, a)
		require.NoError(t, err)
		x := randVec(rng, rows*in, 1)
		y := make([]float64, rows*out)
		require.NoError(t, l.Forward(x, rows, y))
		var f Factors
		require.NoError(t, a.Factors(&f))
		w := append([]float64(nil), w0...)
		for i := 0; i < out; i++ {
			for j := 0; j < in; j++ {
				for r := 0; r < k; r++ {
					w[i*in+j] += f.PT[r*out+i] * f.D[r] * f.QT[r*in+j]
				}
			}
		}
		want := naiveMulT(x, w, rows, in, out)
		for r := 0; r < rows; r++ {
			for i := 0; i < out; i++ {
				want[r*out+i] += bias[i]
			}
		}
		assert.LessOrEqual(t, maxAbsDiff(y, want), 1e-12, "%s: max |forward − dense oracle|", c.name)
	}
}

// TestInitIsFrozen checks that a freshly initialised adapter leaves the layer's output equal
// to the frozen layer's bit for bit, and that ΔW = 0.
func TestInitIsFrozen(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	out, in, rows := 24, 16, 9
	w0 := randVec(rng, out*in, 1)
	bias := randVec(rng, out, 1)
	x := randVec(rng, rows*in, 1)
	x[3] = math.Copysign(0, -1)
	frozen, err := NewLinear(w0, out, in, bias, nil)
	require.NoError(t, err)
	want := make([]float64, rows*out)
	require.NoError(t, frozen.Forward(x, rows, want))
	for _, c := range []adapterCase{{"qpeft-taylor", func(t *testing.T, o, i, k int) Adapter {
		u, _ := ortho.NewTaylor(o, k, 4)
		v, _ := ortho.NewTaylor(i, k, 4)
		a, err := NewQuantumPEFT(u, v, Options{Seed: 1})
		require.NoError(t, err)
		return a
	}}, {"lora", loraCase}, {"adalora", adaloraCase}} {
		a := c.build(t, out, in, 4)
		l, err := NewLinear(w0, out, in, bias, a)
		require.NoError(t, err)
		y := make([]float64, rows*out)
		require.NoError(t, l.Forward(x, rows, y))
		for i := range y {
			require.Equal(t, math.Float64bits(want[i]), math.Float64bits(y[i]), "%s: output %d is %v, frozen %v", c.name, i, y[i], want[i])
		}
		dw, err := DeltaW(a)
		require.NoError(t, err)
		for i, v := range dw {
			require.Zero(t, v, "%s: ΔW[%d] ≠ 0 at init", c.name, i)
		}
	}
	// The frozen layer itself against a brute-force product.
	ref := naiveMulT(x, w0, rows, in, out)
	for r := 0; r < rows; r++ {
		for i := 0; i < out; i++ {
			ref[r*out+i] += bias[i]
		}
	}
	assert.LessOrEqual(t, maxAbsDiff(want, ref), 1e-12, "frozen layer: max |output − brute-force product|")
}

// TestMergeUnmerge checks merge/unmerge round trips and merged vs adapted outputs.
func TestMergeUnmerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	out, in, rows := 20, 12, 6
	for _, c := range baseCases {
		a := c.build(t, out, in, 3)
		randomizeState(rng, a)
		w0 := randVec(rng, out*in, 1)
		orig := append([]float64(nil), w0...)
		l, err := NewLinear(w0, out, in, nil, a)
		require.NoError(t, err)
		x := randVec(rng, rows*in, 1)
		ya := make([]float64, rows*out)
		require.NoError(t, l.Forward(x, rows, ya))
		require.NoError(t, l.Merge())
		assert.Error(t, l.Merge(), "%s: double merge accepted", c.name)
		ym := make([]float64, rows*out)
		require.NoError(t, l.Forward(x, rows, ym))
		assert.LessOrEqual(t, maxAbsDiff(ya, ym), 1e-10, "%s: max |merged − adapted forward|", c.name)
		assert.Error(t, l.Backward(make([]float64, rows*out), nil), "%s: backward on a merged layer accepted", c.name)
		require.NoError(t, l.Unmerge())
		assert.LessOrEqual(t, maxAbsDiff(w0, orig), 1e-12, "%s: unmerge left W0 off by", c.name)
		assert.Error(t, l.Unmerge(), "%s: double unmerge accepted", c.name)
	}
}

func TestLinearErrors(t *testing.T) {
	a, _ := NewLoRA(4, 3, 2, 0, 1)
	for _, tc := range []struct {
		w0       []float64
		out, in  int
		bias     []float64
		adapter  Adapter
		wantText string
	}{
		{make([]float64, 11), 4, 3, nil, nil, "W0 has 11"},
		{make([]float64, 12), 4, 3, make([]float64, 3), nil, "bias has 3"},
		{make([]float64, 12), 3, 4, nil, a, "adapter is 4x3"},
		{nil, 0, 3, nil, nil, "must be positive"},
	} {
		_, err := NewLinear(tc.w0, tc.out, tc.in, tc.bias, tc.adapter)
		assert.ErrorContains(t, err, tc.wantText, "NewLinear(%d×%d)", tc.out, tc.in)
	}
	l, _ := NewLinear(make([]float64, 12), 4, 3, nil, a)
	assert.Error(t, l.Backward(make([]float64, 4), nil), "Backward before Forward accepted")
}

// TestAdaLoRARegularizer checks the penalty's value and gradient by finite differences.
func TestAdaLoRARegularizer(t *testing.T) {
	a, err := NewAdaLoRA(7, 5, 3, 0, RankOptions{}, 0.3, 9)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(29, 30))
	randomizeState(rng, a)
	// Independent value: γ(‖BᵀB − I‖² + ‖AAᵀ − I‖²) by loops.
	pen := func() float64 {
		var s float64
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				var b, c float64
				for r := 0; r < 7; r++ {
					b += a.B.Value[r*3+i] * a.B.Value[r*3+j]
				}
				for r := 0; r < 5; r++ {
					c += a.A.Value[i*5+r] * a.A.Value[j*5+r]
				}
				if i == j {
					b--
					c--
				}
				s += b*b + c*c
			}
		}
		return 0.3 * s
	}
	nn.ZeroGrad(a.Params())
	v := a.Regularize()
	assert.InDelta(t, pen(), v, 1e-12, "penalty")
	for _, p := range []*nn.Param{a.A, a.B} {
		got := append([]float64(nil), p.Grad...)
		assert.LessOrEqual(t, relErr(got, fd(pen, p.Value, 1e-6)), 1e-7, "∂penalty/∂%s rel. error", p.Name)
	}
}

// TestModelSizedLayer runs a Quantum-PEFT layer at model dimensions that are not powers of two
// (768 → 384 and 1000 → 1536): orthonormal factors, merged forward = adapted forward, and
// unmerge restoring W0.
func TestModelSizedLayer(t *testing.T) {
	rng := rand.New(rand.NewPCG(91, 92))
	for _, sh := range []struct{ out, in int }{{384, 768}, {1536, 1000}} {
		if testing.Short() && sh.out > 1000 {
			continue
		}
		a, err := (Config{Method: MethodQuantumPEFT, Rank: 8, Layers: 2, InitScale: 1, Seed: 3}).Build("m", sh.out, sh.in)
		require.NoError(t, err)
		q := a.(*QuantumPEFT)
		for j := range q.Lambda.Value {
			q.Lambda.Value[j] = rng.NormFloat64()
		}
		du, dv, err := q.Orthogonality()
		require.NoError(t, err)
		assert.LessOrEqual(t, du, 1e-12, "%dx%d: ‖UᵀU − I‖", sh.out, sh.in)
		assert.LessOrEqual(t, dv, 1e-12, "%dx%d: ‖VᵀV − I‖", sh.out, sh.in)
		w0 := randVec(rng, sh.out*sh.in, 0.05)
		orig := append([]float64(nil), w0...)
		l, err := NewLinear(w0, sh.out, sh.in, nil, a)
		require.NoError(t, err)
		x := randVec(rng, 4*sh.in, 1)
		ya := make([]float64, 4*sh.out)
		require.NoError(t, l.Forward(x, 4, ya))
		require.NoError(t, l.Merge())
		ym := make([]float64, 4*sh.out)
		require.NoError(t, l.Forward(x, 4, ym))
		assert.LessOrEqual(t, maxAbsDiff(ya, ym), 1e-10, "%dx%d: max |merged − adapted forward|", sh.out, sh.in)
		require.NoError(t, l.Unmerge())
		assert.LessOrEqual(t, maxAbsDiff(w0, orig), 1e-12, "%dx%d: unmerge left W0 off by", sh.out, sh.in)
	}
}
