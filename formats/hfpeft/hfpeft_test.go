package hfpeft

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigGolden(t *testing.T) {
	c := DefaultConfig(8, 16, "q_proj", "v_proj")
	c.TaskType = "CAUSAL_LM"
	c.BaseModelNameOrPath = "meta-llama/Llama-2-7b-hf"
	c.LoraDropout = 0.05
	got, err := c.MarshalJSON()
	require.NoError(t, err)
	want := `{
  "alpha_pattern": {},
  "base_model_name_or_path": "meta-llama/Llama-2-7b-hf",
  "bias": "none",
  "fan_in_fan_out": false,
  "inference_mode": false,
  "init_lora_weights": true,
  "layers_pattern": null,
  "layers_to_transform": null,
  "lora_alpha": 16,
  "lora_dropout": 0.05,
  "modules_to_save": null,
  "peft_type": "LORA",
  "r": 8,
  "rank_pattern": {},
  "revision": null,
  "target_modules": [
    "q_proj",
    "v_proj"
  ],
  "task_type": "CAUSAL_LM",
  "use_dora": false,
  "use_rslora": false
}`
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// A config as a recent PEFT writes it, with fields this package does not
// interpret; they must survive a read/write cycle.
const peftStyleConfig = `{
  "alpha_pattern": {"v_proj": 64},
  "auto_mapping": null,
  "base_model_name_or_path": "some/base-model",
  "bias": "none",
  "exclude_modules": null,
  "fan_in_fan_out": false,
  "inference_mode": true,
  "init_lora_weights": "gaussian",
  "layer_replication": null,
  "layers_pattern": "layers",
  "layers_to_transform": 3,
  "loftq_config": {},
  "lora_alpha": 32,
  "lora_bias": false,
  "lora_dropout": 0.1,
  "megatron_config": null,
  "megatron_core": "megatron.core",
  "modules_to_save": ["classifier"],
  "peft_type": "LORA",
  "r": 16,
  "rank_pattern": {"^model.layers.3.self_attn.q_proj": 4},
  "revision": null,
  "target_modules": ["v_proj", "q_proj"],
  "task_type": "SEQ_CLS",
  "use_dora": false,
  "use_rslora": true
}`

func TestConfigParse(t *testing.T) {
	var c Config
	require.NoError(t, json.Unmarshal([]byte(peftStyleConfig), &c))
	want := Config{
		PeftType: "LORA", TaskType: "SEQ_CLS", BaseModelNameOrPath: "some/base-model",
		R: 16, LoraAlpha: 32, LoraDropout: 0.1,
		TargetModules: TargetModules{Names: []string{"v_proj", "q_proj"}},
		Bias:          "none", ModulesToSave: []string{"classifier"}, InferenceMode: true,
		InitLoraWeights:   InitLoraWeights{Method: "gaussian"},
		LayersToTransform: []int{3}, LayersPattern: []string{"layers"},
		RankPattern:  map[string]int{"^model.layers.3.self_attn.q_proj": 4},
		AlphaPattern: map[string]float64{"v_proj": 64},
		UseRSLoRA:    true,
	}
	extra := c.Extra
	c.Extra = nil
	require.Equal(t, want, c, "got %+v\nwant %+v", c, want)
	for _, k := range []string{"auto_mapping", "exclude_modules", "layer_replication", "loftq_config", "lora_bias", "megatron_config", "megatron_core"} {
		if _, ok := extra[k]; !ok {
			t.Errorf("extra field %q lost", k)
		}
	}
	c.Extra = extra
	// Write and read again: same config, extras included.
	b, err := c.MarshalJSON()
	require.NoError(t, err)
	var c2 Config
	require.NoError(t, json.Unmarshal(b, &c2))
	require.Equal(t, c2, c, "round trip:\n%+v\n%+v", c, c2)
	if !strings.Contains(string(b), `"megatron_core": "megatron.core"`) || !strings.Contains(string(b), `"loftq_config": {}`) {
		t.Fatalf("extras not written back:\n%s", b)
	}
	// Defaults for missing fields, as PEFT's LoraConfig.
	var d Config
	require.NoError(t, json.Unmarshal([]byte(`{"peft_type":"LORA","target_modules":"model\\..*\\.(q|v)_proj"}`), &d))
	if d.R != 8 || d.LoraAlpha != 8 || d.Bias != "none" || !d.InitLoraWeights.Bool || d.TargetModules.Regex == "" {
		t.Fatalf("defaults: %+v", d)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		json string
		want []string
	}{
		{`{"peft_type":"LORA","r":"8","lora_alpha":[1],"use_rslora":"yes"}`,
			[]string{`field "r": want an integer, got "8"`, `field "lora_alpha": want a number`, `field "use_rslora": want true or false`}},
		{`{"peft_type":"LORA","target_modules":5}`, []string{`"target_modules": want a list of names or a regex string`}},
		{`{"peft_type":"LORA","init_lora_weights":3}`, []string{`"init_lora_weights": want a bool or a method name`}},
		{`{"peft_type":"LORA","layers_to_transform":"x"}`, []string{`"layers_to_transform": want an int or a list of ints`}},
		{`null`, []string{"config is null"}},
		{`[1]`, []string{"cannot unmarshal"}},
	}
	for _, c := range cases {
		var cfg Config
		err := json.Unmarshal([]byte(c.json), &cfg)
		for _, w := range c.want {
			assert.ErrorContains(t, err, w)
		}
	}
	bad := DefaultConfig(0, math.NaN())
	bad.PeftType = "IA3"
	bad.Bias = "some"
	bad.LoraDropout = 1
	bad.UseDoRA = true
	bad.RankPattern["x("] = 0
	err := bad.Validate()
	for _, w := range []string{`peft_type is "IA3"`, "r is 0", "lora_alpha is NaN", "lora_dropout is 1", `bias is "some"`, "DoRA", `rank_pattern["x("] is 0`, `rank_pattern key "x("`} {
		assert.ErrorContains(t, err, w)
	}
}

func TestPatterns(t *testing.T) {
	c := DefaultConfig(8, 16, "q_proj", "v_proj", "fc")
	c.RankPattern = map[string]int{"q_proj": 4, "^model.layers.0.self_attn.v_proj": 2, "layers\\.1\\..*": 6}
	c.AlphaPattern = map[string]float64{"v_proj": 3}
	cases := []struct {
		module string
		rank   int
		alpha  float64
		target bool
	}{
		{"model.layers.5.self_attn.q_proj", 4, 16, true},
		{"q_proj", 4, 16, true},
		{"model.layers.0.self_attn.v_proj", 2, 3, true},
		{"model.layers.2.self_attn.v_proj", 8, 3, true},    // anchored pattern does not match
		{"model.layers.5.self_attn.xq_proj", 8, 16, false}, // needs a '.' boundary
		{"model.layers.1.mlp.fc", 6, 16, true},             // "layers\.1\..*" matches after "model."
		{"model.layers.1.q_proj", 6, 16, true},             // several match: first in sorted order ("layers…" < "q_proj")
		{"model.fc2", 8, 16, false},
	}
	for _, k := range cases {
		if got := c.RankFor(k.module); got != k.rank {
			t.Errorf("RankFor(%q) = %d, want %d", k.module, got, k.rank)
		}
		if got := c.AlphaFor(k.module); got != k.alpha {
			t.Errorf("AlphaFor(%q) = %v, want %v", k.module, got, k.alpha)
		}
		if got := c.Targets(k.module); got != k.target {
			t.Errorf("Targets(%q) = %v, want %v", k.module, got, k.target)
		}
	}
	re := DefaultConfig(8, 8)
	re.TargetModules = TargetModules{Regex: `.*\.(q|v)_proj`}
	if !re.Targets("model.layers.0.q_proj") || re.Targets("model.layers.0.q_proj.x") || re.Targets("q_proj") {
		t.Error("regex target_modules must match the whole path")
	}
	re.TargetModules = TargetModules{Regex: "all-linear"}
	if !re.Targets("anything") {
		t.Error("all-linear")
	}
	// Scale: alpha/r, or alpha/sqrt(r) with rsLoRA.
	s := DefaultConfig(4, 8, "w")
	if got := s.Scale("w"); got != 2 {
		t.Errorf("scale %v, want 2", got)
	}
	s.UseRSLoRA = true
	if got := s.Scale("w"); got != 4 {
		t.Errorf("rslora scale %v, want 4", got)
	}
}

// randomAdapter builds an adapter from a seed.
func randomAdapter(seed uint64) *LoRAAdapter {
	r := rand.New(rand.NewPCG(seed, 2))
	c := DefaultConfig(3, 6, "q_proj", "v_proj", "fc1")
	c.RankPattern = map[string]int{"fc1": 2}
	c.AlphaPattern = map[string]float64{"v_proj": 1.5}
	c.ModulesToSave = []string{"classifier"}
	c.BaseModelNameOrPath = "tiny/base"
	c.TaskType = "SEQ_CLS"
	c.UseRSLoRA = seed%2 == 1
	c.Extra = map[string]json.RawMessage{"megatron_core": json.RawMessage(`"megatron.core"`)}
	a := New(c)
	for _, m := range []string{"model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj", "model.layers.1.mlp.fc1"} {
		rank := c.RankFor(m)
		in, out := 2+r.IntN(5), 1+r.IntN(6)
		w := &LoRAWeights{InFeatures: in, OutFeatures: out, A: make([]float64, rank*in), B: make([]float64, out*rank)}
		for i := range w.A {
			w.A[i] = r.NormFloat64()
		}
		for i := range w.B {
			w.B[i] = r.NormFloat64()
		}
		a.Modules[m] = w
	}
	a.Extra["base_model.model.classifier.modules_to_save.weight"] = safetensors.FromFloat32("", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	return a
}

func TestRoundTrip(t *testing.T) {
	for seed := uint64(0); seed < 4; seed++ {
		a := randomAdapter(seed)
		dir := filepath.Join(t.TempDir(), "adapter")
		for _, dt := range []safetensors.DType{safetensors.F64, safetensors.F32} {
			require.NoError(t, a.SaveAs(dir, dt))
			b, err := Load(dir)
			require.NoError(t, err)
			require.Equal(t, a.Config, b.Config, "config:\n%+v\n%+v", b.Config, a.Config)
			require.Equal(t, a.ModuleNames(), b.ModuleNames(), "modules %v", b.ModuleNames())
			for _, m := range a.ModuleNames() {
				wa, wb := a.Modules[m], b.Modules[m]
				if wa.InFeatures != wb.InFeatures || wa.OutFeatures != wb.OutFeatures || wb.Rank() != a.Config.RankFor(m) {
					t.Fatalf("%s: shapes", m)
				}
				round := func(x float64) float64 {
					if dt == safetensors.F32 {
						return float64(float32(x))
					}
					return x
				}
				for i := range wa.A {
					if wb.A[i] != round(wa.A[i]) {
						t.Fatalf("%s: A[%d] = %v, want %v", m, i, wb.A[i], round(wa.A[i]))
					}
				}
				for i := range wa.B {
					if wb.B[i] != round(wa.B[i]) {
						t.Fatalf("%s: B[%d]", m, i)
					}
				}
			}
			x := b.Extra["base_model.model.classifier.modules_to_save.weight"]
			if x.DType != safetensors.F32 || !reflect.DeepEqual(x.Shape, []int{2, 3}) || len(x.Data) != 24 {
				t.Fatalf("extra tensor: %+v", x)
			}
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != 2 {
			t.Fatalf("directory holds %v", ents)
		}
		f, err := safetensors.Open(filepath.Join(dir, WeightsName))
		require.NoError(t, err)
		require.Equal(t, map[string]string{"format": "pt"}, f.Metadata(), "metadata %v", f.Metadata())
		info, _ := f.Info("base_model.model.model.layers.1.mlp.fc1.lora_A.weight")
		if info.DType != safetensors.F32 || info.Shape[0] != 2 {
			t.Fatalf("fc1 lora_A: %+v", info)
		}
		f.Close()
	}
}

// bruteDelta computes scale·B·A with explicit index arithmetic.
func bruteDelta(w *LoRAWeights, r int, scale float64) []float64 {
	d := make([]float64, w.OutFeatures*w.InFeatures)
	for o := 0; o < w.OutFeatures; o++ {
		for i := 0; i < w.InFeatures; i++ {
			var s float64
			for k := 0; k < r; k++ {
				s += w.B[o*r+k] * w.A[k*w.InFeatures+i]
			}
			d[o*w.InFeatures+i] = s * scale
		}
	}
	return d
}

func TestDeltaW(t *testing.T) {
	// Hand example: r = 1, B = [1 2]ᵀ, A = [3 4]: B·A = [[3 4] [6 8]];
	// alpha 2 -> scale 2.
	a := New(DefaultConfig(1, 2, "w"))
	a.Modules["w"] = &LoRAWeights{InFeatures: 2, OutFeatures: 2, A: []float64{3, 4}, B: []float64{1, 2}}
	d, err := a.DeltaW("w")
	if err != nil || !reflect.DeepEqual(d, []float64{6, 8, 12, 16}) {
		t.Fatalf("hand example: %v %v", d, err)
	}
	// Rank 2, rsLoRA, non-square: A = [[1 0 2] [0 1 -1]], B = [[1 1] [2 0]],
	// B·A = [[1 1 1] [2 0 4]], alpha 4, sqrt(2) scaling.
	a = New(DefaultConfig(2, 4, "w"))
	a.Config.UseRSLoRA = true
	a.Modules["w"] = &LoRAWeights{InFeatures: 3, OutFeatures: 2, A: []float64{1, 0, 2, 0, 1, -1}, B: []float64{1, 1, 2, 0}}
	d, _ = a.DeltaW("w")
	s := 4 / math.Sqrt(2)
	if want := []float64{s, s, s, 2 * s, 0, 4 * s}; !reflect.DeepEqual(d, want) {
		t.Fatalf("rslora: %v, want %v", d, want)
	}
	// Random adapters against the brute-force product and hand-derived scales.
	for seed := uint64(0); seed < 6; seed++ {
		a := randomAdapter(seed)
		for _, m := range a.ModuleNames() {
			r := a.Config.RankFor(m)
			alpha := map[string]float64{"model.layers.0.self_attn.q_proj": 6, "model.layers.0.self_attn.v_proj": 1.5, "model.layers.1.mlp.fc1": 6}[m]
			scale := alpha / float64(r)
			if a.Config.UseRSLoRA {
				scale = alpha / math.Sqrt(float64(r))
			}
			want := bruteDelta(a.Modules[m], r, scale)
			got, err := a.DeltaW(m)
			require.NoError(t, err)
			for i := range want {
				require.InDelta(t, want[i], got[i], 1e-13*(1+math.Abs(want[i])), "seed %d %s [%d]: %v, want %v", seed, m, i, got[i], want[i])
			}
		}
	}
	if _, err := a.DeltaW("nope"); err == nil {
		t.Fatal("missing module accepted")
	}
}

// writeDir writes a config and a weights file built from raw tensors.
func writeDir(t *testing.T, config string, tensors []safetensors.Tensor) string {
	t.Helper()
	dir := t.TempDir()
	if config != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigName), []byte(config), 0o644))
	}
	if tensors != nil {
		require.NoError(t, safetensors.WriteFile(filepath.Join(dir, WeightsName), tensors, map[string]string{"format": "pt"}))
	}
	return dir
}

