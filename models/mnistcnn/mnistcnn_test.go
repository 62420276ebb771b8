package mnistcnn_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/qpeft/qpeft/formats/onnx"
	mnistcnn "github.com/qpeft/qpeft/models/mnistcnn"
	"github.com/qpeft/qpeft/nn"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedModelChecksum(t *testing.T) {
	b := mnistcnn.ONNX()
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != mnistcnn.SHA256 || len(b) != 26454 {
		t.Fatalf("embedded model: %d bytes, sha256 %s; want 26454 bytes, %s", len(b), got, mnistcnn.SHA256)
	}
	onDisk, err := os.ReadFile("model.onnx")
	require.NoError(t, err)
	if string(onDisk) != string(b) {
		t.Fatal("embedded bytes differ from model.onnx")
	}
}

// rawFloats decodes the float32 payload of a test-data TensorProto independently of
// formats/onnx: every file here ends with raw_data (field 9) holding n little-endian floats.
func rawFloats(t *testing.T, b []byte, n int) []float32 {
	t.Helper()
	if len(b) < 4*n {
		t.Fatalf("file of %d bytes cannot hold %d floats", len(b), n)
	}
	raw := b[len(b)-4*n:]
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out
}

// TestGoldenPairs reproduces the three reference outputs shipped with the model.
func TestGoldenPairs(t *testing.T) {
	net, err := onnx.Load[float32](mnistcnn.ONNX())
	require.NoError(t, err)
	var worst float64
	for i := 0; i < 3; i++ {
		dir := filepath.Join("testdata", fmt.Sprintf("test_data_set_%d", i))
		inB, err := os.ReadFile(filepath.Join(dir, "input_0.pb"))
		require.NoError(t, err)
		outB, err := os.ReadFile(filepath.Join(dir, "output_0.pb"))
		require.NoError(t, err)
		inT, err := onnx.DecodeTensor(inB)
		require.NoError(t, err)
		outT, err := onnx.DecodeTensor(outB)
		require.NoError(t, err)
		if fmt.Sprint(inT.Dims) != "[1 1 28 28]" || fmt.Sprint(outT.Dims) != "[1 10]" {
			t.Fatalf("set %d: dims %v -> %v", i, inT.Dims, outT.Dims)
		}
		x, err := inT.Float32s()
		require.NoError(t, err)
		want, err := outT.Float32s()
		require.NoError(t, err)
		// Cross-check the decoder against the independent raw reading.
		if fmt.Sprint(want) != fmt.Sprint(rawFloats(t, outB, 10)) || fmt.Sprint(x) != fmt.Sprint(rawFloats(t, inB, 784)) {
			t.Fatalf("set %d: DecodeTensor disagrees with the raw bytes", i)
		}
		for _, v := range x {
			if v < 0 || v > 255 || v != float32(math.Round(float64(v))) {
				t.Fatalf("set %d: input value %v is not a raw 0-255 pixel", i, v)
			}
		}
		for _, prec := range []string{"float32", "float64"} {
			var got []float64
			if prec == "float32" {
				y := net.Model.Forward(nn.FromSlice(x, 1, 1, 28, 28))
				for _, v := range y.Data {
					got = append(got, float64(v))
				}
			} else {
				n64, err := onnx.Load[float64](mnistcnn.ONNX())
				require.NoError(t, err)
				got = n64.Model.Forward(nn.Convert[float64](nn.FromSlice(x, 1, 1, 28, 28))).Data
			}
			scale := 0.0
			for _, w := range want {
				scale = math.Max(scale, math.Abs(float64(w)))
			}
			for j, w := range want {
				rel := math.Abs(got[j]-float64(w)) / scale
				worst = math.Max(worst, rel)
				if rel > 1e-4 {
					t.Errorf("set %d %s: logit %d = %v, want %v (relative error %.2g)", i, prec, j, got[j], w, rel)
				}
			}
			if p := nn.Argmax(nn.FromSlice(got, 1, 10))[0]; p != nn.Argmax(nn.FromSlice(want, 1, 10))[0] {
				t.Errorf("set %d %s: predicted class %d differs from the golden output", i, prec, p)
			}
		}
	}
	t.Logf("largest error relative to the largest |logit|: %.3g", worst)
}
