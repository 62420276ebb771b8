package peft

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/fuzzcheck"
	"github.com/qpeft/qpeft/sim"
)

// TestLoadRefusesHugeModules: an adapter_config.json that declares a module far larger
// than its weights file (an untrusted download) is refused with a message naming the
// module, without allocating the adapter (found by FuzzLoad: a LoRA config declaring a
// 2^30-row module made Load allocate 16 GiB).
func TestLoadRefusesHugeModules(t *testing.T) {
	saved := sim.MemoryLimit
	sim.MemoryLimit = 1 << 30
	t.Cleanup(func() { sim.MemoryLimit = saved })
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{Method: MethodLoRA, Rank: 1, Seed: 1}, "module fc: a 1073741824x4 adapter has 1073741828 parameters but adapter_model.safetensors holds 8 values for it"},
		{Config{Method: MethodAdaLoRA, Rank: 2, Seed: 2}, "module fc: a 1073741824x4 adapter has 2147483658 parameters but adapter_model.safetensors holds 18 values for it"},
		{Config{Method: MethodQuantumPEFT, Rank: 2, Layers: 1, Seed: 3}, "above the memory limit"},
	}
	for _, tc := range cases {
		t.Run(string(tc.cfg.Method), func(t *testing.T) {
			ck, err := NewCheckpoint(tc.cfg, "", []ModuleShape{{"fc", 4, 4}})
			require.NoError(t, err)
			dir := filepath.Join(t.TempDir(), "ck")
			require.NoError(t, ck.Save(dir))
			path := filepath.Join(dir, ConfigFile)
			js, err := os.ReadFile(path)
			require.NoError(t, err)
			huge := bytes.Replace(js, []byte(`"out": 4`), []byte(`"out": 1073741824`), 1)
			require.NotEqual(t, js, huge)
			require.NoError(t, os.WriteFile(path, huge, 0o644))
			alloc := fuzzcheck.Allocated(func() { _, err = Load(dir) })
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "used by no module")
			assert.NotContains(t, err.Error(), "differs")
			assert.NotContains(t, err.Error(), "not a parameter of any module")
			assert.Less(t, alloc, uint64(64<<20), "Load allocated %d bytes", alloc)
		})
	}
}
