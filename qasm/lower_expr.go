package qasm

import (
	"fmt"
	"strconv"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/qasm/ast"
	"github.com/qpeft/qpeft/qasm/printer"
)

// eval computes an expression. Errors are reported; ok is false after one.
func (l *lowerer) eval(e ast.Expr, sc *scope) (value, bool) {
	v, err := l.evalErr(e, sc)
	if err != nil {
		l.report(err)
		return value{}, false
	}
	return v, true
}

func (l *lowerer) undefined(id *ast.Ident, sc *scope) *evalError {
	name := id.Name
	if g, ok := l.gates[name]; ok {
		_ = g
		return errAt(id.At, "%s is a gate, not a value", name)
	}
	var cands []string
	for s := sc; s != nil; s = s.parent {
		for n, sym := range s.syms {
			if sym.kind == symVar || sym.kind == symInputArray {
				cands = append(cands, n)
			}
		}
	}
	if s := suggest(name, cands); s != "" {
		return errAt(id.At, "undefined: %s — did you mean %s?", name, s)
	}
	if l.major == 3 {
		return errAt(id.At, "undefined: %s (declare it, e.g. input float[64] %s; for a parameter, or const float[64] %s = …;)", name, name, name)
	}
	return errAt(id.At, "undefined: %s", name)
}

func (l *lowerer) evalErr(e ast.Expr, sc *scope) (value, *evalError) {
	if !l.step(e.Pos()) {
		return value{}, &evalError{pos: e.Pos()} // already reported: lowering has halted
	}
	switch x := e.(type) {
	case *ast.Ident:
		sym, hidden := sc.lookup(x.Name)
		if sym == nil {
			if hidden != nil {
				if g := sc.inGate(); g != "" {
					return value{}, errAt(x.At, "%s (%s declared at %s) is not visible inside gate %s: a gate sees only its parameters, its qubits and constants; pass it as a parameter", x.Name, hidden.describe(), hidden.pos, g)
				}
				return value{}, errAt(x.At, "%s (%s declared at %s) is not visible inside a subroutine: pass it as an argument", x.Name, hidden.describe(), hidden.pos)
			}
			return value{}, l.undefined(x, sc)
		}
		switch sym.kind {
		case symVar:
			return sym.val, nil
		case symInputArray:
			return value{}, errAt(x.At, "input array %s needs an index, as in %s[0]", x.Name, x.Name)
		case symQubits:
			return value{}, errAt(x.At, "%s is %s; it cannot be used as a number", x.Name, sym.describe())
		case symBits:
			return value{}, errAt(x.At, "%s is %s whose value is known only at run time; it can only be tested in an if: if (%s == 1) …", x.Name, sym.describe(), x.Name)
		case symSub:
			return value{}, errAt(x.At, "%s is a subroutine; call it as a statement: %s(…);", x.Name, x.Name)
		}
	case *ast.IntLit:
		i, err := parseIntLit(x.Lit)
		if err != nil {
			return value{}, errAt(x.At, "%v", err)
		}
		return intVal(i), nil
	case *ast.FloatLit:
		f, err := parseFloatLit(x.Lit)
		if err != nil {
			return value{}, errAt(x.At, "%v", err)
		}
		return floatVal(f), nil
	case *ast.BoolLit:
		return boolVal(x.Value), nil
	case *ast.ImagLit:
		return value{}, errAt(x.At, "not supported: complex numbers (%s); angles and parameters are real", x.Lit)
	case *ast.DurationLit:
		return value{}, errAt(x.At, "not supported: durations (%s); qpeft has no timing model", x.Lit)
	case *ast.StringLit:
		return value{}, errAt(x.At, "not supported: the bit-string literal %q in an expression", x.Value)
	case *ast.HwQubit:
		return value{}, errAt(x.At, "$%s is a physical qubit; it cannot be used as a number", x.Index)
	case *ast.ParenExpr:
		return l.evalErr(x.X, sc)
	case *ast.UnaryExpr:
		v, err := l.evalErr(x.X, sc)
		if err != nil {
			return value{}, err
		}
		return unary(x.Op, v, x.At, l.lim.MaxExprNodes)
	case *ast.BinaryExpr:
		if x.Op == ast.CONCAT {
			return value{}, errAt(x.OpPos, "++ joins registers in a let statement: let both = a ++ b;")
		}
		a, err := l.evalErr(x.X, sc)
		if err != nil {
			return value{}, err
		}
		b, err := l.evalErr(x.Y, sc)
		if err != nil {
			return value{}, err
		}
		if l.major == 3 && x.Op == ast.CARET && (a.k == vFloat || b.k == vFloat) {
			return value{}, errAt(x.OpPos, "^ is bitwise xor in OpenQASM 3; write ** for a power")
		}
		return arith(x.Op, a, b, x.OpPos, l.major, l.lim.MaxExprNodes)
	case *ast.CallExpr:
		if sym, _ := sc.lookup(x.Fn.Name); sym != nil && sym.kind == symSub {
			return value{}, errAt(x.Fn.At, "not supported: using subroutine %s as a value (subroutines are inlined and return nothing)", x.Fn.Name)
		}
		if _, ok := l.gates[x.Fn.Name]; ok && x.Fn.Name != "gphase" {
			if _, isFn := knownFuncs[x.Fn.Name]; !isFn {
				return value{}, errAt(x.Fn.At, "%s is a gate, not a function", x.Fn.Name)
			}
		}
		if x.Fn.Name == "gphase" {
			return value{}, errAt(x.Fn.At, "gphase is a statement: gphase(θ);")
		}
		args := make([]value, len(x.Args))
		for i, a := range x.Args {
			v, err := l.evalErr(a, sc)
			if err != nil {
				return value{}, err
			}
			args[i] = v
		}
		if l.major == 2 {
			switch x.Fn.Name {
			case "sin", "cos", "tan", "exp", "ln", "sqrt":
			default:
				return value{}, errAt(x.Fn.At, "unknown function %s (OpenQASM 2 has sin, cos, tan, exp, ln and sqrt)", x.Fn.Name)
			}
		}
		return callFunc(x.Fn.Name, args, x.Fn.At, l.lim.MaxExprNodes)
	case *ast.CastExpr:
		t, ok := l.castType(x.Type, sc)
		if !ok {
			return value{}, errAt(x.Type.At, "")
		}
		v, err := l.evalErr(x.X, sc)
		if err != nil {
			return value{}, err
		}
		return convert(v, t, x.Type.At, "cast to "+t.String())
	case *ast.IndexExpr:
		return l.evalIndex(x, sc)
	case *ast.RangeExpr:
		return value{}, errAt(x.At, "a range is not a value here")
	case *ast.SetExpr:
		return value{}, errAt(x.At, "a set {…} is not a value here")
	case *ast.MeasureExpr:
		return value{}, errAt(x.At, "the result of measure can only be assigned to bits: c = measure q;")
	case *ast.BadExpr:
		return value{}, errAt(x.At, "invalid expression")
	case *ast.TypeExpr:
		return value{}, errAt(x.At, "a type is not a value")
	}
	return value{}, errAt(e.Pos(), "unexpected expression")
}

