package train

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/internal/outdir"
	"github.com/qpeft/qpeft/internal/safefile"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// Files of a run directory.
const (
	MetricsFile = "metrics.json"
	TimingFile  = "timing.json"
	CurvesFile  = "curves.png"
	AdapterDir  = "adapter"
	LoRADir     = "lora"
	HeadFile    = "head.safetensors"
	ModelFile   = "model.safetensors"
)

// Format markers of metrics.json and timing.json.
const (
	MetricsFormat = "qpeft-train-metrics/1"
	TimingFormat  = "qpeft-train-timing/1"
)

// Score is a loss and accuracy on N samples.
type Score struct {
	Loss     float64 `json:"loss"`
	Accuracy float64 `json:"accuracy"`
	N        int     `json:"n"`
}

// String formats the score.
func (s Score) String() string {
	return fmt.Sprintf("accuracy %.2f%%, loss %.4f (%d samples)", 100*s.Accuracy, s.Loss, s.N)
}

// ModelInfo identifies the pretrained model of a run.
type ModelInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	SHA256      string `json:"sha256"`
}

// DataInfo identifies the data of a run.
type DataInfo struct {
	Name    string `json:"name"`
	Source  string `json:"source"`
	Train   int    `json:"train_samples"`
	Test    int    `json:"test_samples"`
	Classes int    `json:"classes"`
	// Eval says what the run was evaluated on when not the test split (a validation part
	// of the training split, Config.ValFraction).
	Eval string `json:"eval,omitempty"`
}

// ParamInfo counts parameters. Adapter counts only the adapters' trainable scalars; Head the
// new classifier head (the same for every method on a model); Backbone the pretrained weights
// trained by full fine-tuning.
type ParamInfo struct {
	Adapter   int `json:"adapter"`
	Head      int `json:"head"`
	Backbone  int `json:"backbone"`
	Trainable int `json:"trainable"`
	// Pretrained is the size of the pretrained model.
	Pretrained int `json:"pretrained"`
	// LoRAr1 is what LoRA r = 1 would train on the same modules, and RatioToLoRAr1 the
	// adapter count divided by it.
	LoRAr1        int     `json:"lora_r1"`
	RatioToLoRAr1 float64 `json:"ratio_to_lora_r1,omitempty"`
}

// ModuleInfo describes one adapted module.
type ModuleInfo struct {
	// Name is the module's name in the model (the adapter's key); Alias a friendly name.
	Name  string `json:"name"`
	Alias string `json:"alias"`
	// Out and In are the weight's shape (out × in; a convolution's in is C·KH·KW).
	Out int `json:"out"`
	In  int `json:"in"`
	// Params is the adapter's trainable parameters, LoRAr1 LoRA r = 1's on this module.
	Params int `json:"params"`
	LoRAr1 int `json:"lora_r1"`
	// OrthU and OrthV are ‖UᵀU − I‖_F and ‖VᵀV − I‖_F after training (Quantum-PEFT).
	OrthU *float64 `json:"orth_u,omitempty"`
	OrthV *float64 `json:"orth_v,omitempty"`
}

// EpochInfo summarises one epoch.
type EpochInfo struct {
	Epoch         int     `json:"epoch"`
	Step          int     `json:"step"`
	TrainLoss     float64 `json:"train_loss"`
	TrainAccuracy float64 `json:"train_accuracy"`
	TestLoss      float64 `json:"test_loss"`
	TestAccuracy  float64 `json:"test_accuracy"`

	tested bool // the test fields hold a score (progress reports print them)
}

// CurvePoint is the training loss and accuracy averaged over the steps since the last point.
type CurvePoint struct {
	Step     int     `json:"step"`
	Samples  int     `json:"samples"`
	Loss     float64 `json:"loss"`
	Accuracy float64 `json:"accuracy"`
}

