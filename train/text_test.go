package train

import (
	"context"
	"crypto/md5"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/data/text"
	"github.com/qpeft/qpeft/formats/hfpeft"
	"github.com/qpeft/qpeft/models/bert"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

var (
	hamWords  = []string{"meeting", "project", "lunch", "report", "team", "monday", "notes", "review", "thanks", "draft"}
	spamWords = []string{"free", "money", "win", "offer", "click", "cash", "prize", "viagra", "cheap", "urgent"}
)

// toyCorpus is a seeded two-class text set: ham texts draw mostly from hamWords, spam texts
// mostly from spamWords, with some words of the other class mixed in.
func toyCorpus(n int, seed uint64, name string) *text.Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := &text.Dataset{Name: name, Classes: []string{"ham", "spam"}}
	for i := 0; i < n; i++ {
		label := i % 2
		own, other := hamWords, spamWords
		if label == 1 {
			own, other = spamWords, hamWords
		}
		var w []string
		for j := 0; j < 3+rng.IntN(8); j++ {
			if rng.Float64() < 0.75 {
				w = append(w, own[rng.IntN(len(own))])
			} else {
				w = append(w, other[rng.IntN(len(other))])
			}
		}
		d.Texts = append(d.Texts, "Subject: "+strings.Join(w, " "))
		d.Labels = append(d.Labels, label)
		d.IDs = append(d.IDs, fmt.Sprintf("%s/%04d", name, i))
	}
	return d
}

// toyModel writes and loads a tiny random BERT-shaped model (hidden 16, 2 layers).
func toyModel(t testing.TB) *bert.Model {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tiny")
	require.NoError(t, bert.WriteTiny(dir, bert.TinyOptions{Seed: 7, Words: append(append([]string{}, hamWords...), spamWords...), Pooler: true, Scale: 0.1}))
	m, err := bert.Load(dir)
	require.NoError(t, err)
	return m
}

func toyConfig(m *bert.Model, method Method) TextConfig {
	c := DefaultTextConfig("hf:"+m.Dir, method)
	c.Epochs, c.Batch, c.MaxLen = 10, 8, 16
	switch method {
	case LoRA, AdaLoRA:
		c.Rank = 2
	case QPEFT:
		c.Rank, c.Layers, c.LR = 2, 1, 3e-2
	case Full:
		c.LR = 1e-3
	case Head:
		c.LR, c.HeadEpochs = 3e-2, 10
	}
	if method != Head {
		c.HeadLR = 3e-2
	}
	return c
}

func TestRunTextMethods(t *testing.T) {
	m := toyModel(t)
	train, test := toyCorpus(96, 1, "toy/train"), toyCorpus(48, 2, "toy/test")
	// Hand counts for hidden 16, 2 layers, query and value (4 modules of 16 × 16):
	// LoRA r = 2: 4·2·(16+16) = 256; AdaLoRA r = 2: 4·2·(16+16+1) = 264;
	// Quantum-PEFT L = 1, K = 2: P(4, 1) = 3·4 − 2 = 10 per factor, 4·(10+10+2) = 88.
	want := map[Method]int{Head: 0, LoRA: 256, AdaLoRA: 264, QPEFT: 88, Full: 0}
	methods := []Method{Head, LoRA, QPEFT, AdaLoRA, Full}
	if testing.Short() {
		methods = []Method{QPEFT, Full}
	}
	for _, method := range methods {
		t.Run(string(method), func(t *testing.T) {
			cfg := toyConfig(m, method)
			if testing.Short() {
				cfg.Epochs = 2
			}
			out := filepath.Join(t.TempDir(), "run")
			res, err := RunText(context.Background(), cfg, out, TextOptions{Model: m, Train: train, Test: test})
			require.NoError(t, err)
			assert.Equal(t, want[method], res.AdapterParams, "adapter params")
			assert.Equal(t, 2*16+2, res.HeadParams, "head params")
			if method == Full {
				assert.Equal(t, m.Checkpoint.Config.NumParams(true), res.EncoderParams)
			}
			// The task is easy: every method must beat chance clearly (with the full training).
			assert.Equal(t, 48, res.Test.N)
			if !testing.Short() {
				assert.GreaterOrEqual(t, res.Test.Accuracy, 0.75, "test %v", res.Test)
			}
			files := []string{TextResultFile, HeadFile}
			if method.Adapter() {
				files = append(files, "adapter/adapter_config.json", "lora/adapter_config.json", "lora/adapter_model.safetensors", "lora/classifier.safetensors", "lora/classifier.json")
			}
			for _, f := range files {
				assert.FileExists(t, filepath.Join(out, f))
			}
			r2, err := ReadTextResult(out)
			require.NoError(t, err)
			assert.Equal(t, res.Test, r2.Test)
		})
	}
	// Full fine-tuning trained a copy: the model's weights are untouched.
	fresh, err := bert.LoadCheckpoint(m.Dir)
	require.NoError(t, err)
	for n, p := range fresh.Weights {
		require.Equal(t, p.Value, m.Checkpoint.Weights[n].Value, "%s changed", n)
	}
}

