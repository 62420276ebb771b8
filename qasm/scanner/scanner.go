// Package scanner tokenises OpenQASM 2 and 3 source text, in the style of go/scanner: a
// Scanner turns bytes into tokens with positions, reporting malformed input (invalid UTF-8,
// unterminated strings and comments, stray characters) through an error handler and
// carrying on, so that a parser can report several errors at once.
//
// The scanner runs in time linear in the input and never panics, whatever the bytes.
package scanner

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qpeft/qpeft/qasm/ast"
)

// ErrorHandler is called for each error the scanner finds.
type ErrorHandler func(pos ast.Pos, msg string)

// Mode controls what the scanner returns.
type Mode uint

// Modes.
const (
	// ScanComments returns comments as COMMENT tokens instead of skipping them.
	ScanComments Mode = 1 << iota
)

// Scanner holds the scanner's state. Set it up with Init.
type Scanner struct {
	file string
	src  []byte
	err  ErrorHandler
	mode Mode

	major int // language major version for keywords (2 or 3)

	ch       rune // current character, -1 at end
	offset   int  // byte offset of ch
	rdOffset int  // byte offset after ch
	line     int  // line of ch
	col      int  // column of ch (characters)

	last ast.Token // last token returned, for annotations

	tokOff, tokEnd int     // byte offsets of the last token's start and end
	endPos         ast.Pos // position just after the last token

	strs [256]string // a small cache of identifiers and numbers, shared between repeats

	// ErrorCount counts the errors reported.
	ErrorCount int
}

const bom = 0xFEFF

// Init prepares s to scan src. filename is used in positions; err (which may be nil) is
// called for each error. Keywords are those of OpenQASM 3 until SetVersion says otherwise.
func (s *Scanner) Init(filename string, src []byte, err ErrorHandler, mode Mode) {
	*s = Scanner{file: filename, src: src, err: err, mode: mode, major: 3, line: 1, col: 0, last: ast.SEMICOLON}
	s.next()
	if s.ch == bom {
		s.next()
		s.col = 1
	}
}

// SetVersion selects the keyword set: 2 for OpenQASM 2 (where words such as bit, input and
// for are identifiers), 3 otherwise. It affects tokens scanned after the call.
func (s *Scanner) SetVersion(major int) { s.major = major }

func (s *Scanner) error(pos ast.Pos, msg string) {
	if s.err != nil {
		s.err(pos, msg)
	}
	s.ErrorCount++
}

func (s *Scanner) pos() ast.Pos { return ast.Pos{File: s.file, Line: s.line, Col: s.col} }

// next reads the next character into s.ch.
func (s *Scanner) next() {
	if s.rdOffset >= len(s.src) {
		if s.ch == '\n' {
			s.line++
			s.col = 0
		}
		s.offset = len(s.src)
		if s.ch != -1 {
			s.col++
		}
		s.ch = -1
		return
	}
	if s.ch == '\n' {
		s.line++
		s.col = 0
	}
	s.offset = s.rdOffset
	s.col++
	r, w := rune(s.src[s.rdOffset]), 1
	switch {
	case r == 0:
		s.error(s.pos(), "illegal character NUL")
	case r >= utf8.RuneSelf:
		r, w = utf8.DecodeRune(s.src[s.rdOffset:])
		if r == utf8.RuneError && w == 1 {
			s.error(s.pos(), "illegal UTF-8 encoding")
		} else if r == bom && s.offset > 0 {
			s.error(s.pos(), "illegal byte order mark")
		}
	}
	s.rdOffset += w
	s.ch = r
}

func (s *Scanner) peek() byte {
	if s.rdOffset < len(s.src) {
		return s.src[s.rdOffset]
	}
	return 0
}

func isLetter(ch rune) bool {
	return 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || ch == '_' ||
		ch >= utf8.RuneSelf && (unicode.IsLetter(ch) || unicode.Is(unicode.Nl, ch))
}

func isDigit(ch rune) bool { return '0' <= ch && ch <= '9' }

