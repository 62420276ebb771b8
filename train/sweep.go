package train

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/internal/outdir"
	"github.com/qpeft/qpeft/nn"
)

// SweepConfig describes the results sweep: every method of [SweepPlan] on each model, once
// per seed, each run written to its own run directory under Out, and the tables of
// docs/results.md.
type SweepConfig struct {
	// Out is the directory holding one run directory per model, setting and seed.
	Out string
	// Results, when set, is the Markdown file whose generated section receives the tables
	// (created if missing; text outside the markers is kept).
	Results string
	// Data is the task (fashion-mnist by default).
	Data string
	// Models are the models to sweep (default mnist-cnn and mlp512).
	Models []string
	// Seeds are the seeds of every setting (default 1, 2, 3).
	Seeds []uint64
	// Epochs, when positive, overrides every model's number of epochs.
	Epochs int
	// Quick makes a smoke-test sweep: the embedded subset, 1 epoch of 1,000 images, a few
	// settings (used by the tests).
	Quick bool
	// ReuseStale reuses a run directory holding the same configuration even when its run
	// hash says other code made it ([RunHash]); the tables mark such rows.
	ReuseStale bool
	// ProbeSteps, when positive, starts every adapter and full fine-tuning run with a linear
	// probe of that many steps (LP-FT, Config.ProbeSteps).
	ProbeSteps int
}

// Validate checks the sweep settings.
func (c SweepConfig) Validate() error {
	if c.Out == "" {
		return errors.New("train: the sweep needs an output directory")
	}
	if c.Epochs < 0 {
		return fmt.Errorf("train: epochs %d must be ≥ 0", c.Epochs)
	}
	if err := checkSeeds(c.Seeds); err != nil {
		return err
	}
	for _, m := range c.Models {
		if _, ok := sweepModels[m]; !ok {
			return fmt.Errorf("train: the sweep knows models %s, not %q", strings.Join(ModelNames, ", "), m)
		}
	}
	return nil
}

func (c SweepConfig) withDefaults() SweepConfig {
	if c.Data == "" {
		c.Data = DataFashion
	}
	if len(c.Models) == 0 {
		c.Models = ModelNames
	}
	if len(c.Seeds) == 0 {
		c.Seeds = []uint64{1, 2, 3}
	}
	if c.Quick {
		c.Data = DataFashionSubset
	}
	return c
}

// sweepModel holds the per-model recipe of the sweep.
type sweepModel struct {
	// Epochs and TrainLimit size the training budget; learning rates per method.
	Epochs, TrainLimit int
	HeadLR, LoRALR     float64
	QPEFTLR, FullLR    float64
	// QPEFTRank is K of the Quantum-PEFT rows, QPEFTAlpha its α.
	QPEFTRank  int
	QPEFTAlpha float64
	// ExtraQPEFT are further Quantum-PEFT rows (L, K) beyond L = 1, 2, 4 at QPEFTRank.
	ExtraQPEFT [][2]int
}

// sweepModels are the recipes of the results table (see docs/results.md for the reasons).
var sweepModels = map[string]sweepModel{
	ModelMNISTCNN: {Epochs: 2, TrainLimit: 15000, HeadLR: 1e-4, LoRALR: 3e-3, QPEFTLR: 3e-2, FullLR: 1e-3,
		QPEFTRank: 4, ExtraQPEFT: [][2]int{{2, 8}}},
	ModelMLP512: {Epochs: 3, HeadLR: 3e-3, LoRALR: 3e-3, QPEFTLR: 3e-2, FullLR: 5e-4,
		QPEFTRank: 8, ExtraQPEFT: [][2]int{{2, 32}}},
}

