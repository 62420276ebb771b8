package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/internal/gcpace"
)

// step is one compiled operation: a gate resolved to controls, targets and the target block
// (complex, and float64 when every entry is real), or a measurement, reset or barrier.
// Runs of gate steps are grouped into cache-blocked sweeps and fused (blocked.go).
type step struct {
	op       *circuit.Op
	controls []int
	targets  []int
	m        []complex128
	mr       []float64
	m64      []complex64 // m and mr rounded to single precision (toSingle), for single-precision data
	mr32     []float32
	d4       *dense4Plan // the SIMD form of a dense 4x4 step of a sweep (prepareDense4)
	// dense marks a 2-qubit transposition (CX, SWAP) rewritten as a 4x4 matrix on its
	// qubits that runs the dense 4x4 loop: cheaper than the swap kernel on low qubits, whose
	// runs are a few elements long (denseTranspositions).
	dense bool
	// dg is the diagonal of a merged diagonal step of a sweep (mergeDiagonals; m is nil):
	// bit j of its index ↔ targets[j]; dgr is it as float64 when every entry is real, and
	// dg64, dgr32 their single-precision forms.
	dg    []complex128
	dgr   []float64
	dg64  []complex64
	dgr32 []float32
	// outer, when non-nil, makes a dg step a diagonal with outer qubits (outerdiag.go): bit
	// len(targets)+k of dg's index is bit outer[k] of the chunk's index, so that each chunk
	// applies the part of dg its outer bits select on the local targets.
	outer []int
}

// windowOps is the number of operations Run, Columns, ApplyCircuit and Plan compile and run
// at a time. A circuit of at most this many operations is compiled once, as a whole. A
// longer one (a program of a million gates) is first checked window by window without
// keeping anything (scan), then compiled again one window at a time as it runs, so that the
// simulator's memory beyond the circuit and the state stays bounded (a step is about 150
// bytes, more than the operation it comes from). Cache-blocked sweeps group the gates of
// one window. (A variable so that tests can use small windows.)
var windowOps = 1 << 14

// compiler compiles operations into steps. The matrices of gates without arguments (x, h,
// cx, …) are computed once and shared by their steps: steps never modify their matrices.
type compiler struct {
	c     *circuit.Circuit
	env   circuit.Env
	fixed map[*gates.Gate]fixedBlock
}

// fixedBlock is the target block of a gate without arguments and its float64 form.
type fixedBlock struct {
	m  []complex128
	mr []float64
}

// compile evaluates every angle and resolves every gate once, and validates qubit and bit
// indices, so that errors surface before any simulation work.
func compile(c *circuit.Circuit, env circuit.Env) ([]step, error) {
	k := &compiler{c: c, env: env}
	return k.steps(0, len(c.Ops), nil)
}

// steps compiles operations lo to hi−1 of the circuit, appending to buf[:0].
func (k *compiler) steps(lo, hi int, buf []step) ([]step, error) {
	c := k.c
	steps := buf[:0]
	if steps == nil {
		steps = make([]step, 0, hi-lo)
	}
	for i := lo; i < hi; i++ {
		op := &c.Ops[i]
		if err := checkOpQubits(op, c.NumQubits); err != nil {
			return nil, fmt.Errorf("%w (operation %d)", err, i)
		}
		for _, b := range op.Clbits() {
			if b < 0 || b >= c.NumClbits {
				return nil, fmt.Errorf("sim: %s%s (operation %d): classical bit %d out of range (the circuit has %d)", op.Pos.Prefix(), op.Name(), i, b, c.NumClbits)
			}
		}
		if op.Cond != nil {
			if len(op.Cond.Clbits) == 0 || len(op.Cond.Clbits) > 64 && op.Cond.Big == nil {
				return nil, fmt.Errorf("sim: %s%s (operation %d): a condition needs at least one classical bit, and its value in Big when it tests more than 64", op.Pos.Prefix(), op.Name(), i)
			}
			for _, b := range op.Cond.Clbits {
				if b < 0 || b >= c.NumClbits {
					return nil, fmt.Errorf("sim: %s%s (operation %d): condition bit %d out of range (the circuit has %d)", op.Pos.Prefix(), op.Name(), i, b, c.NumClbits)
				}
			}
		}
		st := step{op: op}
		switch op.Kind {
		case circuit.GateOp:
			if err := k.gate(&st); err != nil {
				return nil, fmt.Errorf("%w (operation %d)", err, i)
			}
		case circuit.Measure:
			if len(op.Qubits) != len(op.Clbits()) {
				return nil, fmt.Errorf("sim: %smeasure (operation %d): %d qubits but %d classical bits", op.Pos.Prefix(), i, len(op.Qubits), len(op.Clbits()))
			}
		case circuit.Reset, circuit.Barrier:
		default:
			return nil, fmt.Errorf("sim: %s%s (operation %d): unknown operation kind", op.Pos.Prefix(), op.Name(), i)
		}
		steps = append(steps, st)
	}
	return steps, nil
}

