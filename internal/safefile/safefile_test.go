//go:build unix

package safefile_test

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/safefile"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "a.txt")
	require.NoError(t, os.WriteFile(reg, []byte("hello"), 0o644))
	link := filepath.Join(dir, "link.txt")
	require.NoError(t, os.Symlink(reg, link))
	fifo := filepath.Join(dir, "fifo")
	if runtime.GOOS != "windows" {
		require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	}
	for _, tc := range []struct {
		name, path string
		limit      int64
		want       string // error words; "" for success
	}{
		{"regular", reg, -1, ""},
		{"regular at the limit", reg, 5, ""},
		{"over the limit", reg, 4, "larger than 4 bytes"},
		{"zero limit", reg, 0, "larger than 0 bytes"},
		{"symlink to regular", link, -1, ""},
		{"directory", dir, 0, "a directory, not a regular file"},
		{"fifo", fifo, 0, "named pipe (FIFO), not a regular file"},
		{"device", "/dev/null", 0, "character device, not a regular file"},
		{"stdin", "/dev/stdin", 0, "not a regular file"},
		{"missing", filepath.Join(dir, "nope"), 0, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && (tc.name == "fifo" || tc.name == "device" || tc.name == "stdin") {
				t.Skip("no FIFOs or /dev on Windows")
			}
			b, err := safefile.ReadFile(tc.path, tc.limit)
			if tc.want == "" {
				require.NoError(t, err)
				assert.Equal(t, "hello", string(b))
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestWithin(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "lib"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "lib", "in.inc"), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret"), nil, 0o644))
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "escape")))
	require.NoError(t, os.Symlink(filepath.Join(root, "lib", "in.inc"), filepath.Join(root, "inside")))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "outdir")))
	for _, tc := range []struct {
		name, path string
		want       bool
	}{
		{"file below", filepath.Join(root, "lib", "in.inc"), true},
		{"root itself", root, true},
		{"dot-dot back inside", filepath.Join(root, "lib", "..", "lib", "in.inc"), true},
		{"dot-dot escape", filepath.Join(root, "..", filepath.Base(outside), "secret"), false},
		{"absolute outside", filepath.Join(outside, "secret"), false},
		{"symlink escaping", filepath.Join(root, "escape"), false},
		{"symlink inside", filepath.Join(root, "inside"), true},
		{"through a linked directory", filepath.Join(root, "outdir", "secret"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := safefile.Within(root, tc.path)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := safefile.Within(root, filepath.Join(root, "missing"))
	assert.Error(t, err)
}

func TestLexicallyWithin(t *testing.T) {
	for _, tc := range []struct {
		root, path string
		want       bool
	}{
		{".", "a.inc", true},
		{".", "../a.inc", false},
		{"lib", "lib/x/../y.inc", true},
		{"lib", "lib/../y.inc", false},
		{"/a", "/a/..b", true},
		{"/a", "/ab", false},
	} {
		assert.Equal(t, tc.want, safefile.LexicallyWithin(tc.root, tc.path), "%s in %s", tc.path, tc.root)
	}
}

func TestReadFileIn(t *testing.T) {
	dir := t.TempDir()
	other := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte("{}"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(other, "secret"), []byte("s"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(other, "secret"), filepath.Join(dir, "link.json")))
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "zero.json")))
	require.NoError(t, os.Symlink("config.json", filepath.Join(dir, "alias.json")))
	for _, tc := range []struct {
		name, want string
	}{
		{"config.json", ""},
		{"alias.json", ""},
		{"link.json", "leads to " + filepath.Join(other, "secret") + ", outside " + dir},
		{"zero.json", "leads to /dev/zero"},
		{"../" + filepath.Base(other) + "/secret", "outside"},
		{"missing.json", "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := safefile.ReadFileIn(dir, tc.name, 100)
			if tc.want == "" {
				require.NoError(t, err)
				assert.Equal(t, "{}", string(b))
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
