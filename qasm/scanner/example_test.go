package scanner_test

import (
	"fmt"

	"github.com/qpeft/qpeft/qasm/ast"
	"github.com/qpeft/qpeft/qasm/scanner"
)

func Example() {
	var s scanner.Scanner
	s.Init("bell.qasm", []byte("cx q[0], q[1]; // entangle"), nil, scanner.ScanComments)
	for {
		pos, tok, lit := s.Scan()
		if tok == ast.EOF {
			break
		}
		fmt.Printf("%s\t%s\t%q\n", pos, tok, lit)
	}
	// Output:
	// bell.qasm:1:1	identifier	"cx"
	// bell.qasm:1:4	identifier	"q"
	// bell.qasm:1:5	[	""
	// bell.qasm:1:6	integer	"0"
	// bell.qasm:1:7	]	""
	// bell.qasm:1:8	,	""
	// bell.qasm:1:10	identifier	"q"
	// bell.qasm:1:11	[	""
	// bell.qasm:1:12	integer	"1"
	// bell.qasm:1:13	]	""
	// bell.qasm:1:14	;	""
	// bell.qasm:1:16	comment	"// entangle"
}
