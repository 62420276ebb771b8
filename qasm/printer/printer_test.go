package printer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/qasm"
	"github.com/qpeft/qpeft/qasm/parser"
	"github.com/qpeft/qpeft/qasm/printer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func format(t *testing.T, name string, src []byte) []byte {
	t.Helper()
	f, err := parser.ParseFile(name, src, parser.ParseComments)
	require.NoError(t, err, "%s", name)
	return printer.Source(f)
}

func sameCircuit(a, b *circuit.Circuit) error {
	if a.NumQubits != b.NumQubits || a.NumClbits != b.NumClbits || fmt.Sprint(a.Params) != fmt.Sprint(b.Params) ||
		fmt.Sprint(a.QRegs, a.CRegs) != fmt.Sprint(b.QRegs, b.CRegs) || len(a.Ops) != len(b.Ops) {
		return fmt.Errorf("shapes differ")
	}
	for i := range a.Ops {
		x, y := &a.Ops[i], &b.Ops[i]
		if x.Name() != y.Name() || fmt.Sprint(x.Qubits, x.Clbits(), x.Cond, x.Args) != fmt.Sprint(y.Qubits, y.Clbits(), y.Cond, y.Args) {
			return fmt.Errorf("op %d: %s %v %v vs %s %v %v", i, x.Name(), x.Qubits, x.Args, y.Name(), y.Qubits, y.Args)
		}
	}
	return nil
}

// Formatting is idempotent and keeps the program's meaning exactly.
func TestFormatFixtures(t *testing.T) {
	files, _ := filepath.Glob("../testdata/*.qasm")
	require.NotEmpty(t, files, "no fixtures")
	for _, name := range files {
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		once := format(t, name, src)
		twice := format(t, name, once)
		assert.Equal(t, string(once), string(twice), "%s: formatting is not idempotent", name)
		var cfg qasm.Config
		a, err := cfg.Parse(name, src)
		require.NoError(t, err)
		b, err := cfg.Parse(name, once)
		require.NoError(t, err, "%s: formatted text does not read back\n%s", name, once)
		assert.NoError(t, sameCircuit(a.Circuit, b.Circuit), "%s: formatting changed the circuit", name)
	}
}

func TestFormatLayout(t *testing.T) {
	src := `OPENQASM 3.0;   // header
include "stdgates.inc";


// the register
qubit[2]   q;
gate  g( a,b ) x,y{rx(a*2+b)x;
  // inside
cx x,y;}
for int i in [0:1]{h q[i];}
if(true)x q[0];else{y q[1];}
ctrl(2)@ inv@ x q[0],q[1], q[0];
/* trailing
   block */
`
	want := `OPENQASM 3.0; // header
include "stdgates.inc";

// the register
qubit[2] q;
gate g(a, b) x, y {
    rx(a*2 + b) x;
    // inside
    cx x, y;
}
for int i in [0:1] {
    h q[i];
}
if (true) x q[0];
else {
    y q[1];
}
ctrl(2) @ inv @ x q[0], q[1], q[0];
/* trailing
   block */
`
	got := format(t, "l.qasm", []byte(src))
	assert.Equal(t, want, string(got))
}
