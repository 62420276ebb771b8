package train

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/data/fashionsubset"
	"github.com/qpeft/qpeft/peft"
)

// writeSubsetNPZ writes the first n images of the embedded Fashion-MNIST subset as an .npz
// with arrays x and y (one set, so LoadData splits it).
func writeSubsetNPZ(t *testing.T, n int, rgb bool) string {
	t.Helper()
	d, err := fashionsubset.Load(data.Train)
	require.NoError(t, err)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	d = d.Subset(idx)
	if rgb {
		px := d.PixelsPerImage()
		im := make([]byte, 0, 3*len(d.Images))
		for i := 0; i < d.N; i++ {
			for c := 0; c < 3; c++ {
				im = append(im, d.Images[i*px:(i+1)*px]...)
			}
		}
		d.Images, d.Channels = im, 3
	}
	var b bytes.Buffer
	require.NoError(t, data.WriteNPZ(&b, map[string]*data.Dataset{"": d}))
	path := filepath.Join(t.TempDir(), "fashion.npz")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	return path
}

// TestUserImageData trains on an .npz the run splits itself, with the new adapter options
// (all-linear targets, a rank pattern, the givens ansatz, the rotated start), and checks the
// split, the adapters built and the errors for data the model cannot take.
func TestUserImageData(t *testing.T) {
	path := writeSubsetNPZ(t, 600, false)
	d, err := LoadData("npz:" + path)
	require.NoError(t, err)
	assert.Equal(t, []int{480, 60, 60}, []int{d.Train.N, d.Validation.N, d.Test.N}, "80/10/10")
	assert.Equal(t, 10, d.Train.Classes)
	assert.Contains(t, d.Source, "seeded stratified split (seed 0)")

	cfg := DefaultConfig(ModelMLP512, QPEFT)
	cfg.Data, cfg.Epochs, cfg.Batch = "npz:"+path, 1, 32
	cfg.Targets = []string{AllLinear}
	cfg.RankPattern = map[string]int{"fc1": 2}
	cfg.Ansatz, cfg.Start = "givens", peft.StartRotated
	require.NoError(t, cfg.Validate())
	out := filepath.Join(t.TempDir(), "run")
	res, err := Run(context.Background(), cfg, out, Options{})
	require.NoError(t, err)
	assert.Equal(t, 60, res.Metrics.Data.Test)
	var ranks []string
	for _, m := range res.Metrics.Modules {
		ranks = append(ranks, fmt.Sprintf("%s:%dx%d", m.Name, m.Out, m.In))
	}
	assert.Equal(t, []string{"fc1:512x784", "fc2:512x512"}, ranks, "all-linear on mlp512 is fc1 and fc2")
	ck, err := peft.Load(filepath.Join(out, "adapter"))
	require.NoError(t, err)
	assert.Equal(t, 2, ck.Module("fc1").Rank())
	assert.Equal(t, 4, ck.Module("fc2").Rank())
	assert.Equal(t, "givens", ck.Config.Ansatz)
	assert.Equal(t, peft.StartRotated, ck.Config.Start)
	ev, err := EvaluateRun(context.Background(), out, "", 0)
	require.NoError(t, err)
	assert.Equal(t, res.Metrics.Final.Accuracy, ev.Score.Accuracy, "eval reloads the same split")

	for _, tc := range []struct {
		name string
		cfg  func(c *Config)
		want string
	}{
		{"rgb into mlp512", func(c *Config) { c.Data = "npz:" + writeSubsetNPZ(t, 200, true) }, "has images of shape [3 28 28] (channels, height, width) but model mlp512 takes input of shape [784]"},
		{"rgb into the cnn", func(c *Config) { c.Model, c.Data = ModelMNISTCNN, "npz:"+writeSubsetNPZ(t, 200, true) }, "has images of shape [3 28 28] (channels, height, width) but model mnist-cnn takes input of shape [1 28 28]"},
		{"missing file", func(c *Config) { c.Data = "npz:" + filepath.Join(t.TempDir(), "none.npz") }, "no such file"},
		{"unknown kind", func(c *Config) { c.Data = "tiff:x" }, "idx:DIR, npz:FILE or images:DIR"},
		{"pattern matches nothing", func(c *Config) { c.RankPattern = map[string]int{"fc9": 2} }, "--rank-pattern fc9=2 matches none of the adapted modules (fc2)"},
		{"ansatz file of another size", func(c *Config) {
			c.Ansatz = filepath.Join("..", "examples", "ansatz", "givens_q9_L2.qasm")
			c.Targets = []string{AllLinear}
		}, "no ansatz circuit for dimension 784"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig(ModelMLP512, QPEFT)
			c.Data, c.Epochs, c.Batch = "npz:"+path, 1, 32
			tc.cfg(&c)
			_, err := Run(context.Background(), c, "", Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	for _, tc := range []struct {
		name string
		cfg  func(c *Config)
		want string
	}{
		{"start for lora", func(c *Config) { c.Method, c.Layers, c.LR = LoRA, 0, 1e-3; c.Start = peft.StartRotated }, "--ansatz and --start apply to qpeft, not lora"},
		{"unknown family", func(c *Config) { c.Ansatz = "brick" }, `--ansatz "brick": want pauli, givens, alltoall`},
		{"rotated file", func(c *Config) { c.Ansatz, c.Start = "x.qasm", peft.StartRotated }, "--start rotated applies to the built-in ansätze"},
		{"pattern for head", func(c *Config) {
			c.Method, c.Rank, c.Layers = Head, 0, 0
			c.HeadLR = 0
			c.RankPattern = map[string]int{"fc1": 2}
		}, "--rank-pattern applies to qpeft, lora and adalora, not head"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig(ModelMLP512, QPEFT)
			tc.cfg(&c)
			err := c.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestUserTextData trains a tiny BERT on a CSV file the run splits itself, with all-linear
// targets, and on a JSONL file with its own split column, evaluated on its validation rows.
func TestUserTextData(t *testing.T) {
	m := toyModel(t)
	dir := t.TempDir()
	corpus := toyCorpus(120, 3, "toy")
	var csv, jsonl strings.Builder
	csv.WriteString("label,text\n")
	for i, txt := range corpus.Texts {
		fmt.Fprintf(&csv, "%s,\"%s\"\n", corpus.Classes[corpus.Labels[i]], txt)
		split := []string{"train", "train", "train", "val", "test"}[i%5]
		fmt.Fprintf(&jsonl, "{\"text\": %q, \"label\": %d, \"split\": %q}\n", txt, corpus.Labels[i], split)
	}
	csvPath, jsonlPath := filepath.Join(dir, "toy.csv"), filepath.Join(dir, "toy.jsonl")
	require.NoError(t, os.WriteFile(csvPath, []byte(csv.String()), 0o644))
	require.NoError(t, os.WriteFile(jsonlPath, []byte(jsonl.String()), 0o644))

	cfg := toyConfig(m, QPEFT)
	cfg.Data, cfg.Epochs, cfg.Targets = "csv:"+csvPath, 2, AllLinear
	require.NoError(t, cfg.Validate())
	res, err := RunText(context.Background(), cfg, "", TextOptions{Model: m})
	require.NoError(t, err)
	assert.Len(t, res.Modules, 12, "all-linear: 6 linears in each of 2 layers")
	assert.Equal(t, 96, res.Data.Train)
	assert.Equal(t, 12, res.Data.Test)
	assert.Equal(t, []string{"ham", "spam"}, res.Data.Classes)

	cfg.Data, cfg.Targets, cfg.Validation = "jsonl:"+jsonlPath, "", true
	res, err = RunText(context.Background(), cfg, "", TextOptions{Model: m})
	require.NoError(t, err)
	assert.Equal(t, 72, res.Data.Train, "the train rows")
	assert.Equal(t, 24, res.Data.Test, "--validation evaluates on the file's validation rows")

	bad := cfg
	bad.Data = "xml:" + csvPath
	assert.ErrorContains(t, bad.Validate(), "want spam-assassin[:DIR], csv:FILE or jsonl:FILE")
}
