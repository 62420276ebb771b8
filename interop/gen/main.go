// Command gen is the Go side of the interop suite: it writes the corpus the Python tests feed
// to the providers' SDKs, with qpeft's own simulation of every circuit, and it simulates
// OpenQASM files written by those SDKs (the reverse direction).
//
//	gen corpus DIR          write DIR/<case>.json for every corpus circuit and DIR/index.json
//	gen simulate FILE...    parse each OpenQASM file with package qasm, simulate it with
//	                        package sim, print {"FILE": {"amplitudes": [[re, im], ...]}} as JSON
//
// Amplitudes are little-endian (qubit k is bit k of the index), from |0…0⟩, with every
// parameter bound to the case's values. Each export records its global phase γ
// (simulated circuit = e^{iγ}·exported program), evaluated at those values.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/export"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/interop/internal/subcmd"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/qasm"
	"github.com/qpeft/qpeft/sim"
)

func main() {
	subcmd.Main("gen", "usage: gen corpus DIR | gen simulate FILE...", []subcmd.Command{
		{Name: "corpus", Args: 1, Usage: "usage: gen corpus DIR", Run: func(args []string) error { return writeCorpus(args[0]) }},
		{Name: "simulate", Args: -1, Run: simulate},
	})
}

// Case is one corpus entry as written to JSON.
type Case struct {
	Name       string             `json:"name"`
	Group      string             `json:"group"`
	NumQubits  int                `json:"num_qubits"`
	Params     map[string]float64 `json:"params"`
	ParamOrder []string           `json:"param_order"`
	Amplitudes [][2]float64       `json:"amplitudes"`
	Unitary    [][][2]float64     `json:"unitary,omitempty"`
	Exports    map[string]*Export `json:"exports"`
}

// Export is one exported program of a case.
type Export struct {
	Target string   `json:"target"`
	Basis  string   `json:"basis,omitempty"`
	Text   string   `json:"text,omitempty"`
	Phase  float64  `json:"phase"`
	Inputs [][2]any `json:"inputs"` // [declared name, value]
	Error  string   `json:"error,omitempty"`
}

// variant is one export configuration of the corpus.
type variant struct {
	key, target, basis string
	bind, verbatim     bool
	gateset            string
}

var variants = []variant{
	{key: "qasm2", target: export.QASM2, basis: "auto", bind: true},
	{key: "qasm3", target: export.QASM3, basis: "auto"},
	{key: "qasm3_raw", target: export.QASM3},
	{key: "braket", target: export.Braket, basis: "auto"},
	{key: "quil", target: export.Quil, basis: "auto"},
	{key: "ionq_qis", target: export.IonQ, basis: "auto", bind: true, gateset: "qis"},
	{key: "heron", target: export.QASM3, basis: "heron"},
	{key: "eagle", target: export.QASM3, basis: "eagle"},
	{key: "rigetti", target: export.Quil, basis: "rigetti"},
	{key: "ionq_native", target: export.IonQ, basis: "ionq", bind: true, gateset: "native"},
	{key: "braket_verbatim", target: export.Braket, basis: "rigetti", verbatim: true},
}

type entry struct {
	name, group string
	c           *circuit.Circuit
	values      map[string]float64
}

