package train

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/internal/outdir"
	"github.com/qpeft/qpeft/models/bert"
)

// LRSearchGroups are the rates a learning-rate search can vary: the run's LR, the head's
// and the adapters' groups (GroupLRs).
var LRSearchGroups = []string{"lr", "head", "angles", "scales", "dense"}

// LRSearchConfig describes a learning-rate search: one run per value, each trained on the
// training split minus a validation part and scored on that part — never on the test split.
type LRSearchConfig struct {
	// Group is the rate varied (LRSearchGroups; "" is "lr").
	Group string
	// Values are the rates tried, in order.
	Values []float64
	// Out is the search directory: one run directory per value (<group>-<value>) and
	// lr-search.json and lr-search.md recording every trial.
	Out string
	// ReuseStale reuses runs made by other code (see [RunHash]), as sweeps do.
	ReuseStale bool
}

// LRTrial is one tried rate of a search.
type LRTrial struct {
	Value float64 `json:"value"`
	Dir   string  `json:"dir"`
	// ValAccuracy and ValLoss are the run's score on the validation part.
	ValAccuracy float64 `json:"val_accuracy"`
	ValLoss     float64 `json:"val_loss"`
	Reused      bool    `json:"reused,omitempty"`
	Stale       bool    `json:"stale,omitempty"`
}

// LRSearchResult is lr-search.json: the search and every trial; Best is the trial with the
// highest validation accuracy (the lowest validation loss among equals, then the first).
type LRSearchResult struct {
	Format string `json:"format"`
	Group  string `json:"group"`
	// Label describes the searched run, e.g. "Quantum-PEFT L=2 K=4"; Base is its
	// configuration with the searched rate at the first value.
	Label  string    `json:"label"`
	Base   any       `json:"base"`
	Eval   string    `json:"eval"`
	Trials []LRTrial `json:"trials"`
	Best   LRTrial   `json:"best"`
}

// LRSearchFormat marks lr-search.json.
const LRSearchFormat = "qpeft-lr-search/1"

// LRSearchFile is the record of a search in its directory.
const LRSearchFile = "lr-search.json"

// ratePtr returns the field of a configuration that group names.
func ratePtr(group string, m Method, lr, headLR *float64, g *GroupLRs) (*float64, error) {
	switch group {
	case "", "lr":
		return lr, nil
	case "head":
		if m == Head {
			return lr, nil // the head method's rate is its LR
		}
		return headLR, nil
	case "angles":
		return &g.Angles, nil
	case "scales":
		return &g.Scales, nil
	case "dense":
		return &g.Dense, nil
	}
	return nil, fmt.Errorf("train: --lr-search-group %q: want one of %s", group, strings.Join(LRSearchGroups, ", "))
}

func (c LRSearchConfig) check() error {
	if len(c.Values) == 0 {
		return fmt.Errorf("train: an LR search needs at least one value (--lr-search 1e-3,3e-3,1e-2)")
	}
	for _, v := range c.Values {
		if !(v > 0) || v > 1e6 {
			return fmt.Errorf("train: --lr-search value %v is not a positive learning rate", v)
		}
	}
	if c.Out == "" {
		return fmt.Errorf("train: an LR search needs --out DIR for its runs and record")
	}
	return outdir.CheckDir(c.Out, "--out", outBaseBytes)
}

// LRSearch runs an image model's learning-rate search: base with the searched rate set to
// each value, on base's validation split (base.ValFraction must be set: the test split is
// never used to choose), through the sweep engine (runs reused when their run hash
// matches). It writes lr-search.json and lr-search.md in sc.Out and reports a line per trial
// to w.
func LRSearch(ctx context.Context, base Config, sc LRSearchConfig, w io.Writer) (*LRSearchResult, error) {
	if base.ValFraction <= 0 {
		return nil, fmt.Errorf("train: an LR search chooses on a validation split, never the test split: give --val-fraction (e.g. 0.1)")
	}
	if err := sc.check(); err != nil {
		return nil, err
	}
	d, err := LoadData(base.Data)
	if err != nil {
		return nil, err
	}
	cfgs, err := lrConfigs(base, sc, func(c *Config) (Method, *float64, *float64, *GroupLRs) {
		return c.Method, &c.LR, &c.HeadLR, &c.GroupLRs
	})
	if err != nil {
		return nil, err
	}
	var jobs []sweepJob[*Metrics]
	first := cfgs[0]
	for i, cfg := range cfgs {
		v := sc.Values[i]
		jobs = append(jobs, sweepJob[*Metrics]{label: fmt.Sprintf("%s %s=%g", cfg.Label(), groupName(sc.Group), v), dir: trialDir(sc, v),
			reuse: func(dir string) (*Metrics, reuseKind) {
				met, _, kind := reusable(dir, cfg)
				return met, kind
			},
			run: func(ctx context.Context, dir string) (*Metrics, error) {
				res, err := Run(ctx, cfg, dir, Options{Data: d})
				if err != nil {
					return nil, err
				}
				return res.Metrics, nil
			}})
	}
	done, err := runSweep(ctx, jobs, sc.ReuseStale, func(i, n int, r sweepDone[*Metrics], _ float64) {
		fmt.Fprintf(w, "[%d/%d] %s: validation accuracy %.2f%%, loss %.4f%s\n", i+1, n, r.job.label, 100*r.result.Final.Accuracy, r.result.Final.Loss, map[bool]string{true: " (reused)", false: ""}[r.reused])
	})
	if err != nil {
		return nil, err
	}
	res := &LRSearchResult{Format: LRSearchFormat, Group: groupName(sc.Group), Label: first.Label(), Base: first}
	for i, r := range done {
		res.Eval = r.result.Data.Eval
		res.Trials = append(res.Trials, LRTrial{Value: sc.Values[i], Dir: r.job.dir, ValAccuracy: r.result.Final.Accuracy,
			ValLoss: r.result.Final.Loss, Reused: r.reused, Stale: r.stale})
	}
	return res, res.save(sc.Out)
}

