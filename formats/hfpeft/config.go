package hfpeft

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
)

// Config is the content of adapter_config.json for a LoRA adapter: the
// fields of PEFT's LoraConfig (and its PeftConfig base) that matter for a
// plain LoRA adapter. Fields that PEFT writes but this package does not
// interpret (megatron_config, loftq_config, exclude_modules, …) are kept
// verbatim in Extra and written back unchanged.
//
// JSON null is represented by the zero value where PEFT allows null: an
// empty TaskType, BaseModelNameOrPath or Revision, a nil ModulesToSave,
// LayersToTransform or LayersPattern.
type Config struct {
	// PeftType is always "LORA".
	PeftType string
	// TaskType is PEFT's task type ("CAUSAL_LM", "SEQ_CLS", …) or "" (null).
	TaskType string
	// BaseModelNameOrPath names the base model the adapter was trained on.
	BaseModelNameOrPath string
	// Revision is the base model revision, or "" (null).
	Revision string
	// R is the default LoRA rank (PEFT default 8).
	R int
	// LoraAlpha is the default scaling numerator (PEFT default 8).
	LoraAlpha float64
	// LoraDropout is the dropout probability on the LoRA input path.
	LoraDropout float64
	// TargetModules selects the adapted modules.
	TargetModules TargetModules
	// FanInFanOut is true when the base layer stores its weight as
	// (in, out), like GPT-2's Conv1D.
	FanInFanOut bool
	// Bias is "none", "all" or "lora_only".
	Bias string
	// ModulesToSave lists modules saved in full besides the adapter.
	ModulesToSave []string
	// InferenceMode is PEFT's inference_mode flag.
	InferenceMode bool
	// InitLoraWeights is init_lora_weights: true, false or a method name.
	InitLoraWeights InitLoraWeights
	// LayersToTransform restricts adaptation to these layer indices (nil:
	// all). PEFT also accepts a single int, read here as a one-element list.
	LayersToTransform []int
	// LayersPattern names the layer list(s) LayersToTransform indexes.
	LayersPattern []string
	// RankPattern maps module-name patterns to ranks that override R.
	RankPattern map[string]int
	// AlphaPattern maps module-name patterns to alphas that override LoraAlpha.
	AlphaPattern map[string]float64
	// UseRSLoRA selects the rank-stabilised scale alpha/sqrt(r).
	UseRSLoRA bool
	// UseDoRA marks a DoRA adapter; this package does not support DoRA.
	UseDoRA bool
	// Extra holds every other field of a loaded file, written back as is.
	Extra map[string]json.RawMessage
}

// TargetModules is PEFT's target_modules: a list of module names (a module
// is selected if its path equals a name or ends with "." + name), or a
// regular expression that must match the whole module path. Both empty
// means null.
type TargetModules struct {
	Names []string
	Regex string
}

// Regexp compiles Regex by PEFT's rule for target_modules: it must match the whole module
// path.
func (t TargetModules) Regexp() (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + t.Regex + `)$`)
}

// InitLoraWeights is PEFT's init_lora_weights: a bool, or a method name
// such as "gaussian" or "pissa" when Method is not empty.
type InitLoraWeights struct {
	Bool   bool
	Method string
}

// DefaultConfig returns PEFT's LoraConfig defaults with the given rank,
// alpha and target module names.
func DefaultConfig(r int, alpha float64, targets ...string) Config {
	return Config{
		PeftType:        "LORA",
		R:               r,
		LoraAlpha:       alpha,
		TargetModules:   TargetModules{Names: targets},
		Bias:            "none",
		InitLoraWeights: InitLoraWeights{Bool: true},
		RankPattern:     map[string]int{},
		AlphaPattern:    map[string]float64{},
	}
}

// known lists the JSON fields Config interprets.
var known = map[string]bool{
	"peft_type": true, "task_type": true, "base_model_name_or_path": true, "revision": true,
	"r": true, "lora_alpha": true, "lora_dropout": true, "target_modules": true,
	"fan_in_fan_out": true, "bias": true, "modules_to_save": true, "inference_mode": true,
	"init_lora_weights": true, "layers_to_transform": true, "layers_pattern": true,
	"rank_pattern": true, "alpha_pattern": true, "use_rslora": true, "use_dora": true,
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// number writes integral values as JSON integers, like Python's ints.
func number(x float64) any {
	if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
		return int64(x)
	}
	return x
}

