// Package printer formats an OpenQASM syntax tree (package ast) as canonical source text,
// in the style of go/printer: one statement per line, four-space indentation, single spaces
// around binary operators and after commas, at most one blank line kept between statements,
// and comments kept where they were (on their own line, or at the end of a statement's line).
//
// Formatting keeps the program's meaning exactly: every token is printed as written
// (numbers keep their spelling, parentheses stay), only layout changes. Formatting its own
// output again gives the same text.
package printer

import (
	"bytes"
	"io"
	"strings"

	"github.com/qpeft/qpeft/qasm/ast"
)

// Indent is one level of indentation.
const Indent = "    "

// Fprint writes the formatted file to w.
func Fprint(w io.Writer, f *ast.File) error {
	_, err := w.Write(Source(f))
	return err
}

// Source returns the formatted text of f.
func Source(f *ast.File) []byte {
	p := &printer{comments: f.Comments, lastLine: -1}
	p.stmts(f.Stmts, ast.Pos{Line: 1 << 30})
	p.flushComments(ast.Pos{Line: 1 << 30})
	out := p.buf.Bytes()
	out = bytes.TrimLeft(out, "\n")
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}

// ExprString formats an expression on one line.
func ExprString(x ast.Expr) string {
	var p printer
	p.expr(x)
	return p.buf.String()
}

// StmtString formats a statement (and, for blocks, its body) without comments.
func StmtString(s ast.Stmt) string {
	p := &printer{lastLine: -1}
	p.stmt(s)
	return strings.TrimRight(p.buf.String(), "\n")
}

type printer struct {
	buf      bytes.Buffer
	indent   int
	comments []*ast.Comment
	ci       int
	lastLine int // source line of the last thing printed (-1: nothing yet)
}

func (p *printer) str(s string) { p.buf.WriteString(s) }

func (p *printer) newline() {
	p.buf.WriteByte('\n')
	for i := 0; i < p.indent; i++ {
		p.buf.WriteString(Indent)
	}
}

// startLine begins a new output line for something at source line line, keeping one blank
// line if the source had at least one.
func (p *printer) startLine(line int) {
	if p.lastLine >= 0 && line > p.lastLine+1 {
		p.buf.WriteByte('\n')
	}
	p.newline()
}

// flushComments prints every comment before pos on its own line.
func (p *printer) flushComments(pos ast.Pos) {
	for p.ci < len(p.comments) && p.comments[p.ci].At.Before(pos) {
		c := p.comments[p.ci]
		p.ci++
		p.startLine(c.At.Line)
		p.str(c.Text)
		p.lastLine = c.At.Line + strings.Count(c.Text, "\n")
	}
}

// trailingComment prints a comment that starts on line line (after the statement that
// ends there) at the end of the current output line.
func (p *printer) trailingComment(end ast.Pos) {
	for p.ci < len(p.comments) {
		c := p.comments[p.ci]
		if c.At.Line != end.Line || !end.Before(c.At) || strings.Contains(c.Text, "\n") {
			return
		}
		p.ci++
		p.str(" " + c.Text)
	}
}

func (p *printer) stmts(list []ast.Stmt, closing ast.Pos) {
	for _, s := range list {
		p.flushComments(s.Pos())
		p.startLine(s.Pos().Line)
		p.stmt(s)
		p.trailingComment(s.End())
		p.lastLine = s.End().Line
	}
	p.flushComments(closing)
}

func (p *printer) block(b *ast.Block) {
	p.str("{")
	if len(b.Stmts) == 0 && !p.hasCommentBefore(b.To) {
		p.str("}")
		return
	}
	p.indent++
	saved := p.lastLine
	p.lastLine = b.From.Line
	p.stmts(b.Stmts, b.To)
	p.indent--
	p.newline()
	p.str("}")
	p.lastLine = saved
}

func (p *printer) hasCommentBefore(pos ast.Pos) bool {
	return p.ci < len(p.comments) && p.comments[p.ci].At.Before(pos)
}

// body prints the body of if/for/while: a block after a space, or a single statement on the
// same line.
func (p *printer) body(s ast.Stmt) {
	p.str(" ")
	if s == nil {
		p.str("{}")
		return
	}
	if b, ok := s.(*ast.Block); ok {
		p.block(b)
		return
	}
	p.stmt(s)
}

