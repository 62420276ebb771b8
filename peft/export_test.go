package peft

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		require.NoError(t, err)
		for _, m := range ck.Modules {
			randomizeState(rng, m.Adapter)
		}
		if cfg.PruneStep > 0 {
			// Prune one module only, so the export needs a rank_pattern entry.
			require.NoError(t, ck.Modules[1].Adapter.(Prunable).OnStep(cfg.PruneStep))
		}
		for _, dt := range []struct {
			dt  safetensors.DType
			tol float64
		}{{safetensors.F32, 1e-6}, {safetensors.F64, 1e-14}} {
			dir := filepath.Join(t.TempDir(), "lora")
			require.NoError(t, ExportLoRAAs(dir, ck.Modules, "tiny/base", dt.dt))
			back, err := hfpeft.Load(dir)
			require.NoError(t, err)
			for _, m := range ck.Modules {
				want, err := DeltaW(m.Adapter)
				require.NoError(t, err)
				got, err := back.DeltaW(m.Name)
				require.NoError(t, err)
				assert.LessOrEqual(t, maxAbsDiff(got, want), dt.tol, "%s %s %v: max |ΔW difference|", cfg.Method, m.Name, dt.dt)
				assert.Equal(t, len(activeRanks(m.Adapter)), back.Config.RankFor(m.Name), "%s %s: exported rank", cfg.Method, m.Name)
				assert.Equal(t, 1.0, back.Config.Scale(m.Name), "%s %s: exported scale, want 1 (r = lora_alpha)", cfg.Method, m.Name)
			}
			assert.Equal(t, "tiny/base", back.Config.BaseModelNameOrPath, "config %+v", back.Config)
			assert.Len(t, back.ModuleNames(), 3, "config %+v", back.Config)
		}
	}
	assert.Error(t, ExportLoRA(t.TempDir(), nil, ""), "empty export accepted")
}

// TestExportLoRAConv: a module with a Kernel is exported with PEFT's Conv2d shapes and its
// ΔW reloads unchanged (out × C·KH·KW, the row-major order of a Conv2d weight); a kernel
// that does not match the adapter's inputs is refused by name.
func TestExportLoRAConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(63, 64))
	ck, err := NewCheckpoint(Config{Method: MethodQuantumPEFT, Rank: 4, Layers: 1, Seed: 1}, "tiny/cnn",
		[]ModuleShape{{"conv1", 8, 25}, {"fc", 10, 16}})
	require.NoError(t, err)
	for _, m := range ck.Modules {
		randomizeState(rng, m.Adapter)
	}
	mods := append([]Module(nil), ck.Modules...)
	mods[0].Kernel = []int{1, 5, 5}
	dir := filepath.Join(t.TempDir(), "lora")
	require.NoError(t, ExportLoRAAs(dir, mods, "tiny/cnn", safetensors.F64))
	back, err := hfpeft.Load(dir)
	require.NoError(t, err)
	require.Equal(t, []int{1, 5, 5}, back.Modules["conv1"].Kernel, "conv1 kernel read back")
	require.Nil(t, back.Modules["fc"].Kernel, "fc kernel read back")
	for _, m := range mods {
		want, err := DeltaW(m.Adapter)
		require.NoError(t, err)
		got, err := back.DeltaW(m.Name)
		require.NoError(t, err)
		assert.LessOrEqual(t, maxAbsDiff(got, want), 1e-14, "%s: max |ΔW difference|", m.Name)
	}
	mods[0].Kernel = []int{1, 5, 4}
	err = ExportLoRA(filepath.Join(t.TempDir(), "bad"), mods, "tiny/cnn")
	require.ErrorContains(t, err, "conv1: kernel [1 5 4] does not match the adapter's 25 inputs", "mismatched kernel")
}
