package main

import (
	"fmt"
	"io"

	"github.com/qpeft/qpeft/train"
)

func init() {
	register(&command{name: "demo",
		summary: "the end-to-end demo: Quantum-PEFT adapters fine-tune a real pretrained CNN to Fashion-MNIST, offline",
		usage:   "[-o DIR] [--layers L] [--rank K] [--epochs E] [--seed S] [--train-limit N] [--test-limit N]",
		run:     runDemo})
}

func runDemo(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags(commands["demo"], stderr)
	out := fs.StringP("out", "o", "qpeft-demo", "directory to write as a whole, atomically; an existing one is replaced only when it is an earlier qpeft output holding nothing else")
	layers := fs.Int("layers", 2, "L, entangling layers of the Pauli ansatz")
	rank := fs.Int("rank", 4, "K, columns of U and V (1..8: conv1 has 8 output channels)")
	epochs := fs.Int("epochs", 3, "epochs over the embedded 6,000-image training subset")
	seed := fs.Uint64("seed", 1, "seed of every random choice")
	trainLimit := fs.Int("train-limit", 0, "use only the first N of the 6,000 training images (a quick check)")
	testLimit := fs.Int("test-limit", 0, "use only the first N of the 1,000 test images (a quick check)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	for _, c := range []struct {
		bad  bool
		flag string
		val  any
		want string
	}{
		{*layers < 0, "layers", *layers, "must be ≥ 0"},
		{*rank < 1 || *rank > 8, "rank", *rank, "must be in 1..8 (conv1 has 8 output channels)"},
		{*epochs < 1, "epochs", *epochs, "must be ≥ 1"},
		{*seed == 0, "seed", *seed, "must be ≥ 1"},
		{*trainLimit < 0, "train-limit", *trainLimit, "must be ≥ 0 (0: all 6,000 images)"},
		{*testLimit < 0, "test-limit", *testLimit, "must be ≥ 0 (0: all 1,000 images)"},
	} {
		if c.bad {
			return usageError("--%s %v %s", c.flag, c.val, c.want)
		}
	}
	ctx, stop := signalContext()
	defer stop()
	_, err := train.Demo(ctx, train.DemoConfig{Out: *out, Layers: *layers, Rank: *rank, Epochs: *epochs, Seed: *seed,
		TrainLimit: *trainLimit, TestLimit: *testLimit,
		Progress: train.NewProgress(stderr, isTerminal(stderr))}, stdout)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("interrupted; %s was left as it was: %w", *out, err)
	}
	return err
}