func TestRunTextDeterministic(t *testing.T) {
	m := toyModel(t)
	train, test := toyCorpus(48, 1, "toy/train"), toyCorpus(16, 2, "toy/test")
	cfg := toyConfig(m, QPEFT)
	if testing.Short() {
		cfg.Epochs = 2
	}
	run := func(seed uint64) *TextResult {
		cfg.Seed = seed
		r, err := RunText(context.Background(), cfg, "", TextOptions{Model: m, Train: train, Test: test})
		require.NoError(t, err)
		return r
	}
	a, b, c := run(1), run(1), run(2)
	assert.Equal(t, a.Test, b.Test, "same seed, different results")
	assert.Equal(t, a.Epochs[0].TrainLoss, b.Epochs[0].TrainLoss, "same seed, different training loss")
	assert.NotEqual(t, a.Epochs[0].TrainLoss, c.Epochs[0].TrainLoss, "different seeds, identical training loss")
}

// TestTextLoRAExportAgrees merges the exported PEFT LoRA weights (hfpeft's dense ΔW = s·B·A)
// into a fresh copy of the checkpoint and checks that the plain encoder with the exported
// head gives the trained classifier's logits; and that the qpeft checkpoint reloaded with
// peft.Load gives them exactly.
func TestTextLoRAExportAgrees(t *testing.T) {
	m := toyModel(t)
	train, test := toyCorpus(48, 1, "toy/train"), toyCorpus(16, 2, "toy/test")
	methods := []Method{QPEFT, LoRA}
	if testing.Short() {
		methods = methods[:1]
	}
	for _, method := range methods {
		t.Run(string(method), func(t *testing.T) {
			cfg := toyConfig(m, method)
			if testing.Short() {
				cfg.Epochs = 2
			}
			out := filepath.Join(t.TempDir(), "run")
			res, err := RunText(context.Background(), cfg, out, TextOptions{Model: m, Train: train, Test: test})
			require.NoError(t, err)
			seqs := make([][]int, test.Len())
			for i, s := range test.Texts {
				seqs[i] = m.Tokenizer.Encode(s, cfg.MaxLen)
			}
			want, err := bert.Predict(context.Background(), res.Classifier, seqs, 8)
			require.NoError(t, err)

			lora, err := hfpeft.Load(filepath.Join(out, LoRADir))
			require.NoError(t, err)
			ck := m.Checkpoint.Clone()
			for _, mod := range lora.ModuleNames() {
				dw, err := lora.DeltaW(mod)
				require.NoError(t, err)
				w := ck.Weights[mod+".weight"]
				for i := range w.Value {
					w.Value[i] += dw[i]
				}
			}
			enc, err := bert.NewEncoder[float64](ck)
			require.NoError(t, err)
			cls, err := bert.NewClassifier(enc, bert.PoolMean, 2)
			require.NoError(t, err)
			copy(cls.Head.W.Value, res.Classifier.Head.W.Value)
			copy(cls.Head.B.Value, res.Classifier.Head.B.Value)
			got, err := cls.Forward(bert.NewBatch(seqs))
			require.NoError(t, err)
			for i, v := range got.Data {
				require.InDelta(t, float64(want.Data[i]), v, 1e-4, "logit %d: merged LoRA export vs trained classifier", i)
			}

			ad, err := peft.Load(filepath.Join(out, AdapterDir))
			require.NoError(t, err)
			enc2, err := bert.NewEncoder[float32](m.Checkpoint)
			require.NoError(t, err)
			require.NoError(t, Attach(enc2, ad))
			cls2, err := bert.NewClassifier(enc2, bert.PoolMean, 2)
			require.NoError(t, err)
			copy(cls2.Head.W.Value, res.Classifier.Head.W.Value)
			copy(cls2.Head.B.Value, res.Classifier.Head.B.Value)
			got2, err := bert.Predict(context.Background(), cls2, seqs, 8)
			require.NoError(t, err)
			assert.Equal(t, want.Data, got2.Data, "reloaded adapter checkpoint gives different logits")
		})
	}
}

