// Package hfpeft reads and writes LoRA adapters in the directory format of
// Hugging Face PEFT, so that an adapter trained here loads with
// PeftModel.from_pretrained and one trained with PEFT loads here.
//
// A directory holds two files:
//
//   - adapter_config.json: the LoraConfig (peft_type "LORA", r, lora_alpha,
//     target_modules, …), keys sorted, indented by two spaces, as PEFT's
//     save_pretrained writes it;
//   - adapter_model.safetensors: for each adapted module path M,
//     "base_model.model.M.lora_A.weight" of shape (r, in) and
//     "base_model.model.M.lora_B.weight" of shape (out, r), float32, with
//     metadata {"format": "pt"}. For an nn.Conv2d module (LoRAWeights.Kernel
//     set) the shapes are those of PEFT's Conv2d LoRA layer: lora_A
//     (r, C, KH, KW), a convolution with the base layer's kernel, and lora_B
//     (out, r, 1, 1).
//
// The adapted weight is W + s·B·A with s = lora_alpha/r (lora_alpha/√r with
// use_rslora), W being the base nn.Linear weight of shape (out, in), or the
// nn.Conv2d weight (out, C, KH, KW) read as a matrix out × (C·KH·KW).
package hfpeft

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/internal/safefile"
	"github.com/qpeft/qpeft/nn"
)

// File names and the state-dict key prefix of a PEFT adapter directory.
const (
	ConfigName  = "adapter_config.json"
	WeightsName = "adapter_model.safetensors"
	KeyPrefix   = "base_model.model."
)

// LoRAWeights are the two factors of one adapted linear or convolution module.
type LoRAWeights struct {
	// InFeatures and OutFeatures are the base layer's input and output sizes (for a
	// convolution, C·KH·KW and the output channels).
	InFeatures, OutFeatures int
	// A is the down projection, rank x InFeatures, row-major.
	A []float64
	// B is the up projection, OutFeatures x rank, row-major.
	B []float64
	// Kernel is nil for an nn.Linear module and, for an nn.Conv2d module, its input
	// channels, kernel height and kernel width (product InFeatures). It sets the shapes
	// written: lora_A (rank, C, KH, KW) and lora_B (OutFeatures, rank, 1, 1), whose
	// row-major values are A and B as they are.
	Kernel []int
}

// shapes returns the tensor shapes of lora_A and lora_B for rank r.
func (w *LoRAWeights) shapes(r int) (a, b []int) {
	if w.Kernel != nil {
		return append([]int{r}, w.Kernel...), []int{w.OutFeatures, r, 1, 1}
	}
	return []int{r, w.InFeatures}, []int{w.OutFeatures, r}
}

// Rank returns the rank implied by A's length, or 0 if InFeatures is 0.
func (w *LoRAWeights) Rank() int {
	if w.InFeatures <= 0 {
		return 0
	}
	return len(w.A) / w.InFeatures
}

// LoRAAdapter is a LoRA adapter: its config and the factors of every
// adapted module, keyed by module path (e.g. "model.layers.0.self_attn.q_proj",
// the path in the base model without the "base_model.model." prefix).
type LoRAAdapter struct {
	Config  Config
	Modules map[string]*LoRAWeights
	// Extra holds the other tensors PEFT stores with an adapter — the full
	// weights of modules_to_save modules and, with bias "all" or
	// "lora_only", bias vectors — under their full state-dict keys. They are
	// kept as read and written back unchanged.
	Extra map[string]safetensors.Tensor
}

// New returns an empty adapter with the given config.
func New(cfg Config) *LoRAAdapter {
	return &LoRAAdapter{Config: cfg, Modules: map[string]*LoRAWeights{}, Extra: map[string]safetensors.Tensor{}}
}

// ModuleNames returns the adapted module paths in sorted order.
func (a *LoRAAdapter) ModuleNames() []string { return sortedKeys(a.Modules) }

// keys returns the two safetensors keys of a module.
func keys(module string) (string, string) {
	return KeyPrefix + module + ".lora_A.weight", KeyPrefix + module + ".lora_B.weight"
}

// isExtraKey reports whether a non-LoRA key belongs with the adapter:
// under a modules_to_save module, or a bias when bias is not "none".
func (c *Config) isExtraKey(key string) bool {
	if !strings.HasPrefix(key, KeyPrefix) {
		return false
	}
	path := strings.TrimPrefix(key, KeyPrefix)
	if c.Bias != "none" && strings.HasSuffix(path, ".bias") {
		return true
	}
	parts := strings.Split(path, ".")
	for i := 1; i < len(parts); i++ {
		prefix := strings.Join(parts[:i], ".")
		for _, m := range c.ModulesToSave {
			if prefix == m || strings.HasSuffix(prefix, "."+m) {
				return true
			}
		}
	}
	return false
}

