package ast

import (
	"fmt"
	"strconv"
)

// Pos is a position in a source file. Line and Col are 1-based; Col counts Unicode
// characters (not bytes) from the start of the line, so it matches what editors show for
// text such as "rz(π/2) q;". The zero Pos is "no position".
type Pos struct {
	File      string
	Line, Col int
}

// IsValid reports whether the position is set.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String renders the position as file:line:col ("<input>" for an unnamed file), or "-"
// when it is not set.
func (p Pos) String() string {
	if !p.IsValid() {
		return "-"
	}
	f := p.File
	if f == "" {
		f = "<input>"
	}
	return f + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// Before reports whether p comes before q in the same file (by line, then column).
func (p Pos) Before(q Pos) bool {
	return p.Line < q.Line || (p.Line == q.Line && p.Col < q.Col)
}

// Token is a lexical token of OpenQASM.
type Token int

// The tokens.
const (
	ILLEGAL Token = iota
	EOF
	COMMENT

	literalBeg
	IDENT      // theta, q, π
	INT        // 12, 0x1f, 0b101, 1_000
	FLOAT      // 1.5, .5, 1e-3
	IMAG       // 1.5im (recognised so that the error can say complex numbers are not supported)
	DURATION   // 100ns, 4dt (recognised so that the error can say timing is not supported)
	STRING     // "qelib1.inc" (Lit is the text between the quotes)
	HWQUBIT    // $0 (Lit is "$0")
	PRAGMA     // #pragma ... (Lit is the text after "#pragma", trimmed)
	ANNOTATION // @name ... at the start of a statement (Lit is the whole line from '@')
	literalEnd

	operatorBeg
	ADD    // +
	SUB    // -
	MUL    // *
	QUO    // /
	REM    // %
	POW    // **
	CARET  // ^ (power in OpenQASM 2, bitwise xor in OpenQASM 3)
	AND    // &
	OR     // |
	TILDE  // ~
	NOT    // !
	LAND   // &&
	LOR    // ||
	SHL    // <<
	SHR    // >>
	EQL    // ==
	NEQ    // !=
	LSS    // <
	GTR    // >
	LEQ    // <=
	GEQ    // >=
	ASSIGN // =

	ADD_ASSIGN   // +=
	SUB_ASSIGN   // -=
	MUL_ASSIGN   // *=
	QUO_ASSIGN   // /=
	REM_ASSIGN   // %=
	POW_ASSIGN   // **=
	AND_ASSIGN   // &=
	OR_ASSIGN    // |=
	CARET_ASSIGN // ^=
	SHL_ASSIGN   // <<=
	SHR_ASSIGN   // >>=

	ARROW     // ->
	AT        // @
	CONCAT    // ++
	LPAREN    // (
	RPAREN    // )
	LBRACK    // [
	RBRACK    // ]
	LBRACE    // {
	RBRACE    // }
	COMMA     // ,
	SEMICOLON // ;
	COLON     // :
	DOT       // .
	operatorEnd

	keywordBeg
	OPENQASM
	INCLUDE
	QREG
	CREG
	GATE
	OPAQUE
	MEASURE
	RESET
	BARRIER
	IF
	// The keywords below exist only in OpenQASM 3; in an OpenQASM 2 file they are
	// ordinary identifiers.
	oq3Beg
	ELSE
	QUBIT
	BIT
	INT_TYPE   // int
	UINT_TYPE  // uint
	FLOAT_TYPE // float
	ANGLE_TYPE // angle
	BOOL_TYPE  // bool
	COMPLEX    // complex
	DURATION_TYPE
	STRETCH
	ARRAY
	CONST
	INPUT
	OUTPUT
	LET
	DEF
	DEFCAL
	CAL
	DEFCALGRAMMAR
	EXTERN
	RETURN
	FOR
	IN
	WHILE
	BREAK
	CONTINUE
	END
	BOX
	DELAY
	SWITCH
	CASE
	DEFAULT
	CTRL
	NEGCTRL
	INV
	POWMOD // pow (the modifier)
	GPHASE
	TRUE
	FALSE
	VOID
	MUTABLE
	READONLY
	DURATIONOF
	PRAGMA_KW // pragma (OpenQASM 3.1 spelling without '#')
	keywordEnd
)

var tokens = [...]string{
	ILLEGAL: "ILLEGAL",
	EOF:     "end of file",
	COMMENT: "comment",

	IDENT:      "identifier",
	INT:        "integer",
	FLOAT:      "number",
	IMAG:       "imaginary number",
	DURATION:   "duration",
	STRING:     "string",
	HWQUBIT:    "physical qubit",
	PRAGMA:     "#pragma",
	ANNOTATION: "annotation",

	ADD: "+", SUB: "-", MUL: "*", QUO: "/", REM: "%", POW: "**", CARET: "^",
	AND: "&", OR: "|", TILDE: "~", NOT: "!", LAND: "&&", LOR: "||", SHL: "<<", SHR: ">>",
	EQL: "==", NEQ: "!=", LSS: "<", GTR: ">", LEQ: "<=", GEQ: ">=", ASSIGN: "=",
	ADD_ASSIGN: "+=", SUB_ASSIGN: "-=", MUL_ASSIGN: "*=", QUO_ASSIGN: "/=", REM_ASSIGN: "%=",
	POW_ASSIGN: "**=", AND_ASSIGN: "&=", OR_ASSIGN: "|=", CARET_ASSIGN: "^=", SHL_ASSIGN: "<<=",
	SHR_ASSIGN: ">>=",
	ARROW:      "->", AT: "@", CONCAT: "++", LPAREN: "(", RPAREN: ")", LBRACK: "[", RBRACK: "]",
	LBRACE: "{", RBRACE: "}", COMMA: ",", SEMICOLON: ";", COLON: ":", DOT: ".",

	OPENQASM: "OPENQASM", INCLUDE: "include", QREG: "qreg", CREG: "creg", GATE: "gate",
	OPAQUE: "opaque", MEASURE: "measure", RESET: "reset", BARRIER: "barrier", IF: "if",
	ELSE: "else", QUBIT: "qubit", BIT: "bit", INT_TYPE: "int", UINT_TYPE: "uint",
	FLOAT_TYPE: "float", ANGLE_TYPE: "angle", BOOL_TYPE: "bool", COMPLEX: "complex",
	DURATION_TYPE: "duration", STRETCH: "stretch", ARRAY: "array", CONST: "const",
	INPUT: "input", OUTPUT: "output", LET: "let", DEF: "def", DEFCAL: "defcal", CAL: "cal",
	DEFCALGRAMMAR: "defcalgrammar", EXTERN: "extern", RETURN: "return", FOR: "for", IN: "in",
	WHILE: "while", BREAK: "break", CONTINUE: "continue", END: "end", BOX: "box",
	DELAY: "delay", SWITCH: "switch", CASE: "case", DEFAULT: "default", CTRL: "ctrl",
	NEGCTRL: "negctrl", INV: "inv", POWMOD: "pow", GPHASE: "gphase", TRUE: "true",
	FALSE: "false", VOID: "void", MUTABLE: "mutable", READONLY: "readonly",
	DURATIONOF: "durationof", PRAGMA_KW: "pragma",
}

// String returns the token's text for operators and keywords and a description otherwise.
func (t Token) String() string {
	if t >= 0 && int(t) < len(tokens) && tokens[t] != "" {
		return tokens[t]
	}
	return fmt.Sprintf("token(%d)", int(t))
}

// IsLiteral reports whether t is an identifier or a literal.
func (t Token) IsLiteral() bool { return literalBeg < t && t < literalEnd }

// IsOperator reports whether t is an operator or delimiter.
func (t Token) IsOperator() bool { return operatorBeg < t && t < operatorEnd }

// IsKeyword reports whether t is a keyword.
func (t Token) IsKeyword() bool { return keywordBeg < t && t < keywordEnd }

// IsOQ3Keyword reports whether t is a keyword only in OpenQASM 3.
func (t Token) IsOQ3Keyword() bool { return oq3Beg < t && t < keywordEnd }

// IsAssignOp reports whether t is = or a compound assignment such as +=.
func (t Token) IsAssignOp() bool { return t == ASSIGN || (ADD_ASSIGN <= t && t <= SHR_ASSIGN) }

// BinaryOf returns the binary operator of a compound assignment (ADD for ADD_ASSIGN).
func (t Token) BinaryOf() Token {
	switch t {
	case ADD_ASSIGN:
		return ADD
	case SUB_ASSIGN:
		return SUB
	case MUL_ASSIGN:
		return MUL
	case QUO_ASSIGN:
		return QUO
	case REM_ASSIGN:
		return REM
	case POW_ASSIGN:
		return POW
	case AND_ASSIGN:
		return AND
	case OR_ASSIGN:
		return OR
	case CARET_ASSIGN:
		return CARET
	case SHL_ASSIGN:
		return SHL
	case SHR_ASSIGN:
		return SHR
	}
	return ILLEGAL
}

var keywords map[string]Token

func init() {
	keywords = make(map[string]Token)
	for t := keywordBeg + 1; t < keywordEnd; t++ {
		if t == oq3Beg {
			continue
		}
		keywords[tokens[t]] = t
	}
}

// Lookup maps an identifier to its keyword token, or IDENT. In OpenQASM 2 (major == 2) only
// the OpenQASM 2 keywords are reserved.
func Lookup(ident string, major int) Token {
	t, ok := keywords[ident]
	if !ok {
		return IDENT
	}
	if major == 2 && t.IsOQ3Keyword() {
		return IDENT
	}
	return t
}

// Precedence returns the binary-operator precedence of t in OpenQASM 3 (higher binds
// tighter), or 0 if t is not a binary operator. ** (power) is handled separately by parsers
// because it binds tighter than unary operators and associates to the right.
func (t Token) Precedence() int {
	switch t {
	case LOR:
		return 1
	case LAND:
		return 2
	case OR:
		return 3
	case CARET:
		return 4
	case AND:
		return 5
	case EQL, NEQ:
		return 6
	case LSS, LEQ, GTR, GEQ:
		return 7
	case SHL, SHR:
		return 8
	case ADD, SUB, CONCAT:
		return 9
	case MUL, QUO, REM:
		return 10
	}
	return 0
}
