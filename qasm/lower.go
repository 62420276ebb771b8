package qasm

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/qasm/ast"
	"github.com/qpeft/qpeft/qasm/parser"
	"github.com/qpeft/qpeft/qasm/printer"
)

// ---- symbols and scopes ----

type symKind uint8

const (
	symQubits symKind = iota + 1
	symBits
	symVar
	symInputArray
	symSub
)

type symbol struct {
	kind   symKind
	name   string
	pos    ast.Pos
	idx    []int // qubits or bits
	single bool  // declared as one qubit/bit, not a register
	// variables
	val     value
	typ     ctype
	isConst bool
	input   bool
	builtin bool // pi, tau, euler
	// input arrays
	elems []string
	// subroutines
	def *ast.DefStmt
}

func (s *symbol) describe() string {
	switch s.kind {
	case symQubits:
		if s.single {
			return "a qubit"
		}
		return "a qubit register"
	case symBits:
		if s.single {
			return "a classical bit"
		}
		return "a classical register"
	case symVar:
		switch {
		case s.builtin:
			return "a built-in constant"
		case s.input:
			return "an input"
		case s.isConst:
			return "a constant"
		}
		return "a classical variable"
	case symInputArray:
		return "an input array"
	case symSub:
		return "a subroutine"
	}
	return "a name"
}

type scopeKind uint8

const (
	scopeGlobal scopeKind = iota
	scopeBlock
	scopeGate
	scopeSub
)

type scope struct {
	parent *scope
	kind   scopeKind
	syms   map[string]*symbol
	gate   string // the gate being defined (scopeGate)
}

func newScope(parent *scope, kind scopeKind) *scope {
	return &scope{parent: parent, kind: kind, syms: map[string]*symbol{}}
}

// lookup finds name. Across a gate or subroutine boundary only constants and subroutines
// are visible; hidden reports a symbol found but not visible.
func (s *scope) lookup(name string) (sym *symbol, hidden *symbol) {
	restricted := false
	for sc := s; sc != nil; sc = sc.parent {
		if sym, ok := sc.syms[name]; ok {
			if restricted && !(sym.kind == symVar && sym.isConst) && sym.kind != symSub {
				return nil, sym
			}
			return sym, nil
		}
		if sc.kind == scopeGate || sc.kind == scopeSub {
			restricted = true
		}
	}
	return nil, nil
}

func (s *scope) inGate() string {
	for sc := s; sc != nil; sc = sc.parent {
		if sc.kind == scopeGate {
			return sc.gate
		}
	}
	return ""
}

// ---- gates ----

type gateEntry struct {
	name       string
	pos        ast.Pos
	native     *gates.Gate
	nparams    int
	nqubits    int
	paramNames []string
	body       []circuit.Op // inlined body: parameters are symbols "%0", "%1", …; qubits 0…n-1
	opaque     bool
	bad        bool   // its definition had errors; calls are not reported again
	lib        string // "qelib1.inc", "stdgates.inc", "" for user gates and U/CX/gphase
}

func paramSym(i int) string { return "%" + strconv.Itoa(i) }

// ---- the lowerer ----

type ctl uint8

const (
	ctlNone ctl = iota
	ctlBreak
	ctlContinue
	ctlReturn
	ctlEnd
	ctlStop // lowering has halted (a limit was hit, or too many errors): unwind
)

type lowerer struct {
	cfg *Config
	// lastPos is the position of the last operation emitted: its file name is shared.
	lastPos circuit.Pos
	lim     Limits
	major   int
	errs    ErrorList

	global *scope
	gates  map[string]*gateEntry
	libs   map[string]bool

	nqubits  int
	physical bool
	maxPhys  int
	qregs    []circuit.Register
	nclbits  int
	cregs    []circuit.Register
	params   []string
	inputs   []Input
	pragmas  []Pragma
	version  string
	ops      []circuit.Op
	out      *[]circuit.Op // where emitted operations go (ops, or a gate body)
	work     int           // operations (and symbolic expression nodes) created in total
	steps    int           // statements executed and expression nodes evaluated
	iters    int           // loop iterations in total
	depth    int           // subroutine and gate-instantiation nesting
	srcBytes int64

	includes []string // include stack (cleaned paths)
	mainFile string   // the name of the program being read (positions use it)

	incSites  []ast.Pos      // positions of the include statements being read (outermost first)
	errKeys   []errKey       // the causal key of each error in errs (errorder.go)
	fileOrder map[string]int // files in the order they were first read
	stopped   bool           // the last error is the "too many errors" note
	done      bool           // lowering has stopped (halted, or the program's end statement)
	halted    bool           // a limit was hit or there were too many errors: see fatal

	cond         *runCond     // run-time condition of the enclosing if, if any
	condWritten  map[int]bool // condition bits measured inside the current if
	inLoop       int          // loops enclosing the statement (within the current function)
	resolvingLib bool         // lowering a built-in library definition: only natives visible
}

