//go:build unix

package peft

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
)

// TestLoadUntrustedDirectory: an adapter directory is untrusted input. Load reads only
// regular files inside it (no FIFO, device or link out of it, so it can neither block nor
// read elsewhere), and the includes of its circuits stay inside it.
func TestLoadUntrustedDirectory(t *testing.T) {
	user8 := circuit.New(3).RY("x", 0).CX(0, 2).RY("y", 2)
	cfg := Config{Method: MethodQuantumPEFT, Rank: 2, Map: "circuit", Circuits: map[int]*circuit.Circuit{8: user8}, Seed: 2}
	ck, err := NewCheckpoint(cfg, "", []ModuleShape{{"a", 8, 8}})
	require.NoError(t, err)

	// withInclude rewrites the stored circuit so that it includes name.
	withInclude := func(t *testing.T, dir, name string) {
		path := filepath.Join(dir, ConfigFile)
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		var fc map[string]any
		require.NoError(t, json.Unmarshal(raw, &fc))
		circuits := fc["circuits"].(map[string]any)
		text := circuits["user_dim8"].(string)
		nl := strings.IndexByte(text, '\n')
		circuits["user_dim8"] = text[:nl+1] + "include \"" + name + "\";\n" + text[nl+1:]
		out, err := json.Marshal(fc)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, out, 0o644))
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  []string
	}{
		{"include /dev/stdin", func(t *testing.T, dir string) { withInclude(t, dir, "/dev/stdin") },
			[]string{"circuits.user_dim8", "cannot include \"/dev/stdin\"", "outside"}},
		{"include a FIFO in the directory", func(t *testing.T, dir string) {
			require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "gates.inc"), 0o644))
			withInclude(t, dir, "gates.inc")
		}, []string{"circuits.user_dim8", "named pipe (FIFO), not a regular file"}},
		{"include .. out of the directory", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(dir), "up.inc"), []byte("gate up a { h a; }\n"), 0o644))
			withInclude(t, dir, "../up.inc")
		}, []string{"circuits.user_dim8", "outside"}},
		{"config links out", func(t *testing.T, dir string) {
			other := filepath.Join(t.TempDir(), ConfigFile)
			require.NoError(t, os.Rename(filepath.Join(dir, ConfigFile), other))
			require.NoError(t, os.Symlink(other, filepath.Join(dir, ConfigFile)))
		}, []string{ConfigFile + " leads to", "outside"}},
		{"config is a FIFO", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, ConfigFile)))
			require.NoError(t, syscall.Mkfifo(filepath.Join(dir, ConfigFile), 0o644))
		}, []string{ConfigFile, "named pipe"}},
		{"weights are a FIFO", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, WeightsFile)))
			require.NoError(t, syscall.Mkfifo(filepath.Join(dir, WeightsFile), 0o644))
		}, []string{WeightsFile, "named pipe"}},
		{"weights link to a device", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, WeightsFile)))
			require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, WeightsFile)))
		}, []string{"leads to /dev/zero"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "adapter")
			require.NoError(t, ck.Save(dir))
			_, err := Load(dir)
			require.NoError(t, err, "the saved adapter loads before it is tampered with")
			tc.setup(t, dir)
			_, err = Load(dir)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
