// Package export writes circuits in the formats quantum hardware providers accept:
//
//   - qasm2: OpenQASM 2.0 with qelib1.inc; every parameter bound (OpenQASM 2 has no run-time
//     inputs).
//   - qasm3: OpenQASM 3.0 with stdgates.inc; unbound parameters become `input float[64]`.
//   - braket: Amazon Braket's OpenQASM 3 dialect (Braket gate names, `input float[64]`), as
//     the braket.ir.openqasm.program JSON {source, inputs}; optionally a
//     `#pragma braket verbatim` box of native gates on physical qubits.
//   - ionq: IonQ's ionq.circuit.v0 JSON, "qis" or "native" gateset (native angles in turns).
//   - quil: Rigetti's Quil; unbound parameters become `DECLARE theta REAL[n]`.
//
// Each target checks that it can express every operation and names the offending gate (and
// its source position) when it cannot; Options.Basis first translates the circuit into a
// native gate set with package transpile, symbolic parameters preserved where the target
// carries inputs. Every exported program equals the circuit up to Program.GlobalPhase.
//
// With a device that has a coupling map (Options.Device) or a user's map
// (Options.CouplingMap), the circuit is routed after translation (package route): every
// two-qubit gate then acts on a coupled pair of physical qubits, the program acts on the
// device's qubits, and Program.Routing (also written into the program as a comment, and as
// metadata in Braket's and IonQ's JSON) gives the initial and final layouts.
//
// Qubit order is little-endian everywhere (qubit k is bit k of a basis index); providers
// that print results big-endian (Braket) are handled by their readers, not by reordering
// qubits here.
package export

import (
	"fmt"
	"sort"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/export/route"
	"github.com/qpeft/qpeft/export/transpile"
)

// Target names.
const (
	QASM2  = "qasm2"
	QASM3  = "qasm3"
	Braket = "braket"
	IonQ   = "ionq"
	Quil   = "quil"
)

// Targets lists the target names.
func Targets() []string { return []string{QASM2, QASM3, Braket, IonQ, Quil} }

// Options steer Export. The zero value exports the circuit as it is.
type Options struct {
	// Basis, when not empty, translates the circuit first: a preset (heron, eagle, rigetti,
	// ionq) or a comma-separated gate list (see transpile.ParseBasis).
	Basis string
	// Params gives parameter values by name. qasm2, qasm3, ionq and quil bind them into the
	// program; braket keeps the inputs symbolic and puts the values in the program's inputs
	// map. Every name must be a parameter of the circuit.
	Params map[string]float64
	// Gateset selects IonQ's gateset: "qis", "native", or "" to pick native when every gate
	// is gpi, gpi2 or ms and qis otherwise.
	Gateset string
	// Verbatim wraps a Braket program in `#pragma braket verbatim` and a box, on physical
	// qubits $0…$n−1, so the device runs the gates as given (they must be its natives).
	Verbatim bool
	// Device, when set, names a device from Devices: the circuit must fit its qubit count,
	// its basis is used when Basis is empty, and the circuit is routed onto its coupling map
	// (package route) unless every pair of its qubits interacts.
	Device string
	// Memory names Quil's parameter array (default "theta").
	Memory string
	// CouplingMap, when set, routes the circuit onto this map (package route); otherwise a
	// Device with a coupling map other than all-to-all routes onto the device's.
	CouplingMap *route.Map
	// Seed drives the routing's random choices: the same seed gives the same program.
	Seed uint64
	// RestoreOrder appends SWAPs that bring every logical qubit back to its initial
	// physical qubit (before the terminal measurements) instead of recording the final
	// permutation.
	RestoreOrder bool
}

