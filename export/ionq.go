package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/qpeft/qpeft/circuit"
)

// IonQCircuit is the ionq.circuit.v0 document.
type IonQCircuit struct {
	Format  string     `json:"format"`
	Gateset string     `json:"gateset"`
	Qubits  int        `json:"qubits"`
	Circuit []IonQGate `json:"circuit"`
	// Metadata records the routing onto a coupling map, when there was one, as string
	// values (the form of IonQ's job metadata).
	Metadata map[string]string `json:"metadata,omitempty"`
}

// IonQGate is one entry of an ionq.circuit.v0 circuit. Native phases and angles are in
// turns (one turn = 2π radians); qis rotations are in radians.
type IonQGate struct {
	Gate     string    `json:"gate"`
	Target   *int      `json:"target,omitempty"`
	Targets  []int     `json:"targets,omitempty"`
	Control  *int      `json:"control,omitempty"`
	Controls []int     `json:"controls,omitempty"`
	Rotation *float64  `json:"rotation,omitempty"`
	Phase    *float64  `json:"phase,omitempty"`
	Phases   []float64 `json:"phases,omitempty"`
	Angle    *float64  `json:"angle,omitempty"`
}

// ionqQIS maps gates to IonQ's abstract (qis) gate names; the gates accept control and
// controls (up to ionqMaxControls), except swap.
var ionqQIS = map[string]string{
	"x": "x", "y": "y", "z": "z", "h": "h", "s": "s", "sdg": "si", "t": "t", "tdg": "ti",
	"sx": "v", "sxdg": "vi", "rx": "rx", "ry": "ry", "rz": "rz", "swap": "swap",
}

// ionqNamedCtrl maps named controlled gates to (qis base gate, number of controls).
var ionqNamedCtrl = map[string]struct {
	base string
	n    int
}{
	"cx": {"x", 1}, "cy": {"y", 1}, "cz": {"z", 1}, "ch": {"h", 1}, "crx": {"rx", 1}, "cry": {"ry", 1},
	"crz": {"rz", 1}, "ccx": {"x", 2},
}

const ionqMaxControls = 7

func intp(v int) *int           { return &v }
func floatp(v float64) *float64 { return &v }

// turns converts radians to turns in [−0.5, 0.5] (phases are periodic in one turn).
func turns(rad float64) float64 {
	t := math.Remainder(rad/(2*math.Pi), 1)
	if t == 0 {
		return 0 // no −0
	}
	return t
}

func ionq(c *circuit.Circuit, gateset string) ([]byte, circuit.Expr, error) {
	if err := requireBound(c, IonQ, "IonQ JSON carries numbers only"); err != nil {
		return nil, nil, err
	}
	switch gateset {
	case "":
		gateset = "native"
		for i := range c.Ops {
			op := &c.Ops[i]
			if op.Kind == circuit.GateOp {
				switch op.Gate.Name {
				case "gpi", "gpi2", "ms":
				default:
					if !(op.Gate.Name == "gphase" && op.Ctrl == 0) {
						gateset = "qis"
					}
				}
			}
		}
	case "qis", "native":
	default:
		return nil, nil, fmt.Errorf("unknown IonQ gateset %q (use qis or native)", gateset)
	}
	doc := IonQCircuit{Format: "ionq.circuit.v0", Gateset: gateset, Qubits: c.NumQubits, Circuit: []IonQGate{}}
	phase := 0.0
	measured := map[int]bool{}
	for i := range c.Ops {
		op := &c.Ops[i]
		unsupported := func(reason string) error {
			return &UnsupportedError{Target: IonQ, Op: op.Name(), Index: i, Pos: op.Pos, Reason: reason}
		}
		if op.Cond != nil {
			return nil, nil, unsupported("IonQ circuits have no classical control")
		}
		switch op.Kind {
		case circuit.Barrier:
			continue
		case circuit.Reset:
			return nil, nil, unsupported("IonQ circuits have no reset")
		case circuit.Measure:
			for _, q := range op.Qubits {
				measured[q] = true
			}
			continue
		}
		for _, q := range op.Qubits {
			if measured[q] {
				return nil, nil, unsupported(fmt.Sprintf("qubit %d is used after it was measured; IonQ measures every qubit once, at the end", q))
			}
		}
		vals, err := constArgs(op)
		if err != nil {
			return nil, nil, err
		}
		if op.Gate.Name == "gphase" && op.Ctrl == 0 {
			phase += vals[0]
			continue
		}
		if op.Gate.Name == "id" && op.Ctrl == 0 {
			continue
		}
		if gateset == "native" {
			gs, ph, err := ionqNative(op, vals)
			if err != nil {
				return nil, nil, unsupported(err.Error())
			}
			doc.Circuit = append(doc.Circuit, gs...)
			phase += ph
			continue
		}
		g, ph, err := ionqQISGate(op, vals)
		if err != nil {
			return nil, nil, unsupported(err.Error())
		}
		doc.Circuit = append(doc.Circuit, g)
		phase += ph
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), circuit.Num(math.Remainder(phase, 2*math.Pi)), nil
}

