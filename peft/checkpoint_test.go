package peft

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/formats/safetensors"
)

var ckShapes = []ModuleShape{{"enc.0.q", 16, 16}, {"enc.0.v", 12, 16}, {"enc.1.q", 16, 16}}

func TestCheckpointRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	for _, cfg := range []Config{
		{Method: MethodQuantumPEFT, Rank: 4, Layers: 2, Seed: 1},
		{Method: MethodQuantumPEFT, Rank: 3, Alpha: 6, Layers: 1, CS: 1, ActiveRank: 2, PruneStep: 4, QuantBits: 8, Seed: 2},
		{Method: MethodQuantumPEFT, Rank: 3, Map: "taylor", TaylorOrder: 5, Seed: 3},
		{Method: MethodLoRA, Rank: 2, Alpha: 4, Seed: 4},
		{Method: MethodAdaLoRA, Rank: 3, ActiveRank: 2, OrthWeight: 0.1, Seed: 5},
	} {
		ck, err := NewCheckpoint(cfg, "base/model", ckShapes)
		require.NoError(t, err)
		for _, m := range ck.Modules {
			randomizeState(rng, m.Adapter)
		}
		if cfg.PruneStep > 0 {
			require.NoError(t, ck.Modules[0].Adapter.(Prunable).OnStep(cfg.PruneStep))
		}
		dir := filepath.Join(t.TempDir(), "ck")
		require.NoError(t, ck.Save(dir))
		// Saving again over an existing directory replaces it atomically.
		require.NoError(t, ck.Save(dir))
		back, err := Load(dir)
		require.NoError(t, err)
		require.Equal(t, "base/model", back.BaseModel, "%s: loaded %+v", cfg.Method, back)
		require.Len(t, back.Modules, 3, "%s: loaded %+v", cfg.Method, back)
		require.Equal(t, cfg.Method, back.Config.Method, "%s: loaded %+v", cfg.Method, back)
		for _, m := range ck.Modules {
			b := back.Module(m.Name)
			require.NotNil(t, b, "%s: module %s lost", cfg.Method, m.Name)
			for i, p := range m.Adapter.Params() {
				assert.Equal(t, p.Value, b.Params()[i].Value, "%s %s: %s differs after the round trip", cfg.Method, m.Name, p.Name)
			}
			assert.Equal(t, activeRanks(m.Adapter), activeRanks(b), "%s %s: active ranks", cfg.Method, m.Name)
			w1, err := DeltaW(m.Adapter)
			require.NoError(t, err)
			w2, err := DeltaW(b)
			require.NoError(t, err)
			assert.Equal(t, w1, w2, "%s %s: ΔW differs after the round trip", cfg.Method, m.Name)
		}
		entries, _ := os.ReadDir(filepath.Dir(dir))
		assert.Len(t, entries, 1, "leftover files next to the checkpoint")
	}
}

// TestCheckpointReportsEveryMismatch damages a checkpoint in several ways at once and
// expects every problem in the error.
func TestCheckpointReportsEveryMismatch(t *testing.T) {
	cfg := Config{Method: MethodQuantumPEFT, Rank: 4, Layers: 2, Seed: 1}
	ck, err := NewCheckpoint(cfg, "", ckShapes)
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "ck")
	require.NoError(t, ck.Save(dir))
	// Rewrite the weights: drop one tensor, reshape another, add a stray one.
	f, err := safetensors.Open(filepath.Join(dir, WeightsFile))
	require.NoError(t, err)
	var ts []safetensors.Tensor
	for _, info := range f.Tensors() {
		v, err := f.Float64(info.Name)
		require.NoError(t, err)
		switch info.Name {
		case "enc.0.q.lambda":
			continue
		case "enc.0.v.theta_U":
			ts = append(ts, safetensors.FromFloat64(info.Name, []int{len(v) + 1}, append(v, 0)))
			continue
		}
		ts = append(ts, safetensors.FromFloat64(info.Name, info.Shape, v))
	}
	f.Close()
	ts = append(ts, safetensors.FromFloat64("enc.2.q.lambda", []int{4}, make([]float64, 4)))
	require.NoError(t, safetensors.WriteFile(filepath.Join(dir, WeightsFile), ts, nil))
	// And the config: a wrong parameter count for a module.
	raw, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	mods := m["modules"].(map[string]any)
	mods["enc.1.q"].(map[string]any)["trainable_params"] = 7
	raw, _ = json.Marshal(m)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigFile), raw, 0o644))

	_, err = Load(dir)
	require.Error(t, err, "damaged checkpoint loaded")
	for _, want := range []string{
		"tensor enc.0.q.lambda: missing",
		"tensor enc.0.v.theta_U: shape [",
		"tensor enc.2.q.lambda: not a parameter",
		"module enc.1.q: trainable_params is 7",
	} {
		assert.ErrorContains(t, err, want)
	}
}

