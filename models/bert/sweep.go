package bert

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/qpeft/qpeft/internal/outdir"
	"github.com/qpeft/qpeft/internal/safefile"
)

// Setting is one method configuration of a sweep.
type Setting struct {
	// Method, Rank and Layers as in RunConfig.
	Method Method
	Rank   int
	Layers int
	// LR overrides the sweep's learning rate for this setting (0: the default of the method
	// from DefaultRunConfig).
	LR float64
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
	if s.LR > 0 {
		n += "-lr" + strconv.FormatFloat(s.LR, 'g', -1, 64)
	}
	return n
}

// ParseSetting reads a setting name: head, full, lora<r> (e.g. lora8), adalora<r>, or
// qpeft-L<l>-K<k> (e.g. qpeft-L2-K8), optionally followed by @<lr> (e.g. lora8@2e-3).
func ParseSetting(s string) (Setting, error) {
	name, lrs, hasLR := strings.Cut(strings.TrimSpace(s), "@")
	var st Setting
	bad := fmt.Errorf("bert: setting %q: want head, full, lora<r>, adalora<r> or qpeft-L<l>-K<k>, optionally @<lr>", s)
	switch {
	case name == "head":
		st.Method = Head
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
			return st, fmt.Errorf("bert: setting %q: learning rate %q is not a positive number", s, lrs)
		}
		st.LR = lr
	}
	return st, nil
}

// SweepConfig is a grid of settings × seeds over one model and dataset.
type SweepConfig struct {
	// Base holds the shared settings (model, data, pooling, max length, epochs, batch,
	// limits, head learning rate, …); its Method, Rank, Layers, LR and Seed are replaced per
	// run.
	Base     RunConfig
	Settings []Setting
	Seeds    []uint64
	// Out is the directory of run directories (<slug>-seed<k>); a run whose result.json
	// exists with the same configuration is reused, so an interrupted sweep resumes.
	Out string
}

// RunConfig returns the configuration of one run of the sweep.
func (sc SweepConfig) RunConfig(s Setting, seed uint64) RunConfig {
	d := DefaultRunConfig(sc.Base.Model, s.Method)
	c := sc.Base
	c.Method, c.Rank, c.Layers, c.Seed = s.Method, s.Rank, s.Layers, seed
	c.LR, c.Targets, c.OrthWeight = d.LR, d.Targets, d.OrthWeight
	if sc.Base.Targets != "" && s.Method.Adapter() {
		c.Targets = sc.Base.Targets
	}
	if !s.Method.Adapter() {
		c.Targets, c.Alpha, c.InitScale, c.ActiveRank, c.PruneStep, c.OrthWeight = "", 0, 0, 0, 0, 0
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
	}
	if s.LR > 0 {
		c.LR = s.LR
	}
	return c
}

// SweepRun is one finished run.
type SweepRun struct {
	Setting Setting
	Seed    uint64
	Dir     string
	Result  *Result
	Reused  bool
}

// Sweep runs every setting with every seed (settings outer, seeds inner), loading the
// model and data once and sharing tokenisation and frozen features. Runs already present
// in sc.Out are reused. It returns the finished runs; on error or cancellation the runs
// finished so far are returned with the error.
func Sweep(ctx context.Context, sc SweepConfig, log io.Writer) ([]SweepRun, error) {
	if len(sc.Settings) == 0 || len(sc.Seeds) == 0 {
		return nil, fmt.Errorf("bert: sweep needs at least one setting and one seed")
	}
	for _, s := range sc.Settings {
		if err := sc.RunConfig(s, sc.Seeds[0]).Validate(); err != nil {
			return nil, fmt.Errorf("bert: setting %s: %w", s.Slug(), err)
		}
	}
	// Where the sweep writes is checked before the first run (internal/outdir).
	if err := outdir.CheckDir(sc.Out, "--out", outBytes); err != nil {
		return nil, err
	}
	var m *Model
	var opts RunOptions
	load := func() error {
		if m != nil {
			return nil
		}
		var err error
		if m, err = Load(sc.Base.ModelDir()); err != nil {
			return err
		}
		train, test, err := LoadRunData(sc.Base.Data)
		if err != nil {
			return err
		}
		opts = RunOptions{Log: log, Model: m, Train: train, Test: test, Cache: NewCache()}
		return nil
	}
	var runs []SweepRun
	for _, s := range sc.Settings {
		for _, seed := range sc.Seeds {
			cfg := sc.RunConfig(s, seed)
			dir := filepath.Join(sc.Out, fmt.Sprintf("%s-seed%d", s.Slug(), seed))
			if r, ok := reuse(dir, cfg); ok {
				logf(log, "%s seed %d: reusing %s", cfg.Label(), seed, dir)
				runs = append(runs, SweepRun{Setting: s, Seed: seed, Dir: dir, Result: r, Reused: true})
				continue
			}
			if err := load(); err != nil {
				return runs, err
			}
			logf(log, "== %s seed %d → %s", cfg.Label(), seed, dir)
			res, err := Run(ctx, cfg, dir, opts)
			if err != nil {
				return runs, fmt.Errorf("bert: %s seed %d: %w", cfg.Label(), seed, err)
			}
			runs = append(runs, SweepRun{Setting: s, Seed: seed, Dir: dir, Result: res})
			runtime.GC()
		}
	}
	return runs, nil
}

