package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// RunDir returns the run directory for path: path itself when it holds metrics.json, or its
// parent when path is the run's adapter/ directory.
func RunDir(path string) (string, error) {
	if _, err := os.Stat(filepath.Join(path, MetricsFile)); err == nil {
		return path, nil
	}
	if _, err := os.Stat(filepath.Join(path, peft.ConfigFile)); err == nil {
		parent := filepath.Dir(filepath.Clean(path))
		if _, err := os.Stat(filepath.Join(parent, MetricsFile)); err == nil {
			return parent, nil
		}
		return "", fmt.Errorf("train: %s is an adapter directory outside a run directory (no %s next to it); give --model so the base model is known", path, MetricsFile)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("train: %w", err)
	}
	return "", fmt.Errorf("train: %s holds neither %s (a run directory of qpeft train) nor %s (an adapter)", path, MetricsFile, peft.ConfigFile)
}

// LoadRun rebuilds the fine-tuned network of a run directory: the pretrained model named in
// metrics.json (its sha256 must match the one trained on), the new head from head.safetensors
// (or every weight from model.safetensors after full fine-tuning) and the adapters from
// adapter/. Every missing, corrupt or mismatched file is a clear error.
func LoadRun(dir string) (*Session, *Metrics, error) {
	met, err := ReadMetrics(dir)
	if err != nil {
		return nil, nil, err
	}
	cfg := met.Config
	m, err := LoadModel(cfg.Model, cfg.PixelScale)
	if err != nil {
		return nil, nil, err
	}
	if m.SHA256 != met.Model.SHA256 {
		return nil, nil, fmt.Errorf("train: %s: model %s has sha256 %s but the run was trained on %s; the base model changed", dir, cfg.Model, m.SHA256, met.Model.SHA256)
	}
	s, err := Restore(dir, cfg, m, met.Data.Classes)
	if err != nil {
		return nil, nil, err
	}
	return s, met, nil
}

// Restore applies the trained weights of run directory dir (trained with cfg on a task of
// classes classes) to the pretrained model m.
func Restore(dir string, cfg Config, m *Model, classes int) (*Session, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("train: %s: %w", filepath.Join(dir, MetricsFile), err)
	}
	s := &Session{Config: cfg, Model: m}
	nn.Freeze(m.Net.Params())
	_, s.pretrained = nn.CountParams(m.Net.Params())
	if cfg.Method == ZeroShot {
		return s, nil
	}
	if cfg.headMode() == HeadNew {
		hs, err := m.HeadSite()
		if err != nil {
			return nil, err
		}
		_, in := hs.Map.Dims()
		s.Head = nn.NewLinear[float32]("head", in, classes, true, rand.New(rand.NewPCG(0, 0)))
		m.Net.Layers[hs.Index] = s.Head
		s.HeadParams = s.Head.Params()
	}
	if cfg.Method == Full {
		if err := readParams(dir, ModelFile, m.Net.Params()); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		return s, nil
	}
	if s.Head != nil {
		if err := readParams(dir, HeadFile, s.HeadParams); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	if !cfg.Method.Adapter() {
		return s, nil
	}
	ck, err := peft.Load(filepath.Join(dir, AdapterDir))
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if err := s.attach(ck); err != nil {
		return nil, fmt.Errorf("train: %s: %w", filepath.Join(dir, AdapterDir), err)
	}
	return s, nil
}

// attach wraps the modules of the model named in ck with ck's adapters.
func (s *Session) attach(ck *peft.Checkpoint) error {
	sites := map[string]nn.MapSite[float32]{}
	var shapes []peft.ModuleShape
	for _, site := range s.Model.Net.MapSites() {
		sites[site.Name] = site
		out, in := site.Map.Dims()
		shapes = append(shapes, peft.ModuleShape{Name: site.Name, Out: out, In: in})
	}
	if err := ck.Check(shapes, false); err != nil {
		return fmt.Errorf("the adapters do not fit model %s:\n%w", s.Model.Name, err)
	}
	for _, mod := range ck.Modules {
		site := sites[mod.Name]
		a, err := peft.NewAdapted[float32](site.Map, mod.Adapter)
		if err != nil {
			return fmt.Errorf("module %s: %w", mod.Name, err)
		}
		site.Set(a)
		out, in := mod.Adapter.Dims()
		lora1, _ := peft.CountParams(peft.Config{Method: peft.MethodLoRA, Rank: 1}, out, in)
		s.Modules = append(s.Modules, ModuleInfo{Name: mod.Name, Alias: s.Model.Alias(mod.Name), Out: out, In: in,
			Params: mod.Adapter.NumTrainable(), LoRAr1: lora1})
	}
	s.Checkpoint = ck
	return nil
}

// EvalResult is the outcome of [EvaluateRun].
type EvalResult struct {
	// Metrics are the run's recorded metrics.
	Metrics *Metrics
	// Data is the dataset scored; Score the score on its test split.
	Data  string
	Score Score
	// Params counts the run's trainable parameters.
	Params ParamInfo
}

// EvaluateRun reloads the run directory dir (or its adapter/ directory) and scores it on
// the test split of dataSpec ("" for the data it was trained on, and then on the run's
// validation part for a run with a validation fraction), using the first limit images (0:
// as many as the run used).
func EvaluateRun(ctx context.Context, dir, dataSpec string, limit int) (*EvalResult, error) {
	rd, err := RunDir(dir)
	if err != nil {
		return nil, err
	}
	s, met, err := LoadRun(rd)
	if err != nil {
		return nil, err
	}
	own := dataSpec == ""
	if own {
		dataSpec = met.Config.Data
		if limit == 0 {
			limit = met.Config.TestLimit
		}
	}
	d, err := LoadData(dataSpec)
	if err != nil {
		return nil, err
	}
	if c := met.Config; own && c.ValFraction > 0 {
		// The run's own evaluation: its validation part of the training split.
		trainN, _ := c.sizes(d)
		if d, _, err = validationData(d, trainN, c.ValFraction, c.ValSeed); err != nil {
			return nil, err
		}
		limit = 0
	}
	if err := d.check(s.Model); err != nil {
		return nil, err
	}
	if d.Test.Classes != met.Data.Classes {
		return nil, fmt.Errorf("train: data %s has %d classes, the run's head %d", dataSpec, d.Test.Classes, met.Data.Classes)
	}
	sc, err := Evaluate(ctx, s.Model, d.Test, limit)
	if err != nil {
		return nil, err
	}
	return &EvalResult{Metrics: met, Data: dataSpec, Score: sc, Params: met.Params}, nil
}
