package qasm

import (
	"slices"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/qasm/ast"
	"github.com/qpeft/qpeft/qasm/printer"
)

// OpenQASM 3 classical arrays (array[int[32], 4] a = {1, 2, 3, 4};), computed when the
// program is read like every classical value: declaration with nested initialisers or a
// copy of another array (or of a row of one), indexing a[i], a[i, j] and a[i][j], slices of
// the first remaining dimension (a[1:2]), assignment of elements, rows and slices, sizeof,
// loops over an array, and const/mutable array parameters of subroutines (by reference).

// arrayData holds the elements of one array, row-major.
type arrayData struct {
	elem ctype
	data []value
}

// arrayRef is an array or a part of one: the elements from off on, shaped dims.
type arrayRef struct {
	base *arrayData
	off  int
	dims []int
}

func (r *arrayRef) size() int {
	n := 1
	for _, d := range r.dims {
		n *= d
	}
	return n
}

func arrayVal(r *arrayRef) value { return value{k: vArray, arr: r} }

func shapeString(elem ctype, dims []int) string {
	var b strings.Builder
	b.WriteString("array[" + elem.String())
	for _, d := range dims {
		b.WriteString(", ")
		b.WriteString(strconv.Itoa(d))
	}
	b.WriteString("]")
	return b.String()
}

// arrayType resolves array[elem, d1, d2, …] to its element type and dimensions.
func (l *lowerer) arrayType(t *ast.TypeExpr, sc *scope, what string) (ctype, []int, bool) {
	if t.Elem == nil {
		l.errorf(t.At, "%s: array needs an element type", what)
		return ctype{}, nil, false
	}
	switch t.Elem.Kind {
	case ast.INT_TYPE, ast.UINT_TYPE, ast.FLOAT_TYPE, ast.ANGLE_TYPE, ast.BOOL_TYPE:
	case ast.BIT, ast.QUBIT, ast.CREG, ast.QREG:
		l.notSupported(t.At, "arrays of "+typeString(t.Elem), "declare a register instead: qubit[n] q; or bit[n] c;")
		return ctype{}, nil, false
	default:
		l.notSupported(t.At, "arrays of "+typeString(t.Elem), "array elements are int, uint, float, angle or bool")
		return ctype{}, nil, false
	}
	elem, ok := l.scalarType(t.Elem, sc, what)
	if !ok {
		return ctype{}, nil, false
	}
	if len(t.Dims) == 0 {
		l.errorf(t.At, "%s: array needs a size", what)
		return ctype{}, nil, false
	}
	dims := make([]int, len(t.Dims))
	total := int64(1)
	for i, d := range t.Dims {
		n, ok := l.constInt(d, sc, "an array size")
		if !ok {
			return ctype{}, nil, false
		}
		if n <= 0 {
			l.errorf(d.Pos(), "%s: an array dimension must be at least 1, got %d", what, n)
			return ctype{}, nil, false
		}
		total = satMul(total, n, int64(l.lim.MaxOps))
		if total > int64(l.lim.MaxOps) {
			l.fatal(d.Pos(), "%s: the array has more than %d elements (limit MaxOps)", what, l.lim.MaxOps)
			return ctype{}, nil, false
		}
		dims[i] = int(n)
	}
	return elem, dims, true
}

// newArray makes a zero-filled array; its elements count as work (bounded by MaxOps).
func (l *lowerer) newArray(elem ctype, dims []int, pos ast.Pos) *arrayRef {
	r := &arrayRef{base: &arrayData{elem: elem}, dims: append([]int(nil), dims...)}
	n := r.size()
	l.countWork(n, pos)
	zero, _ := convert(intVal(0), elem, pos, "")
	r.base.data = make([]value, n)
	for i := range r.base.data {
		r.base.data[i] = zero
	}
	return r
}

// copyInto copies src into dst (same shape), converting each element to dst's type.
func (l *lowerer) copyInto(dst, src *arrayRef, pos ast.Pos, what string) bool {
	if !slices.Equal(dst.dims, src.dims) {
		l.errorf(pos, "%s: %s does not have the shape of %s", what, shapeString(src.base.elem, src.dims), shapeString(dst.base.elem, dst.dims))
		return false
	}
	n := dst.size()
	if !l.stepN(n, pos) {
		return false
	}
	vals := make([]value, n) // read everything first: the two may overlap
	copy(vals, src.base.data[src.off:src.off+n])
	for i, v := range vals {
		cv, err := convert(v, dst.base.elem, pos, what)
		if err != nil {
			l.report(err)
			return false
		}
		dst.base.data[dst.off+i] = cv
	}
	return true
}