func newLowerer(cfg *Config, lim Limits, major int) *lowerer {
	l := &lowerer{cfg: cfg, lim: lim, major: major, gates: map[string]*gateEntry{}, libs: map[string]bool{}}
	l.global = newScope(nil, scopeGlobal)
	for _, c := range []struct {
		names []string
		v     float64
	}{{[]string{"pi", "π"}, math.Pi}, {[]string{"tau", "τ"}, 2 * math.Pi}, {[]string{"euler", "ℇ"}, math.E}} {
		for _, n := range c.names {
			l.global.syms[n] = &symbol{kind: symVar, name: n, val: floatVal(c.v), typ: ctype{kind: ast.FLOAT_TYPE, width: 64}, isConst: true, builtin: true}
		}
	}
	l.out = &l.ops
	// Built-in gates of the language itself.
	l.addNative("U", "U", "")
	l.addNative("gphase", "gphase", "")
	if major == 2 {
		l.addNative("CX", "cx", "")
	} else {
		// stdgates.inc is available without an include, as Amazon Braket and other
		// OpenQASM 3 services do; include "stdgates.inc" is accepted and changes nothing.
		l.loadLib("stdgates.inc")
	}
	return l
}

func (l *lowerer) addNative(name, gate, lib string) {
	l.gates[name] = &gateEntry{name: name, native: gates.MustGet(gate), nparams: gates.MustGet(gate).Params,
		nqubits: gates.MustGet(gate).Qubits, lib: lib, paramNames: gates.MustGet(gate).ParamNames}
}

func (l *lowerer) errorf(pos ast.Pos, format string, args ...any) {
	if l.halted {
		return
	}
	l.addErr(pos, fmt.Sprintf(format, args...))
	if len(l.errs) >= l.lim.MaxErrors {
		l.addErr(pos, fmt.Sprintf("too many errors (%d); stopping", len(l.errs)))
		l.stopped = true
		l.halted = true
	}
}

func (l *lowerer) report(err *evalError) {
	if err != nil && err.msg != "" { // an empty message: already reported
		l.errorf(err.pos, "%s", err.msg)
	}
}

// fatal reports an error that ends lowering (a limit was hit): it sets l.halted, after
// which no error is recorded, no operation is emitted and every statement returns
// ctlStop, so the walk unwinds. The caller returns at once.
func (l *lowerer) fatal(pos ast.Pos, format string, args ...any) {
	if l.halted {
		return
	}
	l.addErr(pos, fmt.Sprintf(format, args...))
	l.halted = true
}

// cpos converts a syntax position to an operation's.
func cpos(p ast.Pos) circuit.Pos { return circuit.NewPos(p.File, p.Line, p.Col) }

// opPos converts a syntax position to an operation's, sharing one copy of each file name
// among the operations (a Pos holds its file name by reference).
func (l *lowerer) opPos(p ast.Pos) circuit.Pos {
	if l.lastPos.File() != p.File {
		l.lastPos = cpos(p)
	}
	return l.lastPos.At(p.Line, p.Col)
}

// astPos converts an operation's position back to a syntax position.
func astPos(p circuit.Pos) ast.Pos {
	return ast.Pos{File: p.File(), Line: int(p.Line), Col: int(p.Col)}
}

// begin starts lowering the file filename, which declares version ("" when it has no
// OPENQASM line).
func (l *lowerer) begin(filename, version string) {
	l.version = version
	l.includes = []string{filepath.Clean(filename)}
	l.mainFile = filename
	l.fileOrder = map[string]int{filename: 0}
}

// lowerStmt lowers one top-level statement; it returns false when lowering has stopped (a
// limit was hit, too many errors, or the program's end statement).
func (l *lowerer) lowerStmt(s ast.Stmt) (more bool) {
	if l.done {
		return false
	}
	if c := l.stmt(s, l.global); c == ctlEnd || c == ctlStop {
		l.done = true
	}
	if l.halted {
		l.ops = nil // the program has errors: its operations are no longer needed
	}
	return !l.done
}

// finish returns the lowered program, or the errors found.
func (l *lowerer) finish() (prog *Program, err error) {
	if len(l.errs) > 0 {
		return nil, l.sortErrors()
	}
	c := &circuit.Circuit{NumQubits: l.nqubits, NumClbits: l.nclbits, QRegs: l.qregs, CRegs: l.cregs}
	if l.physical {
		c.NumQubits = l.maxPhys + 1
		c.QRegs = []circuit.Register{{Name: "q", Start: 0, Size: c.NumQubits}}
	}
	// The parameters are distinct by construction (declare rejects duplicates), and every
	// symbol an operation uses is one of them; setting them directly avoids
	// Circuit.DeclareParam's linear search per symbol.
	c.Params = append([]string(nil), l.params...)
	for i := range l.ops {
		if e := validOp(&l.ops[i], c.NumQubits, c.NumClbits); e != "" {
			l.errs.Add(astPos(l.ops[i].Pos), "internal error: "+e)
			return nil, l.errs
		}
	}
	c.Ops = l.ops
	return &Program{Circuit: c, Version: l.version, Major: l.major, Inputs: l.inputs, Pragmas: l.pragmas}, nil
}

