package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/qasm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAnsatzPauli prints the canonical ansatz and reads it back with the OpenQASM parser.
func TestAnsatzPauli(t *testing.T) {
	for _, c := range []struct{ qubits, layers, params int }{{10, 2, 46}, {1, 3, 1}, {4, 0, 4}, {12, 1, 34}} {
		code, out, errs := runCLI(t, "", "ansatz", "pauli", "--qubits", strconv.Itoa(c.qubits), "--layers", strconv.Itoa(c.layers))
		require.Equal(t, 0, code, "exit status; stderr: %s", errs)
		circ, err := qasm.Parse("pauli.qasm", []byte(out))
		require.NoError(t, err, out)
		assert.Equal(t, c.qubits, circ.NumQubits, "n=%d L=%d: qubits", c.qubits, c.layers)
		assert.Equal(t, c.params, len(circ.Params), "n=%d L=%d: params", c.qubits, c.layers)
		want, _ := ansatz.Pauli(c.qubits, c.layers)
		assert.Equal(t, len(want.Ops), len(circ.Ops), "n=%d L=%d: ops", c.qubits, c.layers)
	}
}

func TestAnsatzCheckAndBlocks(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.qasm")
	bad := filepath.Join(dir, "bad.qasm")
	require.NoError(t, os.WriteFile(good, []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\ninput float[64] b;\nqubit[3] q;\nh q[0];\ncx q[0], q[1];\nry(a) q[1];\ncz q[1], q[2];\nry(b) q[2];\n"), 0o644))
	require.NoError(t, os.WriteFile(bad, []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit[2] q;\nry(a) q[0];\n  rz(a) q[1];\n"), 0o644))
	code, out, errs := runCLI(t, "", "ansatz", "check", good)
	assert.Equal(t, 0, code, "check good: exit status; stderr: %s", errs)
	assert.Contains(t, out, "parameters: 2", "check good")
	assert.Contains(t, out, "dimension 8", "check good")
	code, _, errs = runCLI(t, "", "ansatz", "check", bad)
	assert.Equal(t, 1, code, "check bad: exit status; stderr: %s", errs)
	assert.Contains(t, errs, "bad.qasm:6:3", "check bad")
	assert.Contains(t, errs, "rz", "check bad")
	code, out, _ = runCLI(t, "", "ansatz", "blocks", "--dim", "768", "--layers", "1")
	assert.Equal(t, 0, code, "blocks 768: exit status")
	assert.Contains(t, out, "total parameters: 81", "blocks 768")
	code, out, _ = runCLI(t, "", "ansatz", "blocks", "--dim", "1024", "--layers", "2")
	assert.Equal(t, 0, code, "blocks 1024: exit status")
	assert.Contains(t, out, "total parameters: 46", "blocks 1024")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ansatz"}, "give a subcommand"},
		{[]string{"ansatz", "qudit"}, "unknown subcommand"},
		{[]string{"ansatz", "pauli"}, "--qubits is required"},
		{[]string{"ansatz", "pauli", "--qubits", "0"}, "--qubits 0"},
		{[]string{"ansatz", "pauli", "--qubits", "3", "--layers", "-1"}, "--layers -1"},
		{[]string{"ansatz", "check"}, "one OpenQASM file"},
		{[]string{"ansatz", "check", filepath.Join(dir, "none.qasm")}, "no such file"},
		{[]string{"ansatz", "blocks"}, "--dim N is required"},
		{[]string{"ansatz", "blocks", "--dim", "8", "--rank", "9"}, "--rank 9"},
		{[]string{"ansatz", "blocks", "--dim", "8", "--cs", "x"}, "unknown cosine"},
	} {
		code, _, errs := runCLI(t, "", c.args...)
		assert.NotEqual(t, 0, code, "%v: exit status; stderr %q", c.args, errs)
		assert.Contains(t, errs, c.want, "%v: stderr", c.args)
	}
	code, out, _ = runCLI(t, "", "ansatz", "pauli", "--qubits", "2")
	require.Equal(t, 0, code, "pauli failed")
	code, out, errs = runCLI(t, out, "ansatz", "check", "-")
	assert.Equal(t, 0, code, "check -: exit status; stderr: %s", errs)
	assert.Contains(t, out, "<stdin>: a valid real ansatz", "check -")
}
