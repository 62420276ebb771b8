package main

// qpeft eval for a run of a Hugging Face model (qpeft train --model hf:DIR): the encoder,
// the head and the adapters are read back and the test texts scored again.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/peft/bert"
	"github.com/qpeft/qpeft/peft/safetensors"
	"github.com/qpeft/qpeft/peft/text"
)

// hfRunDir returns the BERT run directory that arg names (the run directory itself or its
// adapter/ or lora/ subdirectory), or false if arg is not one.
func hfRunDir(arg string) (string, bool) {
	for _, d := range []string{arg, filepath.Dir(filepath.Clean(arg))} {
		if _, err := os.Stat(filepath.Join(d, "result.json")); err == nil {
			if d != arg {
				if b := filepath.Base(filepath.Clean(arg)); b != "adapter" && b != "lora" {
					continue
				}
			}
			return d, true
		}
	}
	return "", false
}

// loadHFRun rebuilds the trained classifier of a BERT run directory.
func loadHFRun(dir string) (*bert.Result, *bert.Model, *bert.Classifier[float32], error) {
	r, err := bert.ReadResult(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	c := r.Config
	if c.Method == bert.Full {
		return nil, nil, nil, fmt.Errorf("%s is a full fine-tuning run, which saves the head but not the %d encoder weights, so it cannot be scored again", dir, r.EncoderParams)
	}
	m, err := bert.Load(c.ModelDir())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("the run's model: %w", err)
	}
	if m.Checkpoint.SHA256 != r.Model.SHA256 {
		return nil, nil, nil, fmt.Errorf("the weights in %s (sha256 %.12s…) are not the ones the run trained on (sha256 %.12s…); restore that model directory", m.Checkpoint.File, m.Checkpoint.SHA256, r.Model.SHA256)
	}
	cls, err := bert.NewClassifier(m.Encoder, c.Pooling, len(r.Data.Classes))
	if err != nil {
		return nil, nil, nil, err
	}
	hp := filepath.Join(dir, "head.safetensors")
	f, err := safetensors.Open(hp)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("the run's head: %w", err)
	}
	defer f.Close()
	for _, p := range cls.Head.Params() {
		name := strings.TrimPrefix(p.Name, "classifier.")
		v, err := f.Float64(name)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", hp, err)
		}
		if len(v) != len(p.Value) {
			return nil, nil, nil, fmt.Errorf("%s: tensor %s has %d values, the head needs %d", hp, name, len(v), len(p.Value))
		}
		copy(p.Value, v)
	}
	if c.Method.Adapter() {
		ck, err := peft.Load(filepath.Join(dir, "adapter"))
		if err != nil {
			return nil, nil, nil, err
		}
		if err := bert.Attach(m.Encoder, ck); err != nil {
			return nil, nil, nil, err
		}
	}
	return r, m, cls, nil
}

// hfTestSet returns the texts a BERT run is scored on: the run's own test set (its data,
// validation part or test split, and sample) unless dataSpec or limit say otherwise.
func hfTestSet(c bert.RunConfig, dataSpec string, limit int) (*text.Dataset, string, error) {
	spec := c.Data
	if dataSpec != "" {
		spec = dataSpec
	}
	train, test, err := bert.LoadRunData(spec)
	if err != nil {
		return nil, "", err
	}
	what := spec + " test split"
	if c.Validation && dataSpec == "" {
		if _, test, err = train.Split(2 * text.SpamTestFraction); err != nil {
			return nil, "", err
		}
		what = spec + " validation part of the training split"
	}
	if limit == 0 && dataSpec == "" {
		limit = c.TestLimit
	}
	return test.Sample(test.Name, limit, 0), what, nil
}

// evalHF scores a BERT run directory again and compares with what it recorded.
func evalHF(ctx context.Context, dir, dataSpec string, limit int, stdout io.Writer) error {
	r, m, cls, err := loadHFRun(dir)
	if err != nil {
		return err
	}
	c := r.Config
	test, what, err := hfTestSet(c, dataSpec, limit)
	if err != nil {
		return err
	}
	seqs := make([][]int, test.Len())
	for i, t := range test.Texts {
		seqs[i] = m.Tokenizer.Encode(t, c.MaxLen)
	}
	logits, err := bert.Predict(ctx, cls, seqs, 32)
	if err != nil {
		return err
	}
	s := bert.ScoreLogits(logits, test.Labels)
	fmt.Fprintf(stdout, "%s on %s (seed %d), evaluated on the %s (%d texts, ≤ %d tokens): %s\n", r.Label, c.ModelDir(), c.Seed, what, test.Len(), c.MaxLen, s)
	if dataSpec == "" && (limit == 0 || limit == c.TestLimit) {
		fmt.Fprintf(stdout, "recorded after training: %s", r.Test)
		if s == r.Test {
			fmt.Fprintf(stdout, " (identical)\n")
		} else {
			fmt.Fprintf(stdout, " (DIFFERENT: the weights, the data or the kernels changed)\n")
		}
	}
	fmt.Fprintf(stdout, "trainable parameters: %d adapter + %d new head + %d encoder\n", r.AdapterParams, r.HeadParams, r.EncoderParams)
	return nil
}