// validOp checks an operation as Circuit.Append does (the lowering should never produce an
// invalid one).
func validOp(op *circuit.Op, nq, nc int) string {
	for i, q := range op.Qubits {
		if q < 0 || q >= nq {
			return fmt.Sprintf("%s: qubit %d out of range", op.Name(), q)
		}
		if op.Kind != circuit.Barrier {
			for _, r := range op.Qubits[:i] {
				if r == q {
					return fmt.Sprintf("%s: qubit %d used twice", op.Name(), q)
				}
			}
		}
	}
	for _, b := range op.Clbits() {
		if b < 0 || b >= nc {
			return fmt.Sprintf("%s: bit %d out of range", op.Name(), b)
		}
	}
	if op.Cond != nil {
		if len(op.Cond.Clbits) == 0 || len(op.Cond.Clbits) > 64 && op.Cond.Big == nil {
			return "condition with no bits, or on more than 64 bits without a big value"
		}
		for _, b := range op.Cond.Clbits {
			if b < 0 || b >= nc {
				return fmt.Sprintf("condition bit %d out of range", b)
			}
		}
	}
	switch op.Kind {
	case circuit.GateOp:
		if op.Gate == nil || op.Ctrl < 0 || len(op.Qubits) != op.Gate.Qubits+int(op.Ctrl) || len(op.Args) != op.Gate.Params {
			return fmt.Sprintf("malformed gate operation %s", op.Name())
		}
		for _, a := range op.Args {
			if a == nil {
				return "missing argument"
			}
		}
	case circuit.Measure:
		if len(op.Qubits) != len(op.Clbits()) {
			return "measure with unequal qubits and bits"
		}
	}
	return ""
}

// ---- statements ----

func (l *lowerer) stmts(list []ast.Stmt, sc *scope) ctl {
	for _, s := range list {
		if c := l.stmt(s, sc); c != ctlNone {
			return c
		}
	}
	return ctlNone
}

func (l *lowerer) notSupported(pos ast.Pos, what, why string) {
	if why != "" {
		l.errorf(pos, "not supported: %s (%s)", what, why)
	} else {
		l.errorf(pos, "not supported: %s", what)
	}
}

func (l *lowerer) requireGlobal(pos ast.Pos, sc *scope, what string) bool {
	if sc.kind != scopeGlobal {
		if g := sc.inGate(); g != "" {
			l.errorf(pos, "%s is not allowed inside gate %s (a gate body holds only gate calls, gphase, loops and compile-time conditions)", what, g)
		} else {
			l.errorf(pos, "%s must be at the top level of the program, not inside a block", what)
		}
		return false
	}
	return true
}

// step counts one unit of evaluation work; the total is bounded (32 × MaxOps) so that loops
// over large expressions cannot run for hours.
// It reports whether lowering goes on (false once it has halted).
func (l *lowerer) step(pos ast.Pos) bool {
	l.steps++
	if l.steps > 32*l.lim.MaxOps {
		l.fatal(pos, "the program takes more than %d evaluation steps to read (limit MaxOps; raise it to allow more)", 32*l.lim.MaxOps)
	}
	return !l.halted
}

// stmt lowers one statement; it returns ctlStop once lowering has halted (see fatal).
func (l *lowerer) stmt(s ast.Stmt, sc *scope) ctl {
	if l.halted || !l.step(s.Pos()) {
		return ctlStop
	}
	if c := l.stmtKind(s, sc); !l.halted {
		return c
	}
	return ctlStop
}