// ionqNative converts gpi, gpi2 and ms. An ms angle outside IonQ's [0, 0.25] turns is
// brought into range exactly: MS(φ0,φ1,−θ) = MS(φ0+π,φ1,θ), MS(θ+2π) = −MS(θ), and an angle
// over π/2 splits into two gates with the same phases.
func ionqNative(op *circuit.Op, vals []float64) ([]IonQGate, float64, error) {
	if op.Ctrl > 0 {
		return nil, 0, fmt.Errorf("the native gateset has no controlled gates; translate with basis ionq")
	}
	switch op.Gate.Name {
	case "gpi", "gpi2":
		return []IonQGate{{Gate: op.Gate.Name, Target: intp(op.Qubits[0]), Phase: floatp(turns(vals[0]))}}, 0, nil
	case "ms":
		phase := 0.0
		f0, f1, th := vals[0], vals[1], math.Remainder(vals[2], 4*math.Pi)
		if th > math.Pi {
			th -= 2 * math.Pi
			phase += math.Pi
		} else if th <= -math.Pi {
			th += 2 * math.Pi
			phase += math.Pi
		}
		if th < 0 {
			th, f0 = -th, f0+math.Pi
		}
		var out []IonQGate
		for _, part := range splitMS(th) {
			out = append(out, IonQGate{Gate: "ms", Targets: []int{op.Qubits[0], op.Qubits[1]},
				Phases: []float64{turns(f0), turns(f1)}, Angle: floatp(part / (2 * math.Pi))})
		}
		return out, phase, nil
	}
	return nil, 0, fmt.Errorf("the IonQ native gateset has only gpi, gpi2 and ms; translate with basis ionq, or use the qis gateset")
}

// splitMS splits θ ∈ [0, π] into parts of at most π/2 (none for θ = 0).
func splitMS(th float64) []float64 {
	switch {
	case th == 0:
		return nil
	case th > math.Pi/2:
		return []float64{math.Pi / 2, th - math.Pi/2}
	}
	return []float64{th}
}

// ionqQISGate converts one gate to the qis gateset, with its controls.
func ionqQISGate(op *circuit.Op, vals []float64) (IonQGate, float64, error) {
	name := op.Gate.Name
	qs := op.Qubits
	nctrl := int(op.Ctrl)
	phase := 0.0
	if nc, ok := ionqNamedCtrl[name]; ok {
		name = nc.base
		nctrl += nc.n
	}
	switch name {
	case "p", "u1": // p(λ) = e^{iλ/2}·rz(λ): a global phase only without controls
		if nctrl > 0 {
			return IonQGate{}, 0, fmt.Errorf("a controlled phase gate is not in IonQ's qis gateset (controlled rz differs from it); translate with basis ionq or a basis such as rz,ry,cx")
		}
		name = "rz"
		phase = vals[0] / 2
	case "gphase":
		if nctrl == 0 {
			return IonQGate{}, 0, fmt.Errorf("internal error: bare gphase")
		}
		return IonQGate{}, 0, fmt.Errorf("a controlled global phase is a phase gate, which is not in IonQ's qis gateset; translate with basis ionq or a basis such as rz,ry,cx")
	}
	qisName, ok := ionqQIS[name]
	if !ok {
		return IonQGate{}, 0, fmt.Errorf("IonQ's qis gateset has x y z h s si t ti v vi rx ry rz swap and their controlled forms; translate with basis ionq (native) or a basis such as rz,ry,rx,cx")
	}
	if nctrl > ionqMaxControls {
		return IonQGate{}, 0, fmt.Errorf("%d controls exceed IonQ's limit of %d", nctrl, ionqMaxControls)
	}
	if name == "swap" && nctrl > 0 {
		return IonQGate{}, 0, fmt.Errorf("IonQ does not accept a controlled swap; translate with basis ionq or a basis such as rz,ry,cx")
	}
	g := IonQGate{Gate: qisName}
	ctrls, targets := qs[:nctrl], qs[nctrl:]
	switch {
	case len(ctrls) == 1:
		g.Control = intp(ctrls[0])
	case len(ctrls) > 1:
		g.Controls = append([]int(nil), ctrls...)
	}
	if name == "x" && nctrl > 0 {
		g.Gate = "cnot"
	}
	if len(targets) == 1 {
		g.Target = intp(targets[0])
	} else {
		g.Targets = append([]int(nil), targets...)
	}
	switch name {
	case "rx", "ry", "rz":
		g.Rotation = floatp(vals[len(vals)-1])
	}
	return g, phase, nil
}
