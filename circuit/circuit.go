// Package circuit is qpeft's intermediate representation of quantum circuits: numbered qubits
// and classical bits, operations (gates with symbolic angle arguments, measurement, reset,
// barrier, classically conditioned gates), named parameters, binding, inversion, composition,
// and a fluent builder:
//
//	c := circuit.New(2).H(0).CX(0, 1).RY(circuit.Param("theta"), 1)
//
// Qubit order is little-endian, as in OpenQASM and Qiskit: qubit k is bit k of a basis-state
// index, so |q1 q0⟩ = |10⟩ is index 2. Every package of qpeft (simulator, lowering, exporters)
// reads circuits in this order.
package circuit

import (
	"fmt"
	"math"
	"math/big"
	"math/cmplx"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/qpeft/qpeft/gates"
)

// Kind is the kind of an operation.
type Kind uint8

// Operation kinds.
const (
	GateOp  Kind = iota // a unitary gate
	Measure             // measure Qubits[i] into Clbits[i]
	Reset               // reset Qubits to |0⟩
	Barrier             // a scheduling barrier on Qubits; no effect on the state
)

// String names the kind (gate, measure, reset, barrier).
func (k Kind) String() string {
	switch k {
	case GateOp:
		return "gate"
	case Measure:
		return "measure"
	case Reset:
		return "reset"
	case Barrier:
		return "barrier"
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Pos is a source position, set when an operation came from text (OpenQASM); the zero value
// means "no position". It is 16 bytes, to keep an Op small (a program of a million
// operations holds a million positions): the file name is held by reference (operations
// read from one file share it) and the line and column are 32-bit. Make one with NewPos.
type Pos struct {
	file      *string
	Line, Col int32
}

// NewPos returns the position line:col in file (line and col saturate at 2^31−1).
func NewPos(file string, line, col int) Pos {
	p := Pos{Line: int32(min(line, math.MaxInt32)), Col: int32(min(col, math.MaxInt32))}
	if file != "" {
		p.file = &file
	}
	return p
}

// At returns the position line:col in the file of p (sharing its file name).
func (p Pos) At(line, col int) Pos {
	return Pos{file: p.file, Line: int32(min(line, math.MaxInt32)), Col: int32(min(col, math.MaxInt32))}
}

// File is the position's file name ("" when there is none).
func (p Pos) File() string {
	if p.file == nil {
		return ""
	}
	return *p.file
}

// IsValid reports whether the position is set.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats the position as file:line:col (<input> when there is no file name).
func (p Pos) String() string {
	if !p.IsValid() {
		return ""
	}
	f := p.File()
	if f == "" {
		f = "<input>"
	}
	return fmt.Sprintf("%s:%d:%d", f, p.Line, p.Col)
}

// Prefix is the position followed by ": " to start an error message, or "" when the
// position is not set.
func (p Pos) Prefix() string {
	if !p.IsValid() {
		return ""
	}
	return p.String() + ": "
}

// Cond makes an operation conditional on classical bits: it applies when the bits Clbits,
// read as a little-endian integer (Clbits[0] is the least significant), equal the value.
// A condition on at most 64 bits keeps its value in Value; one on more bits (OpenQASM 2's
// if(c==n) on a creg of any width) keeps it in Big, and Value is then unused. Use Bit, Int
// and ValueString rather than the fields to read a condition of any width, and NewCond to
// make one.
type Cond struct {
	Clbits []int
	Value  uint64
	// Big is the value when len(Clbits) > 64 (nil otherwise); it is never modified, so
	// copies of a Cond may share it.
	Big *big.Int
}

// NewCond returns the condition that bits clbits (Clbits[0] least significant) equal
// value, which must be non-negative and fit in len(clbits) bits.
func NewCond(clbits []int, value *big.Int) (*Cond, error) {
	if len(clbits) == 0 {
		return nil, fmt.Errorf("a condition needs at least one classical bit")
	}
	if value.Sign() < 0 || value.BitLen() > len(clbits) {
		return nil, fmt.Errorf("a condition on %d bits cannot test the value %s", len(clbits), value)
	}
	c := &Cond{Clbits: append([]int(nil), clbits...)}
	if len(clbits) <= 64 {
		c.Value = value.Uint64()
	} else {
		c.Big = new(big.Int).Set(value)
	}
	return c, nil
}

// Bit is the value (0 or 1) the condition requires of bit Clbits[i].
func (c *Cond) Bit(i int) uint {
	if c.Big != nil {
		return c.Big.Bit(i)
	}
	if i >= 64 {
		return 0
	}
	return uint(c.Value>>uint(i)) & 1
}

// Int returns the value the bits are compared with.
func (c *Cond) Int() *big.Int {
	if c.Big != nil {
		return new(big.Int).Set(c.Big)
	}
	return new(big.Int).SetUint64(c.Value)
}

// ValueString is the value in decimal.
func (c *Cond) ValueString() string {
	if c.Big != nil {
		return c.Big.String()
	}
	return strconv.FormatUint(c.Value, 10)
}

// check validates the condition's value against its width.
func (c *Cond) check() error {
	switch {
	case len(c.Clbits) == 0:
		return fmt.Errorf("condition with no classical bits")
	case len(c.Clbits) <= 64 && c.Big != nil:
		return fmt.Errorf("condition on %d bits has a big value; use Value", len(c.Clbits))
	case len(c.Clbits) > 64 && c.Big == nil:
		return fmt.Errorf("condition on %d bits needs its value in Big", len(c.Clbits))
	case c.Big != nil && (c.Big.Sign() < 0 || c.Big.BitLen() > len(c.Clbits)):
		return fmt.Errorf("condition on %d bits cannot test the value %s", len(c.Clbits), c.Big)
	case c.Big == nil && len(c.Clbits) < 64 && c.Value>>uint(len(c.Clbits)) != 0:
		return fmt.Errorf("condition on %d bits cannot test the value %d", len(c.Clbits), c.Value)
	}
	return nil
}

// Op is one operation of a circuit.
//
// An Op is kept small (96 bytes on 64-bit machines), because a large program holds one per
// operation: the fields every operation uses are inline, a measurement's classical bits
// are held out of line (Clbits, SetClbits, NewMeasure), Ctrl is 32-bit and the source
// position is 16 bytes (Pos).
type Op struct {
	// Gate is the gate applied (Kind == GateOp).
	Gate *gates.Gate
	// Qubits are the qubit operands.
	Qubits []int
	// Args are the gate's angle arguments (len == Gate.Params).
	Args []Expr
	// Cond, when set, makes the operation conditional.
	Cond *Cond
	// ext holds what few operations have: a measurement's classical bits.
	ext *opExt
	// Pos is where the operation was written, if it came from text.
	Pos Pos
	// Kind is the kind of operation.
	Kind Kind
	// Ctrl is the number of extra control qubits added by ctrl @ modifiers: Qubits[:Ctrl] are
	// controls, Qubits[Ctrl:] the gate's own arguments. A controlled gphase is a phase gate.
	Ctrl int32
}

// opExt is the out-of-line part of an Op; it is never modified once set (SetClbits
// replaces it), so copies of an Op may share it.
type opExt struct {
	clbits []int
}

// NewMeasure returns the measurement of qubits[i] into classical bit clbits[i], for every i;
// the op keeps both slices.
func NewMeasure(qubits, clbits []int) Op {
	op := Op{Kind: Measure, Qubits: qubits}
	op.SetClbits(clbits)
	return op
}

// Clbits are the classical targets of a measurement: Qubits[i] is measured into bit
// Clbits()[i]. It is nil for other operations. The slice is the op's own: change an
// operation's bits with SetClbits.
func (o *Op) Clbits() []int {
	if o.ext == nil {
		return nil
	}
	return o.ext.clbits
}

// SetClbits sets the classical targets of a measurement (nil clears them); the op keeps b.
// Copies of the op made before keep their bits.
func (o *Op) SetClbits(b []int) {
	if b == nil {
		o.ext = nil
		return
	}
	o.ext = &opExt{clbits: b}
}

// Name is the gate's name as a user writes it, for messages: the gate name; for a controlled
// gate the standard gate it is (cx, cry, ccx, cswap) when the gate library has one, and the
// OpenQASM 3 modifier form otherwise (ctrl @ sx, ctrl(2) @ h). For other operations it is the
// kind (measure, reset, barrier).
func (o *Op) Name() string {
	if o.Kind != GateOp {
		return o.Kind.String()
	}
	if o.Ctrl == 0 {
		return o.Gate.Name
	}
	if name, ok := standardControlled(o.Gate, int(o.Ctrl)); ok {
		return name
	}
	if o.Ctrl == 1 {
		return "ctrl @ " + o.Gate.Name
	}
	return fmt.Sprintf("ctrl(%d) @ %s", o.Ctrl, o.Gate.Name)
}

// controlledNames caches standardControlled: "ctrl/name" → the standard name, or "".
var controlledNames sync.Map

// standardControlled returns the name of the library gate that is g with ctrl controls
// ("c"×ctrl + g's name, e.g. cx, cry, ccx) when that gate exists and has exactly the same
// matrix (checked once, at two sets of angles: qelib1's cu3, for one, is not ctrl @ u3).
func standardControlled(g *gates.Gate, ctrl int) (string, bool) {
	key := strconv.Itoa(ctrl) + "/" + g.Name
	if v, ok := controlledNames.Load(key); ok {
		return v.(string), v.(string) != ""
	}
	name := ""
	if s, ok := gates.Get(strings.Repeat("c", ctrl) + g.Name); ok && s.Params == g.Params && s.Qubits == g.Qubits+ctrl {
		name = s.Name
		for _, scale := range []float64{0.3717, -1.2943} {
			p := make([]float64, g.Params)
			for i := range p {
				p[i] = scale * float64(i+1)
			}
			want := gates.Controlled(g.Matrix(p...), g.Qubits, ctrl)
			got := s.Matrix(p...)
			for i := range want {
				if cmplx.Abs(got[i]-want[i]) > 1e-12 {
					name = ""
				}
			}
		}
	}
	controlledNames.Store(key, name)
	return name, name != ""
}

// IsUnitary reports whether the op is an unconditional gate (or a barrier).
func (o *Op) IsUnitary() bool {
	return (o.Kind == GateOp || o.Kind == Barrier) && o.Cond == nil
}

// IsReal reports whether the op keeps real amplitudes real: a real gate (controls do not
// change that), a barrier, or (for states) measurement and reset.
func (o *Op) IsReal() bool {
	switch o.Kind {
	case GateOp:
		return o.Gate.Real
	default:
		return true
	}
}

// Params evaluates the op's arguments. An argument that evaluates to NaN or ±Inf is a
// *NonFiniteError naming the op, its position and the parameter values involved.
func (o *Op) Params(env Env) ([]float64, error) {
	p := make([]float64, len(o.Args))
	for i, a := range o.Args {
		v, err := Eval(a, env)
		if err != nil {
			return nil, err
		}
		if !IsFinite(v) {
			return nil, o.nonFinite(i, a, v, env)
		}
		p[i] = v
	}
	return p, nil
}

// IsFinite reports whether v is neither NaN nor ±Inf.
func IsFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// NonFiniteError reports a gate angle that evaluates to NaN or ±Inf (1/t with t = 0, a NaN
// parameter value, exp of a large number). Simulating such a gate would fill the state with
// NaN, so every evaluation of angles (Op.Params, Bind, the simulator, lowering and the
// exporters) refuses it.
type NonFiniteError struct {
	// Gate is the operation's name (rx, c·ry, …); Arg is the argument's index (from 0).
	Gate string
	Arg  int
	// Expr is the argument as written (after constant folding).
	Expr string
	// Value is what it evaluates to: NaN, +Inf or -Inf.
	Value float64
	// Values lists the parameter values the expression used ("t = 0"), if any.
	Values string
	// Pos is where the operation was written, if it came from text.
	Pos Pos
}

// Error names the position, the gate, the angle, its value and the parameter values.
func (e *NonFiniteError) Error() string {
	with := ""
	if e.Values != "" {
		with = " with " + e.Values
	}
	return fmt.Sprintf("%sgate %s: angle %d (%s) is %v%s; gate angles must be finite numbers",
		e.Pos.Prefix(), e.Gate, e.Arg+1, e.Expr, e.Value, with)
}

func (o *Op) nonFinite(i int, a Expr, v float64, env Env) *NonFiniteError {
	e := &NonFiniteError{Gate: o.Name(), Arg: i, Expr: a.String(), Value: v, Pos: o.Pos}
	var vals []string
	for _, s := range Symbols(a) {
		if env == nil {
			break
		}
		if x, ok := env(s); ok {
			vals = append(vals, s+" = "+strconv.FormatFloat(x, 'g', -1, 64))
		}
	}
	e.Values = strings.Join(vals, ", ")
	return e
}

// Matrix returns the op's full matrix (controls included) on its Qubits in argument order
// (Qubits[j] is bit j).
func (o *Op) Matrix(env Env) ([]complex128, error) {
	if o.Kind != GateOp {
		return nil, fmt.Errorf("%s has no matrix", o.Kind)
	}
	p, err := o.Params(env)
	if err != nil {
		return nil, err
	}
	m := o.Gate.Matrix(p...)
	if o.Ctrl > 0 {
		m = gates.Controlled(m, o.Gate.Qubits, int(o.Ctrl))
	}
	return m, nil
}

func (o *Op) clone() Op {
	c := *o
	c.Qubits = append([]int(nil), o.Qubits...)
	c.Args = append([]Expr(nil), o.Args...)
	if o.ext != nil {
		c.SetClbits(append([]int(nil), o.ext.clbits...))
	}
	if o.Cond != nil {
		cc := *o.Cond
		cc.Clbits = append([]int(nil), o.Cond.Clbits...)
		c.Cond = &cc
	}
	return c
}

// Register is a named range of qubits or classical bits, kept for printing.
type Register struct {
	Name  string
	Start int
	Size  int
}

// Circuit is a quantum circuit. The zero value is not usable; make one with New.
type Circuit struct {
	// NumQubits and NumClbits are the sizes of the quantum and classical registers.
	NumQubits, NumClbits int
	// QRegs and CRegs name ranges of qubits and bits; New makes "q" and, when bits are
	// added, "c".
	QRegs, CRegs []Register
	// Params are the symbolic parameters in declaration (or first-use) order; BindVector
	// takes values in this order.
	Params []string
	// Ops are the operations in application order.
	Ops []Op

	paramIdx map[string]int // name → position in Params; see ParamIndex
}

// New returns an empty circuit on n qubits with a register "q".
func New(n int) *Circuit {
	c := &Circuit{NumQubits: n}
	if n > 0 {
		c.QRegs = []Register{{Name: "q", Start: 0, Size: n}}
	}
	return c
}

// AddClbits adds n classical bits in a register named name (default "c") and returns the
// index of the first.
func (c *Circuit) AddClbits(name string, n int) int {
	if name == "" {
		name = "c"
	}
	start := c.NumClbits
	c.CRegs = append(c.CRegs, Register{Name: name, Start: start, Size: n})
	c.NumClbits += n
	return start
}

// DeclareParam adds a named parameter if it is not declared yet.
func (c *Circuit) DeclareParam(name string) {
	if c.ParamIndex(name) < 0 {
		if c.paramIdx == nil {
			c.paramIdx = map[string]int{}
		}
		c.Params = append(c.Params, name)
		c.paramIdx[name] = len(c.Params) - 1
	}
}

// HasParam reports whether name is a declared parameter.
func (c *Circuit) HasParam(name string) bool { return c.ParamIndex(name) >= 0 }

// ParamIndex returns the position of name in Params, or −1. It keeps a private index so
// that declaring many parameters stays linear; code that rewrites Params directly is
// detected (the index is checked against Params on every hit and rebuilt when stale).
func (c *Circuit) ParamIndex(name string) int {
	if len(c.paramIdx) != len(c.Params) {
		c.rebuildParamIndex()
	}
	i, ok := c.paramIdx[name]
	if ok && i < len(c.Params) && c.Params[i] == name {
		return i
	}
	if ok || c.paramsChanged() {
		c.rebuildParamIndex()
		if i, ok := c.paramIdx[name]; ok {
			return i
		}
	}
	return -1
}

// paramsChanged detects a Params slice replaced wholesale by one of the same length.
func (c *Circuit) paramsChanged() bool {
	if len(c.Params) == 0 {
		return false
	}
	last := c.Params[len(c.Params)-1]
	i, ok := c.paramIdx[last]
	return !ok || i != len(c.Params)-1
}

func (c *Circuit) rebuildParamIndex() {
	c.paramIdx = make(map[string]int, len(c.Params))
	for i, p := range c.Params {
		if _, dup := c.paramIdx[p]; !dup {
			c.paramIdx[p] = i
		}
	}
}

// Append validates op against the circuit and appends it. Symbols its arguments use are
// declared as parameters if they are not already.
func (c *Circuit) Append(op Op) error {
	if err := c.check(&op); err != nil {
		if op.Pos.IsValid() {
			return fmt.Errorf("%s: %w", op.Pos, err)
		}
		return err
	}
	for _, a := range op.Args {
		for _, s := range Symbols(a) {
			c.DeclareParam(s)
		}
	}
	c.Ops = append(c.Ops, op)
	return nil
}

func (c *Circuit) check(op *Op) error {
	seen := map[int]bool{}
	for _, q := range op.Qubits {
		if q < 0 || q >= c.NumQubits {
			return fmt.Errorf("%s: qubit %d out of range (the circuit has %d qubits)", op.Name(), q, c.NumQubits)
		}
		if seen[q] && op.Kind != Barrier {
			return fmt.Errorf("%s: qubit %d used twice in one operation", op.Name(), q)
		}
		seen[q] = true
	}
	for _, b := range op.Clbits() {
		if b < 0 || b >= c.NumClbits {
			return fmt.Errorf("%s: classical bit %d out of range (the circuit has %d bits)", op.Name(), b, c.NumClbits)
		}
	}
	if op.Cond != nil {
		if err := op.Cond.check(); err != nil {
			return fmt.Errorf("%s: %w", op.Name(), err)
		}
		for _, b := range op.Cond.Clbits {
			if b < 0 || b >= c.NumClbits {
				return fmt.Errorf("%s: condition bit %d out of range (the circuit has %d bits)", op.Name(), b, c.NumClbits)
			}
		}
	}
	switch op.Kind {
	case GateOp:
		if op.Gate == nil {
			return fmt.Errorf("gate operation without a gate")
		}
		if op.Ctrl < 0 {
			return fmt.Errorf("%s: negative control count", op.Gate.Name)
		}
		if want := op.Gate.Qubits + int(op.Ctrl); len(op.Qubits) != want {
			return fmt.Errorf("%s takes %d qubits, got %d", op.Name(), want, len(op.Qubits))
		}
		if len(op.Args) != op.Gate.Params {
			return fmt.Errorf("%s takes %d parameters, got %d", op.Gate.Name, op.Gate.Params, len(op.Args))
		}
		for i, a := range op.Args {
			if a == nil {
				return fmt.Errorf("%s: parameter %d is missing", op.Gate.Name, i)
			}
		}
	case Measure:
		if len(op.Qubits) != len(op.Clbits()) {
			return fmt.Errorf("measure: %d qubits but %d classical bits", len(op.Qubits), len(op.Clbits()))
		}
	case Reset, Barrier:
	default:
		return fmt.Errorf("unknown operation kind %d", op.Kind)
	}
	return nil
}

// Gate appends a gate by name, with angle arguments given as float64, int, string (a
// parameter name) or Expr. It is the error-returning form of the fluent methods.
func (c *Circuit) Gate(name string, qubits []int, args ...any) error {
	g, ok := gates.Get(name)
	if !ok {
		return fmt.Errorf("unknown gate %q", name)
	}
	ex := make([]Expr, len(args))
	for i, a := range args {
		e, err := ToExpr(a)
		if err != nil {
			return fmt.Errorf("%s parameter %d: %w", name, i, err)
		}
		ex[i] = e
	}
	return c.Append(Op{Kind: GateOp, Gate: g, Qubits: append([]int(nil), qubits...), Args: ex})
}

// ToExpr converts float64, int, string (parameter name) or Expr to an Expr.
func ToExpr(a any) (Expr, error) {
	switch v := a.(type) {
	case Expr:
		return v, nil
	case float64:
		return Const{v}, nil
	case float32:
		return Const{float64(v)}, nil
	case int:
		return Const{float64(v)}, nil
	case string:
		if v == "" {
			return nil, fmt.Errorf("empty parameter name")
		}
		return Sym{v}, nil
	}
	return nil, fmt.Errorf("cannot use %T as an angle", a)
}

// must is the fluent builders' error policy: misuse from code (a wrong qubit index, an
// unknown gate name) is a programmer error and panics with the reason.
func (c *Circuit) must(name string, qubits []int, args ...any) *Circuit {
	if err := c.Gate(name, qubits, args...); err != nil {
		panic("circuit: " + err.Error())
	}
	return c
}

// Clone returns a deep copy.
func (c *Circuit) Clone() *Circuit {
	d := &Circuit{NumQubits: c.NumQubits, NumClbits: c.NumClbits,
		QRegs: append([]Register(nil), c.QRegs...), CRegs: append([]Register(nil), c.CRegs...),
		Params: append([]string(nil), c.Params...), Ops: make([]Op, len(c.Ops))}
	for i := range c.Ops {
		d.Ops[i] = c.Ops[i].clone()
	}
	return d
}

// Bind returns a copy with the named parameters replaced by values. Every name must be a
// parameter of the circuit; parameters not named stay symbolic. Every value must be finite,
// and so must every angle that becomes a constant (a *NonFiniteError names the gate).
func (c *Circuit) Bind(values map[string]float64) (*Circuit, error) {
	for n := range values {
		if !c.HasParam(n) {
			return nil, fmt.Errorf("bind: the circuit has no parameter %q (it has %s)", n, listOrNone(c.Params))
		}
	}
	env := MapEnv(values)
	d := c.Clone()
	for i := range d.Ops {
		for j, a := range d.Ops[i].Args {
			b := Substitute(a, env)
			if k, ok := b.(Const); ok && !IsFinite(k.V) {
				return nil, c.Ops[i].nonFinite(j, a, k.V, env)
			}
			d.Ops[i].Args[j] = b
		}
	}
	for _, n := range sortedKeys(values) {
		if v := values[n]; !IsFinite(v) {
			return nil, fmt.Errorf("bind: parameter %s = %v is not a finite number", n, v)
		}
	}
	var rest []string
	for _, p := range d.Params {
		if _, ok := values[p]; !ok {
			rest = append(rest, p)
		}
	}
	d.Params = rest
	return d, nil
}

// BindVector binds all parameters at once, values in Params order.
func (c *Circuit) BindVector(values []float64) (*Circuit, error) {
	if len(values) != len(c.Params) {
		return nil, fmt.Errorf("bind: the circuit has %d parameters, got %d values", len(c.Params), len(values))
	}
	m := make(map[string]float64, len(values))
	for i, p := range c.Params {
		m[p] = values[i]
	}
	return c.Bind(m)
}

// Env returns an Env over a value vector in Params order.
func (c *Circuit) Env(values []float64) Env {
	idx := make(map[string]int, len(c.Params))
	for i, p := range c.Params {
		idx[p] = i
	}
	return func(n string) (float64, bool) {
		i, ok := idx[n]
		if !ok || i >= len(values) {
			return 0, false
		}
		return values[i], true
	}
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// IsBound reports whether no symbolic parameter is left.
func (c *Circuit) IsBound() bool { return len(c.Params) == 0 }

// Inverse returns the inverse circuit: reversed order, each gate replaced by its inverse with
// symbolic arguments transformed exactly. It fails on measurement, reset or conditions.
func (c *Circuit) Inverse() (*Circuit, error) {
	d := &Circuit{NumQubits: c.NumQubits, NumClbits: c.NumClbits,
		QRegs: append([]Register(nil), c.QRegs...), CRegs: append([]Register(nil), c.CRegs...),
		Params: append([]string(nil), c.Params...)}
	for i := len(c.Ops) - 1; i >= 0; i-- {
		op := &c.Ops[i]
		if !op.IsUnitary() {
			return nil, fmt.Errorf("%sinverse: %s is not unitary", op.Pos.Prefix(), op.Name())
		}
		if op.Kind == Barrier {
			d.Ops = append(d.Ops, op.clone())
			continue
		}
		for _, t := range op.Gate.Inverse() {
			g := gates.MustGet(t.Gate)
			qs := append([]int(nil), op.Qubits[:op.Ctrl]...)
			for _, j := range t.Qubits {
				qs = append(qs, op.Qubits[int(op.Ctrl)+j])
			}
			args := make([]Expr, len(t.Params))
			for k, a := range t.Params {
				args[k] = affine(a.Coef, a.Const, op.Args)
			}
			d.Ops = append(d.Ops, Op{Kind: GateOp, Gate: g, Ctrl: op.Ctrl, Qubits: qs, Args: args, Pos: op.Pos})
		}
	}
	return d, nil
}

// Compose appends other's operations, mapping other's qubit i to qubits[i] and bit j to
// clbits[j] (nil maps mean identity). Parameters are merged by name.
func (c *Circuit) Compose(other *Circuit, qubits, clbits []int) error {
	if qubits == nil {
		if other.NumQubits > c.NumQubits {
			return fmt.Errorf("compose: %d qubits do not fit in %d", other.NumQubits, c.NumQubits)
		}
		qubits = seq(other.NumQubits)
	}
	if clbits == nil {
		if other.NumClbits > c.NumClbits {
			return fmt.Errorf("compose: %d bits do not fit in %d", other.NumClbits, c.NumClbits)
		}
		clbits = seq(other.NumClbits)
	}
	if len(qubits) != other.NumQubits || len(clbits) != other.NumClbits {
		return fmt.Errorf("compose: maps have %d qubits and %d bits; need %d and %d", len(qubits), len(clbits), other.NumQubits, other.NumClbits)
	}
	for _, p := range other.Params {
		c.DeclareParam(p)
	}
	for i := range other.Ops {
		op := other.Ops[i].clone()
		for k, q := range op.Qubits {
			op.Qubits[k] = qubits[q]
		}
		for k, b := range op.Clbits() {
			op.Clbits()[k] = clbits[b]
		}
		if op.Cond != nil {
			for k, b := range op.Cond.Clbits {
				op.Cond.Clbits[k] = clbits[b]
			}
		}
		if err := c.Append(op); err != nil {
			return fmt.Errorf("compose: %w", err)
		}
	}
	return nil
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// NotRealError reports a gate with complex entries where only real gates are allowed.
type NotRealError struct {
	Gate  string
	Index int // position in Ops
	Pos   Pos
}

// Error describes the gate, where it is, and which gates an adapter may use.
func (e *NotRealError) Error() string {
	return fmt.Sprintf("%sgate %s (operation %d) has complex matrix entries; an adapter for real weights may use only real gates (ry, cry, cz, cx, x, z, h, ch, swap, ccx, cswap, id)",
		e.Pos.Prefix(), e.Gate, e.Index)
}

// CheckReal returns a *NotRealError for the first gate whose matrix is not real for all
// parameters, and an error for measurement, reset or conditions (an orthogonal matrix must
// come from a unitary circuit).
func (c *Circuit) CheckReal() error {
	for i := range c.Ops {
		op := &c.Ops[i]
		if !op.IsUnitary() {
			return fmt.Errorf("%s%s (operation %d) is not unitary; an orthogonal map needs a circuit of gates only", op.Pos.Prefix(), op.Name(), i)
		}
		if op.Kind == GateOp && !op.Gate.Real {
			return &NotRealError{Gate: op.Gate.Name, Index: i, Pos: op.Pos}
		}
	}
	return nil
}

// IsReal reports whether every operation keeps amplitudes real.
func (c *Circuit) IsReal() bool {
	for i := range c.Ops {
		if !c.Ops[i].IsReal() {
			return false
		}
	}
	return true
}

// IsUnitary reports whether the circuit has only unconditional gates and barriers.
func (c *Circuit) IsUnitary() bool {
	for i := range c.Ops {
		if !c.Ops[i].IsUnitary() {
			return false
		}
	}
	return true
}

// CountOps counts operations by name.
func (c *Circuit) CountOps() map[string]int {
	m := map[string]int{}
	for i := range c.Ops {
		m[c.Ops[i].Name()]++
	}
	return m
}

// Depth is the number of layers when each operation starts after the last one on any of its
// qubits (barriers synchronise their qubits but add no layer).
func (c *Circuit) Depth() int {
	level := make([]int, c.NumQubits)
	depth := 0
	for i := range c.Ops {
		op := &c.Ops[i]
		m := 0
		for _, q := range op.Qubits {
			m = max(m, level[q])
		}
		if op.Kind != Barrier {
			m++
		}
		for _, q := range op.Qubits {
			level[q] = m
		}
		depth = max(depth, m)
	}
	return depth
}

// MemoryBytes is the memory a statevector of n qubits needs at the given bytes per
// amplitude (16 for complex128, 8 for float64), or +Inf when it overflows.
func MemoryBytes(n, bytesPerAmp int) float64 {
	return math.Ldexp(float64(bytesPerAmp), n)
}
