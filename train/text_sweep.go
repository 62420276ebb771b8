package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/internal/outdir"
	"github.com/qpeft/qpeft/internal/safefile"
)

// Setting is one method configuration of a text sweep.
type Setting struct {
	// Method, Rank and Layers as in TextConfig.
	Method Method
	Rank   int
	Layers int
	// LR overrides the sweep's learning rate for this setting (0: the default of the method
	// from DefaultTextConfig).
	LR float64
	// Matched, for the head method, trains the head with the adapter runs' budget: their
	// epochs (not the base's HeadEpochs), head learning rate and schedule ("head-matched").
	Matched bool
}

// Slug is a file-name-safe name of the setting, e.g. "qpeft-L2-K8" or, with an explicit
// learning rate, "lora-r8-lr0.003".
func (s Setting) Slug() string {
	var n string
	switch s.Method {
	case QPEFT:
		n = fmt.Sprintf("qpeft-L%d-K%d", s.Layers, s.Rank)
	case LoRA, AdaLoRA:
		n = fmt.Sprintf("%s-r%d", s.Method, s.Rank)
	default:
		n = string(s.Method)
	}
	if s.Matched {
		n += "-matched"
	}
	if s.LR > 0 {
		n += "-lr" + strconv.FormatFloat(s.LR, 'g', -1, 64)
	}
	return n
}

// ParseSetting reads a setting name: head (the head alone for the base's HeadEpochs: the long
// linear probe), head-matched (the head alone with the adapter runs' epochs, head learning
// rate and schedule), full, lora<r> (e.g. lora8), adalora<r>, or qpeft-L<l>-K<k> (e.g.
// qpeft-L2-K8), optionally followed by @<lr> (e.g. lora8@2e-3).
func ParseSetting(s string) (Setting, error) {
	name, lrs, hasLR := strings.Cut(strings.TrimSpace(s), "@")
	var st Setting
	bad := fmt.Errorf("train: setting %q: want head, head-matched, full, lora<r>, adalora<r> or qpeft-L<l>-K<k>, optionally @<lr>", s)
	switch {
	case name == "head":
		st.Method = Head
	case name == "head-matched":
		st.Method, st.Matched = Head, true
	case name == "full":
		st.Method = Full
	case strings.HasPrefix(name, "adalora"):
		r, err := strconv.Atoi(strings.TrimPrefix(strings.TrimPrefix(name, "adalora"), "-r"))
		if err != nil || r < 1 {
			return st, bad
		}
		st.Method, st.Rank = AdaLoRA, r
	case strings.HasPrefix(name, "lora"):
		r, err := strconv.Atoi(strings.TrimPrefix(strings.TrimPrefix(name, "lora"), "-r"))
		if err != nil || r < 1 {
			return st, bad
		}
		st.Method, st.Rank = LoRA, r
	case strings.HasPrefix(name, "qpeft-L"):
		var l, k int
		if n, err := fmt.Sscanf(name, "qpeft-L%d-K%d", &l, &k); n != 2 || err != nil || l < 0 || k < 1 || fmt.Sprintf("qpeft-L%d-K%d", l, k) != name {
			return st, bad
		}
		st.Method, st.Layers, st.Rank = QPEFT, l, k
	default:
		return st, bad
	}
	if hasLR {
		lr, err := strconv.ParseFloat(lrs, 64)
		if err != nil || !(lr > 0) || math.IsInf(lr, 0) {
			return st, fmt.Errorf("train: setting %q: learning rate %q is not a positive number", s, lrs)
		}
		st.LR = lr
	}
	return st, nil
}

// TextSweepConfig is a grid of settings × seeds over one text model and dataset.
type TextSweepConfig struct {
	// Base holds the shared settings (model, data, pooling, max length, epochs, batch,
	// limits, head learning rate, …); its Method, Rank, Layers, LR and Seed are replaced per
	// run.
	Base     TextConfig
	Settings []Setting
	Seeds    []uint64
	// Out is the directory of run directories (<slug>-seed<k>); a run whose result.json
	// exists with the same configuration and run hash is reused, so an interrupted sweep
	// resumes.
	Out string
	// ReuseStale reuses a run of the same configuration made by other code too (the tables
	// mark such rows).
	ReuseStale bool
}

