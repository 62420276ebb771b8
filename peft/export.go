package peft

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/qpeft/qpeft/formats/hfpeft"
	"github.com/qpeft/qpeft/formats/safetensors"
)

// Module is an adapter attached to a named module of a model (the module's path in the base
// model, e.g. "model.layers.0.self_attn.q_proj").
type Module struct {
	Name    string
	Adapter Adapter
	// Kernel is nil when the adapted map is a linear layer's weight and, when it is a
	// convolution's weight read as out × (C·KH·KW), the input channels, kernel height and
	// kernel width. Only the LoRA export uses it (to write the shapes of PEFT's Conv2d
	// layer); it is not part of the checkpoint.
	Kernel []int
}

// activeRanks returns the indices of an adapter's active ranks (all when it has no mask).
func activeRanks(a Adapter) []int {
	if p, ok := a.(Prunable); ok {
		return p.ActiveRanks()
	}
	idx := make([]int, a.Rank())
	for j := range idx {
		idx[j] = j
	}
	return idx
}

// ToLoRA converts adapters of any method into a Hugging Face PEFT LoRA adapter. Because
// ΔW = P·diag(D)·Qᵀ has rank at most r, it is exactly a LoRA update with
// lora_B = P·diag(D) (out × r′) and lora_A = Qᵀ (r′ × in) over the r′ active ranks, and
// r = lora_alpha = r′ so that PEFT's scale α/r is 1. For Quantum-PEFT that is
// lora_B = (α/K)·U·diag(λ), lora_A = Vᵀ. Modules whose r′ differs from the most common one
// get rank_pattern and alpha_pattern entries (their escaped full path). Modules with a
// Kernel are written as PEFT's Conv2d LoRA layer holds them (hfpeft.LoRAWeights.Kernel).
func ToLoRA(mods []Module, baseModel string) (*hfpeft.LoRAAdapter, error) {
	if len(mods) == 0 {
		return nil, fmt.Errorf("peft: no modules to export")
	}
	type conv struct {
		name string
		w    *hfpeft.LoRAWeights
		r    int
	}
	var convs []conv
	count := map[int]int{}
	seen := map[string]bool{}
	for _, m := range mods {
		if m.Name == "" {
			return nil, fmt.Errorf("peft: export: a module has no name")
		}
		if seen[m.Name] {
			return nil, fmt.Errorf("peft: export: module %q appears twice", m.Name)
		}
		seen[m.Name] = true
		var f Factors
		if err := m.Adapter.Factors(&f); err != nil {
			return nil, fmt.Errorf("peft: export %s: %w", m.Name, err)
		}
		act := activeRanks(m.Adapter)
		r := len(act)
		if r == 0 {
			return nil, fmt.Errorf("peft: export %s: no active rank", m.Name)
		}
		if k := m.Kernel; k != nil && (len(k) != 3 || k[0]*k[1]*k[2] != f.In) {
			return nil, fmt.Errorf("peft: export %s: kernel %v does not match the adapter's %d inputs (want channels, height, width with C·KH·KW = %d)", m.Name, k, f.In, f.In)
		}
		w := &hfpeft.LoRAWeights{InFeatures: f.In, OutFeatures: f.Out,
			A: make([]float64, r*f.In), B: make([]float64, f.Out*r), Kernel: m.Kernel}
		for jj, j := range act {
			for i := 0; i < f.In; i++ {
				w.A[jj*f.In+i] = f.QT[j*f.In+i]
			}
			for o := 0; o < f.Out; o++ {
				w.B[o*r+jj] = f.PT[j*f.Out+o] * f.D[j]
			}
		}
		convs = append(convs, conv{m.Name, w, r})
		count[r]++
	}
	common, best := 0, -1
	for r, c := range count {
		if c > best || (c == best && r > common) {
			common, best = r, c
		}
	}
	names := make([]string, 0, len(convs))
	for _, c := range convs {
		names = append(names, c.name)
	}
	sort.Strings(names)
	cfg := hfpeft.DefaultConfig(common, float64(common), names...)
	cfg.BaseModelNameOrPath = baseModel
	out := hfpeft.New(cfg)
	for _, c := range convs {
		out.Modules[c.name] = c.w
		if c.r != common {
			key := regexp.QuoteMeta(c.name)
			out.Config.RankPattern[key] = c.r
			out.Config.AlphaPattern[key] = float64(c.r)
		}
	}
	if err := out.Validate(); err != nil {
		return nil, fmt.Errorf("peft: export: %w", err)
	}
	return out, nil
}

// ExportLoRA writes the adapters as a Hugging Face PEFT LoRA adapter directory (float32
// weights, atomically), loadable with PeftModel.from_pretrained and with hfpeft.Load.
func ExportLoRA(dir string, mods []Module, baseModel string) error {
	return ExportLoRAAs(dir, mods, baseModel, safetensors.F32)
}

// ExportLoRAAs is ExportLoRA with a chosen weight dtype: safetensors.F32 (what PEFT writes)
// or safetensors.F64 (lossless).
func ExportLoRAAs(dir string, mods []Module, baseModel string, dt safetensors.DType) error {
	a, err := ToLoRA(mods, baseModel)
	if err != nil {
		return err
	}
	if err := a.SaveAs(dir, dt); err != nil {
		return fmt.Errorf("peft: export LoRA to %s: %w", dir, err)
	}
	return nil
}