// gate resolves the gate of st.op as if unconditioned (the condition is checked at run
// time).
func (k *compiler) gate(st *step) error {
	op := st.op
	u := *op
	u.Cond = nil
	if g := op.Gate; len(op.Args) == 0 && g != nil && len(op.Qubits) == g.Qubits+int(op.Ctrl) && g.Params == 0 {
		if f, ok := k.fixed[g]; ok {
			nc := int(op.Ctrl) + g.Controls
			st.controls, st.targets, st.m, st.mr = op.Qubits[:nc], op.Qubits[nc:], f.m, f.mr
			return nil
		}
		controls, targets, m, err := opBlock(&u, k.env, modePlain)
		if err != nil {
			return err
		}
		mr, _ := realCoefs(m, nil)
		if k.fixed == nil {
			k.fixed = map[*gates.Gate]fixedBlock{}
		}
		k.fixed[g] = fixedBlock{m: m, mr: mr}
		st.controls, st.targets, st.m, st.mr = controls, targets, m, mr
		return nil
	}
	controls, targets, m, err := opBlock(&u, k.env, modePlain)
	if err != nil {
		return err
	}
	st.controls, st.targets, st.m = controls, targets, m
	st.mr, _ = realCoefs(m, nil)
	return nil
}

// shape is what Run needs to know of a whole circuit before simulating it.
type shape struct {
	// complex: a gate has complex entries at the bound parameters (needsComplex).
	complex bool
	// notReal is the index of the first gate that is not Real or has complex entries (-1:
	// none).
	notReal int
	// prefix is the number of leading unitary operations (before the first measurement,
	// reset or condition).
	prefix int
	// terminal: the operations after the prefix are unconditioned measurements and
	// barriers only (terminalMeasurements).
	terminal bool
}

// program is a circuit checked and ready to run: every step when it fits in one window,
// otherwise its compiler, which compiles a window at a time.
type program struct {
	k   *compiler
	all []step
	sh  shape
}

// prepare checks every operation of c (as compile does) and finds its shape; for a circuit
// longer than windowOps it keeps nothing per operation.
func prepare(c *circuit.Circuit, env circuit.Env) (*program, error) {
	p := &program{k: &compiler{c: c, env: env}, sh: shape{notReal: -1}}
	sh := &p.sh
	sh.prefix = len(c.Ops)
	for i := range c.Ops {
		if !c.Ops[i].IsUnitary() {
			sh.prefix = i
			break
		}
	}
	sh.terminal = true
	for i := sh.prefix; i < len(c.Ops); i++ {
		op := &c.Ops[i]
		if op.Kind != circuit.Measure && op.Kind != circuit.Barrier || op.Cond != nil {
			sh.terminal = false
			break
		}
	}
	var buf []step
	for lo := 0; lo < len(c.Ops) || lo == 0; lo += windowOps {
		hi := min(lo+windowOps, len(c.Ops))
		steps, err := p.k.steps(lo, hi, buf)
		if err != nil {
			return nil, err
		}
		for j := range steps {
			st := &steps[j]
			if st.m != nil && st.mr == nil {
				sh.complex = true
			}
			if st.m != nil && sh.notReal < 0 && (st.mr == nil || !st.op.Gate.Real) {
				sh.notReal = lo + j
			}
		}
		if len(c.Ops) <= windowOps {
			p.all = steps
			break
		}
		buf = steps
	}
	return p, nil
}