func (s *Scanner) skipWhitespace() {
	for s.ch == ' ' || s.ch == '\t' || s.ch == '\n' || s.ch == '\r' || s.ch == '\f' || s.ch == '\v' {
		s.next()
	}
}

// Scan returns the next token, its position and its literal text (for identifiers,
// literals, pragmas, annotations and comments; empty otherwise). At the end of input it
// returns EOF, again and again.
func (s *Scanner) Scan() (pos ast.Pos, tok ast.Token, lit string) {
scanAgain:
	s.skipWhitespace()
	pos = s.pos()
	s.tokOff = s.offset
	ch := s.ch
	switch {
	case isLetter(ch):
		lit = s.scanIdent()
		tok = ast.IDENT
		if len(lit) > 1 { // every keyword has at least two letters
			tok = ast.Lookup(lit, s.major)
		}
		if tok == ast.PRAGMA_KW && s.atStatementStart() {
			tok, lit = ast.PRAGMA, strings.TrimSpace(s.restOfLine())
		}
	case isDigit(ch) || ch == '.' && isDigit(rune(s.peek())):
		tok, lit = s.scanNumber()
	default:
		s.next()
		switch ch {
		case -1:
			tok = ast.EOF
		case '"', '\'':
			tok, lit = ast.STRING, s.scanString(pos, ch)
		case '$':
			if !isDigit(s.ch) {
				s.error(pos, "'$' must be followed by a physical qubit number, as in $0")
				tok, lit = ast.ILLEGAL, "$"
				break
			}
			start := s.offset
			for isDigit(s.ch) {
				s.next()
			}
			tok, lit = ast.HWQUBIT, "$"+string(s.src[start:s.offset])
		case '#':
			start := s.offset
			for isLetter(s.ch) {
				s.next()
			}
			if word := string(s.src[start:s.offset]); word == "dim" {
				tok, lit = ast.ILLEGAL, "#dim" // array[T, #dim = n]: the parser explains
				break
			} else if word != "pragma" {
				s.error(pos, fmt.Sprintf("unexpected '#%s': only #pragma lines start with '#'", word))
				s.skipLine()
				goto scanAgain
			}
			tok, lit = ast.PRAGMA, strings.TrimSpace(s.restOfLine())
		case '@':
			if s.atStatementStart() && isLetter(s.ch) {
				start := s.offset
				tok, lit = ast.ANNOTATION, "@"+strings.TrimRight(string(s.src[start:s.lineEnd()]), " \t\r")
				s.skipLine()
			} else {
				tok = ast.AT
			}
		case '/':
			switch s.ch {
			case '/':
				text := "/" + s.restOfLine()
				if s.mode&ScanComments != 0 {
					tok, lit = ast.COMMENT, strings.TrimRight(text, " \t\r")
				} else {
					goto scanAgain
				}
			case '*':
				text, ok := s.scanBlockComment(pos)
				if !ok {
					tok = ast.EOF
					break
				}
				if s.mode&ScanComments != 0 {
					tok, lit = ast.COMMENT, text
				} else {
					goto scanAgain
				}
			case '=':
				s.next()
				tok = ast.QUO_ASSIGN
			default:
				tok = ast.QUO
			}
		default:
			if 0 <= ch && int(ch) < len(operators) && operators[ch].alone != ast.ILLEGAL {
				tok = s.scanOperator(operators[ch])
				break
			}
			if ch != utf8.RuneError && ch != 0 && ch != bom {
				s.error(pos, fmt.Sprintf("unexpected character %s", describeRune(ch)))
			}
			tok, lit = ast.ILLEGAL, string(ch)
		}
	}
	if tok != ast.COMMENT {
		s.last = tok
	}
	s.tokEnd = s.offset
	s.endPos = s.pos()
	return
}

// Offsets returns the byte offsets of the start and end of the token Scan returned last.
func (s *Scanner) Offsets() (start, end int) { return s.tokOff, s.tokEnd }

