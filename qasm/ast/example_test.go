package ast_test

import (
	"fmt"

	"github.com/qpeft/qpeft/qasm/ast"
	"github.com/qpeft/qpeft/qasm/parser"
)

// Count the gate calls of a program and show where each is.
func ExampleInspect() {
	f, _ := parser.ParseFile("ghz.qasm", []byte("qubit[3] q;\nh q[0];\nfor int i in [0:1] { cx q[i], q[i+1]; }\n"), 0)
	ast.Inspect(f, func(n ast.Node) bool {
		if g, ok := n.(*ast.GateCall); ok {
			fmt.Println(g.Pos(), g.Name.Name)
		}
		return true
	})
	// Output:
	// ghz.qasm:2:1 h
	// ghz.qasm:3:22 cx
}
