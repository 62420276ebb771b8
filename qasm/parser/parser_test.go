package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if got := paren(e); got != c.want {
			t.Errorf("%q: got %s, want %s", c.src, got, c.want)
		}
	}
}

func TestOpenQASM2Power(t *testing.T) {
	f, err := ParseFile("p.qasm", []byte("OPENQASM 2.0;\nU(-2^2^3, 0, 0) q;\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	g := f.Stmts[1].(*ast.GateCall)
	if got := paren(g.Args[0]); got != "(-(2 ^ (2 ^ 3)))" {
		t.Errorf("OpenQASM 2 ^: %s", got)
	}
	f, err = ParseFile("p.qasm", []byte("OPENQASM 3.0;\nint x = 2 ^ 3 + 1;\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	d := f.Stmts[1].(*ast.ClassicalDecl)
	if got := paren(d.Init); got != "(2 ^ (3 + 1))" {
		t.Errorf("OpenQASM 3 ^ (xor): %s", got)
	}
}

func fixtureFiles(t testing.TB) []string {
	files, err := filepath.Glob("../testdata/*.qasm")
	if err != nil || len(files) == 0 {
		t.Fatal("no fixtures")
	}
	return files
}

// Every node of every fixture has a position, and statement ends are not before starts.
func TestPositions(t *testing.T) {
	for _, name := range fixtureFiles(t) {
		src, _ := os.ReadFile(name)
		f, err := ParseFile(name, src, ParseComments)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if !n.Pos().IsValid() || n.Pos().File != name {
				t.Errorf("%s: %T has position %v", name, n, n.Pos())
			}
			if s, ok := n.(ast.Stmt); ok && s.End().Before(s.Pos()) {
				t.Errorf("%s: %T ends at %v before it starts at %v", name, n, s.End(), s.Pos())
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
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range f.Stmts {
		kinds = append(kinds, strings.TrimPrefix(fmt.Sprintf("%T", s), "*ast."))
	}
	want := "VersionStmt IncludeStmt ClassicalDecl ClassicalDecl QubitDecl BitDecl AliasStmt GateDef DefStmt ForStmt WhileStmt IfStmt GateCall ExprStmt MeasureStmt ResetStmt BarrierStmt BoxStmt PragmaStmt AnnotationStmt EndStmt"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("statements:\n got  %s\n want %s", got, want)
	}
	if f.Major() != 3 || f.Version.Lit != "3.0" {
		t.Errorf("version %v", f.Version)
	}
	g := f.Stmts[12].(*ast.GateCall)
	if len(g.Mods) != 3 || g.Mods[0].Kind != ast.NEGCTRL || g.Name.Name != "gphase" || len(g.Qubits) != 2 {
		t.Errorf("modifiers: %+v", g)
	}
}

func TestErrorRecovery(t *testing.T) {
	src := "OPENQASM 3.0;\nqubit q\nh q;\ncx q,;\nx q;\n}\ngate { }\n"
	_, err := ParseFile("r.qasm", []byte(src), 0)
	if err == nil {
		t.Fatal("no error")
	}
	want := `r.qasm:2:8: missing ';' at the end of the statement (the next line starts with identifier h)
r.qasm:4:6: expected a qubit or register, found ';'
r.qasm:6:1: unexpected '}' with no open block
r.qasm:7:6: expected a gate name, found '{'`
	if err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestNestingLimit(t *testing.T) {
	deep := strings.Repeat("(", 1000) + "1" + strings.Repeat(")", 1000)
	_, err := (&Config{MaxNesting: 50}).ParseFile("d.qasm", []byte("x = "+deep+";"))
	if err == nil || !strings.Contains(err.Error(), "limit MaxNesting") {
		t.Errorf("deep expression: %v", err)
	}
	blocks := strings.Repeat("{", 1000) + strings.Repeat("}", 1000)
	_, err = (&Config{MaxNesting: 50}).ParseFile("d.qasm", []byte(blocks))
	if err == nil || !strings.Contains(err.Error(), "limit MaxNesting") {
		t.Errorf("deep blocks: %v", err)
	}
	unary := strings.Repeat("-", 100000) + "1"
	if _, err = ParseExpr(unary); err == nil || !strings.Contains(err.Error(), "limit MaxNesting") {
		t.Errorf("deep unary: %v", err)
	}
}

func TestTooManyErrors(t *testing.T) {
	_, err := (&Config{MaxErrors: 5}).ParseFile("e.qasm", []byte(strings.Repeat("x ] ;\n", 100)))
	if err == nil || !strings.Contains(err.Error(), "too many errors") {
		t.Errorf("got %v", err)
	}
}

// Found by FuzzParse: the first token alone can carry more errors than MaxErrors.
func TestErrorsInFirstToken(t *testing.T) {
	src := "\"" + strings.Repeat("\xb3", 100)
	_, err := (&Config{MaxErrors: 5}).ParseFile("f.qasm", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "too many errors") {
		t.Errorf("got %v", err)
	}
}
