package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"math/cmplx"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/internal/plots"
	"github.com/qpeft/qpeft/qasm"
	"github.com/qpeft/qpeft/sim"
)

func init() {
	register(&command{
		name:    "run",
		summary: "simulate an OpenQASM program: measurement counts, probabilities or the state vector",
		usage:   "FILE.qasm|- [--shots N] [--seed S] [--param NAME=VALUE ...] [--probs|--state] [--precision double|single] [--plot FILE.png]",
		run:     runRun,
	})
}

// paramUsage is the help of --param in every command that takes it.
const paramUsage = "value of an input, NAME=VALUE (a number or a multiple of pi, e.g. pi/4 or -3*pi/2); an input array takes NAME=v0,v1,… or NAME[i]=VALUE; repeatable"

// inputValues turns --param NAME=VALUE flags into parameter values (see paramValues), and
// requires that every input gets a value: the error lists the missing ones with their types.
// run, unitary and lower read their parameters with it.
func inputValues(p *qasm.Program, flags []string) (map[string]float64, error) {
	out, err := paramValues(p, flags)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, in := range p.Inputs {
		var lacking []string
		for _, name := range in.Params {
			if _, ok := out[name]; !ok {
				lacking = append(lacking, name)
			}
		}
		switch {
		case len(lacking) == 0:
		case len(lacking) == len(in.Params) && len(in.Params) > 1:
			missing = append(missing, fmt.Sprintf("%s (%s: --param %s=v0,v1,…)", in.Name, in.Type, in.Name))
		case len(in.Params) > 1:
			missing = append(missing, fmt.Sprintf("%s of %s (%s)", strings.Join(lacking, ", "), in.Name, in.Type))
		default:
			missing = append(missing, fmt.Sprintf("%s (%s)", in.Name, in.Type))
		}
	}
	if len(missing) > 0 {
		return nil, usageError("missing inputs: %s; give each a value with --param NAME=VALUE", strings.Join(missing, "; "))
	}
	return out, nil
}

