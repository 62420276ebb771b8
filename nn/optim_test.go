package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSGDHandValues(t *testing.T) {
	// p0 = 1, constant gradient g = 2 (plus weight decay 0.5·p), lr 0.1, momentum 0.9.
	cases := []struct {
		name     string
		momentum float64
		wd       float64
		nesterov bool
		want     []float64 // p after steps 1, 2
	}{
		// plain: p1 = 1 − 0.2 = 0.8; p2 = 0.6
		{"plain", 0, 0, false, []float64{0.8, 0.6}},
		// momentum: buf1 = 2 → p1 = 0.8; buf2 = 0.9·2 + 2 = 3.8 → p2 = 0.42
		{"momentum", 0.9, 0, false, []float64{0.8, 0.42}},
		// nesterov: step1 g + 0.9·buf = 3.8 → p1 = 0.62; buf2 = 3.8 → 2 + 3.42 = 5.42 → p2 = 0.078
		{"nesterov", 0.9, 0, true, []float64{0.62, 0.078}},
		// weight decay: g1 = 2 + 0.5 = 2.5 → p1 = 0.75; g2 = 2 + 0.375 = 2.375 → p2 = 0.5125
		{"decay", 0, 0.5, false, []float64{0.75, 0.5125}},
	}
	for _, tc := range cases {
		p := NewParam("p", 1)
		p.Value[0] = 1
		o := NewSGD([]*Param{p}, 0.1, tc.momentum)
		o.WeightDecay, o.Nesterov = tc.wd, tc.nesterov
		for s, want := range tc.want {
			p.Grad[0] = 2
			o.Step()
			assert.InDelta(t, want, p.Value[0], 1e-12, "%s step %d: p = %v, want %v", tc.name, s+1, p.Value[0], want)
		}
	}
}

func TestAdamHandValues(t *testing.T) {
	// Step 1 of Adam: m̂ = g, v̂ = g², so p −= lr·g/(|g|+ε).
	p := NewParam("p", 2)
	p.Value[0], p.Value[1] = 1, -1
	o := NewAdam([]*Param{p}, 0.01)
	p.Grad[0], p.Grad[1] = 3, -0.5
	o.Step()
	want := []float64{1 - 0.01*3/(3+1e-8), -1 + 0.01*0.5/(0.5+1e-8)}
	for i := range want {
		require.InDelta(t, want[i], p.Value[i], 1e-15, "p[%d] = %v, want %v", i, p.Value[i], want[i])
	}
	// Step 2 with gradient 1 from g1 = 3: m = 0.09·3+... computed by hand.
	p.Grad[0] = 1
	o.Step()
	m := 0.9*(0.1*3) + 0.1*1
	v := 0.999*(0.001*9) + 0.001*1
	mh, vh := m/(1-0.81), v/(1-0.999*0.999)
	w := want[0] - 0.01*mh/(math.Sqrt(vh)+1e-8)
	require.InDelta(t, w, p.Value[0], 1e-15, "step 2: %v, want %v", p.Value[0], w)
}

func TestAdamWDecoupledVersusL2(t *testing.T) {
	// With zero gradient, AdamW shrinks p by lr·wd·p and the Adam part is 0/(0+ε) = 0;
	// Adam with L2 decay instead sees g = wd·p and moves by ≈ lr.
	pw := NewParam("w", 1)
	pw.Value[0] = 2
	NewAdamW([]*Param{pw}, 0.1, 0.01).Step()
	if want := 2 - 0.1*0.01*2; math.Abs(pw.Value[0]-want) > 1e-15 {
		t.Fatalf("AdamW: %v, want %v", pw.Value[0], want)
	}
	pl := NewParam("l", 1)
	pl.Value[0] = 2
	o := NewAdam([]*Param{pl}, 0.1)
	o.WeightDecay = 0.01
	o.Step()
	if want := 2 - 0.1*0.02/(0.02+1e-8); math.Abs(pl.Value[0]-want) > 1e-12 {
		t.Fatalf("Adam L2: %v, want %v", pl.Value[0], want)
	}
}

func TestOptimizersSkipFrozen(t *testing.T) {
	for _, mk := range []func([]*Param) Optimizer{
		func(p []*Param) Optimizer { return NewSGD(p, 0.1, 0.9) },
		func(p []*Param) Optimizer { return NewAdamW(p, 0.1, 0.1) },
	} {
		p := NewParam("p", 1)
		p.Value[0], p.Grad[0], p.Trainable = 1, 5, false
		mk([]*Param{p}).Step()
		if p.Value[0] != 1 {
			t.Fatalf("frozen parameter moved to %v", p.Value[0])
		}
	}
}

func TestWarmupCosine(t *testing.T) {
	s := WarmupCosine{Peak: 1, Final: 0.1, WarmupSteps: 4, TotalSteps: 14}
	cases := []struct {
		step int
		want float64
	}{
		{0, 0.25}, {1, 0.5}, {3, 1}, {4, 1},
		{9, 0.1 + 0.9*0.5*(1+math.Cos(math.Pi*0.5))}, // half-way: 0.55
		{13, 0.1 + 0.9*0.5*(1+math.Cos(math.Pi*0.9))},
		{14, 0.1}, {100, 0.1},
	}
	for _, tc := range cases {
		if got := s.LR(tc.step); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("LR(%d) = %v, want %v", tc.step, got, tc.want)
		}
	}
	if ConstantLR(0.3).LR(99) != 0.3 {
		t.Error("ConstantLR")
	}
}

