package main

// qpeft train --front: the Pareto front of accuracy against adapter parameters (package
// train's Front). This file only maps flags and prints.

import (
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/qpeft/qpeft/train"
)

// frontCLI holds the flags of `qpeft train --front`.
type frontCLI struct {
	tasks                             []string
	budget                            time.Duration
	trim, estimate, noLRSearch, quick bool
	reuseStale                        bool
	plots, out, results               string
	seeds                             []uint
}

// frontOK are the flags `qpeft train --front` reads; every other train flag is refused
// (the front sets each run's configuration itself).
var frontOK = map[string]bool{"front": true, "tasks": true, "budget": true, "trim": true, "plots": true, "estimate": true,
	"no-lr-search": true, "out": true, "results": true, "quick": true, "reuse-stale": true, "seeds": true, "model": true,
	"memory-limit": true}

func runFront(fs *pflag.FlagSet, tf *trainFlags, f frontCLI, args []string, stdout io.Writer) error {
	var bad error
	fs.Visit(func(fl *pflag.Flag) {
		if bad == nil && !frontOK[fl.Name] {
			bad = usageError("--%s does not apply with --front: the front sets every run's configuration from its recipe (docs/results-front.md)", fl.Name)
		}
	})
	if bad != nil {
		return bad
	}
	if f.out == "" {
		return usageError("--front needs --out DIR for the run directories")
	}
	c := train.FrontConfig{Out: f.out, Tasks: f.tasks, Budget: f.budget, Trim: f.trim, Results: f.results, Plots: f.plots,
		ReuseStale: f.reuseStale, Quick: f.quick, NoLRSearch: f.noLRSearch, Estimate: f.estimate,
		Command: "qpeft train " + strings.Join(args, " ")}
	if fs.Changed("model") {
		dir, ok := hfModelDir(*tf.model)
		if !ok {
			return usageError("--model with --front names the minilm task's model directory (hf:DIR); the image tasks use their own models")
		}
		c.MiniLM = dir
	}
	for _, s := range f.seeds {
		c.Seeds = append(c.Seeds, uint64(s))
	}
	if err := c.Validate(); err != nil {
		return usageError("%s", strings.TrimPrefix(err.Error(), "train: "))
	}
	if f.trim && f.budget == 0 {
		return usageError("--trim needs --budget")
	}
	ctx, stop := signalContext()
	defer stop()
	return train.Front(ctx, c, stdout)
}