// initArray fills r from an initialiser: nested {…} sets, or an array value of its shape.
func (l *lowerer) initArray(r *arrayRef, e ast.Expr, sc *scope, what string) bool {
	set, ok := e.(*ast.SetExpr)
	if !ok {
		v, ok := l.eval(e, sc)
		if !ok {
			return false
		}
		if v.k != vArray {
			l.errorf(e.Pos(), "%s: expected %s, got %s %s", what, shapeString(r.base.elem, r.dims), v.kindName(), v)
			return false
		}
		return l.copyInto(r, v.arr, e.Pos(), what)
	}
	if len(set.Elems) != r.dims[0] {
		l.errorf(set.At, "%s: expected %d values for a dimension of size %d, got %d", what, r.dims[0], r.dims[0], len(set.Elems))
		return false
	}
	stride := r.size() / r.dims[0]
	for i, el := range set.Elems {
		if len(r.dims) > 1 {
			sub := &arrayRef{base: r.base, off: r.off + i*stride, dims: r.dims[1:]}
			if !l.initArray(sub, el, sc, what) {
				return false
			}
			continue
		}
		if _, nested := el.(*ast.SetExpr); nested {
			l.errorf(el.Pos(), "%s: too many levels of {…} for %s", what, shapeString(r.base.elem, r.dims))
			return false
		}
		v, ok := l.eval(el, sc)
		if !ok {
			return false
		}
		cv, err := convert(v, r.base.elem, el.Pos(), what)
		if err != nil {
			l.report(err)
			return false
		}
		r.base.data[r.off+i] = cv
	}
	return true
}

// arrayDecl declares array[T, dims…] name [= init];.
func (l *lowerer) arrayDecl(s *ast.ClassicalDecl, sc *scope) {
	name := s.Name.Name
	elem, dims, ok := l.arrayType(s.Type, sc, "array "+name)
	if !ok {
		return
	}
	if s.Init == nil && s.Const {
		l.errorf(s.From, "const %s needs a value", name)
		return
	}
	if l.cond != nil {
		l.notSupported(s.From, "declaring classical variables inside an if on measured bits", "their values would be known only at run time")
		return
	}
	r := l.newArray(elem, dims, s.From)
	if s.Init != nil && !l.initArray(r, s.Init, sc, "initialising "+name) {
		return
	}
	l.declare(sc, &symbol{kind: symVar, name: name, pos: s.Name.At, typ: ctype{kind: ast.ARRAY}, isConst: s.Const, val: arrayVal(r)})
}

// index applies indices (a[i, j], or one a[i] of a chain) to an array value: an element,
// or a sub-array (fewer indices than dimensions, or a slice of the first one).
func (l *lowerer) index(r *arrayRef, indices []ast.Expr, lbrack ast.Pos, name string, sc *scope) (value, *evalError) {
	off, dims := r.off, r.dims
	for k, ix := range indices {
		if len(dims) == 0 {
			return value{}, errAt(lbrack, "too many indices for %s", name)
		}
		stride := 1
		for _, d := range dims[1:] {
			stride *= d
		}
		if rg, ok := ix.(*ast.RangeExpr); ok {
			if k != len(indices)-1 {
				return value{}, errAt(rg.At, "not supported: indices after a slice of %s", name)
			}
			sel, err := l.rangeSel(rg, dims[0], name, sc)
			if err != nil {
				return value{}, err
			}
			for i := 1; i < len(sel); i++ {
				if sel[i] != sel[i-1]+1 {
					return value{}, errAt(rg.At, "not supported: a slice of %s with a step other than 1", name)
				}
			}
			nd := append([]int{len(sel)}, dims[1:]...)
			return arrayVal(&arrayRef{base: r.base, off: off + sel[0]*stride, dims: nd}), nil
		}
		if _, ok := ix.(*ast.SetExpr); ok {
			return value{}, errAt(ix.Pos(), "not supported: selecting elements of %s with a set {…}", name)
		}
		v, err := l.evalErr(ix, sc)
		if err != nil {
			return value{}, err
		}
		if v.k != vInt {
			return value{}, errAt(ix.Pos(), "an index must be an integer known when the program is read, got %s %s", v.kindName(), v)
		}
		i, err := normIndex(v.i, dims[0], ix.Pos(), name)
		if err != nil {
			return value{}, err
		}
		off += i * stride
		dims = dims[1:]
	}
	if len(dims) == 0 {
		return r.base.data[off], nil
	}
	return arrayVal(&arrayRef{base: r.base, off: off, dims: dims}), nil
}

