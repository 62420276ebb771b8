package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/qpeft/qpeft/nn"
)

// A small CNN trained for one step with AdamW.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	model := nn.NewSequential[float32](
		nn.NewConv2D[float32]("conv1", nn.Conv2DConfig{InChannels: 1, OutChannels: 4, KernelH: 3, KernelW: 3,
			PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Bias: true}, rng),
		&nn.ReLU[float32]{},
		nn.NewMaxPool2D[float32](nn.MaxPool2DConfig{KernelH: 2, KernelW: 2}),
		&nn.Flatten[float32]{},
		nn.NewLinear[float32]("fc", 4*4*4, 3, true, rng),
	)
	x := nn.New[float32](2, 1, 8, 8) // batch of 2 NCHW images
	x.Data[5], x.Data[64+60] = 1, 1
	labels := []int{0, 2}

	trainable, total := nn.CountParams(model.Params())
	fmt.Println("parameters:", trainable, "of", total)
	fmt.Println("logits shape:", model.Forward(x).Shape)

	opt := nn.NewAdamW(model.Params(), 1e-2, 0.01)
	loss0, _, _ := nn.TrainStep[float32](model, opt, x, labels, 1.0)
	loss1, _ := nn.SoftmaxCrossEntropy(model.Forward(x), labels)
	fmt.Println("loss decreased:", loss1 < loss0)
	// Output:
	// parameters: 235 of 235
	// logits shape: [2 3]
	// loss decreased: true
}

// scaled is a LinearMap that wraps another and multiplies its output by a factor: a stand-in
// for an adapter, showing how any LinearMap drops into a convolution.
type scaled struct {
	nn.LinearMap[float32]
	k float32
}

func (s *scaled) Forward(x *nn.Tensor[float32]) *nn.Tensor[float32] {
	y := s.LinearMap.Forward(x)
	for i := range y.Data {
		y.Data[i] *= s.k
	}
	return y
}

func (s *scaled) Backward(dy *nn.Tensor[float32]) *nn.Tensor[float32] {
	d := dy.Clone()
	for i := range d.Data {
		d.Data[i] *= s.k
	}
	return s.LinearMap.Backward(d)
}

// Replacing a convolution's LinearMap: the conv applies the map to its im2col patches.
func ExampleConv2D_map() {
	rng := rand.New(rand.NewPCG(3, 4))
	conv := nn.NewConv2D[float32]("conv", nn.Conv2DConfig{InChannels: 1, OutChannels: 2, KernelH: 2, KernelW: 2}, rng)
	out, in := conv.Map.Dims()
	fmt.Println("map dims:", out, in)

	x := nn.New[float32](1, 1, 3, 3)
	for i := range x.Data {
		x.Data[i] = float32(i)
	}
	before := conv.Forward(x).Clone()
	conv.Map = &scaled{LinearMap: conv.Map, k: 2}
	after := conv.Forward(x)
	fmt.Println("output shape:", after.Shape, "doubled:", after.Data[3] == 2*before.Data[3])
	// Output:
	// map dims: 2 4
	// output shape: [1 2 2 2] doubled: true
}

func ExampleLinear() {
	w := nn.NewParam("fc.weight", 2, 3) // out x in, PyTorch convention
	copy(w.Value, []float64{1, 0, 0, 0, 1, 1})
	fc := nn.NewLinearFrom[float64](w, nil)
	y := fc.Forward(nn.FromSlice([]float64{1, 2, 3}, 1, 3))
	fmt.Println(y.Data)
	// Output: [1 5]
}

func ExampleWarmupCosine() {
	s := nn.WarmupCosine{Peak: 1e-3, Final: 0, WarmupSteps: 2, TotalSteps: 6}
	for step := 0; step < 7; step++ {
		fmt.Printf("%.2e ", s.LR(step))
	}
	fmt.Println()
	// Output: 5.00e-04 1.00e-03 1.00e-03 8.54e-04 5.00e-04 1.46e-04 0.00e+00
}

func ExampleSoftmaxCrossEntropy() {
	logits := nn.FromSlice([]float64{2, 0, 0, 0, 3, 0}, 2, 3)
	loss, grad := nn.SoftmaxCrossEntropy(logits, []int{0, 1})
	fmt.Printf("loss %.4f, accuracy %.1f, grad shape %v\n", loss, nn.Accuracy(logits, []int{0, 1}), grad.Shape)
	// Output: loss 0.1672, accuracy 1.0, grad shape [2 3]
}

// Listing the places where an adapter can be injected, and replacing one.
func ExampleSequential_MapSites() {
	rng := rand.New(rand.NewPCG(5, 6))
	model := nn.NewSequential[float32](
		nn.NewConv2D[float32]("conv1", nn.Conv2DConfig{InChannels: 1, OutChannels: 2, KernelH: 3, KernelW: 3}, rng),
		&nn.ReLU[float32]{},
		&nn.Flatten[float32]{},
		nn.NewLinear[float32]("fc", 2*2*2, 3, true, rng),
	)
	for _, site := range model.MapSites() {
		out, in := site.Map.Dims()
		fmt.Printf("%s (layer %d, conv %v): %d x %d\n", site.Name, site.Index, site.Conv != nil, out, in)
	}
	fc := model.MapSites()[1]
	fc.Set(&scaled{LinearMap: fc.Map, k: 0.5})
	fmt.Printf("%T\n", model.Layers[3])
	// Output:
	// conv1 (layer 0, conv true): 2 x 9
	// fc (layer 3, conv false): 3 x 8
	// *nn_test.scaled
}

// The gradients of a rank-1 update ΔW = p·qᵀ on three rows, without forming ∂ℓ/∂W = dyᵀ·x:
// gq = (dy·p)ᵀ·x and gp = (x·q)ᵀ·dy.
func ExampleLowRankGrad() {
	x := []float32{1, 0, 2, 0, 1, 1, 3, 1, 0} // 3 rows x 3 inputs
	dy := []float32{1, -1, 0, 2, 1, 1}        // 3 rows x 2 outputs
	qt := []float32{1, 1, 1}                  // Qᵀ: 1 x 3
	pt := []float32{1, 0}                     // Pᵀ: 1 x 2
	gq, gp := make([]float64, 3), make([]float64, 2)
	nn.LowRankGrad(3, 3, 2, 1, x, dy, qt, pt, gq, gp)
	fmt.Println("gq:", gq)
	fmt.Println("gp:", gp)
	// Output:
	// gq: [4 1 2]
	// gp: [7 5]
}