// SweepPlan returns the configurations of the sweep for one model and seed, in table order:
// zero-shot, head only with the adapter runs' budget, the long linear probe (the head alone
// for ten times the epochs), LoRA r = 1, 2, 4, 8, Quantum-PEFT L = 1, 2, 4 (and the model's extra
// settings), AdaLoRA-style r = 8 → 4, full fine-tuning.
func SweepPlan(c SweepConfig, model string, seed uint64) []Config {
	c = c.withDefaults()
	r := sweepModels[model]
	epochs, limit := r.Epochs, r.TrainLimit
	if c.Epochs > 0 {
		epochs = c.Epochs
	}
	base := func(m Method) Config {
		cfg := DefaultConfig(model, m)
		cfg.Data, cfg.Seed, cfg.Epochs, cfg.TrainLimit = c.Data, seed, epochs, limit
		if c.Quick {
			cfg.Epochs, cfg.TrainLimit, cfg.TestLimit = 1, 1000, 500
		}
		if m != Head && m != ZeroShot {
			cfg.HeadLR = r.HeadLR
		}
		if m.Adapter() || m == Full {
			cfg.ProbeSteps = c.ProbeSteps
		}
		return cfg
	}
	var out []Config
	zs := DefaultConfig(model, ZeroShot)
	zs.Data = c.Data
	if c.Quick {
		zs.TestLimit = 500
	}
	out = append(out, zs)
	// The matched-budget head-only row: the adapter runs' steps, head learning rate and
	// schedule; then the long linear probe, ten times as many steps.
	h := base(Head)
	h.LR, h.Name = r.HeadLR, "head only (matched budget)"
	out = append(out, h)
	lp := h
	lp.Epochs = 10 * h.Epochs
	lp.Name = fmt.Sprintf("linear probe (%d epochs)", lp.Epochs)
	out = append(out, lp)
	loraRanks := []int{1, 2, 4, 8}
	if c.Quick {
		loraRanks = []int{1}
	}
	for _, rank := range loraRanks {
		l := base(LoRA)
		l.Rank, l.LR = rank, r.LoRALR
		out = append(out, l)
	}
	qs := [][2]int{{1, r.QPEFTRank}, {2, r.QPEFTRank}, {4, r.QPEFTRank}}
	if c.Quick {
		qs = qs[1:2]
	} else {
		qs = append(qs, r.ExtraQPEFT...)
	}
	for _, lk := range qs {
		q := base(QPEFT)
		q.Layers, q.Rank, q.LR = lk[0], lk[1], r.QPEFTLR
		if lk[1] == r.QPEFTRank {
			q.Alpha = r.QPEFTAlpha
		}
		out = append(out, q)
	}
	if !c.Quick {
		a := base(AdaLoRA)
		a.LR = r.LoRALR
		out = append(out, a)
		f := base(Full)
		f.LR = r.FullLR
		out = append(out, f)
	}
	return out
}

// slug names a configuration's run directory.
func slug(c Config) string {
	if c.ProbeSteps > 0 {
		c2 := c
		c2.ProbeSteps = 0
		return fmt.Sprintf("%s-probe%d", slug(c2), c.ProbeSteps)
	}
	switch c.Method {
	case Head:
		if c.Name != "" && strings.HasPrefix(c.Name, "linear probe") {
			return fmt.Sprintf("probe-%de", c.Epochs)
		}
	case LoRA:
		return fmt.Sprintf("lora-r%d", c.Rank)
	case QPEFT:
		return fmt.Sprintf("qpeft-L%d-K%d", c.Layers, c.Rank)
	case AdaLoRA:
		return fmt.Sprintf("adalora-r%d-k%d", c.Rank, c.ActiveRank)
	}
	return string(c.Method)
}

// SweepRun is one finished run of a sweep.
type SweepRun struct {
	Model   string
	Config  Config
	Dir     string
	Metrics *Metrics
	Timing  *Timing
	// Reused says the run was found in Dir rather than made by this sweep; Stale that it
	// was made by other code (see [RunHash]) and reused because SweepConfig.ReuseStale.
	Reused, Stale bool
}

