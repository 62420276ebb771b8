package peft

import (
	"fmt"
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

// TestAdaptedGradCheck checks the nn wrapper (float64) on every path against finite
// differences of its whole forward pass, for power-of-two and other shapes and every method.
func TestAdaptedGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(81, 82))
	for _, path := range []Path{PathFactored, PathDense, PathFused} {
		for _, sh := range []struct{ out, in, k int }{{8, 16, 3}, {12, 10, 2}, {10, 12, 9}} {
			for _, c := range baseCases {
				a := c.build(t, sh.out, sh.in, sh.k)
				randomizeState(rng, a)
				l, err := NewAdapted[float64](frozenLinear[float64](rng, sh.out, sh.in), a)
				require.NoError(t, err)
				l.Path = path
				name := fmt.Sprintf("%s %s %dx%d", path, c.name, sh.out, sh.in)
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
				require.Equal(t, path, l.LastPath(), name)
				nn.ZeroGrad(l.Params())
				dx := l.Backward(nn.FromSlice(append([]float64(nil), g...), 2, 3, sh.out))
				assert.LessOrEqual(t, relErr(dx.Data, fd(loss, x.Data, 1e-5)), 1e-6, "%s: ∂ℓ/∂x rel. error", name)
				var want [][]float64
				for _, p := range a.Params() {
					got := append([]float64(nil), p.Grad...)
					want = append(want, got)
					assert.LessOrEqual(t, relErr(got, fd(loss, p.Value, 1e-5)), 1e-6, "%s: ∂ℓ/∂%s rel. error", name, p.Name)
				}
				// BackwardParams gives the same parameter gradients.
				nn.ZeroGrad(l.Params())
				loss()
				l.BackwardParams(nn.FromSlice(append([]float64(nil), g...), 2, 3, sh.out))
				for i, p := range a.Params() {
					assert.Zero(t, maxAbsDiff(p.Grad, want[i]), "%s: BackwardParams differs for %s", name, p.Name)
				}
			}
		}
	}
}

// f32 rounds v to float32 values, in place, and returns them as float32 too.
func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
		v[i] = float64(out[i])
	}
	return out
}

// TestAdaptedFloat32MatchesReference runs the float32 layer on every path (PathFused with its
// AVX2 kernel and with the portable loop), with the shapes of a small CNN's im2col maps among
// others and ranks below, at and above the kernel's 8 lanes, against a float64 brute-force reference: the output
// and ∂ℓ/∂x of x·(W0 + ΔW)ᵀ + b with ΔW formed from the adapter's factors by a triple loop,
// and the parameter gradients by central finite differences of that reference loss (on 16
// entries of each parameter). The float32 tolerance is 5e-6 in relative L2 norm, about 80
// ulps of float32 (ε = 6e-8): rounding accumulated over sums of up to a few thousand terms
// (the errors measured are 1e-8 to 7e-7).
func TestAdaptedFloat32MatchesReference(t *testing.T) {
	const tol32 = 5e-6
	rng := rand.New(rand.NewPCG(87, 88))
	for _, sh := range []struct{ rows, out, in, k int }{{300, 8, 25, 4}, {50, 16, 200, 8}, {7, 12, 10, 2}, {515, 8, 25, 2}, {41, 13, 33, 12}} {
		for _, c := range baseCases {
			a := c.build(t, sh.out, sh.in, sh.k)
			randomizeState(rng, a)
			base := frozenLinear[float32](rng, sh.out, sh.in)
			w0, bias := base.W.Value, base.B.Value
			f32(w0)
			f32(bias)
			xv := randVec(rng, sh.rows*sh.in, 1)
			x32 := f32(xv)
			gv := randVec(rng, sh.rows*sh.out, 1)
			g32 := f32(gv)
			// The reference: W = W0 + ΔW by a triple loop over the factors, then naive products.
			weight := func() []float64 {
				var f Factors
				require.NoError(t, a.Factors(&f))
				w := append([]float64(nil), w0...)
				for o := 0; o < sh.out; o++ {
					for i := 0; i < sh.in; i++ {
						for r := 0; r < sh.k; r++ {
							w[o*sh.in+i] += f.PT[r*sh.out+o] * f.D[r] * f.QT[r*sh.in+i]
						}
					}
				}
				return w
			}
			forward := func() []float64 {
				y := naiveMulT(xv, weight(), sh.rows, sh.in, sh.out)
				for r := 0; r < sh.rows; r++ {
					for o := 0; o < sh.out; o++ {
						y[r*sh.out+o] += bias[o]
					}
				}
				return y
			}
			loss := func() float64 {
				var s float64
				for i, v := range forward() {
					s += v * gv[i]
				}
				return s
			}
			wantY := forward()
			w := weight()
			wantDx := make([]float64, sh.rows*sh.in)
			for r := 0; r < sh.rows; r++ {
				for i := 0; i < sh.in; i++ {
					for o := 0; o < sh.out; o++ {
						wantDx[r*sh.in+i] += gv[r*sh.out+o] * w[o*sh.in+i]
					}
				}
			}
			// Finite differences on up to 16 entries of each parameter, picked at random.
			var picks [][]int
			var wantGrad [][]float64
			for _, p := range a.Params() {
				idx := rng.Perm(p.Len())[:min(16, p.Len())]
				want := make([]float64, len(idx))
				for j, i := range idx {
					want[j] = fd(loss, p.Value[i:i+1], 1e-5)[0]
				}
				picks, wantGrad = append(picks, idx), append(wantGrad, want)
			}
			for _, run := range []struct {
				path Path
				simd bool
			}{{PathFactored, true}, {PathDense, true}, {PathFused, true}, {PathFused, false}} {
				path := run.path
				name := fmt.Sprintf("%s (simd %v) %s %dx%d rows %d", path, run.simd, c.name, sh.out, sh.in, sh.rows)
				l, err := NewAdapted[float32](base, a)
				require.NoError(t, err)
				l.Path = path
				old := nn.SetSIMD(run.simd)
				nn.ZeroGrad(a.Params())
				y := l.Forward(nn.FromSlice(x32, sh.rows, sh.in))
				require.Equal(t, path, l.LastPath(), name)
				dx := l.Backward(nn.FromSlice(g32, sh.rows, sh.out))
				nn.SetSIMD(old)
				assert.LessOrEqual(t, relErr(toF64s(y.Data), wantY), tol32, "%s: output", name)
				assert.LessOrEqual(t, relErr(toF64s(dx.Data), wantDx), tol32, "%s: ∂ℓ/∂x", name)
				for i, p := range a.Params() {
					got := make([]float64, len(picks[i]))
					for j, k := range picks[i] {
						got[j] = p.Grad[k]
					}
					e := relErr(got, wantGrad[i])
					assert.LessOrEqual(t, e, tol32, "%s: ∂ℓ/∂%s", name, p.Name)
					t.Logf("%s: ∂ℓ/∂%s rel. error %.2g", name, p.Name, e)
				}
			}
		}
	}
}

