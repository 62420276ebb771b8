package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHelpForms checks that every way of asking for help prints the same text to standard
// output with exit status 0, and nothing to standard error.
func TestHelpForms(t *testing.T) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			code, want, errs := runCLI(t, "", n, "--help")
			require.Equal(t, 0, code, "qpeft %s --help: %s", n, errs)
			assert.Empty(t, errs)
			assert.Contains(t, want, "Usage:\n  qpeft "+n)
			for _, args := range [][]string{{n, "-h"}, {"help", n}} {
				code, got, errs := runCLI(t, "", args...)
				assert.Equal(t, 0, code, "qpeft %v", args)
				assert.Empty(t, errs, "qpeft %v", args)
				assert.Equal(t, want, got, "qpeft %v differs from qpeft %s --help", args, n)
			}
		})
	}
}

func TestTopLevelHelpAndVersion(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"help", []string{"help"}, 0, "Commands:", ""},
		{"--help", []string{"--help"}, 0, "Commands:", ""},
		{"-h", []string{"-h"}, 0, "Commands:", ""},
		{"help --help", []string{"help", "--help"}, 0, "Usage:\n  qpeft help [COMMAND", ""},
		{"help help", []string{"help", "help"}, 0, "Usage:\n  qpeft help [COMMAND", ""},
		{"--version", []string{"--version"}, 0, "qpeft 0.1.0-dev", ""},
		{"version --help", []string{"version", "--help"}, 0, "Usage:\n  qpeft version", ""},
		{"help unknown", []string{"help", "rnu"}, 2, "", `unknown command "rnu" (did you mean "run"?)`},
		{"no command", []string{}, 2, "", "Commands:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(t, "", c.args...)
			assert.Equal(t, c.code, code, errs)
			assert.Contains(t, out, c.out)
			assert.Contains(t, errs, c.err)
		})
	}
}

// TestAnsatzHelp checks that qpeft ansatz --help lists every subcommand with its flags, and
// that each subcommand has its own help.
func TestAnsatzHelp(t *testing.T) {
	code, out, errs := runCLI(t, "", "ansatz", "--help")
	require.Equal(t, 0, code, errs)
	for _, want := range []string{"Subcommands", "pauli ", "--qubits int", "check ", "blocks ", "--dim int", "--cs string"} {
		assert.Contains(t, out, want)
	}
	cases := []struct {
		sub  string
		want string
	}{{"pauli", "--qubits int"}, {"check", "qpeft ansatz check FILE.qasm"}, {"blocks", "--rank int"}}
	for _, c := range cases {
		t.Run(c.sub, func(t *testing.T) {
			code, out, errs := runCLI(t, "", "ansatz", c.sub, "--help")
			require.Equal(t, 0, code, errs)
			assert.Contains(t, out, c.want)
			assert.Contains(t, out, "Usage:\n  qpeft ansatz "+c.sub)
			code, again, _ := runCLI(t, "", "help", "ansatz", c.sub)
			assert.Equal(t, 0, code)
			assert.Equal(t, out, again)
		})
	}
}

// TestDeprecatedFlagSpellings checks that the old spellings still work, are hidden from the
// help, and print a deprecation note naming the new flag.
func TestDeprecatedFlagSpellings(t *testing.T) {
	dir := t.TempDir()
	bell := filepath.Join(dir, "bell.qasm")
	require.NoError(t, os.WriteFile(bell, []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n"), 0o644))
	cases := []struct {
		name    string
		args    []string
		file    string // written by the command
		newFlag string // the flag the note points to
	}{
		{"export --output", []string{"export", bell, "--target", "qasm2", "--output", filepath.Join(dir, "a.qasm")}, "a.qasm", "--out"},
		{"export -o", []string{"export", bell, "--target", "qasm2", "-o", filepath.Join(dir, "b.qasm")}, "b.qasm", ""},
		{"export --out", []string{"export", bell, "--target", "qasm2", "--out", filepath.Join(dir, "c.qasm")}, "c.qasm", ""},
		{"unitary -o", []string{"unitary", bell, "-o", filepath.Join(dir, "u.csv")}, "u.csv", ""},
		{"lower -o", []string{"lower", bell, "--form", "dense", "-o", filepath.Join(dir, "l.csv")}, "l.csv", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := runCLI(t, "", c.args...)
			require.Equal(t, 0, code, errs)
			assert.FileExists(t, filepath.Join(dir, c.file))
			if c.newFlag != "" {
				assert.Contains(t, errs, "deprecated, use "+c.newFlag+" instead")
			} else {
				assert.Empty(t, errs)
			}
		})
	}
	// Hidden from the help.
	for _, h := range []struct{ cmd, old string }{{"export", "--output"}, {"train", "--target "}} {
		_, out, _ := runCLI(t, "", h.cmd, "--help")
		assert.NotContains(t, out, h.old, "qpeft %s --help", h.cmd)
	}
	_, out, _ := runCLI(t, "", "train", "--help")
	assert.Contains(t, out, "--targets")
	assert.Contains(t, out, "-o, --out")
}

// TestFlagErrorsNameTheFlag checks that a bad value is reported with the flag that carried it.
func TestFlagErrorsNameTheFlag(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"demo", "--layers", "-1"}, "--layers -1 must be ≥ 0"},
		{[]string{"demo", "--rank", "9"}, "--rank 9 must be in 1..8"},
		{[]string{"demo", "--epochs", "0"}, "--epochs 0 must be ≥ 1"},
		{[]string{"demo", "--seed", "0"}, "--seed 0 must be ≥ 1"},
		{[]string{"demo", "--train-limit", "-3"}, "--train-limit -3 must be ≥ 0"},
		{[]string{"demo", "--test-limit", "-3"}, "--test-limit -3 must be ≥ 0"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, errs := runCLI(t, "", c.args...)
			assert.Equal(t, 2, code)
			assert.Contains(t, errs, c.want)
		})
	}
}