// arrayTarget resolves the left side of an assignment to an array element or part: the
// array's symbol (for const checks) and the part (one element when its dims are empty).
func (l *lowerer) arrayTarget(e ast.Expr, sc *scope) (*symbol, *arrayRef, bool) {
	switch x := e.(type) {
	case *ast.Ident:
		sym, hidden := sc.lookup(x.Name)
		if sym == nil {
			if hidden != nil {
				l.errorf(x.At, "%s is declared outside this gate or subroutine and cannot be changed here", x.Name)
			} else {
				l.report(l.undefined(x, sc))
			}
			return nil, nil, false
		}
		if sym.kind != symVar || sym.val.k != vArray {
			l.errorf(x.At, "%s is %s, not an array; only arrays (and bits, by measure) can be assigned by index", x.Name, sym.describe())
			return nil, nil, false
		}
		return sym, sym.val.arr, true
	case *ast.IndexExpr:
		sym, r, ok := l.arrayTarget(x.X, sc)
		if !ok {
			return nil, nil, false
		}
		if len(r.dims) == 0 {
			l.errorf(x.Lbrack, "too many indices for %s", printer.ExprString(x.X))
			return nil, nil, false
		}
		v, err := l.index(r, x.Indices, x.Lbrack, printer.ExprString(x.X), sc)
		if err != nil {
			l.report(err)
			return nil, nil, false
		}
		if v.k == vArray {
			return sym, v.arr, true
		}
		// One element: find its offset again (index returned its value).
		off, dims := r.off, r.dims
		for _, ix := range x.Indices {
			stride := 1
			for _, d := range dims[1:] {
				stride *= d
			}
			iv, _ := l.evalErr(ix, sc)
			i, _ := normIndex(iv.i, dims[0], ix.Pos(), "")
			off += i * stride
			dims = dims[1:]
		}
		return sym, &arrayRef{base: r.base, off: off}, true
	case *ast.ParenExpr:
		return l.arrayTarget(x.X, sc)
	}
	l.errorf(e.Pos(), "cannot assign to %s", printer.ExprString(e))
	return nil, nil, false
}

// assignArray handles a[i] = v, a[i, j] op= v, a[1] = row, a[0:1] = b[2:3].
func (l *lowerer) assignArray(s *ast.AssignStmt, sc *scope) {
	sym, r, ok := l.arrayTarget(s.Target, sc)
	if !ok {
		return
	}
	if sym.isConst {
		l.errorf(s.Target.Pos(), "cannot assign to an element of const %s", sym.name)
		return
	}
	v, ok := l.eval(s.Value, sc)
	if !ok {
		return
	}
	if l.cond != nil {
		l.notSupported(s.From, "assigning classical variables inside an if on measured bits", "their values would be known only at run time")
		return
	}
	what := "assigning to " + printer.ExprString(s.Target)
	if len(r.dims) > 0 {
		if s.Op != ast.ASSIGN {
			l.notSupported(s.From, s.Op.String()+" on a whole array or a part of one", "assign elements one at a time")
			return
		}
		if v.k != vArray {
			l.errorf(s.Value.Pos(), "%s: expected %s, got %s %s", what, shapeString(r.base.elem, r.dims), v.kindName(), v)
			return
		}
		l.copyInto(r, v.arr, s.Value.Pos(), what)
		return
	}
	if s.Op != ast.ASSIGN {
		var err *evalError
		v, err = arith(s.Op.BinaryOf(), r.base.data[r.off], v, s.From, l.major, l.lim.MaxExprNodes)
		if err != nil {
			l.report(err)
			return
		}
	}
	cv, err := convert(v, r.base.elem, s.Value.Pos(), what)
	if err != nil {
		l.report(err)
		return
	}
	r.base.data[r.off] = cv
}

