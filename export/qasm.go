package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/qasm"
)

// qasm2 prints OpenQASM 2 with package qasm's printer. OpenQASM 2 cannot express a global
// phase: the printer omits uncontrolled gphase, whose sum is the program's global phase.
func qasm2(c *circuit.Circuit) ([]byte, circuit.Expr, error) {
	if err := requireBound(c, QASM2, "OpenQASM 2 has no run-time inputs"); err != nil {
		return nil, nil, err
	}
	phase := 0.0
	for i := range c.Ops {
		op := &c.Ops[i]
		if op.Kind == circuit.GateOp && op.Gate.Name == "gphase" && op.Ctrl == 0 && op.Cond == nil {
			v, err := constArgs(op)
			if err != nil {
				return nil, nil, err
			}
			phase += v[0]
		}
	}
	text, err := qasm.Print(c, qasm.PrintOptions{Version: 2})
	if err != nil {
		return nil, nil, fmt.Errorf("export to qasm2: %w", err)
	}
	return text, circuit.Num(math.Remainder(phase, 2*math.Pi)), nil
}

// qasm3 prints OpenQASM 3 with package qasm's printer, every parameter a scalar
// `input float[64]` (IBM's and Qiskit's importers take no input arrays).
func qasm3(c *circuit.Circuit) ([]byte, []Input, error) {
	sc, inputs := scalarInputs(c)
	text, err := qasm.Print(sc, qasm.PrintOptions{Version: 3})
	if err != nil {
		return nil, nil, fmt.Errorf("export to qasm3: %w", err)
	}
	return text, inputs, nil
}

// Input is a run-time parameter of an exported program: the name the program declares and
// the circuit parameter it carries.
type Input struct {
	Name  string `json:"name"`
	Param string `json:"param"`
}

var scalarRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
var elemRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\[([0-9]+)\]$`)

// scalarInputs renames the parameters of c to scalar identifiers: theta[3] becomes theta_3
// (with a numeric suffix if that is taken), other names that are not plain identifiers get
// p_<index>. It returns the renamed copy and the mapping in parameter order.
func scalarInputs(c *circuit.Circuit) (*circuit.Circuit, []Input) {
	taken := map[string]bool{}
	for _, p := range c.Params {
		if scalarRE.MatchString(p) {
			taken[p] = true
		}
	}
	rename := map[string]string{}
	var inputs []Input
	for i, p := range c.Params {
		name := p
		if !scalarRE.MatchString(p) {
			base := "p_" + strconv.Itoa(i)
			if m := elemRE.FindStringSubmatch(p); m != nil {
				base = m[1] + "_" + m[2]
			}
			name = base
			for k := 0; taken[name]; k++ {
				name = base + "_" + strconv.Itoa(k)
			}
			taken[name] = true
			rename[p] = name
		}
		inputs = append(inputs, Input{Name: name, Param: p})
	}
	if len(rename) == 0 {
		return c, inputs
	}
	d := c.Clone()
	for i := range d.Ops {
		for j, a := range d.Ops[i].Args {
			d.Ops[i].Args[j] = renameSyms(a, rename)
		}
	}
	for i, p := range d.Params {
		if n, ok := rename[p]; ok {
			d.Params[i] = n
		}
	}
	return d, inputs
}

func renameSyms(e circuit.Expr, m map[string]string) circuit.Expr {
	switch e := e.(type) {
	case circuit.Sym:
		if n, ok := m[e.Name]; ok {
			return circuit.Sym{Name: n}
		}
		return e
	case circuit.Neg:
		return circuit.Neg{X: renameSyms(e.X, m)}
	case circuit.Binary:
		return circuit.Binary{Op: e.Op, X: renameSyms(e.X, m), Y: renameSyms(e.Y, m)}
	case circuit.Call:
		return circuit.Call{Fn: e.Fn, Arg: renameSyms(e.Arg, m)}
	}
	return e
}

// braketNames maps qpeft gates to the gate names of Braket's OpenQASM dialect, whose
// matrices are the same (checked by the interop suite against Braket's simulator).
var braketNames = map[string]string{
	"id": "i", "x": "x", "y": "y", "z": "z", "h": "h", "s": "s", "sdg": "si", "t": "t", "tdg": "ti",
	"sx": "v", "sxdg": "vi", "rx": "rx", "ry": "ry", "rz": "rz", "p": "phaseshift", "u1": "phaseshift",
	"U": "U", "u": "U", "gphase": "gphase", "cx": "cnot", "cy": "cy", "cz": "cz", "cp": "cphaseshift",
	"cu1": "cphaseshift", "ecr": "ecr", "swap": "swap", "iswap": "iswap", "cswap": "cswap", "ccx": "ccnot",
	"rxx": "xx", "ryy": "yy", "rzz": "zz", "gpi": "gpi", "gpi2": "gpi2", "ms": "ms",
}

// BraketProgram is the braket.ir.openqasm.program document.
type BraketProgram struct {
	Header BraketHeader       `json:"braketSchemaHeader"`
	Source string             `json:"source"`
	Inputs map[string]float64 `json:"inputs,omitempty"`
	// Metadata records the routing onto a coupling map, when there was one (Braket's SDK
	// ignores fields it does not know).
	Metadata *Routing `json:"metadata,omitempty"`
}

// BraketHeader is Braket's schema header.
type BraketHeader struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// braket writes Braket's OpenQASM 3 dialect from the circuit with package qasm's printer:
// Braket's gate names (no stdgates.inc, no definitions of the gates Braket has built in),
// one qubit register, no barriers, and optionally physical qubits in a verbatim box.
func braket(c *circuit.Circuit, values map[string]float64, verbatim bool) ([]byte, []Input, circuit.Expr, error) {
	phase := 0.0
	measuredAll := false
	for i := range c.Ops {
		op := &c.Ops[i]
		unsupported := func(reason string) error {
			return &UnsupportedError{Target: Braket, Op: op.Name(), Index: i, Pos: op.Pos, Reason: reason}
		}
		if op.Cond != nil {
			return nil, nil, nil, unsupported("Braket programs have no classical control")
		}
		switch op.Kind {
		case circuit.Reset:
			return nil, nil, nil, unsupported("Braket programs have no reset")
		case circuit.Measure:
			measuredAll = true
			continue
		case circuit.Barrier:
			continue
		}
		if verbatim && measuredAll {
			return nil, nil, nil, unsupported("a verbatim box cannot follow a measurement: measure at the end")
		}
		if op.Ctrl > 0 {
			return nil, nil, nil, unsupported("Braket devices take no control modifiers; translate with basis auto (or a device basis)")
		}
		if _, ok := braketNames[op.Gate.Name]; !ok {
			return nil, nil, nil, unsupported("Braket's gates are i x y z h s si t ti v vi rx ry rz phaseshift U gphase cnot cy cz cphaseshift ecr swap iswap cswap ccnot xx yy zz gpi gpi2 ms; translate with basis auto")
		}
		if verbatim && op.Gate.Name == "gphase" {
			v, err := constArgs(op)
			if err != nil {
				return nil, nil, nil, unsupported("a verbatim box cannot hold a symbolic global phase")
			}
			phase += v[0]
		}
	}
	// One register "q" (physical qubits in verbatim mode), no barriers, no uncontrolled
	// gphase inside a verbatim box.
	w := c.Clone()
	w.QRegs = []circuit.Register{{Name: "q", Start: 0, Size: w.NumQubits}}
	ops := w.Ops[:0]
	for _, op := range w.Ops {
		if op.Kind == circuit.Barrier || (verbatim && op.Kind == circuit.GateOp && op.Gate.Name == "gphase") {
			continue
		}
		ops = append(ops, op)
	}
	w.Ops = ops
	sc, inputs := scalarInputs(w)
	po := qasm.PrintOptions{Version: 3, GateNames: braketNames, OmitInclude: true, TightProducts: true}
	if verbatim {
		po.Verbatim = "braket verbatim"
	}
	src, err := qasm.Print(sc, po)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("export to braket: %w", err)
	}
	prog := BraketProgram{Header: BraketHeader{Name: "braket.ir.openqasm.program", Version: "1"}, Source: string(src)}
	if len(values) > 0 {
		prog.Inputs = map[string]float64{}
		for _, in := range inputs {
			if v, ok := values[in.Param]; ok {
				prog.Inputs[in.Name] = v
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(prog); err != nil {
		return nil, nil, nil, err
	}
	return buf.Bytes(), inputs, circuit.Num(math.Remainder(phase, 2*math.Pi)), nil
}
