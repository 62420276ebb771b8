package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunInterruptPrintsCountsSoFar: Ctrl-C (SIGINT) during a per-shot simulation stops it
// between shots; the command prints the counts of the shots taken so far and fails with a
// message saying how many of them there were.
func TestRunInterruptPrintsCountsSoFar(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	prog := filepath.Join(dir, "dynamic.qasm")
	// The first outcome feeds a later gate, so every shot is simulated on its own.
	require.NoError(t, os.WriteFile(prog, []byte("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\n"+
		"h q[0];\nmeasure q[0] -> c[0];\nif (c==1) x q[1];\nh q[0];\nmeasure q -> c;\n"), 0o644))
	cmd := exec.Command(bin, "run", prog, "--shots", "1e12")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(2 * time.Second)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("qpeft run did not stop within 30 s of SIGINT")
	}
	var exitErr *exec.ExitError
	require.True(t, errors.As(err, &exitErr), "want an exit status, got %v; stderr %s", err, stderr.String())
	assert.Equal(t, 1, exitErr.ExitCode(), "stderr: %s", stderr.String())
	assert.Contains(t, stdout.String(), "# interrupted: the counts of the first")
	assert.Contains(t, stdout.String(), "of 1000000000000 shots")
	assert.Contains(t, stderr.String(), "interrupted after")
	assert.Contains(t, stderr.String(), "the counts so far are printed")
}

// TestIntegerFlagsExponentNotation: integer flags take exact exponent notation; values in
// that notation that are not whole numbers, or too large, are usage errors naming the flag.
func TestIntegerFlagsExponentNotation(t *testing.T) {
	for _, c := range []struct {
		in, want, err string
	}{
		{"1e10", "10000000000", ""},
		{"1.5e1", "15", ""},
		{"2.5e3", "2500", ""},
		{"-1e3", "-1000", ""},
		{"1E2", "100", ""},
		{"12", "12", ""},
		{"0x10", "0x10", ""},
		{"1e-3", "", "--shots 1e-3 is not a whole number"},
		{"1.5", "", "--shots 1.5 is not a whole number"},
		{"1e400", "", "--shots 1e400 is out of range"},
		{"1e19", "", "--shots 1e19 is out of range"},
	} {
		got, err := exactInteger("shots", c.in)
		if c.err != "" {
			assert.ErrorContains(t, err, c.err, c.in)
			continue
		}
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
	code, out, errs := runCLI(t, "", "params", "--shape", "1024x1024", "--rank", "0.8e1", "--layers=1.2e1")
	assert.Equal(t, 0, code, "exponent notation on another command's integer flags: %s", errs)
	_, want, _ := runCLI(t, "", "params", "--shape", "1024x1024", "--rank", "8", "--layers", "12")
	assert.Equal(t, want, out)
}