// paramValues is the one reader of --param NAME=VALUE flags (run, unitary, lower, export,
// draw). VALUE is a number or a multiple of pi (pi/4, -3*pi/2); an input array takes a
// comma-separated list (--param t=0.1,0.2,0.3) or single elements (--param t[2]=0.3). A name
// the program does not declare is an error listing its inputs; inputs without a value are
// left out (export keeps them as run-time inputs, draw prints them symbolically).
func paramValues(p *qasm.Program, flags []string) (map[string]float64, error) {
	c := p.Circuit
	out := map[string]float64{}
	byName := map[string]qasm.Input{}
	for _, in := range p.Inputs {
		byName[in.Name] = in
	}
	set := func(name string, v float64) error {
		if _, dup := out[name]; dup {
			return usageError("--param %s is given twice", name)
		}
		out[name] = v
		return nil
	}
	for _, f := range flags {
		name, val, ok := strings.Cut(f, "=")
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		if !ok || name == "" {
			return nil, usageError("--param %q: write NAME=VALUE, e.g. --param theta=0.5 or --param theta=pi/4", f)
		}
		if in, ok := byName[name]; ok && len(in.Params) > 1 || ok && in.Params[0] != name {
			parts := strings.Split(val, ",")
			if len(parts) != len(in.Params) {
				return nil, usageError("--param %s: input %s is %s and needs %d comma-separated values, got %d", name, name, in.Type, len(in.Params), len(parts))
			}
			for i, s := range parts {
				v, err := parseAngle(strings.TrimSpace(s))
				if err != nil {
					return nil, usageError("--param %s, value %d: %v", name, i+1, err)
				}
				if err := set(in.Params[i], v); err != nil {
					return nil, err
				}
			}
			continue
		}
		if !c.HasParam(name) {
			var have []string
			for _, in := range p.Inputs {
				have = append(have, in.Name+" ("+in.Type+")")
			}
			if len(have) == 0 {
				return nil, usageError("--param %s: the program declares no inputs", name)
			}
			return nil, usageError("--param %s: the program has no input %s; its inputs are %s", name, name, strings.Join(have, ", "))
		}
		v, err := parseAngle(val)
		if err != nil {
			return nil, usageError("--param %s: %v", name, err)
		}
		if err := set(name, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// stateBeforeMeasurement returns the circuit without its terminal measurements (those whose
// outcome feeds no later operation), for --probs and --state: their state is the state
// before those measurements. A measurement that feeds a later operation, a reset or a
// condition is a usage error naming it.
func stateBeforeMeasurement(c *circuit.Circuit) (*circuit.Circuit, error) {
	if c.IsUnitary() {
		return c, nil // nothing to remove: no copy of a large circuit's operations
	}
	u, err := c.RemoveFinalMeasurements()
	if err != nil {
		return nil, usageError("--probs and --state need the state before measurement, but %v; sample it with --shots instead", err)
	}
	if op := firstNonUnitary(u); op != nil {
		return nil, usageError("--probs and --state need the state before measurement, but %s%s makes the state depend on outcomes or mixes it; sample it with --shots instead", posText(op.Pos), describeOp(op))
	}
	return u, nil
}

// firstNonUnitary returns the first reset, measurement or conditioned operation, or nil.
func firstNonUnitary(c *circuit.Circuit) *circuit.Op {
	for i := range c.Ops {
		if !c.Ops[i].IsUnitary() {
			return &c.Ops[i]
		}
	}
	return nil
}

func describeOp(op *circuit.Op) string {
	if op.Cond != nil {
		return "the conditioned " + op.Name()
	}
	return op.Name()
}

func posText(p circuit.Pos) string {
	if p.IsValid() {
		return p.String() + ": "
	}
	return ""
}

// leftmost says which qubit a basis-state label shows first ("qubit n−1 leftmost").
func leftmost(n int) string {
	if n == 0 {
		return "no qubits: the one basis state |⟩"
	}
	return fmt.Sprintf("qubit %d leftmost", n-1)
}

// noteNoQubits tells the user on stderr that the program declares no qubits: the command
// still runs (on the one-dimensional space of no qubits), but that is rarely what was meant.
// readCircuit reads the program at path (readProgram) and the values of its inputs from
// --param flags (inputValues), and notes on stderr a program without qubits (noteNoQubits).
func (q *qasmFlags) readCircuit(path string, stdin io.Reader, stderr io.Writer, params []string) (*circuit.Circuit, map[string]float64, error) {
	p, err := q.readProgram(path, stdin)
	if err != nil {
		return nil, nil, err
	}
	values, err := inputValues(p, params)
	if err != nil {
		return nil, nil, err
	}
	noteNoQubits(stderr, path, p.Circuit)
	return p.Circuit, values, nil
}

func noteNoQubits(stderr io.Writer, path string, c *circuit.Circuit) {
	if c.NumQubits == 0 {
		if path == "-" {
			path = "<stdin>"
		}
		fmt.Fprintf(stderr, "note: %s has no qubits (it declares none); the result is that of the empty register\n", path)
	}
}

// ket writes basis state i of n qubits, qubit n−1 leftmost (Qiskit's order).
func ket(i, n int) string {
	if n == 0 {
		return "|⟩"
	}
	s := strconv.FormatUint(uint64(i), 2)
	return "|" + strings.Repeat("0", n-len(s)) + s + "⟩"
}

func runRun(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := commands["run"]
	fs := newFlags(cmd, stderr)
	shots := fs.Int("shots", 1024, "number of shots to sample when the program measures (up to 2^62; exponent notation such as 1e9 is accepted)")
	seed := fs.Uint64("seed", 1, "seed of the random measurement outcomes (same seed, same counts)")
	params := fs.StringArray("param", nil, paramUsage)
	probs := fs.Bool("probs", false, "print the probability of each basis state (of the state before the terminal measurements) instead of sampling")
	state := fs.Bool("state", false, "print the state vector (amplitudes) before the terminal measurements instead of sampling")
	plotPath := fs.String("plot", "", "also draw the counts (or the probabilities) as a bar chart in FILE.png")
	precision := fs.String("precision", "double", "amplitudes in double (float64/complex128) or single precision (float32/complex64: half the memory, about 7 significant digits)")
	qf := addQASMFlags(fs)
	memLimit := addMemoryLimitFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("run takes one OpenQASM file (or - for standard input), got %d arguments", fs.NArg())
	}
	if *probs && *state {
		return usageError("--probs and --state exclude each other")
	}
	if *shots < 1 || *shots > sim.MaxShots {
		return usageError("--shots %d must be from 1 to 2^62 (4611686018427387904)", *shots)
	}
	if err := checkPlotPath(*plotPath); err != nil {
		return err
	}
	prec, err := sim.ParsePrecision(*precision)
	if err != nil {
		return usageError("--precision: %v", err)
	}
	restore, err := applyMemoryLimit(*memLimit)
	defer restore()
	if err != nil {
		return err
	}
	c, values, err := qf.readCircuit(fs.Arg(0), stdin, stderr, *params)
	if err != nil {
		return err
	}
	env := circuit.MapEnv(values)
	measures := false
	for i := range c.Ops {
		if c.Ops[i].Kind == circuit.Measure {
			measures = true
		}
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	if *probs || *state || !measures {
		u, err := stateBeforeMeasurement(c)
		if err != nil {
			return err
		}
		// Run predicts the whole peak (the state and the executor's scratch) and refuses it
		// above the limit; the output below is streamed, so nothing else grows with 2^n.
		r, err := sim.Run(u, sim.Options{Env: env, Precision: prec})
		if err != nil {
			return err
		}
		return printState(w, r.State, c.NumQubits, *state, !*probs && !*state, *plotPath, filepath.Base(fs.Arg(0)))
	}
	// A per-shot simulation (the program measures or resets before its last gate) shows a
	// progress bar on a terminal, and Ctrl-C stops it between shots with the counts so far;
	// before it starts, Ctrl-C interrupts as usual.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	prog := newShotProgress(stderr, *shots, cancel)
	res, err := sim.Run(c, sim.Options{Env: env, Seed: *seed, Shots: *shots, Precision: prec, Context: ctx, Progress: prog.update})
	prog.finish()
	interrupted := err != nil && res != nil && ctx.Err() != nil
	if err != nil && !interrupted {
		return err
	}
	keys := make([]string, 0, len(res.Counts))
	for k := range res.Counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if interrupted {
		fmt.Fprintf(w, "# interrupted: the counts of the first %d of %d shots, seed %d; bits: highest classical bit leftmost, last register leftmost\n", res.Shots, *shots, *seed)
	} else {
		fmt.Fprintf(w, "# %d shots, seed %d; bits: highest classical bit leftmost, last register leftmost\n", *shots, *seed)
	}
	width := 0
	for _, k := range keys {
		width = max(width, len(k))
	}
	for _, k := range keys {
		fmt.Fprintf(w, "%-*s  %d\n", width, k, res.Counts[k])
	}
	if interrupted {
		return fmt.Errorf("interrupted after %d of %d shots (the counts so far are printed)", res.Shots, *shots)
	}
	if *plotPath != "" {
		bars := make([]plots.Bar, len(keys))
		for i, k := range keys {
			bars[i] = plots.Bar{Label: k, Value: float64(res.Counts[k])}
		}
		return writeBars(*plotPath, fmt.Sprintf("%s: %d shots, seed %d", filepath.Base(fs.Arg(0)), *shots, *seed),
			"measured bits (highest classical bit leftmost)", "shots", bars)
	}
	return nil
}

// printState streams the amplitudes (amplitudes) or the probabilities of the basis states
// with nonzero weight, one line each, and draws the largest probabilities when plotPath is
// set: nothing of size 2^n is built besides the state itself.
func printState(w io.Writer, st *sim.State, n int, amplitudes, measuresNothing bool, plotPath, name string) error {
	top := newTopBars(plots.MaxBars)
	if amplitudes {
		fmt.Fprintf(w, "# state vector of %d qubits (basis states with nonzero amplitude; %s)\n", n, leftmost(n))
	} else {
		if measuresNothing {
			fmt.Fprintln(w, "# the program measures nothing: probabilities of the final state")
		}
		fmt.Fprintf(w, "# probability of each basis state (%s)\n", leftmost(n))
	}
	var buf []byte
	for i := range 1 << n {
		v := st.Probability(i)
		if plotPath != "" && v > 1e-15 {
			top.add(i, v)
		}
		if amplitudes {
			a := st.Amplitude(i)
			if cmplx.Abs(a) <= 1e-15 {
				continue
			}
			buf = appendKet(buf[:0], i, n)
			buf = append(buf, "  "...)
			buf = appendComplex(buf, a)
		} else {
			if v <= 1e-15 {
				continue
			}
			buf = appendKet(buf[:0], i, n)
			buf = append(buf, "  "...)
			buf = strconv.AppendFloat(buf, v, 'g', 12, 64)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	if plotPath == "" {
		return nil
	}
	bars := top.bars(func(i int) string { return ket(i, n) })
	title := "probabilities of the final state of " + name
	if top.seen > len(bars) {
		title += fmt.Sprintf(" (the %d largest of %d)", len(bars), top.seen)
	}
	return writeBars(plotPath, title, "basis state ("+leftmost(n)+")", "probability", bars)
}

// topBars keeps the k largest values seen (and how many were seen) in constant memory.
type topBars struct {
	k    int
	seen int
	idx  []int
	val  []float64
	low  int // position of the smallest kept value
}

func newTopBars(k int) *topBars { return &topBars{k: k} }

func (t *topBars) add(i int, v float64) {
	t.seen++
	if len(t.idx) < t.k {
		t.idx, t.val = append(t.idx, i), append(t.val, v)
		if v < t.val[t.low] {
			t.low = len(t.val) - 1
		}
		return
	}
	if v <= t.val[t.low] {
		return
	}
	t.idx[t.low], t.val[t.low] = i, v
	for j := range t.val {
		if t.val[j] < t.val[t.low] {
			t.low = j
		}
	}
}

// bars returns the kept values in basis-state order.
func (t *topBars) bars(label func(int) string) []plots.Bar {
	order := make([]int, len(t.idx))
	for j := range order {
		order[j] = j
	}
	sort.Slice(order, func(a, b int) bool { return t.idx[order[a]] < t.idx[order[b]] })
	out := make([]plots.Bar, len(order))
	for j, o := range order {
		out[j] = plots.Bar{Label: label(t.idx[o]), Value: t.val[o]}
	}
	return out
}

// appendKet appends ket(i, n) to b.
func appendKet(b []byte, i, n int) []byte {
	b = append(b, "|"...)
	for k := n - 1; k >= 0; k-- {
		b = append(b, byte('0'+i>>k&1))
	}
	return append(b, "⟩"...)
}

func formatComplex(a complex128) string { return string(appendComplex(nil, a)) }

// appendComplex appends a as re+imi with the shortest round-trip digits (no allocation:
// the state is printed without garbage that the collector would let grow to its size).
func appendComplex(b []byte, a complex128) []byte {
	re, im := real(a), imag(a)
	b = strconv.AppendFloat(b, re, 'g', -1, 64)
	if im >= 0 || math.IsNaN(im) {
		b = append(b, '+')
	}
	b = strconv.AppendFloat(b, im, 'g', -1, 64)
	return append(b, 'i')
}

// shotProgress draws a progress bar on a terminal for a per-shot simulation (circuits that
// measure or reset before their last gate); elsewhere it draws nothing.
type shotProgress struct {
	w      io.Writer
	total  int
	on     bool
	bar    *progressbar.ProgressBar
	cancel func()
	sigs   chan os.Signal
}

func newShotProgress(w io.Writer, total int, cancel func()) *shotProgress {
	return &shotProgress{w: w, total: total, on: isTerminal(w), cancel: cancel}
}

// update is sim.Options.Progress: on the first call it routes Ctrl-C (and SIGTERM) to
// cancel, and starts the bar on a terminal.
func (p *shotProgress) update(done, total int) {
	if p.sigs == nil {
		p.sigs = make(chan os.Signal, 1)
		signal.Notify(p.sigs, os.Interrupt, syscall.SIGTERM)
		go func(ch chan os.Signal) {
			if _, ok := <-ch; ok {
				p.cancel()
			}
		}(p.sigs)
	}
	if !p.on {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions64(int64(total),
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("shots"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(24),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetPredictTime(true),
		)
	}
	_ = p.bar.Set64(int64(done))
}

// finish clears the bar and gives Ctrl-C back.
func (p *shotProgress) finish() {
	if p.sigs != nil {
		signal.Stop(p.sigs)
		close(p.sigs)
	}
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
