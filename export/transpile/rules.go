package transpile

import (
	"fmt"
	"math"

	"github.com/qpeft/qpeft/gates"
)

// The rules below are exact matrix identities, global phase included (the phase is the
// second result). Sequences are in application (time) order: the first gate acts first.
// rules_test.go checks every one of them against the gate matrices for random angles.

func c0() lin           { return linConst(0) }
func cst(v float64) lin { return linConst(v) }

// rule1 decomposes a single-qubit gate into rz, ry and constant gates.
func rule1(g gop) ([]gop, lin) {
	q := g.q[0]
	a := g.args
	pi := math.Pi
	switch g.name {
	case "rz", "ry":
		return []gop{g}, lin{}
	case "rx": // Rx(θ) = Rz(−π/2)·Ry(θ)·Rz(π/2)
		return []gop{g1("rz", q, cst(pi/2)), g1("ry", q, a[0]), g1("rz", q, cst(-pi/2))}, lin{}
	case "p", "u1": // p(λ) = e^{iλ/2}·Rz(λ)
		return []gop{g1("rz", q, a[0])}, a[0].scale(0.5)
	case "U", "u": // U(θ,φ,λ) = e^{i(φ+λ)/2}·Rz(φ)·Ry(θ)·Rz(λ)
		return []gop{g1("rz", q, a[2]), g1("ry", q, a[0]), g1("rz", q, a[1])}, a[1].add(a[2], 1).scale(0.5)
	case "u3":
		return []gop{g1("rz", q, a[2]), g1("ry", q, a[0]), g1("rz", q, a[1])}, lin{}
	case "u2":
		return []gop{g1("rz", q, a[1]), g1("ry", q, cst(pi/2)), g1("rz", q, a[0])}, lin{}
	case "gpi": // GPI(φ) = Rz(φ)·X·Rz(−φ)
		return []gop{g1("rz", q, a[0].scale(-1)), g1("x", q), g1("rz", q, a[0])}, lin{}
	case "gpi2": // GPI2(φ) = Rz(φ)·Rx(π/2)·Rz(−φ)
		return []gop{g1("rz", q, a[0].scale(-1)), g1("rx", q, cst(pi/2)), g1("rz", q, a[0])}, lin{}
	}
	// Constant gates: numerical Z-Y-Z with the exact phase.
	vals, ok := g.constArgs()
	if !ok {
		panic("transpile: no symbolic rule for " + g.name)
	}
	u := to2(gates.MustGet(g.name).Matrix(vals...))
	_, za, yb, zc := zyz(u)
	za, yb, zc = snap(za), snap(yb), snap(zc)
	p := mul2(to2(gates.MustGet("rz").Matrix(za)), mul2(to2(gates.MustGet("ry").Matrix(yb)), to2(gates.MustGet("rz").Matrix(zc))))
	var seq []gop
	if zc != 0 {
		seq = append(seq, g1("rz", q, cst(zc)))
	}
	if yb != 0 {
		seq = append(seq, g1("ry", q, cst(yb)))
	}
	if za != 0 {
		seq = append(seq, g1("rz", q, cst(za)))
	}
	return seq, cst(residualPhase(u, p))
}

// ccxSeq is the standard 6-CNOT Toffoli (Nielsen & Chuang fig. 4.9).
func ccxSeq(a, b, c int) []gop {
	t := func(q int) gop { return g1("t", q) }
	td := func(q int) gop { return g1("tdg", q) }
	return []gop{
		g1("h", c), g2("cx", b, c), td(c), g2("cx", a, c), t(c), g2("cx", b, c), td(c), g2("cx", a, c),
		t(b), t(c), g1("h", c), g2("cx", a, b), t(a), td(b), g2("cx", a, b),
	}
}

