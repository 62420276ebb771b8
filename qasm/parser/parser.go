// Package parser reads OpenQASM 2 and 3 source into the syntax tree of package ast, in the
// style of go/parser. It reports every syntax error it can find (sorted, as a
// scanner.ErrorList) rather than stopping at the first, recovering at the next ';' or '}'.
//
// The parser accepts the syntax of the whole language where it can, including constructs
// qpeft does not execute (defcal, extern, switch, delay, …): those become
// ast.UnsupportedStmt or ordinary nodes, and the qasm package reports them precisely. It
// never panics and runs in time linear in the input; nesting deeper than a limit is an
// error, so that no input can exhaust the stack.
package parser

import (
	"fmt"
	"strings"

	"github.com/qpeft/qpeft/qasm/ast"
	"github.com/qpeft/qpeft/qasm/scanner"
)

// Mode controls optional parser behaviour.
type Mode uint

// Modes.
const (
	// ParseComments keeps comments in File.Comments (for formatting).
	ParseComments Mode = 1 << iota
)

// Defaults for Config.
const (
	DefaultMaxNesting = 200 // blocks and expressions nested inside each other
	DefaultMaxErrors  = 50  // errors reported before the parser gives up
)

// Config controls parsing. The zero value uses the defaults.
type Config struct {
	Mode Mode
	// MaxNesting bounds how deeply blocks and expressions may nest (DefaultMaxNesting when 0).
	MaxNesting int
	// MaxErrors stops parsing after this many errors (DefaultMaxErrors when 0).
	MaxErrors int
	// Version is the language major version (2 or 3) assumed until an OPENQASM statement
	// says otherwise; 0 means 3. Included files, which usually have no OPENQASM line, are
	// read in the version of the file including them.
	Version int
}

// ParseFile parses one OpenQASM source file. filename is used in positions only. On error it
// returns the tree parsed so far (never nil) and a scanner.ErrorList.
func ParseFile(filename string, src []byte, mode Mode) (*ast.File, error) {
	return (&Config{Mode: mode}).ParseFile(filename, src)
}

// ParseExpr parses a single expression (OpenQASM 3 syntax), for tools and tests.
func ParseExpr(src string) (ast.Expr, error) {
	p := newParser(&Config{}, "<expr>", []byte(src))
	var x ast.Expr
	p.next() // scanning may already report errors (and give up)
	x = p.parseExpr()
	if p.tok != ast.EOF {
		p.errorExpected(p.pos, "end of expression")
	}
	p.errors.RemoveMultiples()
	return x, p.errors.Err()
}

// ParseFile parses one source file with this configuration.
func (c *Config) ParseFile(filename string, src []byte) (f *ast.File, err error) {
	p := newParser(c, filename, src)
	f = &ast.File{Name: filename}
	p.next() // scanning may already report errors (and give up)
	p.parseFile(f)
	f.Comments = p.comments
	p.errors.RemoveMultiples()
	return f, p.errors.Err()
}

// ParseEach parses one source file and hands each top-level statement to fn as soon as it
// is parsed (the OPENQASM version statement first, when there is one), without keeping
// it: the returned File has its Version and Comments but no Stmts, so a caller that
// processes statements one at a time needs memory for one statement, not for the tree of
// the whole file. fn is called only while the file has no syntax error so far and fn has
// not returned false; parsing goes on to the end either way, so the returned
// scanner.ErrorList holds every syntax error, as ParseFile's does.
func (c *Config) ParseEach(filename string, src []byte, fn func(ast.Stmt) bool) (f *ast.File, err error) {
	p := newParser(c, filename, src)
	p.each = fn
	f = &ast.File{Name: filename}
	p.next()
	p.parseFile(f)
	f.Comments = p.comments
	p.errors.RemoveMultiples()
	return f, p.errors.Err()
}

// deliver hands a statement to the ParseEach callback, or appends it to the file.
func (p *parser) deliver(f *ast.File, s ast.Stmt) {
	if p.each == nil {
		f.Stmts = append(f.Stmts, s)
		return
	}
	if p.eachDone || len(p.errors) > 0 {
		p.eachDone = true
		return
	}
	if !p.each(s) {
		p.eachDone = true
	}
}

type parser struct {
	sc       scanner.Scanner
	src      []byte
	errors   scanner.ErrorList
	mode     Mode
	file     string
	major    int
	comments []*ast.Comment

	pos      ast.Pos
	tok      ast.Token
	lit      string
	off, end int     // byte offsets of the current token
	prevEnd  ast.Pos // position just after the previous token
	curEnd   ast.Pos
	prevOff  int // byte offset just after the previous token

	depth, maxDepth int
	maxErrors       int

	stmtWord string // the identifier a statement started with (for OpenQASM 2 hints)

	each     func(ast.Stmt) bool // ParseEach's callback
	eachDone bool                // the callback returned false, or a syntax error was found

	// stopped is set when parsing gives up (too many errors, nesting too deep). From then
	// on the parser sees the end of the file, so every construct being parsed closes and
	// the parse returns with the errors so far; no further error is recorded.
	stopped bool
}

func newParser(c *Config, filename string, src []byte) *parser {
	p := &parser{src: src, mode: c.Mode, file: filename, major: 3, maxDepth: c.MaxNesting, maxErrors: c.MaxErrors}
	if c.Version == 2 {
		p.major = 2
	}
	if p.maxDepth <= 0 {
		p.maxDepth = DefaultMaxNesting
	}
	if p.maxErrors <= 0 {
		p.maxErrors = DefaultMaxErrors
	}
	var smode scanner.Mode
	if c.Mode&ParseComments != 0 {
		smode = scanner.ScanComments
	}
	p.sc.Init(filename, src, p.addError, smode)
	p.sc.SetVersion(p.major)
	return p
}