func TestClipGradNorm(t *testing.T) {
	a, b, f := NewParam("a", 2), NewParam("b", 1), NewParam("frozen", 1)
	a.Grad[0], a.Grad[1], b.Grad[0] = 3, 0, 4
	f.Grad[0], f.Trainable = 100, false
	ps := []*Param{a, b, f}
	if n := ClipGradNorm(ps, 10); n != 5 || a.Grad[0] != 3 {
		t.Fatalf("no-op clip: norm %v, grad %v", n, a.Grad)
	}
	if n := ClipGradNorm(ps, 1); n != 5 {
		t.Fatalf("norm %v, want 5", n)
	}
	if got := GradNorm(ps); math.Abs(got-1) > 1e-6 {
		t.Fatalf("clipped norm %v, want 1", got)
	}
	if f.Grad[0] != 100 {
		t.Fatal("frozen gradient was scaled")
	}
}

// TestTrainingReducesLoss trains the small CNN with AdamW on a fixed synthetic problem
// (label = quadrant holding the brightest pixel) and checks that it learns it.
func TestTrainingReducesLoss(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	model := smallCNN(rng)
	n := 32
	x := New[float64](n, 1, 8, 8)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		q := rng.IntN(4)
		labels[i] = q
		for j := 0; j < 64; j++ {
			x.Data[i*64+j] = rng.Float64() * 0.1
		}
		r, c := (q/2)*4+1+rng.IntN(2), (q%2)*4+1+rng.IntN(2)
		x.Data[i*64+r*8+c] = 3
	}
	opt := NewAdamW(model.Params(), 0.02, 0.01)
	before := Evaluate[float64](model, x, labels, 16)
	sched := WarmupCosine{Peak: 0.03, Final: 0.001, WarmupSteps: 5, TotalSteps: 60}
	for step := 0; step < 60; step++ {
		opt.SetLR(sched.LR(step))
		TrainStep[float64](model, opt, x, labels, 5)
	}
	after := Evaluate[float64](model, x, labels, 16)
	t.Logf("before %v; after %v", before, after)
	if after.Loss > before.Loss/4 || after.Accuracy < 0.95 {
		t.Fatalf("training did not learn: before %v, after %v", before, after)
	}
}

// TestFloat32MatchesFloat64 runs the same network in both precisions.
func TestFloat32MatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	m64 := smallCNN(rng)
	// Same parameters (shared *Param values) in a float32 network.
	var layers []Layer[float32]
	for _, l := range m64.Layers {
		switch l := l.(type) {
		case *Conv2D[float64]:
			lin := l.Map.(*Linear[float64])
			layers = append(layers, NewConv2DFrom[float32](l.Config, NewLinearFrom[float32](lin.W, lin.B)))
		case *ReLU[float64]:
			layers = append(layers, &ReLU[float32]{})
		case *MaxPool2D[float64]:
			layers = append(layers, NewMaxPool2D[float32](l.Config))
		case *Flatten[float64]:
			layers = append(layers, &Flatten[float32]{})
		case *Linear[float64]:
			layers = append(layers, NewLinearFrom[float32](l.W, l.B))
		}
	}
	m32 := NewSequential(layers...)
	x := randTensor(rng, 3, 1, 8, 8)
	y64, y32 := m64.Forward(x), m32.Forward(Convert[float32](x))
	for i := range y64.Data {
		require.InDelta(t, y64.Data[i], float64(y32.Data[i]), 1e-5, "y[%d]: float32 %v, float64 %v", i, y32.Data[i], y64.Data[i])
	}
}

// TestTrainStepDeterministicAcrossThreads checks bit-identical parameters after training
// steps with 1 and 2 threads, in float32 at MNIST-like size.
func TestTrainStepDeterministicAcrossThreads(t *testing.T) {
	run := func(procs int) []float64 {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		rng := rand.New(rand.NewPCG(41, 42))
		model := NewSequential[float32](
			NewConv2D[float32]("c1", Conv2DConfig{InChannels: 1, OutChannels: 8, KernelH: 5, KernelW: 5, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, Bias: true}, rng),
			&ReLU[float32]{},
			NewMaxPool2D[float32](MaxPool2DConfig{KernelH: 2, KernelW: 2}),
			&Flatten[float32]{},
			NewLinear[float32]("fc", 8*14*14, 10, true, rng),
		)
		x := New[float32](32, 1, 28, 28)
		labels := make([]int, 32)
		for i := range x.Data {
			x.Data[i] = rng.Float32()
		}
		for i := range labels {
			labels[i] = rng.IntN(10)
		}
		opt := NewSGD(model.Params(), 0.05, 0.9)
		for s := 0; s < 3; s++ {
			TrainStep[float32](model, opt, x, labels, 1)
		}
		var out []float64
		for _, p := range model.Params() {
			out = append(out, p.Value...)
		}
		return out
	}
	a, b := run(1), run(2)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("parameter %d differs: %v (1 thread) vs %v (2 threads)", i, a[i], b[i])
		}
	}
}

// TestBackwardParamsMatchesBackward checks that the pruned backward pass accumulates the
// same gradients as the full one, with everything trainable and with a frozen prefix.
func TestBackwardParamsMatchesBackward(t *testing.T) {
	for _, frozen := range []int{0, 2, 4, 6} {
		rng := rand.New(rand.NewPCG(51, 52))
		m := smallCNN(rng)
		ps := m.Params()
		Freeze(ps[:frozen])
		x := randTensor(rng, 3, 1, 8, 8)
		dy := randTensor(rng, 3, 4)
		m.Forward(x)
		ZeroGrad(ps)
		m.Backward(dy)
		var want []float64
		for _, p := range ps {
			want = append(want, p.Grad...)
		}
		m.Forward(x)
		ZeroGrad(ps)
		BackwardParams[float64](m, dy)
		var got []float64
		for _, p := range ps {
			got = append(got, p.Grad...)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("frozen=%d: gradient %d = %v, want %v", frozen, i, got[i], want[i])
			}
		}
	}
}
