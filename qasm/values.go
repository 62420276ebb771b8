package qasm

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/qasm/ast"
)

// vkind is the kind of a classical value.
type vkind uint8

const (
	vInvalid vkind = iota
	vInt
	vFloat // float and angle values; Sym set when the value depends on inputs
	vBool
	vArray // a classical array or part of one (arrays.go)
)

// value is a compile-time classical value, or a symbolic float that depends on inputs.
type value struct {
	k    vkind
	i    int64
	f    float64
	b    bool
	sym  circuit.Expr // symbolic float (k == vFloat) when non-nil
	size int          // node count of sym
	arr  *arrayRef    // k == vArray
}

func intVal(i int64) value     { return value{k: vInt, i: i} }
func floatVal(f float64) value { return value{k: vFloat, f: f} }
func boolVal(b bool) value     { return value{k: vBool, b: b} }
func symVal(e circuit.Expr, size int) value {
	return value{k: vFloat, sym: e, size: size}
}

func (v value) isNumeric() bool  { return v.k == vInt || v.k == vFloat }
func (v value) isSymbolic() bool { return v.sym != nil }

// float returns the value as a float64 (ints converted).
func (v value) float() float64 {
	if v.k == vInt {
		return float64(v.i)
	}
	return v.f
}

// expr returns the value as a circuit expression.
func (v value) expr() circuit.Expr {
	if v.sym != nil {
		return v.sym
	}
	return circuit.Const{V: v.float()}
}

func (v value) nodes() int {
	if v.sym != nil {
		return v.size
	}
	return 1
}

func (v value) String() string {
	switch v.k {
	case vInt:
		return strconv.FormatInt(v.i, 10)
	case vFloat:
		if v.sym != nil {
			return v.sym.String()
		}
		return circuit.FormatAngle(v.f)
	case vBool:
		return strconv.FormatBool(v.b)
	case vArray:
		return v.arr.String()
	}
	return "<invalid>"
}

func (v value) kindName() string {
	switch v.k {
	case vInt:
		return "int"
	case vFloat:
		if v.sym != nil {
			return "float (an input-dependent value)"
		}
		return "float"
	case vBool:
		return "bool"
	case vArray:
		return "array"
	}
	return "invalid"
}

// ctype is a declared classical scalar type.
type ctype struct {
	kind  ast.Token // INT_TYPE, UINT_TYPE, FLOAT_TYPE, ANGLE_TYPE, BOOL_TYPE
	width int       // 0 when not given
}

func (t ctype) String() string {
	s := t.kind.String()
	if t.width > 0 {
		s += "[" + strconv.Itoa(t.width) + "]"
	}
	return s
}

// evalError is an error found while computing a value.
type evalError struct {
	pos ast.Pos
	msg string
}

func (e *evalError) Error() string { return e.msg }

func errAt(pos ast.Pos, format string, args ...any) *evalError {
	return &evalError{pos, fmt.Sprintf(format, args...)}
}

// convert coerces v to type t (for declarations, assignments and typed loop variables).
func convert(v value, t ctype, pos ast.Pos, what string) (value, *evalError) {
	if v.k == vArray {
		return value{}, errAt(pos, "%s: an array (%s) cannot be used as %s; index it", what, v, t)
	}
	switch t.kind {
	case ast.INT_TYPE, ast.UINT_TYPE:
		var i int64
		switch {
		case v.k == vInt:
			i = v.i
		case v.k == vBool:
			if v.b {
				i = 1
			}
		case v.k == vFloat && v.sym == nil:
			if math.IsNaN(v.f) || math.IsInf(v.f, 0) || math.Abs(v.f) >= 1<<63 {
				return value{}, errAt(pos, "%s: %s does not fit in %s", what, v, t)
			}
			i = int64(v.f) // truncation towards zero, as C and OpenQASM casts
		default:
			return value{}, errAt(pos, "%s: %s has a value only at run time (it depends on an input); %s needs a compile-time value", what, v, t)
		}
		if err := checkIntRange(i, t, pos, what); err != nil {
			return value{}, err
		}
		return intVal(i), nil
	case ast.FLOAT_TYPE, ast.ANGLE_TYPE:
		switch v.k {
		case vInt:
			return floatVal(float64(v.i)), nil
		case vFloat:
			if v.sym == nil && t.kind == ast.FLOAT_TYPE && t.width == 32 {
				return floatVal(float64(float32(v.f))), nil
			}
			return v, nil
		case vBool:
			if t.kind == ast.FLOAT_TYPE {
				if v.b {
					return floatVal(1), nil
				}
				return floatVal(0), nil
			}
		}
		return value{}, errAt(pos, "%s: cannot use %s value %s as %s", what, v.kindName(), v, t)
	case ast.BOOL_TYPE:
		switch {
		case v.k == vBool:
			return v, nil
		case v.k == vInt:
			return boolVal(v.i != 0), nil
		case v.k == vFloat && v.sym == nil:
			return boolVal(v.f != 0), nil
		}
		return value{}, errAt(pos, "%s: %s has a value only at run time; bool needs a compile-time value", what, v)
	}
	return value{}, errAt(pos, "%s: unsupported type %s", what, t)
}

