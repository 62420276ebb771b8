package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lossOf is the scalar probe L = Σ y·r used by the gradient checks: ∂L/∂y = r.
func lossOf(y *Tensor[float64], r []float64) float64 {
	var s float64
	for i, v := range y.Data {
		s += v * r[i]
	}
	return s
}

func randTensor(rng *rand.Rand, shape ...int) *Tensor[float64] {
	t := New[float64](shape...)
	for i := range t.Data {
		t.Data[i] = rng.Float64()*2 - 1
	}
	return t
}

// gradCheck compares Backward of layer at x with central finite differences of L = Σ y·r,
// for the input and for every trainable parameter.
func gradCheck(t *testing.T, layer Layer[float64], x *Tensor[float64], rng *rand.Rand) {
	t.Helper()
	const h, tol = 1e-6, 1e-6
	y := layer.Forward(x)
	r := randTensor(rng, y.Shape...).Data
	ZeroGrad(layer.Params())
	dx := layer.Backward(FromSlice(append([]float64(nil), r...), y.Shape...))
	if !dx.SameShape(x) {
		t.Fatalf("dx shape %v, x shape %v", dx.Shape, x.Shape)
	}
	check := func(what string, i int, analytic float64, set func(float64), orig float64) {
		set(orig + h)
		lp := lossOf(layer.Forward(x), r)
		set(orig - h)
		lm := lossOf(layer.Forward(x), r)
		set(orig)
		numeric := (lp - lm) / (2 * h)
		if d := math.Abs(numeric - analytic); d > tol*math.Max(1, math.Abs(numeric)) {
			t.Errorf("%s[%d]: analytic %.10g, finite difference %.10g (diff %.3g)", what, i, analytic, numeric, d)
		}
	}
	for i := range x.Data {
		check("dx", i, dx.Data[i], func(v float64) { x.Data[i] = v }, x.Data[i])
	}
	for _, p := range layer.Params() {
		grad := append([]float64(nil), p.Grad...)
		for i := range p.Value {
			if !p.Trainable {
				if grad[i] != 0 {
					t.Fatalf("frozen %s got gradient %v", p.Name, grad[i])
				}
				continue
			}
			check(p.Name, i, grad[i], func(v float64) { p.Value[i] = v }, p.Value[i])
		}
	}
}

func TestGradLinear(t *testing.T) {
	cases := []struct {
		name    string
		in, out int
		bias    bool
		shape   []int
	}{
		{"bias", 5, 3, true, []int{4, 5}},
		{"nobias", 4, 6, false, []int{2, 4}},
		{"3d-input", 3, 2, true, []int{2, 3, 3}},
		{"single-row", 7, 1, true, []int{1, 7}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			l := NewLinear[float64]("fc", tc.in, tc.out, tc.bias, rng)
			gradCheck(t, l, randTensor(rng, tc.shape...), rng)
		})
	}
}

func TestGradLinearFrozenWeight(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	l := NewLinear[float64]("fc", 4, 3, true, rng)
	l.W.Trainable = false
	gradCheck(t, l, randTensor(rng, 2, 4), rng)
}

func TestGradConv2D(t *testing.T) {
	cases := []struct {
		name  string
		cfg   Conv2DConfig
		shape []int
	}{
		{"3x3-valid", Conv2DConfig{InChannels: 1, OutChannels: 2, KernelH: 3, KernelW: 3, Bias: true}, []int{2, 1, 5, 5}},
		{"same-pad-multichannel", Conv2DConfig{InChannels: 2, OutChannels: 3, KernelH: 3, KernelW: 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Bias: true}, []int{1, 2, 4, 5}},
		{"stride2-asym-pad", Conv2DConfig{InChannels: 2, OutChannels: 2, KernelH: 2, KernelW: 3, StrideH: 2, StrideW: 1, PadTop: 1, PadRight: 2}, []int{2, 2, 5, 4}},
		{"5x5-same-upper", Conv2DConfig{InChannels: 1, OutChannels: 2, KernelH: 5, KernelW: 5, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2}, []int{1, 1, 6, 6}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			cv := NewConv2D[float64]("conv", tc.cfg, rng)
			gradCheck(t, cv, randTensor(rng, tc.shape...), rng)
		})
	}
}