// Metrics is the content of metrics.json: everything a run computed, and nothing that
// depends on the clock, so that the same configuration gives the same file.
type Metrics struct {
	Format  string       `json:"format"`
	Label   string       `json:"label"`
	Config  Config       `json:"config"`
	Model   ModelInfo    `json:"model"`
	Data    DataInfo     `json:"data"`
	Params  ParamInfo    `json:"params"`
	Modules []ModuleInfo `json:"modules,omitempty"`
	// ZeroShot is the pretrained model's score on the test set with class k read as class k
	// (absent when the model's outputs differ from the task's classes).
	ZeroShot *Score      `json:"zero_shot,omitempty"`
	Epochs   []EpochInfo `json:"epochs,omitempty"`
	// Curve is the training curve (loss and accuracy vs step).
	Curve []CurvePoint `json:"curve,omitempty"`
	// Final is the test score after training.
	Final   Score `json:"final"`
	Steps   int   `json:"steps"`
	Samples int   `json:"samples"`
	// Probe is the linear probe of an LP-FT run (Config.ProbeSteps): its steps and the
	// training loss and accuracy of its last epoch.
	Probe *ProbeInfo `json:"probe,omitempty"`
	// Run identifies the code and configuration of the run (absent in runs recorded before
	// run hashing).
	Run *RunInfo `json:"run,omitempty"`
}

// ProbeInfo summarises the linear probe of an LP-FT run.
type ProbeInfo struct {
	Steps         int     `json:"steps"`
	TrainLoss     float64 `json:"train_loss"`
	TrainAccuracy float64 `json:"train_accuracy"`
}

// Timing is the content of timing.json: the wall-clock measurements of a run.
type Timing struct {
	Format              string    `json:"format"`
	SecondsPerEpoch     []float64 `json:"seconds_per_epoch,omitempty"`
	MeanSecondsPerEpoch float64   `json:"mean_seconds_per_epoch"`
	// CPUSecondsPerEpoch is the process CPU time (user + system) per epoch: less sensitive
	// than wall time to other processes on a shared machine.
	CPUSecondsPerEpoch float64 `json:"cpu_seconds_per_epoch"`
	SamplesPerSecond   float64 `json:"samples_per_second"`
	EvalSeconds        float64 `json:"eval_seconds"`
	// ProbeSeconds is the time of an LP-FT run's linear probe, feature extraction included.
	ProbeSeconds float64 `json:"probe_seconds,omitempty"`
	TotalSeconds float64 `json:"total_seconds"`
	GOMAXPROCS   int     `json:"gomaxprocs"`
	SIMD         bool    `json:"simd"`
	GoVersion    string  `json:"go_version"`
}

// marshal encodes v as indented JSON with a final newline.
func marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// outBaseBytes bounds the size of a run directory without a full copy of the model's weights
// (metrics, curves, adapters, their LoRA export, a new head), for the free-space check.
const outBaseBytes = 16 << 20

// checkOut prepares the run directory out before training starts ([outdir.Check]): it may
// replace only an earlier qpeft output, its parent is created and must be writable, and its
// file system must have need bytes free. What a killed earlier write left beside it is
// cleaned up and logged.
func checkOut(out string, need int64, prog Progress) error {
	notes, err := outdir.Check(out, "--out", need)
	if err != nil {
		return err
	}
	for _, n := range notes {
		prog.Logf("note: %s", n)
	}
	return nil
}

// Save writes a run directory: metrics.json, timing.json, curves.png, and the trained
// weights: adapter/ (the qpeft adapter checkpoint) and lora/ (its Hugging Face PEFT LoRA
// export) for adapter methods, head.safetensors for a new head, model.safetensors (every
// weight) for full fine-tuning, and the marker of a qpeft output. The directory is written
// next to out and renamed into place (outdir.Write): a reader sees the previous directory or
// the complete new one. An existing out is replaced only when it is an earlier qpeft output
// holding nothing else (see package internal/outdir); anything else is refused untouched.
func Save(out string, r *Result) error {
	return writeRunDir(out, "qpeft train", r.WriteFiles)
}

// writeRunDir is the output policy of every run directory (image and text runs, sweeps): an
// existing out is replaced only when it is an earlier qpeft output holding nothing else; the
// files are written by write into a temporary directory beside out, which then replaces out
// in one rename, with the marker of a qpeft output naming writer (package internal/outdir).
func writeRunDir(out, writer string, write func(dir string) error) error {
	if err := outdir.CheckReplace(out, "--out"); err != nil {
		return err
	}
	if err := outdir.Write(out, "--out", writer, write); err != nil {
		return fmt.Errorf("train: save %s: %w", out, err)
	}
	return nil
}