// window returns the steps of operations lo to hi−1 (at most windowOps of them), compiled
// into *buf unless the whole circuit is compiled already.
func (p *program) window(lo, hi int, buf *[]step) ([]step, error) {
	if p.all != nil {
		return p.all[lo:hi], nil
	}
	steps, err := p.k.steps(lo, hi, *buf)
	if err != nil {
		return nil, err
	}
	*buf = steps
	return steps, nil
}

// paceLarge runs the collector earlier (internal/gcpace) while a circuit longer than a
// window is checked and run: the matrices of its gates with arguments are garbage once
// their window has run, next to the large circuit itself.
func paceLarge(c *circuit.Circuit) (restore func()) {
	if len(c.Ops) <= windowOps {
		return func() {}
	}
	return gcpace.Lower()
}

// eachGates calls f with the gate steps of every window of a circuit of gates, in order.
func (p *program) eachGates(f func(gs []*step)) error {
	var buf []step
	var gs []*step
	n := len(p.k.c.Ops)
	for lo := 0; lo < n; lo += windowOps {
		steps, err := p.window(lo, min(lo+windowOps, n), &buf)
		if err != nil {
			return err
		}
		gs = gs[:0]
		for i := range steps {
			if steps[i].m != nil {
				gs = append(gs, &steps[i])
			}
		}
		f(gs)
	}
	return nil
}

// Options configure Run. The zero value runs once with seed 0, no parameters, the default
// memory limit and the automatic real/complex choice.
type Options struct {
	// Params binds parameter symbols by name; Env, when set, takes precedence.
	Params map[string]float64
	Env    circuit.Env
	// Seed seeds the random source (NewRNG) of measurements, resets and shots: the same seed
	// gives the same outcomes.
	Seed uint64
	// Shots > 0 samples that many independent runs (up to MaxShots) into Result.Counts.
	Shots int
	// Memory keeps every shot's bit string, in order, in Result.Memory (memory grows with
	// the shots: 16 bytes each).
	Memory bool
	// MemoryLimit overrides the package's MemoryLimit for this run (0: use it).
	MemoryLimit int64
	// Complex forces complex amplitudes (complex128, or complex64 in single precision) even
	// for a real circuit.
	Complex bool
	// Precision selects double (the default: float64/complex128) or single precision
	// (float32/complex64: half the memory, about 7 significant digits; Fidelity compares the
	// two). An Initial state keeps its own precision.
	Precision Precision
	// Initial is the start state (copied); nil means |0…0⟩.
	Initial *State
	// Context, when set, stops a per-shot simulation (a circuit that measures or resets
	// before its last gate) between shots once it is done: Run then returns the counts of
	// the shots taken so far (Result.Shots) with the context's error.
	Context context.Context
	// Progress, when set, is called during a per-shot simulation with the number of shots
	// done: once with 0 before the first shot, then at most about a thousand times, the last
	// time with every shot done.
	Progress func(done, total int)
}

// Result is the outcome of Run.
type Result struct {
	// State is the final state: for a circuit without measurement and reset, its output
	// state; otherwise, with Shots == 0, the collapsed state of the single run; with
	// Shots > 0 and measurements there is no single final state and State is nil.
	State *State
	// Clbits is the classical register after the single run (Shots == 0) or the last shot
	// of a per-shot simulation, Clbits[b] = bit b.
	Clbits []uint8
	// Counts maps each outcome bit string (Qiskit style: highest classical bit leftmost,
	// registers separated by spaces, last register leftmost) to its number of shots.
	Counts map[string]int
	// Memory is every shot's bit string in shot order (Options.Memory).
	Memory []string
	// Shots is the number of shots taken.
	Shots int
	circ  *circuit.Circuit
}