// EndPos returns the position just after the token Scan returned last.
func (s *Scanner) EndPos() ast.Pos { return s.endPos }

func describeRune(ch rune) string {
	if unicode.IsPrint(ch) {
		return fmt.Sprintf("%q", ch)
	}
	return fmt.Sprintf("%U", ch)
}

// atStatementStart reports whether an '@' here begins an annotation: the previous token
// ended a statement (or there was none).
func (s *Scanner) atStatementStart() bool {
	switch s.last {
	case ast.SEMICOLON, ast.LBRACE, ast.RBRACE, ast.PRAGMA, ast.ANNOTATION:
		return true
	}
	return false
}

// operator is what an operator or punctuation character starts: the token alone, or, when
// the next character is next[i], the token then[i].
type operator struct {
	alone ast.Token
	next  string
	then  []ast.Token
}

// operators holds the operator and punctuation characters but '/' (which may start a
// comment), indexed by character.
var operators = [...]operator{
	'+': {ast.ADD, "=+", []ast.Token{ast.ADD_ASSIGN, ast.CONCAT}},
	'-': {ast.SUB, "=>", []ast.Token{ast.SUB_ASSIGN, ast.ARROW}},
	'*': {ast.MUL, "=*", []ast.Token{ast.MUL_ASSIGN, ast.POW}},
	'%': {ast.REM, "=", []ast.Token{ast.REM_ASSIGN}},
	'^': {ast.CARET, "=", []ast.Token{ast.CARET_ASSIGN}},
	'&': {ast.AND, "=&", []ast.Token{ast.AND_ASSIGN, ast.LAND}},
	'|': {ast.OR, "=|", []ast.Token{ast.OR_ASSIGN, ast.LOR}},
	'!': {ast.NOT, "=", []ast.Token{ast.NEQ}},
	'=': {ast.ASSIGN, "=", []ast.Token{ast.EQL}},
	'<': {ast.LSS, "=<", []ast.Token{ast.LEQ, ast.SHL}},
	'>': {ast.GTR, "=>", []ast.Token{ast.GEQ, ast.SHR}},
	'~': {alone: ast.TILDE},
	'(': {alone: ast.LPAREN},
	')': {alone: ast.RPAREN},
	'[': {alone: ast.LBRACK},
	']': {alone: ast.RBRACK},
	'{': {alone: ast.LBRACE},
	'}': {alone: ast.RBRACE},
	',': {alone: ast.COMMA},
	';': {alone: ast.SEMICOLON},
	':': {alone: ast.COLON},
	'.': {alone: ast.DOT},
}

// doubledAssign holds the doubled operators that take a '=' after them: **=, <<=, >>=.
var doubledAssign = map[ast.Token]ast.Token{ast.POW: ast.POW_ASSIGN, ast.SHL: ast.SHL_ASSIGN, ast.SHR: ast.SHR_ASSIGN}

// scanOperator reads the rest of the operator whose first character (op) was read.
func (s *Scanner) scanOperator(op operator) ast.Token {
	i := strings.IndexRune(op.next, s.ch)
	if i < 0 {
		return op.alone
	}
	s.next()
	tok := op.then[i]
	if t, ok := doubledAssign[tok]; ok && s.ch == '=' {
		s.next()
		return t
	}
	return tok
}

func (s *Scanner) lineEnd() int {
	end := s.offset
	for end < len(s.src) && s.src[end] != '\n' {
		end++
	}
	return end
}

// restOfLine consumes up to (not including) the newline and returns the text from the
// current character.
func (s *Scanner) restOfLine() string {
	start := s.offset
	if s.ch == -1 {
		return ""
	}
	for s.ch != '\n' && s.ch != -1 {
		s.next()
	}
	return string(s.src[start:s.offset])
}

func (s *Scanner) skipLine() {
	for s.ch != '\n' && s.ch != -1 {
		s.next()
	}
}