// Config returns the configuration of one run of the sweep.
func (sc TextSweepConfig) Config(s Setting, seed uint64) TextConfig {
	d := DefaultTextConfig(sc.Base.Model, s.Method)
	c := sc.Base
	c.Method, c.Rank, c.Layers, c.Seed = s.Method, s.Rank, s.Layers, seed
	c.LR, c.Targets, c.OrthWeight = d.LR, d.Targets, d.OrthWeight
	if sc.Base.Targets != "" && s.Method.Adapter() {
		c.Targets = sc.Base.Targets
	}
	if !s.Method.Adapter() {
		c.Targets, c.Alpha, c.InitScale, c.ActiveRank, c.PruneStep, c.OrthWeight = "", 0, 0, 0, 0, 0
		c.GroupLRs = GroupLRs{}
	}
	if s.Method != QPEFT {
		c.InitScale, c.Alpha = 0, 0 // Alpha and InitScale are Quantum-PEFT knobs in a sweep
	}
	if s.Method != Head {
		c.HeadEpochs = 0
	} else {
		c.ProbeEpochs = 0
	}
	if s.Method == Head {
		c.HeadLR = 0
		if sc.Base.HeadLR > 0 {
			c.LR = sc.Base.HeadLR
		}
		if s.Matched {
			c.HeadEpochs = 0
		}
	}
	if s.LR > 0 {
		c.LR = s.LR
	}
	return c
}

// TextSweepRun is one finished run of a text sweep.
type TextSweepRun struct {
	Setting Setting
	Seed    uint64
	Dir     string
	Result  *TextResult
	// Reused says the run was found in Dir; Stale that other code made it (see [RunHash]).
	Reused, Stale bool
}

// TextSweep runs every setting with every seed (settings outer, seeds inner), loading the
// model and data once and sharing tokenisation and frozen features, with the sweep engine
// of every model (runs already present in sc.Out with the same configuration are reused, so
// an interrupted sweep resumes). It logs to log and returns the finished runs; on error or
// cancellation the runs finished so far are returned with the error.
func TextSweep(ctx context.Context, sc TextSweepConfig, log io.Writer) ([]TextSweepRun, error) {
	if len(sc.Settings) == 0 || len(sc.Seeds) == 0 {
		return nil, fmt.Errorf("train: sweep needs at least one setting and one seed")
	}
	for _, s := range sc.Settings {
		if err := sc.Config(s, sc.Seeds[0]).Validate(); err != nil {
			return nil, fmt.Errorf("train: setting %s: %w", s.Slug(), err)
		}
	}
	// Where the sweep writes is checked before the first run (internal/outdir).
	if err := outdir.CheckDir(sc.Out, "--out", textOutBytes); err != nil {
		return nil, err
	}
	var prog Progress = nopProgress{}
	if log != nil {
		prog = NewProgress(log, false)
	}
	load := lazyTextOptions(sc.Base, prog)
	type key struct {
		s    Setting
		seed uint64
	}
	var jobs []sweepJob[*TextResult]
	var keys []key
	for _, s := range sc.Settings {
		for _, seed := range sc.Seeds {
			cfg := sc.Config(s, seed)
			keys = append(keys, key{s, seed})
			jobs = append(jobs, textJob(cfg, filepath.Join(sc.Out, fmt.Sprintf("%s-seed%d", s.Slug(), seed)), load, prog))
		}
	}
	done, err := runSweep(ctx, jobs, sc.ReuseStale, func(i, n int, d sweepDone[*TextResult], _ float64) {
		if d.reused {
			prog.Logf("%s: reusing %s%s", d.job.label, d.job.dir, staleNote(d.stale))
		}
	})
	var runs []TextSweepRun
	for i, d := range done {
		runs = append(runs, TextSweepRun{Setting: keys[i].s, Seed: keys[i].seed, Dir: d.job.dir, Result: d.result, Reused: d.reused, Stale: d.stale})
	}
	return runs, err
}

// lazyTextOptions loads the model and data of base once, when first needed, for the runs
// of a sweep.
func lazyTextOptions(base TextConfig, prog Progress) func() (*TextOptions, error) {
	return sync.OnceValues(func() (*TextOptions, error) { return loadTextOptions(base, prog) })
}

// textJob is the sweep job of one text run: cfg into dir with the options load gives,
// reused when dir holds that run ([reuseText]).
func textJob(cfg TextConfig, dir string, load func() (*TextOptions, error), prog Progress) sweepJob[*TextResult] {
	return sweepJob[*TextResult]{
		label: fmt.Sprintf("%s seed %d", cfg.Label(), cfg.Seed),
		dir:   dir,
		reuse: func(dir string) (*TextResult, reuseKind) { return reuseText(dir, cfg) },
		run: func(ctx context.Context, dir string) (*TextResult, error) {
			opts, err := load()
			if err != nil {
				return nil, err
			}
			prog.Logf("== %s seed %d → %s", cfg.Label(), cfg.Seed, dir)
			res, err := RunText(ctx, cfg, dir, *opts)
			if res != nil {
				// The run directory holds the head and adapters now; a sweep keeps only the
				// numbers. The classifier is a float32 encoder with its activation caches:
				// kept for every run, a MiniLM front at K = 384 grew by about 0.7 GiB a run
				// until the OOM killer stopped it at 24 GiB (2026-12-08).
				res.Classifier, res.Adapters = nil, nil
			}
			runtime.GC()
			return res, err
		},
	}
}