// Bits formats Clbits like a Counts key.
func (r *Result) Bits() string { return FormatBits(r.circ, r.Clbits) }

// Run simulates c: gates (with ctrl @ modifiers and gphase), barriers, mid-circuit
// measurement with collapse, reset, and operations conditioned on classical bits. It first
// predicts the run's peak memory (RunFootprint) and refuses, with a *MemoryError, work above
// the memory limit. With Options.Shots > 0 it samples that many runs: when every measurement
// comes after the last gate, from one simulation of the state, drawing the counts directly
// from the multinomial distribution of the outcomes (State.SampleCounts: time and memory do
// not grow with the shots); otherwise by simulating each shot's trajectory (sharing the
// unitary prefix). Amplitudes are float64 when every gate is real, complex128 otherwise.
func Run(c *circuit.Circuit, opts Options) (*Result, error) {
	env := opts.env()
	if opts.Shots < 0 || opts.Shots > MaxShots {
		return nil, fmt.Errorf("sim: %d shots: take 0 to 2^62", opts.Shots)
	}
	defer paceLarge(c)()
	prog, err := prepare(c, env)
	if err != nil {
		return nil, err
	}
	fp, startCplx := runPlan(c, prog.sh, opts)
	if err := fp.Check(opts.MemoryLimit); err != nil {
		return nil, err
	}
	var s *State
	if opts.Initial != nil {
		if opts.Initial.n != c.NumQubits {
			return nil, fmt.Errorf("sim: the initial state has %d qubits, the circuit %d", opts.Initial.n, c.NumQubits)
		}
		s = opts.Initial.Clone()
		s.limit = opts.MemoryLimit
		if opts.Complex {
			if err := s.promote(); err != nil {
				return nil, err
			}
		}
	} else if s, err = newState(c.NumQubits, opts.MemoryLimit, startCplx, opts.Precision); err != nil {
		return nil, err
	}
	rng := NewRNG(opts.Seed)
	res := &Result{circ: c, Clbits: make([]uint8, c.NumClbits)}

	// The unitary prefix: every step before the first measurement, reset or condition, a
	// window at a time.
	prefix := prog.sh.prefix
	var buf []step
	for lo := 0; lo < prefix; lo += windowOps {
		steps, err := prog.window(lo, min(lo+windowOps, prefix), &buf)
		if err != nil {
			return nil, err
		}
		if err := runSteps(s, steps, rng, res.Clbits); err != nil {
			return nil, err
		}
	}
	// The rest runs once, or once per shot: it is compiled as a whole.
	rest := prog.all[min(prefix, len(prog.all)):]
	if prog.all == nil {
		if rest, err = prog.k.steps(prefix, len(c.Ops), nil); err != nil {
			return nil, err
		}
	}
	if opts.Shots == 0 {
		if err := runSteps(s, rest, rng, res.Clbits); err != nil {
			return nil, err
		}
		res.State = s
		return res, nil
	}

	res.Counts = map[string]int{}
	if terminalMeasurements(rest) {
		if len(rest) == 0 {
			res.State = s
		}
		if err := sampleTerminal(c, s, rest, opts, rng, res); err != nil {
			return nil, err
		}
		return res, nil
	}
	return res, runShots(c, s, rest, opts, rng, res)
}

