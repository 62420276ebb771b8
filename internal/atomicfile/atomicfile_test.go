package atomicfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// listDir returns the sorted names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// withRename replaces the rename hook for one test.
func withRename(t *testing.T, fn func(old, new string) error) {
	t.Helper()
	orig := osRename
	osRename = fn
	t.Cleanup(func() { osRename = orig })
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.bin")
	cases := []struct {
		name string
		data []byte
		perm fs.FileMode
	}{
		{"create", []byte("first"), 0o644},
		{"replace longer", []byte("second, longer content"), 0o600},
		{"replace shorter", []byte("3"), 0o640},
		{"empty", nil, 0o644},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, WriteFile(p, c.data, c.perm))
			if got := mustRead(t, p); got != string(c.data) {
				t.Fatalf("content %q, want %q", got, c.data)
			}
			st, err := os.Stat(p)
			require.NoError(t, err)
			if st.Mode().Perm() != c.perm {
				t.Fatalf("perm %v, want %v", st.Mode().Perm(), c.perm)
			}
			if got := listDir(t, dir); len(got) != 1 || got[0] != "a.bin" {
				t.Fatalf("directory holds %v, want only a.bin", got)
			}
		})
	}
}

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		path string
		want string
	}{
		{"missing directory", filepath.Join(dir, "nope", "x"), "create temporary file"},
		{"target is a directory", dir, "rename into place"},
		{"empty name", "", "does not name a file"},
		{"trailing slash", dir + "/", "does not name a file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := listDir(t, filepath.Dir(dir))
			err := WriteFile(c.path, []byte("x"), 0o644)
			require.ErrorContains(t, err, c.want)
			if after := listDir(t, filepath.Dir(dir)); !equal(before, after) {
				t.Fatalf("litter: before %v after %v", before, after)
			}
			if names := listDir(t, dir); len(names) != 0 {
				t.Fatalf("litter in %s: %v", dir, names)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFileAbortKeepsOld simulates a writer that stops half way (error in the
// producer): the old content must survive and no temporary must remain.
func TestFileAbortKeepsOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ckpt")
	require.NoError(t, WriteFile(p, []byte("old complete content"), 0o644))
	f, err := Create(p, 0o644)
	require.NoError(t, err)
	if _, err := f.Write([]byte("new half")); err != nil {
		t.Fatal(err)
	}
	// While pending, the target still has the old content and a temporary exists.
	if got := mustRead(t, p); got != "old complete content" {
		t.Fatalf("target changed before Commit: %q", got)
	}
	if n := len(listDir(t, dir)); n != 2 {
		t.Fatalf("expected target + temporary while pending, got %v", listDir(t, dir))
	}
	require.NoError(t, f.Abort())
	if got := mustRead(t, p); got != "old complete content" {
		t.Fatalf("target changed by Abort: %q", got)
	}
	if got := listDir(t, dir); !equal(got, []string{"ckpt"}) {
		t.Fatalf("litter after Abort: %v", got)
	}
	// Use after Abort.
	if _, err := f.Write([]byte("x")); err == nil {
		t.Fatal("Write after Abort succeeded")
	}
	if err := f.Commit(); err == nil {
		t.Fatal("Commit after Abort succeeded")
	}
	require.NoError(t, f.Abort(), "second Abort")
}

func TestFileCommitThenAbort(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	f, err := Create(p, 0o600)
	require.NoError(t, err)
	defer f.Abort()
	for _, chunk := range []string{"a", "bc", "def"} {
		if _, err := f.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if f.Path() != p {
		t.Fatalf("Path() = %q", f.Path())
	}
	require.NoError(t, f.Commit())
	require.NoError(t, f.Abort(), "Abort after Commit")
	if got := mustRead(t, p); got != "abcdef" {
		t.Fatalf("content %q", got)
	}
	if err := f.Commit(); err == nil {
		t.Fatal("second Commit succeeded")
	}
}

// TestInjectedFailures injects an error at each step of Commit.
func TestInjectedFailures(t *testing.T) {
	boom := errors.New("injected")
	cases := []struct {
		name  string
		setup func(t *testing.T)
		want  string
	}{
		{"rename fails", func(t *testing.T) {
			withRename(t, func(o, n string) error { return boom })
		}, "rename into place"},
		{"fsync fails", func(t *testing.T) {
			orig := syncFile
			syncFile = func(*os.File) error { return boom }
			t.Cleanup(func() { syncFile = orig })
		}, "fsync"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "w")
			require.NoError(t, os.WriteFile(p, []byte("old"), 0o644))
			c.setup(t)
			err := WriteFile(p, []byte("new content"), 0o644)
			if !errors.Is(err, boom) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want injected error mentioning %q", err, c.want)
			}
			if got := mustRead(t, p); got != "old" {
				t.Fatalf("old content lost: %q", got)
			}
			if got := listDir(t, dir); !equal(got, []string{"w"}) {
				t.Fatalf("litter: %v", got)
			}
		})
	}
}

// TestStickyWriteError checks that a failed Write poisons the File.
func TestStickyWriteError(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o644))
	f, err := Create(p, 0o644)
	require.NoError(t, err)
	// Close the underlying file behind the writer's back: the next Write fails.
	f.tmp.Close()
	if _, err := f.Write([]byte("x")); err == nil {
		t.Fatal("write to closed temporary succeeded")
	}
	if _, err := f.Write([]byte("y")); err == nil {
		t.Fatal("error not sticky")
	}
	if err := f.Commit(); err == nil {
		t.Fatal("Commit after a failed Write succeeded")
	}
	if got := mustRead(t, p); got != "old" {
		t.Fatalf("old content lost: %q", got)
	}
	if got := listDir(t, dir); !equal(got, []string{"s"}) {
		t.Fatalf("litter: %v", got)
	}
}