// rule2 decomposes a multi-qubit gate (no control modifier) into cx and single-qubit gates.
// With native set, it may use the basis's own gates (rxx as ms); under a control modifier it
// must not, or rxx and ms would expand into each other forever.
func (t *translator) rule2(g gop, native bool) ([]gop, lin) {
	q := g.q
	a := g.args
	pi := math.Pi
	switch g.name {
	case "cz":
		return []gop{g1("h", q[1]), g2("cx", q[0], q[1]), g1("h", q[1])}, lin{}
	case "cy": // CY = S·CX·S† on the target
		return []gop{g1("sdg", q[1]), g2("cx", q[0], q[1]), g1("s", q[1])}, lin{}
	case "ch": // CH = Ry(π/4)·CZ·Ry(−π/4) on the target, since H = Ry(π/4)·Z·Ry(−π/4)
		return []gop{g1("ry", q[1], cst(-pi/4)), g2("cz", q[0], q[1]), g1("ry", q[1], cst(pi/4))}, lin{}
	case "cp", "cu1":
		if native && t.b.Has("cp") && g.name == "cu1" {
			return []gop{g2("cp", q[0], q[1], a[0])}, lin{}
		}
		if native && t.b.Has("cu1") && g.name == "cp" {
			return []gop{g2("cu1", q[0], q[1], a[0])}, lin{}
		}
		h := a[0].scale(0.5)
		return []gop{g1("p", q[0], h), g2("cx", q[0], q[1]), g1("p", q[1], h.scale(-1)), g2("cx", q[0], q[1]), g1("p", q[1], h)}, lin{}
	case "crz":
		h := a[0].scale(0.5)
		return []gop{g1("rz", q[1], h), g2("cx", q[0], q[1]), g1("rz", q[1], h.scale(-1)), g2("cx", q[0], q[1])}, lin{}
	case "cry":
		h := a[0].scale(0.5)
		return []gop{g1("ry", q[1], h), g2("cx", q[0], q[1]), g1("ry", q[1], h.scale(-1)), g2("cx", q[0], q[1])}, lin{}
	case "crx": // C(Rx) = Rz(−π/2)·C(Ry)·Rz(π/2) on the target
		return []gop{g1("rz", q[1], cst(pi/2)), g2("cry", q[0], q[1], a[0]), g1("rz", q[1], cst(-pi/2))}, lin{}
	case "cu", "cu3":
		// C(e^{iγ}U(θ,φ,λ)) = p(γ+(φ+λ)/2) on the control · C(A·X·B·X·C) with
		// A = Rz(φ)Ry(θ/2), B = Ry(−θ/2)Rz(−(φ+λ)/2), C = Rz((λ−φ)/2).
		th, ph, la := a[0], a[1], a[2]
		var gamma lin
		if g.name == "cu" {
			gamma = a[3]
		} // cu3 is controlled U (qelib1, Qiskit's CU3Gate): no extra phase

		seq := []gop{
			g1("rz", q[1], la.add(ph, -1).scale(0.5)),
			g2("cx", q[0], q[1]),
			g1("rz", q[1], ph.add(la, 1).scale(-0.5)),
			g1("ry", q[1], th.scale(-0.5)),
			g2("cx", q[0], q[1]),
			g1("ry", q[1], th.scale(0.5)),
			g1("rz", q[1], ph),
		}
		if p := gamma.add(ph.add(la, 1), 0.5); !p.isZero() {
			seq = append(seq, g1("p", q[0], p))
		}
		return seq, lin{}
	case "swap":
		return []gop{g2("cx", q[0], q[1]), g2("cx", q[1], q[0]), g2("cx", q[0], q[1])}, lin{}
	case "cswap":
		return []gop{g2("cx", q[2], q[1]), {name: "ccx", q: []int{q[0], q[1], q[2]}}, g2("cx", q[2], q[1])}, lin{}
	case "ccx":
		return ccxSeq(q[0], q[1], q[2]), lin{}
	case "iswap": // iSWAP = (S⊗S)·… standard: s a; s b; h a; cx a b; cx b a; h b
		return []gop{g1("s", q[0]), g1("s", q[1]), g1("h", q[0]), g2("cx", q[0], q[1]), g2("cx", q[1], q[0]), g1("h", q[1])}, lin{}
	case "ecr": // ECR = e^{−iπ/4}·(X·S ⊗ SX)·CX
		return []gop{g2("cx", q[0], q[1]), g1("s", q[0]), g1("x", q[0]), g1("sx", q[1])}, cst(-pi / 4)
	case "rxx":
		if native && t.b.Has("ms") && !t.b.Has("rxx") { // Rxx(θ) = MS(0,0,θ)
			return []gop{{name: "ms", q: []int{q[0], q[1]}, args: []lin{c0(), c0(), a[0]}}}, lin{}
		}
		return []gop{g1("h", q[0]), g1("h", q[1]), g2("cx", q[0], q[1]), g1("rz", q[1], a[0]), g2("cx", q[0], q[1]), g1("h", q[0]), g1("h", q[1])}, lin{}
	case "ryy": // Rx(−π/2)·Z·Rx(π/2) = Y
		return []gop{g1("rx", q[0], cst(pi/2)), g1("rx", q[1], cst(pi/2)), g2("cx", q[0], q[1]), g1("rz", q[1], a[0]),
			g2("cx", q[0], q[1]), g1("rx", q[0], cst(-pi/2)), g1("rx", q[1], cst(-pi/2))}, lin{}
	case "rzz":
		return []gop{g2("cx", q[0], q[1]), g1("rz", q[1], a[0]), g2("cx", q[0], q[1])}, lin{}
	case "ms": // MS(φ0,φ1,θ) = (Rz(φ0)⊗Rz(φ1))·Rxx(θ)·(Rz(−φ0)⊗Rz(−φ1))
		return []gop{g1("rz", q[0], a[0].scale(-1)), g1("rz", q[1], a[1].scale(-1)), g2("rxx", q[0], q[1], a[2]),
			g1("rz", q[0], a[0]), g1("rz", q[1], a[1])}, lin{}
	}
	panic(fmt.Sprintf("transpile: no rule for %d-qubit gate %s", len(q), g.name))
}

