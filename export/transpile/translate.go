// Package transpile translates circuits into a target's native gate set (basis translation):
// IBM Heron {rz, sx, x, cz}, IBM Eagle {rz, sx, x, ecr}, Rigetti {rx(±π/2), rx(π), rz, cz},
// IonQ {gpi, gpi2, ms}, or any basis listed from package gates that can express every
// single-qubit rotation and an entangler.
//
// Translation is exact: every rule is an identity of matrices including the global phase,
// which is returned (or emitted as gphase when the basis has it), so a translated circuit
// equals the original up to that phase. Symbolic angles stay symbolic: parameterised
// rotations use affine rules (ry(θ) on Heron becomes sx, rz(θ−π), sx, rz(π)), while gates with
// constant angles go through a numerical Z-Y-Z Euler decomposition. Control modifiers of
// any depth are expanded (Barenco et al. 1995, lemma 7.9). A light optimisation pass then
// cancels adjacent self-inverse pairs, fuses runs of constant single-qubit gates and merges
// adjacent Z rotations; for IonQ the Z rotations are made virtual by shifting the phases of
// the following gpi, gpi2 and ms gates.
//
// Measurements, resets and barriers pass through; conditioned gates are translated gate by
// gate under the same condition.
package transpile

import (
	"fmt"
	"math"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// MaxControls bounds the number of control qubits on one operation; the expansion of a
// multi-controlled gate without ancillas grows exponentially with it.
const MaxControls = 12

// Result is a translated circuit.
type Result struct {
	// Circuit uses only gates of the basis (plus measure, reset and barrier).
	Circuit *circuit.Circuit
	// GlobalPhase γ (an expression in the circuit's parameters) satisfies
	// original = e^{iγ}·Circuit. When the basis contains gphase the phase is already in
	// Circuit and GlobalPhase is 0. Phases of conditioned operations are not included: they
	// are unobservable.
	GlobalPhase circuit.Expr
}

// Translate rewrites c into basis b. Parameters stay symbolic. It fails when b cannot
// express a gate of c (no entangler for a multi-qubit gate, an invalid basis) or an
// operation has more than MaxControls controls.
func Translate(c *circuit.Circuit, b Basis) (*Result, error) {
	f, err := b.family()
	if err != nil {
		return nil, err
	}
	t := &translator{b: b, f: f}
	t.ent, t.entErr = b.entangler()
	for i := range c.Ops {
		op := &c.Ops[i]
		t.cur = op
		if op.Kind != circuit.GateOp {
			t.out = append(t.out, cloneOp(op))
			continue
		}
		g := gop{name: op.Gate.Name, ctrl: int(op.Ctrl), q: append([]int(nil), op.Qubits...)}
		for _, a := range op.Args {
			g.args = append(g.args, linOf(a))
		}
		if err := t.emit(g); err != nil {
			if op.Pos.IsValid() {
				return nil, fmt.Errorf("%s: %s (operation %d): %w", op.Pos, op.Name(), i, err)
			}
			return nil, fmt.Errorf("%s (operation %d): %w", op.Name(), i, err)
		}
	}
	t.cur = nil
	ops := t.out
	ops = cancelPairs(ops)
	ops = t.fuse(ops)
	ops = t.mergeZ(ops)
	if f.z == "vz" {
		ops = t.virtualZ(ops)
	}
	d := &circuit.Circuit{NumQubits: c.NumQubits, NumClbits: c.NumClbits,
		QRegs: append([]circuit.Register(nil), c.QRegs...), CRegs: append([]circuit.Register(nil), c.CRegs...),
		Params: append([]string(nil), c.Params...)}
	phase := t.phase
	if b.Has("gphase") && !phaseZero(phase) {
		ops = append(ops, circuit.Op{Kind: circuit.GateOp, Gate: gates.MustGet("gphase"), Args: []circuit.Expr{phase.expr()}})
		phase = lin{}
	}
	for i := range ops {
		if err := d.Append(ops[i]); err != nil {
			return nil, fmt.Errorf("transpile: internal error: %w", err)
		}
	}
	return &Result{Circuit: d, GlobalPhase: phase.expr()}, nil
}

// phaseZero reports whether a phase is identically 0 modulo 2π.
func phaseZero(p lin) bool {
	if !p.isConst() {
		return false
	}
	r := math.Remainder(p.c, 2*math.Pi)
	return math.Abs(r) <= 1e-15
}

func cloneOp(op *circuit.Op) circuit.Op {
	c := *op
	c.Qubits = append([]int(nil), op.Qubits...)
	c.Args = append([]circuit.Expr(nil), op.Args...)
	c.SetClbits(append([]int(nil), op.Clbits()...))
	if op.Cond != nil {
		cc := *op.Cond
		cc.Clbits = append([]int(nil), op.Cond.Clbits...)
		c.Cond = &cc
	}
	return c
}

// gop is a gate application during translation, with affine arguments.
type gop struct {
	name string
	ctrl int
	q    []int
	args []lin
}

func g1(name string, q int, args ...lin) gop { return gop{name: name, q: []int{q}, args: args} }
func g2(name string, a, b int, args ...lin) gop {
	return gop{name: name, q: []int{a, b}, args: args}
}

// constArgs returns the argument values when all are constant.
func (g gop) constArgs() ([]float64, bool) {
	v := make([]float64, len(g.args))
	for i, a := range g.args {
		if !a.isConst() {
			return nil, false
		}
		v[i] = a.c
	}
	return v, true
}

type translator struct {
	b      Basis
	f      oneQ
	ent    string
	entErr error
	cur    *circuit.Op
	out    []circuit.Op
	phase  lin
	depth  int
}

const maxDepth = 400

func (t *translator) addPhase(p lin) {
	if t.cur != nil && t.cur.Cond != nil {
		return // the phase of a conditioned branch is unobservable
	}
	t.phase = t.phase.add(p, 1)
	t.phase.c = math.Remainder(t.phase.c, 2*math.Pi) // e^{iγ} has period 2π; keep γ small and exact
}

// put appends g as an output operation without checking the basis.
func (t *translator) put(g gop) { t.out = append(t.out, t.mk(g)) }

// emit expresses g in the basis, appending to t.out.
func (t *translator) emit(g gop) error {
	if t.depth > maxDepth {
		return fmt.Errorf("transpile: internal error: decomposing %s does not terminate", g.name)
	}
	t.depth++
	defer func() { t.depth-- }()
	if g.ctrl > 0 {
		return t.controlled(g)
	}
	vals, isConst := g.constArgs()
	if t.b.allows(g.name, vals, !isConst) && !(g.name == "rz" && t.f.z == "vz") {
		t.put(g)
		return nil
	}
	switch g.name {
	case "gphase":
		t.addPhase(g.args[0])
		return nil
	case "id":
		return nil
	}
	gate := gates.MustGet(g.name)
	if gate.Qubits == 1 {
		if isConst {
			return t.synth1(g.q[0], to2(gate.Matrix(vals...)))
		}
		switch g.name {
		case "rz":
			return t.rz(g.q[0], g.args[0])
		case "ry":
			return t.ry(g.q[0], g.args[0])
		}
		seq, ph := rule1(g)
		t.addPhase(ph)
		return t.emitAll(seq)
	}
	if g.name == "cx" {
		return t.cx(g.q[0], g.q[1])
	}
	seq, ph := t.rule2(g, true)
	t.addPhase(ph)
	return t.emitAll(seq)
}

func (t *translator) emitAll(seq []gop) error {
	for _, s := range seq {
		if err := t.emit(s); err != nil {
			return err
		}
	}
	return nil
}

// ---- single-qubit rotations in the basis ----

// z emits Rz(θ) exactly (a phase correction where the basis has only p/u1/U).
func (t *translator) z(q int, th lin) error {
	if th.isConst() {
		r := math.Remainder(th.c, 4*math.Pi)
		if math.Abs(r) <= 1e-15 {
			return nil
		}
		if math.Abs(math.Abs(r)-2*math.Pi) <= 1e-15 { // Rz(2π) = −I
			t.addPhase(linConst(math.Pi))
			return nil
		}
	}
	switch t.f.z {
	case "rz", "vz":
		t.put(g1("rz", q, th))
	case "p", "u1":
		t.put(g1(t.f.z, q, th))
		t.addPhase(th.scale(-0.5))
	case "U", "u":
		t.put(g1(t.f.z, q, linConst(0), linConst(0), th))
		t.addPhase(th.scale(-0.5))
	case "u3":
		t.put(g1("u3", q, linConst(0), linConst(0), th))
	case "xy": // Rz(θ) = Rx(π/2)·Ry(θ)·Rx(−π/2)
		t.put(g1("rx", q, linConst(-math.Pi/2)))
		t.put(g1("ry", q, th))
		t.put(g1("rx", q, linConst(math.Pi/2)))
	default:
		return fmt.Errorf("transpile: internal error: Z family %q", t.f.z)
	}
	return nil
}

// rz emits rz(θ) for symbolic or constant θ.
func (t *translator) rz(q int, th lin) error { return t.z(q, th) }

// ry emits ry(θ).
func (t *translator) ry(q int, th lin) error {
	if th.isConst() {
		return t.synth1(q, to2(gates.MustGet("ry").Matrix(th.c)))
	}
	pi := math.Pi
	switch t.f.x {
	case "ry":
		t.put(g1("ry", q, th))
	case "rx": // Ry(θ) = Rz(π/2)·Rx(θ)·Rz(−π/2)
		if err := t.z(q, linConst(-pi/2)); err != nil {
			return err
		}
		t.put(g1("rx", q, th))
		return t.z(q, linConst(pi/2))
	case "sx": // Ry(θ) = e^{−iπ/2}·Rz(π)·SX·Rz(θ−π)·SX, as SX = e^{iπ/4}·Rx(π/2)
		t.put(g1("sx", q))
		if err := t.z(q, th.plus(-pi)); err != nil {
			return err
		}
		t.put(g1("sx", q))
		t.addPhase(linConst(-pi / 2))
		return t.z(q, linConst(pi))
	case "rx90": // Ry(θ) = Rx(−π/2)·Rz(θ)·Rx(π/2)
		t.put(g1("rx", q, linConst(pi/2)))
		if err := t.z(q, th); err != nil {
			return err
		}
		t.put(g1("rx", q, linConst(-pi/2)))
	case "gpi2": // gpi2(0) = Rx(π/2), gpi2(π) = Rx(−π/2)
		t.put(g1("gpi2", q, linConst(0)))
		if err := t.z(q, th); err != nil {
			return err
		}
		t.put(g1("gpi2", q, linConst(pi)))
	case "h": // Ry(θ) = Rz(π/2)·H·Rz(θ)·H·Rz(−π/2)
		if err := t.z(q, linConst(-pi/2)); err != nil {
			return err
		}
		t.put(g1("h", q))
		if err := t.z(q, th); err != nil {
			return err
		}
		t.put(g1("h", q))
		return t.z(q, linConst(pi/2))
	case "U", "u", "u3":
		t.put(g1(t.f.x, q, th, linConst(0), linConst(0)))
	default:
		return fmt.Errorf("transpile: internal error: X family %q", t.f.x)
	}
	return nil
}

// synth1 emits a constant single-qubit unitary u in the basis; the phase is computed from
// the emitted product, so the result equals u exactly up to rounding.
func (t *translator) synth1(q int, u [4]complex128) error {
	seq := t.synthSeq(q, u)
	p := ident2
	for _, s := range seq {
		vals, _ := s.constArgs()
		p = mul2(to2(gates.MustGet(s.name).Matrix(vals...)), p)
	}
	for _, s := range seq {
		t.put(s)
	}
	t.addPhase(linConst(residualPhase(u, p)))
	return nil
}

// synthSeq returns gates of the basis (raw rz for the virtual-Z family) whose product is u
// up to a global phase.
func (t *translator) synthSeq(q int, u [4]complex128) []gop {
	_, a, b, c := zyz(u)
	pi := math.Pi
	var seq []gop
	z := func(th float64) {
		th = wrapAngle(th)
		if th == 0 {
			return
		}
		switch t.f.z {
		case "rz", "vz":
			seq = append(seq, g1("rz", q, linConst(th)))
		case "p", "u1":
			seq = append(seq, g1(t.f.z, q, linConst(th)))
		case "U", "u", "u3":
			seq = append(seq, g1(t.f.z, q, linConst(0), linConst(0), linConst(th)))
		case "xy":
			seq = append(seq, g1("rx", q, linConst(-pi/2)), g1("ry", q, linConst(th)), g1("rx", q, linConst(pi/2)))
		}
	}
	b = snap(b)
	if near(b, 0) {
		z(a + c)
		return seq
	}
	switch t.f.x {
	case "U", "u", "u3":
		return []gop{g1(t.f.x, q, linConst(b), linConst(wrapAngle(a)), linConst(wrapAngle(c)))}
	case "ry":
		z(c)
		seq = append(seq, g1("ry", q, linConst(b)))
		z(a)
	case "rx": // Rz(a)·Ry(b)·Rz(c) = Rz(a+π/2)·Rx(b)·Rz(c−π/2)
		z(c - pi/2)
		seq = append(seq, g1("rx", q, linConst(b)))
		z(a + pi/2)
	case "h":
		z(c - pi/2)
		seq = append(seq, g1("h", q))
		z(b)
		seq = append(seq, g1("h", q))
		z(a + pi/2)
	default: // sx, rx90, gpi2: an X90 gate and perhaps an X180 gate
		var x90, x180 []gop
		switch t.f.x {
		case "sx":
			x90 = []gop{g1("sx", q)}
			if t.b.Has("x") {
				x180 = []gop{g1("x", q)}
			}
		case "rx90":
			x90 = []gop{g1("rx", q, linConst(pi/2))}
			if t.b.allows("rx", []float64{pi}, false) {
				x180 = []gop{g1("rx", q, linConst(pi))}
			}
		case "gpi2":
			x90 = []gop{g1("gpi2", q, linConst(0))}
			if t.b.Has("gpi") {
				x180 = []gop{g1("gpi", q, linConst(0))}
			}
		}
		switch {
		case near(b, pi/2): // Ry(π/2) = Rz(π/2)·Rx(π/2)·Rz(−π/2)
			z(c - pi/2)
			seq = append(seq, x90...)
			z(a + pi/2)
		case near(b, pi) && x180 != nil: // Ry(π) = Rz(π/2)·Rx(π)·Rz(−π/2), Rx(π) ∝ X180
			z(c - pi/2)
			seq = append(seq, x180...)
			z(a + pi/2)
		default: // Ry(b) = Rz(π)·X90·Rz(b−π)·X90
			z(c)
			seq = append(seq, x90...)
			z(b - pi)
			seq = append(seq, x90...)
			z(a + pi)
		}
	}
	return seq
}

// cx emits cx(c, t) through the basis's entangler.
func (t *translator) cx(c, tg int) error {
	if t.entErr != nil {
		return t.entErr
	}
	pi := math.Pi
	h := func(q int) gop { return g1("h", q) }
	var seq []gop
	var direct gop
	switch t.ent {
	case "cx":
		t.put(g2("cx", c, tg))
		return nil
	case "cz":
		direct = g2("cz", c, tg)
		seq = []gop{h(tg), {}, h(tg)}
	case "cp":
		direct = g2("cp", c, tg, linConst(pi))
		seq = []gop{h(tg), {}, h(tg)}
	case "cy": // CX = S†·CY·S on the target
		direct = g2("cy", c, tg)
		seq = []gop{g1("s", tg), {}, g1("sdg", tg)}
	case "ecr": // CX = e^{iπ/4}·(S†X ⊗ SX†)·ECR
		direct = g2("ecr", c, tg)
		seq = []gop{{}, g1("x", c), g1("sdg", c), g1("sxdg", tg)}
		t.addPhase(linConst(pi / 4))
	case "rzz": // CZ = e^{iπ/4}·Rz(π/2)⊗Rz(π/2)·Rzz(−π/2)
		direct = g2("rzz", c, tg, linConst(-pi/2))
		seq = []gop{h(tg), g1("rz", c, linConst(pi/2)), g1("rz", tg, linConst(pi/2)), {}, h(tg)}
		t.addPhase(linConst(pi / 4))
	case "rxx", "ms": // as rzz, with Rzz(−π/2) = H⊗H·Rxx(−π/2)·H⊗H and Rxx(−π/2) = MS(π,0,π/2)
		if t.ent == "rxx" {
			direct = g2("rxx", c, tg, linConst(-pi/2))
		} else {
			direct = g2("ms", c, tg, linConst(pi), linConst(0), linConst(pi/2))
		}
		seq = []gop{h(tg), g1("rz", c, linConst(pi/2)), g1("rz", tg, linConst(pi/2)), h(c), h(tg), {}, h(c), h(tg), h(tg)}
		t.addPhase(linConst(pi / 4))
	default:
		return fmt.Errorf("transpile: internal error: entangler %q", t.ent)
	}
	for _, s := range seq {
		if s.name == "" {
			t.put(direct)
			continue
		}
		if err := t.emit(s); err != nil {
			return err
		}
	}
	return nil
}
