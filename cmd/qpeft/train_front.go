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

// frontHelp explains --front in `qpeft train --help`.
const frontHelp = `
The Pareto front (--front): for each task of --tasks (mlp512 and mnist-cnn on Fashion-MNIST,
minilm = all-MiniLM-L6-v2 on SpamAssassin), LoRA r = 1, 2, 4, 8, 16 and AdaLoRA on the task's
standard targets and on all-linear, the head alone with the adapter runs' budget, the long
linear probe, and Quantum-PEFT at a centre configuration and one factor at a time around it
(L, K, start, ansatz, targets), each over --seeds, with the same steps and head treatment.
Each family's learning rate is chosen on a validation split of the training data (never the
test split; --no-lr-search keeps the recipe's). Before training, a short calibration run of
every point estimates the task's cost; over --budget the task is refused, or trimmed with
--trim (the dropped points are listed). Runs are reused only when their run hash (code and
configuration) matches, or with --reuse-stale; the tables say which were. Each task writes
its section of --results and --plots/front-TASK.png (accuracy against adapter parameters,
log axis, mean ± std); --tables-only rewrites them from the finished runs. Example:
  qpeft train --front -o runs/front --tasks mlp512 --budget 2h --trim --results docs/results-front.md --plots docs
`

// frontCLI holds the flags of `qpeft train --front`.
type frontCLI struct {
	tasks                             []string
	budget                            time.Duration
	trim, estimate, noLRSearch, quick bool
	reuseStale, tablesOnly            bool
	plots, out, results               string
	seeds                             []uint
}

// frontOK are the flags `qpeft train --front` reads; every other train flag is refused
// (the front sets each run's configuration itself).
var frontOK = map[string]bool{"front": true, "tasks": true, "budget": true, "trim": true, "plots": true, "estimate": true,
	"no-lr-search": true, "tables-only": true, "out": true, "results": true, "quick": true, "reuse-stale": true, "seeds": true, "model": true,
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
		ReuseStale: f.reuseStale, Quick: f.quick, NoLRSearch: f.noLRSearch, Estimate: f.estimate, TablesOnly: f.tablesOnly,
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
