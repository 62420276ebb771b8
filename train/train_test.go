package train

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/formats/hfpeft"
	"github.com/qpeft/qpeft/internal/outdir"
	"github.com/qpeft/qpeft/peft"
)

// tiny returns a configuration that trains in well under a second: the embedded subset,
// 192 training and 200 test images, one epoch of batch 32.
func tiny(model string, m Method) Config {
	c := DefaultConfig(model, m)
	c.Data = DataFashionSubset
	c.TestLimit = 200
	if m != ZeroShot {
		c.Epochs, c.Batch, c.TrainLimit, c.LogEvery = 1, 32, 192, 2
	}
	return c
}

// subset is loaded once for all tests.
var subsetData *Data

func loadSubset(t testing.TB) *Data {
	t.Helper()
	if subsetData == nil {
		d, err := LoadData(DataFashionSubset)
		require.NoError(t, err)
		subsetData = d
	}
	return subsetData
}

func run(t *testing.T, cfg Config, out string) *Result {
	t.Helper()
	res, err := Run(context.Background(), cfg, out, Options{Data: loadSubset(t)})
	require.NoError(t, err, cfg.Label())
	return res
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// TestDeterminism: the same configuration gives the same metrics.json byte for byte; changing
// only the seed changes it.
func TestDeterminism(t *testing.T) {
	models := []string{ModelMNISTCNN, ModelMLP512}
	methods := []Method{QPEFT, LoRA}
	if testing.Short() {
		models, methods = models[1:], methods[:1]
	}
	for _, model := range models {
		for _, m := range methods {
			t.Run(model+"/"+string(m), func(t *testing.T) {
				dir := t.TempDir()
				cfg := tiny(model, m)
				a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
				run(t, cfg, a)
				run(t, cfg, b)
				cfg.Seed = 2
				run(t, cfg, c)
				ma, mb, mc := readFile(t, filepath.Join(a, MetricsFile)), readFile(t, filepath.Join(b, MetricsFile)), readFile(t, filepath.Join(c, MetricsFile))
				assert.Equal(t, string(ma), string(mb), "same seed, different metrics.json")
				assert.NotEqual(t, string(ma), string(mc), "seeds 1 and 2 gave identical metrics.json")
				// Everything but the seed and what it drives agrees.
				for _, f := range []string{filepath.Join(AdapterDir, peft.WeightsFile), HeadFile} {
					assert.True(t, bytes.Equal(readFile(t, filepath.Join(a, f)), readFile(t, filepath.Join(b, f))), "same seed, different %s", f)
				}
			})
		}
	}
}

// TestRunFilesAndEval trains every method briefly, checks the run directory and that
// `eval` reproduces the recorded test score exactly from the saved files.
func TestRunFilesAndEval(t *testing.T) {
	type tc struct {
		model string
		m     Method
		files []string
	}
	adapterFiles := []string{MetricsFile, TimingFile, CurvesFile, AdapterDir, LoRADir, HeadFile}
	cases := []tc{
		{ModelMNISTCNN, QPEFT, adapterFiles},
		{ModelMNISTCNN, Head, []string{MetricsFile, TimingFile, CurvesFile, HeadFile}},
		{ModelMNISTCNN, ZeroShot, []string{MetricsFile, TimingFile, CurvesFile}},
		{ModelMLP512, LoRA, adapterFiles},
		{ModelMLP512, AdaLoRA, adapterFiles},
		{ModelMLP512, Full, []string{MetricsFile, TimingFile, CurvesFile, ModelFile}},
	}
	if testing.Short() {
		cases = cases[3:5]
	}
	for _, c := range cases {
		t.Run(c.model+"/"+string(c.m), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			res := run(t, tiny(c.model, c.m), dir)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			c.files = append(append([]string(nil), c.files...), outdir.MarkerFile)
			assert.Equal(t, sortedCopy(c.files), got)
			img, err := png.Decode(bytes.NewReader(readFile(t, filepath.Join(dir, CurvesFile))))
			require.NoError(t, err, "curves.png")
			assert.GreaterOrEqual(t, img.Bounds().Dx(), 500, "curves.png width")
			ev, err := EvaluateRun(context.Background(), dir, "", 0)
			require.NoError(t, err)
			assert.Equal(t, res.Metrics.Final, ev.Score, "eval vs recorded")
			if c.m.Adapter() {
				// The adapter directory alone is accepted too.
				ev2, err := EvaluateRun(context.Background(), filepath.Join(dir, AdapterDir), "", 0)
				require.NoError(t, err, "eval of adapter/")
				assert.Equal(t, ev.Score, ev2.Score, "eval of adapter/")
				// The LoRA export reproduces ΔW of every module.
				lora, err := hfpeft.Load(filepath.Join(dir, LoRADir))
				require.NoError(t, err)
				for _, mod := range res.Session.Checkpoint.Modules {
					// The CNN's targets are convolutions: PEFT's Conv2d shapes, lora_A
					// (r, C, KH, KW); the MLP's are linear.
					k := lora.Modules[mod.Name].Kernel
					if c.model == ModelMNISTCNN {
						require.Len(t, k, 3, "%s: exported kernel", mod.Name)
						assert.Equal(t, lora.Modules[mod.Name].InFeatures, k[0]*k[1]*k[2], "%s: exported kernel %v", mod.Name, k)
					} else {
						assert.NotEqual(t, 3, len(k), "%s: exported kernel", mod.Name)
					}
					want, err := peft.DeltaW(mod.Adapter)
					require.NoError(t, err)
					got, err := lora.DeltaW(mod.Name)
					require.NoError(t, err)
					var scale float64
					for _, v := range want {
						scale = max(scale, abs(v))
					}
					for i := range want {
						require.InDelta(t, want[i], got[i], 1e-6*max(scale, 1e-30), "%s: LoRA export ΔW[%d]", mod.Name, i)
					}
				}
			}
		})
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

// TestInterrupted cancels runs part-way: Run returns the context's error and the output
// directory keeps its previous content (or is not created).
func TestInterrupted(t *testing.T) {
	for _, prev := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "run")
		var before []byte
		if prev {
			run(t, tiny(ModelMLP512, LoRA), dir)
			before = readFile(t, filepath.Join(dir, MetricsFile))
		}
		ctx, cancel := context.WithCancel(context.Background())
		cfg := tiny(ModelMLP512, QPEFT)
		_, err := Run(ctx, cfg, dir, Options{Data: loadSubset(t), AfterStep: func(step int) {
			if step == 3 {
				cancel()
			}
		}})
		cancel()
		require.ErrorIs(t, err, context.Canceled)
		entries, _ := os.ReadDir(filepath.Dir(dir))
		if prev {
			assert.Len(t, entries, 1, "the previous run directory changed")
			assert.Equal(t, string(before), string(readFile(t, filepath.Join(dir, MetricsFile))), "the previous run directory changed")
			_, err := peft.Load(filepath.Join(dir, AdapterDir))
			assert.NoError(t, err, "the previous adapter is damaged")
		} else {
			assert.Empty(t, entries, "an interrupted run left files")
		}
	}
}

