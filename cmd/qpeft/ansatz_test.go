package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/qasm"
)

// TestAnsatzPauli prints the canonical ansatz and reads it back with the OpenQASM parser.
func TestAnsatzPauli(t *testing.T) {
	for _, c := range []struct{ qubits, layers, params int }{{10, 2, 46}, {1, 3, 1}, {4, 0, 4}, {12, 1, 34}} {
		code, out, errs := runCLI(t, "", "ansatz", "pauli", "--qubits", strconv.Itoa(c.qubits), "--layers", strconv.Itoa(c.layers))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		circ, err := qasm.Parse("pauli.qasm", []byte(out))
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if circ.NumQubits != c.qubits || len(circ.Params) != c.params {
			t.Errorf("n=%d L=%d: %d qubits, %d params", c.qubits, c.layers, circ.NumQubits, len(circ.Params))
		}
		want, _ := ansatz.Pauli(c.qubits, c.layers)
		if len(circ.Ops) != len(want.Ops) {
			t.Errorf("n=%d L=%d: %d ops, want %d", c.qubits, c.layers, len(circ.Ops), len(want.Ops))
		}
	}
}

func TestAnsatzCheckAndBlocks(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.qasm")
	bad := filepath.Join(dir, "bad.qasm")
	if err := os.WriteFile(good, []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\ninput float[64] b;\nqubit[3] q;\nh q[0];\ncx q[0], q[1];\nry(a) q[1];\ncz q[1], q[2];\nry(b) q[2];\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit[2] q;\nry(a) q[0];\n  rz(a) q[1];\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "", "ansatz", "check", good)
	if code != 0 || !strings.Contains(out, "parameters: 2") || !strings.Contains(out, "dimension 8") {
		t.Errorf("check good: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = runCLI(t, "", "ansatz", "check", bad)
	if code != 1 || !strings.Contains(errs, "bad.qasm:6:3") || !strings.Contains(errs, "rz") {
		t.Errorf("check bad: exit %d, %s", code, errs)
	}
	code, out, _ = runCLI(t, "", "ansatz", "blocks", "--dim", "768", "--layers", "1")
	if code != 0 || !strings.Contains(out, "total parameters: 81") {
		t.Errorf("blocks 768:\n%s", out)
	}
	code, out, _ = runCLI(t, "", "ansatz", "blocks", "--dim", "1024", "--layers", "2")
	if code != 0 || !strings.Contains(out, "total parameters: 46") {
		t.Errorf("blocks 1024:\n%s", out)
	}
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
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
	code, out, _ = runCLI(t, "", "ansatz", "pauli", "--qubits", "2")
	if code != 0 {
		t.Fatal("pauli failed")
	}
	code, out, errs = runCLI(t, out, "ansatz", "check", "-")
	if code != 0 || !strings.Contains(out, "<stdin>: a valid real ansatz") {
		t.Errorf("check -: exit %d, %s %s", code, out, errs)
	}
}