// stop makes the parser give up: see parser.stopped.
func (p *parser) stop() {
	p.stopped = true
	p.tok, p.lit = ast.EOF, ""
}

func (p *parser) addError(pos ast.Pos, msg string) {
	if p.stopped {
		return
	}
	p.errors.Add(pos, msg)
	if len(p.errors) >= p.maxErrors {
		p.errors.Add(pos, fmt.Sprintf("too many errors (%d); stopping", len(p.errors)))
		p.stop()
	}
}

func (p *parser) error(pos ast.Pos, msg string) {
	if p.major == 2 && p.stmtWord != "" {
		if t := ast.Lookup(p.stmtWord, 3); t.IsOQ3Keyword() {
			msg += fmt.Sprintf(" (%q is OpenQASM 3 syntax, but this file declares OPENQASM 2.0; change the header to OPENQASM 3.0;)", p.stmtWord)
		}
	}
	p.addError(pos, msg)
}

func (p *parser) next() {
	p.prevEnd = p.curEnd
	p.prevOff = p.end
	for !p.stopped {
		p.pos, p.tok, p.lit = p.sc.Scan()
		p.off, p.end = p.sc.Offsets()
		p.curEnd = p.sc.EndPos()
		if p.stopped { // the scanner reported one error too many
			break
		}
		if p.tok != ast.COMMENT {
			return
		}
		p.comments = append(p.comments, &ast.Comment{At: p.pos, Text: p.lit, Block: strings.HasPrefix(p.lit, "/*")})
	}
	p.tok, p.lit = ast.EOF, ""
}

// describe names the current token for error messages.
func (p *parser) describe() string {
	switch p.tok {
	case ast.EOF:
		return "end of file"
	case ast.IDENT:
		return "identifier " + p.lit
	case ast.INT, ast.FLOAT, ast.IMAG, ast.DURATION:
		return "number " + p.lit
	case ast.STRING:
		return fmt.Sprintf("string %q", p.lit)
	case ast.HWQUBIT:
		return "physical qubit " + p.lit
	case ast.PRAGMA:
		return "#pragma"
	case ast.ANNOTATION:
		return "annotation"
	case ast.ILLEGAL:
		return fmt.Sprintf("%q", p.lit)
	}
	if p.tok.IsKeyword() {
		return "keyword " + p.tok.String()
	}
	return "'" + p.tok.String() + "'"
}

func (p *parser) errorExpected(pos ast.Pos, what string) {
	if p.tok == ast.ILLEGAL {
		// The scanner has already reported the character.
		if len(p.errors) > 0 && p.errors[len(p.errors)-1].Pos == pos {
			return
		}
	}
	p.error(pos, "expected "+what+", found "+p.describe())
}

// expect consumes tok or reports an error; it returns the token's position.
func (p *parser) expect(tok ast.Token, what string) ast.Pos {
	pos := p.pos
	if p.tok != tok {
		if what == "" {
			what = "'" + tok.String() + "'"
		}
		p.errorExpected(pos, what)
		return pos
	}
	p.next()
	return pos
}

// expectSemi consumes the ';' ending a statement; a missing one is reported just after the
// previous token, where it belongs.
func (p *parser) expectSemi() ast.Pos {
	if p.tok == ast.SEMICOLON {
		pos := p.pos
		p.next()
		return pos
	}
	pos := p.prevEnd
	if !pos.IsValid() {
		pos = p.pos
	}
	if p.tok == ast.EOF {
		p.error(pos, "missing ';' at the end of the statement (at the end of the file)")
	} else if pos.Line < p.pos.Line {
		p.error(pos, fmt.Sprintf("missing ';' at the end of the statement (the next line starts with %s)", p.describe()))
	} else {
		p.error(pos, fmt.Sprintf("expected ';' at the end of the statement, found %s", p.describe()))
	}
	p.syncStmt()
	return pos
}

// syncStmt skips to just after the next ';' at this nesting level, or to a '}' that closes
// the enclosing block (not consumed), or to the end of input.
func (p *parser) syncStmt() {
	depth := 0
	for {
		switch p.tok {
		case ast.EOF:
			return
		case ast.SEMICOLON:
			if depth == 0 {
				p.next()
				return
			}
		case ast.LBRACE:
			depth++
		case ast.RBRACE:
			if depth == 0 {
				return
			}
			depth--
			if depth == 0 {
				p.next()
				return
			}
		}
		p.next()
	}
}

func (p *parser) enter(pos ast.Pos) {
	p.depth++
	if p.depth > p.maxDepth && !p.stopped {
		p.errors.Add(pos, fmt.Sprintf("nesting too deep: more than %d levels of blocks or parentheses (limit MaxNesting)", p.maxDepth))
		p.stop()
	}
}

func (p *parser) leave() { p.depth-- }

// nest enters a nesting level at pos and skips the opening token there ('{', '(', '[', a
// type or an operator); the caller defers the leave it returns.
func (p *parser) nest(pos ast.Pos) (leave func()) {
	p.enter(pos)
	p.next()
	return p.leave
}

// ---- files and statements ----

func (p *parser) parseFile(f *ast.File) {
	first := true
	for p.tok != ast.EOF {
		if p.tok == ast.OPENQASM {
			v := p.parseVersion()
			if first {
				f.Version = v
				p.deliver(f, v)
			} else {
				p.error(v.From, "the OPENQASM version statement must come first in the file")
			}
			first = false
			continue
		}
		if p.tok == ast.RBRACE {
			p.error(p.pos, "unexpected '}' with no open block")
			p.next()
			continue
		}
		if s := p.parseStmtProgress(); s != nil {
			p.deliver(f, s)
		}
		first = false
	}
}

