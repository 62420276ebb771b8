package peft

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/internal/fuzzcheck"
	"github.com/qpeft/qpeft/sim"
)

// fuzzMemoryLimit is the memory limit while fuzzing the loader: an adapter that needs more
// must be refused with the memory-limit error, not built.
const fuzzMemoryLimit = 64 << 20

// FuzzLoad fuzzes the adapter directory loader (Load) with an arbitrary
// adapter_config.json and adapter_model.safetensors written to a temporary directory, as a
// downloaded adapter would be. It must never panic, never allocate far beyond the memory
// limit and what the files hold, and report every refusal as an error naming the
// directory. A directory it accepts holds a valid config, finite weights, parameter counts
// that agree with CountParams, and saves and loads back unchanged.
//
// Seeds are checkpoints of every method (Quantum-PEFT with the Pauli, Taylor and circuit
// maps, a rank mask and angle quantisation; LoRA; AdaLoRA) written by Save.
func FuzzLoad(f *testing.F) {
	user4 := circuit.New(2).RY("a", 0).CX(0, 1).RY("b", 1)
	for _, cfg := range []Config{
		{Method: MethodQuantumPEFT, Rank: 2, Layers: 1, Seed: 1},
		{Method: MethodQuantumPEFT, Rank: 2, Alpha: 3, Layers: 1, CS: 1, ActiveRank: 1, PruneStep: 4, QuantBits: 8, Seed: 2},
		{Method: MethodQuantumPEFT, Rank: 2, Map: "taylor", TaylorOrder: 3, Seed: 3},
		{Method: MethodQuantumPEFT, Rank: 2, Map: "circuit", Circuits: map[int]*circuit.Circuit{4: user4}, Seed: 4},
		{Method: MethodLoRA, Rank: 1, Alpha: 2, Seed: 5},
		{Method: MethodAdaLoRA, Rank: 2, ActiveRank: 1, OrthWeight: 0.1, Seed: 6},
	} {
		ck, err := NewCheckpoint(cfg, "base", []ModuleShape{{"fc", 4, 4}})
		require.NoError(f, err)
		dir := filepath.Join(f.TempDir(), "ck")
		require.NoError(f, ck.Save(dir))
		js, err := os.ReadFile(filepath.Join(dir, ConfigFile))
		require.NoError(f, err)
		st, err := os.ReadFile(filepath.Join(dir, WeightsFile))
		require.NoError(f, err)
		f.Add(js, st)
		// The same adapter declared for a huge module: refused (the weights file does not
		// hold its parameters, or it exceeds the memory limit) before it is built.
		f.Add(bytes.Replace(js, []byte(`"out": 4`), []byte(`"out": 1073741824`), 1), st)
	}
	saved := sim.MemoryLimit
	sim.MemoryLimit = fuzzMemoryLimit
	f.Cleanup(func() { sim.MemoryLimit = saved })

	f.Fuzz(func(t *testing.T, js, st []byte) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigFile), js, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, WeightsFile), st, 0o644))

		defer fuzzcheck.Watch(t, "FuzzLoad")()
		var ck *Checkpoint
		var err error
		alloc := fuzzcheck.Allocated(func() { ck, err = Load(dir) })
		// Allocation is bounded by the memory limit (one adapter at a time, a few copies)
		// and a multiple of the input, whatever the input declares.
		bound := uint64(8*fuzzMemoryLimit + 200*(len(js)+len(st)))
		require.LessOrEqual(t, alloc, bound, "Load allocated more than the limit allows")
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "peft: load "+dir), "error does not name the directory: %v", err)
			return
		}
		require.NoError(t, ck.Config.Validate())
		require.NotEmpty(t, ck.Modules)
		for _, m := range ck.Modules {
			out, in := m.Adapter.Dims()
			n, err := CountParams(ck.Config, out, in)
			require.NoError(t, err, "module %s", m.Name)
			assert.Equal(t, n, m.Adapter.NumTrainable(), "module %s: trainable parameters vs CountParams", m.Name)
			for _, p := range m.Adapter.Params() {
				for i, v := range p.Value {
					require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "module %s: %s[%d] = %v", m.Name, p.Name, i, v)
				}
			}
		}
		again := filepath.Join(t.TempDir(), "again")
		require.NoError(t, ck.Save(again))
		back, err := Load(again)
		require.NoError(t, err, "a loaded checkpoint does not load back after Save")
		require.Equal(t, ck.Config.Method, back.Config.Method)
		require.Equal(t, ck.BaseModel, back.BaseModel)
		require.Equal(t, ck.Shapes(), back.Shapes())
		for i, m := range ck.Modules {
			b := back.Modules[i].Adapter
			for k, p := range m.Adapter.Params() {
				assert.True(t, slices.Equal(p.Value, b.Params()[k].Value), "module %s: %s changed in the round trip", m.Name, p.Name)
			}
			assert.Equal(t, activeRanks(m.Adapter), activeRanks(b), "module %s: active ranks", m.Name)
		}
	})
}