// TextLRSearch is LRSearch for a text model: base must evaluate on a validation part
// (ValFraction or Validation).
func TextLRSearch(ctx context.Context, base TextConfig, sc LRSearchConfig, log io.Writer) (*LRSearchResult, error) {
	if base.ValFraction <= 0 && !base.Validation {
		return nil, fmt.Errorf("train: an LR search chooses on a validation split, never the test split: give --val-fraction (e.g. 0.1)")
	}
	if err := sc.check(); err != nil {
		return nil, err
	}
	var prog Progress = nopProgress{}
	if log != nil {
		prog = NewProgress(log, false)
	}
	cfgs, err := lrConfigs(base, sc, func(c *TextConfig) (Method, *float64, *float64, *GroupLRs) {
		return c.Method, &c.LR, &c.HeadLR, &c.GroupLRs
	})
	if err != nil {
		return nil, err
	}
	var opts *TextOptions
	var jobs []sweepJob[*TextResult]
	first := cfgs[0]
	for i, cfg := range cfgs {
		v := sc.Values[i]
		jobs = append(jobs, sweepJob[*TextResult]{label: fmt.Sprintf("%s %s=%g", cfg.Label(), groupName(sc.Group), v), dir: trialDir(sc, v),
			reuse: func(dir string) (*TextResult, reuseKind) { return reuseText(dir, cfg) },
			run: func(ctx context.Context, dir string) (*TextResult, error) {
				if opts == nil {
					o, err := loadTextOptions(cfg, prog)
					if err != nil {
						return nil, err
					}
					opts = o
				}
				return RunText(ctx, cfg, dir, *opts)
			}})
	}
	done, err := runSweep(ctx, jobs, sc.ReuseStale, func(i, n int, r sweepDone[*TextResult], _ float64) {
		prog.Logf("[%d/%d] %s: validation accuracy %.2f%%, loss %.4f%s", i+1, n, r.job.label, 100*r.result.Test.Accuracy, r.result.Test.Loss, map[bool]string{true: " (reused)", false: ""}[r.reused])
	})
	if err != nil {
		return nil, err
	}
	res := &LRSearchResult{Format: LRSearchFormat, Group: groupName(sc.Group), Label: first.Label(), Base: first}
	for i, r := range done {
		res.Eval = fmt.Sprintf("validation: %d texts (%s), not the test split", r.result.Data.Test, r.result.Data.Name)
		res.Trials = append(res.Trials, LRTrial{Value: sc.Values[i], Dir: r.job.dir, ValAccuracy: r.result.Test.Accuracy,
			ValLoss: r.result.Test.Loss, Reused: r.reused, Stale: r.stale})
	}
	return res, res.save(sc.Out)
}

// lrConfigs returns base with the rate of sc.Group set to each of sc.Values, validated;
// fields gives a configuration's method and rates.
func lrConfigs[C interface{ Validate() error }](base C, sc LRSearchConfig, fields func(*C) (Method, *float64, *float64, *GroupLRs)) ([]C, error) {
	var out []C
	for _, v := range sc.Values {
		c := base
		m, lr, headLR, g := fields(&c)
		p, err := ratePtr(sc.Group, m, lr, headLR, g)
		if err != nil {
			return nil, err
		}
		*p = v
		if err := c.Validate(); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// loadTextOptions loads the model and data of a text configuration once for several runs.
func loadTextOptions(cfg TextConfig, prog Progress) (*TextOptions, error) {
	m, err := bert.Load(cfg.ModelDir())
	if err != nil {
		return nil, err
	}
	train, val, test, err := LoadTextSplits(cfg.Data)
	if err != nil {
		return nil, err
	}
	return &TextOptions{Progress: prog, Model: m, Train: train, Validation: val, Test: test, Cache: NewTextCache()}, nil
}

func groupName(g string) string {
	if g == "" {
		return "lr"
	}
	return g
}

func trialDir(sc LRSearchConfig, v float64) string {
	return filepath.Join(sc.Out, groupName(sc.Group)+"-"+strconv.FormatFloat(v, 'g', -1, 64))
}

// save picks the best trial and writes lr-search.json and lr-search.md into dir.
func (r *LRSearchResult) save(dir string) error {
	best := 0
	for i, t := range r.Trials {
		b := r.Trials[best]
		if t.ValAccuracy > b.ValAccuracy || (t.ValAccuracy == b.ValAccuracy && t.ValLoss < b.ValLoss) {
			best = i
		}
	}
	r.Best = r.Trials[best]
	js, err := marshal(r)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, LRSearchFile), js, 0o644); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return atomicfile.WriteFile(filepath.Join(dir, "lr-search.md"), []byte(r.Markdown()), 0o644)
}

// Markdown renders the search as a table, the best row marked.
func (r *LRSearchResult) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Learning-rate search: %s, %s\n\n%s.\n\n| %s | validation accuracy %% | validation loss | run |\n|---:|---:|---:|---|\n",
		r.Label, r.Group, r.Eval, r.Group)
	trials := slices.Clone(r.Trials)
	for _, t := range trials {
		mark := ""
		if t == r.Best {
			mark = " **best**"
		}
		fmt.Fprintf(&b, "| %g | %.2f%s | %.4f | %s%s |\n", t.Value, 100*t.ValAccuracy, mark, t.ValLoss, filepath.Base(t.Dir), map[bool]string{true: " (reused)", false: ""}[t.Reused])
	}
	return b.String()
}