// parseStmtProgress parses a statement and guarantees progress even after errors.
func (p *parser) parseStmtProgress() ast.Stmt {
	off := p.off
	s := p.parseStmt()
	if p.off == off && p.tok != ast.EOF && p.tok != ast.RBRACE {
		p.next()
	}
	return s
}

func (p *parser) parseVersion() *ast.VersionStmt {
	v := &ast.VersionStmt{}
	v.From = p.pos
	p.next()
	switch p.tok {
	case ast.INT, ast.FLOAT:
		v.Lit = p.lit
		var maj, min int
		n, _ := fmt.Sscanf(p.lit+".0", "%d.%d", &maj, &min)
		if n < 1 || strings.Count(p.lit, ".") > 1 {
			p.error(p.pos, fmt.Sprintf("malformed version %s", p.lit))
		}
		v.Major, v.Minor = maj, min
		switch {
		case maj != 2 && maj != 3:
			p.error(p.pos, fmt.Sprintf("unsupported OpenQASM version %s: qpeft reads OpenQASM 2.0 and 3.x", p.lit))
			v.Major = 3
		case n == 2 && maj == 2 && min != 0:
			p.error(p.pos, fmt.Sprintf("unknown OpenQASM version %s: OpenQASM 2 has only version 2.0 (write OPENQASM 2.0;)", p.lit))
		case n == 2 && maj == 3 && min > 1:
			p.error(p.pos, fmt.Sprintf("unknown OpenQASM version %s: the OpenQASM 3 versions are 3.0 and 3.1 (write OPENQASM 3.1;)", p.lit))
		}
		p.next()
	default:
		p.errorExpected(p.pos, "a version number such as 3.0")
		v.Major = 3
	}
	p.major = v.Major
	p.sc.SetVersion(v.Major)
	v.To = p.expectSemi()
	return v
}

func (p *parser) parseStmt() ast.Stmt {
	p.stmtWord = ""
	if p.tok == ast.IDENT {
		p.stmtWord = p.lit
	}
	start := p.pos
	switch p.tok {
	case ast.SEMICOLON:
		p.error(p.pos, "empty statement (stray ';')")
		p.next()
		return nil
	case ast.INCLUDE:
		p.next()
		s := &ast.IncludeStmt{}
		if p.tok == ast.STRING {
			s.Path = p.lit
			p.next()
		} else {
			p.errorExpected(p.pos, "a file name in quotes")
		}
		s.Span = p.spanToSemi(start)
		return s
	case ast.OPENQASM:
		v := p.parseVersion()
		p.error(v.From, "the OPENQASM version statement must come first in the file")
		return nil
	case ast.QREG, ast.QUBIT:
		return p.parseQubitDecl()
	case ast.CREG, ast.BIT:
		return p.parseBitDecl(start, false)
	case ast.INT_TYPE, ast.UINT_TYPE, ast.FLOAT_TYPE, ast.ANGLE_TYPE, ast.BOOL_TYPE, ast.COMPLEX,
		ast.DURATION_TYPE, ast.STRETCH, ast.ARRAY:
		return p.parseClassicalDecl(start, false, false, false)
	case ast.CONST:
		p.next()
		return p.parseClassicalDecl(start, true, false, false)
	case ast.INPUT, ast.OUTPUT:
		in := p.tok == ast.INPUT
		p.next()
		if p.tok == ast.BIT || p.tok == ast.CREG {
			if !in {
				return p.parseBitDecl(start, true)
			}
		}
		return p.parseClassicalDecl(start, false, in, !in)
	case ast.LET:
		p.next()
		s := &ast.AliasStmt{Name: p.parseIdent("a name for the alias")}
		p.expect(ast.ASSIGN, "'='")
		s.Value = p.parseExpr()
		s.Span = p.spanToSemi(start)
		return s
	case ast.GATE, ast.OPAQUE:
		return p.parseGateDef()
	case ast.DEF:
		return p.parseDef()
	case ast.MEASURE:
		s := &ast.MeasureStmt{Measure: p.parseMeasureExpr()}
		if p.tok == ast.ARROW {
			p.next()
			s.Target = p.parseOperand()
		}
		s.Span = p.spanToSemi(start)
		return s
	case ast.RESET:
		p.next()
		return &ast.ResetStmt{Qubits: p.parseOperand(), Span: p.spanToSemi(start)}
	case ast.BARRIER:
		p.next()
		return &ast.BarrierStmt{Qubits: beforeSemi(p, p.parseOperandList), Span: p.spanToSemi(start)}
	case ast.IF:
		return p.parseIf()
	case ast.FOR:
		return p.parseFor()
	case ast.WHILE:
		s := &ast.WhileStmt{Cond: p.parseCond("'(' after while", "')'")}
		s.Body = p.parseBody()
		s.Span = ast.Span{From: start, To: endOf(s.Body, p.prevEnd)}
		return s
	case ast.BREAK, ast.CONTINUE, ast.END:
		kw := p.tok
		p.next()
		span := p.spanToSemi(start)
		switch kw {
		case ast.BREAK:
			return &ast.BreakStmt{Span: span}
		case ast.CONTINUE:
			return &ast.ContinueStmt{Span: span}
		}
		return &ast.EndStmt{Span: span}
	case ast.RETURN:
		p.next()
		return &ast.ReturnStmt{Value: beforeSemi(p, p.parseValue), Span: p.spanToSemi(start)}
	case ast.BOX:
		p.next()
		s := &ast.BoxStmt{Duration: p.parseOptSize(), Body: p.parseBlock()}
		s.Span = ast.Span{From: start, To: s.Body.To}
		return s
	case ast.LBRACE:
		return p.parseBlock()
	case ast.PRAGMA, ast.ANNOTATION:
		kw, text, span := p.tok, p.lit, ast.Span{From: start, To: p.curEnd}
		p.next()
		if kw == ast.PRAGMA {
			return &ast.PragmaStmt{Span: span, Text: text}
		}
		return &ast.AnnotationStmt{Span: span, Text: text}
	case ast.DEFCAL, ast.CAL, ast.DEFCALGRAMMAR, ast.EXTERN, ast.DELAY, ast.SWITCH, ast.CASE, ast.DEFAULT:
		return p.parseUnsupported()
	case ast.CTRL, ast.NEGCTRL, ast.INV, ast.POWMOD, ast.GPHASE:
		return p.parseGateCall(start, nil)
	case ast.IDENT:
		return p.parseSimpleStmt(start)
	case ast.ELSE:
		p.error(p.pos, "else without a matching if")
		p.next()
		return nil
	}
	if p.tok == ast.EOF {
		return nil
	}
	// An expression statement.
	return p.parseExprStmtRest(start, p.parseExpr())
}

