// Package bench is the Go side of the peer simulator benchmark (interop/bench): the circuit
// files that every simulator reads (JSON gate lists), the Python driver that times Qiskit
// Aer, qsim and PennyLane lightning.qubit on them (bench.py, embedded), and the records it
// prints. interop/bench/run.sh and its gobench command use it for the table of
// docs/benchmarks.md; qpeft bench --peers PYTHON uses it to time a user's circuit on the
// peers beside qpeft's own run.
package bench

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/export/transpile"
	"github.com/qpeft/qpeft/internal/atomicfile"
)

// Script is interop/bench/bench.py: "gen" writes the benchmark families as circuit files,
// "run" times the peers on a directory of them (one worker process per simulator and thread
// count) and "report" prints the side-by-side table.
//
//go:embed bench.py
var Script []byte

// Gate is one entry of a circuit file.
type Gate struct {
	Name   string    `json:"name"`
	Qubits []int     `json:"qubits"`
	Params []float64 `json:"params"`
}

// File is a circuit as the peers read it: a kind (the family, or the name of a user's
// file), the qubit count and the gates in order.
type File struct {
	Kind   string `json:"kind"`
	Qubits int    `json:"qubits"`
	Gates  []Gate `json:"gates"`
}

// Gates are the gates a circuit file may use (bench.py's GATES): name → qubits, parameters.
// Every peer maps each of them to its own gate with the same matrix (global phase included).
var Gates = map[string][2]int{"rx": {1, 1}, "ry": {1, 1}, "rz": {1, 1}, "p": {1, 1}, "h": {1, 0}, "x": {1, 0},
	"y": {1, 0}, "z": {1, 0}, "s": {1, 0}, "sdg": {1, 0}, "t": {1, 0}, "tdg": {1, 0}, "cx": {2, 0}, "cz": {2, 0},
	"cp": {2, 1}, "swap": {2, 0}, "rzz": {2, 1}}

// Circuit builds the circuit of a file; a gate outside Gates is an error naming it.
func (f *File) Circuit() (*circuit.Circuit, error) {
	c := circuit.New(f.Qubits)
	for i, g := range f.Gates {
		w, ok := Gates[g.Name]
		if !ok || len(g.Qubits) != w[0] || len(g.Params) != w[1] {
			return nil, fmt.Errorf("bench: %s gate %d: unsupported gate %q with %d qubits and %d parameters (the peers take %s)",
				f.Kind, i, g.Name, len(g.Qubits), len(g.Params), gateList())
		}
		args := make([]any, len(g.Params))
		for k, v := range g.Params {
			args[k] = v
		}
		if err := c.Gate(g.Name, g.Qubits, args...); err != nil {
			return nil, fmt.Errorf("bench: %s gate %d: %w", f.Kind, i, err)
		}
	}
	return c, nil
}