// Validate checks the adapter before saving and returns every problem
// found, joined: the config, each module's shapes against its rank (r or
// rank_pattern), non-finite values, modules that target_modules does not
// select, and stray Extra keys.
func (a *LoRAAdapter) Validate() error {
	var errs []error
	if err := a.Config.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(a.Modules) == 0 {
		errs = append(errs, errors.New("adapter has no modules"))
	}
	for _, name := range a.ModuleNames() {
		w := a.Modules[name]
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("module %q: %s", name, fmt.Sprintf(format, args...)))
		}
		if w == nil {
			bad("nil weights")
			continue
		}
		if name == "" || strings.HasPrefix(name, KeyPrefix) || strings.Contains(name, ".lora_") {
			bad("not a module path (give it without %q and without the lora_A/lora_B suffix)", KeyPrefix)
		}
		if !a.Config.Targets(name) {
			bad("not selected by target_modules %s; PEFT would not load it", a.Config.targetsString())
		}
		r := a.Config.RankFor(name)
		if w.InFeatures <= 0 || w.OutFeatures <= 0 {
			bad("InFeatures %d and OutFeatures %d must be positive", w.InFeatures, w.OutFeatures)
			continue
		}
		if w.Kernel != nil {
			if len(w.Kernel) != 3 || w.Kernel[0] <= 0 || w.Kernel[1] <= 0 || w.Kernel[2] <= 0 {
				bad("Kernel %v: want (in channels, kernel height, kernel width), all positive", w.Kernel)
			} else if k := w.Kernel[0] * w.Kernel[1] * w.Kernel[2]; k != w.InFeatures {
				bad("Kernel %v: C·KH·KW = %d, but InFeatures is %d", w.Kernel, k, w.InFeatures)
			}
		}
		if len(w.A) != r*w.InFeatures {
			bad("A has %d values, want rank %d x in %d = %d", len(w.A), r, w.InFeatures, r*w.InFeatures)
		}
		if len(w.B) != w.OutFeatures*r {
			bad("B has %d values, want out %d x rank %d = %d", len(w.B), w.OutFeatures, r, w.OutFeatures*r)
		}
		for _, f := range []struct {
			name string
			v    []float64
		}{{"A", w.A}, {"B", w.B}} {
			if i := nn.FirstNonFinite(f.v); i >= 0 {
				bad("%s[%d] is %v", f.name, i, f.v[i])
			}
		}
	}
	for _, k := range sortedKeys(a.Extra) {
		if !a.Config.isExtraKey(k) {
			errs = append(errs, fmt.Errorf("extra tensor %q belongs to no modules_to_save module (and is not a bias with bias != \"none\")", k))
		}
		if t := a.Extra[k]; t.Name != "" && t.Name != k {
			errs = append(errs, fmt.Errorf("extra tensor %q: its Name is %q", k, t.Name))
		}
	}
	return errors.Join(errs...)
}

func (c *Config) targetsString() string {
	if c.TargetModules.Regex != "" {
		return fmt.Sprintf("%q", c.TargetModules.Regex)
	}
	return fmt.Sprintf("%q", c.TargetModules.Names)
}

// Save writes the adapter to dir in PEFT's format with float32 weights.
// The whole directory is replaced atomically (see atomicfile.WriteDir): on
// any error an existing dir is left as it was.
func (a *LoRAAdapter) Save(dir string) error { return a.SaveAs(dir, safetensors.F32) }

// SaveAs is Save with the weight dtype chosen: safetensors.F32 (what PEFT
// writes) or safetensors.F64 (lossless for float64 factors; PEFT loads it
// too, casting to its parameters' dtype).
func (a *LoRAAdapter) SaveAs(dir string, dt safetensors.DType) error {
	if dt != safetensors.F32 && dt != safetensors.F64 {
		return fmt.Errorf("hfpeft: save %s: weight dtype %v, want F32 or F64", dir, dt)
	}
	if err := a.Validate(); err != nil {
		return fmt.Errorf("hfpeft: save %s: invalid adapter:\n%w", dir, err)
	}
	cfg, err := a.Config.MarshalJSON()
	if err != nil {
		return fmt.Errorf("hfpeft: save %s: %w", dir, err)
	}
	var tensors []safetensors.Tensor
	for _, name := range a.ModuleNames() {
		w := a.Modules[name]
		r := a.Config.RankFor(name)
		ka, kb := keys(name)
		sa, sb := w.shapes(r)
		if dt == safetensors.F32 {
			tensors = append(tensors,
				safetensors.FromFloat64AsFloat32(ka, sa, w.A),
				safetensors.FromFloat64AsFloat32(kb, sb, w.B))
		} else {
			tensors = append(tensors,
				safetensors.FromFloat64(ka, sa, w.A),
				safetensors.FromFloat64(kb, sb, w.B))
		}
	}
	for _, k := range sortedKeys(a.Extra) {
		t := a.Extra[k]
		t.Name = k
		tensors = append(tensors, t)
	}
	err = atomicfile.WriteDir(dir, 0o755, func(tmp string) error {
		if err := os.WriteFile(filepath.Join(tmp, ConfigName), cfg, 0o644); err != nil {
			return err
		}
		return safetensors.WriteFile(filepath.Join(tmp, WeightsName), tensors, map[string]string{"format": "pt"})
	})
	if err != nil {
		return fmt.Errorf("hfpeft: save %s: %w", dir, err)
	}
	return nil
}

