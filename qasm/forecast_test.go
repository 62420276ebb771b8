package qasm

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestForecastRefusal: loops and broadcasts past MaxOps are refused before they are
// unrolled, and the forecast never refuses a program that fits (it is a lower bound).
func TestForecastRefusal(t *testing.T) {
	const head = "OPENQASM 3.0;\nqubit[10] q;\nbit[10] c;\n"
	tests := []struct {
		name string
		body string
		want string // substring of the only error; "" when the program must be read
		ops  int    // operations when read
	}{
		{"loop past the limit", "for int i in [0:50] { h q[0]; x q[1]; }\n",
			"t.qasm:4:1: this loop creates at least 102 operations (51 iterations of at least 2), more than 100 (limit MaxOps); it was refused before unrolling it", 0},
		{"loop of broadcasts", "for int i in [1:11] { h q; }\n",
			"t.qasm:4:1: this loop creates at least 110 operations", 0},
		{"nested loops", "for int i in [0:9] { for int j in [0:9] { x q[j]; } x q[0]; }\n",
			"this loop creates at least 110 operations (10 iterations of at least 11)", 0},
		{"a user gate in a loop", "gate g a { h a; h a; h a; h a; h a; }\nfor int i in {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21} { g q[0]; }\n",
			"t.qasm:5:1: this loop creates at least 105 operations", 0},
		{"loop after operations", "h q;\nh q;\nh q;\nh q;\nh q;\nh q;\nh q;\nh q;\nh q;\nfor int i in [0:10] { x q[0]; }\n",
			"this loop would bring the circuit to more than 100 operations (limit MaxOps): it adds at least 11 to the 90 already there", 0},
		{"broadcast of a gate past the limit", "gate g a { h a; h a; h a; h a; h a; h a; h a; h a; h a; h a; h a; }\ng q;\n",
			"t.qasm:5:1: g on 10 qubits each creates 110 operations, which bring the total past 100 (limit MaxOps); it was refused before expanding it", 0},
		{"measure broadcast in a loop", "for int i in [0:10] { c = measure q; }\n",
			"this loop creates at least 110 operations", 0},
		// Lower bounds that must not refuse:
		{"loop ending early with break", "for int i in [0:1000] { x q[0]; if (i == 9) break; }\n", "", 10},
		{"loop with a compile-time if", "for int i in [0:100] { if (i < 5) x q[0]; }\n", "", 5},
		{"loop exactly at the limit", "for int i in [0:49] { h q[0]; x q[1]; }\n", "", 100},
		{"slices count as unknown", "for int i in [0:9] { h q[0:i]; }\n", "", 55},
		{"names declared in the body", "qubit[50] r;\nfor int i in [0:3] { let r2 = q[0:1]; h r2; }\n", "", 8},
		{"loop with end", "for int i in [0:1000] { x q[0]; if (i == 2) end; }\n", "", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &Config{Limits: Limits{MaxOps: 100}}
			src := head + tc.body
			if tc.want == "" {
				p, err := cfg.Parse("t.qasm", []byte(src))
				require.NoError(t, err)
				assert.Len(t, p.Circuit.Ops, tc.ops)
				return
			}
			got := errorLines(t, cfg, "t.qasm", src)
			require.Len(t, got, 1, "%q", got)
			assert.Contains(t, got[0], tc.want)
		})
	}
}

// TestRefuseFlat: a program whose top-level gate calls alone pass MaxOps is refused at the
// call that passes it, before any operation is built; what may make no operation (user
// gates, modifiers, conditions, gates of a library not included) is not counted, syntax
// errors and unknown versions keep their own errors.
func TestRefuseFlat(t *testing.T) {
	lines := func(n int, line string) string {
		s := ""
		for range n {
			s += line
		}
		return s
	}
	const oq2 = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\n"
	tests := []struct {
		name string
		src  string
		want string // substring of the only error; "" when the program must be read
		ops  int
	}{
		{"calls past the limit", oq2 + lines(12, "x q[0];\n"),
			"t.qasm:15:1: the circuit has more than 10 operations (limit MaxOps): this is call 11 of a standard gate; the program was refused before any operation was built", 0},
		{"OpenQASM 3 standard gates", "OPENQASM 3.0;\nqubit[2] q;\n" + lines(11, "cx q[0], q[1];\n"),
			"t.qasm:13:1: the circuit has more than 10 operations (limit MaxOps): this is call 11", 0},
		{"U and CX without a library", "OPENQASM 2.0;\nqreg q[2];\n" + lines(6, "U(0,0,0) q[0]; CX q[0], q[1];\n"),
			"t.qasm:8:1: the circuit has more than 10 operations (limit MaxOps): this is call 11", 0},
		{"exactly at the limit", "OPENQASM 3.0;\nqubit[2] q;\n" + lines(10, "x q[0];\n"), "", 10},
		{"empty user gates are not counted", "OPENQASM 3.0;\nqubit[2] q;\ngate nop a { }\n" + lines(20, "nop q[0];\n"), "", 0},
		{"modifiers and conditions are not counted", "OPENQASM 3.0;\nqubit[2] q;\nbit c;\ngate nop a { }\n" + lines(12, "ctrl @ nop q[0], q[1];\n") + lines(12, "if (c) x q[0];\n"),
			"t.qasm:27:8: the circuit has more than 10 operations after unrolling loops and inlining gates", 0},
		{"a library not included", "OPENQASM 2.0;\nqreg q[1];\n" + lines(12, "x q[0];\n"), "t.qasm:3:1: unknown gate x", 0},
		{"a syntax error first", oq2 + lines(12, "x q[0];\n") + "x q[0]\n", "t.qasm:17:", 0},
		{"an unknown version", "OPENQASM 2.6;\ninclude \"qelib1.inc\";\nqreg q[1];\n" + lines(12, "x q[0];\n"), "2.6", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &Config{Limits: Limits{MaxOps: 10}}
			if tc.want == "" {
				p, err := cfg.Parse("t.qasm", []byte(tc.src))
				require.NoError(t, err)
				assert.Len(t, p.Circuit.Ops, tc.ops)
				return
			}
			got := errorLines(t, cfg, "t.qasm", tc.src)
			require.NotEmpty(t, got)
			assert.Contains(t, got[0], tc.want)
			if !strings.Contains(tc.want, "call 11") {
				assert.NotContains(t, strings.Join(got, "\n"), "refused before any operation")
			}
		})
	}
}
