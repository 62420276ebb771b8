package qasm

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memFS is a Config whose includes come from a map.
func memConfig(files map[string]string) *Config {
	return &Config{ReadFile: func(path string) ([]byte, error) {
		if s, ok := files[path]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}}
}

// errorLines parses src and returns its errors, one "file:line:col: msg" each.
func errorLines(t *testing.T, cfg *Config, name, src string) []string {
	t.Helper()
	_, err := cfg.Parse(name, []byte(src))
	require.Error(t, err, "%s parsed without error", name)
	var list ErrorList
	require.True(t, errors.As(err, &list), "error is %T: %v", err, err)
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.Error()
	}
	return out
}

// TestErrorOrderCausal checks that errors come in the order that explains them: the errors
// of an included file where it is included, before what follows from them, whatever the
// file names.
func TestErrorOrderCausal(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		main  string
		want  []string // substrings, in order, one per error
	}{
		{
			name:  "cause in an include sorting after the main file",
			files: map[string]string{"z_vars.inc": "const float[64] theta = 1.0 / nothing;\n"},
			main:  "OPENQASM 3.0;\ninclude \"z_vars.inc\";\nqubit q;\nrx(theta) q;\n",
			want:  []string{"z_vars.inc:1:31: undefined: nothing", "a_main.qasm:4:4: undefined: theta"},
		},
		{
			name: "errors before, inside and after an include",
			files: map[string]string{
				"z.inc": "gate g q { x q; }\nfoo q;\n",
			},
			main: "OPENQASM 3.0;\nqubit q;\nbar q;\ninclude \"z.inc\";\nbaz q;\n",
			want: []string{"a_main.qasm:3:1: unknown gate bar", "z.inc:2:1: unknown gate foo", "a_main.qasm:5:1: unknown gate baz"},
		},
		{
			name: "nested includes keep their chain",
			files: map[string]string{
				"y.inc": "include \"b.inc\";\nundefined_y q;\n",
				"b.inc": "undefined_b q;\n",
			},
			main: "OPENQASM 3.0;\nqubit q;\ninclude \"y.inc\";\nundefined_main q;\n",
			want: []string{"b.inc:1:1: unknown gate undefined_b", "y.inc:2:1: unknown gate undefined_y", "a_main.qasm:4:1: unknown gate undefined_main"},
		},
		{
			name:  "a syntax error in an include",
			files: map[string]string{"zz.inc": "gate g q { x q }\n"},
			main:  "OPENQASM 3.0;\ninclude \"zz.inc\";\nqubit q;\ng q;\n",
			want:  []string{"zz.inc:1:", "a_main.qasm:4:1: unknown gate g"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := errorLines(t, memConfig(tc.files), "a_main.qasm", tc.main)
			require.Len(t, got, len(tc.want), "errors: %q", got)
			for i, w := range tc.want {
				assert.Contains(t, got[i], w, "error %d", i)
			}
		})
	}
}

// TestDiagnosticMessages checks that messages name the real problem.
func TestDiagnosticMessages(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    string // substring of the only error
		notWant string
	}{
		{"recursive gate", "OPENQASM 3.0;\ngate r q { r q; }\nqubit q;\nr q;\n",
			"test.qasm:2:12: gate r calls itself", "did you mean"},
		{"recursive gate with parameters", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\ngate rr(t) a { rz(t) a; rr(t/2) a; }\nqreg q[1];\nrr(1) q[0];\n",
			"test.qasm:3:25: gate rr calls itself", "did you mean"},
		{"OpenQASM 2.6", "OPENQASM 2.6;\nqreg q[1];\n",
			"test.qasm:1:10: unknown OpenQASM version 2.6", ""},
		{"OpenQASM 3.9", "OPENQASM 3.9;\nqubit q;\n",
			"test.qasm:1:10: unknown OpenQASM version 3.9", ""},
		{"OpenQASM 5", "OPENQASM 5;\nqubit q;\n",
			"test.qasm:1:10: unsupported OpenQASM version 5", ""},
		{"register too large for qubit[1]", "OPENQASM 3.0;\ndef f(qubit[1] a) { x a[0]; }\nqubit[2] q;\nf(q);\n",
			"test.qasm:4:3: argument a of f is qubit[1], but q has 2 qubits", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := errorLines(t, &Config{}, "test.qasm", tc.src)
			require.Len(t, got, 1, "errors: %q", got)
			assert.Contains(t, got[0], tc.want)
			if tc.notWant != "" {
				assert.NotContains(t, got[0], tc.notWant)
			}
		})
	}
}

// TestSingleQubitForRegisterOfOne: a qubit passed where qubit[1] is declared is a register
// of one (and a qubit[1] register where a qubit is declared is one qubit).
func TestSingleQubitForRegisterOfOne(t *testing.T) {
	tests := []struct{ name, src string }{
		{"qubit for qubit[1]", "OPENQASM 3.0;\ndef f(qubit[1] a) { x a[0]; }\nqubit[2] q;\nf(q[1]);\n"},
		{"declared qubit for qubit[1]", "OPENQASM 3.0;\ndef f(qubit[1] a) { x a; }\nqubit p;\nqubit r;\nf(r);\n"},
		{"qubit[1] for qubit", "OPENQASM 3.0;\ndef f(qubit a) { x a; }\nqubit[2] q;\nf(q[1:1]);\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := (&Config{}).Parse("t.qasm", []byte(tc.src))
			require.NoError(t, err)
			require.Len(t, p.Circuit.Ops, 1)
			op := p.Circuit.Ops[0]
			assert.Equal(t, "x", op.Gate.Name)
			assert.Equal(t, []int{1}, op.Qubits)
		})
	}
}