// scanBlockComment is called after "/" with s.ch == '*'.
func (s *Scanner) scanBlockComment(pos ast.Pos) (string, bool) {
	start := s.offset - 1
	s.next() // '*'
	for s.ch != -1 {
		ch := s.ch
		s.next()
		if ch == '*' && s.ch == '/' {
			s.next()
			return string(s.src[start:s.offset]), true
		}
	}
	s.error(pos, "comment not terminated: /* needs a closing */")
	return "", false
}

func (s *Scanner) scanIdent() string {
	start := s.offset
	for isLetter(s.ch) || isDigit(s.ch) || s.ch >= utf8.RuneSelf && unicode.IsDigit(s.ch) {
		s.next()
	}
	return s.intern(s.src[start:s.offset])
}

// intern returns b as a string, sharing one copy between repeats of recent identifiers and
// numbers (programs repeat a few names many times) through a small direct-mapped cache.
func (s *Scanner) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	h := (len(b)*31 + int(b[0])*7 + int(b[len(b)-1])*131) & 255
	if c := s.strs[h]; c == string(b) {
		return c
	}
	v := string(b)
	s.strs[h] = v
	return v
}

func (s *Scanner) scanString(pos ast.Pos, quote rune) string {
	start := s.offset
	for s.ch != quote {
		if s.ch == '\n' || s.ch == -1 {
			s.error(pos, "string not terminated: a closing quote is missing on this line")
			return string(s.src[start:s.offset])
		}
		s.next()
	}
	text := string(s.src[start:s.offset])
	s.next()
	return text
}

func (s *Scanner) digits(base int) bool {
	any := false
	for {
		ch := s.ch
		ok := false
		switch base {
		case 16:
			ok = isDigit(ch) || 'a' <= ch && ch <= 'f' || 'A' <= ch && ch <= 'F'
		case 8:
			ok = '0' <= ch && ch <= '7'
		case 2:
			ok = ch == '0' || ch == '1'
		default:
			ok = isDigit(ch)
		}
		if ok {
			any = true
			s.next()
			continue
		}
		if ch == '_' && any {
			s.next()
			continue
		}
		return any
	}
}

func (s *Scanner) scanNumber() (ast.Token, string) {
	start := s.offset
	pos := s.pos()
	tok := ast.INT
	if s.ch == '0' {
		switch p := s.peek(); p {
		case 'x', 'X', 'b', 'B', 'o', 'O':
			s.next()
			s.next()
			base := map[byte]int{'x': 16, 'X': 16, 'b': 2, 'B': 2, 'o': 8, 'O': 8}[p]
			if !s.digits(base) {
				s.error(pos, fmt.Sprintf("%s literal has no digits", string(s.src[start:s.offset])))
			}
			return ast.INT, string(s.src[start:s.offset])
		}
	}
	if s.ch != '.' {
		s.digits(10)
	}
	if s.ch == '.' {
		tok = ast.FLOAT
		s.next()
		s.digits(10)
	}
	if s.ch == 'e' || s.ch == 'E' {
		p := s.peek()
		if isDigit(rune(p)) || (p == '+' || p == '-') && s.rdOffset+1 < len(s.src) && isDigit(rune(s.src[s.rdOffset+1])) {
			tok = ast.FLOAT
			s.next()
			if s.ch == '+' || s.ch == '-' {
				s.next()
			}
			s.digits(10)
		}
	}
	lit := s.intern(s.src[start:s.offset])
	// Suffixes: im (imaginary) and time units (durations), when not the start of a longer
	// identifier.
	if isLetter(s.ch) {
		sufStart := s.offset
		save := *s
		for isLetter(s.ch) {
			s.next()
		}
		suf := string(s.src[sufStart:s.offset])
		if !isDigit(s.ch) {
			switch suf {
			case "im":
				return ast.IMAG, lit + suf
			case "dt", "ns", "us", "µs", "ms", "s":
				return ast.DURATION, lit + suf
			}
		}
		errCount := s.ErrorCount
		*s = save
		s.ErrorCount = errCount
	}
	return tok, lit
}
