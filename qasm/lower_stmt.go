package qasm

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/qasm/ast"
	"github.com/qpeft/qpeft/qasm/printer"
)

// ---- run-time conditions ----

// runCond is a conjunction of tests of classical bits.
type runCond struct {
	bits []int
	vals []bool
}

// and returns the conjunction of a and b; ok is false when they contradict each other.
func (a *runCond) and(b *runCond) (*runCond, bool) {
	if a == nil {
		return b, true
	}
	if b == nil {
		return a, true
	}
	out := &runCond{bits: append([]int(nil), a.bits...), vals: append([]bool(nil), a.vals...)}
	for i, bit := range b.bits {
		found := false
		for j, x := range out.bits {
			if x == bit {
				found = true
				if out.vals[j] != b.vals[i] {
					return nil, false
				}
			}
		}
		if !found {
			out.bits = append(out.bits, bit)
			out.vals = append(out.vals, b.vals[i])
		}
	}
	return out, true
}

func (a *runCond) toCircuit() *circuit.Cond {
	c := &circuit.Cond{Clbits: append([]int(nil), a.bits...)}
	if len(a.vals) > 64 {
		c.Big = new(big.Int)
		for i, v := range a.vals {
			if v {
				c.Big.SetBit(c.Big, i, 1)
			}
		}
		return c
	}
	for i, v := range a.vals {
		if v {
			c.Value |= 1 << uint(i)
		}
	}
	return c
}

// ---- emitting operations ----

func (l *lowerer) countWork(n int, pos ast.Pos) {
	l.work += n
	if l.work > 2*l.lim.MaxOps {
		l.fatal(pos, "the program is too large: reading it creates more than %d operations (limit MaxOps)", 2*l.lim.MaxOps)
	}
}

func (l *lowerer) emit(op circuit.Op, pos ast.Pos) {
	if l.halted {
		return
	}
	op.Pos = l.opPos(pos)
	if l.cond != nil && op.Kind != circuit.Barrier {
		for _, b := range l.cond.bits {
			if l.condWritten[b] {
				l.notSupported(pos, fmt.Sprintf("an operation after a measurement into %s inside an if that tests it", l.bitName(b)), "the condition is evaluated once, but qpeft would test the bit again for each operation")
				return
			}
		}
		op.Cond = l.cond.toCircuit()
		if op.Kind == circuit.Measure {
			for _, b := range op.Clbits() {
				for _, cb := range l.cond.bits {
					if b == cb {
						l.condWritten[b] = true
					}
				}
			}
		}
	}
	*l.out = append(*l.out, op)
	l.countWork(1, pos)
	if len(*l.out) > l.lim.MaxOps {
		if l.out == &l.ops {
			l.fatal(pos, "the circuit has more than %d operations after unrolling loops and inlining gates (limit MaxOps)", l.lim.MaxOps)
		}
		l.fatal(pos, "a gate body expands to more than %d operations (limit MaxOps)", l.lim.MaxOps)
	}
}

func (l *lowerer) qubitName(q int, sc *scope) string {
	if g := sc.inGate(); g != "" {
		for s := sc; s != nil; s = s.parent {
			for _, sym := range s.syms {
				if sym.kind == symQubits && len(sym.idx) == 1 && sym.idx[0] == q && s.kind == scopeGate {
					return sym.name
				}
			}
			if s.kind == scopeGate {
				break
			}
		}
	}
	if l.physical {
		return "$" + strconv.Itoa(q)
	}
	for _, r := range l.qregs {
		if q >= r.Start && q < r.Start+r.Size {
			return r.Name + "[" + strconv.Itoa(q-r.Start) + "]"
		}
	}
	return "qubit " + strconv.Itoa(q)
}

func (l *lowerer) bitName(b int) string {
	for _, r := range l.cregs {
		if b >= r.Start && b < r.Start+r.Size {
			return r.Name + "[" + strconv.Itoa(b-r.Start) + "]"
		}
	}
	return "bit " + strconv.Itoa(b)
}

// ---- gate calls ----

func (l *lowerer) lookupGate(id *ast.Ident, sc *scope) *gateEntry {
	name := id.Name
	if l.resolvingLib {
		if n, ok := qelib1Native[name]; ok {
			g := gates.MustGet(n)
			return &gateEntry{name: name, native: g, nparams: g.Params, nqubits: g.Qubits, paramNames: g.ParamNames}
		}
	}
	if e, ok := l.gates[name]; ok {
		return e
	}
	l.unknownGate(id, sc)
	return nil
}