func (l *lowerer) stmtKind(s ast.Stmt, sc *scope) ctl {
	switch s := s.(type) {
	case *ast.VersionStmt:
	case *ast.IncludeStmt:
		if l.requireGlobal(s.From, sc, "include") {
			l.include(s)
		}
	case *ast.PragmaStmt:
		l.pragmas = append(l.pragmas, Pragma{Text: s.Text, Pos: cpos(s.From)})
	case *ast.AnnotationStmt:
		// Annotations are accepted and ignored (documented in docs/qasm.md).
	case *ast.UnsupportedStmt:
		l.unsupportedStmt(s)
	case *ast.BadStmt:
	case *ast.QubitDecl:
		l.qubitDecl(s, sc)
	case *ast.BitDecl:
		l.bitDecl(s, sc)
	case *ast.ClassicalDecl:
		l.classicalDecl(s, sc)
	case *ast.AliasStmt:
		l.alias(s, sc)
	case *ast.GateDef:
		if l.requireGlobal(s.From, sc, "a gate definition") {
			l.defineGate(s)
		}
	case *ast.DefStmt:
		if l.requireGlobal(s.From, sc, "a subroutine definition") {
			l.defineSub(s)
		}
	case *ast.GateCall:
		l.gateCall(s, sc)
	case *ast.MeasureStmt:
		if s.Target == nil {
			l.notSupported(s.From, "measure without a target", "write c = measure q; or measure q -> c; so the result is kept")
			return ctlNone
		}
		l.measure(s.Measure, s.Target, sc)
	case *ast.ResetStmt:
		l.reset(s, sc)
	case *ast.BarrierStmt:
		l.barrier(s, sc)
	case *ast.AssignStmt:
		l.assign(s, sc)
	case *ast.ExprStmt:
		l.exprStmt(s, sc)
	case *ast.Block:
		return l.stmts(s.Stmts, newScope(sc, scopeBlock))
	case *ast.BoxStmt:
		if s.Duration != nil {
			l.notSupported(s.Duration.Pos(), "box with a duration", "qpeft has no timing; write box { … } without one")
			return ctlNone
		}
		return l.stmts(s.Body.Stmts, newScope(sc, scopeBlock))
	case *ast.IfStmt:
		return l.ifStmt(s, sc)
	case *ast.ForStmt:
		return l.forStmt(s, sc)
	case *ast.WhileStmt:
		return l.whileStmt(s, sc)
	case *ast.BreakStmt, *ast.ContinueStmt:
		if l.inLoop == 0 {
			l.errorf(s.Pos(), "%s outside a for or while loop", strings.TrimSuffix(printer.StmtString(s), ";"))
			return ctlNone
		}
		if l.cond != nil {
			l.notSupported(s.Pos(), strings.TrimSuffix(printer.StmtString(s), ";")+" inside an if on measured bits", "loops are unrolled when the program is read, before any bit is measured")
			return ctlNone
		}
		if _, ok := s.(*ast.BreakStmt); ok {
			return ctlBreak
		}
		return ctlContinue
	case *ast.EndStmt:
		if l.cond != nil {
			l.notSupported(s.From, "end inside an if on measured bits", "the program's length must be known when it is read")
			return ctlNone
		}
		return ctlEnd
	case *ast.ReturnStmt:
		if sc.inGate() != "" || !l.inSub(sc) {
			l.errorf(s.From, "return outside a subroutine")
			return ctlNone
		}
		if s.Value != nil {
			l.notSupported(s.From, "return with a value", "subroutines are inlined and may not return classical values")
			return ctlNone
		}
		if l.cond != nil {
			l.notSupported(s.From, "return inside an if on measured bits", "subroutines are inlined when the program is read")
			return ctlNone
		}
		return ctlReturn
	default:
		l.errorf(s.Pos(), "unexpected statement")
	}
	return ctlNone
}

func (l *lowerer) inSub(sc *scope) bool {
	for ; sc != nil; sc = sc.parent {
		if sc.kind == scopeSub {
			return true
		}
	}
	return false
}

func (l *lowerer) unsupportedStmt(s *ast.UnsupportedStmt) {
	switch s.Keyword {
	case "defcal", "cal", "defcalgrammar":
		l.notSupported(s.From, s.Keyword, "pulse-level calibrations; qpeft works with gates, not pulses")
	case "extern":
		l.notSupported(s.From, "extern functions", "qpeft cannot call classical code outside the program")
	case "delay":
		l.notSupported(s.From, "delay", "qpeft has no timing model")
	case "switch":
		l.notSupported(s.From, "switch", "use if/else")
	default:
		l.notSupported(s.From, s.Keyword, "")
	}
}

func (l *lowerer) declare(sc *scope, sym *symbol) bool {
	if prev, ok := sc.syms[sym.name]; ok {
		if prev.builtin {
			l.errorf(sym.pos, "%s is a built-in constant and cannot be redeclared", sym.name)
		} else {
			l.errorf(sym.pos, "%s is already declared (as %s at %s)", sym.name, prev.describe(), prev.pos)
		}
		return false
	}
	if sc.kind == scopeGlobal {
		if g, ok := l.gates[sym.name]; ok && g.lib == "" && g.native == nil {
			l.errorf(sym.pos, "%s is already the name of a gate (defined at %s)", sym.name, g.pos)
			return false
		}
	}
	sc.syms[sym.name] = sym
	return true
}

// constInt evaluates a compile-time integer (sizes, indices, modifier arguments).
func (l *lowerer) constInt(e ast.Expr, sc *scope, what string) (int64, bool) {
	v, ok := l.eval(e, sc)
	if !ok {
		return 0, false
	}
	switch {
	case v.k == vInt:
		return v.i, true
	case v.k == vFloat && v.sym == nil && v.f == math.Trunc(v.f) && math.Abs(v.f) < 1<<53 && l.major == 2:
		return int64(v.f), true
	case v.sym != nil:
		l.errorf(e.Pos(), "%s must be known when the program is read, but %s depends on an input", what, printer.ExprString(e))
	default:
		l.errorf(e.Pos(), "%s must be an integer, got %s %s", what, v.kindName(), v)
	}
	return 0, false
}

func (l *lowerer) qubitDecl(s *ast.QubitDecl, sc *scope) {
	l.declareRegister(qubitRegs, s.From, s.Name, s.Size, sc, &l.nqubits, l.lim.MaxQubits, &l.qregs)
}

// regKind is what qubit and classical bit registers differ in.
type regKind struct {
	sym       symKind
	decl      string // the declaration, for requireGlobal's message
	unit      string // one element, for registerSize's
	many      string // the elements, for the limit's
	limitName string // the limit in Limits
}