// ReadTextResult reads a text run directory's result.json.
func ReadTextResult(dir string) (*TextResult, error) {
	// A run directory may come from elsewhere: only a regular file inside it, of bounded size.
	b, err := safefile.ReadFileIn(dir, TextResultFile, maxRunFileBytes)
	if err != nil {
		return nil, err
	}
	var r TextResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("train: %s: %w", filepath.Join(dir, TextResultFile), err)
	}
	if r.Format != TextResultFormat {
		return nil, fmt.Errorf("train: %s: format %q, want %q", filepath.Join(dir, TextResultFile), r.Format, TextResultFormat)
	}
	return &r, nil
}

func reuseText(dir string, cfg TextConfig) (*TextResult, reuseKind) {
	r, err := ReadTextResult(dir)
	if err != nil || !reflect.DeepEqual(r.Config, cfg) {
		return nil, reuseNone
	}
	return r, reuseOf(r.Run, cfg)
}

// TextRow is the summary of one setting of a text sweep over its seeds.
type TextRow struct {
	Setting                       Setting
	Label                         string
	Seeds                         int
	AdapterParams, HeadParams     int
	LoRAr1Params                  int
	Acc, AccStd, F1, F1Std        float64
	SecPerEpoch, SecPerEpochStd   float64
	TrainTokensPerSec, EvalSecond float64
	// FeatureSeconds (head) and ProbeSeconds (LP-FT) are mean one-off costs outside the
	// epochs.
	FeatureSeconds, ProbeSeconds float64
	// Reused and Stale count the seeds whose run was reused from an earlier sweep, and of
	// those the ones made by other code.
	Reused, Stale int
}

// TextRows summarises text runs per setting, in the order settings first appear.
func TextRows(runs []TextSweepRun) []TextRow {
	var order []string
	by := map[string][]TextSweepRun{}
	for _, r := range runs {
		k := r.Setting.Slug()
		if _, ok := by[k]; !ok {
			order = append(order, k)
		}
		by[k] = append(by[k], r)
	}
	var rows []TextRow
	for _, k := range order {
		rs := by[k]
		var acc, f1, sec, tps []float64
		row := TextRow{Setting: rs[0].Setting, Label: rs[0].Result.Label, Seeds: len(rs), AdapterParams: rs[0].Result.AdapterParams,
			HeadParams: rs[0].Result.HeadParams, LoRAr1Params: rs[0].Result.LoRAr1Params}
		var ev float64
		for _, r := range rs {
			acc = append(acc, r.Result.Test.Accuracy)
			f1 = append(f1, r.Result.Test.F1)
			sec = append(sec, r.Result.SecondsPerEpoch)
			ev += r.Result.EvalSeconds / float64(len(rs))
			row.FeatureSeconds += r.Result.FeatureSeconds / float64(len(rs))
			row.ProbeSeconds += r.Result.ProbeSeconds / float64(len(rs))
			if r.Reused {
				row.Reused++
			}
			if r.Stale {
				row.Stale++
			}
			for _, e := range r.Result.Epochs {
				if e.TokensPerSec > 0 {
					tps = append(tps, e.TokensPerSec)
				}
			}
		}
		row.Acc, row.AccStd = meanStd(acc)
		row.F1, row.F1Std = meanStd(f1)
		row.SecPerEpoch, row.SecPerEpochStd = meanStd(sec)
		row.TrainTokensPerSec, _ = meanStd(tps)
		row.EvalSecond = ev
		rows = append(rows, row)
	}
	return rows
}

