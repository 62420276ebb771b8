//go:build unix

package qasm

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIncludeConfinement checks the include rules: regular files only, resolved against the
// including file's directory and IncludePaths, confined to the program's directory and
// IncludePaths (symbolic links resolved) unless AllowAnyInclude.
func TestIncludeConfinement(t *testing.T) {
	top := t.TempDir()
	prog := filepath.Join(top, "prog")
	lib := filepath.Join(top, "lib")
	secret := filepath.Join(top, "secret")
	for _, d := range []string{filepath.Join(prog, "sub"), lib, secret} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	write := func(path, text string) { require.NoError(t, os.WriteFile(path, []byte(text), 0o644)) }
	gate := func(name string) string { return "gate " + name + " a { h a; }\n" }
	write(filepath.Join(prog, "local.inc"), gate("local"))
	write(filepath.Join(prog, "sub", "up.inc"), "include \"../local.inc\";\n") // .. but inside the box
	write(filepath.Join(lib, "shared.inc"), gate("shared"))
	write(filepath.Join(secret, "s.inc"), gate("s"))
	require.NoError(t, os.Symlink(filepath.Join(secret, "s.inc"), filepath.Join(prog, "escape.inc")))
	require.NoError(t, os.Symlink(filepath.Join(prog, "local.inc"), filepath.Join(prog, "alias.inc")))
	require.NoError(t, os.Symlink(secret, filepath.Join(prog, "secretdir")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(prog, "fifo.inc"), 0o644))
	require.NoError(t, syscall.Mkfifo(filepath.Join(lib, "fifo.inc"), 0o644))

	for _, tc := range []struct {
		name    string
		include string
		cfg     Config
		want    string // error words; "" for success
	}{
		{name: "next to the file", include: "local.inc"},
		{name: "nested .. inside the box", include: "sub/up.inc"},
		{name: "symlink inside the box", include: "alias.inc"},
		{name: "found through -I", include: "shared.inc", cfg: Config{IncludePaths: []string{lib}}},
		{name: "not found", include: "shared.inc", want: "no file " + filepath.Join(prog, "shared.inc")},
		{name: "not found with -I", include: "nope.inc", cfg: Config{IncludePaths: []string{lib}}, want: "-I directories " + lib},
		{name: "dev stdin", include: "/dev/stdin", want: "outside the directories includes may read"},
		{name: "etc passwd by ..", include: "../../../../../../../../etc/passwd", want: "outside the directories includes may read"},
		{name: "absolute path outside", include: filepath.Join(secret, "s.inc"), want: "outside"},
		{name: ".. escape to a sibling", include: "../secret/s.inc", want: "outside"},
		{name: "symlink escaping", include: "escape.inc", want: "leads to " + filepath.Join(secret, "s.inc")},
		{name: "through a linked directory", include: "secretdir/s.inc", want: "outside"},
		{name: "fifo inside the box", include: "fifo.inc", want: "named pipe (FIFO), not a regular file; only regular files can be included"},
		{name: "fifo through -I", include: "fifo.inc", cfg: Config{IncludePaths: []string{lib}}, want: "not a regular file"},
		{name: "device inside an -I directory", include: "null", cfg: Config{IncludePaths: []string{"/dev"}}, want: "character device"},
		{name: "directory", include: "sub", want: "a directory, not a regular file"},
		{name: "allowed anywhere", include: filepath.Join(secret, "s.inc"), cfg: Config{AllowAnyInclude: true}},
		{name: "allowed symlink", include: "escape.inc", cfg: Config{AllowAnyInclude: true}},
		{name: "allowed but still no stdin", include: "/dev/stdin", cfg: Config{AllowAnyInclude: true}, want: "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			main := filepath.Join(prog, "main.qasm")
			src := "OPENQASM 3.0;\ninclude \"" + tc.include + "\";\nqubit q;\n"
			_, err := tc.cfg.Parse(main, []byte(src))
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), main+":2:1: cannot include")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestIncludeBaseDir: a program stored inside another file (an adapter's config) resolves
// its includes against BaseDir and may not leave it.
func TestIncludeBaseDir(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "g.inc"), []byte("gate g a { h a; }\n"), 0o644))
	cfg := Config{BaseDir: dir}
	p, err := cfg.Parse("adapter_config.json: circuits.user_dim2", []byte("include \"g.inc\";\nqubit q;\ng q;\n"))
	require.NoError(t, err)
	assert.Len(t, p.Circuit.Ops, 1)
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(dir), "x.inc"), []byte("gate x1 a { h a; }\n"), 0o644))
	_, err = cfg.Parse("adapter_config.json: circuits.user_dim2", []byte("include \"../x.inc\";\nqubit q;\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "adapter_config.json: circuits.user_dim2:1:1: cannot include")
	assert.Contains(t, err.Error(), "outside")
	_, err = cfg.Parse("c", []byte("include \"/etc/passwd\";\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "outside")
}