// TestParamCounts checks the parameter accounting against hand-derived counts.
func TestParamCounts(t *testing.T) {
	cases := []struct {
		model string
		m     Method
		rank  int
		want  ParamInfo
	}{
		// conv1 8x25 and conv2 16x200: LoRA r trains r·(8+25) + r·(16+200) = 249r; the new
		// head 256·10 + 10.
		{ModelMNISTCNN, LoRA, 2, ParamInfo{Adapter: 498, Head: 2570, Trainable: 3068, Pretrained: 5994, LoRAr1: 249}},
		{ModelMNISTCNN, Head, 0, ParamInfo{Head: 2570, Trainable: 2570, Pretrained: 5994}},
		// Full: every pretrained weight but the replaced head (5994 − 2570) plus the new head.
		{ModelMNISTCNN, Full, 0, ParamInfo{Head: 2570, Backbone: 3424, Trainable: 5994, Pretrained: 5994}},
		// mlp512 fc1 512x784, fc2 512x512; head 512·10 + 10.
		{ModelMLP512, LoRA, 1, ParamInfo{Adapter: 2320, Head: 5130, Trainable: 7450, Pretrained: 669706, LoRAr1: 2320}},
		// AdaLoRA r = 8 pruned to K′ = 4: K′·(out + in + 1) per module.
		{ModelMLP512, AdaLoRA, 8, ParamInfo{Adapter: 4 * (512 + 784 + 1 + 512 + 512 + 1), Head: 5130, Trainable: 9288 + 5130, Pretrained: 669706, LoRAr1: 2320}},
		// Quantum-PEFT L = 2, K = 8 on fc2 alone: two 9-qubit Pauli factors of
		// (2·2+1)·9 − 2·2 = 41 angles each, plus K = 8 scales.
		{ModelMLP512, QPEFT, 8, ParamInfo{Adapter: 90, Head: 5130, Trainable: 5220, Pretrained: 669706, LoRAr1: 1024}},
	}
	for _, c := range cases {
		cfg := tiny(c.model, c.m)
		if c.rank > 0 {
			cfg.Rank = c.rank
		}
		if c.model == ModelMLP512 && c.m != QPEFT {
			cfg.Targets = []string{"fc1", "fc2"}
		}
		m, err := LoadModel(c.model, 0)
		require.NoError(t, err)
		s, err := Prepare(cfg, m, 10, 100)
		require.NoError(t, err)
		got := s.paramInfo()
		got.RatioToLoRAr1 = 0
		if c.m == AdaLoRA {
			// Before pruning all r ranks train; the count reported is after pruning.
			for _, mod := range s.Checkpoint.Modules {
				require.NoError(t, mod.Adapter.(peft.Prunable).Prune(4))
			}
			got = s.paramInfo()
			got.RatioToLoRAr1 = 0
		}
		assert.Equal(t, c.want, got, "%s %s", c.model, cfg.Label())
	}
}

