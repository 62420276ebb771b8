package outdir

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// put writes files (relative path → content; a trailing slash makes a directory) under dir.
func put(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			require.NoError(t, os.MkdirAll(p, 0o755))
			continue
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

// fillRun writes what a small run directory holds.
func fillRun(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "metrics.json"), []byte("{}\n"), 0o644); err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Join(dir, "adapter"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "adapter", "weights.safetensors"), []byte("w"), 0o644)
}

// TestWriteReplacesOnlyItsOwnOutputs is the data-loss check: a directory is replaced only
// when it is a complete earlier output holding nothing else, and whatever is refused keeps
// every file.
func TestWriteReplacesOnlyItsOwnOutputs(t *testing.T) {
	cases := []struct {
		name   string
		before func(t *testing.T, out string) // prepares out
		want   string                         // error words; "" for success
		keep   map[string]string              // files that must survive a refusal
	}{
		{"absent", func(*testing.T, string) {}, "", nil},
		{"empty directory", func(t *testing.T, out string) { put(t, out, map[string]string{"./": ""}) }, "", nil},
		{"earlier output", func(t *testing.T, out string) { require.NoError(t, Write(out, "--out", "qpeft test", fillRun)) }, "", nil},
		{"metrics.json beside a user's file",
			func(t *testing.T, out string) {
				put(t, out, map[string]string{"metrics.json": "{}", "thesis.tex": "years of work"})
			},
			"holds files qpeft did not write (metrics.json, thesis.tex)",
			map[string]string{"thesis.tex": "years of work", "metrics.json": "{}"}},
		{"a user's directory",
			func(t *testing.T, out string) { put(t, out, map[string]string{"data/a.csv": "1,2"}) },
			"pick another --out",
			map[string]string{"data/a.csv": "1,2"}},
		{"earlier output plus a user's file",
			func(t *testing.T, out string) {
				require.NoError(t, Write(out, "--out", "qpeft test", fillRun))
				put(t, out, map[string]string{"adapter/notes.txt": "mine"})
			},
			"now also holds files qpeft did not write (adapter/notes.txt)",
			map[string]string{"adapter/notes.txt": "mine"}},
		{"earlier output holding another qpeft output", func(t *testing.T, out string) {
			require.NoError(t, Write(out, "--out", "qpeft test", fillRun))
			require.NoError(t, Write(filepath.Join(out, "circuits"), "-o", "qpeft export --adapter", fillRun))
		}, "", nil},
		{"earlier output holding a user's file inside another qpeft output",
			func(t *testing.T, out string) {
				require.NoError(t, Write(out, "--out", "qpeft test", fillRun))
				require.NoError(t, Write(filepath.Join(out, "circuits"), "-o", "qpeft export --adapter", fillRun))
				put(t, out, map[string]string{"circuits/mine.qasm": "mine"})
			},
			"now also holds files qpeft did not write (circuits/mine.qasm)",
			map[string]string{"circuits/mine.qasm": "mine"}},
		{"a file",
			func(t *testing.T, out string) {
				put(t, filepath.Dir(out), map[string]string{filepath.Base(out): "plain"})
			},
			"is a file, not a directory",
			nil},
		{"a symbolic link", func(t *testing.T, out string) {
			target := filepath.Join(filepath.Dir(out), "elsewhere")
			put(t, target, map[string]string{"keep.txt": "mine"})
			require.NoError(t, os.Symlink(target, out))
		}, "is a symbolic link", nil},
		{"a bad marker",
			func(t *testing.T, out string) { put(t, out, map[string]string{MarkerFile: "not json"}) },
			"unreadable marker",
			map[string]string{MarkerFile: "not json"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			c.before(t, out)
			err := Write(out, "--out", "qpeft test", fillRun)
			if c.want == "" {
				require.NoError(t, err)
				m, err := ReadMarker(out)
				require.NoError(t, err)
				assert.Equal(t, []string{"adapter/", "adapter/weights.safetensors", "metrics.json"}, m.Files)
				assert.Equal(t, "qpeft test", m.Command)
				assert.NotEmpty(t, m.Version)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Contains(t, err.Error(), out, "the message names the directory")
			for name, content := range c.keep {
				b, rerr := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
				require.NoError(t, rerr, "%s was lost", name)
				assert.Equal(t, content, string(b))
			}
			if c.name == "a file" {
				b, rerr := os.ReadFile(out)
				require.NoError(t, rerr)
				assert.Equal(t, "plain", string(b))
			}
		})
	}
}

// TestWriteFailureKeepsThePrevious checks that a failing fill leaves the earlier output as it
// was and no temporary directory behind.
func TestWriteFailureKeepsThePrevious(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "run")
	require.NoError(t, Write(out, "", "qpeft test", fillRun))
	boom := errors.New("boom")
	err := Write(out, "", "qpeft test", func(dir string) error {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "half"), []byte("x"), 0o644))
		return boom
	})
	require.ErrorIs(t, err, boom)
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.FileExists(t, filepath.Join(out, "metrics.json"))
	assert.NoFileExists(t, filepath.Join(out, "half"))
}

