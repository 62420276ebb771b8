// Package ast declares the syntax tree of OpenQASM 2 and 3 programs as qpeft reads them,
// with a position on every node, in the style of go/ast.
//
// The tree records what was written, not what it means: gate names are not resolved,
// expressions are not evaluated, and syntax that qpeft does not support is still represented
// where the parser could read it (so that later stages can say precisely what is not
// supported). The qasm package lowers a tree to a circuit; the printer package formats it.
package ast

// Node is any node of the tree.
type Node interface {
	// Pos is the position of the node's first character.
	Pos() Pos
}

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// Stmt is a statement node.
type Stmt interface {
	Node
	// End is the position of the statement's last character (its ';' or '}').
	End() Pos
	stmtNode()
}

// Span holds a statement's start and end positions.
type Span struct {
	From, To Pos
}

// Pos returns the start position.
func (s Span) Pos() Pos { return s.From }

// End returns the end position.
func (s Span) End() Pos { return s.To }

// ---- files ----

// Comment is one // or /* */ comment.
type Comment struct {
	At   Pos
	Text string // including the comment markers
	// Block reports a /* */ comment.
	Block bool
}

// Pos returns the comment's position.
func (c *Comment) Pos() Pos { return c.At }

// File is one parsed source file.
type File struct {
	Name     string
	Stmts    []Stmt
	Comments []*Comment
	// Version is the OPENQASM statement, or nil if the file has none.
	Version *VersionStmt
}

// Pos returns the position of the first statement (or of the file's start).
func (f *File) Pos() Pos {
	if len(f.Stmts) > 0 {
		return f.Stmts[0].Pos()
	}
	return Pos{File: f.Name, Line: 1, Col: 1}
}

// Major returns the major language version the file declares (3 when it declares none).
func (f *File) Major() int {
	if f.Version == nil {
		return 3
	}
	return f.Version.Major
}

// ---- expressions ----

// Ident is an identifier.
type Ident struct {
	At   Pos
	Name string
}

// IntLit is an integer literal; Lit is the text as written.
type IntLit struct {
	At  Pos
	Lit string
}

// FloatLit is a floating-point literal; Lit is the text as written.
type FloatLit struct {
	At  Pos
	Lit string
}

// ImagLit is an imaginary literal such as 1.5im (not supported by qpeft; kept so that the
// error is precise).
type ImagLit struct {
	At  Pos
	Lit string
}

// DurationLit is a duration literal such as 100ns (not supported by qpeft).
type DurationLit struct {
	At  Pos
	Lit string
}

// BoolLit is true or false.
type BoolLit struct {
	At    Pos
	Value bool
}

// StringLit is a string such as a bit-string literal "0101" (Value is the text between the
// quotes).
type StringLit struct {
	At    Pos
	Value string
}

// HwQubit is a physical qubit such as $3.
type HwQubit struct {
	At    Pos
	Index string // the digits after '$'
}

// ParenExpr is a parenthesised expression.
type ParenExpr struct {
	At Pos
	X  Expr
}

// UnaryExpr is Op X for Op one of - ! ~ (and + as written).
type UnaryExpr struct {
	At Pos
	Op Token
	X  Expr
}

// BinaryExpr is X Op Y.
type BinaryExpr struct {
	X     Expr
	OpPos Pos
	Op    Token
	Y     Expr
}

// CallExpr is a function call such as sin(x), or a subroutine call f(a, q).
type CallExpr struct {
	Fn   *Ident
	Args []Expr
}

// CastExpr is a cast such as float[64](x) or int(a).
type CastExpr struct {
	Type *TypeExpr
	X    Expr
}

// IndexExpr is X[Index], where Index is an expression, a RangeExpr, a SetExpr, or (for
// multi-dimensional indexing such as a[1, 2]) several of those.
type IndexExpr struct {
	X       Expr
	Lbrack  Pos
	Indices []Expr
}

// RangeExpr is start:stop or start:step:stop (inclusive at both ends); any of the three may
// be nil where the syntax allows it (q[:], q[1:]). In a for loop it is written in brackets.
type RangeExpr struct {
	At                Pos
	Start, Step, Stop Expr
	// Brackets reports the [start:stop] form used by for loops.
	Brackets bool
}

// SetExpr is a set of values {a, b, c}.
type SetExpr struct {
	At    Pos
	Elems []Expr
}

// MeasureExpr is measure Q, the right-hand side of c = measure q.
type MeasureExpr struct {
	At     Pos
	Qubits Expr
}