// Sweep runs every configuration of the plan for every model and seed (reusing run
// directories that already hold the same configuration's results, so an interrupted sweep
// resumes), prints one line per run to w and, when c.Results is set, writes the tables.
func Sweep(ctx context.Context, c SweepConfig, w io.Writer, prog Progress) error {
	if err := c.Validate(); err != nil {
		return err
	}
	// Where the sweep writes is checked before the first run (internal/outdir).
	if err := outdir.CheckDir(c.Out, "--out", outBaseBytes); err != nil {
		return err
	}
	if err := outdir.CheckFile(c.Results, "--results"); err != nil {
		return err
	}
	c = c.withDefaults()
	d, err := LoadData(c.Data)
	if err != nil {
		return err
	}
	type job struct {
		model string
		cfg   Config
		dir   string
	}
	var jobs []job
	for _, model := range c.Models {
		for _, seed := range c.Seeds {
			for _, cfg := range SweepPlan(c, model, seed) {
				if cfg.Method == ZeroShot && seed != c.Seeds[0] {
					continue // deterministic: one run serves every seed
				}
				dir := filepath.Join(c.Out, model, slug(cfg), fmt.Sprintf("seed-%d", seed))
				if cfg.Method == ZeroShot {
					dir = filepath.Join(c.Out, model, slug(cfg))
				}
				jobs = append(jobs, job{model, cfg, dir})
			}
		}
	}
	start := time.Now()
	sj := make([]sweepJob[SweepRun], len(jobs))
	for i, j := range jobs {
		sj[i] = imageJob(j.model, j.cfg, j.dir, d)
	}
	done, err := runSweep(ctx, sj, c.ReuseStale, func(i, n int, r sweepDone[SweepRun], secs float64) {
		met, tim := r.result.Metrics, r.result.Timing
		if r.reused {
			fmt.Fprintf(w, "[%d/%d] %s %s seed %d: reused %s%s (accuracy %.2f%%)\n", i+1, n, r.result.Model, met.Label, r.result.Config.Seed, r.job.dir, staleNote(r.stale), 100*met.Final.Accuracy)
			return
		}
		fmt.Fprintf(w, "[%d/%d] %s %s seed %d: accuracy %.2f%%, %d adapter + %d head parameters, %.1f s/epoch, %.0f samples/s (%.0fs; sweep %.0fs)\n",
			i+1, n, r.result.Model, met.Label, r.result.Config.Seed, 100*met.Final.Accuracy, met.Params.Adapter,
			met.Params.Head, tim.MeanSecondsPerEpoch, tim.SamplesPerSecond, secs, time.Since(start).Seconds())
	})
	if err != nil {
		return err
	}
	runs := make([]SweepRun, len(done))
	for i, r := range done {
		runs[i] = r.result
		runs[i].Reused, runs[i].Stale = r.reused, r.stale
	}
	if c.Results == "" {
		return nil
	}
	md := ResultsMarkdown(c, runs)
	if err := WriteResults(c.Results, md); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s\n", c.Results)
	return nil
}

// imageJob is the sweep job of one image run: cfg on model (loaded fresh for the run) and
// the already loaded data d, into dir, reused when dir holds that run ([reusable]).
func imageJob(model string, cfg Config, dir string, d *Data) sweepJob[SweepRun] {
	return sweepJob[SweepRun]{label: fmt.Sprintf("%s %s seed %d", model, cfg.Label(), cfg.Seed), dir: dir,
		reuse: func(dir string) (SweepRun, reuseKind) {
			met, tim, kind := reusable(dir, cfg)
			return SweepRun{Model: model, Config: cfg, Dir: dir, Metrics: met, Timing: tim}, kind
		},
		run: func(ctx context.Context, dir string) (SweepRun, error) {
			m, err := LoadModel(model, 0)
			if err != nil {
				return SweepRun{}, err
			}
			res, err := Run(ctx, cfg, dir, Options{Model: m, Data: d})
			if err != nil {
				return SweepRun{}, err
			}
			return SweepRun{Model: model, Config: cfg, Dir: dir, Metrics: res.Metrics, Timing: res.Timing}, nil
		}}
}

// reusable reports whether dir holds a finished run of cfg: fresh when it was made by this
// code (the run hash matches), stale when by other code or before run hashing.
func reusable(dir string, cfg Config) (*Metrics, *Timing, reuseKind) {
	met, err := ReadMetrics(dir)
	if err != nil {
		return nil, nil, reuseNone
	}
	tim, err := ReadTiming(dir)
	if err != nil {
		return nil, nil, reuseNone
	}
	// Compare through JSON, the form the config was stored in.
	a, _ := json.Marshal(met.Config)
	b, _ := json.Marshal(cfg)
	var x, y Config
	_ = json.Unmarshal(a, &x)
	_ = json.Unmarshal(b, &y)
	if !reflect.DeepEqual(x, y) {
		return nil, nil, reuseNone
	}
	return met, tim, reuseOf(met.Run, cfg)
}