func checkIntRange(i int64, t ctype, pos ast.Pos, what string) *evalError {
	w := t.width
	if t.kind == ast.UINT_TYPE {
		if i < 0 {
			return errAt(pos, "%s: %d is negative; it does not fit in %s", what, i, t)
		}
		if w > 0 && w < 64 && uint64(i) >= 1<<uint(w) {
			return errAt(pos, "%s: %d does not fit in %s (largest %d)", what, i, t, uint64(1)<<uint(w)-1)
		}
		return nil
	}
	if w > 0 && w < 64 {
		lo, hi := -(int64(1) << uint(w-1)), int64(1)<<uint(w-1)-1
		if i < lo || i > hi {
			return errAt(pos, "%s: %d does not fit in %s (range %d to %d)", what, i, t, lo, hi)
		}
	}
	return nil
}

// arith applies a binary operator. major selects OpenQASM 2 semantics (every number real,
// ^ is power).
func arith(op ast.Token, x, y value, pos ast.Pos, major, maxNodes int) (value, *evalError) {
	if major == 2 && op == ast.CARET {
		op = ast.POW
	}
	if x.k == vInvalid || y.k == vInvalid {
		return value{}, errAt(pos, "invalid operand")
	}
	if x.k == vArray || y.k == vArray {
		return value{}, errAt(pos, "operator %s cannot be applied to an array; index it (a[i])", op)
	}
	switch op {
	case ast.LAND, ast.LOR:
		bx, err := truth(x, pos)
		if err != nil {
			return value{}, err
		}
		by, err := truth(y, pos)
		if err != nil {
			return value{}, err
		}
		if op == ast.LAND {
			return boolVal(bx && by), nil
		}
		return boolVal(bx || by), nil
	case ast.EQL, ast.NEQ, ast.LSS, ast.LEQ, ast.GTR, ast.GEQ:
		return compare(op, x, y, pos)
	}
	if x.k == vBool || y.k == vBool {
		if x.k == vBool && y.k == vBool {
			switch op {
			case ast.AND:
				return boolVal(x.b && y.b), nil
			case ast.OR:
				return boolVal(x.b || y.b), nil
			case ast.CARET:
				return boolVal(x.b != y.b), nil
			}
		}
		return value{}, errAt(pos, "operator %s cannot be applied to a bool", op)
	}
	if x.k == vInt && y.k == vInt && !(major == 2 && op == ast.QUO) {
		return intArith(op, x.i, y.i, pos)
	}
	// Real arithmetic.
	switch op {
	case ast.AND, ast.OR, ast.CARET, ast.SHL, ast.SHR:
		if op == ast.CARET {
			return value{}, errAt(pos, "^ is bitwise xor in OpenQASM 3 and needs integers; write ** for a power")
		}
		return value{}, errAt(pos, "operator %s needs integers, got %s and %s", op, x.kindName(), y.kindName())
	case ast.CONCAT:
		return value{}, errAt(pos, "++ joins registers (in let statements); it cannot combine numbers")
	}
	if x.sym != nil || y.sym != nil {
		var cop byte
		switch op {
		case ast.ADD:
			cop = '+'
		case ast.SUB:
			cop = '-'
		case ast.MUL:
			cop = '*'
		case ast.QUO:
			cop = '/'
		case ast.POW:
			cop = '^'
		default:
			return value{}, errAt(pos, "operator %s cannot be applied to %s, whose value depends on an input and is known only at run time", op, pick(x, y))
		}
		n := x.nodes() + y.nodes() + 1
		if n > maxNodes {
			return value{}, errAt(pos, "expression too large: more than %d operations on input parameters (limit MaxExprNodes)", maxNodes)
		}
		return symVal(circuit.Binary{Op: cop, X: x.expr(), Y: y.expr()}, n), nil
	}
	a, b := x.float(), y.float()
	switch op {
	case ast.ADD:
		return floatVal(a + b), nil
	case ast.SUB:
		return floatVal(a - b), nil
	case ast.MUL:
		return floatVal(a * b), nil
	case ast.QUO:
		return floatVal(a / b), nil
	case ast.REM:
		return floatVal(math.Mod(a, b)), nil
	case ast.POW:
		return floatVal(math.Pow(a, b)), nil
	}
	return value{}, errAt(pos, "operator %s is not supported on numbers", op)
}