// spanToSemi returns the span of a statement that began at start and ends at the ';' read
// now (expectSemi).
func (p *parser) spanToSemi(start ast.Pos) ast.Span {
	return ast.Span{From: start, To: p.expectSemi()}
}

// beforeSemi returns what parse reads, or the zero value when the statement ends here: the
// optional operand of barrier, return and a gate call.
func beforeSemi[T any](p *parser, parse func() T) T {
	if p.tok == ast.SEMICOLON {
		var zero T
		return zero
	}
	return parse()
}

// parseExprStmtRest ends a statement that began at start with the expression x: an
// assignment to x, or the expression statement x;.
func (p *parser) parseExprStmtRest(start ast.Pos, x ast.Expr) ast.Stmt {
	if p.tok.IsAssignOp() {
		return p.parseAssign(start, x)
	}
	return &ast.ExprStmt{X: x, Span: p.spanToSemi(start)}
}

// parseCond skips the keyword of if or while and parses its parenthesised condition; open
// and closing name the parentheses in messages.
func (p *parser) parseCond(open, closing string) ast.Expr {
	p.next()
	p.expect(ast.LPAREN, open)
	x := p.parseExpr()
	p.expect(ast.RPAREN, closing)
	return x
}

// parseOptSize parses an optional [expr] (a size or a duration) and returns the expression,
// or nil when no '[' follows.
func (p *parser) parseOptSize() ast.Expr {
	if p.tok != ast.LBRACK {
		return nil
	}
	p.next()
	x := p.parseExpr()
	p.expect(ast.RBRACK, "']'")
	return x
}

func endOf(s ast.Stmt, fallback ast.Pos) ast.Pos {
	if s == nil {
		return fallback
	}
	return s.End()
}

// parseUnsupported skips a statement of a kind qpeft does not support, keeping its text.
func (p *parser) parseUnsupported() ast.Stmt {
	s := &ast.UnsupportedStmt{Keyword: p.tok.String()}
	s.From = p.pos
	startOff := p.off
	depth := 0
	for p.tok != ast.EOF {
		switch p.tok {
		case ast.LBRACE:
			depth++
		case ast.RBRACE:
			depth--
			if depth <= 0 {
				s.To = p.pos
				p.next()
				s.Text = string(p.src[startOff:p.prevOff])
				if depth < 0 {
					p.error(s.To, "unexpected '}'")
				}
				return s
			}
		case ast.SEMICOLON:
			if depth == 0 {
				s.To = p.pos
				p.next()
				s.Text = string(p.src[startOff:p.prevOff])
				return s
			}
		}
		p.next()
	}
	p.error(s.From, fmt.Sprintf("%s statement not terminated: end of file before its ';' or '}'", s.Keyword))
	s.To = p.prevEnd
	s.Text = string(p.src[startOff:])
	return s
}

func (p *parser) parseIdent(what string) *ast.Ident {
	id := &ast.Ident{At: p.pos}
	if p.tok == ast.IDENT {
		id.Name = p.lit
		p.next()
		return id
	}
	if p.tok.IsKeyword() {
		p.error(p.pos, fmt.Sprintf("expected %s, found keyword %s (keywords cannot be used as names)", what, p.tok))
		id.Name = p.tok.String()
		p.next()
		return id
	}
	p.errorExpected(p.pos, what)
	id.Name = "_"
	return id
}

func (p *parser) parseQubitDecl() ast.Stmt {
	start, old := p.pos, p.tok == ast.QREG
	p.next()
	name, size := p.parseRegister(old, "qreg", "qubit", "q")
	return &ast.QubitDecl{Old: old, Name: name, Size: size, Span: p.spanToSemi(start)}
}

func (p *parser) parseBitDecl(start ast.Pos, output bool) ast.Stmt {
	s := &ast.BitDecl{Old: p.tok == ast.CREG, Output: output}
	p.next()
	s.Name, s.Size = p.parseRegister(s.Old, "creg", "bit", "c")
	if p.tok == ast.ASSIGN {
		p.next()
		s.Init = p.parseValue()
	}
	s.Span = p.spanToSemi(start)
	return s
}

// parseRegister parses the rest of a register declaration after its keyword: name[size] after
// the OpenQASM 2 keyword old2 (qreg, creg) when old, [size] name after the OpenQASM 3 keyword
// new3 (qubit, bit) otherwise; example is the register name in the messages.
func (p *parser) parseRegister(old bool, old2, new3, example string) (name *ast.Ident, size ast.Expr) {
	if old {
		name = p.parseIdent("a register name")
		if p.tok == ast.LBRACK {
			size = p.parseOptSize()
		} else if p.major == 2 {
			p.error(p.pos, fmt.Sprintf("%s needs a size in OpenQASM 2, as in %s %s[2];", old2, old2, example))
		}
		return name, size
	}
	size = p.parseOptSize()
	name = p.parseIdent("a register name")
	if p.tok == ast.LBRACK {
		p.error(p.pos, fmt.Sprintf("the size goes after the type in OpenQASM 3: %s[n] name; (or use %s name[n];)", new3, old2))
		size = p.parseOptSize()
	}
	return name, size
}