func (l *lowerer) unknownGate(id *ast.Ident, sc *scope) {
	name := id.Name
	if name == sc.inGate() {
		l.errorf(id.At, "gate %s calls itself: a gate cannot be recursive (gates are expanded inline, so the expansion would never end)", name)
		return
	}
	if sym, hidden := sc.lookup(name); sym != nil || hidden != nil {
		if sym == nil {
			sym = hidden
		}
		l.errorf(id.At, "%s is %s (declared at %s), not a gate", name, sym.describe(), sym.pos)
		return
	}
	_, inQelib := qelib1Native[name]
	if !inQelib {
		inQelib = strings.Contains(qelib1Defined, "gate "+name+" ") || strings.Contains(qelib1Defined, "gate "+name+"(")
	}
	if l.major == 2 && inQelib && !l.libs["qelib1.inc"] {
		l.errorf(id.At, "unknown gate %s: it is defined in qelib1.inc; add include \"qelib1.inc\"; after the OPENQASM line", name)
		return
	}
	if l.major == 3 {
		def, hasDef := oq3Defs[name]
		switch {
		case inQelib && hasDef:
			l.errorf(id.At, "unknown gate %s: it is in OpenQASM 2's qelib1.inc, not in OpenQASM 3's stdgates.inc; define it first: %s", name, def)
			return
		case inQelib:
			l.errorf(id.At, "unknown gate %s: it is in OpenQASM 2's qelib1.inc, not in OpenQASM 3's stdgates.inc; add include \"qelib1.inc\"; (qpeft also reads it in OpenQASM 3)", name)
			return
		case hasDef:
			l.errorf(id.At, "unknown gate %s: it is not in stdgates.inc; define it first: %s", name, def)
			return
		}
	}
	if std, ok := otherDialects[strings.ToLower(name)]; ok {
		if _, visible := l.gates[std]; visible {
			l.errorf(id.At, "unknown gate %s — did you mean %s? (%s is another toolkit's name for %s)", name, std, name, std)
			return
		}
	}
	cands := sortedKeys(l.gates)
	for n := range qelib1Native {
		cands = append(cands, n)
	}
	cands = append(cands, gates.Names()...)
	if s := suggest(name, cands); s != "" && s != name {
		if _, visible := l.gates[s]; visible {
			l.errorf(id.At, "unknown gate %s — did you mean %s?", name, s)
		} else if def, ok := oq3Defs[s]; ok && l.major == 3 {
			l.errorf(id.At, "unknown gate %s — did you mean %s? (%s is not in stdgates.inc; define it first: %s)", name, s, s, def)
		} else if l.major == 2 && !l.libs["qelib1.inc"] {
			l.errorf(id.At, "unknown gate %s — did you mean %s? (add include \"qelib1.inc\";)", name, s)
		} else {
			l.errorf(id.At, "unknown gate %s (define it with a gate statement before using it)", name)
		}
		return
	}
	l.errorf(id.At, "unknown gate %s (define it with a gate statement before using it)", name)
}

// qop is a resolved operand: qubits or bits.
type qop struct {
	kind   symKind
	idx    []int
	single bool
}

type modVal struct {
	kind ast.Token
	n    int64
	pos  ast.Pos
}

