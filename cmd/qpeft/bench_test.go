package main

import (
	"strings"
	"testing"
)

func TestBench(t *testing.T) {
	code, out, errs := runCLI(t, "", "bench", "--qubits", "3,12", "--layers", "1", "--depth", "3", "--repeat", "1", "--unfused")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"ns/amp-gate", "float64", "complex128", "floor", "pauli", "random", "qft", "gate by gate", "fused", "sweeps"} {
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
		{[]string{"bench", "extra"}, "no arguments"},
	} {
		code, _, errs := runCLI(t, "", c.args...)
		if code != 2 || !strings.Contains(errs, c.err) {
			t.Errorf("qpeft %v: exit %d, stderr %q", c.args, code, errs)
		}
	}
	code, _, errs = runCLI(t, "", "bench", "--qubits", "24", "--memory-limit", "1MiB", "--repeat", "1")
	if code != 1 || !strings.Contains(errs, "GiB") || !strings.Contains(errs, "bench of") {
		t.Errorf("bench over the memory limit: exit %d, stderr %q", code, errs)
	}
}
