package qasm

import (
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/sim"
)

// TestWideConditions: if(c==n) on classical registers of any width, with n up to
// 2^size - 1 (QASMBench's cc_n64/cc_n151/cc_n301 test 64-, 151- and 301-bit registers).
// The oracle is hand-derived: x q[0] and two measurements set bits 0 and top of c, so
// exactly the condition equal to 2^top + 1 holds.
func TestWideConditions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		top  int    // the register's top bit
		want string // outcome of c, highest bit leftmost
	}{
		{"OpenQASM 2, 100 bits", `OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[100];
x q[0];
measure q[0] -> c[0];
measure q[0] -> c[99];
if(c==633825300114114700748351602689) x q[1];
if(c==633825300114114700748351602688) x q[2];
measure q[1] -> c[1];
measure q[2] -> c[2];
`, 99, "1" + strings.Repeat("0", 96) + "011"},
		{"OpenQASM 2, 64 bits, value above 2^63", `OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[64];
x q[0];
measure q[0] -> c[0];
measure q[0] -> c[63];
if(c==9223372036854775809) x q[1];
if(c==9223372036854775808) x q[2];
measure q[1] -> c[1];
measure q[2] -> c[2];
`, 63, "1" + strings.Repeat("0", 60) + "011"},
		{"OpenQASM 3, hex and underscores, 100 bits", `OPENQASM 3.0;
qubit[3] q;
bit[100] c;
x q[0];
c[0] = measure q[0];
c[99] = measure q[0];
if (c == 0x8_0000_0000_0000_0000_0000_0001) x q[1];
if (c == 0x8000000000000000000000000) x q[2];
c[1] = measure q[1];
c[2] = measure q[2];
`, 99, "1" + strings.Repeat("0", 96) + "011"},
		{"OpenQASM 3, conjunction of a wide test and a bit", `OPENQASM 3.0;
qubit[3] q;
bit[70] c;
bit d;
x q[0];
c[0] = measure q[0];
c[69] = measure q[0];
d = measure q[0];
if (c == 590295810358705651713 && d == 1) x q[1];
c[1] = measure q[1];
`, 69, "1" + strings.Repeat("0", 67) + "11"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, "wide.qasm", tc.src)
			c := p.Circuit
			var wide int
			for _, op := range c.Ops {
				if op.Cond != nil && len(op.Cond.Clbits) > 64 {
					wide++
					require.NotNil(t, op.Cond.Big)
				}
			}
			if tc.top >= 64 {
				assert.Positive(t, wide, "no condition on more than 64 bits")
			}
			res, err := sim.Run(c, sim.Options{Seed: 1})
			require.NoError(t, err)
			got := res.Bits()
			assert.Equal(t, tc.want, got[len(got)-len(tc.want):])

			// Round trip through the printer, in both versions where it can be written.
			for _, v := range []int{2, 3} {
				text, err := Print(c, PrintOptions{Version: v})
				if v == 2 && strings.Contains(tc.name, "conjunction") {
					require.Error(t, err) // OpenQASM 2 tests whole registers only
					continue
				}
				require.NoError(t, err)
				back := mustParse(t, "back.qasm", string(text))
				require.Len(t, back.Circuit.Ops, len(c.Ops), "%s", text)
				for i, op := range c.Ops {
					bo := back.Circuit.Ops[i]
					if op.Cond == nil {
						assert.Nil(t, bo.Cond)
						continue
					}
					require.NotNil(t, bo.Cond, "op %d of\n%s", i, text)
					assert.Equal(t, op.Cond.Clbits, bo.Cond.Clbits)
					assert.Equal(t, 0, op.Cond.Int().Cmp(bo.Cond.Int()), "OpenQASM %d value of op %d: %s vs %s", v, i, op.Cond.ValueString(), bo.Cond.ValueString())
				}
			}
		})
	}
}

// TestWideConditionErrors: values a register can never hold, and literals too long to read.
func TestWideConditionErrors(t *testing.T) {
	two100 := new(big.Int).Lsh(big.NewInt(1), 100).String()
	tests := []struct{ name, src, want string }{
		{"value wider than the register", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\ncreg c[100];\nif(c==" + two100 + ") x q[0];\n",
			"t.qasm:5:7: c has 100 bits, so it can never equal " + two100},
		{"huge literal", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\ncreg c[3];\nif(c==" + strings.Repeat("9", 500) + ") x q[0];\n",
			"t.qasm:5:7: an integer literal of 500 characters can never equal a register of 3 bits"},
		{"negative", "OPENQASM 3.0;\nqubit q;\nbit[70] c;\nif (c == -1) x q;\n",
			"measured bits can be compared only with a non-negative integer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := errorLines(t, &Config{}, "t.qasm", tc.src)
			require.Len(t, got, 1, "%q", got)
			assert.Contains(t, got[0], tc.want)
		})
	}
}