func pick(x, y value) string {
	if x.sym != nil {
		return x.sym.String()
	}
	return y.sym.String()
}

func intArith(op ast.Token, a, b int64, pos ast.Pos) (value, *evalError) {
	overflow := func() (value, *evalError) {
		return value{}, errAt(pos, "integer overflow in %d %s %d (integers are 64-bit)", a, op, b)
	}
	switch op {
	case ast.ADD:
		s := a + b
		if (s > a) != (b > 0) {
			return overflow()
		}
		return intVal(s), nil
	case ast.SUB:
		s := a - b
		if (s < a) != (b > 0) {
			return overflow()
		}
		return intVal(s), nil
	case ast.MUL:
		if a == 0 || b == 0 {
			return intVal(0), nil
		}
		hi, lo := bits.Mul64(uint64(abs64(a)), uint64(abs64(b)))
		if hi != 0 || lo > math.MaxInt64 || a == math.MinInt64 || b == math.MinInt64 {
			return overflow()
		}
		return intVal(a * b), nil
	case ast.QUO, ast.REM:
		if b == 0 {
			return value{}, errAt(pos, "integer division by zero")
		}
		if a == math.MinInt64 && b == -1 {
			return overflow()
		}
		if op == ast.QUO {
			return intVal(a / b), nil
		}
		return intVal(a % b), nil
	case ast.POW:
		if b < 0 {
			return value{}, errAt(pos, "negative integer exponent in %d ** %d: write %d.0 ** %d for a real result", a, b, a, b)
		}
		r := int64(1)
		base := a
		e := b
		for e > 0 {
			if e&1 == 1 {
				v, err := intArith(ast.MUL, r, base, pos)
				if err != nil {
					return overflow()
				}
				r = v.i
			}
			e >>= 1
			if e > 0 {
				v, err := intArith(ast.MUL, base, base, pos)
				if err != nil {
					return overflow()
				}
				base = v.i
			}
		}
		return intVal(r), nil
	case ast.AND:
		return intVal(a & b), nil
	case ast.OR:
		return intVal(a | b), nil
	case ast.CARET:
		return intVal(a ^ b), nil
	case ast.SHL, ast.SHR:
		if b < 0 || b > 63 {
			return value{}, errAt(pos, "shift count %d out of range 0 to 63", b)
		}
		if op == ast.SHL {
			return intVal(a << uint(b)), nil
		}
		return intVal(a >> uint(b)), nil
	case ast.CONCAT:
		return value{}, errAt(pos, "++ joins registers (in let statements); it cannot combine numbers")
	}
	return value{}, errAt(pos, "operator %s is not supported on integers", op)
}

