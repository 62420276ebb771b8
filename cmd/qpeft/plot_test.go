package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readPNG checks that path holds a valid PNG of at least minW × minH pixels.
func readPNG(t *testing.T, path string, minW, minH int) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err, path)
	s := img.Bounds().Size()
	assert.True(t, s.X >= minW && s.Y >= minH && s.X <= 4000 && s.Y <= 3000, "%s is %v pixels, want at least %dx%d and at most 4000x3000", path, s, minW, minH)
}

func TestRunPlot(t *testing.T) {
	f := writeQASMTemp(t, "bell.qasm", qasmBell)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"counts", []string{"--shots", "500"}},
		{"probs", []string{"--probs"}},
		{"state", []string{"--state"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".png")
			_, plain, _ := runCLI(t, "", append([]string{"run", f}, tc.args...)...)
			code, out, errs := runCLI(t, "", append([]string{"run", f, "--plot", p}, tc.args...)...)
			require.Equal(t, 0, code, "exit status; stderr: %s", errs)
			assert.Equal(t, plain, out, "--plot changed the printed output")
			readPNG(t, p, 600, 400)
		})
	}
}

func TestLowerPlot(t *testing.T) {
	real := writeQASMTemp(t, "ry.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nry(0.3) q[0];\ncz q[0], q[1];\nh q[1];\n")
	cplx := writeQASMTemp(t, "s.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nh q[0];\ns q[0];\ncx q[0], q[1];\n")
	dir := t.TempDir()
	for _, tc := range []struct {
		name      string
		args      []string
		minW      int
		wantPanel bool
	}{
		{"dense real", []string{"lower", real, "--form", "dense"}, 600, false},
		{"stiefel real", []string{"lower", real, "--form", "stiefel", "--k", "2"}, 600, false},
		{"dense complex", []string{"lower", cplx, "--form", "dense"}, 1100, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".png")
			_, plain, _ := runCLI(t, "", tc.args...)
			code, out, errs := runCLI(t, "", append(tc.args, "--plot", p)...)
			require.Equal(t, 0, code, "exit status; stderr: %s", errs)
			assert.Equal(t, plain, out, "--plot changed the printed matrix")
			readPNG(t, p, tc.minW, 400)
		})
	}
}

func TestPlotErrors(t *testing.T) {
	f := writeQASMTemp(t, "bell.qasm", qasmBell)
	big := writeQASMTemp(t, "big.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[12] q;\nh q[0];\n")
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", f, "--plot", filepath.Join(dir, "x.jpg")}, "must end in .png"},
		{[]string{"lower", f, "--form", "kron", "--plot", filepath.Join(dir, "x.png")}, "--form dense or --form stiefel"},
		{[]string{"lower", f, "--form", "dense", "--plot", "x.svg"}, "must end in .png"},
		{[]string{"run", f, "--plot", filepath.Join(dir, "missing", "x.png")}, "x.png"},
		{[]string{"lower", big, "--form", "dense", "--plot", filepath.Join(dir, "x.png")}, "too large to draw"},
	} {
		code, _, errs := runCLI(t, "", tc.args...)
		assert.NotEqual(t, 0, code, "%v: exit status; stderr %q", tc.args, errs)
		assert.Contains(t, errs, tc.want, "%v: stderr", tc.args)
	}
	_, err := os.Stat(filepath.Join(dir, "x.png"))
	assert.Error(t, err, "a plot was written despite the usage error")
}
