package npy

import (
	"fmt"
	"strconv"
	"strings"
)

// The .npy header is a Python literal. This is a parser for the subset that
// can appear in it: dicts, tuples, lists, strings, ints, True, False, None.

type (
	tupleVal []any
	listVal  []any
	noneVal  struct{}
	dictVal  struct {
		keys []string // in order of appearance
		m    map[string]any
	}
)

const maxDepth = 32

type pyParser struct {
	s     string
	i     int
	depth int
}

func pyTypeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "bool"
	case int64:
		return "int"
	case tupleVal:
		return "tuple"
	case listVal:
		return "list"
	case dictVal:
		return "dict"
	case noneVal:
		return "None"
	}
	return fmt.Sprintf("%T", v)
}

func (p *pyParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *pyParser) errorf(format string, args ...any) error {
	return fmt.Errorf("byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

// value parses one literal.
func (p *pyParser) value() (any, error) {
	p.skipSpace()
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end of header")
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errorf("nesting deeper than %d", maxDepth)
	}
	c := p.s[p.i]
	switch {
	case c == '{':
		return p.dict()
	case c == '(':
		return p.seq('(', ')')
	case c == '[':
		return p.seq('[', ']')
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || c == '+' || (c >= '0' && c <= '9'):
		return p.integer()
	}
	for _, kw := range []struct {
		word string
		val  any
	}{{"True", true}, {"False", false}, {"None", noneVal{}}} {
		if strings.HasPrefix(p.s[p.i:], kw.word) {
			end := p.i + len(kw.word)
			if end == len(p.s) || !isIdent(p.s[end]) {
				p.i = end
				return kw.val, nil
			}
		}
	}
	return nil, p.errorf("unexpected %q", p.s[p.i:min(len(p.s), p.i+12)])
}

func isIdent(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (p *pyParser) integer() (any, error) {
	start := p.i
	if p.s[p.i] == '-' || p.s[p.i] == '+' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i == digits {
		return nil, p.errorf("expected digits")
	}
	text := p.s[start:p.i]
	// Python 2 long suffix, written by old numpy versions.
	if p.i < len(p.s) && (p.s[p.i] == 'L' || p.s[p.i] == 'l') {
		p.i++
	}
	if p.i < len(p.s) && (isIdent(p.s[p.i]) || p.s[p.i] == '.') {
		return nil, p.errorf("number %q followed by %q is not an int", text, p.s[p.i])
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, p.errorf("int %s out of range", text)
	}
	return n, nil
}

func (p *pyParser) str() (any, error) {
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), nil
		case c == '\n':
			return nil, p.errorf("newline inside a string")
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return nil, p.errorf("unterminated string")
			}
			e := p.s[p.i+1]
			switch e {
			case '\\', '\'', '"':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			p.i += 2
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return nil, p.errorf("unterminated string")
}

// seq parses a tuple or a list. A parenthesised single value without a
// comma is that value, as in Python.
func (p *pyParser) seq(open, close byte) (any, error) {
	p.i++ // open
	var items []any
	sawComma := false
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.errorf("unterminated %c", open)
		}
		if p.s[p.i] == close {
			p.i++
			break
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.errorf("unterminated %c", open)
		}
		if p.s[p.i] == ',' {
			sawComma = true
			p.i++
			continue
		}
		if p.s[p.i] != close {
			return nil, p.errorf("expected ',' or '%c', found %q", close, p.s[p.i])
		}
	}
	if open == '[' {
		return listVal(items), nil
	}
	if len(items) == 1 && !sawComma {
		return items[0], nil
	}
	return tupleVal(items), nil
}

func (p *pyParser) dict() (any, error) {
	p.i++ // {
	d := dictVal{m: map[string]any{}}
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.errorf("unterminated dictionary")
		}
		if p.s[p.i] == '}' {
			p.i++
			return d, nil
		}
		kpos := p.i
		k, err := p.value()
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("byte %d: dictionary key is a %s, not a string", kpos, pyTypeName(k))
		}
		if _, dup := d.m[key]; dup {
			return nil, fmt.Errorf("byte %d: duplicate key %q", kpos, key)
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("expected ':' after key %q", key)
		}
		p.i++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, key)
		d.m[key] = v
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.errorf("unterminated dictionary")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
		default:
			return nil, p.errorf("expected ',' or '}', found %q", p.s[p.i])
		}
	}
}