var knownFuncs = map[string]bool{"sin": true, "cos": true, "tan": true, "arcsin": true, "arccos": true,
	"arctan": true, "exp": true, "ln": true, "log": true, "sqrt": true, "floor": true, "ceiling": true,
	"mod": true, "pow": true, "sizeof": true}

func (l *lowerer) castType(t *ast.TypeExpr, sc *scope) (ctype, bool) {
	n := len(l.errs)
	ct, ok := l.scalarType(t, sc, "cast")
	if !ok && len(l.errs) == n {
		l.errorf(t.At, "cannot cast to %s", typeString(t))
	}
	return ct, ok
}

func (l *lowerer) evalIndex(x *ast.IndexExpr, sc *scope) (value, *evalError) {
	id, ok := x.X.(*ast.Ident)
	if !ok {
		// a[i][j]: index the part a[i].
		v, err := l.evalErr(x.X, sc)
		if err != nil {
			return value{}, err
		}
		if v.k != vArray {
			return value{}, errAt(x.Lbrack, "%s cannot be indexed", printer.ExprString(x.X))
		}
		return l.index(v.arr, x.Indices, x.Lbrack, printer.ExprString(x.X), sc)
	}
	sym, hidden := sc.lookup(id.Name)
	if sym == nil {
		if hidden != nil {
			return value{}, errAt(id.At, "%s (%s) is not visible here; pass it as a parameter", id.Name, hidden.describe())
		}
		return value{}, l.undefined(id, sc)
	}
	switch sym.kind {
	case symInputArray:
		if len(x.Indices) != 1 {
			return value{}, errAt(x.Lbrack, "input array %s has one dimension; index it as %s[i]", id.Name, id.Name)
		}
		if _, ok := x.Indices[0].(*ast.RangeExpr); ok {
			return value{}, errAt(x.Lbrack, "a slice of input array %s is not a value; index one element", id.Name)
		}
		v, err := l.evalErr(x.Indices[0], sc)
		if err != nil {
			return value{}, err
		}
		if v.k != vInt {
			return value{}, errAt(x.Indices[0].Pos(), "an index must be an integer known when the program is read, got %s %s", v.kindName(), v)
		}
		i, err := normIndex(v.i, len(sym.elems), x.Indices[0].Pos(), id.Name)
		if err != nil {
			return value{}, err
		}
		return symVal(circuit.Sym{Name: sym.elems[i]}, 1), nil
	case symBits:
		return value{}, errAt(x.Lbrack, "%s is a measured bit, known only at run time; it can only be tested in an if: if (%s == 1) …", printer.ExprString(x), printer.ExprString(x))
	case symQubits:
		return value{}, errAt(x.Lbrack, "%s is a qubit; it cannot be used as a number", printer.ExprString(x))
	case symVar:
		if sym.val.k == vArray {
			return l.index(sym.val.arr, x.Indices, x.Lbrack, id.Name, sc)
		}
		return value{}, errAt(x.Lbrack, "not supported: indexing the bits of classical variable %s", id.Name)
	}
	return value{}, errAt(x.Lbrack, "%s cannot be indexed", id.Name)
}

