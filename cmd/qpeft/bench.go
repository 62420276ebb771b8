package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/library"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/sim"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "time the simulator on the Pauli ansatz, random-layered circuits and the QFT against the memory floor",
		usage:   "[--circuits pauli,random,qft] [--qubits 12,16,20] [--layers 4] [--depth 20] [--repeat 3] [--threads N] [--unfused] [--seed S]",
		run:     runBench,
	})
}

// benchCircuits are the workloads of qpeft bench, in table order.
var benchCircuits = []string{"pauli", "random", "qft"}

func runBench(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	c := commands["bench"]
	fs := newFlags(c, stderr)
	circuits := fs.String("circuits", strings.Join(benchCircuits, ","), "comma-separated workloads: pauli (Pauli ansatz, random angles), random (random-layered), qft")
	qubits := fs.String("qubits", "12,16,20", "comma-separated qubit counts")
	layers := fs.Int("layers", 4, "entangling layers of the Pauli ansatz")
	depth := fs.Int("depth", 20, "layers of the random-layered circuit")
	repeat := fs.Int("repeat", 3, "runs per case; the fastest is reported")
	threads := fs.Int("threads", 0, "goroutines per kernel (0: GOMAXPROCS)")
	unfused := fs.Bool("unfused", false, "also time gate-by-gate execution (cache blocking and fusion off)")
	seed := fs.Uint64("seed", 1, "seed of the random angles and circuits")
	memLimit := addMemoryLimitFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("bench takes no arguments, got %q", fs.Arg(0))
	}
	var kinds []string
	for _, f := range strings.Split(*circuits, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(benchCircuits, f) {
			return usageError("--circuits: %q is not one of %s", f, strings.Join(benchCircuits, ", "))
		}
		kinds = append(kinds, f)
	}
	var ns []int
	for _, f := range strings.Split(*qubits, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > ansatz.MaxQubits {
			return usageError("--qubits: %q is not a qubit count from 1 to %d", f, ansatz.MaxQubits)
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
	restore, err := applyMemoryLimit(*memLimit)
	defer restore()
	if err != nil {
		return err
	}
	var limit int64 // sim.MemoryLimit, set above
	old, oldBlocking := sim.Threads, sim.Blocking
	sim.Threads = *threads
	defer func() { sim.Threads, sim.Blocking = old, oldBlocking }()

	// The whole run's peak is its largest case: the floor's state, which may not yet be
	// collected, beside the run's own state and scratch.
	for _, kind := range kinds {
		for _, n := range ns {
			circ, params, err := benchCircuit(kind, n, *layers, *depth, *seed)
			if err != nil {
				return err
			}
			fp, err := sim.RunFootprint(circ, sim.Options{Params: params, Complex: true})
			if err != nil {
				return err
			}
			fp.Merge(sim.MemoryFloorFootprint(n, true))
			fp.What = fmt.Sprintf("bench of %s on %d qubits", kind, n)
			if err := fp.Check(0); err != nil {
				return err
			}
		}
	}
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "circuit\tqubits\tgates\tpath\texecution\tsweeps\tbest time\tns/amp-gate\tfloor ns/amp\tfloor×sweeps\ttime/(floor×sweeps)\t")
	floors := map[[2]int]time.Duration{}
	for _, kind := range kinds {
		for _, n := range ns {
			circ, params, err := benchCircuit(kind, n, *layers, *depth, *seed)
			if err != nil {
				return err
			}
			paths := []bool{true}
			if circ.IsReal() {
				paths = []bool{false, true}
			}
			modes := []bool{true}
			if *unfused {
				modes = append(modes, false)
			}
			for _, complexPath := range paths {
				key := [2]int{n, 0}
				if complexPath {
					key[1] = 1
				}
				floor, ok := floors[key]
				if !ok {
					if floor, err = sim.MemoryFloor(n, complexPath, *repeat, limit); err != nil {
						return err
					}
					floors[key] = floor
				}
				for _, blocked := range modes {
					sim.Blocking = oldBlocking
					mode := "fused"
					if !blocked {
						sim.Blocking = sim.BlockConfig{}
						mode = "gate by gate"
					}
					sc, err := sim.Plan(circ, circuit.MapEnv(params), complexPath)
					if err != nil {
						return err
					}
					best, err := bestOf(*repeat, func() error {
						_, err := sim.Run(circ, sim.Options{Params: params, Complex: complexPath, MemoryLimit: limit})
						return err
					})
					if err != nil {
						return err
					}
					path := "float64"
					if complexPath {
						path = "complex128"
					}
					amps := float64(int64(1) << n)
					bound := time.Duration(sc.Sweeps) * floor
					fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%v\t%.3f\t%.3f\t%v\t%.1f\t\n", kind, n, sc.Gates, path, mode, sc.Sweeps,
						best.Round(time.Microsecond), float64(best.Nanoseconds())/float64(sc.Gates)/amps,
						float64(floor.Nanoseconds())/amps, bound.Round(time.Microsecond), float64(best)/float64(max(bound, 1)))
				}
			}
		}
	}
	tw.Flush()
	fmt.Fprintln(stdout, "\nfloor: one read+write sweep (x *= s) over a state of that size, measured here; sweeps: passes over the")
	fmt.Fprintln(stdout, "state the schedule needs (sim.Plan), so floor×sweeps is the memory-bandwidth bound of the circuit.")
	fmt.Fprintln(stdout, "A ratio far above 1 means the run is bound by arithmetic inside cache-resident chunks, not by memory.")
	return nil
}

// benchCircuit builds one workload with its parameter values.
func benchCircuit(kind string, n, layers, depth int, seed uint64) (*circuit.Circuit, map[string]float64, error) {
	switch kind {
	case "pauli":
		c, err := ansatz.Pauli(n, layers)
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
	default:
		c, err := library.QFT(n)
		return c, nil, err
	}
}

// bestOf returns the fastest of k timed calls.
func bestOf(k int, f func() error) (time.Duration, error) {
	best := time.Duration(1<<63 - 1)
	for i := 0; i < k; i++ {
		t := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		best = min(best, time.Since(t))
	}
	return best, nil
}
