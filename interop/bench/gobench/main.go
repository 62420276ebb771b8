// Command gobench times qpeft's simulator (sim.Run) and itsubaki/q on circuits given as JSON
// gate lists (written by interop/bench/bench.py), so that every simulator runs exactly the
// same gates. It prints one JSON object per line:
//
//	go run ./interop/bench/gobench -circuits DIR -threads 1,2 -repeat 3
//
// Each record is the best of -repeat wall-clock runs (-repeat-large from -large-qubits on)
// of one simulation from |0…0⟩, state allocation included (as for the Python peers).
//
// qpeft records also carry the path that ran (float64 when every gate is real, else
// complex128; the Pauli circuits are timed on both), the schedule sim.Plan reports for it
// (steps after fusion, sweeps over the state vector, chunk qubits of the cache blocking) and
// the memory floor: the best time of one read+write sweep (x *= 0.999) over a state of the
// same size and element type at the same thread count. floor × sweeps is the time the fused
// circuit cannot beat on this machine's memory bandwidth.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/itsubaki/q"
	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/interop/bench"
	"github.com/qpeft/qpeft/sim"
)

// circuitFile is a circuit as written by bench.py.
type circuitFile = bench.File

// record is one timing: the fields every simulator's record has (bench.Record, the format
// bench.py prints too), and those only qpeft's have.
type record struct {
	bench.Record

	// qpeft records only.
	Path         string  `json:"path,omitempty"`          // float64 or complex128
	Steps        int     `json:"steps,omitempty"`         // operations after fusion (sim.Plan)
	Sweeps       int     `json:"sweeps,omitempty"`        // passes over the state vector (sim.Plan)
	ChunkQubits  int     `json:"chunk_qubits,omitempty"`  // 0: not cache-blocked
	FloorSeconds float64 `json:"floor_seconds,omitempty"` // one read+write sweep, best of repeats
	FloorSweeps  float64 `json:"floor_x_sweeps_seconds,omitempty"`
}

func build(cf *circuitFile) (*circuit.Circuit, error) { return cf.Circuit() }

// runItsubaki applies the gates on itsubaki/q (big-endian: our qubit k is its n−1−k).
func runItsubaki(cf *circuitFile) {
	n := cf.Qubits
	s := q.New()
	qb := s.Zeros(n)
	at := func(k int) q.Qubit { return qb[n-1-k] }
	for _, g := range cf.Gates {
		switch g.Name {
		case "ry":
			s.RY(g.Params[0], at(g.Qubits[0]))
		case "rx":
			s.RX(g.Params[0], at(g.Qubits[0]))
		case "rz":
			s.RZ(g.Params[0], at(g.Qubits[0]))
		case "p":
			s.R(g.Params[0], at(g.Qubits[0]))
		case "h":
			s.H(at(g.Qubits[0]))
		case "x":
			s.X(at(g.Qubits[0]))
		case "y":
			s.Y(at(g.Qubits[0]))
		case "z":
			s.Z(at(g.Qubits[0]))
		case "s":
			s.S(at(g.Qubits[0]))
		case "sdg":
			s.R(-math.Pi/2, at(g.Qubits[0]))
		case "t":
			s.T(at(g.Qubits[0]))
		case "tdg":
			s.R(-math.Pi/4, at(g.Qubits[0]))
		case "cz":
			s.CZ(at(g.Qubits[0]), at(g.Qubits[1]))
		case "cx":
			s.CNOT(at(g.Qubits[0]), at(g.Qubits[1]))
		case "cp":
			s.CR(g.Params[0], at(g.Qubits[0]), at(g.Qubits[1]))
		case "swap":
			s.Swap(at(g.Qubits[0]), at(g.Qubits[1]))
		case "rzz": // CX, RZ on the target, CX
			s.CNOT(at(g.Qubits[0]), at(g.Qubits[1]))
			s.RZ(g.Params[0], at(g.Qubits[1]))
			s.CNOT(at(g.Qubits[0]), at(g.Qubits[1]))
		}
	}
}

func best(k int, f func() error) (time.Duration, error) {
	b := time.Duration(math.MaxInt64)
	for i := 0; i < k; i++ {
		runtime.GC()
		t := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		b = min(b, time.Since(t))
	}
	return b, nil
}

// floorKey identifies one memory-floor measurement.
type floorKey struct {
	n, threads  int
	complexPath bool
}

func main() {
	dir := flag.String("circuits", "", "directory of circuit JSON files written by bench.py")
	threadList := flag.String("threads", "1,2", "comma-separated goroutine counts for sim.Threads")
	repeat := flag.Int("repeat", 3, "runs per case; the fastest is reported")
	repeatLarge := flag.Int("repeat-large", 1, "runs per case from -large-qubits on")
	largeQubits := flag.Int("large-qubits", 26, "qubit count from which -repeat-large applies")
	itsMax := flag.Int("itsubaki-max", 20, "largest qubit count run on itsubaki/q")
	unitary := flag.Bool("unitary", false, "time the full unitary (sim.Unitary, complex128) instead of the state vector")
	flag.Parse()
	if *unitary {
		if err := runUnitary(*dir, *threadList, *repeat); err != nil {
			fmt.Fprintln(os.Stderr, "gobench:", err)
			os.Exit(1)
		}
		return
	}
	if *repeatLarge < 1 {
		fmt.Fprintf(os.Stderr, "gobench: -repeat-large must be ≥ 1, got %d\n", *repeatLarge)
		os.Exit(2)
	}
	if err := run(*dir, *threadList, *repeat, *repeatLarge, *largeQubits, *itsMax); err != nil {
		fmt.Fprintln(os.Stderr, "gobench:", err)
		os.Exit(1)
	}
}

