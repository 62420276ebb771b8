package qasm

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/qasm/ast"
)

// PrintOptions controls Print. The zero value writes standard OpenQASM 3; the fields after
// Version write a provider's dialect of OpenQASM 3 (package export uses them for Amazon
// Braket's).
type PrintOptions struct {
	// Version is the OpenQASM major version to write: 3 (the default when 0) or 2.
	Version int
	// GateNames renames gates in the output (for example cx to cnot). A renamed gate is
	// taken to be built into the target: it gets no definition.
	GateNames map[string]string
	// OmitInclude leaves out the include line (the target has its gates built in); a blank
	// line separates the version line from the declarations instead.
	OmitInclude bool
	// Verbatim, when not empty, writes a program on physical qubits: qubit k is $k, no qubit
	// register is declared, and the gates are wrapped in `#pragma <Verbatim>` and a box, after
	// which come the measurements (OpenQASM 3 only). Every measurement must follow every gate,
	// and there may be no reset, barrier or condition.
	Verbatim string
	// TightProducts writes *, / and ** without spaces around them (a*b, pi/2, x**2), the style
	// of package qasm/printer.
	TightProducts bool
}

// Fprint writes c as an OpenQASM program to w. See Print.
func Fprint(w io.Writer, c *circuit.Circuit, opts PrintOptions) error {
	b, err := Print(c, opts)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Print renders c as an OpenQASM program that reads back (with Parse) to an equivalent
// circuit.
//
// OpenQASM 3 (the default) writes include "stdgates.inc", an input declaration for every
// unbound parameter (parameters named like t[0], t[1], … become one input array), qubit and
// bit registers as the circuit names them, ctrl(k) @ for controlled operations, and
// if (…) for conditions. Gates of qpeft's vocabulary that stdgates.inc lacks (sxdg, u, cu1,
// cu3, rxx, ryy, rzz, iswap, ecr, gpi, gpi2, ms) are defined at the top with exact gate
// definitions, global phase included, so they stay exact under ctrl @.
//
// OpenQASM 2 needs every parameter bound (the error names the unbound ones), includes
// qelib1.inc, defines iswap, ecr, ryy, gpi, gpi2 and ms (up to a global phase, which
// OpenQASM 2 cannot express) and drops uncontrolled gphase operations (writing a comment).
// Controlled operations are written as the qelib1.inc gate that is exactly that controlled
// gate (ctrl @ x → cx, ctrl(2) @ x → ccx, ctrl @ ry → cry, ctrl @ U → cu, ctrl @ gphase → u1,
// …); one with no such gate is an error that says to print OpenQASM 3. Conditions must test
// a whole classical register.
func Print(c *circuit.Circuit, opts PrintOptions) ([]byte, error) {
	v := opts.Version
	if v == 0 {
		v = 3
	}
	if v != 2 && v != 3 {
		return nil, fmt.Errorf("qasm: print: version must be 2 or 3, got %d", v)
	}
	if v == 2 && opts.Verbatim != "" {
		return nil, fmt.Errorf("qasm: print: a verbatim box needs OpenQASM 3, not 2")
	}
	p := &cprinter{c: c, v: v, opts: opts}
	if err := p.run(); err != nil {
		return nil, fmt.Errorf("qasm: print OpenQASM %d: %w", v, err)
	}
	return p.buf.Bytes(), nil
}

type cprinter struct {
	c      *circuit.Circuit
	v      int
	opts   PrintOptions
	buf    bytes.Buffer
	indent string   // written before each operation
	qname  []string // name of each qubit, e.g. "q[3]"
	cname  []string
	qregs  []circuit.Register
	cregs  []circuit.Register
	taken  map[string]bool
}

// stdgates3 are the vocabulary gates OpenQASM 3 programs can use without a definition.
var stdgates3 = func() map[string]bool {
	m := map[string]bool{"U": true, "gphase": true}
	for _, g := range stdgatesNative {
		m[g] = true
	}
	return m
}()

var qelib2 = func() map[string]bool {
	m := map[string]bool{"U": true}
	for _, g := range qelib1Native {
		m[g] = true
	}
	return m
}()

var identRE = regexp.MustCompile(`^[\p{L}_][\p{L}\p{Nl}_0-9]*$`)
var ident2RE = regexp.MustCompile(`^[a-z][A-Za-z0-9_]*$`)
var arrayElemRE = regexp.MustCompile(`^([\p{L}_][\p{L}\p{Nl}_0-9]*)\[([0-9]+)\]$`)

func (p *cprinter) validName(n string) bool {
	re := identRE
	if p.v == 2 {
		re = ident2RE
	}
	if !re.MatchString(n) || ast.Lookup(n, p.v) != ast.IDENT {
		return false
	}
	switch n {
	case "pi", "π", "tau", "τ", "euler", "ℇ", "U", "CX", "gphase":
		return false
	}
	return !stdgates3[n] && !qelib2[n] && oq3Defs[n] == "" && stdgatesNative[n] == "" && qelib1Native[n] == ""
}

// validParam reports whether n can name an input. Inputs may share a name with a gate
// (qpeft keeps gates and variables apart), but not with a keyword or constant.
func (p *cprinter) validParam(n string) bool {
	if !identRE.MatchString(n) || ast.Lookup(n, 3) != ast.IDENT {
		return false
	}
	switch n {
	case "pi", "π", "tau", "τ", "euler", "ℇ":
		return false
	}
	return true
}

func (p *cprinter) fresh(base string) string {
	if !p.taken[base] {
		p.taken[base] = true
		return base
	}
	for i := 0; ; i++ {
		n := base + strconv.Itoa(i)
		if !p.taken[n] {
			p.taken[n] = true
			return n
		}
	}
}

// registers lays out named registers, falling back to one register when the circuit's
// registers do not partition its qubits (or bits) in order or have unusable names.
func (p *cprinter) registers(regs []circuit.Register, n int, base string) ([]circuit.Register, []string) {
	ok := true
	next := 0
	seen := map[string]bool{}
	for _, r := range regs {
		if r.Size == 0 {
			continue
		}
		if r.Start != next || r.Size < 0 || !p.validName(r.Name) || seen[r.Name] || p.taken[r.Name] {
			ok = false
			break
		}
		seen[r.Name] = true
		next += r.Size
	}
	if next != n {
		ok = false
	}
	var out []circuit.Register
	if ok {
		for _, r := range regs {
			if r.Size > 0 {
				out = append(out, r)
				p.taken[r.Name] = true
			}
		}
	} else if n > 0 {
		out = []circuit.Register{{Name: p.fresh(base), Start: 0, Size: n}}
	}
	names := make([]string, n)
	for _, r := range out {
		for i := 0; i < r.Size; i++ {
			names[r.Start+i] = r.Name + "[" + strconv.Itoa(i) + "]"
		}
	}
	return out, names
}

type inputDecl struct {
	name  string
	array int // 0 for a scalar; the array length otherwise
}

func (p *cprinter) run() error {
	c := p.c
	p.taken = map[string]bool{}
	// Parameters.
	var inputs []inputDecl
	if p.v == 2 {
		if len(c.Params) > 0 {
			return fmt.Errorf("OpenQASM 2 has no run-time parameters, but the circuit has unbound parameters %s; bind them first (Circuit.Bind, or qpeft --param name=value), or print OpenQASM 3", strings.Join(c.Params, ", "))
		}
	} else {
		arrays := map[string]int{}
		scalars := map[string]bool{}
		for _, name := range c.Params {
			if m := arrayElemRE.FindStringSubmatch(name); m != nil {
				i, err := strconv.Atoi(m[2])
				if err != nil || i > 1<<24 {
					return fmt.Errorf("parameter %q: index too large for an input array", name)
				}
				if _, ok := arrays[m[1]]; !ok {
					inputs = append(inputs, inputDecl{name: m[1], array: -1})
				}
				arrays[m[1]] = max(arrays[m[1]], i+1)
				continue
			}
			if !p.validParam(name) {
				return fmt.Errorf("parameter %q is not a valid OpenQASM identifier (or is a keyword or built-in constant); rename it", name)
			}
			scalars[name] = true
			inputs = append(inputs, inputDecl{name: name})
		}
		for i, in := range inputs {
			if in.array != 0 {
				if scalars[in.name] {
					return fmt.Errorf("parameters %q and %s[…] clash: an input cannot be both a scalar and an array", in.name, in.name)
				}
				if !p.validParam(in.name) {
					return fmt.Errorf("parameters %s[…]: %q is not a valid OpenQASM identifier (or is a keyword or built-in constant)", in.name, in.name)
				}
				inputs[i].array = arrays[in.name]
			}
			p.taken[in.name] = true
		}
	}
	p.qregs, p.qname = p.registers(c.QRegs, c.NumQubits, "q")
	p.cregs, p.cname = p.registers(c.CRegs, c.NumClbits, "c")

	// Which gates need definitions?
	need := map[string]bool{}
	for i := range c.Ops {
		op := &c.Ops[i]
		if op.Kind != circuit.GateOp {
			continue
		}
		name := op.Gate.Name
		if _, ok := p.opts.GateNames[name]; ok {
			continue // built into the target
		}
		if p.v == 3 && !stdgates3[name] {
			if oq3Defs[name] == "" {
				return fmt.Errorf("gate %s has no OpenQASM 3 definition", name)
			}
			need[name] = true
		}
		if p.v == 2 && op.Ctrl == 0 && !qelib2[name] && name != "gphase" {
			if oq2Defs[name] == "" {
				return fmt.Errorf("gate %s has no OpenQASM 2 definition", name)
			}
			need[name] = true
		}
	}

	switch {
	case p.opts.OmitInclude:
		fmt.Fprintf(&p.buf, "OPENQASM %d.0;\n\n", p.v)
	case p.v == 3:
		p.buf.WriteString("OPENQASM 3.0;\ninclude \"stdgates.inc\";\n")
	default:
		p.buf.WriteString("OPENQASM 2.0;\ninclude \"qelib1.inc\";\n")
	}
	defs := oq3Defs
	if p.v == 2 {
		defs = oq2Defs
	}
	for _, n := range sortedKeys(need) {
		p.buf.WriteString(defs[n] + "\n")
	}
	for _, in := range inputs {
		if in.array > 0 {
			fmt.Fprintf(&p.buf, "input array[float[64], %d] %s;\n", in.array, in.name)
		} else {
			fmt.Fprintf(&p.buf, "input float[64] %s;\n", in.name)
		}
	}
	if p.opts.Verbatim != "" {
		p.qregs = nil
		for i := range p.qname {
			p.qname[i] = "$" + strconv.Itoa(i)
		}
	}
	for _, r := range p.qregs {
		if p.v == 3 {
			fmt.Fprintf(&p.buf, "qubit[%d] %s;\n", r.Size, r.Name)
		} else {
			fmt.Fprintf(&p.buf, "qreg %s[%d];\n", r.Name, r.Size)
		}
	}
	for _, r := range p.cregs {
		if p.v == 3 {
			fmt.Fprintf(&p.buf, "bit[%d] %s;\n", r.Size, r.Name)
		} else {
			fmt.Fprintf(&p.buf, "creg %s[%d];\n", r.Name, r.Size)
		}
	}
	if p.opts.Verbatim != "" {
		return p.verbatim()
	}
	for i := range c.Ops {
		if err := p.op(&c.Ops[i], i); err != nil {
			return err
		}
	}
	return nil
}

// verbatim writes the gates in a box under the pragma, then the measurements.
func (p *cprinter) verbatim() error {
	fmt.Fprintf(&p.buf, "#pragma %s\nbox {", p.opts.Verbatim)
	measured, gates := false, false
	for i := range p.c.Ops {
		op := &p.c.Ops[i]
		switch {
		case op.Kind == circuit.Measure && op.Cond == nil:
			measured = true
			continue
		case op.Kind != circuit.GateOp || op.Cond != nil:
			return fmt.Errorf("operation %d (%s): a verbatim box holds gates only, with the measurements after it", i, op.Name())
		case measured:
			return fmt.Errorf("operation %d (%s): a verbatim box cannot follow a measurement: measure at the end", i, op.Name())
		}
		if !gates {
			p.buf.WriteByte('\n')
			gates = true
		}
		p.indent = "    "
		if err := p.op(op, i); err != nil {
			return err
		}
	}
	p.indent = ""
	p.buf.WriteString("}\n")
	for i := range p.c.Ops {
		if op := &p.c.Ops[i]; op.Kind == circuit.Measure {
			if err := p.op(op, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// line writes one line of the program body at the current indentation.
func (p *cprinter) line(format string, args ...any) {
	p.buf.WriteString(p.indent)
	fmt.Fprintf(&p.buf, format, args...)
	p.buf.WriteByte('\n')
}

func (p *cprinter) qubits(qs []int) (string, error) {
	parts := make([]string, len(qs))
	for i, q := range qs {
		if q < 0 || q >= len(p.qname) {
			return "", fmt.Errorf("qubit %d out of range", q)
		}
		parts[i] = p.qname[q]
	}
	return strings.Join(parts, ", "), nil
}

func (p *cprinter) cond(cd *circuit.Cond, where string) (string, error) {
	if cd == nil {
		return "", nil
	}
	for _, b := range cd.Clbits {
		if b < 0 || b >= len(p.cname) {
			return "", fmt.Errorf("%s: condition bit %d out of range", where, b)
		}
	}
	// A whole register, in order?
	for _, r := range p.cregs {
		if r.Size != len(cd.Clbits) {
			continue
		}
		whole := true
		for i, b := range cd.Clbits {
			if b != r.Start+i {
				whole = false
				break
			}
		}
		if whole {
			if p.v == 2 {
				return fmt.Sprintf("if(%s==%s) ", r.Name, cd.ValueString()), nil
			}
			return fmt.Sprintf("if (%s == %s) ", r.Name, cd.ValueString()), nil
		}
	}
	if p.v == 2 {
		return "", fmt.Errorf("%s: OpenQASM 2 can only test a whole classical register (if(c==n)), but this condition tests bits %v; print OpenQASM 3", where, cd.Clbits)
	}
	parts := make([]string, len(cd.Clbits))
	for i, b := range cd.Clbits {
		parts[i] = fmt.Sprintf("%s == %d", p.cname[b], cd.Bit(i))
	}
	return "if (" + strings.Join(parts, " && ") + ") ", nil
}

// oq2Controlled maps (gate, controls) to the qelib1.inc gate that is exactly the controlled
// gate, with a parameter rewrite when needed.
func oq2Controlled(name string, ctrl int) (string, func([]string) []string) {
	id := func(a []string) []string { return a }
	type key struct {
		g string
		k int
	}
	m := map[key]string{
		{"x", 1}: "cx", {"x", 2}: "ccx", {"x", 3}: "c3x", {"x", 4}: "c4x",
		{"cx", 1}: "ccx", {"cx", 2}: "c3x", {"cx", 3}: "c4x", {"ccx", 1}: "c3x", {"ccx", 2}: "c4x",
		{"y", 1}: "cy", {"z", 1}: "cz", {"h", 1}: "ch", {"p", 1}: "cp", {"u1", 1}: "cu1",
		{"rx", 1}: "crx", {"ry", 1}: "cry", {"rz", 1}: "crz", {"sx", 1}: "csx", {"sx", 3}: "c3sqrtx",
		{"swap", 1}: "cswap",
	}
	if g, ok := m[key{name, ctrl}]; ok {
		return g, id
	}
	switch {
	case (name == "U" || name == "u") && ctrl == 1:
		return "cu", func(a []string) []string { return append(a, "0") }
	case name == "u3" && ctrl == 1:
		// u3 = e^{−i(φ+λ)/2}·U, so ctrl @ u3 = cu(θ, φ, λ, −(φ+λ)/2).
		return "cu", func(a []string) []string { return append(a, "-("+a[1]+" + "+a[2]+")/2") }
	case name == "u2" && ctrl == 1:
		return "cu", func(a []string) []string {
			return []string{"pi/2", a[0], a[1], "-(" + a[0] + " + " + a[1] + ")/2"}
		}
	case name == "gphase" && ctrl == 1:
		return "u1", id
	case name == "gphase" && ctrl == 2:
		return "cu1", id
	case name == "id":
		return "id", id
	}
	return "", nil
}

func (p *cprinter) op(op *circuit.Op, i int) error {
	where := fmt.Sprintf("operation %d (%s)", i, op.Name())
	if op.Pos.IsValid() {
		where += " at " + op.Pos.String()
	}
	cond, err := p.cond(op.Cond, where)
	if err != nil {
		return err
	}
	switch op.Kind {
	case circuit.Measure:
		if len(op.Qubits) != len(op.Clbits()) {
			return fmt.Errorf("%s: %d qubits but %d bits", where, len(op.Qubits), len(op.Clbits()))
		}
		for j := range op.Qubits {
			q, err := p.qubits(op.Qubits[j : j+1])
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			b := op.Clbits()[j]
			if b < 0 || b >= len(p.cname) {
				return fmt.Errorf("%s: bit %d out of range", where, b)
			}
			if p.v == 3 {
				p.line("%s%s = measure %s;", cond, p.cname[b], q)
			} else {
				p.line("%smeasure %s -> %s;", cond, q, p.cname[b])
			}
		}
		return nil
	case circuit.Reset:
		for _, q := range op.Qubits {
			s, err := p.qubits([]int{q})
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			p.line("%sreset %s;", cond, s)
		}
		return nil
	case circuit.Barrier:
		if len(op.Qubits) == 0 {
			return nil
		}
		s, err := p.qubits(op.Qubits)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		p.line("barrier %s;", s)
		return nil
	case circuit.GateOp:
	default:
		return fmt.Errorf("%s: unknown operation kind", where)
	}
	if op.Gate == nil {
		return fmt.Errorf("%s: no gate", where)
	}
	args := make([]string, len(op.Args))
	for j, a := range op.Args {
		s, err := p.angle(a)
		if err != nil {
			return fmt.Errorf("%s, parameter %d: %w", where, j+1, err)
		}
		args[j] = s
	}
	qs, err := p.qubits(op.Qubits)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	name := op.Gate.Name
	if n, ok := p.opts.GateNames[name]; ok {
		name = n
	}
	if p.v == 2 {
		if op.Ctrl > 0 {
			g, rewrite := oq2Controlled(name, int(op.Ctrl))
			if g == "" {
				return fmt.Errorf("%s: OpenQASM 2 cannot express %s: qelib1.inc has no gate for it; print OpenQASM 3 (ctrl @), or decompose the circuit first", where, ctrlText(op))
			}
			if name == "id" {
				qs, _ = p.qubits(op.Qubits[op.Ctrl:])
			}
			name, args = g, rewrite(args)
		} else if name == "gphase" {
			p.line("// gphase(%s) omitted: a global phase is unobservable and OpenQASM 2 cannot express it", args[0])
			return nil
		}
		p.line("%s%s%s %s;", cond, name, argList(args), qs)
		return nil
	}
	mod := ""
	switch {
	case op.Ctrl == 1:
		mod = "ctrl @ "
	case op.Ctrl > 1:
		mod = fmt.Sprintf("ctrl(%d) @ ", op.Ctrl)
	}
	if len(op.Qubits) == 0 {
		p.line("%s%s%s%s;", cond, mod, name, argList(args))
	} else {
		p.line("%s%s%s%s %s;", cond, mod, name, argList(args), qs)
	}
	return nil
}

func ctrlText(op *circuit.Op) string {
	if op.Ctrl == 1 {
		return "ctrl @ " + op.Gate.Name
	}
	return fmt.Sprintf("ctrl(%d) @ %s", op.Ctrl, op.Gate.Name)
}

func argList(a []string) string {
	if len(a) == 0 {
		return ""
	}
	return "(" + strings.Join(a, ", ") + ")"
}

// angle renders an argument. Constant expressions print as one exact number.
func (p *cprinter) angle(e circuit.Expr) (string, error) {
	if e == nil {
		return "", fmt.Errorf("missing expression")
	}
	if len(circuit.Symbols(e)) == 0 {
		v, err := circuit.Eval(e, nil)
		if err != nil {
			return "", err
		}
		return p.number(v)
	}
	return p.expr(e)
}

func (p *cprinter) number(v float64) (string, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", fmt.Errorf("the value %v is not a finite number", v)
	}
	s := circuit.FormatAngle(v)
	if p.v == 2 && strings.ContainsAny(s, "e") && !strings.Contains(s, ".") {
		// OpenQASM 2 reals need a decimal point: 1e+20 → 1.0e+20.
		i := strings.IndexByte(s, 'e')
		s = s[:i] + ".0" + s[i:]
	}
	return s, nil
}

const (
	precAdd = 1
	precMul = 2
	precNeg = 3
	precPow = 4
	precTop = 5
)

// expr renders a symbolic expression in OpenQASM 3 syntax so that it reads back to the same
// tree: operands of the same precedence on the right are parenthesised (floating-point
// addition is not associative), and constants inside expressions carry a decimal point (so
// that 1/2 is not integer division).
func (p *cprinter) expr(e circuit.Expr) (string, error) {
	s, _, err := p.exprPrec(e)
	return s, err
}

func (p *cprinter) exprPrec(e circuit.Expr) (string, int, error) {
	switch e := e.(type) {
	case circuit.Const:
		s, err := p.number(e.V)
		if err != nil {
			return "", 0, err
		}
		if isPlainNumber(s) {
			if !strings.ContainsAny(s, ".e") {
				s += ".0"
			}
			return s, precTop, nil
		}
		return "(" + s + ")", precTop, nil
	case circuit.Sym:
		if !arrayElemRE.MatchString(e.Name) && !p.validParam(e.Name) {
			return "", 0, fmt.Errorf("parameter %q is not a valid OpenQASM identifier", e.Name)
		}
		return e.Name, precTop, nil
	case circuit.Neg:
		x, xp, err := p.exprPrec(e.X)
		if err != nil {
			return "", 0, err
		}
		if xp < precTop {
			x = "(" + x + ")"
		}
		return "-" + x, precNeg, nil
	case circuit.Call:
		fn := e.Fn
		switch fn {
		case "ln":
			fn = "log"
		case "asin", "acos", "atan":
			fn = "arc" + fn[1:]
		}
		if _, ok := circuit.Functions[e.Fn]; !ok {
			return "", 0, fmt.Errorf("unknown function %q", e.Fn)
		}
		a, _, err := p.exprPrec(e.Arg)
		if err != nil {
			return "", 0, err
		}
		return fn + "(" + a + ")", precTop, nil
	case circuit.Binary:
		var prec int
		op := string(e.Op)
		switch e.Op {
		case '+', '-':
			prec = precAdd
		case '*', '/':
			prec = precMul
		case '^':
			prec, op = precPow, "**"
		default:
			return "", 0, fmt.Errorf("unknown operator %q", e.Op)
		}
		x, xp, err := p.exprPrec(e.X)
		if err != nil {
			return "", 0, err
		}
		y, yp, err := p.exprPrec(e.Y)
		if err != nil {
			return "", 0, err
		}
		if xp < prec || (e.Op == '^' && xp <= prec) {
			x = "(" + x + ")"
		}
		if yp < prec || (yp == prec && e.Op != '^') || yp == precNeg {
			y = "(" + y + ")"
		}
		if p.opts.TightProducts && prec >= precMul {
			return x + op + y, prec, nil
		}
		return x + " " + op + " " + y, prec, nil
	}
	return "", 0, fmt.Errorf("unknown expression %T", e)
}

func isPlainNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(unicode.IsDigit(r) || r == '.' || r == 'e' || r == '+' || r == '-') {
			return false
		}
	}
	return s[0] != '-'
}

var _ = sort.Strings
