package bert

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/formats/torchbin"
	"github.com/qpeft/qpeft/nn"
)

// File names of a Hugging Face model directory.
const (
	ConfigFile      = "config.json"
	SafetensorsFile = "model.safetensors"
	PytorchFile     = "pytorch_model.bin"
	TokenizerFile   = "tokenizer.json"
)

// Checkpoint is a validated BERT-family checkpoint: its config and every weight of the
// encoder as a frozen float64 parameter, keyed by its name in transformers' BertModel
// (e.g. "encoder.layer.0.attention.self.query.weight", without any "bert." prefix).
type Checkpoint struct {
	// Dir is the model directory.
	Dir string
	// Config is the parsed config.json.
	Config Config
	// Weights holds every encoder weight (frozen: Trainable false, Grad nil).
	Weights map[string]*nn.Param
	// Prefix is the prefix the checkpoint's encoder keys carried ("" for a saved BertModel,
	// "bert." or "roberta." for a model with a task head).
	Prefix string
	// Ignored lists the keys that are not part of the encoder and were skipped: task heads
	// (cls.*, lm_head.*, classifier.*) and buffers (embeddings.position_ids).
	Ignored []string
	// File is the weights file read, SHA256 its hex digest and DTypes the element types
	// found (e.g. ["F32"]).
	File, SHA256 string
	DTypes       []string
	// HasPooler reports whether the checkpoint has BertPooler weights (pooler.dense.*).
	HasPooler bool
}

// WeightNames returns the names of the tensors an encoder with config c has, in a stable
// order (embeddings, layers, then the optional pooler when pooler is true).
func WeightNames(c Config, pooler bool) []string {
	names := []string{
		"embeddings.word_embeddings.weight",
		"embeddings.position_embeddings.weight",
		"embeddings.token_type_embeddings.weight",
		"embeddings.LayerNorm.weight",
		"embeddings.LayerNorm.bias",
	}
	for i := 0; i < c.NumHiddenLayers; i++ {
		p := fmt.Sprintf("encoder.layer.%d.", i)
		for _, m := range []string{"attention.self.query", "attention.self.key", "attention.self.value",
			"attention.output.dense", "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"} {
			names = append(names, p+m+".weight", p+m+".bias")
		}
	}
	if pooler {
		names = append(names, "pooler.dense.weight", "pooler.dense.bias")
	}
	return names
}

// WeightShape returns the shape tensor name has for config c (PyTorch conventions: a
// Linear weight is out × in), or false for a name that is not an encoder weight.
func WeightShape(c Config, name string) ([]int, bool) {
	h, in := c.HiddenSize, c.IntermediateSize
	switch name {
	case "embeddings.word_embeddings.weight":
		return []int{c.VocabSize, h}, true
	case "embeddings.position_embeddings.weight":
		return []int{c.MaxPositionEmbeddings, h}, true
	case "embeddings.token_type_embeddings.weight":
		return []int{c.TypeVocabSize, h}, true
	case "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias", "pooler.dense.bias":
		return []int{h}, true
	case "pooler.dense.weight":
		return []int{h, h}, true
	}
	var layer int
	var rest string
	if n, err := fmt.Sscanf(name, "encoder.layer.%d.", &layer); n != 1 || err != nil || layer < 0 || layer >= c.NumHiddenLayers {
		return nil, false
	}
	rest = strings.TrimPrefix(name, fmt.Sprintf("encoder.layer.%d.", layer))
	switch rest {
	case "attention.self.query.weight", "attention.self.key.weight", "attention.self.value.weight", "attention.output.dense.weight":
		return []int{h, h}, true
	case "attention.self.query.bias", "attention.self.key.bias", "attention.self.value.bias", "attention.output.dense.bias",
		"attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias", "output.dense.bias",
		"output.LayerNorm.weight", "output.LayerNorm.bias":
		return []int{h}, true
	case "intermediate.dense.weight":
		return []int{in, h}, true
	case "intermediate.dense.bias":
		return []int{in}, true
	case "output.dense.weight":
		return []int{h, in}, true
	}
	return nil, false
}