// TypeExpr is a classical type: int, uint, float, angle, bool, bit, complex, duration,
// stretch (Kind is the keyword), with an optional width, or array[Elem, Dims...].
type TypeExpr struct {
	At   Pos
	Kind Token
	// Size is the width in brackets (float[64]) or nil.
	Size Expr
	// Elem and Dims describe array[Elem, Dims...].
	Elem *TypeExpr
	Dims []Expr
	// Elem for complex[float[64]] is also stored in Elem.
}

// BadExpr stands for an expression the parser could not read.
type BadExpr struct {
	At Pos
}

// Pos implementations.
func (x *Ident) Pos() Pos       { return x.At }
func (x *IntLit) Pos() Pos      { return x.At }
func (x *FloatLit) Pos() Pos    { return x.At }
func (x *ImagLit) Pos() Pos     { return x.At }
func (x *DurationLit) Pos() Pos { return x.At }
func (x *BoolLit) Pos() Pos     { return x.At }
func (x *StringLit) Pos() Pos   { return x.At }
func (x *HwQubit) Pos() Pos     { return x.At }
func (x *ParenExpr) Pos() Pos   { return x.At }
func (x *UnaryExpr) Pos() Pos   { return x.At }
func (x *BinaryExpr) Pos() Pos  { return x.X.Pos() }
func (x *CallExpr) Pos() Pos    { return x.Fn.At }
func (x *CastExpr) Pos() Pos    { return x.Type.At }
func (x *IndexExpr) Pos() Pos   { return x.X.Pos() }
func (x *RangeExpr) Pos() Pos   { return x.At }
func (x *SetExpr) Pos() Pos     { return x.At }
func (x *MeasureExpr) Pos() Pos { return x.At }
func (x *TypeExpr) Pos() Pos    { return x.At }
func (x *BadExpr) Pos() Pos     { return x.At }

func (*Ident) exprNode()       {}
func (*IntLit) exprNode()      {}
func (*FloatLit) exprNode()    {}
func (*ImagLit) exprNode()     {}
func (*DurationLit) exprNode() {}
func (*BoolLit) exprNode()     {}
func (*StringLit) exprNode()   {}
func (*HwQubit) exprNode()     {}
func (*ParenExpr) exprNode()   {}
func (*UnaryExpr) exprNode()   {}
func (*BinaryExpr) exprNode()  {}
func (*CallExpr) exprNode()    {}
func (*CastExpr) exprNode()    {}
func (*IndexExpr) exprNode()   {}
func (*RangeExpr) exprNode()   {}
func (*SetExpr) exprNode()     {}
func (*MeasureExpr) exprNode() {}
func (*TypeExpr) exprNode()    {}
func (*BadExpr) exprNode()     {}

// ---- statements ----

// VersionStmt is OPENQASM 2.0; or OPENQASM 3; (Lit is the version as written).
type VersionStmt struct {
	Span
	Lit          string
	Major, Minor int
}

// IncludeStmt is include "path";.
type IncludeStmt struct {
	Span
	Path string
}

// QubitDecl declares qubits: qubit q; qubit[n] q; or the OpenQASM 2 form qreg q[n];.
type QubitDecl struct {
	Span
	Name *Ident
	Size Expr // nil for a single qubit
	Old  bool // qreg form
}

// BitDecl declares classical bits: bit c; bit[n] c; creg c[n]; with an optional
// initialiser (bit[2] c = measure q;).
type BitDecl struct {
	Span
	Name   *Ident
	Size   Expr // nil for a single bit
	Old    bool // creg form
	Output bool // declared with output
	Init   Expr
}

// ClassicalDecl declares a classical variable: [const|input|output] Type name [= Init];.
type ClassicalDecl struct {
	Span
	Const  bool
	Input  bool
	Output bool
	Type   *TypeExpr
	Name   *Ident
	Init   Expr
}

// AliasStmt is let name = value;.
type AliasStmt struct {
	Span
	Name  *Ident
	Value Expr
}

// GateDef is gate name(params) qubits { body } or, when Opaque, opaque name(params) qubits;.
type GateDef struct {
	Span
	Name   *Ident
	Params []*Ident
	Qubits []*Ident
	Body   *Block // nil when Opaque
	Opaque bool
}

// Param is a subroutine parameter: a classical type and name, or a qubit (Qubit set, with
// an optional register size).
type Param struct {
	At    Pos
	Type  *TypeExpr // nil for qubits
	Qubit bool
	Size  Expr // qubit[n]
	Name  *Ident
	// Access is CONST, MUTABLE or READONLY when written before an array parameter
	// (const array[int[8], 3] a), ILLEGAL otherwise.
	Access Token
}

// DefStmt defines a subroutine: def name(params) [-> Return] { body }.
type DefStmt struct {
	Span
	Name   *Ident
	Params []*Param
	Return *TypeExpr
	Body   *Block
}