// sampleTerminal fills res with opts.Shots samples of the terminal measurements rest of
// state s, drawn from the multinomial distribution of the basis states.
func sampleTerminal(c *circuit.Circuit, s *State, rest []step, opts Options, rng *rand.Rand, res *Result) error {
	outs, err := s.SampleCounts(opts.Shots, rng)
	if err != nil {
		return err
	}
	keys := make([]string, len(outs))
	for j, o := range outs {
		clear(res.Clbits)
		for k := range rest {
			op := rest[k].op
			if op.Kind != circuit.Measure {
				continue
			}
			for m, q := range op.Qubits {
				res.Clbits[op.Clbits()[m]] = uint8(o.Index >> q & 1)
			}
		}
		keys[j] = FormatBits(c, res.Clbits)
		res.Counts[keys[j]] += o.Count
	}
	res.Shots = opts.Shots
	if opts.Memory {
		// Every ordering of the multiset of outcomes is equally likely for independent
		// shots: lay the outcomes out and shuffle them.
		res.Memory = make([]string, 0, opts.Shots)
		for j, o := range outs {
			for range o.Count {
				res.Memory = append(res.Memory, keys[j])
			}
		}
		rng.Shuffle(len(res.Memory), func(a, b int) { res.Memory[a], res.Memory[b] = res.Memory[b], res.Memory[a] })
	}
	return nil
}

// runShots simulates each shot's trajectory through the non-unitary rest of the circuit,
// from the state s after the unitary prefix, on one reused copy of it.
func runShots(c *circuit.Circuit, s *State, rest []step, opts Options, rng *rand.Rand, res *Result) error {
	if s.IsReal() && needsComplex(rest) {
		// Every shot would switch its copy to complex: switch once, before copying.
		if err := s.promote(); err != nil {
			return err
		}
	}
	t := s.Clone()
	// The trailing unconditioned measurements are drawn jointly, in one pass over the state,
	// instead of measuring (and collapsing) one qubit after the other.
	tail := len(rest)
	for tail > 0 && terminalMeasurements(rest[tail-1:tail]) {
		tail--
	}
	dyn, final := rest[:tail], rest[tail:]
	every := max(1, opts.Shots/1000)
	if opts.Progress != nil {
		opts.Progress(0, opts.Shots)
	}
	for shot := 0; shot < opts.Shots; shot++ {
		if opts.Context != nil {
			if err := opts.Context.Err(); err != nil {
				return fmt.Errorf("sim: stopped after %d of %d shots: %w", res.Shots, opts.Shots, err)
			}
		}
		if shot > 0 {
			t.copyFrom(s)
		}
		clear(res.Clbits)
		if err := runSteps(t, dyn, rng, res.Clbits); err != nil {
			return err
		}
		if len(final) > 0 {
			i, err := t.sampleIndex(rng)
			if err != nil {
				return err
			}
			for k := range final {
				if op := final[k].op; op.Kind == circuit.Measure {
					for m, q := range op.Qubits {
						res.Clbits[op.Clbits()[m]] = uint8(i >> q & 1)
					}
				}
			}
		}
		key := FormatBits(c, res.Clbits)
		res.Counts[key]++
		if opts.Memory {
			res.Memory = append(res.Memory, key)
		}
		res.Shots++
		if opts.Progress != nil && (res.Shots%every == 0 || res.Shots == opts.Shots) {
			opts.Progress(res.Shots, opts.Shots)
		}
	}
	return nil
}

// startComplex reports whether Run starts a circuit with complex amplitudes rather than
// switching from real ones at its first complex gate (runPlan): only when the switch, which
// holds both forms for a moment, does not fit under the memory limit and starting complex
// does (the QFT at n = 30: 8 + 16 GiB).
func startComplex(c *circuit.Circuit, sh shape, opts Options) bool {
	_, sc := runPlan(c, sh, opts)
	return sc || opts.Complex
}

// terminalMeasurements reports whether steps hold only unconditioned measurements and
// barriers.
func terminalMeasurements(steps []step) bool {
	for i := range steps {
		op := steps[i].op
		if op.Kind != circuit.Measure && op.Kind != circuit.Barrier || op.Cond != nil {
			return false
		}
	}
	return true
}