// legacyName maps the TF-era LayerNorm names (gamma, beta) to weight and bias, as
// transformers does when loading.
func legacyName(name string) string {
	switch {
	case strings.HasSuffix(name, "LayerNorm.gamma"):
		return strings.TrimSuffix(name, "gamma") + "weight"
	case strings.HasSuffix(name, "LayerNorm.beta"):
		return strings.TrimSuffix(name, "beta") + "bias"
	}
	return name
}

// ignorable reports whether a key outside the encoder is a known task head or buffer.
func ignorable(name string) bool {
	for _, p := range []string{"cls.", "lm_head.", "classifier.", "qa_outputs.", "pre_classifier.", "score."} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return name == "embeddings.position_ids" || strings.HasSuffix(name, ".position_ids")
}

// LoadCheckpoint reads a Hugging Face model directory: config.json and model.safetensors
// (or, only when no safetensors file exists, pytorch_model.bin). The weights file is
// memory-mapped and validated (header, sizes, offsets, dtypes F32/F16/BF16/F64), every
// encoder tensor is checked against the shape the config implies, and all problems —
// missing tensors, unexpected tensors, wrong shapes, unsupported dtypes — are reported
// together, each by name.
func LoadCheckpoint(dir string) (*Checkpoint, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("bert: model directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("bert: model %s is not a directory; give the directory holding config.json and model.safetensors", dir)
	}
	cfg, err := ReadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, err
	}
	if err := checkMemory("the encoder weights", 16*float64(cfg.NumParams(true))); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, SafetensorsFile)
	var src tensorSource
	switch _, err := os.Stat(path); {
	case err == nil:
		f, err := safetensors.Open(path)
		if err != nil {
			return nil, fmt.Errorf("bert: %w", err)
		}
		defer f.Close()
		src = safetensorsSource{f}
	case errors.Is(err, fs.ErrNotExist):
		bin := filepath.Join(dir, PytorchFile)
		if _, err2 := os.Stat(bin); err2 != nil {
			if _, err3 := os.Stat(filepath.Join(dir, SafetensorsFile+".index.json")); err3 == nil {
				return nil, fmt.Errorf("bert: %s holds a sharded checkpoint (model.safetensors.index.json); merge the shards into one model.safetensors", dir)
			}
			return nil, fmt.Errorf("bert: %s has neither %s nor %s", dir, SafetensorsFile, PytorchFile)
		}
		path = bin
		tb, err := torchbin.Open(bin)
		if err != nil {
			return nil, fmt.Errorf("bert: %w; convert it to %s (in Python: safetensors.torch.save_file(torch.load(%q), %q))", err, SafetensorsFile, PytorchFile, SafetensorsFile)
		}
		src = torchbinSource{tb}
	default:
		return nil, fmt.Errorf("bert: %w", err)
	}
	ck, err := fromSource(cfg, src)
	if err != nil {
		return nil, fmt.Errorf("bert: %s: %w", path, err)
	}
	ck.Dir, ck.File = dir, path
	if ck.SHA256, err = fileSHA256(path); err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	return ck, nil
}

// tensorSource is a weights file: safetensors or a PyTorch pickle.
type tensorSource interface {
	names() []string
	info(name string) (dtype string, shape []int, err error)
	float64s(name string) ([]float64, error)
}

type safetensorsSource struct{ f *safetensors.File }

func (s safetensorsSource) names() []string { return s.f.Names() }

func (s safetensorsSource) info(name string) (string, []int, error) {
	t, ok := s.f.Info(name)
	if !ok {
		return "", nil, fmt.Errorf("no tensor %q", name)
	}
	return t.DType.String(), t.Shape, nil
}

func (s safetensorsSource) float64s(name string) ([]float64, error) { return s.f.Float64(name) }

type torchbinSource struct{ f *torchbin.File }

func (s torchbinSource) names() []string { return s.f.Names() }

func (s torchbinSource) info(name string) (string, []int, error) {
	t, ok := s.f.Info(name)
	if !ok {
		return "", nil, fmt.Errorf("no tensor %q", name)
	}
	return t.DType.String(), t.Shape, nil
}

