package ansatz

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQASMRoundTrip prints every Pauli ansatz up to 8 qubits and reads it back: the same
// gates on the same qubits with the same angle names, in order.
func TestQASMRoundTrip(t *testing.T) {
	for n := 1; n <= 8; n++ {
		for L := 0; L <= 3; L++ {
			c, err := Pauli(n, L)
			require.NoError(t, err, "n=%d L=%d", n, L)
			text, err := QASM(c)
			require.NoError(t, err, "n=%d L=%d", n, L)
			require.True(t, strings.HasPrefix(text, "OPENQASM 3"), "n=%d L=%d: unexpected text\n%s", n, L, text)
			require.Contains(t, text, "input array[float[64], ", "n=%d L=%d: unexpected text", n, L)
			d, err := ParseQASM("pauli.qasm", []byte(text))
			require.NoError(t, err, "n=%d L=%d\n%s", n, L, text)
			require.Equal(t, n, d.NumQubits, "n=%d L=%d: qubits read back", n, L)
			require.Equal(t, strings.Join(c.Params, ","), strings.Join(d.Params, ","), "n=%d L=%d: params read back", n, L)
			require.Len(t, d.Ops, len(c.Ops), "n=%d L=%d: ops read back", n, L)
			for i := range c.Ops {
				a, b := &c.Ops[i], &d.Ops[i]
				msg := []any{"n=%d L=%d: op %d differs: %s%v%v vs %s%v%v", n, L, i, a.Name(), a.Qubits, a.Args, b.Name(), b.Qubits, b.Args}
				require.Same(t, a.Gate, b.Gate, msg...)
				require.Equal(t, a.Ctrl, b.Ctrl, msg...)
				require.Equal(t, a.Qubits, b.Qubits, msg...)
				require.Len(t, b.Args, len(a.Args), msg...)
				if len(a.Args) == 1 {
					require.Equal(t, a.Args[0].String(), b.Args[0].String(), msg...)
				}
			}
		}
	}
}

func TestParseQASMErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit[2] q;\nry(a) q[0];\nrz(a) q[1];\n", "u.qasm:6:1"},
		{"OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[1] q;\nbit[1] c;\nc[0] = measure q[0];\n", "not unitary"},
		{"OPENQASM 3.0;\nqubit[2] q;\nfoo q[0];\n", "u.qasm:3"},
	} {
		_, err := ParseQASM("u.qasm", []byte(tc.src))
		assert.ErrorContains(t, err, tc.want, "%q", tc.src)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "a.qasm")
	require.NoError(t, os.WriteFile(p, []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\nry(2*a) q[1];\n"), 0o644))
	c, err := LoadQASM(p)
	if assert.NoError(t, err, "LoadQASM") {
		assert.Equal(t, 2, c.NumQubits, "LoadQASM: %+v", c)
		assert.Len(t, c.Params, 1, "LoadQASM: %+v", c)
	}
	_, err = LoadQASM(filepath.Join(dir, "none.qasm"))
	assert.Error(t, err, "missing file accepted")
}
