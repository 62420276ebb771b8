package parser_test

import (
	"fmt"

	"github.com/qpeft/qpeft/qasm/ast"
	"github.com/qpeft/qpeft/qasm/parser"
)

func Example() {
	src := []byte("OPENQASM 3.0;\nqubit[2] q;\nctrl @ rx(pi/2) q[0], q[1];\n")
	f, err := parser.ParseFile("example.qasm", src, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range f.Stmts {
		fmt.Printf("%s: %T\n", s.Pos(), s)
	}
	_, err = parser.ParseFile("bad.qasm", []byte("qubit q\nh q;"), 0)
	fmt.Println(err)
	// Output:
	// example.qasm:1:1: *ast.VersionStmt
	// example.qasm:2:1: *ast.QubitDecl
	// example.qasm:3:1: *ast.GateCall
	// bad.qasm:1:8: missing ';' at the end of the statement (the next line starts with identifier h)
	_ = ast.EOF
}
