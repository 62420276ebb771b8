package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/library"
	"github.com/qpeft/qpeft/internal/cputime"
	"github.com/qpeft/qpeft/internal/fmapeak"
	"github.com/qpeft/qpeft/interop/bench"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/sim"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "time the simulator on OpenQASM files or built-in circuit families against the memory floor, optionally beside the peers",
		usage:   "[FILE.qasm ...] [--param NAME=VALUE ...] [--circuits pauli,random,qft,qaoa,hea,cliffordt] [--qubits 12,16,20] [--layers 4] [--depth 20] [--repeat 3] [--threads N] [--unfused] [--precision double|single|both] [--seed S] [--peers PYTHON] [--peer-sims aer,qsim,lightning]",
		run:     runBench,
	})
}

// benchCircuits are the built-in workloads of qpeft bench, in table order; the first three
// are the default set (the table of docs/benchmarks.md), the others held-out families.
// maxBenchQubits bounds --qubits; the memory estimate refuses sizes this machine cannot hold
// (2^31 amplitudes fit in 24 GiB only as float64 or complex64).
const maxBenchQubits = 40

var benchCircuits = []string{"pauli", "random", "qft", "qaoa", "hea", "cliffordt"}

// benchCase is one circuit to time: a built-in family at a size or a user's file.
type benchCase struct {
	name   string
	circ   *circuit.Circuit
	params map[string]float64
	// realOnly: only the real path fits the memory limit (the complex one is skipped).
	realOnly bool
}

