package mnistcnn_test

import (
	"math/rand/v2"
	"testing"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/data/fashionsubset"
	"github.com/qpeft/qpeft/formats/onnx"
	mnistcnn "github.com/qpeft/qpeft/models/mnistcnn"
	"github.com/qpeft/qpeft/nn"
	"github.com/stretchr/testify/require"
)

// TestHeadTransferToFashion checks the substrate end to end: the pretrained MNIST features
// are frozen, the last layer is replaced by a fresh Linear and trained with AdamW and a
// warm-up + cosine schedule on the embedded Fashion-MNIST subset. Zero-shot accuracy is near
// chance; a trained head must do far better (the project's reference measured 85.4 % with
// the full training set).
func TestHeadTransferToFashion(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	train, err := fashionsubset.Load(data.Train)
	require.NoError(t, err)
	test, err := fashionsubset.Load(data.Test)
	require.NoError(t, err)
	net, err := onnx.Load[float32](mnistcnn.ONNX())
	require.NoError(t, err)
	xt, lt := data.All[float32](test, mnistcnn.PixelScale)
	zero := nn.Evaluate[float32](net.Model, xt, lt, 500)

	nn.Freeze(net.Model.Params())
	layers := net.Model.Layers
	layers[len(layers)-1] = nn.NewLinear[float32]("head", 256, 10, true, rand.New(rand.NewPCG(7, 7)))
	head := layers[len(layers)-1].Params()

	const epochs, batch = 3, 64
	steps := epochs * (train.N / batch)
	opt := nn.NewAdamW(head, 0, 1e-4)
	sched := nn.WarmupCosine{Peak: 3e-3, Final: 1e-4, WarmupSteps: 20, TotalSteps: steps}
	step := 0
	for e := 0; e < epochs; e++ {
		for _, idx := range data.EpochBatches(train.N, batch, 11, e, true) {
			x, labels := data.Batch[float32](train, idx, mnistcnn.PixelScale)
			opt.SetLR(sched.LR(step))
			nn.TrainStep[float32](net.Model, opt, x, labels, 1)
			step++
		}
	}
	got := nn.Evaluate[float32](net.Model, xt, lt, 500)
	t.Logf("Fashion-MNIST subset test: zero-shot %v; trained head %v", zero, got)
	if got.Accuracy < 0.7 || got.Accuracy < zero.Accuracy+0.3 {
		t.Fatalf("trained head reaches only %.3f (zero-shot %.3f)", got.Accuracy, zero.Accuracy)
	}
}