func TestTextSweepResume(t *testing.T) {
	m := toyModel(t)
	dataDir := writeToyCorpus(t)
	base := toyConfig(m, LoRA)
	base.Data = DataSpamAssassin + ":" + dataDir
	base.Epochs, base.HeadEpochs = 1, 3
	sc := TextSweepConfig{Base: base, Out: filepath.Join(t.TempDir(), "runs"), Seeds: []uint64{1, 2}}
	for _, s := range []string{"head", "head-matched", "lora1", "qpeft-L1-K2@0.03"} {
		st, err := ParseSetting(s)
		require.NoError(t, err)
		sc.Settings = append(sc.Settings, st)
	}
	runs, err := TextSweep(context.Background(), sc, nil)
	require.NoError(t, err)
	require.Len(t, runs, 8)
	for i, r := range runs {
		// The sweep keeps the numbers, not the trained classifier and adapters (on disk).
		assert.Nil(t, r.Result.Classifier, "run %d keeps its classifier", i)
		assert.Nil(t, r.Result.Adapters, "run %d keeps its adapters", i)
	}
	// The long probe trains the head for the base's HeadEpochs, the matched-budget row for
	// the adapter runs' epochs.
	assert.Equal(t, 3, runs[0].Result.Config.HeadEpochs)
	assert.Len(t, runs[0].Result.Epochs, 3)
	assert.Len(t, runs[2].Result.Epochs, 1)
	assert.Equal(t, base.HeadLR, runs[2].Result.Config.LR, "matched budget: the adapter runs' head learning rate")
	again, err := TextSweep(context.Background(), sc, nil)
	require.NoError(t, err)
	require.Len(t, again, 8)
	for i, r := range again {
		assert.True(t, r.Reused, "run %d not reused", i)
		assert.Equal(t, runs[i].Result.Test, r.Result.Test, "run %d", i)
	}
	md := TextSweepMarkdown(sc, runs, "cmd", 0)
	for _, w := range []string{"| linear probe (3 epochs) | 0 (+34 head)", "| head only | 0 (+34 head)", "| LoRA r=1 | 128 (+34 head)", "| Quantum-PEFT L=1 K=2 | 88 (+34 head)", "qpeft-L1-K2-lr0.03 lr 0.03", "head-matched lr 0.03"} {
		assert.Contains(t, md, w)
	}
}

// writeToyCorpus writes a toy corpus in the layout of the npm SpamAssassin package.
func writeToyCorpus(t *testing.T) string {
	t.Helper()
	d := toyCorpus(60, 3, "toy")
	dir := t.TempDir()
	var list []string
	for i, s := range d.Texts {
		g := "easy-ham-1"
		if d.Labels[i] == 1 {
			g = "spam-1"
		}
		raw := []byte(s + "\n\nbody\n")
		p := fmt.Sprintf("%s/%05d.%x.txt", g, i, md5.Sum(raw))
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "data", g), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "data", p), raw, 0o644))
		list = append(list, p)
	}
	b := []byte(`["` + strings.Join(list, `","`) + `"]`)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "file_list.json"), b, 0o644))
	return dir
}

