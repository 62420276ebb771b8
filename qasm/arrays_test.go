package qasm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
)

// opsText writes each operation as "name(arg, …) q0 q1" with arguments evaluated.
func opsText(t *testing.T, c *circuit.Circuit) []string {
	t.Helper()
	out := make([]string, len(c.Ops))
	for i, op := range c.Ops {
		var args []string
		for _, a := range op.Args {
			v, err := circuit.Eval(a, nil)
			require.NoError(t, err)
			args = append(args, fmt.Sprintf("%.6g", v))
		}
		s := op.Name()
		if len(args) > 0 {
			s += "(" + strings.Join(args, ",") + ")"
		}
		out[i] = s + fmt.Sprint(op.Qubits)
	}
	return out
}

// TestClassicalArrays: OpenQASM 3 arrays, against circuits derived by hand (Qiskit's
// importer does not read classical arrays: "declarations of type 'array' are not
// supported").
func TestClassicalArrays(t *testing.T) {
	const head = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[4] q;\n"
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"declare, index, loop with sizeof",
			"array[int[32], 4] a = {1, 2, 3, 4};\nfor int i in [0:sizeof(a) - 1] { if (a[i] % 2 == 0) x q[i]; }\n",
			[]string{"x[1]", "x[3]"}},
		{"element assignment and compound assignment",
			"array[int[32], 3] a = {1, 2, 3};\na[2] = 7;\na[0] += 10;\na[-2] *= 3;\nrz(a[0]) q[0];\nrz(a[1]) q[1];\nrz(a[2]) q[2];\n",
			[]string{"rz(11)[0]", "rz(6)[1]", "rz(7)[2]"}},
		{"two dimensions, both index forms",
			"array[float[64], 2, 3] m = {{0.5, 1.0, 1.5}, {2.0, 2.5, 3.0}};\nm[0, 1] = 0.25;\nm[1][2] = -1.0;\nry(m[0][1]) q[0];\nry(m[1, 2]) q[1];\nry(m[1][0]) q[2];\n",
			[]string{"ry(0.25)[0]", "ry(-1)[1]", "ry(2)[2]"}},
		{"a row copied, not shared",
			"array[float[64], 2, 2] m = {{1.0, 2.0}, {3.0, 4.0}};\narray[float[64], 2] r = m[1];\nm[1, 0] = 9.0;\nrx(r[0]) q[0];\nrx(m[1][0]) q[1];\n",
			[]string{"rx(3)[0]", "rx(9)[1]"}},
		{"row and slice assignment",
			"array[int[8], 3, 2] m = {{1, 2}, {3, 4}, {5, 6}};\narray[int[8], 2] r = {7, 8};\nm[0] = r;\nm[1:2] = m[0:1];\nfor int i in [0:2] { for int j in [0:1] { rz(m[i][j]) q[j]; } }\n",
			[]string{"rz(7)[0]", "rz(8)[1]", "rz(7)[0]", "rz(8)[1]", "rz(3)[0]", "rz(4)[1]"}},
		{"loop over an array and over a row",
			"array[float[64], 2, 2] m = {{0.1, 0.2}, {0.3, 0.4}};\narray[angle, 2] t = {pi, pi / 2};\nfor float[64] v in m[1] { rz(v) q[0]; }\nfor angle v in t { p(v) q[1]; }\n",
			[]string{"rz(0.3)[0]", "rz(0.4)[0]", "p(3.14159)[1]", "p(1.5708)[1]"}},
		{"sizeof of each dimension, const sizes",
			"const uint N = 2;\narray[bool, N, 3] b;\nfor int i in [0:sizeof(b, 0) - 1] { x q[i]; }\nfor int j in [0:sizeof(b, 1) - 1] { h q[j]; }\nif (!b[1][2]) z q[3];\n",
			[]string{"x[0]", "x[1]", "h[0]", "h[1]", "h[2]", "z[3]"}},
		{"initialisers with expressions, uint conversion",
			"const int k = 3;\narray[uint[8], 2, 2] u = {{k + 1, k * 2}, {10 - k, 2 ** k}};\nrz(u[0][0] + u[0][1] + u[1][0] + u[1][1]) q[0];\n",
			[]string{"rz(25)[0]"}},
		{"mutable and const array parameters",
			"array[float[64], 3] w = {1.0, 2.0, 3.0};\ndef scale(mutable array[float[64], 3] r, float[64] s) { for int k in [0:2] { r[k] *= s; } }\ndef apply(const array[float[64], 3] r, qubit a) { for int k in [0:2] { rx(r[k]) a; } }\nscale(w, 0.5);\napply(w, q[2]);\n",
			[]string{"rx(0.5)[2]", "rx(1)[2]", "rx(1.5)[2]"}},
		{"array conditions on measured bits stay compile-time",
			"array[int[32], 2] sel = {0, 3};\nbit[4] c;\nc[0] = measure q[0];\nif (c[0] == 1) x q[sel[1]];\n",
			[]string{"measure[0]", "x[3]"}},
		{"whole array assignment",
			"array[int[32], 2] a = {1, 2};\narray[int[32], 2] b;\nb = a;\na[0] = 5;\nrz(b[0]) q[0];\nrz(a[0]) q[1];\n",
			[]string{"rz(1)[0]", "rz(5)[1]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, "arrays.qasm", head+tc.src)
			assert.Equal(t, tc.want, opsText(t, p.Circuit))
		})
	}
}