// runSteps executes compiled steps on s. Maximal runs of unconditioned gates (and barriers)
// run through the cache-blocked executor (blocked.go).
func runSteps(s *State, steps []step, rng *rand.Rand, clbits []uint8) error {
	var run []*step
	for i := 0; i < len(steps); i++ {
		st := &steps[i]
		op := st.op
		if op.Cond == nil && (op.Kind == circuit.GateOp || op.Kind == circuit.Barrier) {
			run = run[:0]
			for ; i < len(steps); i++ {
				st := &steps[i]
				if st.op.Cond != nil || st.op.Kind != circuit.GateOp && st.op.Kind != circuit.Barrier {
					break
				}
				if st.m != nil {
					run = append(run, st)
				}
			}
			i--
			if err := s.runGates(run); err != nil {
				return err
			}
			continue
		}
		if op.Cond != nil && !condHolds(op.Cond, clbits) {
			continue
		}
		switch op.Kind {
		case circuit.GateOp:
			if err := s.applyStep(st); err != nil {
				return err
			}
		case circuit.Measure:
			for j, q := range op.Qubits {
				out, err := s.Measure(q, rng)
				if err != nil {
					return fmt.Errorf("%s%w", op.Pos.Prefix(), err)
				}
				clbits[op.Clbits()[j]] = uint8(out)
			}
		case circuit.Reset:
			for _, q := range op.Qubits {
				if err := s.Reset(q, rng); err != nil {
					return fmt.Errorf("%s%w", op.Pos.Prefix(), err)
				}
			}
		}
	}
	return nil
}

// runGates applies a run of unconditioned gates, on the float64 path up to the first gate
// with complex entries and on the complex path from there.
func (s *State) runGates(gs []*step) error {
	if s.IsReal() {
		k := 0
		for k < len(gs) && gs[k].mr != nil {
			k++
		}
		a := s.amps()
		a.runGates(gs[:k], Blocking)
		if k == len(gs) {
			return nil
		}
		if err := s.promote(); err != nil {
			return fmt.Errorf("sim: %s%s needs complex amplitudes: %w", gs[k].op.Pos.Prefix(), gs[k].op.Name(), err)
		}
		gs = gs[k:]
	}
	a := s.amps()
	a.runGates(gs, Blocking)
	return nil
}

// FormatBits renders classical bits Qiskit style: highest bit leftmost, one space-separated
// group per classical register of c, the last register leftmost.
func FormatBits(c *circuit.Circuit, bits []uint8) string {
	var sb strings.Builder
	regs := []circuit.Register(nil)
	if c != nil {
		regs = c.CRegs
	}
	covered := 0
	for _, r := range regs {
		covered += r.Size
	}
	if len(regs) == 0 || covered != len(bits) {
		regs = []circuit.Register{{Start: 0, Size: len(bits)}}
	}
	for ri := len(regs) - 1; ri >= 0; ri-- {
		r := regs[ri]
		if ri != len(regs)-1 {
			sb.WriteByte(' ')
		}
		for b := r.Start + r.Size - 1; b >= r.Start; b-- {
			sb.WriteByte('0' + bits[b])
		}
	}
	return sb.String()
}

// Statevector runs a circuit of gates (no measurement, reset or condition) from |0…0⟩ and
// returns the output state; real circuits give a real state.
func Statevector(c *circuit.Circuit, env circuit.Env) (*State, error) {
	if err := checkUnitary(c); err != nil {
		return nil, err
	}
	r, err := Run(c, Options{Env: env})
	if err != nil {
		return nil, err
	}
	return r.State, nil
}

func checkUnitary(c *circuit.Circuit) error {
	for i := range c.Ops {
		op := &c.Ops[i]
		if !op.IsUnitary() {
			return fmt.Errorf("sim: %s%s (operation %d) is not unitary; this needs a circuit of gates only (use Run for measurement, reset and conditions)", op.Pos.Prefix(), op.Name(), i)
		}
	}
	return nil
}