// parseValue parses the right-hand side of an assignment or initialiser: an expression or
// measure q.
func (p *parser) parseValue() ast.Expr {
	if p.tok == ast.MEASURE {
		return p.parseMeasureExpr()
	}
	return p.parseExpr()
}

func (p *parser) parseMeasureExpr() *ast.MeasureExpr {
	m := &ast.MeasureExpr{At: p.pos}
	p.next()
	m.Qubits = p.parseOperand()
	return m
}

func isTypeToken(t ast.Token) bool {
	switch t {
	case ast.INT_TYPE, ast.UINT_TYPE, ast.FLOAT_TYPE, ast.ANGLE_TYPE, ast.BOOL_TYPE, ast.COMPLEX,
		ast.DURATION_TYPE, ast.STRETCH, ast.ARRAY, ast.BIT, ast.QUBIT, ast.CREG, ast.QREG:
		return true
	}
	return false
}

func (p *parser) parseType() *ast.TypeExpr {
	t := &ast.TypeExpr{At: p.pos, Kind: p.tok}
	if !isTypeToken(p.tok) {
		p.errorExpected(p.pos, "a type (float[64], angle, int, …)")
		t.Kind = ast.ILLEGAL
		return t
	}
	defer p.nest(t.At)()
	switch t.Kind {
	case ast.ARRAY:
		p.expect(ast.LBRACK, "'[' after array")
		t.Elem = p.parseType()
		for p.tok == ast.COMMA {
			p.next()
			if p.tok == ast.ILLEGAL && p.lit == "#dim" {
				// array[int[32], #dim = 2]: a subroutine parameter of any size.
				p.error(p.pos, "not supported: #dim (array parameters whose sizes are known only at run time); give the sizes, e.g. array[int[32], 4, 2]")
				at := p.pos
				p.next()
				if p.tok == ast.ASSIGN {
					p.next()
					p.parseExpr()
				}
				t.Dims = append(t.Dims, &ast.BadExpr{At: at})
				continue
			}
			t.Dims = append(t.Dims, p.parseExpr())
		}
		if len(t.Dims) == 0 {
			p.error(p.pos, "array type needs a size: array[float[64], n]")
		}
		p.expect(ast.RBRACK, "']'")
	case ast.COMPLEX:
		if p.tok == ast.LBRACK {
			p.next()
			t.Elem = p.parseType()
			p.expect(ast.RBRACK, "']'")
		}
	default:
		t.Size = p.parseOptSize()
	}
	return t
}

func (p *parser) parseClassicalDecl(start ast.Pos, isConst, input, output bool) ast.Stmt {
	s := &ast.ClassicalDecl{Const: isConst, Input: input, Output: output, Type: p.parseType(), Name: p.parseIdent("a variable name")}
	if p.tok == ast.ASSIGN {
		p.next()
		s.Init = p.parseValue()
	}
	s.Span = p.spanToSemi(start)
	return s
}

func (p *parser) parseIdentList(what string) []*ast.Ident {
	var out []*ast.Ident
	for {
		out = append(out, p.parseIdent(what))
		if p.tok != ast.COMMA {
			return out
		}
		p.next()
	}
}

func (p *parser) parseGateDef() ast.Stmt {
	s := &ast.GateDef{Opaque: p.tok == ast.OPAQUE}
	s.From = p.pos
	p.next()
	if p.tok != ast.IDENT && !p.tok.IsKeyword() {
		p.errorExpected(p.pos, "a gate name")
		p.syncStmt()
		b := &ast.BadStmt{}
		b.From, b.To = s.From, p.prevEnd
		return b
	}
	s.Name = p.parseIdent("a gate name")
	if p.tok == ast.LPAREN {
		p.next()
		if p.tok != ast.RPAREN {
			s.Params = p.parseIdentList("a parameter name")
		}
		p.expect(ast.RPAREN, "')'")
	}
	if p.tok == ast.IDENT {
		s.Qubits = p.parseIdentList("a qubit name")
	} else {
		p.errorExpected(p.pos, "the gate's qubit names")
	}
	if s.Opaque {
		s.To = p.expectSemi()
		return s
	}
	s.Body, s.To = p.parseDefBody("gate")
	return s
}

// parseDefBody parses the body of a gate or subroutine definition (what, in messages) and
// returns it with the definition's end; a missing '{' is reported and the statement skipped.
func (p *parser) parseDefBody(what string) (*ast.Block, ast.Pos) {
	if p.tok != ast.LBRACE {
		p.errorExpected(p.pos, "'{' to start the "+what+" body")
		p.syncStmt()
		return &ast.Block{}, p.prevEnd
	}
	b := p.parseBlock()
	return b, b.To
}

