package qasm_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/qasm"
)

const dialectSrc = `OPENQASM 3.0;
include "stdgates.inc";
gate sxdg a { inv @ sx a; }
input float[64] a;
qubit[2] q;
bit[2] c;
h q[0];
cx q[0], q[1];
sxdg q[1];
rz(a * 2 / 3 + a ** 2) q[0];
c = measure q;
`

// TestPrintDialect checks the options that write a provider's dialect, against the text
// written out by hand.
func TestPrintDialect(t *testing.T) {
	names := map[string]string{"cx": "cnot", "sxdg": "vi", "h": "h", "rz": "rz"}
	tests := []struct {
		name string
		opts qasm.PrintOptions
		want string
	}{
		{"standard", qasm.PrintOptions{}, `OPENQASM 3.0;
include "stdgates.inc";
gate sxdg a { inv @ sx a; }
input float[64] a;
qubit[2] q;
bit[2] c;
h q[0];
cx q[0], q[1];
sxdg q[1];
rz(a * 2.0 / 3.0 + a ** 2.0) q[0];
c[0] = measure q[0];
c[1] = measure q[1];
`},
		{"renamed, no include, tight", qasm.PrintOptions{GateNames: names, OmitInclude: true, TightProducts: true}, `OPENQASM 3.0;

input float[64] a;
qubit[2] q;
bit[2] c;
h q[0];
cnot q[0], q[1];
vi q[1];
rz(a*2.0/3.0 + a**2.0) q[0];
c[0] = measure q[0];
c[1] = measure q[1];
`},
		{"verbatim", qasm.PrintOptions{GateNames: names, OmitInclude: true, Verbatim: "braket verbatim"}, `OPENQASM 3.0;

input float[64] a;
bit[2] c;
#pragma braket verbatim
box {
    h $0;
    cnot $0, $1;
    vi $1;
    rz(a * 2.0 / 3.0 + a ** 2.0) $0;
}
c[0] = measure $0;
c[1] = measure $1;
`},
	}
	c, err := qasm.Parse("dialect.qasm", []byte(dialectSrc))
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := qasm.Print(c, tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

// TestPrintTightReadsBack checks that TightProducts changes layout only: the parser reads
// the tight text to the same circuit as the standard text.
func TestPrintTightReadsBack(t *testing.T) {
	srcs := []string{
		dialectSrc,
		"OPENQASM 3.0;\ninput float[64] x;\ninput float[64] y;\nqubit q;\nU(-(x / (y * 3)) ** 2, x - -y, (x ** y) ** 2 / (x * y)) q;\n",
		"OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput array[float[64], 2] t;\nqubit[2] q;\nctrl @ ry(t[0] * t[1] / pi) q[0], q[1];\n",
	}
	for i, src := range srcs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			c, err := qasm.Parse("in.qasm", []byte(src))
			require.NoError(t, err)
			standard, err := qasm.Print(c, qasm.PrintOptions{})
			require.NoError(t, err)
			tight, err := qasm.Print(c, qasm.PrintOptions{TightProducts: true})
			require.NoError(t, err)
			assert.NotContains(t, string(tight), " * ")
			assert.NotContains(t, string(tight), " / ")
			a, err := qasm.Parse("standard.qasm", standard)
			require.NoError(t, err)
			b, err := qasm.Parse("tight.qasm", tight)
			require.NoError(t, err)
			require.Len(t, b.Ops, len(a.Ops))
			for k := range a.Ops {
				assert.Equal(t, fmt.Sprint(a.Ops[k].Args), fmt.Sprint(b.Ops[k].Args), "operation %d", k)
			}
		})
	}
}

// TestPrintVerbatimErrors checks what a verbatim box refuses.
func TestPrintVerbatimErrors(t *testing.T) {
	tests := []struct {
		name, src string
		opts      qasm.PrintOptions
		want      string
	}{
		{"gate after measure", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[1] q;\nbit[1] c;\nc[0] = measure q[0];\nx q[0];\n",
			qasm.PrintOptions{Verbatim: "v"}, "operation 1 (x): a verbatim box cannot follow a measurement"},
		{"reset", "OPENQASM 3.0;\nqubit[1] q;\nreset q[0];\n",
			qasm.PrintOptions{Verbatim: "v"}, "operation 0 (reset): a verbatim box holds gates only"},
		{"condition", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[1] q;\nbit[1] c;\nif (c[0]) x q[0];\n",
			qasm.PrintOptions{Verbatim: "v"}, "operation 0 (x): a verbatim box holds gates only"},
		{"OpenQASM 2", "OPENQASM 3.0;\nqubit[1] q;\n",
			qasm.PrintOptions{Version: 2, Verbatim: "v"}, "a verbatim box needs OpenQASM 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := qasm.Parse("in.qasm", []byte(tt.src))
			require.NoError(t, err)
			_, err = qasm.Print(c, tt.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// A provider's dialect: Amazon Braket's gate names, no include, physical qubits in a
// verbatim box.
func ExamplePrint_dialect() {
	circ, _ := qasm.Parse("bell.qasm", []byte("include \"stdgates.inc\"; qubit[2] q; bit[2] c; h q[0]; cx q[0], q[1]; c = measure q;"))
	text, _ := qasm.Print(circ, qasm.PrintOptions{
		GateNames:   map[string]string{"cx": "cnot"},
		OmitInclude: true,
		Verbatim:    "braket verbatim",
	})
	fmt.Print(string(text))
	// Output:
	// OPENQASM 3.0;
	//
	// bit[2] c;
	// #pragma braket verbatim
	// box {
	//     h $0;
	//     cnot $0, $1;
	// }
	// c[0] = measure $0;
	// c[1] = measure $1;
}
