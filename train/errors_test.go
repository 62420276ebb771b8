package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/models/mlp512"
	mnistcnn "github.com/qpeft/qpeft/models/mnistcnn"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

func write(t *testing.T, path string, b []byte) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

// TestModelErrors: missing, corrupt, truncated and misshapen model files give errors that
// name the file and the problem.
func TestModelErrors(t *testing.T) {
	dir := t.TempDir()
	onnxB, stB := mnistcnn.ONNX(), mlp512.Weights()
	bad := mlp512.New([]int{784, 512, 500, 10}, 1)
	// Break the chain: fc2 outputs 500 but fc3 is given 512 inputs.
	bad.Layers[5] = nn.NewLinearFrom[float32](nn.NewParam("fc3.weight", 10, 512), nn.NewParam("fc3.bias", 10))
	badB, err := mlp512.Write(bad, nil)
	require.NoError(t, err)
	cases := []struct {
		name, path string
		want       []string
	}{
		{"unknown name", "resnet", []string{`unknown model "resnet"`, "mnist-cnn, mlp512"}},
		{"missing file", filepath.Join(dir, "nope.onnx"), []string{"nope.onnx", "no such file"}},
		{"truncated onnx", write(t, filepath.Join(dir, "trunc.onnx"), onnxB[:len(onnxB)/2]), []string{"trunc.onnx"}},
		{"garbage onnx", write(t, filepath.Join(dir, "garbage.onnx"), bytes.Repeat([]byte{0xff}, 64)), []string{"garbage.onnx"}},
		{"truncated safetensors", write(t, filepath.Join(dir, "trunc.safetensors"), stB[:len(stB)-100]), []string{"trunc.safetensors"}},
		{"empty safetensors", write(t, filepath.Join(dir, "empty.safetensors"), nil), []string{"empty.safetensors"}},
		{"wrong shapes", write(t, filepath.Join(dir, "shapes.safetensors"), badB), []string{"shapes.safetensors", "fc3.weight", "does not match fc2's output width 500"}},
		{"unknown extension", write(t, filepath.Join(dir, "model.pt"), []byte("x")), []string{"model.pt", "unknown file type"}},
		{"directory", dir, []string{"is a directory"}},
	}
	for _, c := range cases {
		_, err := LoadModel(c.path, 0)
		if !assert.Error(t, err, "%s: no error", c.name) {
			continue
		}
		for _, w := range c.want {
			assert.ErrorContains(t, err, w, c.name)
		}
	}
}

// TestDataErrors: missing and truncated IDX files and images of the wrong size.
func TestDataErrors(t *testing.T) {
	dir := t.TempDir()
	sub := loadSubset(t)
	idx := func(d *data.Dataset, n int) ([]byte, []byte) {
		var im, lb bytes.Buffer
		require.NoError(t, data.WriteIDX(&im, []int{n, d.Rows, d.Cols}, d.Images[:n*d.Rows*d.Cols], false))
		require.NoError(t, data.WriteIDX(&lb, []int{n}, d.Labels[:n], false))
		return im.Bytes(), lb.Bytes()
	}
	good := filepath.Join(dir, "good")
	trIm, trLb := idx(sub.Train, 100)
	teIm, teLb := idx(sub.Test, 50)
	write(t, filepath.Join(good, "train-images-idx3-ubyte"), trIm)
	write(t, filepath.Join(good, "train-labels-idx1-ubyte"), trLb)
	write(t, filepath.Join(good, "t10k-images-idx3-ubyte"), teIm)
	write(t, filepath.Join(good, "t10k-labels-idx1-ubyte"), teLb)
	d, err := LoadData("fashion-mnist:" + good)
	require.NoError(t, err, "good directory")
	require.Equal(t, 100, d.Train.N, "good directory: training images")
	require.Equal(t, 50, d.Test.N, "good directory: test images")
	trunc := filepath.Join(dir, "trunc")
	write(t, filepath.Join(trunc, "train-images-idx3-ubyte"), trIm[:len(trIm)-10])
	write(t, filepath.Join(trunc, "train-labels-idx1-ubyte"), trLb)
	missing := filepath.Join(dir, "missing")
	write(t, filepath.Join(missing, "train-images-idx3-ubyte"), trIm)
	write(t, filepath.Join(missing, "train-labels-idx1-ubyte"), trLb)
	small := filepath.Join(dir, "small")
	var im bytes.Buffer
	require.NoError(t, data.WriteIDX(&im, []int{4, 20, 20}, make([]byte, 4*400), false))
	for _, s := range []string{"train", "t10k"} {
		write(t, filepath.Join(small, s+"-images-idx3-ubyte"), im.Bytes())
		write(t, filepath.Join(small, s+"-labels-idx1-ubyte"), trLb[:8+4])
	}
	// trLb[:12] is a valid header announcing 100 labels with 4 present: fix the count.
	var lb bytes.Buffer
	require.NoError(t, data.WriteIDX(&lb, []int{4}, []byte{1, 2, 3, 4}, false))
	for _, s := range []string{"train", "t10k"} {
		write(t, filepath.Join(small, s+"-labels-idx1-ubyte"), lb.Bytes())
	}

	cases := []struct {
		spec string
		want []string
	}{
		{"fashion-mnist:" + trunc, []string{"trunc"}},
		{"fashion-mnist:" + missing, []string{"t10k-images-idx3-ubyte"}},
		{"fashion-mnist:" + filepath.Join(dir, "absent"), []string{"absent"}},
		{"imagenet:/x", []string{`unknown dataset "imagenet"`}},
		{"fashion-subset:/x", []string{"takes no directory"}},
		{"fashion-mnist:", []string{"empty path after ':'"}},
	}
	for _, c := range cases {
		_, err := LoadData(c.spec)
		if !assert.Error(t, err, "%s: no error", c.spec) {
			continue
		}
		for _, w := range c.want {
			assert.ErrorContains(t, err, w, c.spec)
		}
	}
	// 20x20 images do not fit the 28x28 models.
	cfg := tiny(ModelMNISTCNN, Head)
	cfg.Data, cfg.TrainLimit, cfg.Batch = "fashion-mnist:"+small, 0, 2
	_, err = Run(context.Background(), cfg, "", Options{})
	assert.ErrorContains(t, err, "images of shape [1 20 20]", "wrong image size")
	assert.ErrorContains(t, err, "[1 28 28]", "wrong image size")
}