var (
	qubitRegs = regKind{symQubits, "a qubit declaration", "qubit", "qubits", "MaxQubits"}
	bitRegs   = regKind{symBits, "a classical bit declaration", "bit", "classical bits", "MaxClbits"}
)

// declareRegister declares the register name[size] of kind k (declared at from) after the
// count elements of the earlier ones, at most limit in all, and appends it to regs. It
// reports whether it did: errors are recorded.
func (l *lowerer) declareRegister(k regKind, from ast.Pos, name *ast.Ident, size ast.Expr, sc *scope, count *int, limit int, regs *[]circuit.Register) bool {
	if !l.requireGlobal(from, sc, k.decl) {
		return false
	}
	n, ok := l.registerSize(size, name.Name, k.unit, sc)
	if !ok {
		return false
	}
	if k.sym == symQubits && l.physical {
		l.errorf(from, "qubit declarations cannot be mixed with physical qubits ($0, $1, …) used earlier")
		return false
	}
	if int64(*count)+n > int64(limit) {
		l.fatal(from, "too many %s: %s brings the total to %d, more than %d (limit %s)", k.many, name.Name, int64(*count)+n, limit, k.limitName)
		return false
	}
	if !l.declare(sc, &symbol{kind: k.sym, name: name.Name, pos: name.At, idx: seq(*count, int(n)), single: size == nil}) {
		return false
	}
	*regs = append(*regs, circuit.Register{Name: name.Name, Start: *count, Size: int(n)})
	*count += int(n)
	return true
}

// registerSize returns the size of the register name being declared: 1 when size is nil,
// otherwise the constant size, which must be positive (unit, "qubit" or "bit", is for the
// message).
func (l *lowerer) registerSize(size ast.Expr, name, unit string, sc *scope) (int64, bool) {
	if size == nil {
		return 1, true
	}
	n, ok := l.constInt(size, sc, "a register size")
	if !ok {
		return 0, false
	}
	if n <= 0 {
		l.errorf(size.Pos(), "register %s must have at least one %s, got size %d", name, unit, n)
		return 0, false
	}
	return n, true
}

func seq(start, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = start + i
	}
	return s
}

func (l *lowerer) bitDecl(s *ast.BitDecl, sc *scope) {
	if !l.declareRegister(bitRegs, s.From, s.Name, s.Size, sc, &l.nclbits, l.lim.MaxClbits, &l.cregs) {
		return
	}
	if s.Init != nil {
		if m, ok := s.Init.(*ast.MeasureExpr); ok {
			l.measure(m, s.Name, sc)
			return
		}
		l.notSupported(s.Init.Pos(), "initialising classical bits with a value", "bits start at 0 and are written only by measure")
	}
}

func (l *lowerer) scalarType(t *ast.TypeExpr, sc *scope, what string) (ctype, bool) {
	ct := ctype{kind: t.Kind}
	switch t.Kind {
	case ast.INT_TYPE, ast.UINT_TYPE, ast.FLOAT_TYPE, ast.ANGLE_TYPE:
		if t.Size != nil {
			w, ok := l.constInt(t.Size, sc, "a type width")
			if !ok {
				return ct, false
			}
			switch {
			case w <= 0:
				l.errorf(t.Size.Pos(), "type width must be positive, got %d", w)
				return ct, false
			case (t.Kind == ast.INT_TYPE || t.Kind == ast.UINT_TYPE) && w > 64:
				l.notSupported(t.Size.Pos(), fmt.Sprintf("%s[%d]", t.Kind, w), "integers are at most 64 bits wide")
				return ct, false
			case t.Kind == ast.FLOAT_TYPE && w != 16 && w != 32 && w != 64 && w != 128:
				l.errorf(t.Size.Pos(), "float width must be 16, 32, 64 or 128, got %d", w)
				return ct, false
			case w > 1024:
				l.errorf(t.Size.Pos(), "type width %d is too large", w)
				return ct, false
			}
			ct.width = int(w)
		}
		return ct, true
	case ast.BOOL_TYPE:
		return ct, true
	case ast.COMPLEX:
		l.notSupported(t.At, "complex numbers", "angles and parameters are real")
	case ast.DURATION_TYPE, ast.STRETCH:
		l.notSupported(t.At, t.Kind.String()+" variables", "qpeft has no timing model")
	case ast.ARRAY:
		l.notSupported(t.At, what+": an array here", "arrays are declared on their own (array[int[32], 4] a;), indexed, and passed to subroutines")
	case ast.BIT, ast.CREG:
		l.errorf(t.At, "%s: declare bits with bit[n] name; or creg name[n];", what)
	default:
		l.errorf(t.At, "%s: %s is not a classical type", what, t.Kind)
	}
	return ct, false
}

func typeString(t *ast.TypeExpr) string {
	return printer.ExprString(t)
}

