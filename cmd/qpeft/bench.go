package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/sim"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "time the simulator on the Pauli ansatz (float64 and complex128 paths) against the memory floor",
		usage:   "[--qubits 16,20,24] [--layers 4] [--repeat 3] [--threads N] [--seed S]",
		run:     runBench,
	})
}

func runBench(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	c := commands["bench"]
	fs := newFlags(c, stderr)
	qubits := fs.String("qubits", "16,20", "comma-separated qubit counts")
	layers := fs.Int("layers", 4, "entangling layers of the Pauli ansatz")
	repeat := fs.Int("repeat", 3, "runs per case; the fastest is reported")
	threads := fs.Int("threads", 0, "goroutines per kernel (0: GOMAXPROCS)")
	seed := fs.Uint64("seed", 1, "seed of the random angles")
	memLimit := fs.String("memory-limit", "", "largest state to allocate, e.g. 16GiB (default: 3/4 of RAM or $QPEFT_MEMORY_LIMIT)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("bench takes no arguments, got %q", fs.Arg(0))
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
	if *repeat < 1 {
		return usageError("--repeat must be ≥ 1, got %d", *repeat)
	}
	if *threads < 0 {
		return usageError("--threads must be ≥ 0, got %d", *threads)
	}
	var limit int64
	if *memLimit != "" {
		v, err := sim.ParseBytes(*memLimit)
		if err != nil {
			return usageError("--memory-limit: %v", err)
		}
		limit = v
	}
	old := sim.Threads
	sim.Threads = *threads
	defer func() { sim.Threads = old }()

	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "qubits\tgates\tpath\tbest time\tns/amp-gate\tfloor ns/amp\t")
	for _, n := range ns {
		c, err := ansatz.Pauli(n, *layers)
		if err != nil {
			return err
		}
		r := rand.New(rand.NewPCG(*seed, 0))
		params := map[string]float64{}
		for _, p := range c.Params {
			params[p] = (r.Float64()*2 - 1) * 3
		}
		gates := len(c.Ops)
		for _, complexPath := range []bool{false, true} {
			best, err := bestOf(*repeat, func() error {
				_, err := sim.Run(c, sim.Options{Params: params, Complex: complexPath, MemoryLimit: limit})
				return err
			})
			if err != nil {
				return err
			}
			floor, err := sweepFloor(n, complexPath, *repeat, limit)
			if err != nil {
				return err
			}
			path := "float64"
			if complexPath {
				path = "complex128"
			}
			amps := float64(int64(1) << n)
			fmt.Fprintf(tw, "%d\t%d\t%s\t%v\t%.3f\t%.3f\t\n", n, gates, path, best.Round(time.Microsecond),
				float64(best.Nanoseconds())/float64(gates)/amps, float64(floor.Nanoseconds())/amps)
		}
	}
	tw.Flush()
	fmt.Fprintln(stdout, "\nfloor: one read+write sweep (x *= s) over the state, the memory-bandwidth bound of one gate.")
	return nil
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

// sweepFloor times one read+write sweep over a state of n qubits.
func sweepFloor(n int, complexPath bool, k int, limit int64) (time.Duration, error) {
	old := sim.MemoryLimit
	if limit > 0 {
		sim.MemoryLimit = limit
	}
	defer func() { sim.MemoryLimit = old }()
	if complexPath {
		x, err := sim.NewBatch(n, 1)
		if err != nil {
			return 0, err
		}
		x.Scale(1)
		return bestOf(k, func() error { x.Scale(0.999); return nil })
	}
	x, err := sim.NewRealBatch(n, 1)
	if err != nil {
		return 0, err
	}
	x.Scale(1)
	return bestOf(k, func() error { x.Scale(0.999); return nil })
}