// TestCrashMidWrite kills a child process half way through a streamed write.
// The target keeps its old content; the only possible leftover is a
// recognisable ".<base>.tmp-*" temporary.
func TestCrashMidWrite(t *testing.T) {
	if p := os.Getenv("ATOMICFILE_CRASH_TARGET"); p != "" {
		f, err := Create(p, 0o644)
		if err != nil {
			os.Exit(2)
		}
		f.Write(bytes.Repeat([]byte("N"), 1<<16))
		os.Exit(3) // die without Commit or Abort
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "model.bin")
	require.NoError(t, WriteFile(p, []byte("old"), 0o644))
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashMidWrite$")
	cmd.Env = append(os.Environ(), "ATOMICFILE_CRASH_TARGET="+p)
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("child: %v", err)
	}
	if got := mustRead(t, p); got != "old" {
		t.Fatalf("crash changed the target: %d bytes", len(got))
	}
	for _, name := range listDir(t, dir) {
		if name != "model.bin" && !strings.HasPrefix(name, ".model.bin.tmp-") {
			t.Fatalf("unexpected file %q", name)
		}
	}
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = mustRead(t, p)
		return nil
	})
	require.NoError(t, err)
	return out
}

func sameTree(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

func TestWriteDir(t *testing.T) {
	parent := t.TempDir()
	target := filepath.Join(parent, "adapter")
	v1 := map[string]string{"config.json": "{1}", "weights.bin": "AAAA", "sub/x": "x1"}
	v2 := map[string]string{"config.json": "{2}", "other.bin": "BB"}
	fill := func(files map[string]string) func(string) error {
		return func(dir string) error { writeTree(t, dir, files); return nil }
	}

	// Create.
	require.NoError(t, WriteDir(target, 0o755, fill(v1)))
	if got := readTree(t, target); !sameTree(got, v1) {
		t.Fatalf("after create: %v", got)
	}
	st, _ := os.Stat(target)
	if st.Mode().Perm() != 0o755 {
		t.Fatalf("perm %v", st.Mode().Perm())
	}
	// Replace: old files that are not in v2 must disappear.
	require.NoError(t, WriteDir(target, 0o700, fill(v2)))
	if got := readTree(t, target); !sameTree(got, v2) {
		t.Fatalf("after replace: %v", got)
	}
	if got := listDir(t, parent); !equal(got, []string{"adapter"}) {
		t.Fatalf("litter: %v", got)
	}
}

// TestWriteDirFailures covers a fill that fails half way and injected
// rename failures: the previous directory must be intact, with no litter.
func TestWriteDirFailures(t *testing.T) {
	boom := errors.New("injected")
	old := map[string]string{"a": "old-a", "b": "old-b"}
	cases := []struct {
		name   string
		fill   func(dir string) error
		rename func(calls *int) func(o, n string) error
	}{
		{"fill fails half way", func(dir string) error {
			os.WriteFile(filepath.Join(dir, "a"), []byte("new-a"), 0o644)
			return boom
		}, nil},
		{"moving old aside fails", nil, func(calls *int) func(o, n string) error {
			return func(o, n string) error { *calls++; return boom }
		}},
		{"rename of new tree fails", nil, func(calls *int) func(o, n string) error {
			return func(o, n string) error {
				*calls++
				if *calls == 2 {
					return boom
				}
				return os.Rename(o, n)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parent := t.TempDir()
			target := filepath.Join(parent, "out")
			require.NoError(t, os.Mkdir(target, 0o755))
			writeTree(t, target, old)
			calls := 0
			if c.rename != nil {
				withRename(t, c.rename(&calls))
			}
			fill := c.fill
			if fill == nil {
				fill = func(dir string) error {
					writeTree(t, dir, map[string]string{"a": "new-a", "c": "new-c"})
					return nil
				}
			}
			err := WriteDir(target, 0o755, fill)
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v, want injected", err)
			}
			if got := readTree(t, target); !sameTree(got, old) {
				t.Fatalf("old content not intact: %v", got)
			}
			if got := listDir(t, parent); !equal(got, []string{"out"}) {
				t.Fatalf("litter: %v", got)
			}
		})
	}
}

func TestWriteDirRefusesFile(t *testing.T) {
	parent := t.TempDir()
	target := filepath.Join(parent, "f")
	require.NoError(t, os.WriteFile(target, []byte("keep"), 0o644))
	called := false
	err := WriteDir(target, 0o755, func(string) error { called = true; return nil })
	require.ErrorContains(t, err, "not a directory")
	if called {
		t.Fatal("fill called")
	}
	if got := mustRead(t, target); got != "keep" {
		t.Fatalf("file changed: %q", got)
	}
	if got := listDir(t, parent); !equal(got, []string{"f"}) {
		t.Fatalf("litter: %v", got)
	}
	for _, bad := range []string{"", ".", "/"} {
		if err := WriteDir(bad, 0o755, func(string) error { return nil }); err == nil {
			t.Fatalf("WriteDir(%q) accepted", bad)
		}
	}
}