func (l *lowerer) classicalDecl(s *ast.ClassicalDecl, sc *scope) {
	if s.Input || s.Output {
		if !l.requireGlobal(s.From, sc, "an input or output declaration") {
			return
		}
	}
	if s.Output {
		l.notSupported(s.From, "output variables other than bits", "qpeft returns measured bits; declare output bit[n] c; or just bit[n] c;")
		return
	}
	if s.Input {
		l.inputDecl(s, sc)
		return
	}
	if s.Type.Kind == ast.ARRAY {
		l.arrayDecl(s, sc)
		return
	}
	t, ok := l.scalarType(s.Type, sc, "declaration of "+s.Name.Name)
	if !ok {
		return
	}
	sym := &symbol{kind: symVar, name: s.Name.Name, pos: s.Name.At, typ: t, isConst: s.Const}
	if s.Init == nil {
		if s.Const {
			l.errorf(s.From, "const %s needs a value", s.Name.Name)
			return
		}
		sym.val, _ = convert(intVal(0), t, s.From, "")
	} else {
		if m, ok := s.Init.(*ast.MeasureExpr); ok {
			l.notSupported(m.At, "measuring into a "+t.String()+" variable", "measure into bits: bit[n] c = measure q;")
			return
		}
		v, ok := l.eval(s.Init, sc)
		if !ok {
			return
		}
		if s.Const && v.sym != nil {
			l.errorf(s.Init.Pos(), "const %s must be known when the program is read, but its value depends on an input", s.Name.Name)
			return
		}
		cv, err := convert(v, t, s.Init.Pos(), "initialising "+s.Name.Name)
		if err != nil {
			l.report(err)
			return
		}
		if l.cond != nil {
			l.notSupported(s.From, "declaring classical variables inside an if on measured bits", "their values would be known only at run time")
			return
		}
		sym.val = cv
	}
	l.declare(sc, sym)
}

func (l *lowerer) inputDecl(s *ast.ClassicalDecl, sc *scope) {
	if s.Init != nil {
		l.errorf(s.Init.Pos(), "input %s cannot have a value in the program; pass it when running (--param %s=VALUE)", s.Name.Name, s.Name.Name)
		return
	}
	t := s.Type
	name := s.Name.Name
	switch t.Kind {
	case ast.FLOAT_TYPE, ast.ANGLE_TYPE:
		ct, ok := l.scalarType(t, sc, "input "+name)
		if !ok {
			return
		}
		if !l.addParams(s.From, 1) {
			return
		}
		if !l.declare(sc, &symbol{kind: symVar, name: name, pos: s.Name.At, typ: ct, input: true, val: symVal(circuit.Sym{Name: name}, 1)}) {
			return
		}
		l.params = append(l.params, name)
		l.inputs = append(l.inputs, Input{Name: name, Type: typeString(t), Params: []string{name}, Pos: cpos(s.From)})
	case ast.ARRAY:
		if t.Elem == nil || (t.Elem.Kind != ast.FLOAT_TYPE && t.Elem.Kind != ast.ANGLE_TYPE) {
			l.notSupported(s.From, "input arrays of "+typeString(t.Elem), "input arrays hold float or angle parameters")
			return
		}
		if _, ok := l.scalarType(t.Elem, sc, "input "+name); !ok {
			return
		}
		if len(t.Dims) != 1 {
			l.notSupported(s.From, "multi-dimensional input arrays", "use one dimension: array[float[64], n]")
			return
		}
		n, ok := l.constInt(t.Dims[0], sc, "an array size")
		if !ok {
			return
		}
		if n <= 0 {
			l.errorf(t.Dims[0].Pos(), "array %s must have at least one element, got size %d", name, n)
			return
		}
		if n > int64(l.lim.MaxParams) || !l.addParams(s.From, int(n)) {
			if n > int64(l.lim.MaxParams) {
				l.fatal(s.From, "input array %s has %d elements, more than %d parameters (limit MaxParams)", name, n, l.lim.MaxParams)
			}
			return
		}
		elems := make([]string, n)
		for i := range elems {
			elems[i] = name + "[" + strconv.Itoa(i) + "]"
		}
		if !l.declare(sc, &symbol{kind: symInputArray, name: name, pos: s.Name.At, elems: elems, typ: ctype{kind: t.Elem.Kind}}) {
			return
		}
		l.params = append(l.params, elems...)
		l.inputs = append(l.inputs, Input{Name: name, Type: typeString(t), Params: elems, Pos: cpos(s.From)})
	case ast.BIT, ast.CREG, ast.INT_TYPE, ast.UINT_TYPE, ast.BOOL_TYPE:
		l.notSupported(s.From, "input "+typeString(t), "only float, angle and array[float[64], n] inputs become circuit parameters")
	default:
		l.scalarType(t, sc, "input "+name) // reports the unsupported type
	}
}

func (l *lowerer) addParams(pos ast.Pos, n int) bool {
	if len(l.params)+n > l.lim.MaxParams {
		l.fatal(pos, "too many input parameters: more than %d (limit MaxParams)", l.lim.MaxParams)
		return false
	}
	return true
}