// ReadResult reads a run directory's result.json.
func ReadResult(dir string) (*Result, error) {
	// A run directory may come from elsewhere: only a regular file inside it, of bounded size.
	b, err := safefile.ReadFileIn(dir, "result.json", 64<<20)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("bert: %s: %w", filepath.Join(dir, "result.json"), err)
	}
	if r.Format != ResultFormat {
		return nil, fmt.Errorf("bert: %s: format %q, want %q", filepath.Join(dir, "result.json"), r.Format, ResultFormat)
	}
	return &r, nil
}

func reuse(dir string, cfg RunConfig) (*Result, bool) {
	r, err := ReadResult(dir)
	if err != nil {
		return nil, false
	}
	return r, reflect.DeepEqual(r.Config, cfg)
}

// Row is the summary of one setting over its seeds.
type Row struct {
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
}

// Rows summarises runs per setting, in the order settings first appear.
func Rows(runs []SweepRun) []Row {
	var order []string
	by := map[string][]SweepRun{}
	for _, r := range runs {
		k := r.Setting.Slug()
		if _, ok := by[k]; !ok {
			order = append(order, k)
		}
		by[k] = append(by[k], r)
	}
	var rows []Row
	for _, k := range order {
		rs := by[k]
		var acc, f1, sec, tps []float64
		row := Row{Setting: rs[0].Setting, Label: rs[0].Result.Label, Seeds: len(rs), AdapterParams: rs[0].Result.AdapterParams,
			HeadParams: rs[0].Result.HeadParams, LoRAr1Params: rs[0].Result.LoRAr1Params}
		var ev float64
		for _, r := range rs {
			acc = append(acc, r.Result.Test.Accuracy)
			f1 = append(f1, r.Result.Test.F1)
			sec = append(sec, r.Result.SecondsPerEpoch)
			ev += r.Result.EvalSeconds / float64(len(rs))
			row.FeatureSeconds += r.Result.FeatureSeconds / float64(len(rs))
			row.ProbeSeconds += r.Result.ProbeSeconds / float64(len(rs))
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

// meanStd returns the mean and the sample standard deviation (n − 1; 0 for one value).
func meanStd(v []float64) (float64, float64) {
	if len(v) == 0 {
		return 0, 0
	}
	var m float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	if len(v) < 2 {
		return m, 0
	}
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, math.Sqrt(s / float64(len(v)-1))
}

// SweepMarkdown renders the results table and the facts needed to reproduce it.
func SweepMarkdown(sc SweepConfig, runs []SweepRun, command string, elapsed time.Duration) string {
	var b strings.Builder
	rows := Rows(runs)
	fmt.Fprintf(&b, "| method | adapter params | vs LoRA r=8 | test accuracy (%%) | test F1 spam (%%) | s / epoch | train tokens/s | seeds |\n")
	fmt.Fprintf(&b, "|---|---:|---:|---:|---:|---:|---:|---:|\n")
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
		fmt.Fprintf(&b, "| %s | %s (+%d head) | %s | %.2f ± %.2f | %.2f ± %.2f | %s | %s | %d |\n",
			r.Label, params, r.HeadParams, ratio, 100*r.Acc, 100*r.AccStd, 100*r.F1, 100*r.F1Std, sec, tps, r.Seeds)
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
				fmt.Fprintf(&b, "Head only: %d epochs over cached frozen features.\n", r.Result.Config.HeadEpochs)
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
		c := sc.RunConfig(s, 0)
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