// MarshalJSON returns the config the way PEFT's save_pretrained writes it:
// all keys sorted, two-space indentation, no final newline. (json.Marshal
// compacts what MarshalJSON returns; call MarshalJSON directly for the file
// form.)
func (c Config) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	for k, v := range c.Extra {
		if !known[k] {
			m[k] = v
		}
	}
	m["peft_type"] = c.PeftType
	m["task_type"] = nullable(c.TaskType)
	m["base_model_name_or_path"] = nullable(c.BaseModelNameOrPath)
	m["revision"] = nullable(c.Revision)
	m["r"] = c.R
	m["lora_alpha"] = number(c.LoraAlpha)
	m["lora_dropout"] = number(c.LoraDropout)
	switch {
	case c.TargetModules.Regex != "":
		m["target_modules"] = c.TargetModules.Regex
	case c.TargetModules.Names != nil:
		m["target_modules"] = c.TargetModules.Names
	default:
		m["target_modules"] = nil
	}
	m["fan_in_fan_out"] = c.FanInFanOut
	m["bias"] = c.Bias
	if c.ModulesToSave != nil {
		m["modules_to_save"] = c.ModulesToSave
	} else {
		m["modules_to_save"] = nil
	}
	m["inference_mode"] = c.InferenceMode
	if c.InitLoraWeights.Method != "" {
		m["init_lora_weights"] = c.InitLoraWeights.Method
	} else {
		m["init_lora_weights"] = c.InitLoraWeights.Bool
	}
	if c.LayersToTransform != nil {
		m["layers_to_transform"] = c.LayersToTransform
	} else {
		m["layers_to_transform"] = nil
	}
	switch len(c.LayersPattern) {
	case 0:
		m["layers_pattern"] = nil
	case 1:
		m["layers_pattern"] = c.LayersPattern[0]
	default:
		m["layers_pattern"] = c.LayersPattern
	}
	rp := map[string]int{}
	for k, v := range c.RankPattern {
		rp[k] = v
	}
	m["rank_pattern"] = rp
	ap := map[string]any{}
	for k, v := range c.AlphaPattern {
		ap[k] = number(v)
	}
	m["alpha_pattern"] = ap
	m["use_rslora"] = c.UseRSLoRA
	m["use_dora"] = c.UseDoRA
	return json.MarshalIndent(m, "", "  ")
}

// UnmarshalJSON reads adapter_config.json. Missing fields get PEFT's
// defaults; a field of the wrong JSON type is an error naming the field.
func (c *Config) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if m == nil {
		return errors.New("config is null, want an object")
	}
	*c = DefaultConfig(8, 8)
	c.TargetModules = TargetModules{}
	c.PeftType = ""
	c.Extra = map[string]json.RawMessage{}
	isNull := func(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }
	var errs []error
	field := func(name string, dst any) {
		v, ok := m[name]
		if !ok || isNull(v) {
			return
		}
		if err := json.Unmarshal(v, dst); err != nil {
			errs = append(errs, fmt.Errorf("field %q: want %s, got %.60s", name, jsonKind(dst), v))
		}
	}
	for k, v := range m {
		if !known[k] {
			c.Extra[k] = v
		}
	}
	field("peft_type", &c.PeftType)
	field("task_type", &c.TaskType)
	field("base_model_name_or_path", &c.BaseModelNameOrPath)
	field("revision", &c.Revision)
	field("r", &c.R)
	field("lora_alpha", &c.LoraAlpha)
	field("lora_dropout", &c.LoraDropout)
	field("fan_in_fan_out", &c.FanInFanOut)
	field("bias", &c.Bias)
	field("modules_to_save", &c.ModulesToSave)
	field("inference_mode", &c.InferenceMode)
	field("rank_pattern", &c.RankPattern)
	field("alpha_pattern", &c.AlphaPattern)
	field("use_rslora", &c.UseRSLoRA)
	field("use_dora", &c.UseDoRA)
	if c.RankPattern == nil {
		c.RankPattern = map[string]int{}
	}
	if c.AlphaPattern == nil {
		c.AlphaPattern = map[string]float64{}
	}
	if v, ok := m["target_modules"]; ok && !isNull(v) {
		if json.Unmarshal(v, &c.TargetModules.Regex) != nil {
			if err := json.Unmarshal(v, &c.TargetModules.Names); err != nil || c.TargetModules.Names == nil {
				errs = append(errs, fmt.Errorf("field \"target_modules\": want a list of names or a regex string, got %.60s", v))
			}
		}
	}
	if v, ok := m["init_lora_weights"]; ok && !isNull(v) {
		if json.Unmarshal(v, &c.InitLoraWeights.Bool) != nil {
			c.InitLoraWeights.Bool = false
			if err := json.Unmarshal(v, &c.InitLoraWeights.Method); err != nil || c.InitLoraWeights.Method == "" {
				errs = append(errs, fmt.Errorf("field \"init_lora_weights\": want a bool or a method name, got %.60s", v))
			}
		}
	}
	if v, ok := m["layers_to_transform"]; ok && !isNull(v) {
		var one int
		if json.Unmarshal(v, &one) == nil {
			c.LayersToTransform = []int{one}
		} else if err := json.Unmarshal(v, &c.LayersToTransform); err != nil {
			errs = append(errs, fmt.Errorf("field \"layers_to_transform\": want an int or a list of ints, got %.60s", v))
		}
	}
	if v, ok := m["layers_pattern"]; ok && !isNull(v) {
		var one string
		if json.Unmarshal(v, &one) == nil {
			c.LayersPattern = []string{one}
		} else if err := json.Unmarshal(v, &c.LayersPattern); err != nil {
			errs = append(errs, fmt.Errorf("field \"layers_pattern\": want a string or a list of strings, got %.60s", v))
		}
	}
	return errors.Join(errs...)
}