func (l *lowerer) alias(s *ast.AliasStmt, sc *scope) {
	if sc.inGate() != "" {
		l.errorf(s.From, "let is not allowed inside gate %s", sc.inGate())
		return
	}
	kind, idx, ok := l.aliasValue(s.Value, sc)
	if !ok {
		return
	}
	l.declare(sc, &symbol{kind: kind, name: s.Name.Name, pos: s.Name.At, idx: idx})
}

func (l *lowerer) aliasValue(e ast.Expr, sc *scope) (symKind, []int, bool) {
	if b, ok := e.(*ast.BinaryExpr); ok && b.Op == ast.CONCAT {
		k1, a, ok1 := l.aliasValue(b.X, sc)
		k2, c, ok2 := l.aliasValue(b.Y, sc)
		if !ok1 || !ok2 {
			return 0, nil, false
		}
		if k1 != k2 {
			l.errorf(b.OpPos, "++ cannot join qubits and classical bits")
			return 0, nil, false
		}
		out := append(append([]int(nil), a...), c...)
		if k1 == symQubits && hasDup(out) {
			l.errorf(b.OpPos, "the concatenation names a qubit twice")
			return 0, nil, false
		}
		return k1, out, true
	}
	if p, ok := e.(*ast.ParenExpr); ok {
		return l.aliasValue(p.X, sc)
	}
	r, ok := l.operand(e, sc, true)
	if !ok {
		return 0, nil, false
	}
	return r.kind, r.idx, true
}

func hasDup(xs []int) bool {
	seen := make(map[int]bool, len(xs))
	for _, x := range xs {
		if seen[x] {
			return true
		}
		seen[x] = true
	}
	return false
}

// ---- includes ----

func (l *lowerer) include(s *ast.IncludeStmt) {
	switch s.Path {
	case "qelib1.inc":
		l.loadLib("qelib1.inc")
		return
	case "stdgates.inc":
		if l.major == 2 {
			l.errorf(s.From, "stdgates.inc is the OpenQASM 3 library; an OpenQASM 2 program includes \"qelib1.inc\"")
			return
		}
		l.loadLib("stdgates.inc")
		return
	}
	if len(l.includes) > l.lim.MaxIncludeDepth {
		l.fatal(s.From, "includes nested more than %d deep (limit MaxIncludeDepth)", l.lim.MaxIncludeDepth)
		return
	}
	from := s.From.File
	path, err := l.resolveInclude(from, s.Path)
	if err != nil {
		l.errorf(s.From, "cannot include %q: %v", s.Path, err)
		return
	}
	for i, p := range l.includes {
		if p == path {
			chain := append(append([]string(nil), l.includes[i:]...), path)
			l.errorf(s.From, "include cycle: %s", strings.Join(chain, " includes "))
			return
		}
	}
	remaining := l.lim.MaxSourceBytes - l.srcBytes
	src, err := l.readInclude(path, remaining)
	if err != nil {
		if isNotExist(err) {
			l.errorf(s.From, "cannot include %q: no file %s (includes are resolved relative to the including file)", s.Path, path)
		} else if strings.Contains(err.Error(), "limit MaxSourceBytes") {
			l.fatal(s.From, "cannot include %q: the program and its includes exceed %d bytes (limit MaxSourceBytes)", s.Path, l.lim.MaxSourceBytes)
		} else {
			l.errorf(s.From, "cannot include %q: %v", s.Path, err)
		}
		return
	}
	l.srcBytes += int64(len(src))
	if _, seen := l.fileOrder[path]; !seen {
		l.fileOrder[path] = len(l.fileOrder)
	}
	l.incSites = append(l.incSites, s.From)
	defer func() { l.incSites = l.incSites[:len(l.incSites)-1] }()
	pc := parser.Config{MaxNesting: l.lim.MaxNesting, MaxErrors: l.lim.MaxErrors, Version: l.major}
	// Two passes, neither holding the file's whole tree: the syntax first (an included file
	// with a syntax error is not lowered at all), then each statement lowered as it is
	// parsed.
	f, perr := pc.ParseEach(path, src, func(ast.Stmt) bool { return false })
	if perr != nil {
		if list, ok := perr.(ErrorList); ok {
			for _, e := range list {
				l.errorf(e.Pos, "%s", e.Msg)
			}
		} else {
			l.errorf(s.From, "%v", perr)
		}
		return
	}
	if f.Version != nil && f.Version.Major != l.major {
		l.errorf(f.Version.From, "included file declares OPENQASM %s but %s is OpenQASM %d", f.Version.Lit, from, l.major)
		return
	}
	l.includes = append(l.includes, path)
	defer func() { l.includes = l.includes[:len(l.includes)-1] }()
	pc.ParseEach(path, src, func(st ast.Stmt) bool {
		return l.stmt(st, l.global) == ctlNone
	})
}

var libDefs struct {
	file *ast.File
	err  error
}

