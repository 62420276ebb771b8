package mnistcnn_test

import (
	"math/rand/v2"
	"testing"

	"github.com/qpeft/qpeft/formats/onnx"
	mnistcnn "github.com/qpeft/qpeft/models/mnistcnn"
	"github.com/qpeft/qpeft/nn"
	"github.com/stretchr/testify/require"
)

func benchBatch(b *testing.B, n int) (*nn.Tensor[float32], []int) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := nn.New[float32](n, 1, 28, 28)
	for i := range x.Data {
		x.Data[i] = float32(rng.IntN(256))
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	return x, labels
}

// BenchmarkMNISTCNN measures the embedded CNN at batch 64: a full training step (forward,
// loss, backward, SGD) with every parameter trainable, the same with the convolutions frozen
// (only the last layer trained: its weight gradients are skipped), and inference alone; each
// with the AVX2/FMA kernel and the portable one. samples/s = 64 / (time per step).
func BenchmarkMNISTCNN(b *testing.B) {
	const batch = 64
	x, labels := benchBatch(b, batch)
	for _, simd := range []bool{true, false} {
		if simd && !nn.SIMD() {
			continue
		}
		kernel := "simd"
		if !simd {
			kernel = "purego"
		}
		for _, mode := range []string{"train-all", "train-head", "inference"} {
			b.Run(kernel+"/"+mode, func(b *testing.B) {
				prev := nn.SetSIMD(simd)
				defer nn.SetSIMD(prev)
				net, err := onnx.Load[float32](mnistcnn.ONNX())
				require.NoError(b, err)
				params := net.Model.Params()
				if mode == "train-head" {
					nn.Freeze(params[:4])
				}
				opt := nn.NewSGD(params, 1e-6, 0.9)
				for b.Loop() {
					if mode == "inference" {
						net.Model.Forward(x)
					} else {
						nn.TrainStep[float32](net.Model, opt, x, labels, 0)
					}
				}
				b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}
