package bert

import (
	"context"
	"crypto/md5"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/data/text"
	"github.com/qpeft/qpeft/formats/hfpeft"
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

func toyModel(t testing.TB) *Model {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tiny")
	if err := WriteTiny(dir, TinyOptions{Seed: 7, Words: append(append([]string{}, hamWords...), spamWords...), Pooler: true, Scale: 0.1}); err != nil {
		t.Fatal(err)
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func toyConfig(m *Model, method Method) RunConfig {
	c := DefaultRunConfig("hf:"+m.Dir, method)
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

func TestRunMethods(t *testing.T) {
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
			res, err := Run(context.Background(), cfg, out, RunOptions{Model: m, Train: train, Test: test})
			if err != nil {
				t.Fatal(err)
			}
			if res.AdapterParams != want[method] || res.HeadParams != 2*16+2 {
				t.Errorf("adapter params %d (want %d), head %d", res.AdapterParams, want[method], res.HeadParams)
			}
			if method == Full && res.EncoderParams != m.Checkpoint.Config.NumParams(true) {
				t.Errorf("full: %d encoder params, want %d", res.EncoderParams, m.Checkpoint.Config.NumParams(true))
			}
			// The task is easy: every method must beat chance clearly (with the full training).
			if (!testing.Short() && res.Test.Accuracy < 0.75) || res.Test.N != 48 {
				t.Errorf("test %v", res.Test)
			}
			files := []string{"result.json", "head.safetensors"}
			if method.Adapter() {
				files = append(files, "adapter/adapter_config.json", "lora/adapter_config.json", "lora/adapter_model.safetensors", "lora/classifier.safetensors", "lora/classifier.json")
			}
			for _, f := range files {
				if _, err := os.Stat(filepath.Join(out, f)); err != nil {
					t.Error(err)
				}
			}
			r2, err := ReadResult(out)
			if err != nil || r2.Test != res.Test {
				t.Errorf("result.json: %v, %v", r2, err)
			}
		})
	}
	// Full fine-tuning trained a copy: the model's weights are untouched.
	fresh, err := LoadCheckpoint(m.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for n, p := range fresh.Weights {
		if !reflect.DeepEqual(p.Value, m.Checkpoint.Weights[n].Value) {
			t.Fatalf("%s changed", n)
		}
	}
}

func TestRunDeterministic(t *testing.T) {
	m := toyModel(t)
	train, test := toyCorpus(48, 1, "toy/train"), toyCorpus(16, 2, "toy/test")
	cfg := toyConfig(m, QPEFT)
	if testing.Short() {
		cfg.Epochs = 2
	}
	run := func(seed uint64) *Result {
		cfg.Seed = seed
		r, err := Run(context.Background(), cfg, "", RunOptions{Model: m, Train: train, Test: test})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b, c := run(1), run(1), run(2)
	if a.Test != b.Test || a.Epochs[0].TrainLoss != b.Epochs[0].TrainLoss {
		t.Errorf("same seed, different results: %v / %v", a.Test, b.Test)
	}
	if a.Epochs[0].TrainLoss == c.Epochs[0].TrainLoss {
		t.Error("different seeds, identical training loss")
	}
}

// TestLoRAExportAgrees merges the exported PEFT LoRA weights (hfpeft's dense ΔW = s·B·A)
// into a fresh copy of the checkpoint and checks that the plain encoder with the exported
// head gives the trained classifier's logits; and that the qpeft checkpoint reloaded with
// peft.Load gives them exactly.
func TestLoRAExportAgrees(t *testing.T) {
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
			res, err := Run(context.Background(), cfg, out, RunOptions{Model: m, Train: train, Test: test})
			if err != nil {
				t.Fatal(err)
			}
			seqs := make([][]int, test.Len())
			for i, s := range test.Texts {
				seqs[i] = m.Tokenizer.Encode(s, cfg.MaxLen)
			}
			want, err := Predict(context.Background(), res.Classifier, seqs, 8)
			if err != nil {
				t.Fatal(err)
			}

			lora, err := hfpeft.Load(filepath.Join(out, "lora"))
			if err != nil {
				t.Fatal(err)
			}
			ck := m.Checkpoint.Clone()
			for _, mod := range lora.ModuleNames() {
				dw, err := lora.DeltaW(mod)
				if err != nil {
					t.Fatal(err)
				}
				w := ck.Weights[mod+".weight"]
				for i := range w.Value {
					w.Value[i] += dw[i]
				}
			}
			enc, err := NewEncoder[float64](ck)
			if err != nil {
				t.Fatal(err)
			}
			cls, err := NewClassifier(enc, PoolMean, 2)
			if err != nil {
				t.Fatal(err)
			}
			copy(cls.Head.W.Value, res.Classifier.Head.W.Value)
			copy(cls.Head.B.Value, res.Classifier.Head.B.Value)
			got, err := cls.Forward(NewBatch(seqs))
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range got.Data {
				if d := math.Abs(v - float64(want.Data[i])); d > 1e-4 {
					t.Fatalf("logit %d: merged LoRA export %v, trained classifier %v", i, v, want.Data[i])
				}
			}

			ad, err := peft.Load(filepath.Join(out, "adapter"))
			if err != nil {
				t.Fatal(err)
			}
			enc2, _ := NewEncoder[float32](m.Checkpoint)
			if err := Attach(enc2, ad); err != nil {
				t.Fatal(err)
			}
			cls2, _ := NewClassifier(enc2, PoolMean, 2)
			copy(cls2.Head.W.Value, res.Classifier.Head.W.Value)
			copy(cls2.Head.B.Value, res.Classifier.Head.B.Value)
			got2, err := Predict(context.Background(), cls2, seqs, 8)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got2.Data, want.Data) {
				t.Error("reloaded adapter checkpoint gives different logits")
			}
		})
	}
}

