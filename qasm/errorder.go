package qasm

import (
	"sort"

	"github.com/qpeft/qpeft/qasm/ast"
)

// Errors are reported in the order that explains them. An error inside an included file is
// keyed by the position of the include statement (and of every include above it), so the
// root cause in the included file comes right where the include is, before the errors that
// follow from it in the including file; errors of one file are in source order. Sorting by
// file name, as go/scanner does, would print an include's errors wherever its name happens
// to sort.

// errKey is the include chain of an error: the include statements that led to the file
// (outermost first), then the error's own position.
type errKey []ast.Pos

// addErr records an error with its causal key.
func (l *lowerer) addErr(pos ast.Pos, msg string) {
	l.errs.Add(pos, msg)
	key := make(errKey, 0, len(l.incSites)+1)
	key = append(key, l.incSites...)
	l.errKeys = append(l.errKeys, append(key, pos))
}

// fileRank orders files by when they were first read (the main file first).
func (l *lowerer) fileRank(file string) int {
	if r, ok := l.fileOrder[file]; ok {
		return r
	}
	return len(l.fileOrder) + 1
}

func (l *lowerer) posLess(a, b ast.Pos) bool {
	if a.File != b.File {
		return l.fileRank(a.File) < l.fileRank(b.File)
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Col < b.Col
}

func (l *lowerer) keyLess(a, b errKey) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return l.posLess(a[i], b[i])
		}
	}
	return len(a) < len(b)
}

// sortErrors orders the errors causally (see errKey), keeps the first of exact duplicates
// (loops and repeated calls report the same error many times) and keeps a final "too many
// errors" note last.
func (l *lowerer) sortErrors() ErrorList {
	type item struct {
		e   *Error
		key errKey
	}
	items := make([]item, len(l.errs))
	for i, e := range l.errs {
		items[i] = item{e, l.errKeys[i]}
	}
	var last *Error
	if l.stopped && len(items) > 0 {
		last = items[len(items)-1].e
		items = items[:len(items)-1]
	}
	sort.SliceStable(items, func(i, j int) bool {
		if l.keyLess(items[i].key, items[j].key) {
			return true
		}
		if l.keyLess(items[j].key, items[i].key) {
			return false
		}
		return items[i].e.Msg < items[j].e.Msg
	})
	type seenKey struct {
		pos ast.Pos
		msg string
	}
	seen := make(map[seenKey]bool, len(items))
	out := make(ErrorList, 0, len(items)+1)
	for _, it := range items {
		k := seenKey{it.e.Pos, it.e.Msg}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, it.e)
	}
	if last != nil {
		out = append(out, last)
	}
	return out
}