// Modifier is a gate modifier: ctrl(n) @, negctrl(n) @, inv @, pow(k) @ (Kind is CTRL,
// NEGCTRL, INV or POWMOD; Arg is nil when not written).
type Modifier struct {
	At   Pos
	Kind Token
	Arg  Expr
}

// GateCall applies a gate: mods name(args) qubits;. gphase(γ); is a GateCall with Name
// "gphase" and no qubits.
type GateCall struct {
	Span
	Mods   []*Modifier
	Name   *Ident
	Args   []Expr
	Qubits []Expr
	// Parens reports that the argument list was written, even if empty: h() q;.
	Parens bool
}

// MeasureStmt is measure q -> c; (Target set) or measure q; (Target nil).
type MeasureStmt struct {
	Span
	Measure *MeasureExpr
	Target  Expr
}

// ResetStmt is reset q;.
type ResetStmt struct {
	Span
	Qubits Expr
}

// BarrierStmt is barrier q, r; (no operands: all qubits).
type BarrierStmt struct {
	Span
	Qubits []Expr
}

// AssignStmt is target op value; where op is = or a compound assignment. c = measure q; is
// an AssignStmt whose Value is a *MeasureExpr.
type AssignStmt struct {
	Span
	Target Expr
	Op     Token
	Value  Expr
}

// ExprStmt is an expression used as a statement, such as a subroutine call f(q);.
type ExprStmt struct {
	Span
	X Expr
}

// Block is { stmts }.
type Block struct {
	Span
	Stmts []Stmt
}

// IfStmt is if (cond) then [else els]. Then and Else are blocks or single statements; in
// OpenQASM 2 Then is a single statement and there is no else.
type IfStmt struct {
	Span
	Cond Expr
	Then Stmt
	Else Stmt
}

// ForStmt is for [Type] var in values body, where values is a RangeExpr (with brackets), a
// SetExpr or an expression naming an array or register.
type ForStmt struct {
	Span
	Type   *TypeExpr // nil for the untyped form
	Var    *Ident
	Values Expr
	Body   Stmt
}

// WhileStmt is while (cond) body.
type WhileStmt struct {
	Span
	Cond Expr
	Body Stmt
}

// BreakStmt is break;.
type BreakStmt struct{ Span }

// ContinueStmt is continue;.
type ContinueStmt struct{ Span }

// EndStmt is end;.
type EndStmt struct{ Span }

// ReturnStmt is return [value];.
type ReturnStmt struct {
	Span
	Value Expr
}

// BoxStmt is box [duration] { body }.
type BoxStmt struct {
	Span
	Duration Expr
	Body     *Block
}

// PragmaStmt is a #pragma line (or OpenQASM 3.1's pragma keyword form).
type PragmaStmt struct {
	Span
	Text string
}

// AnnotationStmt is an @annotation line; it annotates the statement after it.
type AnnotationStmt struct {
	Span
	Text string // from '@' to the end of the line
}

// UnsupportedStmt is a statement of a kind qpeft does not support (defcal, cal, extern,
// delay, switch, …), skipped by the parser. Keyword names it; the qasm package reports it.
type UnsupportedStmt struct {
	Span
	Keyword string
	// Text is the source text of the statement (for the formatter).
	Text string
}

// BadStmt stands for a statement the parser could not read.
type BadStmt struct{ Span }

func (*VersionStmt) stmtNode()     {}
func (*IncludeStmt) stmtNode()     {}
func (*QubitDecl) stmtNode()       {}
func (*BitDecl) stmtNode()         {}
func (*ClassicalDecl) stmtNode()   {}
func (*AliasStmt) stmtNode()       {}
func (*GateDef) stmtNode()         {}
func (*DefStmt) stmtNode()         {}
func (*GateCall) stmtNode()        {}
func (*MeasureStmt) stmtNode()     {}
func (*ResetStmt) stmtNode()       {}
func (*BarrierStmt) stmtNode()     {}
func (*AssignStmt) stmtNode()      {}
func (*ExprStmt) stmtNode()        {}
func (*Block) stmtNode()           {}
func (*IfStmt) stmtNode()          {}
func (*ForStmt) stmtNode()         {}
func (*WhileStmt) stmtNode()       {}
func (*BreakStmt) stmtNode()       {}
func (*ContinueStmt) stmtNode()    {}
func (*EndStmt) stmtNode()         {}
func (*ReturnStmt) stmtNode()      {}
func (*BoxStmt) stmtNode()         {}
func (*PragmaStmt) stmtNode()      {}
func (*AnnotationStmt) stmtNode()  {}
func (*UnsupportedStmt) stmtNode() {}
func (*BadStmt) stmtNode()         {}