func TestSweepResume(t *testing.T) {
	m := toyModel(t)
	dataDir := writeToyCorpus(t)
	base := toyConfig(m, LoRA)
	base.Data = DataSpamAssassin + ":" + dataDir
	base.Epochs, base.HeadEpochs = 1, 3
	sc := SweepConfig{Base: base, Out: filepath.Join(t.TempDir(), "runs"), Seeds: []uint64{1, 2}}
	for _, s := range []string{"head", "lora1", "qpeft-L1-K2@0.03"} {
		st, err := ParseSetting(s)
		if err != nil {
			t.Fatal(err)
		}
		sc.Settings = append(sc.Settings, st)
	}
	runs, err := Sweep(context.Background(), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 6 {
		t.Fatalf("%d runs", len(runs))
	}
	again, err := Sweep(context.Background(), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range again {
		if !r.Reused || r.Result.Test != runs[i].Result.Test {
			t.Errorf("run %d not reused or different", i)
		}
	}
	md := SweepMarkdown(sc, runs, "cmd", 0)
	for _, w := range []string{"| head only | 0 (+34 head)", "| LoRA r=1 | 128 (+34 head)", "| Quantum-PEFT L=1 K=2 | 88 (+34 head)", "qpeft-L1-K2-lr0.03 lr 0.03"} {
		if !strings.Contains(md, w) {
			t.Errorf("markdown lacks %q:\n%s", w, md)
		}
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
		p := fmt.Sprintf("%s/%05d.%x.txt", g, i, md5sum(raw))
		os.MkdirAll(filepath.Join(dir, "data", g), 0o755)
		if err := os.WriteFile(filepath.Join(dir, "data", p), raw, 0o644); err != nil {
			t.Fatal(err)
		}
		list = append(list, p)
	}
	b := []byte(`["` + strings.Join(list, `","`) + `"]`)
	if err := os.WriteFile(filepath.Join(dir, "data", "file_list.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunConfigErrors(t *testing.T) {
	good := DefaultRunConfig("hf:/m", LoRA)
	cases := []struct {
		name string
		edit func(*RunConfig)
		want string
	}{
		{"method", func(c *RunConfig) { c.Method = "bitfit" }, `unknown method "bitfit"`},
		{"model", func(c *RunConfig) { c.Model = "hf:" }, "no model directory"},
		{"data", func(c *RunConfig) { c.Data = "imdb" }, `data "imdb"`},
		{"rank on head", func(c *RunConfig) { c.Method = Head; c.HeadLR = 0 }, "apply to qpeft, lora and adalora"},
		{"bad regex", func(c *RunConfig) { c.Targets = "query(" }, "target regex"},
		{"lr", func(c *RunConfig) { c.LR = 0 }, "learning rates"},
		{"max len", func(c *RunConfig) { c.MaxLen = 2 }, "--max-len"},
		{"pooling", func(c *RunConfig) { c.Pooling = "max" }, `unknown pooling "max"`},
		{"head epochs", func(c *RunConfig) { c.HeadEpochs = 3 }, "--head-epochs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			c.edit(&cfg)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	// A target that matches nothing is reported with the module names.
	m := toyModel(t)
	_, err := MatchTargets(m.Encoder, hfpeft.TargetModules{Names: []string{"q_proj"}})
	if err == nil || !strings.Contains(err.Error(), `target "q_proj" matches no module`) || !strings.Contains(err.Error(), "attention.self.query") {
		t.Errorf("MatchTargets: %v", err)
	}
}

func TestMatchTargets(t *testing.T) {
	m := toyModel(t)
	cases := []struct {
		spec string
		want []string
	}{
		{"query,value", []string{"encoder.layer.0.attention.self.query", "encoder.layer.0.attention.self.value", "encoder.layer.1.attention.self.query", "encoder.layer.1.attention.self.value"}},
		{`encoder\.layer\.1\..*\.(key|dense)`, []string{"encoder.layer.1.attention.self.key", "encoder.layer.1.attention.output.dense", "encoder.layer.1.intermediate.dense", "encoder.layer.1.output.dense"}},
		{"pooler.dense", []string{"pooler.dense"}},
	}
	for _, c := range cases {
		tm, err := ParseTargets(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := MatchTargets(m.Encoder, tm)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %v, %v; want %v", c.spec, got, err, c.want)
		}
	}
}

func md5sum(b []byte) [16]byte { return md5.Sum(b) }

// TestProbe: with ProbeEpochs the head is first trained alone (LP-FT) exactly as the head
// method trains it (same features, shuffling, optimiser and schedule), then fine-tuned with
// the adapters; a probe on the head method is an error.
func TestProbe(t *testing.T) {
	m := toyModel(t)
	train, test := toyCorpus(96, 1, "toy/train"), toyCorpus(48, 2, "toy/test")
	cfg := toyConfig(m, LoRA)
	cfg.Epochs, cfg.ProbeEpochs = 1, 10
	res, err := Run(context.Background(), cfg, "", RunOptions{Model: m, Train: train, Test: test, Cache: NewCache()})
	if err != nil {
		t.Fatal(err)
	}
	h := toyConfig(m, Head)
	h.HeadEpochs, h.LR = 10, cfg.HeadLR
	head, err := Run(context.Background(), h, "", RunOptions{Model: m, Train: train, Test: test})
	if err != nil {
		t.Fatal(err)
	}
	if p, q := res.Probe, head.Epochs[9]; p == nil || res.ProbeSeconds <= 0 || p.TrainLoss != q.TrainLoss || p.TrainAcc != q.TrainAcc {
		t.Errorf("probe %+v, head-only run's last epoch %+v", res.Probe, head.Epochs[9])
	}
	if res.Probe.TrainLoss > math.Ln2-0.02 {
		t.Errorf("the probe did not learn: loss %v", res.Probe.TrainLoss)
	}
	h.ProbeEpochs = 3
	if err := h.Validate(); err == nil || !strings.Contains(err.Error(), "--probe-epochs") {
		t.Errorf("probe on head: %v", err)
	}
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
		if math.Abs(c.got-c.want) > 1e-6 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if s.N != 5 {
		t.Errorf("N = %d", s.N)
	}
	if z := ScoreLogits(nn.New[float32](0, 2), nil); z.N != 0 || z.Accuracy != 0 {
		t.Errorf("empty: %+v", z)
	}
	// No positive prediction and no positive label: precision, recall and F1 stay 0.
	copy(logits.Data, []float32{1, 0, 1, 0, 1, 0, 1, 0, 1, 0})
	if s := ScoreLogits(logits, []int{0, 0, 0, 0, 0}); s.Accuracy != 1 || s.Precision != 0 || s.Recall != 0 || s.F1 != 0 {
		t.Errorf("all negative: %+v", s)
	}
}