// staleNote marks a reused run made by other code.
func staleNote(stale bool) string {
	if stale {
		return " (stale: made by other code, reused as --reuse-stale asks)"
	}
	return ""
}

// Row is one line of a results table: a setting aggregated over seeds.
type Row struct {
	Label string
	// Adapter, Head and Trainable parameter counts, and adapters per LoRA r = 1.
	Adapter, Head, Trainable int
	LoRAr1                   int
	// Acc holds the test accuracy of each seed; Mean and Std (sample standard deviation,
	// 0 for one value) summarise it, in percent.
	Acc       []float64
	Mean, Std float64
	// SecondsPerEpoch and SamplesPerSecond are means over seeds (wall clock);
	// CPUSecondsPerEpoch the mean process CPU time per epoch.
	SecondsPerEpoch, SamplesPerSecond, CPUSecondsPerEpoch float64
	Method                                                Method
	Config                                                Config
	// Reused and Stale count the seeds whose run was reused from an earlier sweep, and of
	// those the ones made by other code (see [RunHash]).
	Reused, Stale int
}

// Rows aggregates a model's runs by setting, in plan order.
func Rows(runs []SweepRun) []Row {
	var rows []Row
	index := map[string]int{}
	for _, r := range runs {
		key := r.Metrics.Label
		i, ok := index[key]
		if !ok {
			i = len(rows)
			index[key] = i
			p := r.Metrics.Params
			rows = append(rows, Row{Label: key, Adapter: p.Adapter, Head: p.Head, Trainable: p.Trainable, LoRAr1: p.LoRAr1,
				Method: r.Config.Method, Config: r.Config})
		}
		row := &rows[i]
		row.Acc = append(row.Acc, 100*r.Metrics.Final.Accuracy)
		row.SecondsPerEpoch += r.Timing.MeanSecondsPerEpoch
		row.SamplesPerSecond += r.Timing.SamplesPerSecond
		row.CPUSecondsPerEpoch += r.Timing.CPUSecondsPerEpoch
		if r.Reused {
			row.Reused++
		}
		if r.Stale {
			row.Stale++
		}
	}
	for i := range rows {
		r := &rows[i]
		n := float64(len(r.Acc))
		r.SecondsPerEpoch /= n
		r.SamplesPerSecond /= n
		r.CPUSecondsPerEpoch /= n
		r.Mean, r.Std = meanStd(r.Acc)
	}
	return rows
}

// meanStd returns the mean and the sample standard deviation (n − 1; 0 for one value) of v
// (0, 0 for none).
func meanStd(v []float64) (mean, std float64) {
	if len(v) == 0 {
		return 0, 0
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v)-1))
}

// Markers delimit the generated part of the results file.
const (
	BeginMarker = "<!-- BEGIN GENERATED BY qpeft train --sweep: do not edit by hand -->"
	EndMarker   = "<!-- END GENERATED -->"
)