func gateList() string {
	var names []string
	for n := range Gates {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// FromCircuit writes a circuit of gates (barriers are dropped; measurement, reset and
// conditions are errors) as a file of the given kind, bound by env. Gates outside Gates, and
// gates with ctrl @ modifiers, are first translated into them (package export/transpile,
// exact up to a global phase, which a state-vector timing does not see); translated reports
// whether that happened, in which case the file has other gates than c.
func FromCircuit(c *circuit.Circuit, env circuit.Env, kind string) (f *File, translated bool, err error) {
	direct := true
	for i := range c.Ops {
		op := &c.Ops[i]
		switch {
		case op.Kind == circuit.Barrier:
		case !op.IsUnitary():
			return nil, false, fmt.Errorf("bench: %s: operation %d (%s) is not a gate; the peers time circuits of gates (drop final measurements first)", kind, i, op.Name())
		case op.Ctrl > 0 || Gates[op.Gate.Name] == [2]int{}:
			direct = false
		}
	}
	src := c
	if !direct {
		b, err := transpile.ParseBasis(strings.Join(slices.Sorted(func(yield func(string) bool) {
			for n := range Gates {
				if !yield(n) {
					return
				}
			}
		}), ","))
		if err != nil {
			return nil, false, fmt.Errorf("bench: peer basis: %w", err)
		}
		r, err := transpile.Translate(c, b)
		if err != nil {
			return nil, false, fmt.Errorf("bench: %s: translating into the peers' gates: %w", kind, err)
		}
		src = r.Circuit
	}
	f = &File{Kind: kind, Qubits: c.NumQubits}
	for i := range src.Ops {
		op := &src.Ops[i]
		if op.Kind == circuit.Barrier || op.Gate != nil && op.Gate.Name == "gphase" && op.Ctrl == 0 {
			continue
		}
		if op.Ctrl > 0 || Gates[op.Gate.Name] == [2]int{} {
			return nil, false, fmt.Errorf("bench: %s: operation %d (%s) has no peer gate after translation", kind, i, op.Name())
		}
		p, err := op.Params(env)
		if err != nil {
			return nil, false, fmt.Errorf("bench: %s: %w", kind, err)
		}
		f.Gates = append(f.Gates, Gate{Name: op.Gate.Name, Qubits: slices.Clone(op.Qubits), Params: append([]float64{}, p...)})
	}
	return f, !direct, nil
}

// Write writes the file as DIR/KIND-NN.json (NN the qubit count), atomically.
func (f *File) Write(dir string) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%02d.json", f.Kind, f.Qubits)), data, 0o644)
}

// Record is one line bench.py run prints: the best wall-clock time of one simulation of a
// circuit file on a simulator at a thread count, or (Missing) why the simulator could not run.
type Record struct {
	Sim       string  `json:"sim"`
	Threads   int     `json:"threads"`
	Circuit   string  `json:"circuit"`
	Qubits    int     `json:"qubits"`
	Gates     int     `json:"gates"`
	Seconds   float64 `json:"seconds"`
	NsAmpGate float64 `json:"ns_per_amp_gate"`
	Repeats   int     `json:"repeats"`
	Missing   string  `json:"missing,omitempty"`
}

// PeerOptions configure RunPeers.
type PeerOptions struct {
	// Python is the interpreter that has the peers installed (a venv's bin/python).
	Python string
	// Sims lists the simulators: aer, qsim, lightning (default all three).
	Sims []string
	// Threads is the thread count of every peer (OpenMP and the simulators' own settings).
	Threads int
	// Repeat is the number of timed runs per circuit (the best is kept), after one warm-up.
	Repeat int
	// Log receives the driver's progress (stderr).
	Log io.Writer
}

// RunPeers times the circuit files of dir on the peers with bench.py (written next to dir)
// and returns their records. A simulator the Python lacks gives a record with Missing set,
// not an error.
func RunPeers(dir string, o PeerOptions) ([]Record, error) {
	if o.Python == "" {
		return nil, fmt.Errorf("bench: no Python interpreter given")
	}
	if _, err := exec.LookPath(o.Python); err != nil {
		return nil, fmt.Errorf("bench: the peers' Python %q: %w (point --peers at a venv's bin/python with interop/bench/requirements.txt installed)", o.Python, err)
	}
	sims := o.Sims
	if len(sims) == 0 {
		sims = []string{"aer", "qsim", "lightning"}
	}
	for _, s := range sims {
		if !slices.Contains([]string{"aer", "qsim", "lightning"}, s) {
			return nil, fmt.Errorf("bench: unknown peer simulator %q (aer, qsim, lightning)", s)
		}
	}
	script := filepath.Join(filepath.Dir(dir), "bench.py")
	if err := os.WriteFile(script, Script, 0o644); err != nil {
		return nil, err
	}
	out := filepath.Join(filepath.Dir(dir), "peers.jsonl")
	cmd := exec.Command(o.Python, script, "run", dir, "--out", out, "--threads", strconv.Itoa(max(o.Threads, 1)),
		"--repeat", strconv.Itoa(max(o.Repeat, 1)), "--repeat-large", strconv.Itoa(max(o.Repeat, 1)), "--large-qubits", "64",
		"--max-qubits", "64", "--sims", strings.Join(sims, ","), "--skip-missing")
	if o.Log != nil {
		cmd.Stdout, cmd.Stderr = o.Log, o.Log
	}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("bench: %s %s run: %w", o.Python, script, err)
	}
	fh, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var recs []Record
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("bench: %s: %w", out, err)
		}
		if r.Sim == "" { // the versions line
			continue
		}
		if r.Missing == "" && !(r.Seconds > 0) || math.IsNaN(r.Seconds) {
			return nil, fmt.Errorf("bench: %s: a record without a time: %s", out, line)
		}
		recs = append(recs, r)
	}
	return recs, sc.Err()
}