func TestTextConfigErrors(t *testing.T) {
	good := DefaultTextConfig("hf:/m", LoRA)
	require.NoError(t, good.Validate())
	cases := []struct {
		name string
		edit func(*TextConfig)
		want string
	}{
		{"method", func(c *TextConfig) { c.Method = "bitfit" }, `unknown method "bitfit"`},
		{"zero-shot", func(c *TextConfig) { c.Method = ZeroShot }, "zero-shot needs a pretrained classification head"},
		{"model", func(c *TextConfig) { c.Model = "hf:" }, "no model directory"},
		{"data", func(c *TextConfig) { c.Data = "imdb" }, `data "imdb"`},
		{"rank on head", func(c *TextConfig) { c.Method = Head; c.HeadLR = 0 }, "apply to qpeft, lora and adalora"},
		{"bad regex", func(c *TextConfig) { c.Targets = "query(" }, "target regex"},
		{"lr", func(c *TextConfig) { c.LR = 0 }, "learning rates"},
		{"max len", func(c *TextConfig) { c.MaxLen = 2 }, "--max-len"},
		{"pooling", func(c *TextConfig) { c.Pooling = "max" }, `unknown pooling "max"`},
		{"head epochs", func(c *TextConfig) { c.HeadEpochs = 3 }, "--head-epochs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			c.edit(&cfg)
			err := cfg.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestTextProbe: with ProbeEpochs the head is first trained alone (LP-FT) exactly as the head
// method trains it (same features, shuffling, optimiser and schedule), then fine-tuned with
// the adapters; a probe on the head method is an error.
func TestTextProbe(t *testing.T) {
	m := toyModel(t)
	train, test := toyCorpus(96, 1, "toy/train"), toyCorpus(48, 2, "toy/test")
	cfg := toyConfig(m, LoRA)
	cfg.Epochs, cfg.ProbeEpochs = 1, 10
	res, err := RunText(context.Background(), cfg, "", TextOptions{Model: m, Train: train, Test: test, Cache: NewTextCache()})
	require.NoError(t, err)
	h := toyConfig(m, Head)
	h.HeadEpochs, h.LR = 10, cfg.HeadLR
	head, err := RunText(context.Background(), h, "", TextOptions{Model: m, Train: train, Test: test})
	require.NoError(t, err)
	require.NotNil(t, res.Probe)
	assert.Positive(t, res.ProbeSeconds)
	assert.Equal(t, head.Epochs[9].TrainLoss, res.Probe.TrainLoss, "probe vs the head-only run's last epoch")
	assert.Equal(t, head.Epochs[9].TrainAcc, res.Probe.TrainAcc, "probe vs the head-only run's last epoch")
	assert.Less(t, res.Probe.TrainLoss, math.Ln2-0.02, "the probe did not learn")
	h.ProbeEpochs = 3
	err = h.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--probe-epochs")
}

// TestScoreLogits: accuracy, precision, recall, F1 and loss of hand-made logits, worked out
// by hand: predictions (argmax) 1, 0, 1, 1, 0 against labels 1, 0, 0, 1, 1 give TP 2, FP 1,
// FN 1, 3 of 5 correct; every row's logits differ by ln 3 (or 0), so each loss is ln(1+1/3)
// for a right prediction and ln(1+3) for a wrong one.
func TestScoreLogits(t *testing.T) {
	l3 := float32(math.Log(3))
	logits := nn.New[float32](5, 2)
	copy(logits.Data, []float32{0, l3, l3, 0, 0, l3, 0, l3, l3, 0})
	s := ScoreLogits(logits, []int{1, 0, 0, 1, 1})
	wantLoss := (3*math.Log(4.0/3) + 2*math.Log(4)) / 5
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"accuracy", s.Accuracy, 0.6},
		{"precision", s.Precision, 2.0 / 3},
		{"recall", s.Recall, 2.0 / 3},
		{"F1", s.F1, 2.0 / 3},
		{"loss", s.Loss, wantLoss},
	} {
		assert.InDelta(t, c.want, c.got, 1e-6, c.name)
	}
	assert.Equal(t, 5, s.N)
	z := ScoreLogits(nn.New[float32](0, 2), nil)
	assert.Zero(t, z.N)
	assert.Zero(t, z.Accuracy)
	// No positive prediction and no positive label: precision, recall and F1 stay 0.
	copy(logits.Data, []float32{1, 0, 1, 0, 1, 0, 1, 0, 1, 0})
	s = ScoreLogits(logits, []int{0, 0, 0, 0, 0})
	assert.Equal(t, TextScore{Loss: s.Loss, Accuracy: 1, N: 5}, s, "all negative")
}