// Program is an exported circuit.
type Program struct {
	// Target is the target name.
	Target string
	// Text is the file content.
	Text []byte
	// Circuit is the circuit as exported: after binding and translation.
	Circuit *circuit.Circuit
	// Inputs are the parameters left for run time, in declaration order: the name the
	// program declares (theta_3 for the circuit parameter theta[3] in OpenQASM 3; theta[i],
	// an element of the DECLAREd memory, in Quil) and the circuit parameter.
	Inputs []Input
	// GlobalPhase γ satisfies original = e^{iγ}·exported, an expression in Inputs.
	GlobalPhase circuit.Expr
	// Routing describes the mapping onto a coupling map (nil when the circuit was not
	// routed): Circuit acts on physical qubits, logical qubit l starts on Initial[l] and
	// ends on Final[l].
	Routing *Routing
}

// UnsupportedError reports an operation a target cannot express.
type UnsupportedError struct {
	Target string
	Op     string // gate name as the user writes it (cx, ctrl @ sx; circuit.Op.Name)
	Index  int
	Pos    circuit.Pos
	Reason string // why, and what to do
}

func (e *UnsupportedError) Error() string {
	where := fmt.Sprintf("operation %d", e.Index)
	if e.Pos.IsValid() {
		where += ", " + e.Pos.String()
	}
	return fmt.Sprintf("%s (%s) cannot be exported to %s: %s", quoteOp(e.Op), where, e.Target, e.Reason)
}

func quoteOp(name string) string {
	switch name {
	case "measure", "reset", "barrier":
		return name
	}
	return fmt.Sprintf("gate %q", name)
}

// UnboundError reports a parameter a target cannot carry unbound.
type UnboundError struct {
	Target string
	Param  string
	Reason string
}

func (e *UnboundError) Error() string {
	return fmt.Sprintf("parameter %q cannot stay unbound in target %s (%s): give it a value (--param %s=VALUE)", e.Param, e.Target, e.Reason, e.Param)
}

// Export writes c for target.
func Export(c *circuit.Circuit, target string, o Options) (*Program, error) {
	target = strings.ToLower(strings.TrimSpace(target))
	known := false
	for _, t := range Targets() {
		known = known || t == target
	}
	if !known {
		return nil, fmt.Errorf("unknown export target %q (targets: %s)", target, strings.Join(Targets(), ", "))
	}
	var dev *Device
	if o.Device != "" {
		d, ok := Devices()[strings.ToLower(o.Device)]
		if !ok {
			return nil, fmt.Errorf("unknown device %q (devices: %s)", o.Device, strings.Join(DeviceNames(), ", "))
		}
		if !d.accepts(target) {
			return nil, fmt.Errorf("device %s does not take target %s (it takes %s)", d.Name, target, strings.Join(d.Targets, ", "))
		}
		if c.NumQubits > d.Qubits {
			return nil, fmt.Errorf("the circuit has %d qubits but device %s (target %s) has %d", c.NumQubits, d.Name, target, d.Qubits)
		}
		dev = &d
	}
	if o.Verbatim && target != Braket {
		return nil, fmt.Errorf("--verbatim applies to the braket target only (a #pragma braket verbatim box), not %s; for IBM, a routed export in the device basis (--device ibm_heron) is already what the device runs", target)
	}
	if o.RestoreOrder && o.CouplingMap == nil && o.Device == "" {
		return nil, fmt.Errorf("--restore-order applies to routing: give --device or --coupling-map")
	}
	cmap, err := couplingMap(o, dev)
	if err != nil {
		return nil, err
	}
	if cmap != nil && cmap.Full {
		cmap = nil // every pair interacts: nothing to route
	}
	// Bind (braket keeps symbols and passes the values as inputs).
	work := c
	var inputValues map[string]float64
	if len(o.Params) > 0 {
		for n := range o.Params {
			if !c.HasParam(n) {
				return nil, fmt.Errorf("the circuit has no parameter %q (it has %s)", n, listOrNone(c.Params))
			}
		}
		if target == Braket {
			// The values travel as inputs, but an angle they make non-finite is refused here.
			if _, err := c.Bind(o.Params); err != nil {
				return nil, err
			}
			inputValues = o.Params
		} else {
			b, err := c.Bind(o.Params)
			if err != nil {
				return nil, err
			}
			work = b
		}
	}
	basis := o.Basis
	if basis == "" && dev != nil {
		basis = dev.Basis
	}
	if strings.EqualFold(basis, "auto") {
		basis = autoBasis(target, o.Gateset)
	}
	var phase circuit.Expr = circuit.Num(0)
	if basis != "" && !(o.Basis == "auto" && isIn(work, basis)) {
		b, err := transpile.ParseBasis(basis)
		if err != nil {
			return nil, err
		}
		res, err := transpile.Translate(work, b)
		if err != nil {
			return nil, fmt.Errorf("translating to basis %s: %w", b, err)
		}
		work, phase = res.Circuit, res.GlobalPhase
	}
	var rt *Routing
	if cmap != nil {
		routed, rph, r, err := routeCircuit(work, cmap, basis, o)
		if err != nil {
			return nil, err
		}
		work, phase, rt = routed, addExpr(phase, rph), r
	}
	p := &Program{Target: target, Circuit: work, Routing: rt}
	var (
		text []byte
		ph   circuit.Expr
	)
	switch target {
	case QASM2:
		text, ph, err = qasm2(work)
	case QASM3:
		text, p.Inputs, err = qasm3(work)
	case Braket:
		text, p.Inputs, ph, err = braket(work, inputValues, o.Verbatim)
	case IonQ:
		text, ph, err = ionq(work, o.Gateset)
	case Quil:
		text, p.Inputs, ph, err = quil(work, o.Memory)
	}
	if err != nil {
		return nil, err
	}
	if rt != nil {
		if text, err = annotate(target, text, rt); err != nil {
			return nil, err
		}
	}
	p.Text = text
	p.GlobalPhase = addExpr(phase, ph)
	return p, nil
}