func (p *printer) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.VersionStmt:
		p.str("OPENQASM " + s.Lit + ";")
	case *ast.IncludeStmt:
		p.str("include \"" + s.Path + "\";")
	case *ast.QubitDecl:
		p.register(s.Old, "qreg", "qubit", s.Name.Name, s.Size)
		p.str(";")
	case *ast.BitDecl:
		if s.Output {
			p.str("output ")
		}
		p.register(s.Old, "creg", "bit", s.Name.Name, s.Size)
		p.end(" = ", s.Init)
	case *ast.ClassicalDecl:
		switch {
		case s.Const:
			p.str("const ")
		case s.Input:
			p.str("input ")
		case s.Output:
			p.str("output ")
		}
		p.typ(s.Type)
		p.str(" " + s.Name.Name)
		p.end(" = ", s.Init)
	case *ast.AliasStmt:
		p.enclosed("let "+s.Name.Name+" = ", ";", s.Value)
	case *ast.GateDef:
		if s.Opaque {
			p.str("opaque ")
		} else {
			p.str("gate ")
		}
		p.str(s.Name.Name)
		if len(s.Params) > 0 {
			p.str("(")
			p.idents(s.Params)
			p.str(")")
		}
		p.str(" ")
		p.idents(s.Qubits)
		if s.Opaque {
			p.str(";")
			return
		}
		p.str(" ")
		p.block(s.Body)
	case *ast.DefStmt:
		p.str("def " + s.Name.Name + "(")
		for i, par := range s.Params {
			if i > 0 {
				p.str(", ")
			}
			if par.Qubit {
				p.str("qubit")
				p.size(par.Size)
			} else {
				if par.Access != ast.ILLEGAL {
					p.str(par.Access.String() + " ")
				}
				p.typ(par.Type)
			}
			p.str(" " + par.Name.Name)
		}
		p.str(")")
		if s.Return != nil {
			p.str(" -> ")
			p.typ(s.Return)
		}
		p.str(" ")
		p.block(s.Body)
	case *ast.GateCall:
		for _, m := range s.Mods {
			p.str(m.Kind.String())
			if m.Arg != nil {
				p.enclosed("(", ")", m.Arg)
			}
			p.str(" @ ")
		}
		p.str(s.Name.Name)
		if s.Parens || len(s.Args) > 0 {
			p.enclosed("(", ")", s.Args...)
		}
		p.operands(s.Qubits)
		p.str(";")
	case *ast.MeasureStmt:
		p.expr(s.Measure)
		p.end(" -> ", s.Target)
	case *ast.ResetStmt:
		p.enclosed("reset ", ";", s.Qubits)
	case *ast.BarrierStmt:
		p.str("barrier")
		p.operands(s.Qubits)
		p.str(";")
	case *ast.AssignStmt:
		p.expr(s.Target)
		p.str(" " + s.Op.String() + " ")
		p.expr(s.Value)
		p.str(";")
	case *ast.ExprStmt:
		p.expr(s.X)
		p.str(";")
	case *ast.Block:
		p.block(s)
	case *ast.IfStmt:
		p.enclosed("if (", ")", s.Cond)
		p.body(s.Then)
		if s.Else != nil {
			if _, ok := s.Then.(*ast.Block); ok {
				p.str(" else")
			} else {
				p.newline()
				p.str("else")
			}
			if elif, ok := s.Else.(*ast.IfStmt); ok {
				p.str(" ")
				p.stmt(elif)
			} else {
				p.body(s.Else)
			}
		}
	case *ast.ForStmt:
		p.str("for ")
		if s.Type != nil {
			p.typ(s.Type)
			p.str(" ")
		}
		p.str(s.Var.Name + " in ")
		p.expr(s.Values)
		p.body(s.Body)
	case *ast.WhileStmt:
		p.enclosed("while (", ")", s.Cond)
		p.body(s.Body)
	case *ast.BreakStmt:
		p.str("break;")
	case *ast.ContinueStmt:
		p.str("continue;")
	case *ast.EndStmt:
		p.str("end;")
	case *ast.ReturnStmt:
		p.str("return")
		p.end(" ", s.Value)
	case *ast.BoxStmt:
		p.str("box")
		p.size(s.Duration)
		p.str(" ")
		p.block(s.Body)
	case *ast.PragmaStmt:
		p.str("#pragma")
		if s.Text != "" {
			p.str(" " + s.Text)
		}
	case *ast.AnnotationStmt:
		p.str(s.Text)
	case *ast.UnsupportedStmt:
		p.str(strings.TrimSpace(s.Text))
	case *ast.BadStmt:
		p.str("<bad statement>;")
	}
}