func mat(name string, rows, cols int) safetensors.Tensor {
	return safetensors.FromFloat32(name, []int{rows, cols}, make([]float32, rows*cols))
}

// convT is a zero float32 tensor of the given 4-D shape.
func convT(name string, d0, d1, d2, d3 int) safetensors.Tensor {
	return safetensors.FromFloat32(name, []int{d0, d1, d2, d3}, make([]float32, d0*d1*d2*d3))
}

// TestConvRoundTrip: a module with a Kernel is written with the shapes of PEFT's Conv2d
// LoRA layer, lora_A (r, C, KH, KW) and lora_B (out, r, 1, 1), read back with its Kernel,
// and its ΔW (out × C·KH·KW) matches the brute-force product; a Linear module beside it
// keeps its matrices.
func TestConvRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	c := DefaultConfig(3, 6, "conv1", "fc")
	c.RankPattern = map[string]int{"fc": 2}
	a := New(c)
	fill := func(w *LoRAWeights) *LoRAWeights {
		for i := range w.A {
			w.A[i] = r.NormFloat64()
		}
		for i := range w.B {
			w.B[i] = r.NormFloat64()
		}
		return w
	}
	a.Modules["conv1"] = fill(&LoRAWeights{InFeatures: 2 * 3 * 5, OutFeatures: 4, A: make([]float64, 3*30), B: make([]float64, 4*3), Kernel: []int{2, 3, 5}})
	a.Modules["fc"] = fill(&LoRAWeights{InFeatures: 6, OutFeatures: 5, A: make([]float64, 2*6), B: make([]float64, 5*2)})
	dir := filepath.Join(t.TempDir(), "adapter")
	require.NoError(t, a.SaveAs(dir, safetensors.F64))
	f, err := safetensors.Open(filepath.Join(dir, WeightsName))
	require.NoError(t, err)
	shapes := map[string][]int{}
	for _, info := range f.Tensors() {
		shapes[info.Name] = info.Shape
	}
	f.Close()
	want := map[string][]int{
		KeyPrefix + "conv1.lora_A.weight": {3, 2, 3, 5},
		KeyPrefix + "conv1.lora_B.weight": {4, 3, 1, 1},
		KeyPrefix + "fc.lora_A.weight":    {2, 6},
		KeyPrefix + "fc.lora_B.weight":    {5, 2},
	}
	require.Equal(t, want, shapes, "written shapes %v, want %v", shapes, want)
	b, err := Load(dir)
	require.NoError(t, err)
	for _, m := range []string{"conv1", "fc"} {
		require.Equal(t, a.Modules[m], b.Modules[m], "%s: read back %+v, wrote %+v", m, b.Modules[m], a.Modules[m])
		got, err := b.DeltaW(m)
		require.NoError(t, err)
		w := a.Modules[m]
		exp := bruteDelta(w, c.RankFor(m), c.Scale(m))
		for i := range exp {
			require.InDelta(t, exp[i], got[i], 1e-12, "%s: ΔW[%d] = %v, want %v", m, i, got[i], exp[i])
		}
	}
}

