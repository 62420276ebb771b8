package peft

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/formats/hfpeft"
	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/peft/ansatz"
)

// familyConfigs are Quantum-PEFT configurations with the other ansätze and the rotated start.
var familyConfigs = []Config{
	{Method: MethodQuantumPEFT, Rank: 3, Layers: 2, Ansatz: ansatz.FamilyGivens, Seed: 1},
	{Method: MethodQuantumPEFT, Rank: 3, Layers: 1, Ansatz: ansatz.FamilyAllToAll, Start: StartRotated, Seed: 2},
	{Method: MethodQuantumPEFT, Rank: 3, Layers: 2, Start: StartRotated, Seed: 3},
	{Method: MethodQuantumPEFT, Rank: 3, Layers: 2, Ansatz: ansatz.FamilyGivens, Start: StartRotated, Seed: 4},
}

// TestFamiliesGradCheck: the whole adapted layer with every family and start, against
// central finite differences of its forward pass.
func TestFamiliesGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(91, 92))
	for _, cfg := range familyConfigs {
		for _, sh := range []struct{ out, in, rows int }{{8, 8, 3}, {12, 20, 3}, {16, 6, 4}} {
			a, err := cfg.Build("m", sh.out, sh.in)
			require.NoError(t, err)
			randomizeState(rng, a)
			gradCheck(t, fmt.Sprintf("%s %dx%d", cfg.Label(), sh.out, sh.in), a, sh.out, sh.in, sh.rows, rng, 1e-6)
		}
	}
}

// TestFamiliesStartAtFrozen: whatever the ansatz and start, λ = 0 makes ΔW exactly zero.
func TestFamiliesStartAtFrozen(t *testing.T) {
	for _, cfg := range familyConfigs {
		a, err := cfg.Build("m", 12, 20)
		require.NoError(t, err)
		dw, err := DeltaW(a)
		require.NoError(t, err)
		for i, v := range dw {
			require.Zero(t, v, "%s: ΔW[%d]", cfg.Label(), i)
		}
	}
}

// TestFamiliesCheckpoint: checkpoints with the other ansätze and the rotated start record
// them, name their circuits after them, reload to the same ΔW, and refuse an edited
// rotation or a changed start.
func TestFamiliesCheckpoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(93, 94))
	for _, cfg := range familyConfigs {
		t.Run(cfg.Label(), func(t *testing.T) {
			ck, err := NewCheckpoint(cfg, "", []ModuleShape{{"a", 16, 16}, {"b", 12, 16}})
			require.NoError(t, err)
			for _, m := range ck.Modules {
				randomizeState(rng, m.Adapter)
			}
			dir := filepath.Join(t.TempDir(), "ck")
			require.NoError(t, ck.Save(dir))
			raw, err := os.ReadFile(filepath.Join(dir, ConfigFile))
			require.NoError(t, err)
			var fc fileConfig
			require.NoError(t, json.Unmarshal(raw, &fc))
			assert.Equal(t, cfg.Ansatz, fc.Ansatz)
			assert.Equal(t, cfg.Start, fc.Start)
			fam := cfg.Ansatz
			if fam == "" {
				fam = ansatz.FamilyPauli
			}
			id := fmt.Sprintf("%s_q4_L%d", fam, cfg.Layers)
			if cfg.Start == StartRotated {
				id += "_rot"
			}
			require.Contains(t, fc.Circuits, id)
			back, err := Load(dir)
			require.NoError(t, err)
			assert.Equal(t, cfg.Ansatz, back.Config.Ansatz)
			assert.Equal(t, cfg.Start, back.Config.Start)
			for _, m := range ck.Modules {
				w1, _ := DeltaW(m.Adapter)
				w2, err := DeltaW(back.Module(m.Name))
				require.NoError(t, err)
				assert.True(t, slices.Equal(w1, w2), "%s: ΔW differs after the round trip", m.Name)
			}
			// The start changed in the config: the stored circuits no longer match.
			other := strings.Replace(string(raw), `"seed": `, `"start": "identity", "seed": `, 1)
			if cfg.Start == StartRotated {
				other = strings.Replace(string(raw), `"start": "rotated"`, `"start": "identity"`, 1)
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigFile), []byte(other), 0o644))
			_, err = Load(dir)
			if cfg.Start == StartRotated {
				assert.ErrorContains(t, err, "is used by no module")
			} else {
				assert.NoError(t, err, "an explicit identity start is the default")
			}
			if cfg.Start == StartRotated {
				// An edited constant angle of the rotation.
				text := fc.Circuits[id]
				i := strings.LastIndex(text, "ry(")
				edited := strings.Replace(string(raw), jsonString(text), jsonString(text[:i]+"ry(0.125"+text[strings.Index(text[i:], ")")+i:]), 1)
				require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigFile), []byte(edited), 0o644))
				_, err = Load(dir)
				assert.ErrorContains(t, err, "differs from the built-in ansatz the config names")
			}
		})
	}
}

func TestFamiliesConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Method: MethodQuantumPEFT, Rank: 2, Start: "random"}, `unknown start "random"`},
		{Config{Method: MethodQuantumPEFT, Rank: 2, Ansatz: "brick"}, `unknown ansatz family "brick"`},
		{Config{Method: MethodLoRA, Rank: 2, Start: StartRotated}, "apply to quantum-peft only"},
		{Config{Method: MethodQuantumPEFT, Rank: 2, Map: "taylor", Start: StartRotated}, "apply to the built-in circuits (map pauli), not map taylor"},
	} {
		assert.ErrorContains(t, tc.cfg.Validate(), tc.want)
	}
	assert.Equal(t, "Quantum-PEFT L=2 K=3 (givens, rotated)", familyConfigs[3].Label())
	assert.Equal(t, "Quantum-PEFT L=2 K=3 (rotated)", familyConfigs[2].Label())
}

func TestRankPattern(t *testing.T) {
	c := Config{Method: MethodQuantumPEFT, Rank: 4, Layers: 1, Seed: 1,
		RankPattern: map[string]int{"fc1": 2, `layer\.[0-1]\.query`: 6, "value": 3}}
	for _, tc := range []struct {
		module string
		want   int
	}{
		{"fc1", 2}, {"model.fc1", 2}, {"fc10", 4}, {"xfc1", 4},
		{"encoder.layer.0.query", 6}, {"encoder.layer.2.query", 4}, {"encoder.layer.5.value", 3}, {"fc2", 4},
	} {
		assert.Equal(t, tc.want, c.RankFor(tc.module), tc.module)
	}
	assert.Equal(t, "Quantum-PEFT L=1 K=4 (fc1=2, layer\\.[0-1]\\.query=6, value=3)", c.Label())
	for _, tc := range []struct {
		pattern map[string]int
		want    string
	}{
		{map[string]int{"fc(": 2}, "is not a regular expression"},
		{map[string]int{"fc1": 0}, "fc1=0: the rank must be ≥ 1"},
		{map[string]int{"": 2}, "empty module pattern"},
	} {
		bad := c
		bad.RankPattern = tc.pattern
		assert.ErrorContains(t, bad.Validate(), tc.want)
	}

	// Every method: the modules get their ranks, the checkpoint and the LoRA export keep them.
	rng := rand.New(rand.NewPCG(95, 96))
	for _, m := range []Method{MethodQuantumPEFT, MethodLoRA, MethodAdaLoRA} {
		cfg := c
		cfg.Method = m
		if m != MethodQuantumPEFT {
			cfg.Layers = 0
		}
		ck, err := NewCheckpoint(cfg, "", []ModuleShape{{"fc1", 16, 16}, {"fc2", 8, 16}, {"encoder.layer.0.query", 12, 12}})
		require.NoError(t, err)
		for _, mod := range ck.Modules {
			randomizeState(rng, mod.Adapter)
		}
		assert.Equal(t, []int{2, 4, 6}, []int{ck.Module("fc1").Rank(), ck.Module("fc2").Rank(), ck.Module("encoder.layer.0.query").Rank()}, "%s", m)
		dir := filepath.Join(t.TempDir(), "ck")
		require.NoError(t, ck.Save(dir))
		back, err := Load(dir)
		require.NoError(t, err, "%s", m)
		assert.Equal(t, cfg.RankPattern, back.Config.RankPattern)
		for _, mod := range ck.Modules {
			w1, _ := DeltaW(mod.Adapter)
			w2, err := DeltaW(back.Module(mod.Name))
			require.NoError(t, err)
			assert.True(t, slices.Equal(w1, w2), "%s %s: ΔW after the round trip", m, mod.Name)
		}
		// A pattern removed from the config: the stored ranks no longer fit.
		raw, err := os.ReadFile(filepath.Join(dir, ConfigFile))
		require.NoError(t, err)
		edited := strings.Replace(string(raw), `"fc1": 2,`, "", 1)
		require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigFile), []byte(edited), 0o644))
		_, err = Load(dir)
		assert.ErrorContains(t, err, "module fc1: rank 2 in adapter_config.json, but the config's rank and rank_pattern give it 4", "%s", m)
		// The LoRA export gives each module its rank.
		ldir := filepath.Join(t.TempDir(), "lora")
		require.NoError(t, ExportLoRAAs(ldir, ck.Modules, "", safetensors.F64))
		lo, err := hfpeft.Load(ldir)
		require.NoError(t, err)
		for _, mod := range ck.Modules {
			assert.Equal(t, mod.Adapter.Rank(), lo.Config.RankFor(mod.Name), "%s %s: exported rank", m, mod.Name)
			want, _ := DeltaW(mod.Adapter)
			got, err := lo.DeltaW(mod.Name)
			require.NoError(t, err)
			assert.LessOrEqual(t, maxAbsDiff(got, want), 1e-13)
		}
	}
}
