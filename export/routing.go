package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/export/route"
	"github.com/qpeft/qpeft/export/transpile"
	"github.com/qpeft/qpeft/gates"
)

// Routing records how a circuit was mapped onto a coupling map.
type Routing struct {
	// Map names the coupling map (a device or a file).
	Map string `json:"coupling_map"`
	// Layout says how the initial layout was found: "embedding" (no SWAP needed) or "sabre".
	Layout string `json:"layout"`
	// Seed is the seed of the random choices.
	Seed uint64 `json:"seed"`
	// Initial[l] is the physical qubit logical qubit l starts on.
	Initial []int `json:"initial_layout"`
	// Final[l] is the physical qubit holding logical qubit l at the end; a measurement of
	// logical qubit l still writes the classical bit it wrote in the original circuit.
	Final []int `json:"final_layout"`
	// Swaps is the number of SWAPs inserted (before translation into the basis).
	Swaps int `json:"swaps"`
	// Restored reports --restore-order: SWAPs at the end bring Final back to Initial.
	Restored bool `json:"restored,omitempty"`
}

// Stats summarises an exported circuit, for choosing an ansatz for a device.
type Stats struct {
	// Qubits is the width of the exported circuit (the device's qubit count after routing).
	Qubits int
	// Gates counts gate operations; TwoQubitGates those on exactly two qubits (controls
	// included), MultiQubitGates those on more.
	Gates, TwoQubitGates, MultiQubitGates int
	// Depth is the circuit depth (circuit.Circuit.Depth).
	Depth int
	// Swaps is the number of SWAPs routing added (0 without routing).
	Swaps int
}

// Stats counts the gates of the exported circuit.
func (p *Program) Stats() Stats {
	s := Stats{Qubits: p.Circuit.NumQubits, Depth: p.Circuit.Depth()}
	for i := range p.Circuit.Ops {
		op := &p.Circuit.Ops[i]
		if op.Kind != circuit.GateOp {
			continue
		}
		s.Gates++
		switch {
		case len(op.Qubits) == 2:
			s.TwoQubitGates++
		case len(op.Qubits) > 2:
			s.MultiQubitGates++
		}
	}
	if p.Routing != nil {
		s.Swaps = p.Routing.Swaps
	}
	return s
}

// String formats the statistics on one line.
func (s Stats) String() string {
	out := fmt.Sprintf("%d qubits, %d gates, %d two-qubit gates", s.Qubits, s.Gates, s.TwoQubitGates)
	if s.MultiQubitGates > 0 {
		out += fmt.Sprintf(", %d gates on more qubits", s.MultiQubitGates)
	}
	return out + fmt.Sprintf(", depth %d, %d SWAPs added", s.Depth, s.Swaps)
}

// couplingMap returns the map to route to: Options.CouplingMap, else the device's.
func couplingMap(o Options, dev *Device) (*route.Map, error) {
	if o.CouplingMap != nil {
		return o.CouplingMap, nil
	}
	if dev == nil {
		return nil, nil
	}
	m, err := route.Builtin(dev.Name)
	if err != nil {
		return nil, fmt.Errorf("device %s: %w", dev.Name, err)
	}
	return m, nil
}

// routeCircuit maps work onto m, fixes the direction of two-qubit gates on a directed map
// and translates the result (the inserted swaps) into basis when one is given. It returns
// the routed circuit and the global phase the steps added.
func routeCircuit(work *circuit.Circuit, m *route.Map, basis string, o Options) (*circuit.Circuit, circuit.Expr, *Routing, error) {
	res, err := route.Route(work, m, route.Options{Seed: o.Seed, RestoreOrder: o.RestoreOrder})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("routing to coupling map %s: %w", m.Name, err)
	}
	rt := &Routing{Map: m.Name, Layout: res.Layout, Seed: o.Seed, Initial: res.Initial, Final: res.Final,
		Swaps: res.Swaps, Restored: o.RestoreOrder}
	out := res.Circuit
	var phase circuit.Expr = circuit.Num(0)
	if basis != "" {
		b, err := transpile.ParseBasis(basis)
		if err != nil {
			return nil, nil, nil, err
		}
		for pass := 0; pass < 2; pass++ {
			tr, err := transpile.Translate(out, b)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("translating the routed circuit to basis %s: %w", b, err)
			}
			out, phase = tr.Circuit, addExpr(phase, tr.GlobalPhase)
			if !m.Directed {
				break
			}
			var fixed bool
			var dp float64
			out, dp, fixed, err = orient(out, m)
			if err != nil {
				return nil, nil, nil, err
			}
			phase = addExpr(phase, circuit.Num(dp))
			if !fixed {
				break
			}
		}
	}
	for i := range out.Ops {
		op := &out.Ops[i]
		if op.Kind == circuit.GateOp && len(op.Qubits) == 2 && !m.Coupled(op.Qubits[0], op.Qubits[1]) {
			return nil, nil, nil, fmt.Errorf("routing: internal error: %s on uncoupled qubits %v", op.Name(), op.Qubits)
		}
	}
	return out, phase, rt, nil
}

