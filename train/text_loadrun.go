package train

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/internal/safefile"
	"github.com/qpeft/qpeft/models/bert"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// LoadTextRun rebuilds the trained classifier of a run directory written by RunText (result.json,
// head.safetensors, adapter/) on the model it names, after checking that the model's weights
// are the ones the run trained on (sha256). Full fine-tuning runs do not save the encoder
// and are an error.
func LoadTextRun(dir string) (*TextResult, *bert.Model, *bert.Classifier[float32], error) {
	r, err := ReadTextResult(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	c := r.Config
	if c.Method == Full {
		return nil, nil, nil, fmt.Errorf("%s is a full fine-tuning run, which saves the head but not the %d encoder weights, so it cannot be scored again", dir, r.EncoderParams)
	}
	m, err := bert.Load(c.ModelDir())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("the run's model: %w", err)
	}
	if m.Checkpoint.SHA256 != r.Model.SHA256 {
		return nil, nil, nil, fmt.Errorf("the weights in %s (sha256 %.12s…) are not the ones the run trained on (sha256 %.12s…); restore that model directory", m.Checkpoint.File, m.Checkpoint.SHA256, r.Model.SHA256)
	}
	cls, err := bert.NewClassifier(m.Encoder, c.Pooling, len(r.Data.Classes))
	if err != nil {
		return nil, nil, nil, err
	}
	hp, err := safefile.PathIn(dir, HeadFile)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("the run's head: %w", err)
	}
	f, err := safetensors.Open(hp)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("the run's head: %w", err)
	}
	defer f.Close()
	for _, p := range cls.Head.Params() {
		name := strings.TrimPrefix(p.Name, "classifier.")
		v, err := f.Float64(name)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", hp, err)
		}
		if len(v) != len(p.Value) {
			return nil, nil, nil, fmt.Errorf("%s: tensor %s has %d values, the head needs %d", hp, name, len(v), len(p.Value))
		}
		copy(p.Value, v)
	}
	if c.Method.Adapter() {
		ck, err := peft.Load(filepath.Join(dir, AdapterDir))
		if err != nil {
			return nil, nil, nil, err
		}
		if err := Attach(m.Encoder, ck); err != nil {
			return nil, nil, nil, err
		}
	}
	return r, m, cls, nil
}

// Inject builds adapters of configuration cfg for the named sites of a text encoder and
// wraps each site's projection with it (peft.Adapted). It returns the adapters as a
// peft.Checkpoint (module names are the site names, so the checkpoint and its LoRA export
// use transformers' module paths).
func Inject[T nn.Float](e *bert.Encoder[T], cfg peft.Config, names []string, baseModel string) (*peft.Checkpoint, error) {
	sites := map[string]bert.Site[T]{}
	for _, s := range e.Sites() {
		sites[s.Name] = s
	}
	var shapes []peft.ModuleShape
	for _, n := range names {
		s, ok := sites[n]
		if !ok {
			return nil, fmt.Errorf("train: no module %q in the encoder", n)
		}
		if _, wrapped := s.Map.(*peft.Adapted[T]); wrapped {
			return nil, fmt.Errorf("train: module %s already has an adapter", n)
		}
		out, in := s.Map.Dims()
		shapes = append(shapes, peft.ModuleShape{Name: n, Out: out, In: in})
	}
	ck, err := peft.NewCheckpoint(cfg, baseModel, shapes)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if err := Attach(e, ck); err != nil {
		return nil, err
	}
	return ck, nil
}

// Attach wraps a text encoder's sites with the adapters of a checkpoint (e.g. one read by
// peft.Load), checking every module name and shape first.
func Attach[T nn.Float](e *bert.Encoder[T], ck *peft.Checkpoint) error {
	var shapes []peft.ModuleShape
	sites := map[string]bert.Site[T]{}
	for _, s := range e.Sites() {
		out, in := s.Map.Dims()
		shapes = append(shapes, peft.ModuleShape{Name: s.Name, Out: out, In: in})
		sites[s.Name] = s
	}
	if err := ck.Check(shapes, false); err != nil {
		return fmt.Errorf("train: adapters do not fit the encoder: %w", err)
	}
	for _, m := range ck.Modules {
		if _, wrapped := sites[m.Name].Map.(*peft.Adapted[T]); wrapped {
			return fmt.Errorf("train: module %s already has an adapter", m.Name)
		}
	}
	for _, m := range ck.Modules {
		s := sites[m.Name]
		a, err := peft.NewAdapted[T](s.Map, m.Adapter)
		if err != nil {
			return fmt.Errorf("train: module %s: %w", m.Name, err)
		}
		s.Set(a)
	}
	return nil
}