// maxConfigBytes bounds adapter_config.json.
const maxConfigBytes = 16 << 20

// Load reads and validates the PEFT LoRA adapter in dir. Every problem
// found is reported, joined into one error: config fields of the wrong type
// or value, a module with lora_A but no lora_B (or the reverse), factor
// shapes that disagree with the module's rank or with each other, non-float
// dtypes, modules target_modules does not select, and keys that are neither
// LoRA factors nor modules_to_save/bias tensors.
func Load(dir string) (*LoRAAdapter, error) {
	fail := func(err error) (*LoRAAdapter, error) {
		return nil, fmt.Errorf("hfpeft: load %s:\n%w", dir, err)
	}
	// An adapter directory is untrusted input: regular files of bounded size inside dir only.
	raw, err := safefile.ReadFileIn(dir, ConfigName, maxConfigBytes)
	if err != nil {
		return fail(err)
	}
	a := New(Config{})
	if err := json.Unmarshal(raw, &a.Config); err != nil {
		return fail(fmt.Errorf("%s: %w", ConfigName, err))
	}
	var errs []error
	if err := a.Config.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", ConfigName, err))
	}
	wpath, err := safefile.PathIn(dir, WeightsName)
	if err != nil {
		return fail(errors.Join(append(errs, err)...))
	}
	f, err := safetensors.Open(wpath)
	if err != nil {
		return fail(errors.Join(append(errs, err)...))
	}
	defer f.Close()

	type pair struct{ a, b *safetensors.TensorInfo }
	pairs := map[string]*pair{}
	for _, info := range f.Tensors() {
		info := info
		k := info.Name
		var module string
		var isA bool
		switch {
		case strings.HasPrefix(k, KeyPrefix) && strings.HasSuffix(k, ".lora_A.weight"):
			module, isA = strings.TrimSuffix(strings.TrimPrefix(k, KeyPrefix), ".lora_A.weight"), true
		case strings.HasPrefix(k, KeyPrefix) && strings.HasSuffix(k, ".lora_B.weight"):
			module = strings.TrimSuffix(strings.TrimPrefix(k, KeyPrefix), ".lora_B.weight")
		case a.Config.isExtraKey(k):
			b, err := f.Bytes(k)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			a.Extra[k] = safetensors.Tensor{Name: k, DType: info.DType, Shape: info.Shape, Data: append([]byte(nil), b...)}
			continue
		default:
			errs = append(errs, fmt.Errorf("unknown key %q%s", k, unknownKeyHint(k)))
			continue
		}
		p := pairs[module]
		if p == nil {
			p = &pair{}
			pairs[module] = p
		}
		if isA {
			p.a = &info
		} else {
			p.b = &info
		}
	}
	for _, module := range sortedKeys(pairs) {
		p := pairs[module]
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("module %q: %s", module, fmt.Sprintf(format, args...)))
		}
		ka, kb := keys(module)
		if p.a == nil {
			bad("has %s but no %s", kb, ka)
			continue
		}
		if p.b == nil {
			bad("has %s but no %s", ka, kb)
			continue
		}
		if module == "" {
			bad("empty module path")
			continue
		}
		if !a.Config.Targets(module) {
			bad("not selected by target_modules %s", a.Config.targetsString())
		}
		ok := true
		for _, t := range []*safetensors.TensorInfo{p.a, p.b} {
			switch t.DType {
			case safetensors.F16, safetensors.BF16, safetensors.F32, safetensors.F64:
			default:
				bad("%s has dtype %s, want a float type", t.Name, t.DType)
				ok = false
			}
			if len(t.Shape) != 2 && len(t.Shape) != 4 {
				bad("%s has shape %v, want a matrix (Linear) or a 4-D tensor (Conv2d)", t.Name, t.Shape)
				ok = false
			}
		}
		if !ok {
			continue
		}
		var kernel []int
		if len(p.a.Shape) == 4 || len(p.b.Shape) == 4 {
			// PEFT's Conv2d LoRA layer: lora_A (r, C, KH, KW), lora_B (out, r, 1, 1).
			if len(p.a.Shape) != 4 || len(p.b.Shape) != 4 || p.b.Shape[2] != 1 || p.b.Shape[3] != 1 {
				bad("lora_A %v and lora_B %v: a Conv2d module needs lora_A (r, C, KH, KW) and lora_B (out, r, 1, 1)", p.a.Shape, p.b.Shape)
				continue
			}
			kernel = append([]int(nil), p.a.Shape[1:]...)
		}
		r := a.Config.RankFor(module)
		if p.a.Shape[0] != r {
			bad("lora_A has shape %v: %d rows, but the rank for this module is %d%s", p.a.Shape, p.a.Shape[0], r, a.Config.rankSource(module))
			ok = false
		}
		if p.b.Shape[1] != r {
			bad("lora_B has shape %v: %d columns, but the rank for this module is %d%s", p.b.Shape, p.b.Shape[1], r, a.Config.rankSource(module))
			ok = false
		}
		in := 1
		for _, d := range p.a.Shape[1:] {
			in *= d
		}
		if in == 0 || p.b.Shape[0] == 0 {
			bad("zero-sized factor: lora_A %v, lora_B %v", p.a.Shape, p.b.Shape)
			ok = false
		}
		if !ok {
			continue
		}
		w := &LoRAWeights{InFeatures: in, OutFeatures: p.b.Shape[0], Kernel: kernel}
		if w.A, err = f.Float64(p.a.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		if w.B, err = f.Float64(p.b.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		a.Modules[module] = w
	}
	if len(pairs) == 0 {
		errs = append(errs, fmt.Errorf("%s holds no lora_A/lora_B weights", WeightsName))
	}
	if len(errs) > 0 {
		return fail(errors.Join(errs...))
	}
	return a, nil
}

