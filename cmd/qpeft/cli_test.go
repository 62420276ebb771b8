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
