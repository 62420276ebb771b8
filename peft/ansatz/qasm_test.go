package ansatz

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQASMRoundTrip prints every Pauli ansatz up to 8 qubits and reads it back: the same
// gates on the same qubits with the same angle names, in order.
func TestQASMRoundTrip(t *testing.T) {
	for n := 1; n <= 8; n++ {
		for L := 0; L <= 3; L++ {
			c, err := Pauli(n, L)
			if err != nil {
				t.Fatal(err)
			}
			text, err := QASM(c)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(text, "OPENQASM 3") || !strings.Contains(text, "input array[float[64], ") {
				t.Fatalf("n=%d L=%d: unexpected text\n%s", n, L, text)
			}
			d, err := ParseQASM("pauli.qasm", []byte(text))
			if err != nil {
				t.Fatalf("n=%d L=%d: %v\n%s", n, L, err, text)
			}
			if d.NumQubits != n || strings.Join(d.Params, ",") != strings.Join(c.Params, ",") || len(d.Ops) != len(c.Ops) {
				t.Fatalf("n=%d L=%d: read back %d qubits, params %v, %d ops", n, L, d.NumQubits, d.Params, len(d.Ops))
			}
			for i := range c.Ops {
				a, b := &c.Ops[i], &d.Ops[i]
				if a.Gate != b.Gate || a.Ctrl != b.Ctrl || !equalInts(a.Qubits, b.Qubits) || len(a.Args) != len(b.Args) ||
					(len(a.Args) == 1 && a.Args[0].String() != b.Args[0].String()) {
					t.Fatalf("n=%d L=%d: op %d differs: %s%v%v vs %s%v%v", n, L, i, a.Name(), a.Qubits, a.Args, b.Name(), b.Qubits, b.Args)
				}
			}
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseQASMErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit[2] q;\nry(a) q[0];\nrz(a) q[1];\n", "u.qasm:6:1"},
		{"OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[1] q;\nbit[1] c;\nc[0] = measure q[0];\n", "not unitary"},
		{"OPENQASM 3.0;\nqubit[2] q;\nfoo q[0];\n", "u.qasm:3"},
	} {
		_, err := ParseQASM("u.qasm", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.src, err, tc.want)
		}
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "a.qasm")
	if err := os.WriteFile(p, []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\nry(2*a) q[1];\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadQASM(p)
	if err != nil || c.NumQubits != 2 || len(c.Params) != 1 {
		t.Errorf("LoadQASM: %v, %+v", err, c)
	}
	if _, err := LoadQASM(filepath.Join(dir, "none.qasm")); err == nil {
		t.Error("missing file accepted")
	}
}