func jsonKind(dst any) string {
	switch dst.(type) {
	case *string:
		return "a string"
	case *int:
		return "an integer"
	case *float64:
		return "a number"
	case *bool:
		return "true or false"
	case *[]string:
		return "a list of strings"
	case *map[string]int:
		return "an object of integers"
	case *map[string]float64:
		return "an object of numbers"
	}
	return fmt.Sprintf("%T", dst)
}

// Validate checks the config for what a LoRA adapter needs and returns all
// problems found, joined.
func (c *Config) Validate() error {
	var errs []error
	if c.PeftType != "LORA" {
		errs = append(errs, fmt.Errorf("peft_type is %q, want \"LORA\"", c.PeftType))
	}
	if c.R <= 0 {
		errs = append(errs, fmt.Errorf("r is %d, want a positive rank", c.R))
	}
	if math.IsNaN(c.LoraAlpha) || math.IsInf(c.LoraAlpha, 0) {
		errs = append(errs, fmt.Errorf("lora_alpha is %v, want a finite number", c.LoraAlpha))
	}
	if !(c.LoraDropout >= 0 && c.LoraDropout < 1) {
		errs = append(errs, fmt.Errorf("lora_dropout is %v, want 0 <= p < 1", c.LoraDropout))
	}
	switch c.Bias {
	case "none", "all", "lora_only":
	default:
		errs = append(errs, fmt.Errorf("bias is %q, want \"none\", \"all\" or \"lora_only\"", c.Bias))
	}
	if c.UseDoRA {
		errs = append(errs, errors.New("use_dora is true: DoRA adapters are not supported"))
	}
	if c.TargetModules.Regex != "" {
		if _, err := regexp.Compile(c.TargetModules.Regex); err != nil {
			errs = append(errs, fmt.Errorf("target_modules regex %q does not compile in Go's RE2 syntax: %v", c.TargetModules.Regex, err))
		}
	}
	for _, k := range sortedKeys(c.RankPattern) {
		if c.RankPattern[k] <= 0 {
			errs = append(errs, fmt.Errorf("rank_pattern[%q] is %d, want a positive rank", k, c.RankPattern[k]))
		}
		if _, err := patternRegexp(k); err != nil {
			errs = append(errs, fmt.Errorf("rank_pattern key %q: %v", k, err))
		}
	}
	for _, k := range sortedKeys(c.AlphaPattern) {
		if v := c.AlphaPattern[k]; math.IsNaN(v) || math.IsInf(v, 0) {
			errs = append(errs, fmt.Errorf("alpha_pattern[%q] is %v, want a finite number", k, v))
		}
		if _, err := patternRegexp(k); err != nil {
			errs = append(errs, fmt.Errorf("alpha_pattern key %q: %v", k, err))
		}
	}
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// patternRegexp compiles a rank_pattern/alpha_pattern key the way PEFT
// matches it: re.match(rf"(.*\.)?({key})$", module).
func patternRegexp(key string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:.*\.)?(?:` + key + `)$`)
}

// patternKey returns the first key, in sorted order (the order of a config
// PEFT saved with sort_keys), that matches module; ok is false if none does.
func patternKey[V any](m map[string]V, module string) (string, bool) {
	for _, k := range sortedKeys(m) {
		if re, err := patternRegexp(k); err == nil && re.MatchString(module) {
			return k, true
		}
	}
	return "", false
}

// RankFor returns the LoRA rank of module: the rank_pattern entry whose
// pattern matches the module path, else R.
func (c *Config) RankFor(module string) int {
	if k, ok := patternKey(c.RankPattern, module); ok {
		return c.RankPattern[k]
	}
	return c.R
}

// AlphaFor returns lora_alpha for module: the alpha_pattern entry whose
// pattern matches the module path, else LoraAlpha.
func (c *Config) AlphaFor(module string) float64 {
	if k, ok := patternKey(c.AlphaPattern, module); ok {
		return c.AlphaPattern[k]
	}
	return c.LoraAlpha
}

// Scale returns the factor PEFT applies to B·A for module: alpha/r, or
// alpha/sqrt(r) with use_rslora.
func (c *Config) Scale(module string) float64 {
	r := float64(c.RankFor(module))
	if c.UseRSLoRA {
		return c.AlphaFor(module) / math.Sqrt(r)
	}
	return c.AlphaFor(module) / r
}

// Targets reports whether target_modules selects the module path, by
// PEFT's rule: a regex must match the whole path; a name matches if it
// equals the path or the path ends with "." + name. PEFT's wildcard
// "all-linear" selects every module (the layer type is not known here). A
// null target_modules selects nothing.
func (c *Config) Targets(module string) bool {
	if c.TargetModules.Regex == "all-linear" {
		return true
	}
	if c.TargetModules.Regex != "" {
		re, err := c.TargetModules.Regexp()
		return err == nil && re.MatchString(module)
	}
	for _, n := range c.TargetModules.Names {
		if module == n || strings.HasSuffix(module, "."+n) {
			return true
		}
	}
	return false
}