func runBench(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := commands["bench"]
	fs := newFlags(c, stderr)
	circuits := fs.String("circuits", strings.Join(benchCircuits[:3], ","), "comma-separated built-in workloads: pauli (Pauli ansatz, random angles), random (random-layered), qft, qaoa (QAOA on a ring, --layers rounds), hea (RY/RZ + CX ladder, --layers layers), cliffordt (H/S/T + CX, --depth layers); with FILE arguments, none unless given")
	qubits := fs.String("qubits", "12,16,20", "comma-separated qubit counts of the built-in workloads")
	layers := fs.Int("layers", 4, "entangling layers of the Pauli ansatz and the hardware-efficient ansatz, rounds of QAOA")
	depth := fs.Int("depth", 20, "layers of the random-layered and Clifford+T circuits")
	repeat := fs.Int("repeat", 3, "runs per case; the fastest is reported")
	threads := fs.Int("threads", 0, "goroutines per kernel (0: GOMAXPROCS)")
	unfused := fs.Bool("unfused", false, "also time gate-by-gate execution (cache blocking and fusion off)")
	seed := fs.Uint64("seed", 1, "seed of the random angles and circuits")
	memLimit := addMemoryLimitFlag(fs)
	params := fs.StringArray("param", nil, "value of an input of the FILE programs, NAME=VALUE (as for qpeft run); repeatable")
	peers := fs.String("peers", "", "a Python with qiskit-aer, qsimcirq and/or pennylane-lightning (interop/bench/requirements.txt): also time every circuit on those peers, side by side")
	peerSims := fs.String("peer-sims", "aer,qsim,lightning", "the peers --peers runs (those the Python lacks are reported as missing)")
	qf := addQASMFlags(fs)
	precision := fs.String("precision", "double", "double (float64/complex128), single (float32/complex64) or both; single-precision rows give their fidelity with the double-precision state (up to 26 qubits)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var kinds []string
	if fs.NArg() == 0 || fs.Changed("circuits") {
		for _, f := range strings.Split(*circuits, ",") {
			f = strings.TrimSpace(f)
			if !slices.Contains(benchCircuits, f) {
				return usageError("--circuits: %q is not one of %s", f, strings.Join(benchCircuits, ", "))
			}
			kinds = append(kinds, f)
		}
	}
	var ns []int
	for _, f := range strings.Split(*qubits, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > maxBenchQubits {
			return usageError("--qubits: %q is not a qubit count from 1 to %d", f, maxBenchQubits)
		}
		ns = append(ns, n)
	}
	if *layers < 0 {
		return usageError("--layers must be ≥ 0, got %d", *layers)
	}
	if *depth < 1 {
		return usageError("--depth must be ≥ 1, got %d", *depth)
	}
	if *repeat < 1 {
		return usageError("--repeat must be ≥ 1, got %d", *repeat)
	}
	if *threads < 0 {
		return usageError("--threads must be ≥ 0, got %d", *threads)
	}
	if len(*params) > 0 && fs.NArg() == 0 {
		return usageError("--param binds inputs of FILE programs, but no file is given")
	}
	var sims []string
	for _, s := range strings.Split(*peerSims, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains([]string{"aer", "qsim", "lightning"}, s) {
			return usageError("--peer-sims: %q is not one of aer, qsim, lightning", s)
		}
		sims = append(sims, s)
	}
	var precs []sim.Precision
	switch *precision {
	case "both":
		precs = []sim.Precision{sim.Double, sim.Single}
	default:
		p, err := sim.ParsePrecision(*precision)
		if err != nil {
			return usageError("--precision: %v (or both)", err)
		}
		precs = []sim.Precision{p}
	}
	restore, err := applyMemoryLimit(*memLimit)
	defer restore()
	if err != nil {
		return err
	}
	var limit int64 // 0: sim.MemoryLimit, set above

	var cases []benchCase
	for _, path := range fs.Args() {
		p, err := qf.readProgram(path, stdin)
		if err != nil {
			return err
		}
		values, err := inputValues(p, *params)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		u, err := p.Circuit.RemoveFinalMeasurements()
		if err != nil {
			return usageError("%s: bench times circuits of gates, but %v", path, err)
		}
		if op := firstNonUnitary(u); op != nil {
			return usageError("%s: bench times circuits of gates, but %s%s is not a gate", path, posText(op.Pos), describeOp(op))
		}
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		if path == "-" {
			name = "stdin"
		}
		cases = append(cases, benchCase{name: name, circ: u, params: values})
	}
	for _, kind := range kinds {
		for _, n := range ns {
			circ, params, err := benchCircuit(kind, n, *layers, *depth, *seed)
			if err != nil {
				return err
			}
			cases = append(cases, benchCase{name: kind, circ: circ, params: params})
		}
	}

	// The whole run's peak is its largest case: the run's own state and scratch, and for
	// --precision both the double-precision state kept to compare with; or the floor's
	// state. The two are never live together: bestOf collects garbage and returns it to the
	// system before every timed run (freeMemory), and the floor is measured after the same.
	// A real circuit is timed on both paths; when only its real path fits, the complex one
	// is skipped with a note rather than refusing the whole case (the Pauli ansatz at 31
	// qubits: 16 GiB as float64, 32 GiB as complex128).
	fits := func(bc benchCase, complexPath bool) error {
		n := bc.circ.NumQubits
		for _, prec := range precs {
			fp, err := sim.RunFootprint(bc.circ, sim.Options{Env: circuit.MapEnv(bc.params), Complex: complexPath, Precision: prec})
			if err != nil {
				return fmt.Errorf("%s: %w", bc.name, err)
			}
			if prec == sim.Single && len(precs) > 1 && n <= 26 {
				fp.Merge(sim.MemoryFloorFootprint(n, complexPath, sim.Double))
			}
			fp.What = fmt.Sprintf("bench of %s on %d qubits", bc.name, n)
			floor := sim.MemoryFloorFootprint(n, complexPath, prec)
			floor.What = fmt.Sprintf("the memory floor of bench of %s on %d qubits", bc.name, n)
			for _, f := range []sim.Footprint{fp, floor} {
				if err := f.Check(0); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for i, bc := range cases {
		err := fits(bc, true)
		if err != nil && bc.circ.IsReal() && fits(bc, false) == nil {
			fmt.Fprintf(stderr, "qpeft bench: %s on %d qubits: only the real path is timed (the complex path does not fit: %v)\n", bc.name, bc.circ.NumQubits, err)
			cases[i].realOnly = true
			continue
		}
		if err != nil {
			return err
		}
	}

	old, oldBlocking := sim.Threads, sim.Blocking
	sim.Threads = *threads
	defer func() { sim.Threads, sim.Blocking = old, oldBlocking }()

	// With --peers, every case is also written in the peers' gates; a case that needed
	// translation is timed on qpeft in its translated form too, so that the side-by-side
	// ratio compares the same gates.
	var peerDir string
	if *peers != "" {
		tmp, err := os.MkdirTemp("", "qpeft-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		peerDir = filepath.Join(tmp, "circuits")
		if err := os.Mkdir(peerDir, 0o755); err != nil {
			return err
		}
		var all []benchCase
		for _, bc := range cases {
			kind := fmt.Sprintf("%s-q%d", peerName(bc.name), bc.circ.NumQubits)
			f, translated, err := bench.FromCircuit(bc.circ, circuit.MapEnv(bc.params), kind)
			if err != nil {
				return err
			}
			if err := f.Write(peerDir); err != nil {
				return err
			}
			all = append(all, bc)
			if translated {
				pc, err := f.Circuit()
				if err != nil {
					return err
				}
				all = append(all, benchCase{name: bc.name + " (peer gates)", circ: pc})
			}
		}
		cases = all
	}

	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "circuit\tqubits\tgates\tpath\texecution\tsteps\tsweeps\tchunk\tbest time\tns/amp-gate\tfloor ns/amp\tfloor×sweeps\ttime/(floor×sweeps)\tstep bound\ttime/step bound\tkernel bound\ttime/kernel bound\tcpu/(threads×kernel bound)\t1−fidelity\t")
	floors := map[floorKey]time.Duration{}
	threadCount := *threads
	if threadCount == 0 {
		threadCount = runtime.GOMAXPROCS(0)
	}
	cachePasses := map[floorKey]time.Duration{}
	kernelCosts := map[floorKey]sim.KernelCosts{}
	var kernelKeys []floorKey           // in order of measurement, for the kernel table
	ours := map[peerKey]time.Duration{} // qpeft's best time on the peer gates
	oursRun := map[peerKey]func() error{}
	for _, bc := range cases {
		circ, n := bc.circ, bc.circ.NumQubits
		env := circuit.MapEnv(bc.params)
		paths := []bool{true}
		switch {
		case bc.realOnly:
			paths = []bool{false}
		case circ.IsReal():
			paths = []bool{false, true}
		}
		modes := []bool{true}
		if *unfused {
			modes = append(modes, false)
		}
		for _, complexPath := range paths {
			var ref *sim.State // the double-precision fused state, for the fidelity of single
			for _, prec := range precs {
				fk := floorKey{n, complexPath, prec}
				floor, ok := floors[fk]
				if !ok {
					freeMemory()
					var err error
					if floor, err = sim.MemoryFloorPrecision(n, complexPath, prec, *repeat, limit); err != nil {
						return err
					}
					floors[fk] = floor
					cachePasses[fk] = sim.CachePass(n, complexPath, prec, *repeat)
					kernelCosts[fk] = sim.MeasureKernelCosts(n, complexPath, prec, *repeat)
					kernelKeys = append(kernelKeys, fk)
				}
				cachePass, kc := cachePasses[fk], kernelCosts[fk]
				for _, blocked := range modes {
					sim.Blocking = oldBlocking
					mode := "fused"
					if !blocked {
						sim.Blocking = sim.BlockConfig{}
						mode = "gate by gate"
					}
					sc, err := sim.PlanPrecision(circ, env, complexPath, prec)
					if err != nil {
						return fmt.Errorf("%s: %w", bc.name, err)
					}
					var last *sim.State
					keep := blocked && n <= 26 && len(precs) > 1
					runOnce := func() error {
						last = nil
						r, err := sim.Run(circ, sim.Options{Env: env, Complex: complexPath, MemoryLimit: limit, Precision: prec})
						if err == nil && keep {
							last = r.State
						}
						return err
					}
					best, cpu, err := bestOfCPU(*repeat, runOnce)
					if err != nil {
						return fmt.Errorf("%s: %w", bc.name, err)
					}
					fid := "-"
					if keep && prec == sim.Double {
						ref = last
					} else if keep && ref != nil {
						f, err := sim.Fidelity(ref, last)
						if err != nil {
							return fmt.Errorf("%s: %w", bc.name, err)
						}
						fid = fmt.Sprintf("%.1e", max(1-f, 0))
					}
					last = nil
					path := pathName(complexPath, prec)
					if blocked && (!complexPath || !circ.IsReal()) {
						k := peerKey{fmt.Sprintf("%s-q%d", peerName(strings.TrimSuffix(bc.name, " (peer gates)")), n), prec}
						ours[k] = best
						c, e, p := circ, env, prec
						oursRun[k] = func() error {
							_, err := sim.Run(c, sim.Options{Env: e, MemoryLimit: limit, Precision: p})
							return err
						}
					}
					amps := float64(int64(1) << n)
					bound := time.Duration(sc.Sweeps) * floor
					chunk := "-"
					if sc.ChunkQubits > 0 {
						chunk = strconv.Itoa(sc.ChunkQubits)
					}
					own := sc.Bound(floor, cachePass)
					kb := sc.KernelBound(floor, kc)
					cpuRatio := "-"
					if cpu > 0 {
						cpuRatio = fmt.Sprintf("%.2f", float64(cpu)/float64(threadCount)/float64(max(kb, 1)))
					}
					fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%d\t%s\t%v\t%.3f\t%.3f\t%v\t%.1f\t%v\t%.2f\t%v\t%.2f\t%s\t%s\t\n", bc.name, n, sc.Gates, path, mode, sc.Steps, sc.Sweeps, chunk,
						best.Round(time.Microsecond), float64(best.Nanoseconds())/float64(max(sc.Gates, 1))/amps,
						float64(floor.Nanoseconds())/amps, bound.Round(time.Microsecond), float64(best)/float64(max(bound, 1)),
						own.Round(time.Microsecond), float64(best)/float64(max(own, 1)),
						kb.Round(time.Microsecond), float64(best)/float64(max(kb, 1)), cpuRatio, fid)
				}
			}
		}
	}
	tw.Flush()
	fmt.Fprintln(stdout, "\nfloor: one read+write sweep (x *= s) over a state of that size, measured here; steps: operations after")
	fmt.Fprintln(stdout, "fusion; sweeps: passes over the state the schedule needs (sim.Plan); chunk: qubits of a cache-resident")
	fmt.Fprintln(stdout, "chunk (- : not blocked). floor×sweeps is the memory-bandwidth bound of the circuit; a ratio far above 1")
	fmt.Fprintln(stdout, "means the run is bound by arithmetic inside cache-resident chunks, not by memory. bound: the schedule's own")
	fmt.Fprintln(stdout, "step bound, the sum over its passes of max(floor, steps × one in-cache pass (x *= s over a chunk per thread));")
	fmt.Fprintln(stdout, "kernel bound: the sum over its passes of max(floor, Σ over its steps of the in-cache cost of the kernel the")
	fmt.Fprintln(stdout, "step runs), each kernel kind timed alone on cache-resident chunks on every thread (table below). The goal")
	fmt.Fprintln(stdout, "of docs/benchmarks.md (each sweep within 1.5× of its bound) is read against the kernel bound.")
	fmt.Fprintln(stdout, "cpu/(threads×kernel bound): the least process CPU time of the runs over threads × the kernel bound, the")
	fmt.Fprintln(stdout, "steadier reading on a loaded machine (it leaves out the time the threads wait for a core).")
	writeKernelTable(stdout, kernelKeys, kernelCosts, threadCount)
	if peerDir == "" {
		return nil
	}
	t := threadCount
	fmt.Fprintf(stderr, "bench: timing the peers with %s (%d threads)\n", *peers, t)
	recs, err := bench.RunPeers(peerDir, bench.PeerOptions{Python: *peers, Sims: sims, Threads: t, Repeat: *repeat, Log: stderr})
	if err != nil {
		return err
	}
	// qpeft again, after the peers: the machine's state drifts within minutes, so its best
	// time is the best of the runs before and after.
	sim.Blocking = oldBlocking
	for k, f := range oursRun {
		d, err := bestOf(*repeat, f)
		if err != nil {
			return err
		}
		ours[k] = min(ours[k], d)
	}
	return writePeerTable(stdout, recs, ours, t, precs)
}

// writeKernelTable prints, for the first size measured of each amplitude type, what one pass
// of each kernel kind costs in cache per amplitude (all threads at once), its arithmetic
// rate and the fraction of this machine's FMA peak (measured here with the widest FMA loop
// the CPU has, in that precision, on the same number of threads) that it reaches.
func writeKernelTable(w io.Writer, keys []floorKey, costs map[floorKey]sim.KernelCosts, threads int) {
	type pathKey struct {
		complexPath bool
		prec        sim.Precision
	}
	seen := map[pathKey]bool{}
	peaks := map[sim.Precision]fmapeak.Peak{}
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	header := false
	for _, key := range keys {
		fk := key
		pk := pathKey{fk.complexPath, fk.prec}
		if seen[pk] {
			continue
		}
		seen[pk] = true
		peak, ok := peaks[fk.prec]
		if !ok {
			for _, width := range []int{512, 256} {
				if p, has := fmapeak.Measure(width, fk.prec == sim.Single, threads, 20); has {
					peak, ok = p, true
					break
				}
			}
			peaks[fk.prec] = peak
		}
		if !header {
			fmt.Fprintf(w, "\nkernels in cache (%d threads, each on its own chunk; the pass of a whole state of n qubits, per amplitude):\n", threads)
			fmt.Fprintln(tw, "path\tkernel\tns/amp\tGFLOP/s\t% of FMA peak\t")
			header = true
		}
		kc := costs[key]
		amps := float64(int64(1) << fk.n)
		for k := sim.Kernel(0); k < sim.NumKernels; k++ {
			if kc[k] <= 0 {
				continue
			}
			flops := k.FLOPs(fk.complexPath) * amps / kc[k].Seconds()
			frac := "-"
			if peak.LaneFMAs > 0 && flops > 0 {
				frac = fmt.Sprintf("%.0f%%", 100*flops/peak.FLOPs())
			}
			fmt.Fprintf(tw, "%s\t%v\t%.3f\t%.1f\t%s\t\n", pathName(fk.complexPath, fk.prec), k, float64(kc[k].Nanoseconds())/amps, flops/1e9, frac)
		}
	}
	tw.Flush()
	for _, prec := range []sim.Precision{sim.Double, sim.Single} {
		if p, ok := peaks[prec]; ok && p.LaneFMAs > 0 {
			fmt.Fprintf(w, "FMA peak, %s precision, %d-bit vectors, %d threads: %.1f GFLOP/s\n", prec, p.Width, p.Threads, p.FLOPs()/1e9)
		}
	}
}

// floorKey names a measurement of the floor, the in-cache pass and the kernels' costs: the
// qubit count, the path and the precision.
type floorKey struct {
	n           int
	complexPath bool
	prec        sim.Precision
}

// peerKey names qpeft's time on one peer circuit file in one precision.
type peerKey struct {
	kind string
	prec sim.Precision
}

// writePeerTable prints each peer's time beside qpeft's on the same gates, in each precision.
func writePeerTable(w io.Writer, recs []bench.Record, ours map[peerKey]time.Duration, threads int, precs []sim.Precision) error {
	fmt.Fprintf(w, "\nside by side, %d threads, the same gates on every simulator (best of the runs; peers after one warm-up):\n", threads)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	hdr := "circuit\tqubits\tgates\tsimulator\tbest time\t"
	for _, p := range precs {
		hdr += fmt.Sprintf("qpeft %s\tqpeft %s/peer\t", p, p)
	}
	fmt.Fprintln(tw, hdr)
	var missing []string
	for _, r := range recs {
		if r.Missing != "" {
			missing = append(missing, fmt.Sprintf("%s (%s)", r.Sim, r.Missing))
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%v\t", r.Circuit, r.Qubits, r.Gates, r.Sim,
			time.Duration(r.Seconds*float64(time.Second)).Round(time.Microsecond))
		for _, p := range precs {
			if q, ok := ours[peerKey{r.Circuit, p}]; ok {
				fmt.Fprintf(tw, "%v\t%.2f\t", q.Round(time.Microsecond), q.Seconds()/r.Seconds)
			} else {
				fmt.Fprint(tw, "-\t-\t")
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(w, "qpeft/peer below 1: qpeft is faster. qpeft: its fused run on its automatic path (real amplitudes while every")
	fmt.Fprintln(w, "gate is real), best of its runs before and after the peers; qsim computes in complex64 (single), Aer and")
	fmt.Fprintln(w, "lightning in complex128 (double).")
	if len(missing) > 0 {
		fmt.Fprintf(w, "not run (the Python lacks them): %s\n", strings.Join(missing, "; "))
	}
	return nil
}

// pathName names the amplitude type of a path.
func pathName(complexPath bool, prec sim.Precision) string {
	switch {
	case complexPath && prec == sim.Single:
		return "complex64"
	case complexPath:
		return "complex128"
	case prec == sim.Single:
		return "float32"
	}
	return "float64"
}

// peerName turns a case name into a file-name-safe kind for the peers' circuit files.
func peerName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// benchCircuit builds one workload with its parameter values.
func benchCircuit(kind string, n, layers, depth int, seed uint64) (*circuit.Circuit, map[string]float64, error) {
	switch kind {
	case "pauli":
		c, err := ansatz.PauliCircuit(n, layers)
		if err != nil {
			return nil, nil, err
		}
		r := rand.New(rand.NewPCG(seed, 0))
		params := map[string]float64{}
		for _, p := range c.Params {
			params[p] = (r.Float64()*2 - 1) * 3
		}
		return c, params, nil
	case "random":
		c, err := library.RandomLayered(n, depth, seed)
		return c, nil, err
	case "qaoa":
		if n < 2 {
			return nil, nil, usageError("--circuits qaoa needs --qubits of at least 2, got %d", n)
		}
		c, err := library.QAOARing(n, layers, seed)
		return c, nil, err
	case "hea":
		c, err := library.HardwareEfficient(n, layers, seed)
		return c, nil, err
	case "cliffordt":
		c, err := library.CliffordT(n, depth, seed)
		return c, nil, err
	default:
		c, err := library.QFT(n)
		return c, nil, err
	}
}

// bestOf returns the fastest of k timed calls. Memory is returned to the system before
// each call, so that the floor's state or the previous run's is not live beside the next one
// (a 2^30 complex128 state is 16 GiB).
func bestOf(k int, f func() error) (time.Duration, error) {
	best, _, err := bestOfCPU(k, f)
	return best, err
}

// bestOfCPU is bestOf that also returns the least process CPU time (user + system) of the
// calls, 0 where it cannot be read: on a loaded machine the steadier figure of the work
// done, since it leaves out the time the threads wait for a core.
func bestOfCPU(k int, f func() error) (time.Duration, time.Duration, error) {
	best, bestCPU := time.Duration(1<<63-1), time.Duration(1<<63-1)
	for i := 0; i < k; i++ {
		freeMemory()
		c0 := cputime.Process()
		t := time.Now()
		if err := f(); err != nil {
			return 0, 0, err
		}
		best = min(best, time.Since(t))
		bestCPU = min(bestCPU, cputime.Process()-c0)
	}
	return best, bestCPU, nil
}

// freeMemory collects garbage and returns the freed pages to the operating system.
func freeMemory() {
	runtime.GC()
	debug.FreeOSMemory()
}