// normIndex checks an index (negative counts from the end) against a size.
func normIndex(i int64, n int, pos ast.Pos, name string) (int, *evalError) {
	j := i
	if j < 0 {
		j += int64(n)
	}
	if j < 0 || j >= int64(n) {
		return 0, errAt(pos, "index %d out of range for %s[%d] (valid indices are 0 to %d)", i, name, n, n-1)
	}
	return int(j), nil
}

// operand resolves a qubit or bit operand: name, name[i], name[a:b], name[{i, j}], $n.
func (l *lowerer) operand(e ast.Expr, sc *scope, bitsOK bool) (qop, bool) {
	r, err := l.operandErr(e, sc)
	if err != nil {
		l.report(err)
		return qop{}, false
	}
	return r, true
}

func (l *lowerer) operandErr(e ast.Expr, sc *scope) (qop, *evalError) {
	switch x := e.(type) {
	case *ast.Ident:
		sym, hidden := sc.lookup(x.Name)
		if sym == nil {
			if hidden != nil && (hidden.kind == symQubits || hidden.kind == symBits) {
				if g := sc.inGate(); g != "" {
					return qop{}, errAt(x.At, "%s is declared outside gate %s; a gate acts only on its own qubit arguments", x.Name, g)
				}
				return qop{}, errAt(x.At, "%s is declared outside the subroutine; pass it as an argument", x.Name)
			}
			if _, ok := l.gates[x.Name]; ok {
				return qop{}, errAt(x.At, "%s is a gate, not a qubit (is a ';' missing before it?)", x.Name)
			}
			var cands []string
			for s := sc; s != nil; s = s.parent {
				for n, sy := range s.syms {
					if sy.kind == symQubits || sy.kind == symBits {
						cands = append(cands, n)
					}
				}
			}
			if s := suggest(x.Name, cands); s != "" {
				return qop{}, errAt(x.At, "undefined: %s — did you mean %s?", x.Name, s)
			}
			return qop{}, errAt(x.At, "undefined: %s (declare it first: qubit[n] %s; or qreg %s[n];)", x.Name, x.Name, x.Name)
		}
		if sym.kind != symQubits && sym.kind != symBits {
			return qop{}, errAt(x.At, "%s is %s, not a qubit or bit register", x.Name, sym.describe())
		}
		return qop{kind: sym.kind, idx: sym.idx, single: sym.single}, nil
	case *ast.HwQubit:
		i, err := strconv.ParseInt(x.Index, 10, 64)
		if err != nil || i >= int64(l.lim.MaxQubits) {
			return qop{}, errAt(x.At, "physical qubit $%s is beyond the limit of %d qubits (limit MaxQubits)", x.Index, l.lim.MaxQubits)
		}
		if len(l.qregs) > 0 {
			return qop{}, errAt(x.At, "physical qubits ($%s) cannot be mixed with declared qubits", x.Index)
		}
		if g := sc.inGate(); g != "" {
			return qop{}, errAt(x.At, "physical qubits cannot be used inside gate %s", g)
		}
		l.physical = true
		l.maxPhys = max(l.maxPhys, int(i))
		return qop{kind: symQubits, idx: []int{int(i)}, single: true}, nil
	case *ast.IndexExpr:
		base, err := l.operandErr(x.X, sc)
		if err != nil {
			return qop{}, err
		}
		var name string
		if id, ok := x.X.(*ast.Ident); ok {
			name = id.Name // the common case, without formatting
		} else {
			name = printer.ExprString(x.X)
		}
		if base.single {
			return qop{}, errAt(x.Lbrack, "%s is a single %s, not a register; it cannot be indexed", name, map[bool]string{true: "qubit", false: "bit"}[base.kind == symQubits])
		}
		if len(x.Indices) != 1 {
			return qop{}, errAt(x.Lbrack, "registers have one dimension; write %s[i]", name)
		}
		n := len(base.idx)
		switch ix := x.Indices[0].(type) {
		case *ast.RangeExpr:
			sel, err := l.rangeSel(ix, n, name, sc)
			if err != nil {
				return qop{}, err
			}
			out := make([]int, len(sel))
			for i, j := range sel {
				out[i] = base.idx[j]
			}
			return qop{kind: base.kind, idx: out}, nil
		case *ast.SetExpr:
			out := make([]int, 0, len(ix.Elems))
			for _, el := range ix.Elems {
				v, err := l.evalErr(el, sc)
				if err != nil {
					return qop{}, err
				}
				if v.k != vInt {
					return qop{}, errAt(el.Pos(), "an index must be an integer known when the program is read, got %s %s", v.kindName(), v)
				}
				j, err := normIndex(v.i, n, el.Pos(), name)
				if err != nil {
					return qop{}, err
				}
				out = append(out, base.idx[j])
			}
			if len(out) == 0 {
				return qop{}, errAt(ix.At, "an empty set selects nothing")
			}
			return qop{kind: base.kind, idx: out}, nil
		default:
			v, err := l.evalErr(ix, sc)
			if err != nil {
				return qop{}, err
			}
			if v.k != vInt {
				if v.k == vFloat && v.sym == nil && l.major == 2 && v.f == float64(int64(v.f)) {
					v = intVal(int64(v.f))
				} else {
					return qop{}, errAt(ix.Pos(), "an index must be an integer known when the program is read, got %s %s", v.kindName(), v)
				}
			}
			j, err := normIndex(v.i, n, ix.Pos(), name)
			if err != nil {
				return qop{}, err
			}
			// A view of the register (idx is never written): an allocation here would share
			// a tiny-allocator block with the operation's own qubits and live as long.
			return qop{kind: base.kind, idx: base.idx[j : j+1 : j+1], single: true}, nil
		}
	case *ast.ParenExpr:
		return l.operandErr(x.X, sc)
	case *ast.BadExpr:
		return qop{}, errAt(x.At, "invalid operand")
	}
	return qop{}, errAt(e.Pos(), "expected a qubit or register, found %s", printer.ExprString(e))
}

