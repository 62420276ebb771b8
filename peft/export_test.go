package peft

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/formats/hfpeft"
	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/peft/ansatz"
)

// TestExportLoRA: an exported adapter, reloaded by the project's own PEFT LoRA loader
// (hfpeft.Load), reproduces ΔW to 1e-6 (float32 weights) and exactly up to rounding with
// float64 weights, for every method, power-of-two and other shapes, and modules of
// different active ranks (rank_pattern).
func TestExportLoRA(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	shapes := []ModuleShape{{"model.layers.0.q_proj", 16, 16}, {"model.layers.0.v_proj", 12, 16}, {"model.layers.1.q_proj", 16, 16}}
	for _, cfg := range []Config{
		{Method: MethodQuantumPEFT, Rank: 4, Layers: 2, Seed: 1},
		{Method: MethodQuantumPEFT, Rank: 4, Alpha: 2, Layers: 1, ActiveRank: 3, PruneStep: 5, Seed: 2},
		{Method: MethodQuantumPEFT, Rank: 3, Map: "taylor", TaylorOrder: 3, Seed: 3},
		{Method: MethodQuantumPEFT, Rank: 4, Layers: 2, Ansatz: ansatz.FamilyGivens, Start: StartRotated, Seed: 6},
		{Method: MethodQuantumPEFT, Rank: 4, Layers: 1, Ansatz: ansatz.FamilyAllToAll, Seed: 7},
		{Method: MethodLoRA, Rank: 4, Alpha: 8, Seed: 4},
		{Method: MethodAdaLoRA, Rank: 4, Seed: 5},
	} {
		ck, err := NewCheckpoint(cfg, "tiny/base", shapes)
		mustNoErr(t, err)
		for _, m := range ck.Modules {
			randomizeState(rng, m.Adapter)
		}
		if cfg.PruneStep > 0 {
			// Prune one module only, so the export needs a rank_pattern entry.
			mustNoErr(t, ck.Modules[1].Adapter.(Prunable).OnStep(cfg.PruneStep))
		}
		for _, dt := range []struct {
			dt  safetensors.DType
			tol float64
		}{{safetensors.F32, 1e-6}, {safetensors.F64, 1e-14}} {
			dir := filepath.Join(t.TempDir(), "lora")
			mustNoErr(t, ExportLoRAAs(dir, ck.Modules, "tiny/base", dt.dt))
			back, err := hfpeft.Load(dir)
			mustNoErr(t, err)
			for _, m := range ck.Modules {
				want, err := DeltaW(m.Adapter)
				mustNoErr(t, err)
				got, err := back.DeltaW(m.Name)
				mustNoErr(t, err)
				if d := maxAbsDiff(got, want); d > dt.tol {
					t.Errorf("%s %s %v: ΔW differs by %g", cfg.Method, m.Name, dt.dt, d)
				}
				if r, want := back.Config.RankFor(m.Name), len(activeRanks(m.Adapter)); r != want {
					t.Errorf("%s %s: exported rank %d, want %d", cfg.Method, m.Name, r, want)
				}
				if s := back.Config.Scale(m.Name); s != 1 {
					t.Errorf("%s %s: exported scale %v, want 1 (r = lora_alpha)", cfg.Method, m.Name, s)
				}
			}
			if back.Config.BaseModelNameOrPath != "tiny/base" || len(back.ModuleNames()) != 3 {
				t.Errorf("config %+v", back.Config)
			}
		}
	}
	if err := ExportLoRA(t.TempDir(), nil, ""); err == nil {
		t.Error("empty export accepted")
	}
}

// TestExportLoRAConv: a module with a Kernel is exported with PEFT's Conv2d shapes and its
// ΔW reloads unchanged (out × C·KH·KW, the row-major order of a Conv2d weight); a kernel
// that does not match the adapter's inputs is refused by name.
func TestExportLoRAConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(63, 64))
	ck, err := NewCheckpoint(Config{Method: MethodQuantumPEFT, Rank: 4, Layers: 1, Seed: 1}, "tiny/cnn",
		[]ModuleShape{{"conv1", 8, 25}, {"fc", 10, 16}})
	mustNoErr(t, err)
	for _, m := range ck.Modules {
		randomizeState(rng, m.Adapter)
	}
	mods := append([]Module(nil), ck.Modules...)
	mods[0].Kernel = []int{1, 5, 5}
	dir := filepath.Join(t.TempDir(), "lora")
	mustNoErr(t, ExportLoRAAs(dir, mods, "tiny/cnn", safetensors.F64))
	back, err := hfpeft.Load(dir)
	mustNoErr(t, err)
	if k := back.Modules["conv1"].Kernel; len(k) != 3 || k[0] != 1 || k[1] != 5 || k[2] != 5 {
		t.Fatalf("conv1 kernel read back as %v", k)
	}
	if k := back.Modules["fc"].Kernel; k != nil {
		t.Fatalf("fc kernel read back as %v", k)
	}
	for _, m := range mods {
		want, err := DeltaW(m.Adapter)
		mustNoErr(t, err)
		got, err := back.DeltaW(m.Name)
		mustNoErr(t, err)
		if d := maxAbsDiff(got, want); d > 1e-14 {
			t.Errorf("%s: ΔW differs by %g", m.Name, d)
		}
	}
	mods[0].Kernel = []int{1, 5, 4}
	err = ExportLoRA(filepath.Join(t.TempDir(), "bad"), mods, "tiny/cnn")
	if err == nil || !strings.Contains(err.Error(), "conv1: kernel [1 5 4] does not match the adapter's 25 inputs") {
		t.Fatalf("mismatched kernel: %v", err)
	}
}