// naiveConv is the direct-loop oracle for the im2col convolution.
func naiveConv(x *Tensor[float64], w, b []float64, cfg Conv2DConfig) *Tensor[float64] {
	n, c, h, wd := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	oh, ow, _ := cfg.OutputSize(h, wd)
	sh, sw := cfg.strides()
	y := New[float64](n, cfg.OutChannels, oh, ow)
	for i := 0; i < n; i++ {
		for o := 0; o < cfg.OutChannels; o++ {
			for yo := 0; yo < oh; yo++ {
				for xo := 0; xo < ow; xo++ {
					s := 0.0
					if b != nil {
						s = b[o]
					}
					for ch := 0; ch < c; ch++ {
						for ky := 0; ky < cfg.KernelH; ky++ {
							for kx := 0; kx < cfg.KernelW; kx++ {
								iy, ix := yo*sh-cfg.PadTop+ky, xo*sw-cfg.PadLeft+kx
								if iy < 0 || iy >= h || ix < 0 || ix >= wd {
									continue
								}
								s += x.Data[((i*c+ch)*h+iy)*wd+ix] * w[((o*c+ch)*cfg.KernelH+ky)*cfg.KernelW+kx]
							}
						}
					}
					y.Data[((i*cfg.OutChannels+o)*oh+yo)*ow+xo] = s
				}
			}
		}
	}
	return y
}

func TestConv2DMatchesDirectLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, cfg := range []Conv2DConfig{
		{InChannels: 3, OutChannels: 4, KernelH: 3, KernelW: 3, StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Bias: true},
		{InChannels: 8, OutChannels: 16, KernelH: 5, KernelW: 5, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2},
		{InChannels: 1, OutChannels: 1, KernelH: 1, KernelW: 4, StrideW: 3},
	} {
		cv := NewConv2D[float64]("c", cfg, rng)
		x := randTensor(rng, 3, cfg.InChannels, 9, 11)
		var b []float64
		if cfg.Bias {
			b = cv.Map.(*Linear[float64]).B.Value
		}
		want := naiveConv(x, cv.Map.(*Linear[float64]).W.Value, b, cfg)
		got := cv.Forward(x)
		if !got.SameShape(want) {
			t.Fatalf("%+v: shape %v, want %v", cfg, got.Shape, want.Shape)
		}
		for i := range want.Data {
			require.InDelta(t, want.Data[i], got.Data[i], 1e-12, "%+v: y[%d] = %v, want %v", cfg, i, got.Data[i], want.Data[i])
		}
	}
}

func TestGradMaxPool2D(t *testing.T) {
	cases := []struct {
		name  string
		cfg   MaxPool2DConfig
		shape []int
	}{
		{"2x2", MaxPool2DConfig{KernelH: 2, KernelW: 2}, []int{2, 2, 4, 6}},
		{"3x3-floor", MaxPool2DConfig{KernelH: 3, KernelW: 3}, []int{1, 3, 8, 7}},
		{"overlap-stride1", MaxPool2DConfig{KernelH: 2, KernelW: 3, StrideH: 1, StrideW: 1}, []int{1, 1, 4, 5}},
		{"padded", MaxPool2DConfig{KernelH: 3, KernelW: 3, StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}, []int{1, 2, 5, 5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			gradCheck(t, NewMaxPool2D[float64](tc.cfg), randTensor(rng, tc.shape...), rng)
		})
	}
}

func TestMaxPool2DHandValues(t *testing.T) {
	// 1x1x3x4 input, 2x2 kernel stride 2 → 1x2 output; padded cells never win even when all
	// real values are negative.
	x := FromSlice([]float64{
		1, 5, -2, -3,
		4, 2, -7, -1,
		9, 9, 9, 9}, 1, 1, 3, 4)
	mp := NewMaxPool2D[float64](MaxPool2DConfig{KernelH: 2, KernelW: 2})
	y := mp.Forward(x)
	if fmt.Sprint(y.Shape, y.Data) != "[1 1 1 2] [5 -1]" {
		t.Fatalf("got %v %v", y.Shape, y.Data)
	}
	dx := mp.Backward(FromSlice([]float64{10, 20}, 1, 1, 1, 2))
	want := []float64{0, 10, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0}
	if fmt.Sprint(dx.Data) != fmt.Sprint(want) {
		t.Fatalf("dx %v, want %v", dx.Data, want)
	}
	pad := NewMaxPool2D[float64](MaxPool2DConfig{KernelH: 2, KernelW: 2, PadTop: 1, PadLeft: 1})
	y = pad.Forward(FromSlice([]float64{-5, -6, -7, -8}, 1, 1, 2, 2))
	if fmt.Sprint(y.Data) != "[-5]" {
		t.Fatalf("padded pool %v, want [-5]", y.Data)
	}
}

