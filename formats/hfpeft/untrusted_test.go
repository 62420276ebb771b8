//go:build unix

package hfpeft_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/formats/hfpeft"
)

// TestLoadUntrustedDirectory: Load reads only regular files inside the adapter directory.
func TestLoadUntrustedDirectory(t *testing.T) {
	a := hfpeft.New(hfpeft.DefaultConfig(1, 2, "q_proj"))
	a.Modules["encoder.layer.0.q_proj"] = &hfpeft.LoRAWeights{InFeatures: 3, OutFeatures: 2, A: []float64{1, 0, -1}, B: []float64{0.5, 2}}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  []string
	}{
		{"config links out", func(t *testing.T, dir string) {
			other := filepath.Join(t.TempDir(), hfpeft.ConfigName)
			require.NoError(t, os.Rename(filepath.Join(dir, hfpeft.ConfigName), other))
			require.NoError(t, os.Symlink(other, filepath.Join(dir, hfpeft.ConfigName)))
		}, []string{"leads to", "outside"}},
		{"config is a FIFO", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, hfpeft.ConfigName)))
			require.NoError(t, syscall.Mkfifo(filepath.Join(dir, hfpeft.ConfigName), 0o644))
		}, []string{"named pipe"}},
		{"weights are a FIFO", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, hfpeft.WeightsName)))
			require.NoError(t, syscall.Mkfifo(filepath.Join(dir, hfpeft.WeightsName), 0o644))
		}, []string{"named pipe"}},
		{"weights link to a device", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, hfpeft.WeightsName)))
			require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, hfpeft.WeightsName)))
		}, []string{"leads to /dev/zero"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "lora")
			require.NoError(t, a.Save(dir))
			_, err := hfpeft.Load(dir)
			require.NoError(t, err)
			tc.setup(t, dir)
			_, err = hfpeft.Load(dir)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
