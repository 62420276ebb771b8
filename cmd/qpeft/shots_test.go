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
