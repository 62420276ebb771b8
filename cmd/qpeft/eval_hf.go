package main

// qpeft eval for a text run of a Hugging Face model (qpeft train --model hf:DIR): the encoder,
// the head and the adapters are read back and the test texts scored again.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/models/bert"
	"github.com/qpeft/qpeft/train"
)

// hfRunDir returns the BERT run directory that arg names (the run directory itself or its
// adapter/ or lora/ subdirectory), or false if arg is not one.
func hfRunDir(arg string) (string, bool) {
	for _, d := range []string{arg, filepath.Dir(filepath.Clean(arg))} {
		if _, err := os.Stat(filepath.Join(d, train.TextResultFile)); err == nil {
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

// evalHF scores a BERT run directory again and compares with what it recorded.
func evalHF(ctx context.Context, dir, dataSpec string, limit int, stdout io.Writer) error {
	r, m, cls, err := train.LoadTextRun(dir)
	if err != nil {
		return err
	}
	c := r.Config
	// The run's own evaluation texts unless --data or --test-limit say otherwise.
	ec := c
	what := c.Data + " test split"
	if c.Validation || c.ValFraction > 0 {
		what = c.Data + " validation part of the training split"
	}
	if dataSpec != "" {
		ec.Data, ec.Validation, ec.ValFraction, ec.ValSeed, ec.TestLimit = dataSpec, false, 0, 0, 0
		what = dataSpec + " test split"
	}
	if limit != 0 {
		ec.TestLimit = limit
	}
	tr, val, test, err := train.LoadTextSplits(ec.Data)
	if err != nil {
		return err
	}
	if _, test, err = ec.RunDatasetsWith(tr, val, test); err != nil {
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
	s := train.ScoreLogits(logits, test.Labels)
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