func toF64s(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// TestAdaptedChoosePath: PathAuto takes the fused path on a small CNN's patch maps in float32
// with the AVX2 kernel (the dense path without it, or in float64) and the factored path on
// wide layers; a base that is not a frozen *nn.Linear always gets the factored path.
func TestAdaptedChoosePath(t *testing.T) {
	rng := rand.New(rand.NewPCG(89, 90))
	for _, c := range []struct {
		name                string
		rows, out, in, rank int
		request             Path
		trainableBase       bool
		want                Path
	}{
		{"cnn conv1 r=1", 50176, 8, 25, 1, PathAuto, false, PathFused},
		{"cnn conv2 r=8", 12544, 16, 200, 8, PathAuto, false, PathFused},
		{"cnn conv2 r=16", 12544, 16, 200, 16, PathAuto, false, PathFused},
		{"mlp 512x512 r=8", 64, 512, 512, 8, PathAuto, false, PathFactored},
		{"minilm 384x384 r=1", 1024, 384, 384, 1, PathAuto, false, PathFused},
		{"minilm 384x384, 16 tokens, r=8", 16, 384, 384, 8, PathAuto, false, PathFactored},
		{"cnn conv2, one patch, r=4", 1, 16, 200, 4, PathAuto, false, PathFactored},
		{"forced factored", 12544, 16, 200, 8, PathFactored, false, PathFactored},
		{"forced dense", 64, 512, 512, 8, PathDense, false, PathDense},
		{"forced fused", 1024, 384, 384, 1, PathFused, false, PathFused},
		{"trainable base", 12544, 16, 200, 8, PathDense, true, PathFactored},
	} {
		base := frozenLinear[float32](rng, c.out, c.in)
		base.W.Trainable = c.trainableBase
		a, err := Config{Method: MethodLoRA, Rank: c.rank}.Build("m", c.out, c.in)
		require.NoError(t, err)
		l, err := NewAdapted[float32](base, a)
		require.NoError(t, err)
		l.Path = c.request
		l.f.Rank = c.rank
		want := c.want
		if want == PathFused && c.request == PathAuto && !nn.SIMD() {
			want = PathDense
		}
		assert.Equal(t, want, l.choose(c.rows), c.name)
		// Without the kernel, or in float64, PathAuto never picks the fused path.
		old := nn.SetSIMD(false)
		if got := l.choose(c.rows); c.request == PathAuto {
			assert.NotEqual(t, PathFused, got, "%s without SIMD", c.name)
		}
		nn.SetSIMD(old)
		l64, err := NewAdapted[float64](frozenLinear[float64](rng, c.out, c.in), a)
		require.NoError(t, err)
		l64.Path, l64.f.Rank = c.request, c.rank
		if c.request == PathAuto {
			assert.NotEqual(t, PathFused, l64.choose(c.rows), "%s in float64", c.name)
		}
	}
	// The choice does not depend on earlier passes: after a training pass without ∂ℓ/∂x (the
	// lowest trainable layer) an evaluation takes the path a fresh layer takes, so that it
	// gives the same bits.
	for _, rows := range []int{64, 100, 300, 1000} {
		base := frozenLinear[float32](rng, 512, 512)
		trained, err := NewAdapted[float32](base, mustLoRA(t, 512, 512, 8))
		require.NoError(t, err)
		x := nn.New[float32](rows, 512)
		trained.Forward(x)
		trained.BackwardParams(nn.New[float32](rows, 512))
		trained.Forward(x)
		fresh, err := NewAdapted[float32](base, mustLoRA(t, 512, 512, 8))
		require.NoError(t, err)
		fresh.Forward(x)
		assert.Equal(t, fresh.LastPath(), trained.LastPath(), "%d rows", rows)
	}
	// A base that is not an *nn.Linear (here an Adapted itself) cannot take the dense path.
	inner, err := NewAdapted[float32](frozenLinear[float32](rng, 8, 6), mustLoRA(t, 8, 6, 2))
	require.NoError(t, err)
	l, err := NewAdapted[float32](inner, mustLoRA(t, 8, 6, 2))
	require.NoError(t, err)
	l.Path = PathDense
	l.Forward(nn.FromSlice(make([]float32, 3*6), 3, 6))
	assert.Equal(t, PathFactored, l.LastPath())
}

func mustLoRA(t *testing.T, out, in, r int) Adapter {
	a, err := Config{Method: MethodLoRA, Rank: r}.Build("m", out, in)
	require.NoError(t, err)
	return a
}

// TestAdaptedInitBitForBit: in float32, a fresh adapter leaves the frozen layer's output
// unchanged bit for bit.
func TestAdaptedInitBitForBit(t *testing.T) {
	rng := rand.New(rand.NewPCG(83, 84))
	for _, tc := range []struct {
		c    Config
		path Path
	}{
		{Config{Method: MethodQuantumPEFT, Rank: 4, Layers: 2}, PathFactored},
		{Config{Method: MethodLoRA, Rank: 4}, PathFactored},
		{Config{Method: MethodAdaLoRA, Rank: 4}, PathFactored},
		{Config{Method: MethodQuantumPEFT, Rank: 4, Layers: 2}, PathDense},
		{Config{Method: MethodLoRA, Rank: 4}, PathDense},
		{Config{Method: MethodAdaLoRA, Rank: 4}, PathDense},
		{Config{Method: MethodQuantumPEFT, Rank: 4, Layers: 2}, PathFused},
		{Config{Method: MethodLoRA, Rank: 4}, PathFused},
		{Config{Method: MethodAdaLoRA, Rank: 4}, PathFused},
	} {
		c := tc.c
		base := frozenLinear[float32](rng, 24, 20)
		a, err := c.Build("m", 24, 20)
		require.NoError(t, err)
		l, err := NewAdapted[float32](base, a)
		require.NoError(t, err)
		l.Path = tc.path
		xd := make([]float32, 5*20)
		for i := range xd {
			xd[i] = float32(rng.NormFloat64())
		}
		x := nn.FromSlice(xd, 5, 20)
		want := append([]float32(nil), base.Forward(x).Data...)
		got := l.Forward(x).Data
		for i := range got {
			require.Equal(t, math.Float32bits(want[i]), math.Float32bits(got[i]), "%s %s: output %d is %v, frozen %v", tc.path, c.Method, i, got[i], want[i])
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
	ym := append([]float64(nil), conv.Forward(x).Data...)
	assert.LessOrEqual(t, maxAbsDiff(y, ym), 1e-10, "merged convolution differs")
	require.NoError(t, ad.Unmerge())
	assert.LessOrEqual(t, maxAbsDiff(conv.Forward(x).Data, y), 1e-12, "unmerged convolution differs")

	// The same adapter on a float32 convolution sharing the frozen weights, on every path,
	// against the float64 merged convolution (x is rounded to float32 first).
	lin := ad.Base.(*nn.Linear[float64])
	for _, path := range []Path{PathFactored, PathDense, PathFused} {
		ad32, err := NewAdapted[float32](nn.NewLinearFrom[float32](lin.W, lin.B), a)
		require.NoError(t, err)
		ad32.Path = path
		conv32 := nn.NewConv2DFrom[float32](cfg, ad32)
		x32 := nn.Convert[float32](x)
		y32 := conv32.Forward(x32)
		require.Equal(t, path, ad32.LastPath())
		conv.Map = ad
		want := conv.Forward(nn.Convert[float64](x32)).Data
		assert.LessOrEqual(t, relErr(toF64s(y32.Data), want), 5e-6, "%s: float32 convolution differs", path)
	}
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