func TestLoadMalformed(t *testing.T) {
	const cfg = `{"peft_type":"LORA","r":2,"lora_alpha":4,"target_modules":["q","v"],"bias":"none","modules_to_save":["head"]}`
	qa := mat("base_model.model.l.q.lora_A.weight", 2, 3)
	qb := mat("base_model.model.l.q.lora_B.weight", 4, 2)
	cases := []struct {
		name    string
		config  string
		tensors []safetensors.Tensor
		raw     []byte // weights file bytes instead of tensors
		want    []string
	}{
		{"control", cfg, []safetensors.Tensor{qa, qb}, nil, nil},
		{"missing config", "", []safetensors.Tensor{qa, qb}, nil, []string{ConfigName, "no such file"}},
		{"missing weights", cfg, nil, nil, []string{WeightsName, "no such file"}},
		{"config not JSON", "{r:2}", []safetensors.Tensor{qa, qb}, nil, []string{ConfigName, "invalid character"}},
		{"not LoRA", strings.Replace(cfg, `"LORA"`, `"IA3"`, 1), []safetensors.Tensor{qa, qb}, nil, []string{`peft_type is "IA3"`}},
		{"missing B", cfg, []safetensors.Tensor{qa}, nil, []string{`module "l.q": has base_model.model.l.q.lora_A.weight but no base_model.model.l.q.lora_B.weight`}},
		{"missing A", cfg, []safetensors.Tensor{qb}, nil, []string{`module "l.q": has base_model.model.l.q.lora_B.weight but no base_model.model.l.q.lora_A.weight`}},
		{"A rank disagrees with r", cfg, []safetensors.Tensor{mat("base_model.model.l.q.lora_A.weight", 3, 3), qb}, nil, []string{"lora_A has shape [3 3]: 3 rows, but the rank for this module is 2 (r)"}},
		{"B rank disagrees with r", cfg, []safetensors.Tensor{qa, mat("base_model.model.l.q.lora_B.weight", 4, 1)}, nil, []string{"lora_B has shape [4 1]: 1 columns, but the rank for this module is 2"}},
		{"A not a matrix", cfg, []safetensors.Tensor{safetensors.FromFloat32("base_model.model.l.q.lora_A.weight", []int{6}, make([]float32, 6)), qb}, nil, []string{"has shape [6], want a matrix"}},
		{"Conv2d A with a Linear B", cfg, []safetensors.Tensor{convT("base_model.model.l.q.lora_A.weight", 2, 1, 1, 3), qb}, nil, []string{"a Conv2d module needs lora_A (r, C, KH, KW) and lora_B (out, r, 1, 1)"}},
		{"Conv2d B not 1x1", cfg, []safetensors.Tensor{convT("base_model.model.l.q.lora_A.weight", 2, 1, 1, 3), convT("base_model.model.l.q.lora_B.weight", 4, 2, 3, 1)}, nil, []string{"lora_B [4 2 3 1]: a Conv2d module needs"}},
		{"Conv2d B rank disagrees with r", cfg, []safetensors.Tensor{convT("base_model.model.l.q.lora_A.weight", 2, 1, 1, 3), convT("base_model.model.l.q.lora_B.weight", 4, 1, 1, 1)}, nil, []string{"lora_B has shape [4 1 1 1]: 1 columns, but the rank for this module is 2"}},
		{"integer dtype", cfg, []safetensors.Tensor{qa, {Name: "base_model.model.l.q.lora_B.weight", DType: safetensors.I32, Shape: []int{4, 2}, Data: make([]byte, 32)}}, nil, []string{"has dtype I32, want a float type"}},
		{"unknown key", cfg, []safetensors.Tensor{qa, qb, mat("base_model.model.l.k.weight", 1, 1)}, nil, []string{`unknown key "base_model.model.l.k.weight"`}},
		{"key without prefix", cfg, []safetensors.Tensor{qa, qb, mat("l.q.lora_A.weight", 2, 3)}, nil, []string{`unknown key "l.q.lora_A.weight" (PEFT keys start with "base_model.model.")`}},
		{"adapter name in key", cfg, []safetensors.Tensor{qa, qb, mat("base_model.model.l.v.lora_A.default.weight", 2, 3)}, nil, []string{"adapter name inside the key"}},
		{"DoRA key", cfg, []safetensors.Tensor{qa, qb, mat("base_model.model.l.q.lora_magnitude_vector", 1, 4)}, nil, []string{"DoRA"}},
		{"module not targeted", cfg, []safetensors.Tensor{mat("base_model.model.l.k.lora_A.weight", 2, 3), mat("base_model.model.l.k.lora_B.weight", 4, 2)}, nil, []string{`module "l.k": not selected by target_modules ["q" "v"]`}},
		{"no LoRA weights", cfg, []safetensors.Tensor{mat("base_model.model.head.weight", 1, 1)}, nil, []string{"holds no lora_A/lora_B weights"}},
		{"corrupt weights", cfg, nil, []byte("\x05\x00\x00\x00\x00\x00\x00\x00{}"), []string{"header length 5 runs past the end"}},
		{"several problems at once", strings.Replace(cfg, `"r":2`, `"r":2,"use_dora":true`, 1),
			[]safetensors.Tensor{qa, mat("base_model.model.l.v.lora_B.weight", 4, 2), mat("base_model.model.x", 1, 1)}, nil,
			[]string{"DoRA adapters are not supported", `module "l.q": has base_model.model.l.q.lora_A.weight but no`, `module "l.v": has base_model.model.l.v.lora_B.weight but no`, `unknown key "base_model.model.x"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeDir(t, c.config, c.tensors)
			if c.raw != nil {
				os.WriteFile(filepath.Join(dir, WeightsName), c.raw, 0o644)
			}
			a, err := Load(dir)
			if c.want == nil {
				require.NoError(t, err)
				if a.Modules["l.q"].InFeatures != 3 || a.Modules["l.q"].OutFeatures != 4 {
					t.Fatalf("control: %+v", a.Modules["l.q"])
				}
				return
			}
			require.Error(t, err, "accepted")
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v\nwant containing %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("error does not name the directory: %v", err)
			}
		})
	}
	// modules_to_save tensors are kept.
	dir := writeDir(t, cfg, []safetensors.Tensor{qa, qb, mat("base_model.model.head.modules_to_save.weight", 2, 2)})
	a, err := Load(dir)
	require.NoError(t, err)
	if _, ok := a.Extra["base_model.model.head.modules_to_save.weight"]; !ok {
		t.Fatal("modules_to_save tensor dropped")
	}
}

func TestSaveInvalid(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "adapter")
	good := randomAdapter(1)
	require.NoError(t, good.Save(dir))
	before, _ := os.ReadFile(filepath.Join(dir, WeightsName))
	cases := []struct {
		name   string
		mutate func(a *LoRAAdapter)
		want   string
	}{
		{"A too short", func(a *LoRAAdapter) {
			a.Modules["model.layers.0.self_attn.q_proj"].A = a.Modules["model.layers.0.self_attn.q_proj"].A[1:]
		}, "A has"},
		{"B wrong for rank_pattern", func(a *LoRAAdapter) { w := a.Modules["model.layers.1.mlp.fc1"]; w.B = append(w.B, 0) }, "B has"},
		{"NaN", func(a *LoRAAdapter) { a.Modules["model.layers.0.self_attn.v_proj"].B[0] = math.NaN() }, "B[0] is NaN"},
		{"not targeted", func(a *LoRAAdapter) { a.Modules["model.k_proj"] = a.Modules["model.layers.0.self_attn.q_proj"] }, "not selected by target_modules"},
		{"prefixed name", func(a *LoRAAdapter) { a.Modules[KeyPrefix+"q_proj"] = a.Modules["model.layers.0.self_attn.q_proj"] }, "not a module path"},
		{"stray extra", func(a *LoRAAdapter) {
			a.Extra["base_model.model.other.weight"] = safetensors.FromFloat32("", []int{1}, []float32{1})
		}, "belongs to no modules_to_save"},
		{"no modules", func(a *LoRAAdapter) { a.Modules = map[string]*LoRAWeights{} }, "no modules"},
		{"bad config", func(a *LoRAAdapter) { a.Config.R = -1 }, "r is -1"},
		{"kernel disagrees with in", func(a *LoRAAdapter) {
			w := a.Modules["model.layers.0.self_attn.q_proj"]
			w.Kernel = []int{1, 1, w.InFeatures + 1}
		}, "C·KH·KW ="},
		{"kernel not 3-D", func(a *LoRAAdapter) { a.Modules["model.layers.0.self_attn.q_proj"].Kernel = []int{1} }, "want (in channels, kernel height, kernel width)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := randomAdapter(1)
			c.mutate(a)
			err := a.Save(dir)
			require.ErrorContains(t, err, c.want)
			after, _ := os.ReadFile(filepath.Join(dir, WeightsName))
			if string(after) != string(before) {
				t.Fatal("existing adapter changed")
			}
			if ents, _ := os.ReadDir(parent); len(ents) != 1 {
				t.Fatalf("litter: %v", ents)
			}
		})
	}
	if err := good.SaveAs(dir, safetensors.F16); err == nil {
		t.Fatal("F16 save accepted")
	}
}
