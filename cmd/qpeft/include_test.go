package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIncludePathFlag: every command that reads OpenQASM takes -I DIR (search and allow a
// directory) and --allow-any-include; without them an include out of the program's
// directory is refused.
func TestIncludePathFlag(t *testing.T) {
	top := t.TempDir()
	prog := filepath.Join(top, "prog")
	lib := filepath.Join(top, "lib")
	require.NoError(t, os.MkdirAll(prog, 0o755))
	require.NoError(t, os.MkdirAll(lib, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(lib, "layer.inc"), []byte("gate layer(t) a { ry(t) a; }\n"), 0o644))
	byName := filepath.Join(prog, "byname.qasm")
	require.NoError(t, os.WriteFile(byName, []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninclude \"layer.inc\";\nqubit[1] q;\nlayer(0.5) q[0];\n"), 0o644))
	byPath := filepath.Join(prog, "bypath.qasm")
	require.NoError(t, os.WriteFile(byPath, []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninclude \"../lib/layer.inc\";\nqubit[1] q;\nlayer(0.5) q[0];\n"), 0o644))
	commands := [][]string{
		{"run", "--probs"}, {"unitary"}, {"lower", "--form", "dense"}, {"draw"},
		{"export", "--target", "qasm3"}, {"ansatz", "check"},
	}
	for _, cmd := range commands {
		for _, tc := range []struct {
			name  string
			file  string
			flags []string
			code  int
			want  string
		}{
			{"not found without -I", byName, nil, 1, "no file"},
			{"found with -I", byName, []string{"-I", lib}, 0, ""},
			{"found with --include-path", byName, []string{"--include-path", lib}, 0, ""},
			{".. refused", byPath, nil, 1, "outside the directories includes may read"},
			{".. allowed by -I", byPath, []string{"-I", lib}, 0, ""},
			{".. allowed by --allow-any-include", byPath, []string{"--allow-any-include"}, 0, ""},
			{"-I not a directory", byName, []string{"-I", byName}, 2, "not a directory"},
		} {
			t.Run(cmd[0]+" "+tc.name, func(t *testing.T) {
				args := append(append(append([]string(nil), cmd[:1]...), cmd[1:]...), tc.file)
				args = append(args, tc.flags...)
				code, _, errs := runCLI(t, "", args...)
				assert.Equal(t, tc.code, code, "qpeft %v: %s", args, errs)
				if tc.want != "" {
					assert.Contains(t, errs, tc.want)
				}
			})
		}
	}
}