func (l *lowerer) rangeSel(r *ast.RangeExpr, n int, name string, sc *scope) ([]int, *evalError) {
	get := func(e ast.Expr, what string) (int64, *evalError) {
		v, err := l.evalErr(e, sc)
		if err != nil {
			return 0, err
		}
		if v.k != vInt {
			return 0, errAt(e.Pos(), "a range %s must be an integer known when the program is read, got %s %s", what, v.kindName(), v)
		}
		return v.i, nil
	}
	step := int64(1)
	if r.Step != nil {
		var err *evalError
		if step, err = get(r.Step, "step"); err != nil {
			return nil, err
		}
		if step == 0 {
			return nil, errAt(r.Step.Pos(), "a range step cannot be 0")
		}
	}
	start, stop := int64(0), int64(n-1)
	if step < 0 {
		start, stop = int64(n-1), 0
	}
	if r.Start != nil {
		v, err := get(r.Start, "start")
		if err != nil {
			return nil, err
		}
		j, err := normIndex(v, n, r.Start.Pos(), name)
		if err != nil {
			return nil, err
		}
		start = int64(j)
	}
	if r.Stop != nil {
		v, err := get(r.Stop, "end")
		if err != nil {
			return nil, err
		}
		j, err := normIndex(v, n, r.Stop.Pos(), name)
		if err != nil {
			return nil, err
		}
		stop = int64(j)
	}
	cnt := rangeCount(start, step, stop)
	if cnt == 0 {
		return nil, errAt(r.At, "the range %s selects no elements of %s", printer.ExprString(r), name)
	}
	out := make([]int, 0, cnt)
	for i := uint64(0); i < cnt; i++ {
		out = append(out, int(start+int64(i)*step))
	}
	return out, nil
}

var _ = fmt.Sprintf