// TestSweepQuick runs the smoke-test sweep, checks the generated tables and that a second
// invocation reuses every run and keeps hand-written text around the generated section.
func TestSweepQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	dir := t.TempDir()
	results := filepath.Join(dir, "results.md")
	write(t, results, []byte("# My results\n\nintro\n\n"+BeginMarker+"\nold\n"+EndMarker+"\n\noutro\n"))
	c := SweepConfig{Out: filepath.Join(dir, "runs"), Results: results, Seeds: []uint64{1}, Quick: true}
	var log1, log2 bytes.Buffer
	require.NoError(t, Sweep(context.Background(), c, &log1, nil))
	first := string(readFile(t, results))
	for _, want := range []string{"# My results\n\nintro\n\n" + BeginMarker, "### mnist-cnn", "### mlp512", "| head only (matched budget) |", "| linear probe (10 epochs) |", "| LoRA r=1 | 1024 | 1 | 5130 |",
		"| Quantum-PEFT L=2 K=8 | 90 | 0.0879 | 5130 |", "Target (within 1 point", EndMarker + "\n\noutro\n"} {
		assert.Contains(t, first, want)
	}
	assert.NotContains(t, first, "\nold\n", "the old generated section was kept")
	require.NoError(t, Sweep(context.Background(), c, &log2, nil))
	assert.Equal(t, 10, strings.Count(log2.String(), "reused"), "second sweep:\n%s", log2.String())
	// Regenerating from reused runs changes nothing but the reused column.
	assert.Equal(t, strings.ReplaceAll(first, "| — |\n", "| 1/1 |\n"), string(readFile(t, results)))
}
