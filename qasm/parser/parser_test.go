package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/qasm/ast"
)

// paren renders an expression fully parenthesised, to check precedence and associativity.
func paren(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.IntLit:
		return x.Lit
	case *ast.FloatLit:
		return x.Lit
	case *ast.ParenExpr:
		return paren(x.X)
	case *ast.UnaryExpr:
		return "(" + x.Op.String() + paren(x.X) + ")"
	case *ast.BinaryExpr:
		return "(" + paren(x.X) + " " + x.Op.String() + " " + paren(x.Y) + ")"
	case *ast.CallExpr:
		var a []string
		for _, y := range x.Args {
			a = append(a, paren(y))
		}
		return x.Fn.Name + "(" + strings.Join(a, ", ") + ")"
	case *ast.IndexExpr:
		var a []string
		for _, y := range x.Indices {
			a = append(a, paren(y))
		}
		return paren(x.X) + "[" + strings.Join(a, ", ") + "]"
	case *ast.RangeExpr:
		return paren0(x.Start) + ":" + paren0(x.Step) + ":" + paren0(x.Stop)
	case *ast.CastExpr:
		return "cast(" + paren(x.X) + ")"
	}
	return fmt.Sprintf("%T", e)
}

func paren0(e ast.Expr) string {
	if e == nil {
		return "_"
	}
	return paren(e)
}

func TestPrecedence(t *testing.T) {
	cases := []struct{ src, want string }{
		{"1 + 2 * 3", "(1 + (2 * 3))"},
		{"1 - 2 - 3", "((1 - 2) - 3)"},
		{"2 ** 3 ** 2", "(2 ** (3 ** 2))"},
		{"-2 ** 2", "(-(2 ** 2))"},
		{"2 ** -1", "(2 ** (-1))"},
		{"a * -b", "(a * (-b))"},
		{"a < b == c < d", "((a < b) == (c < d))"},
		{"a & b == c", "(a & (b == c))"},
		{"a | b ^ c & d", "(a | (b ^ (c & d)))"},
		{"a && b || c && d", "((a && b) || (c && d))"},
		{"a << 1 + 2", "(a << (1 + 2))"},
		{"!a && b", "((!a) && b)"},
		{"sin(pi / 2) * t[i + 1]", "(sin((pi / 2)) * t[(i + 1)])"},
		{"x[1:2:5]", "x[1:2:5]"},
		{"x[:3]", "x[_:_:3]"},
		{"float[64](n) / 2", "(cast(n) / 2)"},
		{"a % b * c", "((a % b) * c)"},
		{"q ++ r ++ s", "((q ++ r) ++ s)"},
	}
	for _, c := range cases {
		e, err := ParseExpr(c.src)
		if !assert.NoError(t, err, "%q", c.src) {
			continue
		}
		assert.Equal(t, c.want, paren(e), "%q", c.src)
	}
}

func TestOpenQASM2Power(t *testing.T) {
	f, err := ParseFile("p.qasm", []byte("OPENQASM 2.0;\nU(-2^2^3, 0, 0) q;\n"), 0)
	require.NoError(t, err)
	g := f.Stmts[1].(*ast.GateCall)
	assert.Equal(t, "(-(2 ^ (2 ^ 3)))", paren(g.Args[0]), "OpenQASM 2 ^")
	f, err = ParseFile("p.qasm", []byte("OPENQASM 3.0;\nint x = 2 ^ 3 + 1;\n"), 0)
	require.NoError(t, err)
	d := f.Stmts[1].(*ast.ClassicalDecl)
	assert.Equal(t, "(2 ^ (3 + 1))", paren(d.Init), "OpenQASM 3 ^ (xor)")
}

func fixtureFiles(t testing.TB) []string {
	files, err := filepath.Glob("../testdata/*.qasm")
	require.NoError(t, err, "no fixtures")
	require.NotEmpty(t, files, "no fixtures")
	return files
}

// Every node of every fixture has a position, and statement ends are not before starts.
func TestPositions(t *testing.T) {
	for _, name := range fixtureFiles(t) {
		src, _ := os.ReadFile(name)
		f, err := ParseFile(name, src, ParseComments)
		require.NoError(t, err, name)
		ast.Inspect(f, func(n ast.Node) bool {
			assert.True(t, n.Pos().IsValid(), "%s: %T has position %v", name, n, n.Pos())
			assert.Equal(t, name, n.Pos().File, "%s: %T has position %v", name, n, n.Pos())
			if s, ok := n.(ast.Stmt); ok {
				assert.False(t, s.End().Before(s.Pos()), "%s: %T ends at %v before it starts at %v", name, n, s.End(), s.Pos())
			}
			return true
		})
	}
}