func describeParams(e *gateEntry) string {
	if len(e.paramNames) == 0 {
		return ""
	}
	return " (" + strings.Join(e.paramNames, ", ") + ")"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func (l *lowerer) gateCall(s *ast.GateCall, sc *scope) {
	if l.major == 2 && len(s.Mods) > 0 && !l.resolvingLib {
		l.errorf(s.Mods[0].At, "gate modifiers (%s @) are OpenQASM 3 syntax; this file declares OPENQASM 2.0", s.Mods[0].Kind)
		return
	}
	if s.Name.Name == "gphase" && l.major == 2 {
		l.errorf(s.Name.At, "gphase is OpenQASM 3 syntax; this file declares OPENQASM 2.0")
		return
	}
	e := l.lookupGate(s.Name, sc)
	if e == nil || e.bad {
		return
	}
	if e.opaque {
		l.errorf(s.Name.At, "gate %s is declared opaque (at %s): qpeft cannot apply it because its effect is not given; define it with gate %s … { … }", e.name, e.pos, e.name)
		return
	}
	if len(s.Args) != e.nparams {
		l.errorf(s.Name.At, "wrong number of parameters for %s: expected %d%s, got %d", e.name, e.nparams, describeParams(e), len(s.Args))
		return
	}
	args := make([]circuit.Expr, len(s.Args))
	argNodes := 0 // symbolic expression nodes each operation will carry (work for later stages)
	for i, a := range s.Args {
		v, ok := l.eval(a, sc)
		if !ok {
			return
		}
		if !v.isNumeric() {
			l.errorf(a.Pos(), "parameter %d of %s must be a number, got %s %s", i+1, e.name, v.kindName(), v)
			return
		}
		if v.sym == nil && (math.IsNaN(v.float()) || math.IsInf(v.float(), 0)) {
			l.errorf(a.Pos(), "parameter %d of %s is not a finite number: %s = %v", i+1, e.name, printer.ExprString(a), v.float())
			return
		}
		args[i] = v.expr()
		if v.sym != nil && v.size > 1 {
			argNodes += v.size
		}
	}
	mods := make([]modVal, len(s.Mods))
	nctrl := 0
	for i, m := range s.Mods {
		mv := modVal{kind: m.Kind, n: 1, pos: m.At}
		if m.Arg != nil {
			if m.Kind == ast.INV {
				l.errorf(m.Arg.Pos(), "inv takes no argument")
				return
			}
			if m.Kind == ast.POWMOD {
				v, ok := l.eval(m.Arg, sc)
				if !ok {
					return
				}
				if v.k != vInt && !(v.k == vFloat && v.sym == nil && v.f == math.Trunc(v.f) && math.Abs(v.f) < 1<<31) {
					l.notSupported(m.Arg.Pos(), "pow("+printer.ExprString(m.Arg)+") @ with a non-integer exponent", "qpeft supports integer powers; write sx for pow(0.5) @ x, s for pow(0.5) @ z, or scale a rotation angle")
					return
				}
				if v.k == vFloat {
					v = intVal(int64(v.f))
				}
				mv.n = v.i
			} else {
				n, ok := l.constInt(m.Arg, sc, "the number of controls")
				if !ok {
					return
				}
				if n < 1 {
					l.errorf(m.Arg.Pos(), "%s needs at least one control, got %d", m.Kind, n)
					return
				}
				if n > int64(l.lim.MaxQubits) {
					l.errorf(m.Arg.Pos(), "%s(%d): more controls than qubits", m.Kind, n)
					return
				}
				mv.n = n
			}
		}
		if m.Kind == ast.CTRL || m.Kind == ast.NEGCTRL {
			nctrl += int(mv.n)
		}
		mods[i] = mv
	}
	want := e.nqubits + nctrl
	if len(s.Qubits) != want {
		if nctrl > 0 {
			var mods strings.Builder
			for i, m := range s.Mods {
				mods.WriteString(m.Kind.String())
				if m.Arg != nil {
					fmt.Fprintf(&mods, "(%s)", printer.ExprString(m.Arg))
				}
				mods.WriteString(" @ ")
				_ = i
			}
			l.errorf(s.Name.At, "wrong number of qubit arguments for %s%s: expected %s (%s, then %d for %s), got %d",
				mods.String(), e.name, plural(want, "qubit", "qubits"), plural(nctrl, "control", "controls"), e.nqubits, e.name, len(s.Qubits))
			return
		}
		l.errorf(s.Name.At, "wrong number of qubit arguments for %s: expected %s, got %d", e.name, plural(want, "qubit", "qubits"), len(s.Qubits))
		return
	}
	ops := make([]qop, len(s.Qubits))
	length := -1
	var lenFrom ast.Expr
	for i, q := range s.Qubits {
		r, ok := l.operandOf(q, sc, symQubits, "%s is a classical register; gates act on qubits")
		if !ok {
			return
		}
		ops[i] = r
		if !r.single {
			if length >= 0 && len(r.idx) != length {
				l.errorf(q.Pos(), "registers of different sizes in one gate call: %s has %s but %s has %s", printer.ExprString(lenFrom), plural(length, "qubit", "qubits"), printer.ExprString(q), plural(len(r.idx), "qubit", "qubits"))
				return
			}
			length, lenFrom = len(r.idx), q
		}
	}
	if length < 0 {
		length = 1
	}
	if len(mods) == 0 {
		per := 1
		if e.native == nil {
			per = len(e.body)
		}
		if length > 1 && per > 0 && int64(len(*l.out))+int64(length)*int64(per) > int64(l.lim.MaxOps) {
			l.fatal(s.From, "%s on %d qubits each creates %d operations, which bring the total past %d (limit MaxOps); it was refused before expanding it", e.name, length, length*per, l.lim.MaxOps)
			return
		}
	}
	qs := make([]int, len(ops))
	for k := 0; k < length; k++ {
		for j, r := range ops {
			if r.single {
				qs[j] = r.idx[0]
			} else {
				qs[j] = r.idx[k]
			}
		}
		for a := 0; a < len(qs); a++ {
			for b := a + 1; b < len(qs); b++ {
				if qs[a] == qs[b] {
					l.errorf(s.Qubits[b].Pos(), "qubit %s is used twice in one %s", l.qubitName(qs[a], sc), e.name)
					return
				}
			}
		}
		if argNodes > 0 {
			l.countWork(argNodes, s.From)
		}
		if len(mods) == 0 && e.native != nil {
			// The common case, without the intermediate slice of expand.
			l.emit(circuit.Op{Kind: circuit.GateOp, Gate: e.native, Qubits: append([]int(nil), qs...), Args: args}, s.From)
			continue
		}
		errs := len(l.errs)
		out := l.expand(mods, e, args, append([]int(nil), qs...), s.Name.At)
		if len(l.errs) > errs {
			return
		}
		for _, op := range out {
			l.emit(op, s.From)
		}
	}
}

// expand applies the modifiers (outermost first) to the gate and returns its operations.
func (l *lowerer) expand(mods []modVal, e *gateEntry, args []circuit.Expr, qs []int, pos ast.Pos) []circuit.Op {
	if len(mods) == 0 {
		return l.instantiate(e, args, qs, pos)
	}
	m := mods[0]
	switch m.kind {
	case ast.CTRL, ast.NEGCTRL:
		n := int(m.n)
		ctrls := qs[:n]
		inner := l.expand(mods[1:], e, args, qs[n:], pos)
		out := make([]circuit.Op, 0, len(inner)+2*n)
		x := gates.MustGet("x")
		if m.kind == ast.NEGCTRL {
			for _, c := range ctrls {
				out = append(out, circuit.Op{Kind: circuit.GateOp, Gate: x, Qubits: []int{c}})
			}
		}
		for _, op := range inner {
			op.Qubits = append(append([]int(nil), ctrls...), op.Qubits...)
			if op.Kind == circuit.GateOp {
				op.Ctrl += int32(n)
			}
			out = append(out, op)
		}
		if m.kind == ast.NEGCTRL {
			for _, c := range ctrls {
				out = append(out, circuit.Op{Kind: circuit.GateOp, Gate: x, Qubits: []int{c}})
			}
		}
		l.countWork(len(out), pos)
		return out
	case ast.INV:
		inner := l.expand(mods[1:], e, args, qs, pos)
		return l.invert(inner, pos)
	case ast.POWMOD:
		k := m.n
		if k > int64(l.lim.MaxOps) || k < -int64(l.lim.MaxOps) {
			l.fatal(m.pos, "pow(%d) @ %s expands to more than %d operations (limit MaxOps)", m.n, e.name, l.lim.MaxOps)
			return nil
		}
		inner := l.expand(mods[1:], e, args, qs, pos)
		if k < 0 {
			inner = l.invert(inner, pos)
			k = -k
		}
		if k > 0 && len(inner) > 0 && k > int64(l.lim.MaxOps/len(inner)) {
			l.fatal(m.pos, "pow(%d) @ %s expands to more than %d operations (limit MaxOps)", m.n, e.name, l.lim.MaxOps)
			return nil
		}
		out := make([]circuit.Op, 0, int(k)*len(inner))
		for i := int64(0); i < k; i++ {
			out = append(out, inner...)
		}
		l.countWork(len(out), pos)
		return out
	}
	return nil
}

func (l *lowerer) invert(ops []circuit.Op, pos ast.Pos) []circuit.Op {
	maxq := 0
	for _, op := range ops {
		for _, q := range op.Qubits {
			maxq = max(maxq, q+1)
		}
	}
	c := &circuit.Circuit{NumQubits: maxq, Ops: ops}
	inv, err := c.Inverse()
	if err != nil {
		l.errorf(pos, "inv @: %v", err)
		return nil
	}
	l.countWork(len(inv.Ops), pos)
	return inv.Ops
}

func (l *lowerer) instantiate(e *gateEntry, args []circuit.Expr, qs []int, pos ast.Pos) []circuit.Op {
	if e.native != nil {
		// Not counted as work here: emit counts each operation it adds.
		return []circuit.Op{{Kind: circuit.GateOp, Gate: e.native, Qubits: qs, Args: args}}
	}
	if len(*l.out)+len(e.body) > l.lim.MaxOps {
		if l.out == &l.ops {
			l.fatal(pos, "the circuit has more than %d operations after unrolling loops and inlining gates (limit MaxOps): gate %s alone has %d", l.lim.MaxOps, e.name, len(e.body))
		} else {
			l.fatal(pos, "a gate body expands to more than %d operations (limit MaxOps): gate %s alone has %d", l.lim.MaxOps, e.name, len(e.body))
		}
		return nil
	}
	l.countWork(len(e.body), pos)
	argSizes := make([]int, len(args))
	for i, a := range args {
		argSizes[i] = exprSize(a)
	}
	out := make([]circuit.Op, len(e.body))
	for i, op := range e.body {
		nq := make([]int, len(op.Qubits))
		for j, q := range op.Qubits {
			nq[j] = qs[q]
		}
		op.Qubits = nq
		if len(op.Args) > 0 {
			na := make([]circuit.Expr, len(op.Args))
			for j, a := range op.Args {
				v, size, visited := subst(a, args, argSizes)
				if size > 1 || visited > 1 {
					l.countWork(size+visited, pos) // nodes allocated and visited
				}
				if size > l.lim.MaxExprNodes {
					l.fatal(pos, "expression too large: more than %d operations on input parameters (limit MaxExprNodes)", l.lim.MaxExprNodes)
					return nil
				}
				if c, ok := v.(circuit.Const); ok && (math.IsNaN(c.V) || math.IsInf(c.V, 0)) {
					l.errorf(pos, "%s: parameter %d of %s inside it evaluates to %v, not a finite number", e.name, j+1, op.Gate.Name, c.V)
					return nil
				}
				na[j] = v
			}
			op.Args = na
		}
		out[i] = op
	}
	return out
}

// subst replaces the gate-parameter symbols %i by args[i] (of node counts sizes[i]),
// folding constant subexpressions, and returns the result, its node count, and the number
// of nodes of e visited.
func subst(e circuit.Expr, args []circuit.Expr, sizes []int) (circuit.Expr, int, int) {
	switch e := e.(type) {
	case circuit.Const:
		return e, 1, 1
	case circuit.Sym:
		if strings.HasPrefix(e.Name, "%") {
			i, err := strconv.Atoi(e.Name[1:])
			if err == nil && i < len(args) {
				return args[i], sizes[i], 1
			}
		}
		return e, 1, 1
	case circuit.Neg:
		x, n, v := subst(e.X, args, sizes)
		if c, ok := x.(circuit.Const); ok {
			return circuit.Const{V: -c.V}, 1, v + 1
		}
		return circuit.Neg{X: x}, n + 1, v + 1
	case circuit.Binary:
		x, n, v := subst(e.X, args, sizes)
		y, m, w := subst(e.Y, args, sizes)
		b := circuit.Binary{Op: e.Op, X: x, Y: y}
		_, cx := x.(circuit.Const)
		_, cy := y.(circuit.Const)
		if cx && cy {
			r, _ := circuit.Eval(b, nil)
			return circuit.Const{V: r}, 1, v + w + 1
		}
		return b, n + m + 1, v + w + 1
	case circuit.Call:
		a, n, v := subst(e.Arg, args, sizes)
		c := circuit.Call{Fn: e.Fn, Arg: a}
		if _, ok := a.(circuit.Const); ok {
			r, _ := circuit.Eval(c, nil)
			return circuit.Const{V: r}, 1, v + 1
		}
		return c, n + 1, v + 1
	}
	return e, 1, 1
}

func exprSize(e circuit.Expr) int {
	switch e := e.(type) {
	case circuit.Neg:
		return 1 + exprSize(e.X)
	case circuit.Binary:
		return 1 + exprSize(e.X) + exprSize(e.Y)
	case circuit.Call:
		return 1 + exprSize(e.Arg)
	}
	return 1
}

// ---- measure, reset, barrier ----

func (l *lowerer) noQuantumInGate(pos ast.Pos, sc *scope, what string) bool {
	if g := sc.inGate(); g != "" {
		l.errorf(pos, "%s is not allowed inside gate %s (gates are unitary; a gate body holds only gate calls and gphase)", what, g)
		return false
	}
	return true
}

func (l *lowerer) measure(m *ast.MeasureExpr, target ast.Expr, sc *scope) {
	if !l.noQuantumInGate(m.At, sc, "measure") {
		return
	}
	q, ok := l.operandOf(m.Qubits, sc, symQubits, "measure needs qubits, but %s is a classical register")
	if !ok {
		return
	}
	c, ok := l.operandOf(target, sc, symBits, "the result of measure goes into classical bits, but %s is a qubit register")
	if !ok {
		return
	}
	if len(q.idx) != len(c.idx) || q.single != c.single && len(q.idx) != 1 {
		l.errorf(m.At, "measure: %s has %s but %s has %s", printer.ExprString(m.Qubits), plural(len(q.idx), "qubit", "qubits"), printer.ExprString(target), plural(len(c.idx), "bit", "bits"))
		return
	}
	for i := range q.idx {
		l.emit(circuit.NewMeasure([]int{q.idx[i]}, []int{c.idx[i]}), m.At)
	}
}

func (l *lowerer) reset(s *ast.ResetStmt, sc *scope) {
	if !l.noQuantumInGate(s.From, sc, "reset") {
		return
	}
	q, ok := l.operandOf(s.Qubits, sc, symQubits, "reset needs qubits, but %s is a classical register")
	if !ok {
		return
	}
	for _, x := range q.idx {
		l.emit(circuit.Op{Kind: circuit.Reset, Qubits: []int{x}}, s.From)
	}
}

func (l *lowerer) barrier(s *ast.BarrierStmt, sc *scope) {
	var qs []int
	if len(s.Qubits) == 0 {
		if sc.inGate() != "" {
			for x := sc; x != nil; x = x.parent {
				if x.kind == scopeGate {
					for _, sym := range x.syms {
						if sym.kind == symQubits {
							qs = append(qs, sym.idx...)
						}
					}
					break
				}
			}
			sortInts(qs)
		} else if l.physical {
			qs = seq(0, l.maxPhys+1)
		} else {
			qs = seq(0, l.nqubits)
		}
	}
	for _, e := range s.Qubits {
		q, ok := l.operandOf(e, sc, symQubits, "barrier needs qubits, but %s is a classical register")
		if !ok {
			return
		}
		qs = append(qs, q.idx...)
	}
	if len(qs) == 0 {
		return
	}
	l.emit(circuit.Op{Kind: circuit.Barrier, Qubits: qs}, s.From)
}

// operandOf lowers the operand e, which must be of kind (qubits or bits); otherwise it reports
// format, filled in with e as written, and returns false.
func (l *lowerer) operandOf(e ast.Expr, sc *scope, kind symKind, format string) (qop, bool) {
	r, ok := l.operand(e, sc, kind == symBits)
	if !ok {
		return r, false
	}
	if r.kind != kind {
		l.errorf(e.Pos(), format, printer.ExprString(e))
		return r, false
	}
	return r, true
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// ---- assignments and expression statements ----

func (l *lowerer) assign(s *ast.AssignStmt, sc *scope) {
	if m, ok := s.Value.(*ast.MeasureExpr); ok {
		l.measure(m, s.Target, sc)
		return
	}
	id, ok := s.Target.(*ast.Ident)
	if !ok {
		if ix, ok := s.Target.(*ast.IndexExpr); ok {
			root := ast.Expr(ix)
			for {
				if in, ok := root.(*ast.IndexExpr); ok {
					root = in.X
					continue
				}
				break
			}
			if base, ok := root.(*ast.Ident); ok {
				sym, _ := sc.lookup(base.Name)
				if sym != nil && sym.kind == symBits {
					l.notSupported(s.From, "assigning values to classical bits", "bits are written only by measure")
					return
				}
				if sym != nil && sym.kind == symVar && sym.val.k == vArray {
					l.assignArray(s, sc)
					return
				}
			}
			l.notSupported(s.From, "assigning to an element ("+printer.ExprString(s.Target)+")", "qpeft's classical variables are scalars")
			return
		}
		l.errorf(s.Target.Pos(), "cannot assign to %s", printer.ExprString(s.Target))
		return
	}
	sym, hidden := sc.lookup(id.Name)
	if sym == nil {
		if hidden != nil {
			l.errorf(id.At, "%s is declared outside this gate or subroutine and cannot be changed here", id.Name)
		} else {
			l.errorf(id.At, "undefined: %s (declare it first, e.g. int %s = 0;)", id.Name, id.Name)
		}
		return
	}
	switch {
	case sym.kind == symBits:
		l.notSupported(s.From, "assigning values to classical bits", "bits are written only by measure: "+id.Name+" = measure q;")
		return
	case sym.kind != symVar:
		l.errorf(id.At, "cannot assign to %s: it is %s", id.Name, sym.describe())
		return
	case sym.builtin:
		l.errorf(id.At, "cannot assign to the built-in constant %s", id.Name)
		return
	case sym.input:
		l.errorf(id.At, "cannot assign to input %s; its value is given when the circuit runs", id.Name)
		return
	case sym.isConst:
		l.errorf(id.At, "cannot assign to const %s", id.Name)
		return
	}
	if sym.val.k == vArray {
		l.assignArray(s, sc)
		return
	}
	v, ok := l.eval(s.Value, sc)
	if !ok {
		return
	}
	if s.Op != ast.ASSIGN {
		var err *evalError
		v, err = arith(s.Op.BinaryOf(), sym.val, v, s.From, l.major, l.lim.MaxExprNodes)
		if err != nil {
			l.report(err)
			return
		}
	}
	cv, err := convert(v, sym.typ, s.Value.Pos(), "assigning to "+id.Name)
	if err != nil {
		l.report(err)
		return
	}
	if l.cond != nil {
		l.notSupported(s.From, "assigning classical variables inside an if on measured bits", "their values would be known only at run time")
		return
	}
	sym.val = cv
}

func (l *lowerer) exprStmt(s *ast.ExprStmt, sc *scope) ctl {
	if call, ok := s.X.(*ast.CallExpr); ok {
		if sym, _ := sc.lookup(call.Fn.Name); sym != nil && sym.kind == symSub {
			return l.callSub(call, sym, sc)
		}
		if _, isGate := l.gates[call.Fn.Name]; isGate {
			l.errorf(call.Fn.At, "%s is a gate: write %s(parameters) qubits; (qubits follow the name, outside the parentheses)", call.Fn.Name, call.Fn.Name)
			return ctlNone
		}
	}
	l.eval(s.X, sc)
	return ctlNone
}

func (l *lowerer) callSub(call *ast.CallExpr, sym *symbol, sc *scope) ctl {
	d := sym.def
	if g := sc.inGate(); g != "" {
		l.errorf(call.Fn.At, "subroutine calls are not allowed inside gate %s", g)
		return ctlNone
	}
	if len(call.Args) != len(d.Params) {
		l.errorf(call.Fn.At, "wrong number of arguments for %s: expected %d, got %d", d.Name.Name, len(d.Params), len(call.Args))
		return ctlNone
	}
	l.depth++
	defer func() { l.depth-- }()
	if l.depth > l.lim.MaxNesting {
		l.fatal(call.Fn.At, "subroutine calls nested more than %d deep (limit MaxNesting); is %s recursive?", l.lim.MaxNesting, d.Name.Name)
		return ctlStop
	}
	ssc := newScope(l.global, scopeSub)
	for i, p := range d.Params {
		a := call.Args[i]
		if p.Qubit {
			r, ok := l.operand(a, sc, false)
			if !ok {
				return ctlNone
			}
			if r.kind != symQubits {
				l.errorf(a.Pos(), "argument %s of %s must be qubits", p.Name.Name, d.Name.Name)
				return ctlNone
			}
			if p.Size == nil {
				if len(r.idx) != 1 {
					l.errorf(a.Pos(), "argument %s of %s is one qubit, but %s has %s", p.Name.Name, d.Name.Name, printer.ExprString(a), plural(len(r.idx), "qubit", "qubits"))
					return ctlNone
				}
				ssc.syms[p.Name.Name] = &symbol{kind: symQubits, name: p.Name.Name, pos: p.Name.At, idx: r.idx, single: true}
			} else {
				n, ok := l.constInt(p.Size, ssc, "a register size")
				if !ok {
					return ctlNone
				}
				// A single qubit fits qubit[1] (a register of one), as a qubit[1] register
				// fits a qubit parameter.
				if int64(len(r.idx)) != n {
					l.errorf(a.Pos(), "argument %s of %s is qubit[%d], but %s has %s", p.Name.Name, d.Name.Name, n, printer.ExprString(a), plural(len(r.idx), "qubit", "qubits"))
					return ctlNone
				}
				ssc.syms[p.Name.Name] = &symbol{kind: symQubits, name: p.Name.Name, pos: p.Name.At, idx: r.idx}
			}
			continue
		}
		if p.Type.Kind == ast.ARRAY {
			if !l.arrayArg(p, a, d, ssc, sc) {
				return ctlNone
			}
			continue
		}
		t, ok := l.scalarType(p.Type, ssc, "parameter "+p.Name.Name)
		if !ok {
			return ctlNone
		}
		v, ok := l.eval(a, sc)
		if !ok {
			return ctlNone
		}
		cv, err := convert(v, t, a.Pos(), "argument "+p.Name.Name+" of "+d.Name.Name)
		if err != nil {
			l.report(err)
			return ctlNone
		}
		ssc.syms[p.Name.Name] = &symbol{kind: symVar, name: p.Name.Name, pos: p.Name.At, typ: t, val: cv}
	}
	saveLoop := l.inLoop
	l.inLoop = 0
	c := l.stmts(d.Body.Stmts, ssc)
	l.inLoop = saveLoop
	if c == ctlEnd || c == ctlStop {
		return c
	}
	return ctlNone
}

// ---- control flow ----

func (l *lowerer) body(s ast.Stmt, sc *scope) ctl {
	if s == nil {
		return ctlNone
	}
	return l.stmt(s, newScope(sc, scopeBlock))
}

func (l *lowerer) ifStmt(s *ast.IfStmt, sc *scope) ctl {
	static, isStatic, rc, ok := l.condition(s.Cond, sc)
	if !ok {
		return ctlNone
	}
	if isStatic {
		if static {
			return l.body(s.Then, sc)
		}
		return l.body(s.Else, sc)
	}
	if g := sc.inGate(); g != "" {
		l.errorf(s.Cond.Pos(), "gate %s cannot test measured bits (gates are unitary)", g)
		return ctlNone
	}
	run := func(body ast.Stmt, cond *runCond) {
		merged, possible := l.cond.and(cond)
		if !possible || body == nil {
			return
		}
		saveCond, saveW := l.cond, l.condWritten
		l.cond, l.condWritten = merged, map[int]bool{}
		l.body(body, sc)
		l.cond, l.condWritten = saveCond, saveW
	}
	run(s.Then, rc)
	if s.Else != nil {
		if len(rc.bits) != 1 {
			l.notSupported(s.Else.Pos(), "else after a condition on several bits", "the circuit's conditions test bits for equality; write a separate if for each case")
			return ctlNone
		}
		run(s.Else, &runCond{bits: rc.bits, vals: []bool{!rc.vals[0]}})
	}
	return ctlNone
}

// bitsRef reports whether e names classical bits (without reporting errors).
func (l *lowerer) bitsRef(e ast.Expr, sc *scope) bool {
	switch e := e.(type) {
	case *ast.Ident:
		sym, _ := sc.lookup(e.Name)
		return sym != nil && sym.kind == symBits
	case *ast.IndexExpr:
		return l.bitsRef(e.X, sc)
	case *ast.ParenExpr:
		return l.bitsRef(e.X, sc)
	}
	return false
}

// condition evaluates an if condition: either a compile-time bool or a run-time test of
// measured bits.
func (l *lowerer) condition(e ast.Expr, sc *scope) (static, isStatic bool, rc *runCond, ok bool) {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return l.condition(x.X, sc)
	case *ast.UnaryExpr:
		if x.Op == ast.NOT {
			s, is, r, ok := l.condition(x.X, sc)
			if !ok {
				return false, false, nil, false
			}
			if is {
				return !s, true, nil, true
			}
			if len(r.bits) != 1 {
				l.notSupported(x.At, "negating a condition on several bits", "test each bit: if (c[0] == 0) …")
				return false, false, nil, false
			}
			return false, false, &runCond{bits: r.bits, vals: []bool{!r.vals[0]}}, true
		}
	case *ast.BinaryExpr:
		switch x.Op {
		case ast.LAND, ast.LOR:
			s1, is1, r1, ok1 := l.condition(x.X, sc)
			if !ok1 {
				return false, false, nil, false
			}
			s2, is2, r2, ok2 := l.condition(x.Y, sc)
			if !ok2 {
				return false, false, nil, false
			}
			if x.Op == ast.LAND {
				switch {
				case is1 && is2:
					return s1 && s2, true, nil, true
				case is1:
					if !s1 {
						return false, true, nil, true
					}
					return false, false, r2, true
				case is2:
					if !s2 {
						return false, true, nil, true
					}
					return false, false, r1, true
				}
				m, possible := r1.and(r2)
				if !possible {
					return false, true, nil, true
				}
				return false, false, m, true
			}
			switch {
			case is1 && is2:
				return s1 || s2, true, nil, true
			case is1:
				if s1 {
					return true, true, nil, true
				}
				return false, false, r2, true
			case is2:
				if s2 {
					return true, true, nil, true
				}
				return false, false, r1, true
			}
			l.notSupported(x.OpPos, "|| between tests of measured bits", "a circuit condition is a conjunction; use two if statements")
			return false, false, nil, false
		case ast.EQL, ast.NEQ:
			bitsSide, other := ast.Expr(nil), ast.Expr(nil)
			if l.bitsRef(x.X, sc) {
				bitsSide, other = x.X, x.Y
			} else if l.bitsRef(x.Y, sc) {
				bitsSide, other = x.Y, x.X
			}
			if bitsSide != nil {
				return l.bitTest(bitsSide, other, x.Op == ast.NEQ, x.OpPos, sc)
			}
		}
	case *ast.Ident, *ast.IndexExpr:
		if l.bitsRef(e, sc) {
			r, ok := l.operand(e, sc, true)
			if !ok {
				return false, false, nil, false
			}
			if len(r.idx) != 1 {
				l.notSupported(e.Pos(), "testing a whole register for non-zero", "compare it with a value: if ("+printer.ExprString(e)+" == 1) …")
				return false, false, nil, false
			}
			return false, false, &runCond{bits: r.idx, vals: []bool{true}}, true
		}
	}
	v, ok := l.eval(e, sc)
	if !ok {
		return false, false, nil, false
	}
	b, err := truth(v, e.Pos())
	if err != nil {
		l.report(err)
		return false, false, nil, false
	}
	return b, true, nil, true
}

func (l *lowerer) bitTest(bitsSide, other ast.Expr, neq bool, pos ast.Pos, sc *scope) (bool, bool, *runCond, bool) {
	if l.bitsRef(other, sc) {
		l.notSupported(pos, "comparing two sets of measured bits", "compare bits with constants")
		return false, false, nil, false
	}
	r, ok := l.operand(bitsSide, sc, true)
	if !ok {
		return false, false, nil, false
	}
	n, ok := l.condValue(other, len(r.idx), sc)
	if !ok {
		return false, false, nil, false
	}
	if n.BitLen() > len(r.idx) {
		l.errorf(other.Pos(), "%s has %s, so it can never equal %s", printer.ExprString(bitsSide), plural(len(r.idx), "bit", "bits"), n)
		return false, false, nil, false
	}
	rc := &runCond{bits: append([]int(nil), r.idx...), vals: make([]bool, len(r.idx))}
	for i := range rc.vals {
		rc.vals[i] = n.Bit(i) == 1
	}
	if hasDup(rc.bits) {
		l.errorf(bitsSide.Pos(), "%s names a bit twice", printer.ExprString(bitsSide))
		return false, false, nil, false
	}
	if neq {
		if len(rc.bits) != 1 {
			l.notSupported(pos, "!= on a register of several bits", "test single bits, or use == with each value")
			return false, false, nil, false
		}
		rc.vals[0] = !rc.vals[0]
	}
	return false, false, rc, true
}

// condValue evaluates the value measured bits are compared with: a non-negative integer of
// any size (a register may be wider than 64 bits, as in QASMBench's cc_n301) or a bool.
func (l *lowerer) condValue(e ast.Expr, width int, sc *scope) (*big.Int, bool) {
	x := e
	for {
		p, ok := x.(*ast.ParenExpr)
		if !ok {
			break
		}
		x = p.X
	}
	if lit, ok := x.(*ast.IntLit); ok {
		if len(lit.Lit) > 2*width+64 { // bounds the work of reading it
			l.errorf(lit.At, "an integer literal of %d characters can never equal a register of %s", len(lit.Lit), plural(width, "bit", "bits"))
			return nil, false
		}
		n, err := parseBigIntLit(lit.Lit)
		if err != nil {
			l.errorf(lit.At, "%v", err)
			return nil, false
		}
		return n, true
	}
	v, ok := l.eval(e, sc)
	if !ok {
		return nil, false
	}
	switch {
	case v.k == vBool:
		if v.b {
			return big.NewInt(1), true
		}
		return new(big.Int), true
	case v.k == vInt && v.i >= 0:
		return big.NewInt(v.i), true
	case v.k == vFloat && v.sym == nil && v.f >= 0 && v.f == math.Trunc(v.f) && v.f < 1<<63:
		return big.NewInt(int64(v.f)), true
	}
	l.errorf(e.Pos(), "measured bits can be compared only with a non-negative integer or a bool, not %s %s", v.kindName(), v)
	return nil, false
}

// iterate counts n loop iterations and reports whether lowering goes on.
func (l *lowerer) iterate(pos ast.Pos, n int64) bool {
	if n < 0 || int64(l.iters)+n > int64(l.lim.MaxLoopIterations) {
		l.fatal(pos, "loops run more than %d iterations in total (limit MaxLoopIterations)", l.lim.MaxLoopIterations)
		return false
	}
	l.iters += int(n)
	return !l.halted
}

func (l *lowerer) forStmt(s *ast.ForStmt, sc *scope) ctl {
	var typ *ctype
	if s.Type != nil {
		t, ok := l.scalarType(s.Type, sc, "loop variable "+s.Var.Name)
		if !ok {
			return ctlNone
		}
		typ = &t
	}
	var vals []value
	var rng struct{ start, step, count int64 }
	isRange := false
	switch v := s.Values.(type) {
	case *ast.RangeExpr:
		if v.Start == nil || v.Stop == nil {
			l.errorf(v.At, "a for range needs a start and a stop: [start:stop] or [start:step:stop]")
			return ctlNone
		}
		start, ok1 := l.constInt(v.Start, sc, "a loop range start")
		if !ok1 {
			return ctlNone
		}
		stop, ok2 := l.constInt(v.Stop, sc, "a loop range stop")
		if !ok2 {
			return ctlNone
		}
		step := int64(1)
		if v.Step != nil {
			var ok bool
			if step, ok = l.constInt(v.Step, sc, "a loop range step"); !ok {
				return ctlNone
			}
			if step == 0 {
				l.errorf(v.Step.Pos(), "a loop range step cannot be 0")
				return ctlNone
			}
		}
		count := rangeCount(start, step, stop)
		if count > uint64(l.lim.MaxLoopIterations) {
			l.fatal(v.At, "this loop runs %d times, more than %d iterations (limit MaxLoopIterations)", count, l.lim.MaxLoopIterations)
			return ctlStop
		}
		rng.start, rng.step, rng.count = start, step, int64(count)
		isRange = true
	case *ast.SetExpr:
		for _, el := range v.Elems {
			x, ok := l.eval(el, sc)
			if !ok {
				return ctlNone
			}
			vals = append(vals, x)
		}
	default:
		if id, ok := s.Values.(*ast.Ident); ok {
			if sym, _ := sc.lookup(id.Name); sym != nil && sym.kind == symInputArray {
				for _, name := range sym.elems {
					vals = append(vals, symVal(circuit.Sym{Name: name}, 1))
				}
				break
			}
		}
		if l.bitsRef(s.Values, sc) {
			l.notSupported(s.Values.Pos(), "looping over measured bits", "their values are known only at run time")
			return ctlNone
		}
		if l.arrayRef(s.Values, sc) {
			v, ok := l.eval(s.Values, sc)
			if !ok {
				return ctlNone
			}
			elems, ok := arrayElems(v)
			if !ok {
				l.notSupported(s.Values.Pos(), "a loop over an array of several dimensions", "loop over one row: for int x in a[i]")
				return ctlNone
			}
			if !l.stepN(len(elems), s.Values.Pos()) {
				return ctlStop
			}
			vals = elems
			break
		}
		l.errorf(s.Values.Pos(), "for needs a range [start:stop], a set {a, b, …} or an input array, not %s", printer.ExprString(s.Values))
		return ctlNone
	}
	n := int64(len(vals))
	if isRange {
		n = rng.count
	}
	l.refuseLoop(s, sc, n)
	l.inLoop++
	defer func() { l.inLoop-- }()
	for i := int64(0); i < n; i++ {
		if !l.iterate(s.From, 1) {
			return ctlStop
		}
		var v value
		if isRange {
			v = intVal(rng.start + i*rng.step)
		} else {
			v = vals[i]
		}
		if typ != nil {
			cv, err := convert(v, *typ, s.Var.At, "loop variable "+s.Var.Name)
			if err != nil {
				l.report(err)
				return ctlNone
			}
			v = cv
		}
		t := ctype{kind: ast.INT_TYPE}
		if typ != nil {
			t = *typ
		} else if v.k == vFloat {
			t = ctype{kind: ast.FLOAT_TYPE}
		} else if v.k == vBool {
			t = ctype{kind: ast.BOOL_TYPE}
		}
		lsc := newScope(sc, scopeBlock)
		lsc.syms[s.Var.Name] = &symbol{kind: symVar, name: s.Var.Name, pos: s.Var.At, typ: t, val: v}
		errs := len(l.errs)
		if stop, c := l.afterIteration(l.stmt(s.Body, lsc), errs); stop {
			return c
		}
	}
	return ctlNone
}

// afterIteration reads what one iteration of a loop's body returned, c, with errs the number of
// errors before it ran: whether the loop stops (an error, break, return, end or a stop) and, if so,
// what the loop statement returns.
func (l *lowerer) afterIteration(c ctl, errs int) (stop bool, ret ctl) {
	switch {
	case len(l.errs) > errs, c == ctlBreak:
		return true, ctlNone
	case c == ctlReturn, c == ctlEnd, c == ctlStop:
		return true, c
	}
	return false, ctlNone
}

// rangeCount is the number of values of the inclusive range start:step:stop, computed
// without overflow (0 when the range is empty).
func rangeCount(start, step, stop int64) uint64 {
	switch {
	case step > 0 && stop >= start:
		return (uint64(stop)-uint64(start))/uint64(step) + 1
	case step < 0 && stop <= start:
		return (uint64(start)-uint64(stop))/(uint64(-(step+1))+1) + 1
	}
	return 0
}

func (l *lowerer) whileStmt(s *ast.WhileStmt, sc *scope) ctl {
	l.inLoop++
	defer func() { l.inLoop-- }()
	for {
		static, isStatic, _, ok := l.condition(s.Cond, sc)
		if !ok {
			return ctlNone
		}
		if !isStatic {
			l.notSupported(s.Cond.Pos(), "while on measured bits", "loops are unrolled when the program is read; the condition must be known then")
			return ctlNone
		}
		if !static {
			return ctlNone
		}
		if l.iters+1 > l.lim.MaxLoopIterations {
			l.fatal(s.From, "loops run more than %d iterations in total (limit MaxLoopIterations); does this while condition ever become false?", l.lim.MaxLoopIterations)
			return ctlStop
		}
		l.iters++
		errs := len(l.errs)
		if stop, c := l.afterIteration(l.body(s.Body, sc), errs); stop {
			return c
		}
	}
}