func (p *parser) parseDef() ast.Stmt {
	s := &ast.DefStmt{}
	s.From = p.pos
	p.next()
	s.Name = p.parseIdent("a subroutine name")
	p.expect(ast.LPAREN, "'(' after the subroutine name")
	for p.tok != ast.RPAREN && p.tok != ast.EOF {
		par := &ast.Param{At: p.pos}
		switch p.tok {
		case ast.QUBIT, ast.QREG:
			par.Qubit = true
			old := p.tok == ast.QREG
			p.next()
			if !old {
				par.Size = p.parseOptSize()
			}
			par.Name = p.parseIdent("a parameter name")
			if old {
				par.Size = p.parseOptSize()
			}
		case ast.MUTABLE, ast.READONLY, ast.CONST:
			par.Access = p.tok
			p.next()
			par.Type = p.parseType()
			par.Name = p.parseIdent("a parameter name")
		default:
			par.Type = p.parseType()
			par.Name = p.parseIdent("a parameter name")
		}
		s.Params = append(s.Params, par)
		if p.tok != ast.COMMA {
			break
		}
		p.next()
	}
	p.expect(ast.RPAREN, "')'")
	if p.tok == ast.ARROW {
		p.next()
		s.Return = p.parseType()
	}
	s.Body, s.To = p.parseDefBody("subroutine")
	return s
}

func (p *parser) parseBlock() *ast.Block {
	b := &ast.Block{}
	b.From = p.pos
	if p.tok != ast.LBRACE {
		p.errorExpected(p.pos, "'{'")
		b.To = p.pos
		return b
	}
	defer p.nest(p.pos)()
	for p.tok != ast.RBRACE && p.tok != ast.EOF {
		if s := p.parseStmtProgress(); s != nil {
			b.Stmts = append(b.Stmts, s)
		}
	}
	b.To = p.pos
	if p.tok == ast.EOF {
		p.error(b.From, "block not closed: end of file before its '}'")
		return b
	}
	p.next()
	return b
}

// parseBody parses the body of if, else, for and while: a block or a single statement.
func (p *parser) parseBody() ast.Stmt {
	if p.tok == ast.LBRACE {
		return p.parseBlock()
	}
	p.enter(p.pos)
	defer p.leave()
	if p.tok == ast.EOF {
		p.errorExpected(p.pos, "a statement")
		return nil
	}
	return p.parseStmtProgress()
}

func (p *parser) parseIf() ast.Stmt {
	s := &ast.IfStmt{}
	s.From = p.pos
	s.Cond = p.parseCond("'(' after if", "')' to close the condition")
	s.Then = p.parseBody()
	s.To = endOf(s.Then, p.prevEnd)
	if p.tok == ast.ELSE {
		p.next()
		if p.tok == ast.IF {
			s.Else = p.parseIf()
		} else {
			s.Else = p.parseBody()
		}
		s.To = endOf(s.Else, p.prevEnd)
	}
	return s
}

func (p *parser) parseFor() ast.Stmt {
	s := &ast.ForStmt{}
	s.From = p.pos
	p.next()
	if isTypeToken(p.tok) {
		s.Type = p.parseType()
	}
	s.Var = p.parseIdent("the loop variable")
	p.expect(ast.IN, "'in'")
	switch p.tok {
	case ast.LBRACK:
		r := &ast.RangeExpr{At: p.pos, Brackets: true}
		p.next()
		p.parseRangeInto(r)
		p.expect(ast.RBRACK, "']' to close the range")
		s.Values = r
	case ast.LBRACE:
		s.Values = p.parseSet()
	default:
		s.Values = p.parseExpr()
	}
	s.Body = p.parseBody()
	s.To = endOf(s.Body, p.prevEnd)
	return s
}

// parseRangeInto reads start:stop or start:step:stop after '[' (parts may be missing).
func (p *parser) parseRangeInto(r *ast.RangeExpr) {
	parts := p.parseRangeParts()
	switch len(parts) {
	case 1:
		p.error(r.At, "expected a range start:stop")
		r.Start = parts[0]
	case 2:
		r.Start, r.Stop = parts[0], parts[1]
	case 3:
		r.Start, r.Step, r.Stop = parts[0], parts[1], parts[2]
	default:
		p.error(r.At, "a range has at most three parts: start:step:stop")
		r.Start, r.Step, r.Stop = parts[0], parts[1], parts[2]
	}
}

// parseRangeParts reads the colon-separated parts of a range up to the ']' or ',' after it; a
// missing part is nil.
func (p *parser) parseRangeParts() []ast.Expr {
	var parts []ast.Expr
	for {
		if p.tok == ast.COLON || p.tok == ast.RBRACK || p.tok == ast.COMMA {
			parts = append(parts, nil)
		} else {
			parts = append(parts, p.parseExpr())
		}
		if p.tok != ast.COLON {
			return parts
		}
		p.next()
	}
}

func (p *parser) parseSet() *ast.SetExpr {
	s := &ast.SetExpr{At: p.pos}
	defer p.nest(p.pos)()
	for p.tok != ast.RBRACE && p.tok != ast.EOF {
		s.Elems = append(s.Elems, p.parseExpr())
		if p.tok != ast.COMMA {
			break
		}
		p.next()
	}
	p.expect(ast.RBRACE, "'}' to close the set")
	return s
}

// parseSimpleStmt parses a statement that starts with an identifier: a gate call, an
// assignment, or an expression statement (a subroutine call).
func (p *parser) parseSimpleStmt(start ast.Pos) ast.Stmt {
	name := &ast.Ident{At: p.pos, Name: p.lit}
	p.next()
	switch {
	case p.tok == ast.LPAREN:
		args := p.parseArgList()
		if p.tok == ast.SEMICOLON || p.tok.IsAssignOp() || p.tok.Precedence() > 0 && p.tok != ast.CONCAT {
			// f(a, b); — a call used as a statement.
			return p.parseExprStmtRest(start, p.continueExpr(&ast.CallExpr{Fn: name, Args: args}))
		}
		return &ast.GateCall{Name: name, Args: args, Parens: true, Qubits: p.parseOperandList(), Span: p.spanToSemi(start)}
	case p.tok == ast.IDENT || p.tok == ast.HWQUBIT:
		return &ast.GateCall{Name: name, Qubits: p.parseOperandList(), Span: p.spanToSemi(start)}
	case p.tok == ast.LBRACK || p.tok.IsAssignOp():
		var x ast.Expr = name
		for p.tok == ast.LBRACK {
			x = p.parseIndex(x) // a[i] or a[i][j]
		}
		if p.tok.IsAssignOp() {
			return p.parseAssign(start, x)
		}
		return &ast.ExprStmt{X: p.continueExpr(x), Span: p.spanToSemi(start)}
	case p.tok == ast.SEMICOLON:
		// A gate call without operands (reported by the checker) — "h;".
		g := &ast.GateCall{Name: name}
		g.From = start
		g.To = p.pos
		p.next()
		return g
	}
	return p.parseExprStmtRest(start, p.continueExpr(name))
}

