package lowering

import (
	"fmt"
	"slices"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/internal/smallmat"
)

// StageKind is the kind of one stage of a compiled program.
type StageKind uint8

// Stage kinds.
const (
	// KronStage is a Kronecker product of 2×2 factors, one per active qubit: a layer of
	// single-qubit gates fused per qubit.
	KronStage StageKind = iota
	// DiagStage is a diagonal matrix on its support qubits (CZ, CP, RZ, … layers fused).
	DiagStage
	// PermStage is a permutation of basis states on its support qubits (X, CX, SWAP, CCX,
	// CSWAP fused).
	PermStage
	// BlockStage is a dense matrix on a few qubits (gates of no other kind, with the gates
	// on the same qubits merged into it), possibly controlled by further qubits.
	BlockStage
)

func (k StageKind) String() string {
	switch k {
	case KronStage:
		return "kron"
	case DiagStage:
		return "diag"
	case PermStage:
		return "perm"
	case BlockStage:
		return "block"
	}
	return fmt.Sprintf("StageKind(%d)", k)
}

// maxGateQubits bounds the qubits of one gate (controls included): its matrix has 4^k
// entries.
const maxGateQubits = 10

// maxTableQubits bounds the support of diagonal and permutation stages, whose tables have
// 2^support entries; a gate that would grow a stage beyond it starts a new stage.
const maxTableQubits = 16

// maxBlockQubits bounds the qubits of an uncontrolled block stage; larger gates become
// controlled blocks (a gate with more qubits and no control structure does not exist in
// the vocabulary).
const maxBlockQubits = 3

// argRef is one angle argument of an op.
type argRef struct {
	expr    circuit.Expr
	isConst bool
	value   float64 // when isConst
	syms    []int   // indices into the program's parameters of the symbols in expr
}

// opRef is one gate of the circuit, as compiled into a stage.
type opRef struct {
	id     int // position among the plan's ops
	index  int // position in the circuit's Ops
	op     *circuit.Op
	nq     int
	fast   fastKind
	args   []argRef
	params bool // some argument is symbolic
	// pos are the positions of the op's qubits in the stage's support (diag, block).
	pos []int
	// cmat is the op's full matrix (controls included) when it has no symbolic argument.
	cmat []complex128
	// slot is the op's index among the program's parametric ops (−1 for constant ones).
	slot int
}

type stage struct {
	kind StageKind
	// support: kron — the active qubits (in first-use order); diag, perm — the qubits the
	// stage depends on; block — the qubits, controls first.
	support  []int
	controls int // block: leading control qubits of support
	// factor ops per active qubit (kron), indexed like support.
	factors [][]*opRef
	// ops in application order (all kinds).
	ops    []*opRef
	params bool // some op has a symbolic argument
	// perm: σ on support indices (a stage maps |x⟩ to |σ(x)⟩ on its support), and σ⁻¹.
	sigma, sigmaInv []int
}

// plan is the symbolic compiled form of a unitary circuit: the stages and how each gate's
// arguments depend on the circuit's parameters.
type plan struct {
	n       int
	params  []string
	stages  []*stage
	ops     []*opRef // all gate ops in circuit order
	pops    []*opRef // parametric ops
	real    bool
	circuit *circuit.Circuit
}

func (o *opRef) qubits() []int { return o.op.Qubits }

