package parser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/qasm/ast"
	"github.com/qpeft/qpeft/qasm/printer"
)

// TestParseEach: statements come one at a time, in order, only while the file has no
// syntax error and the callback wants more; the errors are those of ParseFile.
func TestParseEach(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		stopAt int      // the callback returns false on this statement (0: never)
		got    []string // statements delivered
	}{
		{"all", "OPENQASM 3.0;\nqubit q;\nh q;\nfor int i in [0:1] { x q; }\n", 0,
			[]string{"OPENQASM 3.0;", "qubit q;", "h q;", "for int i in [0:1] {"}},
		{"no version line", "qubit q;\nh q;\n", 0, []string{"qubit q;", "h q;"}},
		{"stops at a syntax error", "qubit q;\nh q;\nx q\ny q;\nz q;\n", 0, []string{"qubit q;", "h q;"}},
		{"callback stops", "qubit q;\nh q;\nx q;\ny q;\n", 2, []string{"qubit q;", "h q;"}},
		{"callback stops, syntax error later", "qubit q;\nh q;\nx q;\ny q\n", 1, []string{"qubit q;"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			f, err := (&Config{}).ParseEach("t.qasm", []byte(tc.src), func(s ast.Stmt) bool {
				first, _, _ := strings.Cut(printer.StmtString(s), "\n")
				got = append(got, first)
				return len(got) != tc.stopAt
			})
			assert.Equal(t, tc.got, got)
			require.NotNil(t, f)
			assert.Empty(t, f.Stmts, "ParseEach keeps no statements")
			full, ferr := ParseFile("t.qasm", []byte(tc.src), 0)
			assert.Equal(t, fmt.Sprint(ferr), fmt.Sprint(err), "the same errors as ParseFile")
			assert.Equal(t, full.Version != nil, f.Version != nil)
		})
	}
}

func ExampleConfig_ParseEach() {
	src := []byte("OPENQASM 3.0;\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n")
	var cfg Config
	_, err := cfg.ParseEach("bell.qasm", src, func(s ast.Stmt) bool {
		fmt.Printf("%s: %s\n", s.Pos(), printer.StmtString(s))
		return true // false stops the calls; parsing still checks the rest
	})
	fmt.Println("errors:", err)
	// Output:
	// bell.qasm:1:1: OPENQASM 3.0;
	// bell.qasm:2:1: qubit[2] q;
	// bell.qasm:3:1: h q[0];
	// bell.qasm:4:1: cx q[0], q[1];
	// errors: <nil>
}