func corpus() ([]entry, error) {
	r := rand.New(rand.NewPCG(2026, 11))
	var out []entry
	angle := func() float64 { return (r.Float64()*2 - 1) * math.Pi }
	// Every gate, after a fixed preparation so that no amplitude is trivially zero, with
	// symbolic angles; 1- and 2-qubit gates also under one ctrl @.
	for _, g := range gates.All() {
		for ctrl := 0; ctrl <= 1; ctrl++ {
			if ctrl == 1 && (g.Qubits == 0 || g.Qubits > 2) {
				continue
			}
			n := max(g.Qubits+ctrl, 1)
			c := circuit.New(n)
			for q := 0; q < n; q++ {
				c.RY(angle(), q).RZ(angle(), q)
			}
			args := make([]circuit.Expr, g.Params)
			vals := map[string]float64{}
			for i := range args {
				name := fmt.Sprintf("a%d", i)
				args[i] = circuit.Param(name)
				vals[name] = angle()
			}
			qs := r.Perm(n)[:g.Qubits+ctrl]
			if err := c.Append(circuit.Op{Kind: circuit.GateOp, Gate: g, Ctrl: int32(ctrl), Qubits: qs, Args: args}); err != nil {
				return nil, err
			}
			name := "gate_" + g.Name
			if ctrl > 0 {
				name = "ctrl_" + g.Name
			}
			out = append(out, entry{name, "gates", c, vals})
		}
	}
	// The Pauli ansatz at several sizes.
	for _, sz := range [][2]int{{1, 1}, {2, 1}, {3, 1}, {4, 2}, {5, 1}, {6, 2}} {
		c, err := ansatz.Pauli(sz[0], sz[1])
		if err != nil {
			return nil, err
		}
		vals := map[string]float64{}
		for _, p := range c.Params {
			vals[p] = angle()
		}
		out = append(out, entry{fmt.Sprintf("pauli_n%d_l%d", sz[0], sz[1]), "pauli", c, vals})
	}
	// Random circuits over the whole vocabulary, with control modifiers and expressions.
	all := gates.All()
	for i := 0; i < 12; i++ {
		n := 2 + i%4
		c := circuit.New(n)
		vals := map[string]float64{}
		for len(c.Ops) < 24 {
			g := all[r.IntN(len(all))]
			ctrl := 0
			if r.IntN(4) == 0 {
				ctrl = 1 + r.IntN(2)
			}
			if g.Qubits+ctrl > n || g.Qubits+ctrl == 0 {
				continue
			}
			args := make([]circuit.Expr, g.Params)
			for k := range args {
				if r.IntN(2) == 0 {
					name := fmt.Sprintf("t%d", len(vals))
					vals[name] = angle()
					var e circuit.Expr = circuit.Param(name)
					if r.IntN(2) == 0 {
						e = circuit.Add(circuit.Mul(circuit.Num(2), e), circuit.Num(math.Pi/3))
					}
					args[k] = e
				} else {
					args[k] = circuit.Num(angle())
				}
			}
			qs := r.Perm(n)[:g.Qubits+ctrl]
			if err := c.Append(circuit.Op{Kind: circuit.GateOp, Gate: g, Ctrl: int32(ctrl), Qubits: qs, Args: args}); err != nil {
				return nil, err
			}
		}
		out = append(out, entry{fmt.Sprintf("random_%02d_n%d", i, n), "random", c, vals})
	}
	extra, err := adapterEntries()
	if err != nil {
		return nil, err
	}
	return append(out, extra...), nil
}

func writeCorpus(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := corpus()
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		cs, err := buildCase(e)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		data, err := json.MarshalIndent(cs, "", " ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, e.name+".json"), data, 0o644); err != nil {
			return err
		}
		names = append(names, e.name)
	}
	data, _ := json.MarshalIndent(names, "", " ")
	if err := os.WriteFile(filepath.Join(dir, "index.json"), data, 0o644); err != nil {
		return err
	}
	return writeAdapter(dir)
}

func buildCase(e entry) (*Case, error) {
	c := e.c
	env := circuit.MapEnv(e.values)
	st, err := sim.Statevector(c, env)
	if err != nil {
		return nil, err
	}
	cs := &Case{Name: e.name, Group: e.group, NumQubits: c.NumQubits, Params: e.values,
		ParamOrder: append([]string{}, c.Params...), Exports: map[string]*Export{}}
	if cs.Params == nil {
		cs.Params = map[string]float64{}
	}
	cs.Amplitudes = pairs(st.Amplitudes())
	if c.NumQubits <= 4 {
		u, err := sim.Unitary(c, env)
		if err != nil {
			return nil, err
		}
		d := 1 << c.NumQubits
		for i := 0; i < d; i++ {
			cs.Unitary = append(cs.Unitary, pairs(u.Data[i*d:(i+1)*d]))
		}
	}
	for _, v := range variants {
		o := export.Options{Basis: v.basis, Verbatim: v.verbatim, Gateset: v.gateset}
		if v.bind || v.target == export.Braket {
			o.Params = e.values
		}
		ex := &Export{Target: v.target, Basis: v.basis, Inputs: [][2]any{}}
		cs.Exports[v.key] = ex
		p, err := export.Export(c, v.target, o)
		if err != nil {
			ex.Error = err.Error()
			continue
		}
		ex.Text = string(p.Text)
		for _, in := range p.Inputs {
			ex.Inputs = append(ex.Inputs, [2]any{in.Name, e.values[in.Param]})
		}
		if ex.Phase, err = circuit.Eval(p.GlobalPhase, env); err != nil {
			return nil, fmt.Errorf("%s: phase: %w", v.key, err)
		}
	}
	return cs, nil
}

func pairs(a []complex128) [][2]float64 {
	out := make([][2]float64, len(a))
	for i, v := range a {
		out[i] = [2]float64{real(v), imag(v)}
	}
	return out
}

// simulate parses and simulates OpenQASM files (the reverse direction).
func simulate(files []string) error {
	out := map[string]any{}
	sort.Strings(files)
	for _, f := range files {
		c, err := qasm.ParseFile(f)
		if err != nil {
			out[f] = map[string]string{"error": err.Error()}
			continue
		}
		st, err := sim.Statevector(c, nil)
		if err != nil {
			out[f] = map[string]string{"error": err.Error()}
			continue
		}
		out[f] = map[string]any{"amplitudes": pairs(st.Amplitudes()), "num_qubits": c.NumQubits}
	}
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(out)
}