// ResultsMarkdown renders the tables of a sweep.
func ResultsMarkdown(c SweepConfig, runs []SweepRun) string {
	var b strings.Builder
	b.WriteString(BeginMarker + "\n\n")
	var seeds []string
	for _, s := range c.Seeds {
		seeds = append(seeds, fmt.Sprint(s))
	}
	var total float64
	for _, r := range runs {
		total += r.Timing.TotalSeconds
	}
	fmt.Fprintf(&b, "Sweep: %s; seeds %s; data %s. Machine: %s, GOMAXPROCS %d, AVX2/FMA kernel %v, %s. %d runs, %s of wall time in total (the sum of their timing.json total_seconds; reused runs keep their original timings).\n\n",
		strings.Join(c.Models, ", "), strings.Join(seeds, ", "), c.Data, cpuName(), runtime.GOMAXPROCS(0), nn.SIMD(), runtime.Version(),
		len(runs), (time.Duration(total) * time.Second).Round(time.Second))
	byModel := map[string][]SweepRun{}
	for _, r := range runs {
		byModel[r.Model] = append(byModel[r.Model], r)
	}
	for _, model := range c.Models {
		rs := byModel[model]
		if len(rs) == 0 {
			continue
		}
		rows := Rows(rs)
		ex := rs[len(rs)-1].Metrics
		fmt.Fprintf(&b, "### %s\n\n", model)
		fmt.Fprintf(&b, "%s. Training: %s; test: all %d test images.\n", ex.Model.Description, trainDesc(rs), ex.Data.Test)
		var mods []string
		for _, r := range rs {
			if len(r.Metrics.Modules) > 0 {
				mods = nil
				for _, mod := range r.Metrics.Modules {
					name := mod.Name
					if mod.Alias != mod.Name {
						name = mod.Alias + " = " + mod.Name
					}
					mods = append(mods, fmt.Sprintf("%s (%dx%d)", name, mod.Out, mod.In))
				}
				break
			}
		}
		if len(mods) > 0 {
			fmt.Fprintf(&b, "Adapted modules: %s, plus a new %d-parameter head trained by every method but zero-shot.\n", strings.Join(mods, ", "), rows[len(rows)-1].Head)
		}
		b.WriteString("\n| method | adapter params | adapters / LoRA r=1 | new head | trainable total | test accuracy % (mean ± std) | per seed | s/epoch | CPU s/epoch | samples/s | reused |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|\n")
		for _, r := range rows {
			ratio, ad := "—", "—"
			if r.Method.Adapter() {
				ad = fmt.Sprint(r.Adapter)
				ratio = fmt.Sprintf("%.3g", float64(r.Adapter)/float64(r.LoRAr1))
			}
			spe, cpe, sps := "—", "—", "—"
			if r.Method != ZeroShot {
				spe, cpe, sps = fmt.Sprintf("%.1f", r.SecondsPerEpoch), fmt.Sprintf("%.1f", r.CPUSecondsPerEpoch), fmt.Sprintf("%.0f", r.SamplesPerSecond)
			}
			var per []string
			for _, a := range r.Acc {
				per = append(per, fmt.Sprintf("%.2f", a))
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %.2f ± %.2f | %s | %s | %s | %s | %s |\n", r.Label, ad, ratio, r.Head, r.Trainable,
				r.Mean, r.Std, strings.Join(per, ", "), spe, cpe, sps, reusedCell(r.Reused, r.Stale, len(r.Acc)))
		}
		b.WriteString("\n")
		b.WriteString(verdict(rows, model == ModelMLP512))
		b.WriteString("\n")
	}
	b.WriteString(EndMarker + "\n")
	return b.String()
}

func trainDesc(rs []SweepRun) string {
	for _, r := range rs {
		c := r.Config
		if c.Method == ZeroShot {
			continue
		}
		d := fmt.Sprintf("%d epoch(s) over %d training images, batch %d, AdamW with %.0f%% warm-up and cosine decay, gradient clipping %g",
			c.Epochs, r.Metrics.Data.Train, c.Batch, 100*c.WarmupFrac, c.Clip)
		for _, r2 := range rs {
			if p := r2.Config.ProbeSteps; p > 0 {
				return d + fmt.Sprintf("; adapter and full runs start with a linear probe of %d steps (LP-FT)", p)
			}
		}
		return d
	}
	return "none"
}

// verdict compares the best Quantum-PEFT row with the best LoRA row; with target it states
// whether the results table's target (within 1 point of the best LoRA with ≥ 10x fewer
// adapter parameters) is met.
func verdict(rows []Row, target bool) string {
	var bestL, bestQ *Row
	for i := range rows {
		r := &rows[i]
		switch r.Method {
		case LoRA:
			if bestL == nil || r.Mean > bestL.Mean {
				bestL = r
			}
		case QPEFT:
			if bestQ == nil || r.Mean > bestQ.Mean {
				bestQ = r
			}
		}
	}
	if bestL == nil || bestQ == nil {
		return ""
	}
	gap := bestL.Mean - bestQ.Mean
	fewer := float64(bestL.Adapter) / float64(bestQ.Adapter)
	s := fmt.Sprintf("Best LoRA: %s, %.2f %% with %d adapter parameters. Best Quantum-PEFT: %s, %.2f %% with %d adapter parameters: %.2f points %s, %.1fx fewer adapter parameters.",
		bestL.Label, bestL.Mean, bestL.Adapter, bestQ.Label, bestQ.Mean, bestQ.Adapter, math.Abs(gap), map[bool]string{true: "below", false: "above"}[gap > 0], fewer)
	if !target {
		return s + "\n"
	}
	word := "not met"
	if gap <= 1 && fewer >= 10 {
		word = "met"
	}
	return s + fmt.Sprintf(" Target (within 1 point of the best LoRA with ≥ 10x fewer adapter parameters): **%s**.\n", word)
}