func TestGradReLUAndFlatten(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	gradCheck(t, &ReLU[float64]{}, randTensor(rng, 3, 2, 2, 2), rng)
	gradCheck(t, &Flatten[float64]{}, randTensor(rng, 3, 2, 2, 2), rng)
}

func TestGradSoftmaxCrossEntropy(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	logits := randTensor(rng, 4, 5)
	for i := range logits.Data {
		logits.Data[i] *= 10
	}
	labels := []int{0, 4, 2, 2}
	_, d := SoftmaxCrossEntropy(logits, labels)
	const h = 1e-6
	for i := range logits.Data {
		o := logits.Data[i]
		logits.Data[i] = o + h
		lp, _ := SoftmaxCrossEntropy(logits, labels)
		logits.Data[i] = o - h
		lm, _ := SoftmaxCrossEntropy(logits, labels)
		logits.Data[i] = o
		if num := (lp - lm) / (2 * h); math.Abs(num-d.Data[i]) > 1e-7 {
			t.Errorf("dlogits[%d] = %v, finite difference %v", i, d.Data[i], num)
		}
	}
}

func TestSoftmaxCrossEntropyValues(t *testing.T) {
	// Uniform logits: loss = log C. Huge logits must not overflow (stable log-sum-exp).
	cases := []struct {
		logits []float64
		label  int
		want   float64
	}{
		{[]float64{0, 0, 0, 0}, 1, math.Log(4)},
		{[]float64{1000, 0}, 0, 0},
		{[]float64{1000, 0}, 1, 1000},
		{[]float64{-1000, -1000}, 0, math.Log(2)},
		{[]float64{1, 2, 3}, 2, math.Log(math.Exp(1)+math.Exp(2)+math.Exp(3)) - 3},
	}
	for _, tc := range cases {
		l, d := SoftmaxCrossEntropy(FromSlice(tc.logits, 1, len(tc.logits)), []int{tc.label})
		assert.InDelta(t, tc.want, l, 1e-12*math.Max(1, tc.want), "logits %v label %d: loss %v, want %v", tc.logits, tc.label, l, tc.want)
		assert.False(t, math.IsNaN(d.Data[0]), "logits %v label %d: NaN gradient", tc.logits, tc.label)
	}
}

// smallCNN is a miniature of the MNIST CNN (conv-relu-pool-conv-relu-pool-flatten-linear).
func smallCNN(rng *rand.Rand) *Sequential[float64] {
	return NewSequential[float64](
		NewConv2D[float64]("conv1", Conv2DConfig{InChannels: 1, OutChannels: 2, KernelH: 3, KernelW: 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Bias: true}, rng),
		&ReLU[float64]{},
		NewMaxPool2D[float64](MaxPool2DConfig{KernelH: 2, KernelW: 2}),
		NewConv2D[float64]("conv2", Conv2DConfig{InChannels: 2, OutChannels: 3, KernelH: 3, KernelW: 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Bias: true}, rng),
		&ReLU[float64]{},
		NewMaxPool2D[float64](MaxPool2DConfig{KernelH: 2, KernelW: 2}),
		&Flatten[float64]{},
		NewLinear[float64]("fc", 3*2*2, 4, true, rng),
	)
}

func TestGradSequentialCNN(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	gradCheck(t, smallCNN(rng), randTensor(rng, 2, 1, 8, 8), rng)
}

func TestMaxPool2DTiesGoToFirst(t *testing.T) {
	mp := NewMaxPool2D[float64](MaxPool2DConfig{KernelH: 2, KernelW: 2})
	mp.Forward(FromSlice([]float64{3, 3, 3, 3}, 1, 1, 2, 2))
	dx := mp.Backward(FromSlice([]float64{1}, 1, 1, 1, 1))
	if fmt.Sprint(dx.Data) != "[1 0 0 0]" {
		t.Fatalf("tie gradient %v, want [1 0 0 0]", dx.Data)
	}
}