func TestStatements(t *testing.T) {
	src := `OPENQASM 3.0;
include "stdgates.inc";
input array[float[64], 4] t;
const int n = 2;
qubit[n] q;
bit[2] c = measure q;
let a = q[0:1] ++ q[{1}];
gate g(x, y) r, s { ctrl @ rx(x) r, s; }
def f(float[64] x, qubit[2] r) { g(x, 1) r[0], r[1]; }
for int i in [0:2:n] g(t[i], t[i+1]) q[0], q[1];
while (n < 0) { break; }
if (c[0] == 1) { x q[0]; } else if (c[1]) { y q[1]; } else z q[0];
negctrl(2) @ inv @ pow(2) @ gphase(pi) q[0], q[1];
f(0.5, q);
measure q[0] -> c[0];
reset q;
barrier;
box { h q; }
#pragma foo
@ann bar
end;
`
	f, err := ParseFile("s.qasm", []byte(src), 0)
	require.NoError(t, err)
	var kinds []string
	for _, s := range f.Stmts {
		kinds = append(kinds, strings.TrimPrefix(fmt.Sprintf("%T", s), "*ast."))
	}
	want := "VersionStmt IncludeStmt ClassicalDecl ClassicalDecl QubitDecl BitDecl AliasStmt GateDef DefStmt ForStmt WhileStmt IfStmt GateCall ExprStmt MeasureStmt ResetStmt BarrierStmt BoxStmt PragmaStmt AnnotationStmt EndStmt"
	assert.Equal(t, want, strings.Join(kinds, " "), "statements")
	assert.Equal(t, 3, f.Major(), "version %v", f.Version)
	assert.Equal(t, "3.0", f.Version.Lit, "version %v", f.Version)
	g := f.Stmts[12].(*ast.GateCall)
	if assert.Len(t, g.Mods, 3, "modifiers: %+v", g) {
		assert.Equal(t, ast.NEGCTRL, g.Mods[0].Kind, "modifiers: %+v", g)
	}
	assert.Equal(t, "gphase", g.Name.Name, "modifiers: %+v", g)
	assert.Len(t, g.Qubits, 2, "modifiers: %+v", g)
}

func TestErrorRecovery(t *testing.T) {
	src := "OPENQASM 3.0;\nqubit q\nh q;\ncx q,;\nx q;\n}\ngate { }\n"
	_, err := ParseFile("r.qasm", []byte(src), 0)
	require.Error(t, err, "no error")
	want := `r.qasm:2:8: missing ';' at the end of the statement (the next line starts with identifier h)
r.qasm:4:6: expected a qubit or register, found ';'
r.qasm:6:1: unexpected '}' with no open block
r.qasm:7:6: expected a gate name, found '{'`
	assert.EqualError(t, err, want)
}

func TestNestingLimit(t *testing.T) {
	deep := strings.Repeat("(", 1000) + "1" + strings.Repeat(")", 1000)
	_, err := (&Config{MaxNesting: 50}).ParseFile("d.qasm", []byte("x = "+deep+";"))
	assert.ErrorContains(t, err, "limit MaxNesting", "deep expression")
	blocks := strings.Repeat("{", 1000) + strings.Repeat("}", 1000)
	_, err = (&Config{MaxNesting: 50}).ParseFile("d.qasm", []byte(blocks))
	assert.ErrorContains(t, err, "limit MaxNesting", "deep blocks")
	unary := strings.Repeat("-", 100000) + "1"
	_, err = ParseExpr(unary)
	assert.ErrorContains(t, err, "limit MaxNesting", "deep unary")
}

func TestTooManyErrors(t *testing.T) {
	_, err := (&Config{MaxErrors: 5}).ParseFile("e.qasm", []byte(strings.Repeat("x ] ;\n", 100)))
	assert.ErrorContains(t, err, "too many errors")
}

// Found by FuzzParse: the first token alone can carry more errors than MaxErrors.
func TestErrorsInFirstToken(t *testing.T) {
	src := "\"" + strings.Repeat("\xb3", 100)
	_, err := (&Config{MaxErrors: 5}).ParseFile("f.qasm", []byte(src))
	assert.ErrorContains(t, err, "too many errors")
}