// cpuName returns the CPU model from /proc/cpuinfo, or GOARCH.
func cpuName() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

// WriteResults puts the generated section md into the file at path, replacing the text
// between the markers (or appending it when the file has none), atomically.
func WriteResults(path, md string) error {
	return writeSection(path, "# Results\n", BeginMarker, EndMarker, md)
}

// writeSection puts md (which starts with begin and ends with end) into the file at path,
// replacing the text between the markers, or appending it after a line break (a new file
// starts with title and a blank line), atomically.
func writeSection(path, title, begin, end, md string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("train: %w", err)
	}
	var out []byte
	i := bytes.Index(old, []byte(begin))
	j := bytes.Index(old, []byte(end))
	switch {
	case i >= 0 && j > i:
		out = append(append(append([]byte(nil), old[:i]...), md...), bytes.TrimPrefix(old[j+len(end):], []byte("\n"))...)
	case len(old) == 0:
		out = []byte(title + "\n" + md)
	default:
		out = append(append(old, '\n'), md...)
	}
	if err := atomicfile.WriteFile(path, out, 0o644); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// checkSeeds refuses a seed listed twice.
func checkSeeds(seeds []uint64) error {
	seen := map[uint64]bool{}
	for _, s := range seeds {
		if seen[s] {
			return fmt.Errorf("train: seed %d listed twice", s)
		}
		seen[s] = true
	}
	return nil
}

// sweepJob is one run of a sweep: its run directory, how to reuse an earlier run there and
// how to run it.
type sweepJob[R any] struct {
	label string // names the run in messages, e.g. "mlp512 LoRA r=1 seed 2"
	dir   string
	reuse func(dir string) (R, reuseKind)
	run   func(ctx context.Context, dir string) (R, error)
}

// sweepDone is a finished job of a sweep.
type sweepDone[R any] struct {
	job           sweepJob[R]
	result        R
	reused, stale bool
}

// runSweep is the sweep engine of every model: it runs the jobs in order, reusing a job's
// run directory when it already holds that job's finished run made by this code (the run
// hash matches, [RunHash]; so an interrupted sweep resumes) or, with allowStale, by other
// code, and calls report after each job (with the job's index, the number of jobs and
// the seconds the job took). It stops at the first failed job or when ctx is cancelled,
// returning the jobs finished so far with the error.
func runSweep[R any](ctx context.Context, jobs []sweepJob[R], allowStale bool, report func(i, n int, d sweepDone[R], seconds float64)) ([]sweepDone[R], error) {
	var done []sweepDone[R]
	for i, j := range jobs {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		t0 := time.Now()
		d := sweepDone[R]{job: j}
		if r, kind := j.reuse(j.dir); kind == reuseFresh || (kind == reuseStale && allowStale) {
			d.result, d.reused, d.stale = r, true, kind == reuseStale
		} else {
			r, err := j.run(ctx, j.dir)
			if err != nil {
				return done, fmt.Errorf("%s: %w", j.label, err)
			}
			d.result = r
		}
		done = append(done, d)
		if report != nil {
			report(i, len(jobs), d, time.Since(t0).Seconds())
		}
	}
	return done, nil
}

// reusedCell is a table's "reused" cell: how many of a row's n runs were reused from an
// earlier sweep, and how many of those were made by other code (stale, reused only with
// --reuse-stale); "—" when every run is new.
func reusedCell(reused, stale, n int) string {
	switch {
	case reused == 0:
		return "—"
	case stale > 0:
		return fmt.Sprintf("%d/%d (%d stale)", reused, n, stale)
	}
	return fmt.Sprintf("%d/%d", reused, n)
}
