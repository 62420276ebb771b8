package export

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/qpeft/qpeft/circuit"
)

// quilGates maps gates (without control modifiers) to Quil's standard gates.
var quilGates = map[string]string{
	"id": "I", "x": "X", "y": "Y", "z": "Z", "h": "H", "s": "S", "t": "T", "p": "PHASE", "u1": "PHASE",
	"rx": "RX", "ry": "RY", "rz": "RZ", "cx": "CNOT", "cz": "CZ", "cp": "CPHASE", "cu1": "CPHASE",
	"ccx": "CCNOT", "swap": "SWAP", "cswap": "CSWAP", "iswap": "ISWAP",
}

// quilDagger maps gates written with Quil's DAGGER modifier.
var quilDagger = map[string]string{"sdg": "S", "tdg": "T"}

// quilNamedCtrl maps named controlled gates written with Quil's CONTROLLED modifier.
var quilNamedCtrl = map[string]struct {
	base string
	n    int
}{"cy": {"y", 1}, "ch": {"h", 1}, "crx": {"rx", 1}, "cry": {"ry", 1}, "crz": {"rz", 1}}

var quilIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_\-]*$`)

// quilFuncs are the functions Quil expressions may call.
var quilFuncs = map[string]string{"sin": "sin", "cos": "cos", "sqrt": "sqrt", "exp": "exp"}

func quil(c *circuit.Circuit, memory string) ([]byte, []Input, circuit.Expr, error) {
	if memory == "" {
		memory = "theta"
	}
	if !quilIdent.MatchString(memory) || strings.EqualFold(memory, "ro") {
		return nil, nil, nil, fmt.Errorf("quil: %q is not a usable memory name (an identifier other than ro)", memory)
	}
	var b bytes.Buffer
	index := map[string]int{}
	var inputs []Input
	if len(c.Params) > 0 {
		fmt.Fprintf(&b, "DECLARE %s REAL[%d]\n", memory, len(c.Params))
		for i, p := range c.Params {
			index[p] = i
			name := fmt.Sprintf("%s[%d]", memory, i)
			inputs = append(inputs, Input{Name: name, Param: p})
			fmt.Fprintf(&b, "# %s = %s\n", name, p)
		}
	}
	if c.NumClbits > 0 {
		fmt.Fprintf(&b, "DECLARE ro BIT[%d]\n", c.NumClbits)
	}
	phase := circuit.Expr(circuit.Num(0))
	for i := range c.Ops {
		op := &c.Ops[i]
		unsupported := func(reason string) error {
			return &UnsupportedError{Target: Quil, Op: op.Name(), Index: i, Pos: op.Pos, Reason: reason}
		}
		if op.Cond != nil {
			return nil, nil, nil, unsupported("conditioned operations are not exported to Quil")
		}
		switch op.Kind {
		case circuit.Barrier:
			continue
		case circuit.Measure:
			for k, q := range op.Qubits {
				fmt.Fprintf(&b, "MEASURE %d ro[%d]\n", q, op.Clbits()[k])
			}
			continue
		case circuit.Reset:
			for _, q := range op.Qubits {
				fmt.Fprintf(&b, "RESET %d\n", q)
			}
			continue
		}
		args := make([]string, len(op.Args))
		for k, a := range op.Args {
			s, err := quilExpr(a, memory, index)
			if err != nil {
				return nil, nil, nil, unsupported(err.Error())
			}
			args[k] = s
		}
		name, nctrl := op.Gate.Name, int(op.Ctrl)
		if nc, ok := quilNamedCtrl[name]; ok && nctrl == 0 {
			name, nctrl = nc.base, nc.n
		} else if nc, ok := quilNamedCtrl[name]; ok {
			name, nctrl = nc.base, nctrl+nc.n
		}
		var mods []string
		for k := 0; k < nctrl; k++ {
			mods = append(mods, "CONTROLLED")
		}
		var gate string
		switch {
		case name == "gphase" && nctrl == 0:
			phase = addExpr(phase, op.Args[0])
			continue
		case name == "gphase": // ctrl^k @ gphase(γ) = ctrl^(k−1) @ phase(γ) on the last control
			mods = mods[1:]
			gate = "PHASE"
		case name == "sx" && nctrl == 0: // sx = e^{iπ/4}·rx(π/2)
			gate, args = "RX", []string{"pi/2"}
			phase = addExpr(phase, circuit.Num(math.Pi/4))
		case name == "sxdg" && nctrl == 0:
			gate, args = "RX", []string{"-pi/2"}
			phase = addExpr(phase, circuit.Num(-math.Pi/4))
		case quilDagger[name] != "":
			mods = append(mods, "DAGGER")
			gate = quilDagger[name]
		case quilGates[name] != "":
			gate = quilGates[name]
		default:
			return nil, nil, nil, unsupported("Quil's standard gates are I X Y Z H S T PHASE RX RY RZ CNOT CZ CPHASE CCNOT SWAP CSWAP ISWAP (with CONTROLLED and DAGGER); translate with basis rigetti or a basis such as rz,rx,cz")
		}
		b.WriteString(strings.Join(append(mods, gate), " "))
		if len(args) > 0 {
			fmt.Fprintf(&b, "(%s)", strings.Join(args, ", "))
		}
		for _, q := range op.Qubits {
			fmt.Fprintf(&b, " %d", q)
		}
		b.WriteByte('\n')
	}
	return b.Bytes(), inputs, phase, nil
}

// quilExpr prints an angle expression in Quil syntax with parameters as memory references.
func quilExpr(e circuit.Expr, memory string, index map[string]int) (string, error) {
	var walk func(e circuit.Expr) (string, int, error) // text, precedence
	walk = func(e circuit.Expr) (string, int, error) {
		switch e := e.(type) {
		case circuit.Const:
			if math.IsInf(e.V, 0) || math.IsNaN(e.V) {
				return "", 0, fmt.Errorf("the angle %v is not a finite number", e.V)
			}
			s := circuit.FormatAngle(e.V)
			if strings.ContainsAny(s, "*/-") {
				return s, 2, nil
			}
			return s, 5, nil
		case circuit.Sym:
			i, ok := index[e.Name]
			if !ok {
				return "", 0, fmt.Errorf("parameter %q is not declared", e.Name)
			}
			return fmt.Sprintf("%s[%d]", memory, i), 5, nil
		case circuit.Neg:
			x, p, err := walk(e.X)
			if err != nil {
				return "", 0, err
			}
			if p < 5 {
				x = "(" + x + ")"
			}
			return "-" + x, 3, nil
		case circuit.Binary:
			x, px, err := walk(e.X)
			if err != nil {
				return "", 0, err
			}
			y, py, err := walk(e.Y)
			if err != nil {
				return "", 0, err
			}
			// Parenthesise every compound operand: exact and unambiguous.
			if px < 5 {
				x = "(" + x + ")"
			}
			if py < 5 {
				y = "(" + y + ")"
			}
			op := string(e.Op)
			return x + op + y, 1, nil
		case circuit.Call:
			f, ok := quilFuncs[e.Fn]
			if !ok {
				return "", 0, fmt.Errorf("function %s is not available in Quil expressions (sin, cos, sqrt, exp are); bind the parameter with a value", e.Fn)
			}
			a, _, err := walk(e.Arg)
			if err != nil {
				return "", 0, err
			}
			return f + "(" + a + ")", 5, nil
		}
		return "", 0, fmt.Errorf("unknown expression %T", e)
	}
	s, _, err := walk(e)
	return s, err
}
