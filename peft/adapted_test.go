package peft

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/nn"
)

func frozenLinear[T nn.Float](rng *rand.Rand, out, in int) *nn.Linear[T] {
	w := nn.NewParam("w", out, in)
	copy(w.Value, randVec(rng, out*in, 1))
	b := nn.NewParam("b", out)
	copy(b.Value, randVec(rng, out, 1))
	nn.Freeze([]*nn.Param{w, b})
	return nn.NewLinearFrom[T](w, b)
}

// TestAdaptedGradCheck checks the nn wrapper (float64) against finite differences of its
// whole forward pass, for power-of-two and other shapes and every method.
func TestAdaptedGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(81, 82))
	for _, sh := range []struct{ out, in, k int }{{8, 16, 3}, {12, 10, 2}} {
		for _, c := range baseCases {
			a := c.build(t, sh.out, sh.in, sh.k)
			randomizeState(rng, a)
			l, err := NewAdapted[float64](frozenLinear[float64](rng, sh.out, sh.in), a)
			require.NoError(t, err)
			x := nn.FromSlice(randVec(rng, 2*3*sh.in, 1), 2, 3, sh.in)
			g := randVec(rng, 2*3*sh.out, 1)
			loss := func() float64 {
				y := l.Forward(x)
				var s float64
				for i, v := range y.Data {
					s += v * g[i]
				}
				return s
			}
			loss()
			nn.ZeroGrad(l.Params())
			dx := l.Backward(nn.FromSlice(append([]float64(nil), g...), 2, 3, sh.out))
			assert.LessOrEqual(t, relErr(dx.Data, fd(loss, x.Data, 1e-5)), 1e-6, "%s %dx%d: ∂ℓ/∂x rel. error", c.name, sh.out, sh.in)
			for _, p := range a.Params() {
				got := append([]float64(nil), p.Grad...)
				assert.LessOrEqual(t, relErr(got, fd(loss, p.Value, 1e-5)), 1e-6, "%s %dx%d: ∂ℓ/∂%s rel. error", c.name, sh.out, sh.in, p.Name)
			}
			// BackwardParams gives the same parameter gradients.
			want := append([]float64(nil), a.Params()[0].Grad...)
			nn.ZeroGrad(l.Params())
			loss()
			l.BackwardParams(nn.FromSlice(append([]float64(nil), g...), 2, 3, sh.out))
			assert.Zero(t, maxAbsDiff(a.Params()[0].Grad, want), "%s: BackwardParams differs", c.name)
		}
	}
}

// TestAdaptedInitBitForBit: in float32, a fresh adapter leaves the frozen layer's output
// unchanged bit for bit.
func TestAdaptedInitBitForBit(t *testing.T) {
	rng := rand.New(rand.NewPCG(83, 84))
	for _, c := range []Config{{Method: MethodQuantumPEFT, Rank: 4, Layers: 2}, {Method: MethodLoRA, Rank: 4}, {Method: MethodAdaLoRA, Rank: 4}} {
		base := frozenLinear[float32](rng, 24, 20)
		a, err := c.Build("m", 24, 20)
		require.NoError(t, err)
		l, err := NewAdapted[float32](base, a)
		require.NoError(t, err)
		xd := make([]float32, 5*20)
		for i := range xd {
			xd[i] = float32(rng.NormFloat64())
		}
		x := nn.FromSlice(xd, 5, 20)
		want := append([]float32(nil), base.Forward(x).Data...)
		got := l.Forward(x).Data
		for i := range got {
			require.Equal(t, math.Float32bits(want[i]), math.Float32bits(got[i]), "%s: output %d is %v, frozen %v", c.Method, i, got[i], want[i])
		}
	}
}

// TestAdaptedConv uses an adapter as the patch map of a convolution and compares with the
// convolution whose weight has ΔW merged in.
func TestAdaptedConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(85, 86))
	cfg := nn.Conv2DConfig{InChannels: 2, OutChannels: 8, KernelH: 3, KernelW: 3, Bias: true}
	conv := nn.NewConv2D[float64]("c", cfg, rng)
	nn.Freeze(conv.Params())
	a, err := (Config{Method: MethodQuantumPEFT, Rank: 3, Layers: 2}).Build("c", 8, 18)
	require.NoError(t, err)
	randomizeState(rng, a)
	ad, err := NewAdapted[float64](conv.Map, a)
	require.NoError(t, err)
	conv.Map = ad
	x := nn.FromSlice(randVec(rng, 2*2*6*6, 1), 2, 2, 6, 6)
	y := append([]float64(nil), conv.Forward(x).Data...)
	require.NoError(t, ad.Merge())
	assert.Error(t, ad.Merge(), "double merge")
	ym := conv.Forward(x).Data
	assert.LessOrEqual(t, maxAbsDiff(y, ym), 1e-10, "merged convolution differs")
	require.NoError(t, ad.Unmerge())
	assert.LessOrEqual(t, maxAbsDiff(conv.Forward(x).Data, y), 1e-12, "unmerged convolution differs")
}

// TestAdaptedErrorIsValue: an adapter whose angles diverged makes Forward and Backward record
// an error (no panic) and leave the frozen layer's output; SiteErr names the module.
func TestAdaptedErrorIsValue(t *testing.T) {
	rng := rand.New(rand.NewPCG(85, 86))
	base := frozenLinear[float64](rng, 8, 6)
	a, err := Config{Method: MethodQuantumPEFT, Rank: 2, Layers: 1}.Build("m", 8, 6)
	require.NoError(t, err)
	l, err := NewAdapted[float64](base, a)
	require.NoError(t, err)
	x := nn.FromSlice(randVec(rng, 3*6, 1), 3, 6)
	require.NoError(t, l.Err())
	require.NoError(t, SiteErr[float64]("fc1", l))

	p := a.Params()[0]
	p.Value[0] = math.NaN()
	want := append([]float64(nil), base.Forward(x).Data...)
	var y *nn.Tensor[float64]
	require.NotPanics(t, func() { y = l.Forward(x) })
	assert.Equal(t, want, y.Data, "the frozen layer's output alone")
	assert.ErrorContains(t, l.Err(), "diverged")
	err = SiteErr[float64]("fc1", l)
	assert.ErrorContains(t, err, "module fc1: peft: ")
	assert.ErrorIs(t, err, l.Err())
	require.NotPanics(t, func() { l.Backward(nn.FromSlice(make([]float64, 3*8), 3, 8)) })
	assert.NoError(t, SiteErr[float64]("fc1", base), "a layer without an adapter has no error")
}