func run(dir, threadList string, repeat, repeatLarge, largeQubits, itsMax int) error {
	if dir == "" {
		return fmt.Errorf("-circuits is required (a directory written by bench.py)")
	}
	if repeat < 1 {
		return fmt.Errorf("-repeat must be ≥ 1, got %d", repeat)
	}
	var threads []int
	for _, f := range strings.Split(threadList, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || t < 1 {
			return fmt.Errorf("-threads: %q is not a positive integer", f)
		}
		threads = append(threads, t)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no circuit files (*.json) in %s", dir)
	}
	var cfs []*circuitFile
	for _, f := range files {
		cf, err := readCircuitFile(f)
		if err != nil {
			return err
		}
		cfs = append(cfs, cf)
	}
	sort.Slice(cfs, func(i, j int) bool {
		if cfs[i].Qubits != cfs[j].Qubits {
			return cfs[i].Qubits < cfs[j].Qubits
		}
		return cfs[i].Kind < cfs[j].Kind
	})
	enc := json.NewEncoder(os.Stdout)
	floors := map[floorKey]time.Duration{}
	for _, cf := range cfs {
		c, err := build(cf)
		if err != nil {
			return fmt.Errorf("%s n=%d: %w", cf.Kind, cf.Qubits, err)
		}
		work := float64(len(cf.Gates)) * math.Ldexp(1, cf.Qubits)
		newRecord := func(name string, t, reps int, d time.Duration) record {
			return record{Record: bench.Record{Sim: name, Threads: t, Circuit: cf.Kind, Qubits: cf.Qubits, Gates: len(cf.Gates),
				Seconds: d.Seconds(), NsAmpGate: float64(d.Nanoseconds()) / work, Repeats: reps}}
		}
		reps := repeat
		if cf.Qubits >= largeQubits {
			reps = repeatLarge
		}
		for _, t := range threads {
			sim.Threads = t
			// auto: float64 amplitudes while every gate is real (the Pauli ansatz), else complex128.
			for _, forceComplex := range []bool{false, true} {
				if forceComplex && !c.IsReal() {
					continue
				}
				complexPath := forceComplex || !c.IsReal()
				plan, err := sim.Plan(c, nil, complexPath)
				if err != nil {
					return fmt.Errorf("%s n=%d: plan: %w", cf.Kind, cf.Qubits, err)
				}
				fk := floorKey{cf.Qubits, t, complexPath}
				if _, ok := floors[fk]; !ok {
					f, err := sim.MemoryFloor(cf.Qubits, complexPath, max(reps, 3), 0)
					if err != nil {
						return fmt.Errorf("%s n=%d: memory floor: %w", cf.Kind, cf.Qubits, err)
					}
					floors[fk] = f
				}
				d, err := best(reps, func() error {
					_, err := sim.Run(c, sim.Options{Complex: forceComplex})
					return err
				})
				if err != nil {
					return fmt.Errorf("%s n=%d: %w", cf.Kind, cf.Qubits, err)
				}
				name := "qpeft"
				if c.IsReal() {
					name = "qpeft-float64"
					if forceComplex {
						name = "qpeft-complex128"
					}
				}
				r := newRecord(name, t, reps, d)
				r.Path = "float64"
				if complexPath {
					r.Path = "complex128"
				}
				r.Steps, r.Sweeps, r.ChunkQubits = plan.Steps, plan.Sweeps, plan.ChunkQubits
				r.FloorSeconds = floors[fk].Seconds()
				r.FloorSweeps = r.FloorSeconds * float64(plan.Sweeps)
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
		}
		if cf.Qubits <= itsMax {
			d, _ := best(1, func() error { runItsubaki(cf); return nil })
			if err := enc.Encode(newRecord("itsubaki-q", 1, 1, d)); err != nil {
				return err
			}
		}
	}
	return nil
}

// readCircuitFile reads one circuit file written by bench.py.
func readCircuitFile(path string) (*circuitFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cf := new(circuitFile)
	if err := json.Unmarshal(data, cf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cf, nil
}

// runUnitary times sim.Unitary on every circuit file at every thread count (record sim
// "qpeft-unitary"), the best of repeat runs, allocation included.
func runUnitary(dir, threadList string, repeat int) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	for _, f := range files {
		cf, err := readCircuitFile(f)
		if err != nil {
			return err
		}
		c, err := build(cf)
		if err != nil {
			return err
		}
		for _, ts := range strings.Split(threadList, ",") {
			t, err := strconv.Atoi(strings.TrimSpace(ts))
			if err != nil || t < 1 {
				return fmt.Errorf("-threads: %q is not a positive integer", ts)
			}
			sim.Threads = t
			d, err := best(repeat, func() error {
				_, err := sim.Unitary(c, nil)
				return err
			})
			if err != nil {
				return err
			}
			work := float64(len(cf.Gates)) * math.Ldexp(1, 2*cf.Qubits)
			if err := enc.Encode(record{Record: bench.Record{Sim: "qpeft-unitary", Threads: t, Circuit: cf.Kind, Qubits: cf.Qubits, Gates: len(cf.Gates),
				Seconds: d.Seconds(), NsAmpGate: float64(d.Nanoseconds()) / work, Repeats: repeat}}); err != nil {
				return err
			}
		}
	}
	return nil
}
