package scanner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/qasm/ast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type tok struct {
	tok  ast.Token
	lit  string
	line int
	col  int
}

func scanAll(src string, mode Mode, major int) ([]tok, ErrorList) {
	var s Scanner
	var errs ErrorList
	s.Init("t.qasm", []byte(src), func(p ast.Pos, m string) { errs.Add(p, m) }, mode)
	s.SetVersion(major)
	var out []tok
	for {
		pos, t, lit := s.Scan()
		if t == ast.EOF {
			return out, errs
		}
		out = append(out, tok{t, lit, pos.Line, pos.Col})
	}
}

func TestTokens(t *testing.T) {
	cases := []struct {
		src  string
		want []tok
	}{
		{"OPENQASM 3.0;", []tok{{ast.OPENQASM, "OPENQASM", 1, 1}, {ast.FLOAT, "3.0", 1, 10}, {ast.SEMICOLON, "", 1, 13}}},
		{"qubit[2] q;", []tok{{ast.QUBIT, "qubit", 1, 1}, {ast.LBRACK, "", 1, 6}, {ast.INT, "2", 1, 7}, {ast.RBRACK, "", 1, 8}, {ast.IDENT, "q", 1, 10}, {ast.SEMICOLON, "", 1, 11}}},
		// Columns count characters, not bytes.
		{"rz(π/2) θ;", []tok{{ast.IDENT, "rz", 1, 1}, {ast.LPAREN, "", 1, 3}, {ast.IDENT, "π", 1, 4}, {ast.QUO, "", 1, 5}, {ast.INT, "2", 1, 6}, {ast.RPAREN, "", 1, 7}, {ast.IDENT, "θ", 1, 9}, {ast.SEMICOLON, "", 1, 10}}},
		{"1_000 0x1F 0b101 0o17 .5 1. 1e-3 2.5E+2 3im 100ns 4dt 7 s", []tok{
			{ast.INT, "1_000", 1, 1}, {ast.INT, "0x1F", 1, 7}, {ast.INT, "0b101", 1, 12}, {ast.INT, "0o17", 1, 18},
			{ast.FLOAT, ".5", 1, 23}, {ast.FLOAT, "1.", 1, 26}, {ast.FLOAT, "1e-3", 1, 29}, {ast.FLOAT, "2.5E+2", 1, 34},
			{ast.IMAG, "3im", 1, 41}, {ast.DURATION, "100ns", 1, 45}, {ast.DURATION, "4dt", 1, 51}, {ast.INT, "7", 1, 55}, {ast.IDENT, "s", 1, 57}}},
		// A number followed by letters that are not a suffix stays a number, then an identifier.
		{"2x 1e", []tok{{ast.INT, "2", 1, 1}, {ast.IDENT, "x", 1, 2}, {ast.INT, "1", 1, 4}, {ast.IDENT, "e", 1, 5}}},
		{"a**=b ** c ^ d ++ e -> f @ g && h || !i ~j <<= >>= != == <= >=", []tok{
			{ast.IDENT, "a", 1, 1}, {ast.POW_ASSIGN, "", 1, 2}, {ast.IDENT, "b", 1, 5}, {ast.POW, "", 1, 7}, {ast.IDENT, "c", 1, 10},
			{ast.CARET, "", 1, 12}, {ast.IDENT, "d", 1, 14}, {ast.CONCAT, "", 1, 16}, {ast.IDENT, "e", 1, 19}, {ast.ARROW, "", 1, 21},
			{ast.IDENT, "f", 1, 24}, {ast.AT, "", 1, 26}, {ast.IDENT, "g", 1, 28}, {ast.LAND, "", 1, 30}, {ast.IDENT, "h", 1, 33},
			{ast.LOR, "", 1, 35}, {ast.NOT, "", 1, 38}, {ast.IDENT, "i", 1, 39}, {ast.TILDE, "", 1, 41}, {ast.IDENT, "j", 1, 42},
			{ast.SHL_ASSIGN, "", 1, 44}, {ast.SHR_ASSIGN, "", 1, 48}, {ast.NEQ, "", 1, 52}, {ast.EQL, "", 1, 55}, {ast.LEQ, "", 1, 58}, {ast.GEQ, "", 1, 61}}},
		{"include \"qelib1.inc\";\nmeasure q -> c;", []tok{{ast.INCLUDE, "include", 1, 1}, {ast.STRING, "qelib1.inc", 1, 9},
			{ast.SEMICOLON, "", 1, 21}, {ast.MEASURE, "measure", 2, 1}, {ast.IDENT, "q", 2, 9}, {ast.ARROW, "", 2, 11}, {ast.IDENT, "c", 2, 14}, {ast.SEMICOLON, "", 2, 15}}},
		{"#pragma braket verbatim\n@bind x y\nctrl @x q;\n$12", []tok{{ast.PRAGMA, "braket verbatim", 1, 1}, {ast.ANNOTATION, "@bind x y", 2, 1},
			{ast.CTRL, "ctrl", 3, 1}, {ast.AT, "", 3, 6}, {ast.IDENT, "x", 3, 7}, {ast.IDENT, "q", 3, 9}, {ast.SEMICOLON, "", 3, 10}, {ast.HWQUBIT, "$12", 4, 1}}},
		{"pragma qpeft fast\nx;", []tok{{ast.PRAGMA, "qpeft fast", 1, 1}, {ast.IDENT, "x", 2, 1}, {ast.SEMICOLON, "", 2, 2}}},
		{"a // one\n/* two\nlines */ b", []tok{{ast.IDENT, "a", 1, 1}, {ast.IDENT, "b", 3, 10}}},
		{"\uFEFFqubit q;", []tok{{ast.QUBIT, "qubit", 1, 1}, {ast.IDENT, "q", 1, 7}, {ast.SEMICOLON, "", 1, 8}}},
	}
	for _, c := range cases {
		got, errs := scanAll(c.src, 0, 3)
		assert.Empty(t, errs, "%q: errors", c.src)
		assert.Equal(t, fmt.Sprint(c.want), fmt.Sprint(got), "%q", c.src)
	}
}