func (l *lowerer) loadLib(name string) {
	if l.libs[name] {
		return
	}
	l.libs[name] = true
	table := stdgatesNative
	if name == "qelib1.inc" {
		table = qelib1Native
	}
	for n, g := range table {
		if e, ok := l.gates[n]; ok && e.lib == "" && e.native == nil {
			continue // the user's own definition stays
		}
		l.addNative(n, g, name)
	}
	if name != "qelib1.inc" {
		return
	}
	if libDefs.file == nil && libDefs.err == nil {
		libDefs.file, libDefs.err = parser.ParseFile("qelib1.inc", []byte(qelib1Defined), 0)
	}
	if libDefs.err != nil {
		panic("qasm: built-in qelib1 definitions: " + libDefs.err.Error())
	}
	saved := l.resolvingLib
	l.resolvingLib = true
	for _, s := range libDefs.file.Stmts {
		d := s.(*ast.GateDef)
		if e, ok := l.gates[d.Name.Name]; ok && e.lib == "" && e.native == nil {
			continue
		}
		l.defineGate(d)
		l.gates[d.Name.Name].lib = name
	}
	l.resolvingLib = saved
}

// ---- gate and subroutine definitions ----

func (l *lowerer) defineGate(d *ast.GateDef) {
	name := d.Name.Name
	if prev, ok := l.gates[name]; ok {
		switch {
		case prev.lib == "" && prev.native != nil:
			l.errorf(d.Name.At, "%s is a built-in gate and cannot be redefined", name)
			return
		case prev.lib == "":
			l.errorf(d.Name.At, "gate %s is already defined (at %s)", name, prev.pos)
			return
		}
		// Redefining a library gate replaces it (programs written for the original, shorter
		// qelib1.inc define rzz, cu, … themselves).
	}
	if sym, _ := l.global.lookup(name); sym != nil && !sym.builtin {
		l.errorf(d.Name.At, "%s is already declared (as %s at %s)", name, sym.describe(), sym.pos)
		return
	}
	e := &gateEntry{name: name, pos: d.Name.At, nparams: len(d.Params), nqubits: len(d.Qubits), opaque: d.Opaque}
	seen := map[string]ast.Pos{}
	for _, id := range append(append([]*ast.Ident(nil), d.Params...), d.Qubits...) {
		if p, dup := seen[id.Name]; dup {
			l.errorf(id.At, "%s is used twice in the definition of %s (first at %s)", id.Name, name, p)
			e.bad = true
		}
		seen[id.Name] = id.At
		e.paramNames = append(e.paramNames, id.Name)
	}
	e.paramNames = e.paramNames[:len(d.Params)]
	if len(d.Qubits) == 0 {
		l.errorf(d.Name.At, "gate %s needs at least one qubit", name)
		e.bad = true
	}
	if d.Opaque || e.bad {
		l.gates[name] = e
		return
	}
	gsc := newScope(l.global, scopeGate)
	gsc.gate = name
	for i, p := range d.Params {
		gsc.syms[p.Name] = &symbol{kind: symVar, name: p.Name, pos: p.At, typ: ctype{kind: ast.ANGLE_TYPE}, isConst: true, val: symVal(circuit.Sym{Name: paramSym(i)}, 1)}
	}
	for i, q := range d.Qubits {
		gsc.syms[q.Name] = &symbol{kind: symQubits, name: q.Name, pos: q.At, idx: []int{i}, single: true}
	}
	errs := len(l.errs)
	var body []circuit.Op
	saveOut, saveCond, saveLoop := l.out, l.cond, l.inLoop
	l.out, l.cond, l.inLoop = &body, nil, 0
	c := l.stmts(d.Body.Stmts, gsc)
	l.out, l.cond, l.inLoop = saveOut, saveCond, saveLoop
	if c == ctlEnd {
		l.errorf(d.Body.From, "end is not allowed inside gate %s", name)
	}
	e.body = body
	e.bad = len(l.errs) > errs
	l.gates[name] = e
}

func (l *lowerer) defineSub(d *ast.DefStmt) {
	name := d.Name.Name
	if d.Return != nil {
		l.notSupported(d.Return.At, "subroutines that return values ("+name+" -> "+typeString(d.Return)+")", "qpeft inlines subroutines, which may only act on qubits; use a gate or a def without a return type")
		return
	}
	if g, ok := l.gates[name]; ok && g.lib == "" {
		l.errorf(d.Name.At, "%s is already the name of a gate", name)
		return
	}
	seen := map[string]bool{}
	for _, p := range d.Params {
		if seen[p.Name.Name] {
			l.errorf(p.Name.At, "parameter %s is declared twice in subroutine %s", p.Name.Name, name)
			return
		}
		seen[p.Name.Name] = true
		if !p.Qubit {
			switch p.Type.Kind {
			case ast.INT_TYPE, ast.UINT_TYPE, ast.FLOAT_TYPE, ast.ANGLE_TYPE, ast.BOOL_TYPE, ast.ARRAY:
			default:
				l.notSupported(p.At, "subroutine parameters of type "+typeString(p.Type), "parameters may be qubits, qubit registers, int, uint, float, angle, bool or arrays of these")
				return
			}
		}
	}
	l.declare(l.global, &symbol{kind: symSub, name: name, pos: d.Name.At, def: d})
}

// ---- sorted helpers ----

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