func (p *parser) parseAssign(start ast.Pos, target ast.Expr) ast.Stmt {
	s := &ast.AssignStmt{Target: target, Op: p.tok}
	p.next()
	if s.Op == ast.ASSIGN {
		s.Value = p.parseValue()
	} else {
		s.Value = p.parseExpr()
	}
	s.Span = p.spanToSemi(start)
	return s
}

func (p *parser) parseArgList() []ast.Expr {
	p.enter(p.pos)
	defer p.leave()
	p.expect(ast.LPAREN, "'('")
	var args []ast.Expr
	for p.tok != ast.RPAREN && p.tok != ast.EOF {
		args = append(args, p.parseExpr())
		if p.tok != ast.COMMA {
			break
		}
		p.next()
	}
	p.expect(ast.RPAREN, "')'")
	return args
}

func (p *parser) parseGateCall(start ast.Pos, mods []*ast.Modifier) ast.Stmt {
	for p.tok == ast.CTRL || p.tok == ast.NEGCTRL || p.tok == ast.INV || p.tok == ast.POWMOD {
		m := &ast.Modifier{At: p.pos, Kind: p.tok}
		p.next()
		if p.tok == ast.LPAREN {
			p.next()
			m.Arg = p.parseExpr()
			p.expect(ast.RPAREN, "')'")
		} else if m.Kind == ast.POWMOD {
			p.error(p.pos, "pow needs an exponent: pow(k) @")
		}
		p.expect(ast.AT, "'@' after the modifier")
		mods = append(mods, m)
	}
	g := &ast.GateCall{Mods: mods}
	g.From = start
	switch p.tok {
	case ast.IDENT:
		g.Name = &ast.Ident{At: p.pos, Name: p.lit}
		p.next()
	case ast.GPHASE:
		g.Name = &ast.Ident{At: p.pos, Name: "gphase"}
		p.next()
	default:
		p.errorExpected(p.pos, "a gate name")
		p.syncStmt()
		g.Name = &ast.Ident{At: p.pos, Name: "_"}
		g.To = p.prevEnd
		return g
	}
	if p.tok == ast.LPAREN {
		g.Args = p.parseArgList()
		g.Parens = true
	}
	g.Qubits = beforeSemi(p, p.parseOperandList)
	g.To = p.expectSemi()
	return g
}

func (p *parser) parseOperandList() []ast.Expr {
	var out []ast.Expr
	for {
		out = append(out, p.parseOperand())
		if p.tok != ast.COMMA {
			return out
		}
		p.next()
	}
}

// parseOperand parses a qubit or bit operand: name, name[index], $n.
func (p *parser) parseOperand() ast.Expr {
	var x ast.Expr
	switch p.tok {
	case ast.IDENT:
		x = &ast.Ident{At: p.pos, Name: p.lit}
		p.next()
	case ast.HWQUBIT:
		x = p.literal()
		p.next()
		return x
	default:
		p.errorExpected(p.pos, "a qubit or register")
		return &ast.BadExpr{At: p.pos}
	}
	for p.tok == ast.LBRACK {
		x = p.parseIndex(x)
	}
	return x
}

func (p *parser) parseIndex(x ast.Expr) ast.Expr {
	ix := &ast.IndexExpr{X: x, Lbrack: p.pos}
	defer p.nest(p.pos)()
	for {
		switch p.tok {
		case ast.LBRACE:
			ix.Indices = append(ix.Indices, p.parseSet())
		default:
			at := p.pos
			var first ast.Expr
			if p.tok != ast.COLON {
				first = p.parseExpr()
			}
			if p.tok == ast.COLON {
				r := &ast.RangeExpr{At: at, Start: first}
				p.next()
				parts := p.parseRangeParts()
				switch len(parts) {
				case 1:
					r.Stop = parts[0]
				case 2:
					r.Step, r.Stop = parts[0], parts[1]
				default:
					p.error(at, "a range has at most three parts: start:step:stop")
					r.Step, r.Stop = parts[0], parts[1]
				}
				ix.Indices = append(ix.Indices, r)
			} else {
				ix.Indices = append(ix.Indices, first)
			}
		}
		if p.tok != ast.COMMA {
			break
		}
		p.next()
	}
	p.expect(ast.RBRACK, "']'")
	return ix
}

// ---- expressions ----

func (p *parser) parseExpr() ast.Expr { return p.parseBinary(1) }

// continueExpr continues parsing an expression whose first operand x is already read.
func (p *parser) continueExpr(x ast.Expr) ast.Expr {
	x = p.parsePostfix(x)
	x = p.parsePowerRest(x)
	return p.parseBinaryRest(x, 1)
}

func (p *parser) precedence(t ast.Token) int {
	if p.major == 2 && t == ast.CARET {
		return 0 // power, handled in parsePower
	}
	return t.Precedence()
}