// TestParamsTheSameEverywhere checks that every command taking --param reads it with the one
// parser: the array form, pi multiples, and the same error for an unknown name.
func TestParamsTheSameEverywhere(t *testing.T) {
	dir := t.TempDir()
	arr := filepath.Join(dir, "arr.qasm")
	require.NoError(t, os.WriteFile(arr, []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput array[float[64], 2] theta;\nqubit[2] q;\nry(theta[0]) q[0];\nry(theta[1]) q[1];\ncz q[0], q[1];\n"), 0o644))
	commands := [][]string{
		{"run", arr, "--probs"},
		{"unitary", arr},
		{"lower", arr, "--form", "dense"},
		{"export", arr, "--target", "qasm2"},
		{"draw", arr},
	}
	for _, c := range commands {
		t.Run(c[0], func(t *testing.T) {
			code, out, errs := runCLI(t, "", append(c, "--param", "theta=pi/2,-3*pi/2")...)
			require.Equal(t, 0, code, errs)
			assert.NotEmpty(t, out)
			code, _, errs = runCLI(t, "", append(c, "--param", "theta=0.1")...)
			assert.Equal(t, 2, code)
			assert.Contains(t, errs, "--param theta: input theta is array[float[64], 2] and needs 2 comma-separated values, got 1")
			code, _, errs = runCLI(t, "", append(c, "--param", "phi=1")...)
			assert.Equal(t, 2, code)
			assert.Contains(t, errs, "--param phi: the program has no input phi; its inputs are theta (array[float[64], 2])")
		})
	}
	// Bound values reach the output.
	_, out, _ := runCLI(t, "", "draw", arr, "--param", "theta=0.25,pi/2")
	assert.Contains(t, out, "RY(0.25)")
	_, out, _ = runCLI(t, "", "export", arr, "--target", "qasm2", "--param", "theta=0.25,0.5")
	assert.Contains(t, out, "ry(0.25) q[0];")
}

// TestEmptyProgram checks that a program without qubits runs and says so on stderr.
func TestEmptyProgram(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.qasm")
	require.NoError(t, os.WriteFile(empty, []byte("OPENQASM 3.0;\n"), 0o644))
	cases := [][]string{
		{"run", empty},
		{"run", empty, "--state"},
		{"unitary", empty},
		{"lower", empty, "--form", "dense"},
		{"export", empty, "--target", "qasm3"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c[:1], " "), func(t *testing.T) {
			code, _, errs := runCLI(t, "", c...)
			assert.Equal(t, 0, code, errs)
			assert.Contains(t, errs, "note: "+empty+" has no qubits")
		})
	}
}

// TestGateNamesAreTheUsers checks that a controlled gate is named as the user writes it.
func TestGateNamesAreTheUsers(t *testing.T) {
	src := filepath.Join(t.TempDir(), "ctrl.qasm")
	require.NoError(t, os.WriteFile(src, []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[3] q;\nctrl @ x q[0], q[1];\nctrl(2) @ sx q[0], q[1], q[2];\n"), 0o644))
	code, _, errs := runCLI(t, "", "export", src, "--target", "braket")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, `gate "cx" (operation 0`)
	assert.NotContains(t, errs, "·")
}
