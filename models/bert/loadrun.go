package bert

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/internal/safefile"
	"github.com/qpeft/qpeft/peft"
)

// LoadRun rebuilds the trained classifier of a run directory written by Run (result.json,
// head.safetensors, adapter/) on the model it names, after checking that the model's weights
// are the ones the run trained on (sha256). Full fine-tuning runs do not save the encoder
// and are an error.
func LoadRun(dir string) (*Result, *Model, *Classifier[float32], error) {
	r, err := ReadResult(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	c := r.Config
	if c.Method == Full {
		return nil, nil, nil, fmt.Errorf("%s is a full fine-tuning run, which saves the head but not the %d encoder weights, so it cannot be scored again", dir, r.EncoderParams)
	}
	m, err := Load(c.ModelDir())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("the run's model: %w", err)
	}
	if m.Checkpoint.SHA256 != r.Model.SHA256 {
		return nil, nil, nil, fmt.Errorf("the weights in %s (sha256 %.12s…) are not the ones the run trained on (sha256 %.12s…); restore that model directory", m.Checkpoint.File, m.Checkpoint.SHA256, r.Model.SHA256)
	}
	cls, err := NewClassifier(m.Encoder, c.Pooling, len(r.Data.Classes))
	if err != nil {
		return nil, nil, nil, err
	}
	hp, err := safefile.PathIn(dir, "head.safetensors")
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
		ck, err := peft.Load(filepath.Join(dir, "adapter"))
		if err != nil {
			return nil, nil, nil, err
		}
		if err := Attach(m.Encoder, ck); err != nil {
			return nil, nil, nil, err
		}
	}
	return r, m, cls, nil
}