// TextSweepMarkdown renders the results table of a text sweep and the facts needed to
// reproduce it.
func TextSweepMarkdown(sc TextSweepConfig, runs []TextSweepRun, command string, elapsed time.Duration) string {
	var b strings.Builder
	rows := TextRows(runs)
	fmt.Fprintf(&b, "| method | adapter params | vs LoRA r=8 | test accuracy (%%) | test F1 spam (%%) | s / epoch | train tokens/s | seeds | reused |\n")
	fmt.Fprintf(&b, "|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
	lora8 := 0
	for _, r := range rows {
		if r.Setting.Method == LoRA && r.Setting.Rank == 8 {
			lora8 = r.AdapterParams
		}
	}
	for _, r := range rows {
		ratio := "–"
		if lora8 > 0 && r.AdapterParams > 0 {
			ratio = fmt.Sprintf("%.1f× fewer", float64(lora8)/float64(r.AdapterParams))
			if r.AdapterParams == lora8 {
				ratio = "1×"
			}
		}
		tps := "–"
		if r.TrainTokensPerSec > 0 {
			tps = fmt.Sprintf("%.0f", r.TrainTokensPerSec)
		}
		params := fmt.Sprintf("%d", r.AdapterParams)
		if r.Setting.Method == Head {
			params = "0"
		}
		sec := fmt.Sprintf("%.1f ± %.1f", r.SecPerEpoch, r.SecPerEpochStd)
		switch {
		case r.Setting.Method == Head:
			sec = fmt.Sprintf("%.2f (+ %.0f features)", r.SecPerEpoch, r.FeatureSeconds)
		case r.ProbeSeconds > 0:
			sec += fmt.Sprintf(" (+ %.0f probe)", r.ProbeSeconds)
		}
		fmt.Fprintf(&b, "| %s | %s (+%d head) | %s | %.2f ± %.2f | %.2f ± %.2f | %s | %s | %d | %s |\n",
			r.Label, params, r.HeadParams, ratio, 100*r.Acc, 100*r.AccStd, 100*r.F1, 100*r.F1Std, sec, tps, r.Seeds, reusedCell(r.Reused, r.Stale, r.Seeds))
	}
	if len(runs) > 0 {
		r0 := runs[0].Result
		fmt.Fprintf(&b, "\nData: %s, %d training and %d test texts (fixed split and stratified sample; digest %s…), classes %v, ≤ %d tokens per text.\n",
			r0.Data.Name, r0.Data.Train, r0.Data.Test, r0.Data.Digest[:12], r0.Data.Classes, r0.Config.MaxLen)
		fmt.Fprintf(&b, "Model: %s (sha256 %s…, %d parameters, %d layers × %d).\n", r0.Model.Dir, r0.Model.SHA256[:12], r0.Model.Params, r0.Model.Layers, r0.Model.Hidden)
		fmt.Fprintf(&b, "Training: %d epoch(s), batch %d, AdamW, clip %g, warm-up %g then cosine; pooling %s; GOMAXPROCS %d, SIMD %v.\n",
			r0.Config.Epochs, r0.Config.Batch, r0.Config.Clip, r0.Config.WarmupFrac, r0.Config.Pooling, r0.GOMAXPROCS, r0.SIMD)
		for _, r := range runs {
			if r.Result.Config.Method == Head && r.Result.Config.HeadEpochs > 0 {
				fmt.Fprintf(&b, "Linear probe (the head alone): %d epochs over cached frozen features.\n", r.Result.Config.HeadEpochs)
				break
			}
		}
		for _, r := range runs {
			if r.Result.Config.ProbeEpochs > 0 {
				fmt.Fprintf(&b, "Adapter runs start from a linear probe: the head trained alone for %d epochs on frozen features (LP-FT).\n", r.Result.Config.ProbeEpochs)
				break
			}
		}
	}
	var lrs []string
	for _, s := range sc.Settings {
		c := sc.Config(s, 0)
		lr := fmt.Sprintf("%s lr %g", s.Slug(), c.LR)
		if c.Method != Head {
			lr += fmt.Sprintf(" (head %g)", c.headLR())
		}
		lrs = append(lrs, lr)
	}
	fmt.Fprintf(&b, "Learning rates: %s.\n", strings.Join(lrs, "; "))
	if command != "" {
		fmt.Fprintf(&b, "\nCommand (%.0f min wall time for the runs not reused):\n\n    %s\n", elapsed.Minutes(), command)
	}
	return b.String()
}

// TextSweepReport runs a text sweep ([TextSweep]) and returns its results document: title
// (a Markdown heading; "" for the default naming the model directory), the table of
// [TextSweepMarkdown] with the command that produced it, and a note when the sweep stopped
// early. When results is not empty the document is written there atomically (the file is
// checked before the first run: it may be replaced only if it is a regular file). It
// returns the finished runs with the sweep's error; a sweep that finished no run writes
// nothing.
func TextSweepReport(ctx context.Context, sc TextSweepConfig, title, command, results string, log io.Writer) (string, []TextSweepRun, error) {
	if err := outdir.CheckFile(results, "--results"); err != nil {
		return "", nil, err
	}
	if title == "" {
		title = "# " + filepath.Base(sc.Base.ModelDir()) + " on SpamAssassin: Quantum-PEFT vs LoRA\n"
	}
	start := time.Now()
	runs, err := TextSweep(ctx, sc, log)
	if len(runs) == 0 {
		if err == nil {
			err = errors.New("train: the sweep finished no run")
		}
		return "", nil, err
	}
	doc := title + "\n" + TextSweepMarkdown(sc, runs, command, time.Since(start))
	if err != nil {
		doc += fmt.Sprintf("\n**Incomplete**: the sweep stopped with: %v\n", err)
	}
	if results != "" {
		if werr := atomicfile.WriteFile(results, []byte(doc), 0o644); werr != nil {
			return doc, runs, werr
		}
	}
	return doc, runs, err
}