func TestComments(t *testing.T) {
	got, _ := scanAll("x // c1\n/* c2 */ y", ScanComments, 3)
	want := []tok{{ast.IDENT, "x", 1, 1}, {ast.COMMENT, "// c1", 1, 3}, {ast.COMMENT, "/* c2 */", 2, 1}, {ast.IDENT, "y", 2, 10}}
	assert.Equal(t, fmt.Sprint(want), fmt.Sprint(got))
}

func TestOpenQASM2Keywords(t *testing.T) {
	// In OpenQASM 2 the OpenQASM 3 keywords are ordinary names.
	got, _ := scanAll("qreg input[2]; gate inv a { U(0,0,0) a; }", 0, 2)
	require.Greater(t, len(got), 7)
	assert.Equal(t, ast.IDENT, got[1].tok, "OpenQASM 3 keywords are not identifiers in OpenQASM 2: %v", got)
	assert.Equal(t, ast.IDENT, got[7].tok, "OpenQASM 3 keywords are not identifiers in OpenQASM 2: %v", got)
	got, _ = scanAll("input inv", 0, 3)
	require.Greater(t, len(got), 1)
	assert.Equal(t, ast.INPUT, got[0].tok, "keywords in OpenQASM 3: %v", got)
	assert.Equal(t, ast.INV, got[1].tok, "keywords in OpenQASM 3: %v", got)
}

func TestScanErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"\"abc\nx", "t.qasm:1:1: string not terminated: a closing quote is missing on this line"},
		{"x /* y", "t.qasm:1:3: comment not terminated: /* needs a closing */"},
		{"x ` y", "t.qasm:1:3: unexpected character '`'"},
		{"x\x00y", "t.qasm:1:2: illegal character NUL"},
		{"x \xff y", "t.qasm:1:3: illegal UTF-8 encoding"},
		{"$x", "t.qasm:1:1: '$' must be followed by a physical qubit number, as in $0"},
		{"#include <x>", "t.qasm:1:1: unexpected '#include': only #pragma lines start with '#'"},
		{"0x", "t.qasm:1:1: 0x literal has no digits"},
	}
	for _, c := range cases {
		_, errs := scanAll(c.src, 0, 3)
		if assert.NotEmpty(t, errs, c.src) {
			assert.EqualError(t, errs[0], c.want, c.src)
		}
	}
}

func TestErrorList(t *testing.T) {
	var l ErrorList
	l.Add(ast.Pos{File: "b", Line: 1, Col: 1}, "z")
	l.Add(ast.Pos{File: "a", Line: 2, Col: 1}, "y")
	l.Add(ast.Pos{File: "a", Line: 1, Col: 5}, "x")
	l.Add(ast.Pos{File: "a", Line: 1, Col: 5}, "x")
	l.RemoveMultiples()
	want := "a:1:5: x\na:2:1: y\nb:1:1: z"
	assert.Equal(t, want, l.Error())
	assert.Equal(t, 3, l.Len())
	var sb strings.Builder
	PrintError(&sb, l.Err())
	assert.Equal(t, want+"\n", sb.String(), "PrintError")
	var empty ErrorList
	assert.NoError(t, empty.Err(), "empty list is an error")
	for i := 0; i < 20; i++ {
		l.Add(ast.Pos{File: "c", Line: i + 1, Col: 1}, "more")
	}
	assert.True(t, strings.HasSuffix(l.Error(), "(and 13 more errors)"), "long list: %q", l.Error())
}

// seedFiles returns the fixture programs of the qasm package as fuzz seeds.
func seedFiles(f *testing.F) {
	files, _ := filepath.Glob("../testdata/*.qasm")
	more, _ := filepath.Glob("../testdata/errors/*.qasm")
	for _, name := range append(files, more...) {
		b, err := os.ReadFile(name)
		if err == nil {
			f.Add(b)
		}
	}
}

// FuzzScan checks that the scanner terminates on any input, never panics, returns tokens
// in order with valid positions, and reaches EOF within one token per input byte.
func FuzzScan(f *testing.F) {
	seedFiles(f)
	f.Add([]byte("\"\x00$#@/*"))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, major := range []int{2, 3} {
			var s Scanner
			s.Init("f", src, func(ast.Pos, string) {}, ScanComments)
			s.SetVersion(major)
			last := ast.Pos{Line: 1, Col: 0}
			for n := 0; ; n++ {
				// Plain conditions on the per-token path (testify's calls box their arguments
				// on every call, which slows fuzzing); testify reports the failure.
				if n > len(src)+2 {
					require.Failf(t, "no EOF", "after %d tokens for %d bytes", n, len(src))
				}
				pos, tok, _ := s.Scan()
				if tok == ast.EOF {
					break
				}
				if !pos.IsValid() || pos.Before(last) || pos == last {
					require.Failf(t, "positions do not advance", "token %v at %v after %v", tok, pos, last)
				}
				last = pos
			}
			_, tok, _ := s.Scan()
			require.Equal(t, ast.EOF, tok, "Scan after EOF did not return EOF")
		}
	})
}