func (p *parser) parseBinary(prec1 int) ast.Expr {
	x := p.parseUnary()
	return p.parseBinaryRest(x, prec1)
}

func (p *parser) parseBinaryRest(x ast.Expr, prec1 int) ast.Expr {
	for {
		prec := p.precedence(p.tok)
		if prec < prec1 || prec == 0 {
			return x
		}
		op, pos := p.tok, p.pos
		p.next()
		p.enter(pos)
		y := p.parseBinary(prec + 1)
		p.leave()
		x = &ast.BinaryExpr{X: x, OpPos: pos, Op: op, Y: y}
	}
}

func (p *parser) parseUnary() ast.Expr {
	switch p.tok {
	case ast.SUB, ast.ADD, ast.NOT, ast.TILDE:
		pos, op := p.pos, p.tok
		defer p.nest(pos)()
		return &ast.UnaryExpr{At: pos, Op: op, X: p.parseUnary()}
	}
	return p.parsePower()
}

func (p *parser) isPow() bool {
	return p.tok == ast.POW || p.major == 2 && p.tok == ast.CARET
}

func (p *parser) parsePower() ast.Expr {
	x := p.parsePrimary()
	x = p.parsePostfix(x)
	return p.parsePowerRest(x)
}

func (p *parser) parsePowerRest(x ast.Expr) ast.Expr {
	if !p.isPow() {
		return x
	}
	op, pos := p.tok, p.pos
	defer p.nest(pos)()
	y := p.parseUnary() // right-associative; the exponent may carry a sign
	return &ast.BinaryExpr{X: x, OpPos: pos, Op: op, Y: y}
}

// skipBalanced skips a parenthesised group, with whatever it holds, up to and including
// its closing ')' (or to the end of the statement when it is not closed).
func (p *parser) skipBalanced() {
	depth := 0
	for {
		switch p.tok {
		case ast.EOF:
			return
		case ast.LPAREN, ast.LBRACE, ast.LBRACK:
			depth++
		case ast.RPAREN, ast.RBRACE, ast.RBRACK:
			depth--
			if depth <= 0 {
				p.next()
				return
			}
		}
		p.next()
	}
}

func (p *parser) parsePostfix(x ast.Expr) ast.Expr {
	for p.tok == ast.LBRACK {
		x = p.parseIndex(x)
	}
	return x
}

func (p *parser) parsePrimary() ast.Expr {
	pos := p.pos
	switch p.tok {
	case ast.IDENT, ast.GPHASE:
		id := &ast.Ident{At: pos, Name: p.lit}
		if p.tok == ast.GPHASE {
			id.Name = "gphase" // gphase used like a function; the checker explains
		}
		p.next()
		if p.tok == ast.LPAREN {
			return &ast.CallExpr{Fn: id, Args: p.parseArgList()}
		}
		return id
	case ast.DURATIONOF:
		// durationof({ … }) takes a block; qpeft has no timing.
		p.error(pos, "not supported: durationof (qpeft has no timing model)")
		p.next()
		if p.tok == ast.LPAREN {
			p.skipBalanced()
		}
		return &ast.BadExpr{At: pos}
	case ast.INT, ast.FLOAT, ast.IMAG, ast.DURATION, ast.STRING, ast.TRUE, ast.FALSE, ast.HWQUBIT:
		x := p.literal()
		p.next()
		return x
	case ast.LPAREN:
		return &ast.ParenExpr{At: pos, X: p.parseParenRest(pos)}
	case ast.LBRACE:
		return p.parseSet()
	case ast.MEASURE:
		return p.parseMeasureExpr()
	case ast.LBRACK:
		r := &ast.RangeExpr{At: pos, Brackets: true}
		defer p.nest(pos)()
		p.parseRangeInto(r)
		p.expect(ast.RBRACK, "']'")
		return r
	}
	if isTypeToken(p.tok) && p.tok != ast.QUBIT && p.tok != ast.QREG && p.tok != ast.CREG {
		t := p.parseType()
		if p.tok != ast.LPAREN {
			p.errorExpected(p.pos, "'(' for a cast such as float[64](x)")
			return &ast.BadExpr{At: pos}
		}
		return &ast.CastExpr{Type: t, X: p.parseParenRest(pos)}
	}
	p.errorExpected(pos, "an expression")
	if p.tok != ast.SEMICOLON && p.tok != ast.RBRACE && p.tok != ast.RPAREN && p.tok != ast.EOF {
		p.next()
	}
	return &ast.BadExpr{At: pos}
}

// parseParenRest parses expr ) after the '(' of a parenthesised expression or a cast that
// began at pos, and returns expr.
func (p *parser) parseParenRest(pos ast.Pos) ast.Expr {
	defer p.nest(pos)()
	x := p.parseExpr()
	p.expect(ast.RPAREN, "')'")
	return x
}

// literal returns the literal (or physical qubit) the current token spells, not consuming it.
func (p *parser) literal() ast.Expr {
	pos := p.pos
	switch p.tok {
	case ast.INT:
		return &ast.IntLit{At: pos, Lit: p.lit}
	case ast.FLOAT:
		return &ast.FloatLit{At: pos, Lit: p.lit}
	case ast.IMAG:
		return &ast.ImagLit{At: pos, Lit: p.lit}
	case ast.DURATION:
		return &ast.DurationLit{At: pos, Lit: p.lit}
	case ast.STRING:
		return &ast.StringLit{At: pos, Value: p.lit}
	case ast.TRUE, ast.FALSE:
		return &ast.BoolLit{At: pos, Value: p.tok == ast.TRUE}
	case ast.HWQUBIT:
		return &ast.HwQubit{At: pos, Index: p.lit[1:]}
	}
	return &ast.BadExpr{At: pos}
}
