//go:build unix

package outdir

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFIFOMarker checks that a FIFO where the marker should be is refused, not read (reading
// it would block the command forever).
func TestFIFOMarker(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	put(t, out, map[string]string{"./": ""})
	require.NoError(t, syscall.Mkfifo(filepath.Join(out, MarkerFile), 0o644))
	err := CheckReplace(out, "--out")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unreadable marker")
}