func unknownKeyHint(k string) string {
	switch {
	case !strings.HasPrefix(k, KeyPrefix):
		return fmt.Sprintf(" (PEFT keys start with %q)", KeyPrefix)
	case strings.Contains(k, "lora_magnitude_vector"):
		return " (a DoRA magnitude; DoRA is not supported)"
	case strings.Contains(k, "lora_embedding_"):
		return " (LoRA on embeddings is not supported)"
	case strings.Contains(k, ".lora_A.") || strings.Contains(k, ".lora_B."):
		return " (an adapter name inside the key? saved adapters use <module>.lora_A.weight)"
	}
	return " (not a lora_A/lora_B weight, not under modules_to_save)"
}

func (c *Config) rankSource(module string) string {
	if k, ok := patternKey(c.RankPattern, module); ok {
		return fmt.Sprintf(" (rank_pattern %q)", k)
	}
	return " (r)"
}

// DeltaW returns the weight update of module, (B·A)·s with s = Scale(module),
// as an OutFeatures x InFeatures row-major matrix: the orientation of a
// PyTorch nn.Linear weight, and of an nn.Conv2d weight (out, C, KH, KW) read
// row-major. (For a fan_in_fan_out base layer, whose weight is stored as
// in x out, add the transpose.)
func (a *LoRAAdapter) DeltaW(module string) ([]float64, error) {
	w, ok := a.Modules[module]
	if !ok || w == nil {
		return nil, fmt.Errorf("hfpeft: no module %q in the adapter", module)
	}
	r := a.Config.RankFor(module)
	if r <= 0 || len(w.A) != r*w.InFeatures || len(w.B) != w.OutFeatures*r {
		return nil, fmt.Errorf("hfpeft: module %q: A (%d values) and B (%d values) do not fit rank %d, in %d, out %d",
			module, len(w.A), len(w.B), r, w.InFeatures, w.OutFeatures)
	}
	s := a.Config.Scale(module)
	in := w.InFeatures
	d := make([]float64, w.OutFeatures*in)
	for o := 0; o < w.OutFeatures; o++ {
		row := d[o*in : (o+1)*in]
		for k := 0; k < r; k++ {
			b := w.B[o*r+k]
			for i, x := range w.A[k*in : (k+1)*in] {
				row[i] += b * x
			}
		}
		for i := range row {
			row[i] *= s // (B·A)·s, PEFT's order of operations
		}
	}
	return d, nil
}
