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
