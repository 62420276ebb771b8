package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/outdir"
	"github.com/qpeft/qpeft/peft"
)

func init() {
	badInputGenerators["toy-adapter"] = func(dir string) error { return writeToyAdapter(filepath.Join(dir, "adapter")) }
}

// writeToyAdapter saves a small Quantum-PEFT checkpoint with random angles to dir.
func writeToyAdapter(dir string) error {
	cfg := peft.Config{Method: peft.MethodQuantumPEFT, Rank: 2, Layers: 1, Seed: 3}
	ck, err := peft.NewCheckpoint(cfg, "toy", []peft.ModuleShape{{Name: "fc", Out: 8, In: 4}})
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range ck.Modules[0].Adapter.Params() {
		for i := range p.Value {
			p.Value[i] = r.Float64()*4 - 2
		}
	}
	return ck.Save(dir)
}

// TestOutRefusalKeepsUserFiles is the data-loss check of every command that writes an output
// directory: a directory holding metrics.json next to a user's file is refused, with a
// message naming it and the fix, and every file in it survives unchanged.
func TestOutRefusalKeepsUserFiles(t *testing.T) {
	adapter := filepath.Join(t.TempDir(), "adapter")
	require.NoError(t, writeToyAdapter(adapter))
	cases := []struct {
		name string
		args func(out string) []string
		flag string
	}{
		{"demo", func(out string) []string {
			return []string{"demo", "--epochs", "1", "--train-limit", "64", "--test-limit", "32", "-o", out}
		}, "--out"},
		{"train", func(out string) []string {
			return []string{"train", "--data", "fashion-subset", "--epochs", "1", "--train-limit", "64", "--test-limit", "32", "--out", out}
		}, "--out"},
		{"export --adapter", func(out string) []string {
			return []string{"export", "--adapter", adapter, "--target", "qasm3", "-o", out}
		}, "-o"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "results")
			files := map[string]string{"metrics.json": "{\"mine\": true}\n", "thesis.tex": "years of work\n", "fc.U.qasm": "my own circuit\n"}
			require.NoError(t, os.MkdirAll(out, 0o755))
			for n, s := range files {
				require.NoError(t, os.WriteFile(filepath.Join(out, n), []byte(s), 0o644))
			}
			code, _, errs := runCLI(t, "", c.args(out)...)
			assert.Equal(t, 1, code, errs)
			assert.Contains(t, errs, c.flag+" "+out+" holds files qpeft did not write")
			assert.Contains(t, errs, "pick another "+c.flag)
			entries, err := os.ReadDir(out)
			require.NoError(t, err)
			assert.Len(t, entries, len(files), "files were added or removed")
			for n, s := range files {
				b, err := os.ReadFile(filepath.Join(out, n))
				require.NoError(t, err, "%s was lost", n)
				assert.Equal(t, s, string(b), "%s changed", n)
			}
		})
	}
}

// TestExportAdapterReplacesItsOwnOutput checks that export --adapter -o writes the directory
// as a whole: a rerun replaces an earlier export completely (no stale file of another target
// stays), and a file the user added to it makes the rerun refuse.
func TestExportAdapterReplacesItsOwnOutput(t *testing.T) {
	adapter := filepath.Join(t.TempDir(), "adapter")
	require.NoError(t, writeToyAdapter(adapter))
	out := filepath.Join(t.TempDir(), "circuits")
	code, _, errs := runCLI(t, "", "export", "--adapter", adapter, "--target", "braket", "-o", out)
	require.Equal(t, 0, code, errs)
	assert.FileExists(t, filepath.Join(out, "fc.U.json"))
	m, err := outdir.ReadMarker(out)
	require.NoError(t, err)
	assert.Equal(t, "qpeft export --adapter", m.Command)

	code, _, errs = runCLI(t, "", "export", "--adapter", adapter, "--target", "qasm3", "-o", out)
	require.Equal(t, 0, code, errs)
	assert.FileExists(t, filepath.Join(out, "fc.U.qasm"))
	assert.NoFileExists(t, filepath.Join(out, "fc.U.json"), "the earlier export was not replaced as a whole")

	require.NoError(t, os.WriteFile(filepath.Join(out, "README"), []byte("mine"), 0o644))
	code, _, errs = runCLI(t, "", "export", "--adapter", adapter, "--target", "quil", "-o", out)
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "now also holds files qpeft did not write (README)")
	assert.FileExists(t, filepath.Join(out, "README"))
	assert.FileExists(t, filepath.Join(out, "fc.U.qasm"))
}

// TestOutCheckedBeforeTraining checks that an output location that cannot be written is
// refused before any training: the command fails without a progress line.
func TestOutCheckedBeforeTraining(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses /proc")
	}
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"train into /proc", []string{"train", "--data", "fashion-subset", "--out", "/proc/qpeft-x"}, "--out /proc/qpeft-x: cannot write in /proc"},
		{"demo into /proc", []string{"demo", "-o", "/proc/qpeft-x"}, "--out /proc/qpeft-x: cannot write in /proc"},
		{"train under a file", []string{"train", "--data", "fashion-subset", "--out", filepath.Join(file, "run")}, "cannot create its parent directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := runCLI(t, "", c.args...)
			assert.Equal(t, 1, code, errs)
			assert.Contains(t, errs, c.want)
			assert.NotContains(t, errs, "epoch")
		})
	}
}