func (s torchbinSource) float64s(name string) ([]float64, error) { return s.f.Float64(name) }

// fromSource validates the tensors of src against cfg and converts them.
func fromSource(cfg Config, src tensorSource) (*Checkpoint, error) {
	all := src.names()
	prefix := ""
	for _, n := range all {
		if strings.HasSuffix(legacyName(n), "embeddings.word_embeddings.weight") {
			prefix = strings.TrimSuffix(legacyName(n), "embeddings.word_embeddings.weight")
			break
		}
	}
	ck := &Checkpoint{Config: cfg, Prefix: prefix, Weights: map[string]*nn.Param{}}
	byName := map[string]string{} // encoder name -> key in the file
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, key := range all {
		name, ok := strings.CutPrefix(legacyName(key), prefix)
		if !ok {
			if ignorable(key) || strings.HasSuffix(key, ".position_ids") {
				ck.Ignored = append(ck.Ignored, key)
				continue
			}
			bad("tensor %s: unexpected (not under the encoder prefix %q and not a known task head)", key, prefix)
			continue
		}
		if name == "pooler.dense.weight" || name == "pooler.dense.bias" {
			ck.HasPooler = true
		}
		if _, ok := WeightShape(cfg, name); !ok {
			if ignorable(name) {
				ck.Ignored = append(ck.Ignored, key)
				continue
			}
			bad("tensor %s: unexpected: not a weight of a %d-layer %s encoder", key, cfg.NumHiddenLayers, cfg.ModelType)
			continue
		}
		if prev, dup := byName[name]; dup {
			bad("tensor %s: duplicates %s", key, prev)
			continue
		}
		byName[name] = key
	}
	dtypes := map[string]bool{}
	for _, name := range WeightNames(cfg, ck.HasPooler) {
		key, ok := byName[name]
		if !ok {
			bad("tensor %s%s: missing", prefix, name)
			continue
		}
		want, _ := WeightShape(cfg, name)
		dt, shape, err := src.info(key)
		if err != nil {
			bad("tensor %s: %v", key, err)
			continue
		}
		switch dt {
		case "F32", "F16", "BF16", "F64":
		default:
			bad("tensor %s: dtype %s is not a floating-point weight type (want F32, F16 or BF16)", key, dt)
			continue
		}
		if !slices.Equal(shape, want) {
			bad("tensor %s: shape %v, but config.json implies %v", key, shape, want)
			continue
		}
		dtypes[dt] = true
		v, err := src.float64s(key)
		if err != nil {
			bad("tensor %s: %v", key, err)
			continue
		}
		ck.Weights[name] = &nn.Param{Name: name, Shape: want, Value: v}
	}
	sort.Strings(ck.Ignored)
	for d := range dtypes {
		ck.DTypes = append(ck.DTypes, d)
	}
	sort.Strings(ck.DTypes)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%d problem(s) with the weights:\n%w", len(errs), errors.Join(errs...))
	}
	return ck, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkMemory refuses an allocation above data.MemoryLimit, the tensor stack's share of the
// process-wide memory limit (qpeft --memory-limit sets it).
func checkMemory(what string, bytes float64) error {
	if lim := data.MemoryLimit; lim > 0 && bytes > float64(lim) {
		return fmt.Errorf("bert: %s need %.0f bytes (%.1f GiB), above the memory limit of %d bytes; raise QPEFT_MEMORY_LIMIT or use a smaller model or batch", what, bytes, bytes/(1<<30), lim)
	}
	return nil
}

// Clone returns a deep copy of the checkpoint's weights (for full fine-tuning, which
// modifies them).
func (ck *Checkpoint) Clone() *Checkpoint {
	c := *ck
	c.Weights = make(map[string]*nn.Param, len(ck.Weights))
	for k, p := range ck.Weights {
		c.Weights[k] = &nn.Param{Name: p.Name, Shape: append([]int(nil), p.Shape...), Value: append([]float64(nil), p.Value...)}
	}
	return &c
}