func addExpr(a, b circuit.Expr) circuit.Expr {
	if b == nil {
		return a
	}
	if ca, ok := a.(circuit.Const); ok {
		if cb, ok := b.(circuit.Const); ok {
			return circuit.Num(ca.V + cb.V)
		}
		if ca.V == 0 {
			return b
		}
	}
	if cb, ok := b.(circuit.Const); ok && cb.V == 0 {
		return a
	}
	return circuit.Add(a, b)
}

// isIn reports whether every gate of c (without control modifiers) is in the gate list.
func isIn(c *circuit.Circuit, list string) bool {
	set := map[string]bool{}
	for _, g := range strings.Split(list, ",") {
		set[g] = true
	}
	for i := range c.Ops {
		op := &c.Ops[i]
		if op.Kind == circuit.GateOp && (op.Ctrl > 0 || !set[op.Gate.Name]) {
			return false
		}
	}
	return true
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// requireBound returns an UnboundError for the first parameter of c.
func requireBound(c *circuit.Circuit, target, reason string) error {
	if len(c.Params) > 0 {
		return &UnboundError{Target: target, Param: c.Params[0], Reason: reason}
	}
	return nil
}

// constArgs evaluates an operation's arguments, which must be constant.
func constArgs(op *circuit.Op) ([]float64, error) {
	return op.Params(nil)
}

// autoBasis is the vocabulary a target expresses directly, as a basis: Options.Basis
// "auto" translates only what the target cannot express. gphase is included where the
// target can carry a global phase (or reports it in Program.GlobalPhase).
func autoBasis(target, gateset string) string {
	switch target {
	case QASM2:
		// The original qelib1.inc (what qiskit.qasm2.loads reads by default). cu3 is left out:
		// qelib1's cu3 is controlled-U, package gates' is controlled-u3, which differ by a
		// relative phase.
		return "U,u3,u2,u1,cx,id,x,y,z,h,s,sdg,t,tdg,rx,ry,rz,cz,cy,ch,ccx,crz,cu1"
	case Braket:
		return "id,x,y,z,h,s,sdg,t,tdg,sx,sxdg,rx,ry,rz,p,U,gphase,cx,cy,cz,cp,ecr,swap,iswap,cswap,ccx,rxx,ryy,rzz,gpi,gpi2,ms"
	case IonQ:
		if gateset == "native" {
			return "gpi,gpi2,ms,gphase"
		}
		return "x,y,z,h,s,sdg,t,tdg,sx,sxdg,rx,ry,rz,swap,cx,cy,cz,ch,crx,cry,crz,ccx,gphase"
	case Quil:
		return "id,x,y,z,h,s,sdg,t,tdg,sx,sxdg,p,rx,ry,rz,cx,cz,cp,ccx,swap,cswap,iswap,cy,ch,crx,cry,crz,gphase"
	case QASM3:
		// Everything but u, u2, u3 and cu3, and no control modifiers: Qiskit's importer
		// (qiskit-qasm3-import 0.6) reads stdgates.inc's u3 and u2 without their gphase
		// (wrong under ctrl @) and binds the parameters of multi-parameter gate definitions
		// in the wrong order, so these are written with U, gphase and rotations instead.
		return "U,gphase,id,x,y,z,h,s,sdg,t,tdg,sx,sxdg,rx,ry,rz,p,u1,cx,cy,cz,ch,cp,cu1,crx,cry,crz,cu,swap,iswap,cswap,ccx,ecr,rxx,ryy,rzz,gpi,gpi2,ms"
	}
	return ""
}

// Device describes a QPU or managed simulator: its size, native basis and the targets that
// reach it.
type Device struct {
	Name    string
	Qubits  int
	Basis   string   // a transpile preset or gate list ("" for none)
	Targets []string // targets that submit to it
	Doc     string
}

func (d Device) accepts(target string) bool {
	for _, t := range d.Targets {
		if t == target {
			return true
		}
	}
	return false
}

// Devices lists the devices Options.Device may name. Sizes are the providers' published
// qubit counts.
func Devices() map[string]Device {
	return map[string]Device{
		"ibm_heron":      {Name: "ibm_heron", Qubits: 156, Basis: "heron", Targets: []string{QASM3, QASM2}, Doc: "IBM Heron r2 (e.g. ibm_fez)"},
		"ibm_eagle":      {Name: "ibm_eagle", Qubits: 127, Basis: "eagle", Targets: []string{QASM3, QASM2}, Doc: "IBM Eagle r3 (e.g. ibm_brisbane)"},
		"rigetti_ankaa3": {Name: "rigetti_ankaa3", Qubits: 84, Basis: "rigetti", Targets: []string{Quil, Braket}, Doc: "Rigetti Ankaa-3"},
		"ionq_aria":      {Name: "ionq_aria", Qubits: 25, Basis: "ionq", Targets: []string{IonQ, Braket}, Doc: "IonQ Aria (gpi, gpi2, ms)"},
		"ionq_forte":     {Name: "ionq_forte", Qubits: 36, Targets: []string{IonQ, Braket}, Doc: "IonQ Forte (qis gateset; its native zz gate is not modelled)"},
		"braket_sv1":     {Name: "braket_sv1", Qubits: 34, Targets: []string{Braket}, Doc: "Amazon Braket SV1 state-vector simulator"},
		"braket_dm1":     {Name: "braket_dm1", Qubits: 17, Targets: []string{Braket}, Doc: "Amazon Braket DM1 density-matrix simulator"},
		"braket_tn1":     {Name: "braket_tn1", Qubits: 50, Targets: []string{Braket}, Doc: "Amazon Braket TN1 tensor-network simulator"},
	}
}

// DeviceNames lists the device names, sorted.
func DeviceNames() []string {
	var out []string
	for n := range Devices() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
