package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBench(t *testing.T) {
	code, out, errs := runCLI(t, "", "bench", "--qubits", "3,12", "--layers", "1", "--depth", "3", "--repeat", "1", "--unfused")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"ns/amp-gate", "float64", "complex128", "floor", "pauli", "random", "qft", "gate by gate", "fused", "sweeps", "step bound", "kernel bound", "cpu/(threads×kernel bound)", "4x4 complex", "% of FMA peak"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"bench", "--qubits", "x"}, "--qubits"},
		{[]string{"bench", "--repeat", "0"}, "--repeat"},
		{[]string{"bench", "--circuits", "ghz"}, "--circuits"},
		{[]string{"bench", "--depth", "0"}, "--depth"},
		{[]string{"bench", "--memory-limit", "lots"}, "--memory-limit"},
		{[]string{"bench", "no-such-file.qasm"}, "no-such-file.qasm"},
		{[]string{"bench", "--param", "a=1"}, "no file"},
		{[]string{"bench", "--peer-sims", "quest"}, "--peer-sims"},
	} {
		code, _, errs := runCLI(t, "", c.args...)
		if code == 0 || !strings.Contains(errs, c.err) {
			t.Errorf("qpeft %v: exit %d, stderr %q", c.args, code, errs)
		}
	}
	code, _, errs = runCLI(t, "", "bench", "--qubits", "24", "--memory-limit", "1MiB", "--repeat", "1")
	if code != 1 || !strings.Contains(errs, "GiB") || !strings.Contains(errs, "bench of") {
		t.Errorf("bench over the memory limit: exit %d, stderr %q", code, errs)
	}
}

// TestBenchFiles times user programs (an input bound with --param, final measurements
// dropped) and the held-out families; a program that measures mid-circuit is refused.
func TestBenchFiles(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "ladder.qasm")
	require.NoError(t, os.WriteFile(prog, []byte(`OPENQASM 3.0;
include "stdgates.inc";
input float theta;
qubit[5] q;
bit[5] c;
h q[0];
for int i in [0:3] { cx q[i], q[i+1]; rz(theta) q[i+1]; }
c = measure q;
`), 0o644))
	mid := filepath.Join(dir, "mid.qasm")
	require.NoError(t, os.WriteFile(mid, []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nbit b;\nh q[0];\nb = measure q[0];\nx q[0];\n"), 0o644))
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"file", []string{prog, "--param", "theta=0.3", "--repeat", "1"}, 0, []string{"ladder", "complex128", "steps", "chunk"}},
		{"file and families", []string{prog, "--param", "theta=pi/4", "--circuits", "qaoa,hea,cliffordt", "--qubits", "4", "--layers", "1", "--depth", "2", "--repeat", "1"},
			0, []string{"ladder", "qaoa", "hea", "cliffordt"}},
		{"missing input", []string{prog, "--repeat", "1"}, 2, []string{"theta"}},
		{"mid-circuit measurement", []string{mid}, 2, []string{"mid.qasm:6:5", "not final"}},
		{"qaoa on one qubit", []string{"--circuits", "qaoa", "--qubits", "1"}, 2, []string{"qaoa"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, "", append([]string{"bench"}, tc.args...)...)
			require.Equal(t, tc.code, code, "stderr: %s", errs)
			for _, w := range tc.want {
				assert.Contains(t, out+errs, w)
			}
		})
	}
}

// TestBenchRealPathOnly: when a real circuit's complex path is above the memory limit but
// its real path fits, bench times the real path and says it skipped the other, instead of
// refusing the case (the Pauli ansatz at 31 qubits on a 24 GiB machine).
func TestBenchRealPathOnly(t *testing.T) {
	// Pauli at 20 qubits: 8 MiB as float64, 16 MiB as complex128, plus the 16 MiB baseline.
	code, out, errs := runCLI(t, "", "bench", "--circuits", "pauli", "--qubits", "20", "--layers", "1", "--memory-limit", "28MiB", "--repeat", "1")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "only the real path is timed")
	assert.Contains(t, out, "float64")
	assert.NotContains(t, out, "complex128")
	// The random circuit is complex: it still refuses with the estimate.
	code, _, errs = runCLI(t, "", "bench", "--circuits", "random", "--qubits", "20", "--memory-limit", "28MiB", "--repeat", "1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "bench of random")
}
