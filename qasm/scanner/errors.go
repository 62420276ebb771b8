package scanner

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/qpeft/qpeft/qasm/ast"
)

// Error is one error at a source position.
type Error struct {
	Pos ast.Pos
	Msg string
}

// Error renders the error as file:line:col: message.
func (e Error) Error() string {
	if e.Pos.IsValid() {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Msg
}

// ErrorList is a list of errors, sortable by position, as go/scanner's ErrorList. The zero
// value is an empty list ready to use.
type ErrorList []*Error

// Add appends an error.
func (p *ErrorList) Add(pos ast.Pos, msg string) { *p = append(*p, &Error{pos, msg}) }

// Reset empties the list.
func (p *ErrorList) Reset() { *p = (*p)[:0] }

// Len, Swap and Less make ErrorList a sort.Interface: by file, line, column, then message.
func (p ErrorList) Len() int      { return len(p) }
func (p ErrorList) Swap(i, j int) { p[i], p[j] = p[j], p[i] }
func (p ErrorList) Less(i, j int) bool {
	e, f := p[i].Pos, p[j].Pos
	if e.File != f.File {
		return e.File < f.File
	}
	if e.Line != f.Line {
		return e.Line < f.Line
	}
	if e.Col != f.Col {
		return e.Col < f.Col
	}
	return p[i].Msg < p[j].Msg
}

// Sort sorts the list by position.
func (p ErrorList) Sort() { sort.Sort(p) }

// RemoveMultiples sorts the list and removes exact duplicates (same position and message),
// which loops and repeated gate calls would otherwise report many times.
func (p *ErrorList) RemoveMultiples() {
	sort.Sort(p)
	out := (*p)[:0]
	var last *Error
	for _, e := range *p {
		if last == nil || e.Pos != last.Pos || e.Msg != last.Msg {
			out = append(out, e)
			last = e
		}
	}
	*p = out
}

// MaxShown is how many errors ErrorList.Error lists before summarising the rest.
const MaxShown = 10

// Error lists the errors one per line (at most MaxShown, then a count of the rest).
func (p ErrorList) Error() string {
	switch len(p) {
	case 0:
		return "no errors"
	case 1:
		return p[0].Error()
	}
	var b strings.Builder
	for i, e := range p {
		if i == MaxShown {
			fmt.Fprintf(&b, "\n(and %d more errors)", len(p)-MaxShown)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns the list as an error, or nil when it is empty.
func (p ErrorList) Err() error {
	if len(p) == 0 {
		return nil
	}
	return p
}

// Unwrap lets errors.As find an *Error in the list.
func (p ErrorList) Unwrap() []error {
	out := make([]error, len(p))
	for i, e := range p {
		out[i] = e
	}
	return out
}

// PrintError writes every error of an ErrorList on its own line, or err itself otherwise.
func PrintError(w io.Writer, err error) {
	var list ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(w, e)
		}
		return
	}
	if err != nil {
		fmt.Fprintln(w, err)
	}
}