// namedCtrl maps controlled gates to their base gate and number of controls.
var namedCtrl = map[string]struct {
	base string
	n    int
}{
	"cx": {"x", 1}, "cy": {"y", 1}, "cz": {"z", 1}, "ch": {"h", 1}, "cp": {"p", 1}, "cu1": {"p", 1},
	"crx": {"rx", 1}, "cry": {"ry", 1}, "crz": {"rz", 1}, "ccx": {"x", 2}, "cswap": {"swap", 1}, "cu3": {"U", 1},
}

// oneCtrl names the singly controlled form of a base gate.
var oneCtrl = map[string]string{
	"x": "cx", "y": "cy", "z": "cz", "h": "ch", "p": "cp", "u1": "cp", "rx": "crx", "ry": "cry", "rz": "crz",
	"swap": "cswap", "U": "cu3",
}

// controlled emits g, which carries ctrl @ modifiers.
func (t *translator) controlled(g gop) error {
	controls := append([]int(nil), g.q[:g.ctrl]...)
	base := gop{name: g.name, q: append([]int(nil), g.q[g.ctrl:]...), args: g.args}
	// Unfold named controlled gates into the modifier form.
	for {
		if base.name == "cu" {
			cs := append(controls, base.q[0])
			if err := t.emit(gop{name: "U", ctrl: len(cs), q: append(append([]int(nil), cs...), base.q[1]), args: base.args[:3]}); err != nil {
				return err
			}
			return t.emit(gop{name: "gphase", ctrl: len(cs), q: cs, args: base.args[3:]})
		}
		nc, ok := namedCtrl[base.name]
		if !ok {
			break
		}
		controls = append(controls, base.q[:nc.n]...)
		base = gop{name: nc.base, q: base.q[nc.n:], args: base.args}
	}
	k := len(controls)
	if k > MaxControls {
		return fmt.Errorf("%d control qubits exceed the limit of %d", k, MaxControls)
	}
	with := func(n int, b gop) gop { // ctrl^n @ b with the first n controls
		return gop{name: b.name, ctrl: n, q: append(append([]int(nil), controls[:n]...), b.q...), args: b.args}
	}
	if base.name == "gphase" { // ctrl^k @ gphase(γ) = ctrl^(k−1) @ p(γ) on the last control
		p := gop{name: "p", q: []int{controls[k-1]}, args: base.args}
		if k == 1 {
			return t.emit(p)
		}
		return t.emit(with(k-1, p))
	}
	if k == 0 {
		return t.emit(base)
	}
	if k == 1 {
		if n, ok := oneCtrl[base.name]; ok {
			return t.emit(gop{name: n, q: append([]int{controls[0]}, base.q...), args: base.args})
		}
		if base.name == "U" || base.name == "u" {
			return t.emit(gop{name: "cu", q: append([]int{controls[0]}, base.q...), args: append(append([]lin(nil), base.args...), c0())})
		}
	}
	if k == 2 && base.name == "x" {
		return t.emit(gop{name: "ccx", q: append(append([]int(nil), controls...), base.q[0])})
	}
	if base.name == "id" {
		return nil
	}
	gate := gates.MustGet(base.name)
	if gate.Qubits == 1 {
		tq := base.q[0]
		switch base.name {
		case "x": // C^k(X) = H·C^k(p(π))·H
			return t.emitAll([]gop{g1("h", tq), with(k, g1("p", tq, cst(math.Pi))), g1("h", tq)})
		case "z":
			return t.emit(with(k, g1("p", tq, cst(math.Pi))))
		case "y": // C^k(Y) = S·C^k(X)·S†
			return t.emitAll([]gop{g1("sdg", tq), with(k, g1("x", tq)), g1("s", tq)})
		case "rz", "ry", "p", "u1":
			// Barenco et al. lemma 7.9 with V = R(θ/2), V² = R(θ).
			name := base.name
			if name == "u1" {
				name = "p"
			}
			h := base.args[0].scale(0.5)
			last := controls[k-1]
			rest := controls[:k-1]
			mcx := gop{name: "x", ctrl: k - 1, q: append(append([]int(nil), rest...), last)}
			return t.emitAll([]gop{
				{name: name, ctrl: 1, q: []int{last, tq}, args: []lin{h}},
				mcx,
				{name: name, ctrl: 1, q: []int{last, tq}, args: []lin{h.scale(-1)}},
				mcx,
				{name: name, ctrl: k - 1, q: append(append([]int(nil), rest...), tq), args: []lin{h}},
			})
		}
		seq, ph := rule1(base)
		return t.emitControlled(k, controls, seq, ph)
	}
	if base.name == "swap" { // C^k(SWAP a,b) = CX(b,a)·C^(k+1)(X)(…,a → b)·CX(b,a)
		a, b := base.q[0], base.q[1]
		return t.emitAll([]gop{g2("cx", b, a), with(k, g2("cx", a, b)), g2("cx", b, a)})
	}
	seq, ph := t.rule2(base, false)
	return t.emitControlled(k, controls, seq, ph)
}

// emitControlled emits the decomposition seq · e^{i·ph} of a gate with k controls: every
// gate of seq with the k controls added, and the phase as a gphase on the controls.
func (t *translator) emitControlled(k int, controls []int, seq []gop, ph lin) error {
	for _, s := range seq {
		if err := t.emit(gop{name: s.name, ctrl: k, q: append(append([]int(nil), controls...), s.q...), args: s.args}); err != nil {
			return err
		}
	}
	if ph.isZero() {
		return nil
	}
	return t.emit(gop{name: "gphase", ctrl: k, q: controls, args: []lin{ph}})
}
