package transpile

import (
	"math"
	"sort"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// mk builds an output operation from g with the current source position and condition.
func (t *translator) mk(g gop) circuit.Op {
	op := circuit.Op{Kind: circuit.GateOp, Gate: gates.MustGet(g.name), Ctrl: int32(g.ctrl), Qubits: append([]int(nil), g.q...)}
	for _, a := range g.args {
		if a.isConst() {
			op.Args = append(op.Args, circuit.Num(snap(a.c)))
		} else {
			op.Args = append(op.Args, a.expr())
		}
	}
	if t.cur != nil {
		op.Pos = t.cur.Pos
		if t.cur.Cond != nil {
			cc := *t.cur.Cond
			cc.Clbits = append([]int(nil), t.cur.Cond.Clbits...)
			op.Cond = &cc
		}
	}
	return op
}

// plain reports an unconditioned gate without control modifiers.
func plain(op *circuit.Op) bool {
	return op.Kind == circuit.GateOp && op.Cond == nil && op.Ctrl == 0
}

func opConstArgs(op *circuit.Op) ([]float64, bool) {
	v := make([]float64, len(op.Args))
	for i, a := range op.Args {
		c, ok := a.(circuit.Const)
		if !ok {
			return nil, false
		}
		v[i] = c.V
	}
	return v, true
}

// selfInverse gates cancel in adjacent identical pairs; symmetric ones in either order.
var selfInverse = map[string]bool{"cx": true, "cy": true, "cz": true, "ch": true, "ecr": true, "swap": true, "ccx": true, "cswap": true}
var symmetric2 = map[string]bool{"cz": true, "swap": true}

func sameQubits(a, b *circuit.Op) bool {
	if len(a.Qubits) != len(b.Qubits) {
		return false
	}
	same := true
	for i := range a.Qubits {
		if a.Qubits[i] != b.Qubits[i] {
			same = false
		}
	}
	if same {
		return true
	}
	if symmetric2[a.Gate.Name] && len(a.Qubits) == 2 {
		return a.Qubits[0] == b.Qubits[1] && a.Qubits[1] == b.Qubits[0]
	}
	return false
}

func touches(op *circuit.Op, qs []int) bool {
	for _, q := range op.Qubits {
		for _, p := range qs {
			if q == p {
				return true
			}
		}
	}
	return false
}

// cancelPairs removes adjacent identical self-inverse gates (nothing between them on any of
// their qubits), repeating until none is left.
func cancelPairs(ops []circuit.Op) []circuit.Op {
	for changed := true; changed; {
		changed = false
		del := make([]bool, len(ops))
		for i := range ops {
			if del[i] || !plain(&ops[i]) || !selfInverse[ops[i].Gate.Name] {
				continue
			}
			for j := i + 1; j < len(ops); j++ {
				if del[j] || !touches(&ops[j], ops[i].Qubits) {
					continue
				}
				if plain(&ops[j]) && ops[j].Gate == ops[i].Gate && sameQubits(&ops[i], &ops[j]) {
					del[i], del[j] = true, true
					changed = true
				}
				break
			}
		}
		if changed {
			out := ops[:0:0]
			for i := range ops {
				if !del[i] {
					out = append(out, ops[i])
				}
			}
			ops = out
		}
	}
	return ops
}

// cost counts the physical gates of a single-qubit sequence (virtual rz is free).
func (t *translator) cost(names []string) int {
	n := 0
	for _, s := range names {
		if s == "rz" && t.f.z == "vz" {
			continue
		}
		n++
	}
	return n
}

// fuse replaces each run of two or more constant single-qubit gates on one qubit by a fresh
// synthesis of their product when that is shorter.
func (t *translator) fuse(ops []circuit.Op) []circuit.Op {
	runs := map[int][]int{}
	del := make([]bool, len(ops))
	repl := map[int][]circuit.Op{}
	flush := func(q int) {
		run := runs[q]
		delete(runs, q)
		if len(run) < 2 {
			return
		}
		u := ident2
		var old []string
		for _, i := range run {
			vals, _ := opConstArgs(&ops[i])
			u = mul2(to2(ops[i].Gate.Matrix(vals...)), u)
			old = append(old, ops[i].Gate.Name)
		}
		seq := t.synthSeq(q, u)
		var names []string
		p := ident2
		for _, s := range seq {
			names = append(names, s.name)
			vals, _ := s.constArgs()
			p = mul2(to2(gates.MustGet(s.name).Matrix(vals...)), p)
		}
		if t.cost(names) >= t.cost(old) {
			return
		}
		t.addPhase(linConst(residualPhase(u, p)))
		last := run[len(run)-1]
		for _, i := range run {
			del[i] = true
		}
		var r []circuit.Op
		for _, s := range seq {
			op := t.mk(s)
			op.Pos = ops[last].Pos
			r = append(r, op)
		}
		repl[last] = r
	}
	for i := range ops {
		op := &ops[i]
		if plain(op) && len(op.Qubits) == 1 && op.Gate.Qubits == 1 {
			if _, ok := opConstArgs(op); ok {
				runs[op.Qubits[0]] = append(runs[op.Qubits[0]], i)
				continue
			}
		}
		for _, q := range op.Qubits {
			flush(q)
		}
	}
	var qs []int
	for q := range runs {
		qs = append(qs, q)
	}
	sort.Ints(qs)
	for _, q := range qs {
		flush(q)
	}
	var out []circuit.Op
	for i := range ops {
		if !del[i] {
			out = append(out, ops[i])
		}
		out = append(out, repl[i]...)
	}
	return out
}

// zKind reports Z rotations that merge by adding angles: rz(a)·rz(b) = rz(a+b), likewise p
// and u1.
func zKind(op *circuit.Op) bool {
	if !plain(op) {
		return false
	}
	switch op.Gate.Name {
	case "rz", "p", "u1":
		return true
	}
	return false
}

// mergeZ merges adjacent Z rotations on a qubit and drops those that are the identity (or
// −I, a global phase).
func (t *translator) mergeZ(ops []circuit.Op) []circuit.Op {
	last := map[int]int{}
	del := make([]bool, len(ops))
	trivial := func(op *circuit.Op) bool {
		l := linOf(op.Args[0])
		if !l.isConst() {
			return false
		}
		period := 2 * math.Pi
		if op.Gate.Name == "rz" {
			period = 4 * math.Pi
		}
		r := math.Remainder(l.c, period)
		if math.Abs(r) <= 1e-15 {
			return true
		}
		if op.Gate.Name == "rz" && math.Abs(math.Abs(r)-2*math.Pi) <= 1e-15 {
			t.addPhase(linConst(math.Pi))
			return true
		}
		return false
	}
	for i := range ops {
		op := &ops[i]
		if zKind(op) {
			q := op.Qubits[0]
			if j, ok := last[q]; ok && j >= 0 && !del[j] && ops[j].Gate == op.Gate {
				sum := linOf(ops[j].Args[0]).add(linOf(op.Args[0]), 1)
				if sum.isConst() {
					ops[j].Args = []circuit.Expr{circuit.Num(snap(sum.c))}
				} else {
					ops[j].Args = []circuit.Expr{sum.expr()}
				}
				del[i] = true
				if trivial(&ops[j]) {
					del[j] = true
					last[q] = -1
				}
				continue
			}
			if trivial(op) {
				del[i] = true
				continue
			}
		}
		for _, q := range op.Qubits {
			last[q] = i
		}
	}
	var out []circuit.Op
	for i := range ops {
		if !del[i] {
			out = append(out, ops[i])
		}
	}
	return out
}

// virtualZ removes rz gates for bases without one (IonQ): Rz(a) followed by gpi(φ), gpi2(φ)
// or ms(φ0,φ1,θ) equals the same gate with φ − a followed by Rz(a), so pending rotations
// travel to the end of the circuit (or to the next measurement, reset, barrier or
// conditioned gate), where Rz(z) = gpi(z/2)·gpi(0) realises them.
func (t *translator) virtualZ(ops []circuit.Op) []circuit.Op {
	pend := map[int]lin{}
	var out []circuit.Op
	realise := func(q int, z lin, cond *circuit.Cond, pos circuit.Pos) {
		if z.isConst() {
			r := math.Remainder(z.c, 4*math.Pi)
			if math.Abs(r) <= 1e-15 {
				return
			}
			if math.Abs(math.Abs(r)-2*math.Pi) <= 1e-15 {
				if cond == nil {
					t.addPhase(linConst(math.Pi))
				}
				return
			}
		}
		for _, g := range []gop{g1("gpi", q, c0()), g1("gpi", q, z.scale(0.5))} {
			op := t.mk(g)
			op.Cond, op.Pos = cond, pos
			out = append(out, op)
		}
	}
	flush := func(q int, pos circuit.Pos) {
		if z, ok := pend[q]; ok {
			delete(pend, q)
			realise(q, z, nil, pos)
		}
	}
	shift := func(op *circuit.Op, i, q int) {
		if z, ok := pend[q]; ok && !z.isZero() {
			a := linOf(op.Args[i]).add(z, -1)
			a.c = math.Remainder(a.c, 2*math.Pi) // the phases of gpi, gpi2 and ms have period 2π
			if a.isConst() {
				op.Args[i] = circuit.Num(snap(a.c))
			} else {
				op.Args[i] = a.expr()
			}
		}
	}
	for i := range ops {
		op := cloneOp(&ops[i])
		if plain(&op) {
			switch op.Gate.Name {
			case "rz":
				q := op.Qubits[0]
				z := pend[q].add(linOf(op.Args[0]), 1)
				z.c = math.Remainder(z.c, 4*math.Pi) // Rz has period 4π
				pend[q] = z
				continue
			case "gpi", "gpi2":
				shift(&op, 0, op.Qubits[0])
				out = append(out, op)
				continue
			case "ms":
				shift(&op, 0, op.Qubits[0])
				shift(&op, 1, op.Qubits[1])
				out = append(out, op)
				continue
			}
		}
		for _, q := range op.Qubits {
			flush(q, op.Pos)
		}
		if op.Kind == circuit.GateOp && op.Gate.Name == "rz" && op.Ctrl == 0 {
			realise(op.Qubits[0], linOf(op.Args[0]), op.Cond, op.Pos)
			continue
		}
		out = append(out, op)
	}
	var qs []int
	for q := range pend {
		qs = append(qs, q)
	}
	sort.Ints(qs)
	for _, q := range qs {
		flush(q, circuit.Pos{})
	}
	return out
}
