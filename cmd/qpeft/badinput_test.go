package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/peakrss"
)

// The bad-input corpus: every directory under testdata/badinput is one case, run through the
// real binary as a subprocess (so a panic, an OOM kill or a runaway allocation shows as it would
// to a user). A case directory holds
//
//	args    the command line after "qpeft", one argument a line; "$DIR" stands for the
//	        case's working copy (the case directory copied to a temporary folder, which is
//	        also the working directory)
//	want    "exit N" on its first line, then lines "stderr: WORDS" / "stdout: WORDS" that
//	        must appear in that stream, "!stderr: WORDS" that must not, and optionally
//	        "rss_mib N" (peak resident memory bound, default 512) and "timeout_s N" (default 60)
//	stdin   optional: fed to the command's standard input (otherwise it reads an empty one)
//	gen     optional: the name of a generator in badInputGenerators that writes large inputs
//	        into the working copy before the run (large files are made here, never committed)
//
// and any input files the command reads. Whatever the case, the output must never contain a
// Go panic or runtime fatal error.
func TestBadInputCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs every case as a subprocess; skipped with -short")
	}
	root := filepath.Join("testdata", "badinput")
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	bin := filepath.Join(t.TempDir(), "qpeft")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	require.NotEmpty(t, names, "no cases under %s", root)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			runBadInputCase(t, bin, filepath.Join(root, name))
		})
	}
}

// badInputGenerators write inputs too large to commit into a case's working copy.
var badInputGenerators = map[string]func(dir string) error{}

type badInputWant struct {
	exit      int
	in, notIn map[string][]string // stream -> words
	rssMiB    int
	timeout   time.Duration
	haveExit  bool
}

func parseBadInputWant(t *testing.T, text string) badInputWant {
	t.Helper()
	w := badInputWant{in: map[string][]string{}, notIn: map[string][]string{}, rssMiB: 512, timeout: 60 * time.Second}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, _ := strings.Cut(line, " ")
		val = strings.TrimSpace(val)
		switch key {
		case "exit":
			n, err := strconv.Atoi(val)
			require.NoError(t, err, "want line %d", i+1)
			w.exit, w.haveExit = n, true
		case "rss_mib":
			n, err := strconv.Atoi(val)
			require.NoError(t, err, "want line %d", i+1)
			w.rssMiB = n
		case "timeout_s":
			n, err := strconv.Atoi(val)
			require.NoError(t, err, "want line %d", i+1)
			w.timeout = time.Duration(n) * time.Second
		case "stderr:", "stdout:":
			w.in[strings.TrimSuffix(key, ":")] = append(w.in[strings.TrimSuffix(key, ":")], val)
		case "!stderr:", "!stdout:":
			s := strings.TrimSuffix(strings.TrimPrefix(key, "!"), ":")
			w.notIn[s] = append(w.notIn[s], val)
		default:
			t.Fatalf("want line %d: unknown key %q", i+1, key)
		}
	}
	require.True(t, w.haveExit, "want has no exit line")
	return w
}

func runBadInputCase(t *testing.T, bin, caseDir string) {
	argsText, err := os.ReadFile(filepath.Join(caseDir, "args"))
	require.NoError(t, err)
	wantText, err := os.ReadFile(filepath.Join(caseDir, "want"))
	require.NoError(t, err)
	want := parseBadInputWant(t, string(wantText))

	work := t.TempDir()
	require.NoError(t, copyTree(caseDir, work))
	if gen, err := os.ReadFile(filepath.Join(caseDir, "gen")); err == nil {
		g, ok := badInputGenerators[strings.TrimSpace(string(gen))]
		require.True(t, ok, "unknown generator %q", gen)
		require.NoError(t, g(work))
	}
	var args []string
	for _, line := range strings.Split(strings.TrimRight(string(argsText), "\n"), "\n") {
		if line == "" {
			continue
		}
		args = append(args, strings.ReplaceAll(line, "$DIR", work))
	}
	ctx, cancel := context.WithTimeout(context.Background(), want.timeout)
	defer cancel()
	cmd := exec.Command(bin, args...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if in, err := os.ReadFile(filepath.Join(caseDir, "stdin")); err == nil {
		cmd.Stdin = bytes.NewReader(in)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Measured through internal/peakrss: os/exec's own rusage carries this test process's
	// high-water mark into the child's figure.
	res, err := peakrss.Run(ctx, cmd)
	require.NoError(t, ctx.Err(), "qpeft %v did not finish within %v", args, want.timeout)
	require.NoError(t, err)
	streams := map[string]string{"stdout": stdout.String(), "stderr": stderr.String()}
	for _, s := range []string{"stdout", "stderr"} {
		assert.NotContains(t, streams[s], "panic:", "qpeft %v %s", args, s)
		assert.NotContains(t, streams[s], "fatal error:", "qpeft %v %s", args, s)
		assert.NotContains(t, streams[s], "goroutine ", "qpeft %v %s", args, s)
		for _, w := range want.in[s] {
			assert.Contains(t, streams[s], w, "qpeft %v: %s", args, s)
		}
		for _, w := range want.notIn[s] {
			assert.NotContains(t, streams[s], w, "qpeft %v: %s", args, s)
		}
	}
	assert.Equal(t, want.exit, res.ExitCode, "qpeft %v exit status; stderr:\n%s", args, stderr.String())
	t.Logf("qpeft %v: exit %d, peak RSS %.1f MiB (bound %d MiB)", args, res.ExitCode, res.PeakMiB(), want.rssMiB)
	assert.LessOrEqual(t, res.PeakMiB(), float64(want.rssMiB), "qpeft %v peak RSS %.0f MiB over the bound", args, res.PeakMiB())
}

// copyTree copies the regular files of src into dst, keeping the layout.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