// TestClassicalArrayErrors: each misuse is an error at its position, and syntax qpeft does
// not support is "not supported" there rather than a syntax error.
func TestClassicalArrayErrors(t *testing.T) {
	const head = "OPENQASM 3.0;\nqubit q;\n"
	tests := []struct{ name, src, want string }{
		{"#dim parameter", "def f(const array[int[32], #dim = 1] a) {}\n",
			"t.qasm:3:28: not supported: #dim (array parameters whose sizes are known only at run time)"},
		{"durationof", "float d = durationof({ x q; });\n", "t.qasm:3:11: not supported: durationof"},
		{"index out of range", "array[int[8], 3] a;\nint x = a[3];\n", "t.qasm:4:11: index 3 out of range for a[3]"},
		{"too many indices", "array[int[8], 3] a;\nint x = a[1, 2];\n", "too many indices for a"},
		{"initialiser of the wrong length", "array[int[8], 3] a = {1, 2};\n", "t.qasm:3:22: initialising a: expected 3 values for a dimension of size 3, got 2"},
		{"initialiser of the wrong shape", "array[int[8], 2, 2] a = {1, 2};\n", "expected array[int[8], 2]"},
		{"value out of the element type", "array[uint[4], 2] a = {1, 16};\n", "16 does not fit in uint[4]"},
		{"assignment to a const array", "const array[int[8], 2] a = {1, 2};\na[0] = 3;\n", "t.qasm:4:1: cannot assign to an element of const a"},
		{"assignment through a const parameter", "array[int[8], 2] a;\ndef f(const array[int[8], 2] r) { r[0] = 1; }\nf(a);\n", "cannot assign to an element of const r"},
		{"argument of another shape", "array[int[8], 3] a;\ndef f(mutable array[int[8], 2] r) { }\nf(a);\n", "t.qasm:5:3: argument r of f is array[int[8], 2], but a is array[int[8], 3]"},
		{"sizeof of a scalar", "int n = 3;\nint m = sizeof(n);\n", "sizeof needs an array, got int"},
		{"sizeof dimension out of range", "array[int[8], 3] a;\nint m = sizeof(a, 1);\n", "sizeof: dimension 1 out of range; the array has 1"},
		{"arithmetic on an array", "array[int[8], 3] a;\nint m = a + 1;\n", "cannot be applied to an array"},
		{"an array as a gate angle", "array[float[64], 3] a;\nrx(a) q;\n", "parameter 1 of rx must be a number, got array"},
		{"arrays of qubits", "array[qubit, 3] a;\n", "not supported: arrays of qubit"},
		{"a slice with a step", "array[int[8], 4] a;\narray[int[8], 2] b = a[0:2:3];\n", "not supported: a slice of a with a step other than 1"},
		{"array too large", "array[int[8], 1000, 1000, 1000] a;\n", "the array has more than 1048576 elements (limit MaxOps)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := errorLines(t, &Config{}, "t.qasm", head+tc.src)
			require.Len(t, got, 1, "%q", got)
			assert.Contains(t, got[0], tc.want)
		})
	}
}