func abs64(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

func truth(v value, pos ast.Pos) (bool, *evalError) {
	if v.k == vArray {
		return false, errAt(pos, "an array is not a condition; index it (a[i])")
	}
	switch {
	case v.k == vBool:
		return v.b, nil
	case v.k == vInt:
		return v.i != 0, nil
	case v.k == vFloat && v.sym == nil:
		return v.f != 0, nil
	}
	return false, errAt(pos, "condition depends on %s, which has a value only at run time; only measured bits can be tested at run time", v)
}

func compare(op ast.Token, x, y value, pos ast.Pos) (value, *evalError) {
	if x.sym != nil || y.sym != nil {
		return value{}, errAt(pos, "cannot compare %s: its value depends on an input and is known only at run time", pick(x, y))
	}
	var c int
	switch {
	case x.k == vBool || y.k == vBool:
		if x.k != y.k {
			bx, _ := truth(x, pos)
			by, _ := truth(y, pos)
			x, y = boolVal(bx), boolVal(by)
		}
		if op != ast.EQL && op != ast.NEQ {
			return value{}, errAt(pos, "operator %s cannot compare bools", op)
		}
		if x.b == y.b {
			c = 0
		} else {
			c = 1
		}
	case x.k == vInt && y.k == vInt:
		switch {
		case x.i < y.i:
			c = -1
		case x.i > y.i:
			c = 1
		}
	default:
		a, b := x.float(), y.float()
		switch {
		case a < b:
			c = -1
		case a > b:
			c = 1
		case a != b: // NaN
			return boolVal(op == ast.NEQ), nil
		}
	}
	switch op {
	case ast.EQL:
		return boolVal(c == 0), nil
	case ast.NEQ:
		return boolVal(c != 0), nil
	case ast.LSS:
		return boolVal(c < 0), nil
	case ast.LEQ:
		return boolVal(c <= 0), nil
	case ast.GTR:
		return boolVal(c > 0), nil
	}
	return boolVal(c >= 0), nil
}

func unary(op ast.Token, x value, pos ast.Pos, maxNodes int) (value, *evalError) {
	if x.k == vArray {
		return value{}, errAt(pos, "operator %s cannot be applied to an array; index it (a[i])", op)
	}
	switch op {
	case ast.ADD:
		if !x.isNumeric() {
			return value{}, errAt(pos, "unary + needs a number, got %s", x.kindName())
		}
		return x, nil
	case ast.SUB:
		switch {
		case x.k == vInt:
			if x.i == math.MinInt64 {
				return value{}, errAt(pos, "integer overflow negating %d", x.i)
			}
			return intVal(-x.i), nil
		case x.k == vFloat && x.sym != nil:
			if x.size+1 > maxNodes {
				return value{}, errAt(pos, "expression too large: more than %d operations on input parameters (limit MaxExprNodes)", maxNodes)
			}
			return symVal(circuit.Neg{X: x.sym}, x.size+1), nil
		case x.k == vFloat:
			return floatVal(-x.f), nil
		}
		return value{}, errAt(pos, "unary - needs a number, got %s", x.kindName())
	case ast.NOT:
		b, err := truth(x, pos)
		if err != nil {
			return value{}, err
		}
		return boolVal(!b), nil
	case ast.TILDE:
		if x.k == vInt {
			return intVal(^x.i), nil
		}
		if x.k == vBool {
			return boolVal(!x.b), nil
		}
		return value{}, errAt(pos, "~ needs an integer, got %s", x.kindName())
	}
	return value{}, errAt(pos, "unknown unary operator %s", op)
}

// callFunc applies a built-in function.
func callFunc(name string, args []value, pos ast.Pos, maxNodes int) (value, *evalError) {
	one := func() (value, *evalError) {
		if len(args) != 1 {
			return value{}, errAt(pos, "%s takes 1 argument, got %d", name, len(args))
		}
		if !args[0].isNumeric() {
			return value{}, errAt(pos, "%s needs a number, got %s", name, args[0].kindName())
		}
		return args[0], nil
	}
	switch name {
	case "sin", "cos", "tan", "arcsin", "arccos", "arctan", "asin", "acos", "atan", "exp", "ln", "log", "sqrt":
		a, err := one()
		if err != nil {
			return value{}, err
		}
		fn := name
		switch name {
		case "log":
			fn = "ln" // OpenQASM 3's log is the natural logarithm, OpenQASM 2's ln
		case "asin", "acos", "atan":
			fn = "arc" + name[1:]
		}
		if a.sym != nil {
			if a.size+1 > maxNodes {
				return value{}, errAt(pos, "expression too large: more than %d operations on input parameters (limit MaxExprNodes)", maxNodes)
			}
			return symVal(circuit.Call{Fn: fn, Arg: a.sym}, a.size+1), nil
		}
		return floatVal(circuit.Functions[fn](a.float())), nil
	case "floor", "ceiling", "ceil":
		a, err := one()
		if err != nil {
			return value{}, err
		}
		if a.sym != nil {
			return value{}, errAt(pos, "%s of %s: the value depends on an input and is known only at run time", name, a.sym)
		}
		if a.k == vInt {
			return a, nil
		}
		if name == "floor" {
			return floatVal(math.Floor(a.f)), nil
		}
		return floatVal(math.Ceil(a.f)), nil
	case "mod", "pow":
		if len(args) != 2 {
			return value{}, errAt(pos, "%s takes 2 arguments, got %d", name, len(args))
		}
		op := ast.REM
		if name == "pow" {
			op = ast.POW
		}
		return arith(op, args[0], args[1], pos, 3, maxNodes)
	case "sizeof":
		return sizeOf(args, pos)
	case "popcount", "rotl", "rotr", "real", "imag", "durationof":
		return value{}, errAt(pos, "not supported: the function %s", name)
	}
	return value{}, errAt(pos, "unknown function %s (qpeft knows sin, cos, tan, arcsin, arccos, arctan, exp, ln, log, sqrt, floor, ceiling, mod, pow)", name)
}

// parseIntLit converts an integer literal (decimal, 0x, 0o, 0b, with _ separators).
func parseIntLit(lit string) (int64, error) {
	clean := make([]byte, 0, len(lit))
	for i := 0; i < len(lit); i++ {
		if lit[i] != '_' {
			clean = append(clean, lit[i])
		}
	}
	base := 10
	if len(clean) > 1 && clean[0] == '0' {
		switch clean[1] {
		case 'x', 'X', 'o', 'O', 'b', 'B':
			base = 0 // the prefix selects the base; a plain leading 0 stays decimal
		}
	}
	u, err := strconv.ParseUint(string(clean), base, 64)
	if err != nil || u > math.MaxInt64 {
		return 0, fmt.Errorf("integer literal %s is too large (integers are 64-bit)", lit)
	}
	return int64(u), nil
}

// parseBigIntLit converts an integer literal of any size (decimal, 0x, 0o, 0b, with _
// separators), for comparisons with classical registers wider than 64 bits.
func parseBigIntLit(lit string) (*big.Int, error) {
	n, ok := new(big.Int).SetString(lit, 0)
	if !ok {
		// SetString with base 0 reads a leading 0 as octal; OpenQASM reads it as decimal.
		clean := strings.ReplaceAll(lit, "_", "")
		if n, ok = new(big.Int).SetString(clean, 10); !ok {
			return nil, fmt.Errorf("malformed integer literal %s", lit)
		}
	}
	if len(lit) > 1 && lit[0] == '0' && lit[1] >= '0' && lit[1] <= '9' {
		n, ok = new(big.Int).SetString(strings.ReplaceAll(lit, "_", ""), 10)
		if !ok {
			return nil, fmt.Errorf("malformed integer literal %s", lit)
		}
	}
	return n, nil
}

func parseFloatLit(lit string) (float64, error) {
	clean := make([]byte, 0, len(lit))
	for i := 0; i < len(lit); i++ {
		if lit[i] != '_' {
			clean = append(clean, lit[i])
		}
	}
	f, err := strconv.ParseFloat(string(clean), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("number %s is out of the range of a 64-bit float", lit)
		}
		return 0, fmt.Errorf("malformed number %s", lit)
	}
	return f, nil
}
