package peft

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/cputime"
	"github.com/qpeft/qpeft/nn"
)

// BenchmarkStep times one training step (forward + backward, with ∂ℓ/∂X) of a 1024 × 1024
// adapted layer on batch·seq = 512 rows: the frozen matmul alone, LoRA r = 8, AdaLoRA r = 8,
// and Quantum-PEFT K = 8 with the Pauli ansatz (L = 2) and the Taylor map. Run the peers in
// one invocation so they share the machine state:
//
//	go test -run '^$' -bench Step -benchtime 20x ./peft/
func BenchmarkStep(b *testing.B) {
	const n, rows, k = 1024, 512, 8
	rng := rand.New(rand.NewPCG(1, 2))
	w0 := randVec(rng, n*n, 0.03)
	x := randVec(rng, rows*n, 1)
	dy := randVec(rng, rows*n, 1)
	cases := []struct {
		name string
		cfg  *Config
	}{
		{"frozen", nil},
		{"lora-r8", &Config{Method: MethodLoRA, Rank: k}},
		{"adalora-r8", &Config{Method: MethodAdaLoRA, Rank: k}},
		{"qpeft-pauli-L2-K8", &Config{Method: MethodQuantumPEFT, Rank: k, Layers: 2}},
		{"qpeft-taylor-K8", &Config{Method: MethodQuantumPEFT, Rank: k, Map: "taylor"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var a Adapter
			if c.cfg != nil {
				var err error
				a, err = c.cfg.Build("layer", n, n)
				require.NoError(b, err)
				randomizeState(rng, a)
			}
			l, err := NewLinear(w0, n, n, nil, a)
			require.NoError(b, err)
			y := make([]float64, rows*n)
			dx := make([]float64, rows*n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if a != nil {
					for _, p := range a.Params() {
						p.Value[0] += 1e-9 // a new step: parameters changed, U and V are rebuilt
					}
				}
				require.NoError(b, l.Forward(x, rows, y))
				require.NoError(b, l.Backward(dy, dx))
			}
		})
	}
}

// BenchmarkAdapterTerm times only what an adapter adds to a training step of the same
// 1024 × 1024 layer (building its factors, the low-rank forward term, its backward term and
// the parameter gradients): the overhead over the frozen matmul, without the frozen
// matmul's run-to-run noise.
//
//	go test -run '^$' -bench AdapterTerm ./peft/
func BenchmarkAdapterTerm(b *testing.B) {
	const n, rows, k = 1024, 512, 8
	rng := rand.New(rand.NewPCG(1, 2))
	x := randVec(rng, rows*n, 1)
	dy := randVec(rng, rows*n, 1)
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"lora-r8", Config{Method: MethodLoRA, Rank: k}},
		{"adalora-r8", Config{Method: MethodAdaLoRA, Rank: k}},
		{"qpeft-pauli-L2-K8", Config{Method: MethodQuantumPEFT, Rank: k, Layers: 2}},
		{"qpeft-taylor-K8", Config{Method: MethodQuantumPEFT, Rank: k, Map: "taylor"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			a, err := c.cfg.Build("layer", n, n)
			require.NoError(b, err)
			randomizeState(rng, a)
			var lr lowRank
			y := make([]float64, rows*n)
			dx := make([]float64, rows*n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, p := range a.Params() {
					p.Value[0] += 1e-9
				}
				require.NoError(b, lr.forward(a, x, rows, y))
				require.NoError(b, lr.backward(a, dy, dx))
			}
		})
	}
}

// BenchmarkAdaptedPath times one training pass (Forward and Backward, or BackwardParams where
// the layer is the lowest trainable one) of an [Adapted] float32 layer on each of its paths,
// for the shapes of the MNIST CNN's im2col maps at batch 64, the mlp512 hidden layer at batch
// 64 and a MiniLM projection at 16 x 64 tokens, with the frozen layer alone as the floor:
//
//	go test ./peft -run '^$' -bench AdaptedPath -benchtime 20x
//
// cpu-ms/op is the process's CPU time per pass (both threads), steadier than wall time on a
// shared machine.
func BenchmarkAdaptedPath(b *testing.B) {
	for _, s := range []struct {
		name          string
		rows, out, in int
		dx            bool
	}{
		{"cnn-conv1", 50176, 8, 25, false},
		{"cnn-conv2", 12544, 16, 200, true},
		{"mlp-fc2", 64, 512, 512, true},
		{"minilm-q", 1024, 384, 384, true},
		{"conv2-1patch", 1, 16, 200, true},
		{"conv2-1image", 196, 16, 200, true},
	} {
		rng := rand.New(rand.NewPCG(3, 4))
		x := nn.FromSlice(to32(randVec(rng, s.rows*s.in, 1)), s.rows, s.in)
		dy := nn.FromSlice(to32(randVec(rng, s.rows*s.out, 1)), s.rows, s.out)
		for _, r := range []int{0, 1, 4, 8} {
			paths := []Path{PathFactored, PathDense, PathFused, PathAuto}
			if r == 0 {
				paths = []Path{PathAuto}
			}
			for _, path := range paths {
				name := fmt.Sprintf("%s/frozen", s.name)
				if r > 0 {
					name = fmt.Sprintf("%s/lora-r%d/%s", s.name, r, path)
				}
				b.Run(name, func(b *testing.B) {
					base := frozenLinear[float32](rng, s.out, s.in)
					var l nn.LinearMap[float32] = base
					var ad *Adapted[float32]
					if r > 0 {
						a, err := Config{Method: MethodLoRA, Rank: r}.Build("m", s.out, s.in)
						require.NoError(b, err)
						randomizeState(rng, a)
						ad, err = NewAdapted[float32](base, a)
						require.NoError(b, err)
						ad.Path = path
						l = ad
					}
					c0 := cputime.Process().Seconds()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						l.Forward(x)
						if s.dx {
							l.Backward(dy)
						} else {
							nn.BackwardParams(l, dy)
						}
					}
					b.ReportMetric((cputime.Process().Seconds()-c0)*1e3/float64(b.N), "cpu-ms/op")
					if ad != nil {
						b.Logf("path taken: %v", ad.LastPath())
					}
				})
			}
		}
	}
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
