package peft_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/formats/hfpeft"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// Fine-tune a Quantum-PEFT adapter (Pauli ansatz, L = 1, K = 4) on a frozen 64 × 64 layer to
// learn the low-rank update of a teacher adapter, then export it as a standard LoRA adapter.
func Example() {
	const n, rows = 64, 32
	cfg := peft.Config{Method: peft.MethodQuantumPEFT, Rank: 4, Layers: 1, InitScale: 0.5, Seed: 1}
	a, err := cfg.Build("layer", n, n)
	if err != nil {
		log.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	w0 := make([]float64, n*n)
	for i := range w0 {
		w0[i] = rng.NormFloat64() / 8
	}
	layer, err := peft.NewLinear(w0, n, n, nil, a)
	if err != nil {
		log.Fatal(err)
	}
	// The target: the frozen layer plus the update of a "teacher" adapter of the same form.
	teacherCfg := cfg
	teacherCfg.Seed = 2
	teacher, err := teacherCfg.Build("layer", n, n)
	if err != nil {
		log.Fatal(err)
	}
	for j := range teacher.(*peft.QuantumPEFT).Lambda.Value {
		teacher.(*peft.QuantumPEFT).Lambda.Value[j] = 0.5 * float64(j+1)
	}
	x := make([]float64, rows*n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	target := make([]float64, rows*n)
	tl, _ := peft.NewLinear(w0, n, n, nil, teacher)
	if err := tl.Forward(x, rows, target); err != nil {
		log.Fatal(err)
	}
	fmt.Println("trainable parameters:", a.NumTrainable(), "(LoRA r=4 would train", 4*(n+n), ")")

	opt := nn.NewAdam(a.Params(), 0.05)
	y, dy := make([]float64, rows*n), make([]float64, rows*n)
	var first, last float64
	for step := 0; step < 300; step++ {
		if err := layer.Forward(x, rows, y); err != nil {
			log.Fatal(err)
		}
		var loss float64
		for i := range y {
			d := y[i] - target[i]
			loss += d * d / rows
			dy[i] = 2 * d / rows
		}
		if step == 0 {
			first = loss
		}
		last = loss
		nn.ZeroGrad(a.Params())
		if err := layer.Backward(dy, nil); err != nil {
			log.Fatal(err)
		}
		opt.Step()
	}
	fmt.Printf("loss fell by more than 10x: %v\n", last < first/10)
	du, dv, _ := a.(*peft.QuantumPEFT).Orthogonality()
	fmt.Printf("UᵀU = I and VᵀV = I to 1e-12: %v\n", du < 1e-12 && dv < 1e-12)

	dir, err := os.MkdirTemp("", "qpeft-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "lora")
	if err := peft.ExportLoRA(out, []peft.Module{{Name: "layer", Adapter: a}}, "example/base"); err != nil {
		log.Fatal(err)
	}
	lora, err := hfpeft.Load(out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("exported LoRA rank:", lora.Config.R, "alpha:", lora.Config.LoraAlpha)
	// Output:
	// trainable parameters: 36 (LoRA r=4 would train 512 )
	// loss fell by more than 10x: true
	// UᵀU = I and VᵀV = I to 1e-12: true
	// exported LoRA rank: 4 alpha: 4
}

// Adapt the 16 x 200 patch map of a convolution in float32: on a batch of 64 images (12,544
// patch rows) PathAuto folds ΔW into the frozen weight and takes the factors' gradients from
// one pass over the patch rows (the fused path, with the float32 AVX2 kernel; the dense path
// without it), on a single patch it applies the factors as two thin GEMMs; Path forces a path.
func ExampleAdapted_path() {
	conv := nn.NewConv2D[float32]("conv2", nn.Conv2DConfig{InChannels: 8, OutChannels: 16, KernelH: 5, KernelW: 5, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2}, rand.New(rand.NewPCG(1, 2)))
	nn.Freeze(conv.Params())
	a, err := peft.Config{Method: peft.MethodLoRA, Rank: 4}.Build("conv2", 16, 200)
	if err != nil {
		log.Fatal(err)
	}
	ad, err := peft.NewAdapted[float32](conv.Map, a)
	if err != nil {
		log.Fatal(err)
	}
	conv.Map = ad
	conv.Forward(nn.New[float32](64, 8, 14, 14))
	fmt.Println("batch 64:", ad.LastPath() == peft.PathFused || !nn.SIMD() && ad.LastPath() == peft.PathDense)
	conv.Forward(nn.New[float32](1, 8, 1, 1))
	fmt.Println("1 patch:", ad.LastPath())
	ad.Path = peft.PathFactored
	conv.Forward(nn.New[float32](64, 8, 14, 14))
	fmt.Println("forced:", ad.LastPath())
	// Output:
	// batch 64: true
	// 1 patch: factored
	// forced: factored
}