// register prints a register declaration without its semicolon: OpenQASM 2's
// "qreg name[size]" when old, else OpenQASM 3's "qubit[size] name".
func (p *printer) register(old bool, kw2, kw3, name string, size ast.Expr) {
	if old {
		p.str(kw2 + " " + name)
		p.size(size)
		return
	}
	p.str(kw3)
	p.size(size)
	p.str(" " + name)
}

// size prints "[size]" (a size, a duration), or nothing when size is nil.
func (p *printer) size(size ast.Expr) {
	if size != nil {
		p.enclosed("[", "]", size)
	}
}

func (p *printer) idents(list []*ast.Ident) {
	for i, id := range list {
		if i > 0 {
			p.str(", ")
		}
		p.str(id.Name)
	}
}

// operands prints " a, b, …", or nothing for an empty list.
// end writes sep and e when e is set, then the statement's semicolon (an initializer,
// a measurement's target, a return value).
func (p *printer) end(sep string, e ast.Expr) {
	if e != nil {
		p.str(sep)
		p.expr(e)
	}
	p.str(";")
}

func (p *printer) operands(list []ast.Expr) {
	if len(list) > 0 {
		p.str(" ")
		p.exprs(list)
	}
}

// enclosed prints list, comma-separated, between open and close: f(a, b), [i], {1, 2},
// (x), reset q;.
func (p *printer) enclosed(open, close string, list ...ast.Expr) {
	p.str(open)
	p.exprs(list)
	p.str(close)
}

func (p *printer) exprs(list []ast.Expr) {
	for i, x := range list {
		if i > 0 {
			p.str(", ")
		}
		p.expr(x)
	}
}

func (p *printer) typ(t *ast.TypeExpr) {
	if t == nil {
		return
	}
	p.str(t.Kind.String())
	switch t.Kind {
	case ast.ARRAY:
		p.str("[")
		p.typ(t.Elem)
		for _, d := range t.Dims {
			p.str(", ")
			p.expr(d)
		}
		p.str("]")
	case ast.COMPLEX:
		if t.Elem != nil {
			p.str("[")
			p.typ(t.Elem)
			p.str("]")
		}
	default:
		p.size(t.Size)
	}
}

func (p *printer) expr(x ast.Expr) {
	switch x := x.(type) {
	case nil:
	case *ast.Ident:
		p.str(x.Name)
	case *ast.IntLit:
		p.str(x.Lit)
	case *ast.FloatLit:
		p.str(x.Lit)
	case *ast.ImagLit:
		p.str(x.Lit)
	case *ast.DurationLit:
		p.str(x.Lit)
	case *ast.BoolLit:
		if x.Value {
			p.str("true")
		} else {
			p.str("false")
		}
	case *ast.StringLit:
		p.str("\"" + x.Value + "\"")
	case *ast.HwQubit:
		p.str("$" + x.Index)
	case *ast.ParenExpr:
		p.enclosed("(", ")", x.X)
	case *ast.UnaryExpr:
		p.str(x.Op.String())
		if u, ok := x.X.(*ast.UnaryExpr); ok && x.Op == ast.ADD && u.Op == ast.ADD {
			p.str(" ") // "++" would read as concatenation
		}
		p.expr(x.X)
	case *ast.BinaryExpr:
		p.expr(x.X)
		switch x.Op {
		case ast.MUL, ast.QUO, ast.REM, ast.POW:
			// Multiplicative operators and powers bind tightly: pi/2, 2*theta, x**2.
			p.str(x.Op.String())
		default:
			p.str(" " + x.Op.String() + " ")
		}
		p.expr(x.Y)
	case *ast.CallExpr:
		p.enclosed(x.Fn.Name+"(", ")", x.Args...)
	case *ast.CastExpr:
		p.typ(x.Type)
		p.enclosed("(", ")", x.X)
	case *ast.IndexExpr:
		p.expr(x.X)
		p.enclosed("[", "]", x.Indices...)
	case *ast.RangeExpr:
		if x.Brackets {
			p.str("[")
		}
		p.expr(x.Start)
		p.str(":")
		if x.Step != nil {
			p.expr(x.Step)
			p.str(":")
		}
		p.expr(x.Stop)
		if x.Brackets {
			p.str("]")
		}
	case *ast.SetExpr:
		p.enclosed("{", "}", x.Elems...)
	case *ast.MeasureExpr:
		p.str("measure ")
		p.expr(x.Qubits)
	case *ast.TypeExpr:
		p.typ(x)
	case *ast.BadExpr:
		p.str("<bad expression>")
	}
}
