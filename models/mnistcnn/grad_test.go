package mnistcnn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qpeft/qpeft/formats/onnx"
	mnistcnn "github.com/qpeft/qpeft/models/mnistcnn"
	"github.com/qpeft/qpeft/nn"
	"github.com/stretchr/testify/require"
)

// TestFloat32GradientsMatchFloat64 runs one backward pass of the real CNN in float32 (the
// SIMD/packed GEMM path) and in float64 (whose layers are checked against finite differences
// in nn) and compares every parameter gradient.
func TestFloat32GradientsMatchFloat64(t *testing.T) {
	n32, err := onnx.Load[float32](mnistcnn.ONNX())
	require.NoError(t, err)
	n64, err := onnx.Load[float64](mnistcnn.ONNX())
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 3))
	const batch = 16
	x := nn.New[float64](batch, 1, 28, 28)
	for i := range x.Data {
		x.Data[i] = float64(rng.IntN(256))
	}
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	l64, d64 := nn.SoftmaxCrossEntropy(n64.Model.Forward(x), labels)
	n64.Model.Backward(d64)
	l32, d32 := nn.SoftmaxCrossEntropy(n32.Model.Forward(nn.Convert[float32](x)), labels)
	n32.Model.Backward(d32)
	require.InDelta(t, l64, l32, 1e-4*math.Max(1, l64), "loss float32 %v, float64 %v", l32, l64)
	p32, p64 := n32.Model.Params(), n64.Model.Params()
	for i := range p64 {
		var num, den float64
		for j, g := range p64[i].Grad {
			d := p32[i].Grad[j] - g
			num += d * d
			den += g * g
		}
		rel := math.Sqrt(num / den)
		t.Logf("%s: |g| = %.3g, relative difference %.2g", p64[i].Name, math.Sqrt(den), rel)
		if den == 0 || rel > 1e-3 {
			t.Errorf("%s: float32 gradient differs from float64 by %.3g (relative L2)", p64[i].Name, rel)
		}
	}
}