// sizeof(a) and sizeof(a, k).
func sizeOf(args []value, pos ast.Pos) (value, *evalError) {
	if len(args) != 1 && len(args) != 2 {
		return value{}, errAt(pos, "sizeof takes an array and optionally a dimension, got %d arguments", len(args))
	}
	if args[0].k != vArray {
		return value{}, errAt(pos, "sizeof needs an array, got %s %s", args[0].kindName(), args[0])
	}
	dims := args[0].arr.dims
	k := int64(0)
	if len(args) == 2 {
		if args[1].k != vInt {
			return value{}, errAt(pos, "the dimension of sizeof must be an integer, got %s %s", args[1].kindName(), args[1])
		}
		k = args[1].i
	}
	if k < 0 || k >= int64(len(dims)) {
		return value{}, errAt(pos, "sizeof: dimension %d out of range; the array has %d", k, len(dims))
	}
	return intVal(int64(dims[k])), nil
}

// arrayElems returns the elements of a one-dimensional array value, for a loop over it.
func arrayElems(v value) ([]value, bool) {
	if v.k != vArray || len(v.arr.dims) != 1 {
		return nil, false
	}
	n := v.arr.dims[0]
	return append([]value(nil), v.arr.base.data[v.arr.off:v.arr.off+n]...), true
}

func (r *arrayRef) String() string {
	var b strings.Builder
	var rec func(off int, dims []int)
	shown := 0
	rec = func(off int, dims []int) {
		b.WriteByte('{')
		stride := 1
		for _, d := range dims[1:] {
			stride *= d
		}
		for i := 0; i < dims[0]; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			if shown >= 8 {
				b.WriteString("…")
				break
			}
			if len(dims) > 1 {
				rec(off+i*stride, dims[1:])
			} else {
				b.WriteString(r.base.data[off+i].String())
				shown++
			}
		}
		b.WriteByte('}')
	}
	rec(r.off, r.dims)
	return b.String()
}

// arrayRef reports whether e names a classical array or a part of one (without errors).
func (l *lowerer) arrayRef(e ast.Expr, sc *scope) bool {
	switch x := e.(type) {
	case *ast.Ident:
		sym, _ := sc.lookup(x.Name)
		return sym != nil && sym.kind == symVar && sym.val.k == vArray
	case *ast.IndexExpr:
		return l.arrayRef(x.X, sc)
	case *ast.ParenExpr:
		return l.arrayRef(x.X, sc)
	}
	return false
}

// arrayArg binds an array argument of a subroutine: by reference, as OpenQASM passes
// arrays; a const (or readonly) parameter cannot be assigned, a mutable one changes the
// caller's array.
func (l *lowerer) arrayArg(p *ast.Param, a ast.Expr, d *ast.DefStmt, ssc, sc *scope) bool {
	what := "argument " + p.Name.Name + " of " + d.Name.Name
	elem, dims, ok := l.arrayType(p.Type, ssc, what)
	if !ok {
		return false
	}
	v, ok := l.eval(a, sc)
	if !ok {
		return false
	}
	if v.k != vArray {
		l.errorf(a.Pos(), "%s is %s, but %s is %s %s", what, shapeString(elem, dims), printer.ExprString(a), v.kindName(), v)
		return false
	}
	if !slices.Equal(v.arr.dims, dims) || v.arr.base.elem.kind != elem.kind {
		l.errorf(a.Pos(), "%s is %s, but %s is %s", what, shapeString(elem, dims), printer.ExprString(a), shapeString(v.arr.base.elem, v.arr.dims))
		return false
	}
	ssc.syms[p.Name.Name] = &symbol{kind: symVar, name: p.Name.Name, pos: p.Name.At, typ: ctype{kind: ast.ARRAY},
		isConst: p.Access != ast.MUTABLE, val: v}
	return true
}

// stepN counts n units of evaluation work (copying array elements), like step, and
// reports whether lowering goes on.
func (l *lowerer) stepN(n int, pos ast.Pos) bool {
	l.steps += n
	if l.steps > 32*l.lim.MaxOps {
		l.fatal(pos, "the program takes more than %d evaluation steps to read (limit MaxOps; raise it to allow more)", 32*l.lim.MaxOps)
	}
	return !l.halted
}