func TestCheck(t *testing.T) {
	t.Run("creates the parent", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "a", "b", "run")
		notes, err := Check(out, "--out", 1)
		require.NoError(t, err)
		assert.Empty(t, notes)
		assert.DirExists(t, filepath.Dir(out))
		assert.NoDirExists(t, out, "the output itself is created only when written")
	})
	t.Run("refuses a directory it may not replace", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "run")
		put(t, out, map[string]string{"metrics.json": "{}", "mine.txt": "x"})
		_, err := Check(out, "--out", 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "--out "+out)
	})
	t.Run("not enough free space", func(t *testing.T) {
		if _, ok := freeBytes(t.TempDir()); !ok {
			t.Skip("this system does not report free space")
		}
		_, err := Check(filepath.Join(t.TempDir(), "run"), "--out", 1<<62)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "needs about 4294967296.00 GiB")
		assert.Contains(t, err.Error(), "free")
	})
	t.Run("unwritable location", func(t *testing.T) {
		if runtime.GOOS != "linux" {
			t.Skip("uses /proc")
		}
		_, err := Check("/proc/qpeft-out", "--out", 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "--out /proc/qpeft-out: cannot write in /proc")
	})
	t.Run("read-only parent", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes into read-only directories")
		}
		parent := t.TempDir()
		require.NoError(t, os.Chmod(parent, 0o555))
		t.Cleanup(func() { _ = os.Chmod(parent, 0o755) })
		_, err := Check(filepath.Join(parent, "run"), "-o", 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "cannot write in")
	})
}

// TestCheckLeftovers plays the states a killed atomic write leaves (see atomicfile.WriteDir)
// and checks what the next run removes and reports.
func TestCheckLeftovers(t *testing.T) {
	cases := []struct {
		name      string
		exists    bool              // out itself exists (an earlier output)
		files     map[string]string // beside out
		removed   []string
		kept      []string
		noteWords string
	}{
		{"temporary directory", false, map[string]string{".run.tmp-123/metrics.json": "{}"}, []string{".run.tmp-123"}, nil, "removed"},
		{"temporary file", true, map[string]string{".run.tmp-9": "partial"}, []string{".run.tmp-9"}, nil, "interrupted write"},
		{"old copy of a replaced output", true, map[string]string{".run.old-7/" + MarkerFile: `{"format":"qpeft-output/1","command":"qpeft test","version":"v","files":[]}`}, []string{".run.old-7"}, nil, "a previous output"},
		{"old copy, output missing", false, map[string]string{".run.old-7/" + MarkerFile: `{"format":"qpeft-output/1","command":"qpeft test","version":"v","files":[]}`}, nil, []string{".run.old-7"}, "move it back"},
		{"old copy without marker", true, map[string]string{".run.old-8/x": "x"}, nil, []string{".run.old-8"}, "remove it when you no longer need it"},
		{"other names untouched", false, map[string]string{".runner.tmp-1": "x", "run.tmp-2": "y", ".other.tmp-3": "z"}, nil, []string{".runner.tmp-1", "run.tmp-2", ".other.tmp-3"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "run")
			if c.exists {
				require.NoError(t, Write(out, "--out", "qpeft test", fillRun))
			}
			put(t, parent, c.files)
			notes, err := Check(out, "--out", 1)
			require.NoError(t, err)
			for _, r := range c.removed {
				assert.NoFileExists(t, filepath.Join(parent, r))
				assert.NoDirExists(t, filepath.Join(parent, r))
			}
			for _, k := range c.kept {
				_, err := os.Lstat(filepath.Join(parent, k))
				assert.NoError(t, err, "%s was removed", k)
			}
			if c.noteWords == "" {
				assert.Empty(t, notes)
				return
			}
			require.Len(t, notes, 1)
			assert.Contains(t, notes[0], c.noteWords)
			if c.exists {
				assert.FileExists(t, filepath.Join(out, "metrics.json"), "the output itself is untouched")
			}
		})
	}
}

func TestCheckDirAndFile(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	put(t, base, map[string]string{"file": "x", "sweep/keep.txt": "mine"})
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"new sweep directory", CheckDir(filepath.Join(base, "a", "sweep"), "--out", 1), ""},
		{"existing sweep directory keeps its files", CheckDir(filepath.Join(base, "sweep"), "--out", 1), ""},
		{"sweep directory is a file", CheckDir(file, "--out", 1), "is a file, not a directory"},
		{"sweep directory under a file", CheckDir(filepath.Join(file, "x"), "--out", 1), "cannot create it: a component of the path is a file"},
		{"results file", CheckFile(filepath.Join(base, "b", "results.md"), "--results"), ""},
		{"results file is a directory", CheckFile(filepath.Join(base, "sweep"), "--results"), "is a directory; give a file name"},
		{"results under a file", CheckFile(filepath.Join(file, "r.md"), "--results"), "a component of the path is a file"},
		{"nothing asked", CheckFile("", "--results"), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.want == "" {
				assert.NoError(t, c.err)
				return
			}
			require.Error(t, c.err)
			assert.Contains(t, c.err.Error(), c.want)
		})
	}
	if runtime.GOOS == "linux" {
		err := CheckFile("/proc/qpeft-results.md", "--results")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "--results /proc/qpeft-results.md: cannot write in /proc")
		err = CheckDir("/proc/qpeft-sweep", "--out", 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "--out /proc/qpeft-sweep: cannot create it (no such file or directory)")
	}
	b, err := os.ReadFile(filepath.Join(base, "sweep", "keep.txt"))
	require.NoError(t, err)
	assert.Equal(t, "mine", string(b))
	assert.DirExists(t, filepath.Join(base, "a", "sweep"))
	assert.DirExists(t, filepath.Join(base, "b"))
}