func TestCheckpointConfigErrors(t *testing.T) {
	cfg := Config{Method: MethodLoRA, Rank: 2, Seed: 1}
	ck, err := NewCheckpoint(cfg, "", ckShapes)
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "ck")
	require.NoError(t, ck.Save(dir))
	raw, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
	for _, tc := range []struct{ from, to, want string }{
		{`"peft_type": "QUANTUM_PEFT"`, `"peft_type": "LORA"`, "peft_type is \"LORA\""},
		{`"rank": 2`, `"rank": 2, "bogus": 1`, "unknown field \"bogus\""},
		{`"method": "lora"`, `"method": "dora"`, "unknown method"},
		{`"enc.0.q",`, ``, "disagree"},
	} {
		bad := strings.Replace(string(raw), tc.from, tc.to, 1)
		require.NotEqual(t, string(raw), bad, "fixture %q not found", tc.from)
		require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigFile), []byte(bad), 0o644))
		_, err := Load(dir)
		assert.ErrorContains(t, err, tc.want, "config edited from %s to %s", tc.from, tc.to)
	}
	_, err = Load(filepath.Join(t.TempDir(), "none"))
	assert.Error(t, err, "missing directory loaded")
}

func TestCheckpointCheck(t *testing.T) {
	ck, err := NewCheckpoint(Config{Method: MethodLoRA, Rank: 2}, "", ckShapes)
	require.NoError(t, err)
	model := []ModuleShape{{"enc.0.q", 16, 16}, {"enc.0.v", 16, 16}, {"enc.2.q", 8, 8}}
	err = ck.Check(model, true)
	for _, want := range []string{"enc.0.v: the adapter is 12x16", "enc.1.q: not in the model", "enc.2.q: the model has it"} {
		assert.ErrorContains(t, err, want)
	}
	assert.NoError(t, ck.Check(ckShapes, true), "matching model")
	_, err = NewCheckpoint(Config{Method: MethodLoRA, Rank: 2}, "", []ModuleShape{{"a", 4, 4}, {"a", 4, 4}})
	assert.Error(t, err, "duplicate module accepted")
}

// TestCheckpointCircuits: the config holds every ansatz circuit as OpenQASM 3 text; a user
// ansatz is read back from that text; an edited Pauli circuit is reported.
func TestCheckpointCircuits(t *testing.T) {
	user16 := circuit.New(4).H(0).CX(0, 1).RY("a", 1).CZ(1, 2).RY("b", 2).Swap(2, 3).RY("c", 3).RY("a", 0)
	user8 := circuit.New(3).RY("x", 0).CX(0, 2).RY("y", 2)
	rng := rand.New(rand.NewPCG(73, 74))
	for _, cfg := range []Config{
		{Method: MethodQuantumPEFT, Rank: 3, Layers: 2, Seed: 1},
		{Method: MethodQuantumPEFT, Rank: 3, Map: "circuit", Circuits: map[int]*circuit.Circuit{16: user16, 8: user8}, Seed: 2},
	} {
		shapes := []ModuleShape{{"a", 16, 16}, {"b", 8, 16}}
		if cfg.Map == "" {
			shapes = append(shapes, ModuleShape{"c", 12, 16})
		}
		ck, err := NewCheckpoint(cfg, "", shapes)
		require.NoError(t, err)
		for _, m := range ck.Modules {
			randomizeState(rng, m.Adapter)
		}
		dir := filepath.Join(t.TempDir(), "ck")
		require.NoError(t, ck.Save(dir))
		raw, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
		var fc fileConfig
		require.NoError(t, json.Unmarshal(raw, &fc))
		for id, text := range fc.Circuits {
			assert.True(t, strings.HasPrefix(text, "OPENQASM 3"), "circuit %s is not OpenQASM 3:\n%s", id, text)
		}
		back, err := Load(dir)
		require.NoError(t, err)
		for _, m := range ck.Modules {
			w1, _ := DeltaW(m.Adapter)
			w2, err := DeltaW(back.Module(m.Name))
			require.NoError(t, err)
			assert.Equal(t, w1, w2, "%s: ΔW differs after the round trip", m.Name)
		}
		if cfg.Map == "" {
			// 16 → 4 qubits; 8 → 3 qubits; 12 = 8 + 4 → 3 and 2 qubits.
			assert.Len(t, fc.Circuits, 3, "circuits %v, want pauli_q2_L2, pauli_q3_L2, pauli_q4_L2", keysOf(fc.Circuits))
			// Edit the canonical circuit: the loader must refuse it.
			id := "pauli_q4_L2"
			require.Contains(t, fc.Circuits, id)
			text := fc.Circuits[id]
			edited := strings.Replace(string(raw), jsonString(text), jsonString(strings.Replace(text, "cz q[0], q[1];", "cx q[0], q[1];", 1)), 1)
			require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigFile), []byte(edited), 0o644))
			_, err := Load(dir)
			assert.ErrorContains(t, err, "differs from the built-in ansatz the config names", "edited Pauli circuit")
		}
	}
}

func keysOf(m map[string]string) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	return k
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