// WriteFiles writes the files of the run directory into the existing directory dir, not
// atomically: [Save] calls it on a temporary directory.
func (r *Result) WriteFiles(dir string) error {
	mj, err := marshal(r.Metrics)
	if err != nil {
		return fmt.Errorf("train: metrics: %w", err)
	}
	tj, err := marshal(r.Timing)
	if err != nil {
		return fmt.Errorf("train: timing: %w", err)
	}
	png, err := Curves(r.Metrics)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		b    []byte
	}{{MetricsFile, mj}, {TimingFile, tj}, {CurvesFile, png}} {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.b, 0o644); err != nil {
			return err
		}
	}
	s := r.Session
	if s == nil {
		return nil
	}
	if s.Checkpoint != nil {
		if err := s.Checkpoint.Save(filepath.Join(dir, AdapterDir)); err != nil {
			return err
		}
		if err := peft.ExportLoRA(filepath.Join(dir, LoRADir), s.Checkpoint.Modules, s.Model.Name); err != nil {
			return err
		}
	}
	meta := map[string]string{"format": "pt", "base_model": s.Model.Name, "method": string(s.Config.Method)}
	switch {
	case s.Config.Method == Full:
		return writeParams(filepath.Join(dir, ModelFile), s.Model.Net.Params(), meta)
	case s.Head != nil:
		return writeParams(filepath.Join(dir, HeadFile), s.HeadParams, meta)
	}
	return nil
}

// writeParams writes parameters as F32 tensors named by their Param names. The network
// computes in float32, so the F32 copy reproduces its outputs exactly.
func writeParams(path string, ps []*nn.Param, meta map[string]string) error {
	var ts []safetensors.Tensor
	for _, p := range ps {
		if i := nn.FirstNonFinite(p.Value); i >= 0 {
			return fmt.Errorf("parameter %s[%d] = %v is not finite", p.Name, i, p.Value[i])
		}
		ts = append(ts, safetensors.FromFloat64AsFloat32(p.Name, p.Shape, p.Value))
	}
	return safetensors.WriteFile(path, ts, meta)
}

// readParams loads the named tensors of the file name of run directory dir into ps,
// reporting every missing, misshapen or unexpected tensor. The file must be a regular file
// inside dir.
func readParams(dir, name string, ps []*nn.Param) error {
	path, err := safefile.PathIn(dir, name)
	if err != nil {
		return err
	}
	f, err := safetensors.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var errs []error
	used := map[string]bool{}
	for _, p := range ps {
		info, ok := f.Info(p.Name)
		if !ok {
			errs = append(errs, fmt.Errorf("tensor %s is missing", p.Name))
			continue
		}
		used[p.Name] = true
		if !slices.Equal(info.Shape, p.Shape) {
			errs = append(errs, fmt.Errorf("tensor %s has shape %v, the model needs %v", p.Name, info.Shape, p.Shape))
			continue
		}
		v, err := f.Float64(p.Name)
		if err != nil {
			errs = append(errs, fmt.Errorf("tensor %s: %w", p.Name, err))
			continue
		}
		if i := nn.FirstNonFinite(v); i >= 0 {
			errs = append(errs, fmt.Errorf("tensor %s: element %d is %v", p.Name, i, v[i]))
		}
		copy(p.Value, v)
	}
	for _, n := range f.Names() {
		if !used[n] {
			errs = append(errs, fmt.Errorf("tensor %s is not a parameter of the model", n))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s:\n%w", path, errors.Join(errs...))
	}
	return nil
}

// maxRunFileBytes bounds the JSON files of a run directory. A run directory may come from
// elsewhere: its files are read only if they are regular files inside it.
const maxRunFileBytes = 64 << 20

// ReadMetrics reads the metrics.json of a run directory.
func ReadMetrics(dir string) (*Metrics, error) {
	b, err := safefile.ReadFileIn(dir, MetricsFile, maxRunFileBytes)
	if err != nil {
		return nil, fmt.Errorf("train: %w (is %s a run directory written by qpeft train?)", err, dir)
	}
	var m Metrics
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("train: %s: %w", filepath.Join(dir, MetricsFile), err)
	}
	if m.Format != MetricsFormat {
		return nil, fmt.Errorf("train: %s: format %q, want %q", filepath.Join(dir, MetricsFile), m.Format, MetricsFormat)
	}
	return &m, nil
}

// ReadTiming reads the timing.json of a run directory.
func ReadTiming(dir string) (*Timing, error) {
	b, err := safefile.ReadFileIn(dir, TimingFile, maxRunFileBytes)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	var t Timing
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("train: %s: %w", filepath.Join(dir, TimingFile), err)
	}
	if t.Format != TimingFormat {
		return nil, fmt.Errorf("train: %s: format %q, want %q", filepath.Join(dir, TimingFile), t.Format, TimingFormat)
	}
	return &t, nil
}