// symmetric two-qubit gates: their qubits can be exchanged.
var symmetric = map[string]bool{"cz": true, "cp": true, "cu1": true, "rzz": true, "rxx": true, "ryy": true, "swap": true, "iswap": true}

// orient rewrites two-qubit gates that a directed map allows only the other way round:
// symmetric gates exchange their qubits, ecr(a,b) = e^{i3π/2}·(h⊗h)·ecr(b,a)·(s·sx·s† on a,
// s†·sx·s on b) and cx(a,b) = (h⊗h)·cx(b,a)·(h⊗h). It reports whether it changed anything
// (the caller then translates again) and the global phase it added.
func orient(c *circuit.Circuit, m *route.Map) (*circuit.Circuit, float64, bool, error) {
	var phase float64
	changed := false
	out := c.Clone()
	out.Ops = nil
	g := func(name string, q ...int) circuit.Op {
		return circuit.Op{Kind: circuit.GateOp, Gate: gates.MustGet(name), Qubits: q}
	}
	for _, op := range c.Ops {
		if op.Kind != circuit.GateOp || len(op.Qubits) != 2 || op.Ctrl > 0 || op.Cond != nil {
			out.Ops = append(out.Ops, op)
			continue
		}
		a, b := op.Qubits[0], op.Qubits[1]
		if m.Allows(a, b) || !m.Allows(b, a) {
			out.Ops = append(out.Ops, op)
			continue
		}
		changed = true
		switch {
		case symmetric[op.Gate.Name]:
			op.Qubits = []int{b, a}
			out.Ops = append(out.Ops, op)
		case op.Gate.Name == "ecr":
			out.Ops = append(out.Ops, g("s", a), g("sx", a), g("sdg", a), g("sdg", b), g("sx", b), g("s", b),
				g("ecr", b, a), g("h", a), g("h", b))
			phase += 3 * math.Pi / 2
		case op.Gate.Name == "cx":
			out.Ops = append(out.Ops, g("h", a), g("h", b), g("cx", b, a), g("h", a), g("h", b))
		default:
			return nil, 0, false, fmt.Errorf("gate %s on (%d, %d): coupling map %s allows two-qubit gates only from %d to %d, and qpeft cannot reverse %s; use a basis with cz, cx or ecr", op.Name(), a, b, m.Name, b, a, op.Gate.Name)
		}
	}
	return out, phase, changed, nil
}

// routingHeader is the comment that records a routing in a program's text.
func routingHeader(rt *Routing, prefix string) (string, error) {
	js, err := json.Marshal(rt)
	if err != nil {
		return "", err
	}
	restored := ""
	if rt.Restored {
		restored = "; SWAPs at the end restore the initial layout"
	}
	return fmt.Sprintf("%s qpeft routing: coupling map %s, %s layout, seed %d, %d SWAPs added%s.\n"+
		"%s Logical qubit i starts on physical qubit initial_layout[i] and ends on final_layout[i]; measured bits keep their logical meaning.\n"+
		"%s qpeft-routing %s\n", prefix, rt.Map, rt.Layout, rt.Seed, rt.Swaps, restored, prefix, prefix, js), nil
}

// afterFirstLine inserts s after the first line of text.
func afterFirstLine(text, s string) string {
	i := strings.IndexByte(text, '\n')
	if i < 0 {
		return text + "\n" + s
	}
	return text[:i+1] + s + text[i+1:]
}

// annotate records rt in an exported program: a comment (OpenQASM, Quil, the Braket source)
// and a "metadata" object (Braket and IonQ JSON).
func annotate(target string, text []byte, rt *Routing) ([]byte, error) {
	switch target {
	case QASM2, QASM3:
		h, err := routingHeader(rt, "//")
		if err != nil {
			return nil, err
		}
		return []byte(afterFirstLine(string(text), h)), nil
	case Quil:
		h, err := routingHeader(rt, "#")
		if err != nil {
			return nil, err
		}
		return append([]byte(h), text...), nil
	case Braket:
		var prog BraketProgram
		if err := json.Unmarshal(text, &prog); err != nil {
			return nil, fmt.Errorf("export: internal error: %w", err)
		}
		h, err := routingHeader(rt, "//")
		if err != nil {
			return nil, err
		}
		prog.Source = afterFirstLine(prog.Source, h)
		prog.Metadata = rt
		return encodeJSON(prog)
	case IonQ:
		var doc IonQCircuit
		if err := json.Unmarshal(text, &doc); err != nil {
			return nil, fmt.Errorf("export: internal error: %w", err)
		}
		js := func(v []int) string { b, _ := json.Marshal(v); return string(b) }
		doc.Metadata = map[string]string{
			"qpeft_coupling_map": rt.Map, "qpeft_initial_layout": js(rt.Initial), "qpeft_final_layout": js(rt.Final),
			"qpeft_swaps": fmt.Sprint(rt.Swaps), "qpeft_seed": fmt.Sprint(rt.Seed),
		}
		return encodeJSON(doc)
	}
	return text, nil
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