// Unitary returns the full 2^n x 2^n unitary of a circuit of gates as a Batch with B = 2^n,
// which is the matrix itself, row-major: U[i][j] = Data[i*2^n+j] = ⟨i|U|j⟩. It applies each
// gate to the identity columns; no per-gate 2^n x 2^n matrix is built.
func Unitary(c *circuit.Circuit, env circuit.Env) (*Batch, error) {
	return Columns(c, env, 1<<c.NumQubits)
}

// Columns returns the first k columns of the circuit's unitary, U·|j⟩ for j = 0..k−1, as an
// N x k Batch (row-major): k basis states pushed through the circuit together.
func Columns(c *circuit.Circuit, env circuit.Env, k int) (*Batch, error) {
	if err := checkColumns(c, k, false); err != nil {
		return nil, err
	}
	defer paceLarge(c)()
	prog, err := prepare(c, env)
	if err != nil {
		return nil, err
	}
	x, err := newBatch(c.NumQubits, k, 0, "unitary")
	if err != nil {
		return nil, err
	}
	x.SetIdentity()
	a := amps{f: x.floats(), c: x.Data, n: x.Qubits, B: x.B}
	if err := prog.eachGates(func(gs []*step) { a.runGates(gs, Blocking) }); err != nil {
		return nil, err
	}
	return x, nil
}

// RealColumns is Columns on the float64 path for a circuit of real gates (an orthogonal
// matrix): the first k columns of Q as an N x k RealBatch. A gate with complex entries is an
// error naming it.
func RealColumns(c *circuit.Circuit, env circuit.Env, k int) (*RealBatch, error) {
	if err := checkColumns(c, k, true); err != nil {
		return nil, err
	}
	prog, err := prepare(c, env)
	if err != nil {
		return nil, err
	}
	if i := prog.sh.notReal; i >= 0 {
		return nil, fmt.Errorf("%w (operation %d)", notRealError(&c.Ops[i]), i)
	}
	x, err := newRealBatch(c.NumQubits, k, 0, "orthogonal matrix")
	if err != nil {
		return nil, err
	}
	x.SetIdentity()
	a := amps{f: x.Data, n: x.Qubits, B: x.B}
	if err := prog.eachGates(func(gs []*step) { a.runGates(gs, Blocking) }); err != nil {
		return nil, err
	}
	return x, nil
}

// RealUnitary is RealColumns with every column: the full orthogonal matrix of a real circuit.
func RealUnitary(c *circuit.Circuit, env circuit.Env) (*RealBatch, error) {
	return RealColumns(c, env, 1<<c.NumQubits)
}

// gateSteps returns the gate steps of a compiled circuit of gates (barriers dropped).
func gateSteps(steps []step) []*step {
	gs := make([]*step, 0, len(steps))
	for i := range steps {
		if steps[i].m != nil {
			gs = append(gs, &steps[i])
		}
	}
	return gs
}

// checkColumns validates a request for k columns of c's unitary and checks its
// ColumnsFootprint against the memory limit.
func checkColumns(c *circuit.Circuit, k int, real bool) error {
	if err := checkUnitary(c); err != nil {
		return err
	}
	if c.NumQubits >= 62 {
		fp := ColumnsFootprint(c.NumQubits, 1, real)
		return fp.Check(0)
	}
	if k < 1 || k > 1<<c.NumQubits {
		return fmt.Errorf("sim: asked for %d columns of a %d-qubit unitary; take 1 to %d", k, c.NumQubits, 1<<c.NumQubits)
	}
	fp := ColumnsFootprint(c.NumQubits, k, real)
	return fp.Check(0)
}

// condHolds reports whether the measured bits satisfy a condition of any width.
func condHolds(c *circuit.Cond, clbits []uint8) bool {
	if c.Big == nil {
		var v uint64
		for j, b := range c.Clbits {
			v |= uint64(clbits[b]) << j
		}
		return v == c.Value
	}
	for j, b := range c.Clbits {
		if uint(clbits[b]) != c.Big.Bit(j) {
			return false
		}
	}
	return true
}