// compilePlan validates c and compiles it into stages.
func compilePlan(c *circuit.Circuit, real bool) (*plan, error) {
	if c == nil {
		return nil, fmt.Errorf("lowering: nil circuit")
	}
	if c.NumQubits < 0 || c.NumQubits > 62 {
		return nil, fmt.Errorf("lowering: %d qubits is out of range", c.NumQubits)
	}
	if real {
		if err := c.CheckReal(); err != nil {
			return nil, fmt.Errorf("lowering: %w", err)
		}
	}
	p := &plan{n: c.NumQubits, params: append([]string(nil), c.Params...), real: real, circuit: c}
	pidx := make(map[string]int, len(c.Params))
	for i, s := range c.Params {
		pidx[s] = i
	}
	for i := range c.Ops {
		op := &c.Ops[i]
		if op.Kind == circuit.Barrier && op.Cond == nil {
			continue
		}
		if !op.IsUnitary() {
			return nil, fmt.Errorf("lowering: %s%s (operation %d) is not a unitary gate; lowering needs a circuit of gates only (remove measurements, resets and conditions)", op.Pos.Prefix(), op.Name(), i)
		}
		if op.Gate == nil || len(op.Args) != op.Gate.Params || len(op.Qubits) != op.Gate.Qubits+int(op.Ctrl) {
			return nil, fmt.Errorf("lowering: %soperation %d is malformed", op.Pos.Prefix(), i)
		}
		for _, q := range op.Qubits {
			if q < 0 || q >= c.NumQubits {
				return nil, fmt.Errorf("lowering: %s%s (operation %d): qubit %d out of range", op.Pos.Prefix(), op.Name(), i, q)
			}
		}
		if len(op.Qubits) > maxGateQubits {
			return nil, fmt.Errorf("lowering: %s%s (operation %d) acts on %d qubits (controls included); at most %d are supported", op.Pos.Prefix(), op.Name(), i, len(op.Qubits), maxGateQubits)
		}
		r := &opRef{id: len(p.ops), index: i, op: op, nq: len(op.Qubits), slot: -1}
		for _, a := range op.Args {
			ar := argRef{expr: a}
			syms := circuit.Symbols(a)
			if len(syms) == 0 {
				v, err := circuit.Eval(a, nil)
				if err != nil {
					return nil, fmt.Errorf("lowering: %s%s (operation %d): %w", op.Pos.Prefix(), op.Name(), i, err)
				}
				if !circuit.IsFinite(v) {
					return nil, fmt.Errorf("lowering: %s%s (operation %d): angle %s evaluates to %v", op.Pos.Prefix(), op.Name(), i, a, v)
				}
				ar.isConst, ar.value = true, v
			}
			for _, s := range syms {
				j, ok := pidx[s]
				if !ok {
					return nil, fmt.Errorf("lowering: %s%s (operation %d) uses %q, which is not a parameter of the circuit", op.Pos.Prefix(), op.Name(), i, s)
				}
				ar.syms = append(ar.syms, j)
				r.params = true
			}
			r.args = append(r.args, ar)
		}
		r.fast = fastKindOf(op)
		if !r.params {
			vals := make([]float64, len(r.args))
			for j, a := range r.args {
				vals[j] = a.value
			}
			r.cmat = opMatrix(op, vals)
		} else {
			r.slot = len(p.pops)
			p.pops = append(p.pops, r)
		}
		p.ops = append(p.ops, r)
		p.place(r)
	}
	for _, st := range p.stages {
		if err := p.finish(st); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// opMatrix is the op's full matrix (controls included) for argument values vals.
func opMatrix(op *circuit.Op, vals []float64) []complex128 {
	m := op.Gate.Matrix(vals...)
	if op.Ctrl > 0 {
		m = gates.Controlled(m, op.Gate.Qubits, int(op.Ctrl))
	}
	return m
}

// opDerivative is ∂(op's full matrix)/∂(argument j).
func opDerivative(op *circuit.Op, j int, vals []float64) []complex128 {
	m := op.Gate.Derivative(j, vals...)
	if op.Ctrl > 0 {
		// The identity part of a controlled gate does not depend on the parameter.
		m = gates.Controlled(m, op.Gate.Qubits, int(op.Ctrl))
		d := 1 << len(op.Qubits)
		ones := 1<<op.Ctrl - 1
		for i := 0; i < d; i++ {
			if i&ones != ones {
				m[i*d+i] = 0
			}
		}
	}
	return m
}

// classes of an op: which stage kinds it can join.
func (p *plan) classes(r *opRef) (kron, diag, perm bool) {
	kron = r.nq == 1
	diag = r.op.Gate.Diagonal
	if !r.params && r.op.Gate.Params == 0 {
		perm = permOf(r.cmat, 1<<r.nq) != nil
	}
	return
}

func unionSize(a, b []int) int {
	n := len(a)
	for _, x := range b {
		if !slices.Contains(a, x) {
			n++
		}
	}
	return n
}

func disjoint(a, b []int) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func subset(a, b []int) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// place puts an op into the stage list: into the most recent stage that can absorb it when
// every later stage commutes with it, else into a new stage at the end.
func (p *plan) place(r *opRef) {
	kron, diag, perm := p.classes(r)
	qs := r.qubits()
	for t := len(p.stages) - 1; t >= 0; t-- {
		st := p.stages[t]
		switch {
		case st.kind == KronStage && kron:
			st.addFactor(r)
			return
		case st.kind == DiagStage && diag && unionSize(st.support, qs) <= maxTableQubits:
			st.support = appendNew(st.support, qs...)
			st.ops = append(st.ops, r)
			st.params = st.params || r.params
			return
		case st.kind == PermStage && perm && unionSize(st.support, qs) <= maxTableQubits:
			st.support = appendNew(st.support, qs...)
			st.ops = append(st.ops, r)
			return
		case st.kind == BlockStage && st.controls == 0 && subset(qs, st.support):
			st.ops = append(st.ops, r)
			st.params = st.params || r.params
			return
		}
		if disjoint(qs, st.support) || (diag && st.kind == DiagStage) {
			continue
		}
		break
	}
	st := &stage{}
	switch {
	case kron:
		st.kind = KronStage
		st.addFactor(r)
		p.stages = append(p.stages, st)
		return
	case diag:
		st.kind = DiagStage
	case perm:
		st.kind = PermStage
	default:
		st.kind = BlockStage
		if r.nq > maxBlockQubits {
			// A controlled block: the gate's target block under all its controls.
			st.controls = int(r.op.Ctrl) + r.op.Gate.Controls
		}
	}
	st.support = append([]int(nil), qs...)
	st.ops = []*opRef{r}
	st.params = r.params
	p.stages = append(p.stages, st)
}

func (st *stage) addFactor(r *opRef) {
	q := r.op.Qubits[0]
	for i, s := range st.support {
		if s == q {
			st.factors[i] = append(st.factors[i], r)
			st.ops = append(st.ops, r)
			st.params = st.params || r.params
			return
		}
	}
	st.support = append(st.support, q)
	st.factors = append(st.factors, []*opRef{r})
	st.ops = append(st.ops, r)
	st.params = st.params || r.params
}

// finish computes qubit positions and the constant data of a stage.
func (p *plan) finish(st *stage) error {
	switch st.kind {
	case DiagStage, PermStage:
		// Sort the support so that a stage on all qubits indexes its table by the row.
		slices.Sort(st.support)
	}
	for _, r := range st.ops {
		if st.kind != KronStage {
			r.pos = smallmat.EmbedPositions(r.qubits(), st.support)
		}
	}
	if st.kind == BlockStage && st.controls > 0 {
		if len(st.support)-st.controls > maxBlockQubits {
			r := st.ops[0]
			return fmt.Errorf("lowering: %s%s (operation %d) acts on %d target qubits; at most %d are supported", r.op.Pos.Prefix(), r.op.Name(), r.index, len(st.support)-st.controls, maxBlockQubits)
		}
	}
	if st.kind == PermStage {
		// Compose the gates' permutations on the support index: σ(x) follows x through
		// every gate in order.
		d := 1 << len(st.support)
		type gperm struct {
			pos   []int
			sigma []int
			mask  int
		}
		gs := make([]gperm, len(st.ops))
		for i, r := range st.ops {
			g := gperm{pos: r.pos, sigma: permOf(r.cmat, 1<<r.nq)}
			if g.sigma == nil {
				return fmt.Errorf("lowering: internal error: %s is not a permutation", r.op.Name())
			}
			for _, p := range r.pos {
				g.mask |= 1 << p
			}
			gs[i] = g
		}
		st.sigma = make([]int, d)
		st.sigmaInv = make([]int, d)
		for x := 0; x < d; x++ {
			y := x
			for _, g := range gs {
				y = y&^g.mask | spreadBits(g.sigma[smallmat.SubIndex(y, g.pos)], g.pos)
			}
			st.sigma[x] = y
			st.sigmaInv[y] = x
		}
	}
	return nil
}

// describe renders the stage list for humans, one stage a line.
func (p *plan) describe(b *strings.Builder) {
	fmt.Fprintf(b, "program on %s (N = %d): %s, %s, %s\n", plural(p.n, "qubit"), 1<<p.n, plural(len(p.stages), "stage"), plural(len(p.ops), "gate"), plural(len(p.params), "parameter"))
	for i, st := range p.stages {
		fmt.Fprintf(b, "stage %d: %s", i, st.kind)
		switch st.kind {
		case KronStage:
			fmt.Fprintf(b, " on %s:", plural(len(st.support), "qubit"))
			for j, q := range st.support {
				if j > 0 {
					b.WriteByte(';')
				}
				fmt.Fprintf(b, " q[%d]: ", q)
				for k, r := range st.factors[j] {
					if k > 0 {
						b.WriteString(" → ")
					}
					b.WriteString(opText(r, false))
				}
			}
		default:
			if st.kind == BlockStage && st.controls > 0 {
				fmt.Fprintf(b, " controls %v targets %v:", st.support[:st.controls], st.support[st.controls:])
			} else {
				fmt.Fprintf(b, " on qubits %v:", st.support)
			}
			for k, r := range st.ops {
				if k > 0 {
					b.WriteByte(';')
				}
				b.WriteByte(' ')
				b.WriteString(opText(r, true))
			}
		}
		b.WriteByte('\n')
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// opText prints an op as in OpenQASM: name(args) q[a], q[b] (qubits optional).
func opText(r *opRef, qubits bool) string {
	var s strings.Builder
	if r.op.Ctrl > 0 {
		s.WriteString(strings.Repeat("ctrl @ ", int(r.op.Ctrl)))
	}
	s.WriteString(r.op.Gate.Name)
	if len(r.op.Args) > 0 {
		s.WriteByte('(')
		for i, a := range r.op.Args {
			if i > 0 {
				s.WriteString(", ")
			}
			s.WriteString(a.String())
		}
		s.WriteByte(')')
	}
	if qubits {
		for i, q := range r.op.Qubits {
			if i == 0 {
				s.WriteByte(' ')
			} else {
				s.WriteString(", ")
			}
			fmt.Fprintf(&s, "q[%d]", q)
		}
	}
	return s.String()
}

// appendNew appends the values of v not already in s.
func appendNew(s []int, v ...int) []int {
	for _, x := range v {
		if !slices.Contains(s, x) {
			s = append(s, x)
		}
	}
	return s
}