// TestRunDirErrors: eval of damaged run directories, and --out paths Run refuses.
func TestRunDirErrors(t *testing.T) {
	base := t.TempDir()
	good := filepath.Join(base, "good")
	run(t, tiny(ModelMLP512, QPEFT), good)

	copyDir := func(name string) string {
		dst := filepath.Join(base, name)
		require.NoError(t, os.CopyFS(dst, os.DirFS(good)))
		return dst
	}
	noHead := copyDir("nohead")
	os.Remove(filepath.Join(noHead, HeadFile))
	truncAdapter := copyDir("truncadapter")
	wp := filepath.Join(truncAdapter, AdapterDir, peft.WeightsFile)
	b := readFile(t, wp)
	write(t, wp, b[:len(b)/2])
	badMetrics := copyDir("badmetrics")
	write(t, filepath.Join(badMetrics, MetricsFile), []byte(`{"format": "qpeft-train-metrics/1", "config": {"model": 3}}`))
	otherModel := copyDir("othermodel")
	m := readFile(t, filepath.Join(otherModel, MetricsFile))
	write(t, filepath.Join(otherModel, MetricsFile), bytes.Replace(m, []byte(`"model": "mlp512"`), []byte(`"model": "mnist-cnn"`), 1))

	cases := []struct {
		dir  string
		want string
	}{
		{filepath.Join(base, "absent"), "no such file"},
		{noHead, HeadFile},
		{truncAdapter, peft.WeightsFile},
		{badMetrics, MetricsFile},
		{otherModel, "the base model changed"},
		{base, "holds neither"},
	}
	for _, c := range cases {
		_, err := EvaluateRun(context.Background(), c.dir, "", 0)
		assert.ErrorContains(t, err, c.want, filepath.Base(c.dir))
	}

	// Run refuses to replace a file or a non-empty directory that is not a run directory.
	file := write(t, filepath.Join(base, "file"), []byte("x"))
	other := filepath.Join(base, "other")
	write(t, filepath.Join(other, "notes.txt"), []byte("keep me"))
	for _, out := range []string{file, other} {
		_, err := Run(context.Background(), tiny(ModelMLP512, Head), out, Options{Data: loadSubset(t)})
		assert.Error(t, err, "Run replaced %s", out)
	}
	assert.Equal(t, "keep me", string(readFile(t, filepath.Join(other, "notes.txt"))), "Run touched a directory it refused")
}

// TestConfigValidate lists settings that must be refused, each with its reason.
func TestConfigValidate(t *testing.T) {
	base := tiny(ModelMLP512, QPEFT)
	cases := []struct {
		edit func(c *Config)
		want string
	}{
		{func(c *Config) { c.Method = "magic" }, "unknown method"},
		{func(c *Config) { c.Epochs = 0 }, "--epochs"},
		{func(c *Config) { c.Batch = 0 }, "--batch"},
		{func(c *Config) { c.LR = -1 }, "learning rates"},
		{func(c *Config) { c.Rank = 0 }, "--rank"},
		{func(c *Config) { c.Layers = -1 }, "layers"},
		{func(c *Config) { c.Head = "old" }, "--head"},
		{func(c *Config) { c.Method, c.Layers = Head, 0; c.HeadLR = 0; c.Rank = 3 }, "apply to qpeft"},
		{func(c *Config) { c.Method, c.Rank, c.Layers, c.HeadLR = Head, 0, 0, 1e-3 }, "--head-lr"},
		{func(c *Config) { c.Method, c.Rank, c.Layers, c.HeadLR, c.Head = Full, 0, 0, 0, HeadAdapt }, "--head adapt"},
		{func(c *Config) { c.WarmupFrac = 1 }, "--warmup 1 must be in [0, 1)"},
		{func(c *Config) { c.Model = "" }, "no model"},
		{func(c *Config) { c.Data = "" }, "no data"},
	}
	for i, c := range cases {
		cfg := base
		c.edit(&cfg)
		assert.ErrorContains(t, cfg.Validate(), c.want, "case %d", i)
	}
	assert.NoError(t, base.Validate(), "base config")
	// Targets: unknown names and the replaced head are refused with the valid names.
	for _, c := range []struct {
		targets []string
		want    string
	}{
		{[]string{"fc9"}, "valid targets"},
		{[]string{"head"}, "--head adapt"},
		{[]string{"fc1", "fc1"}, "twice"},
	} {
		cfg := base
		cfg.Targets = c.targets
		m, err := LoadModel(ModelMLP512, 0)
		require.NoError(t, err)
		_, err = Prepare(cfg, m, 10, 10)
		assert.ErrorContains(t, err, c.want, "targets %v", c.targets)
	}
}
