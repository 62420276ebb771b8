package circuit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Expr is a symbolic angle expression: a constant, a parameter symbol, or an operation on
// expressions. The concrete types are Const, Sym, Neg, Binary and Call. Expressions are
// immutable and may be shared.
type Expr interface {
	// String renders the expression in OpenQASM syntax with minimal parentheses.
	String() string
	prec() int
}

// Const is a numeric constant.
type Const struct{ V float64 }

// Sym is a named parameter (an OpenQASM 3 input).
type Sym struct{ Name string }

// Neg is unary minus.
type Neg struct{ X Expr }

// Binary is X Op Y with Op one of + - * / ^ (^ is exponentiation, OpenQASM 2's operator;
// OpenQASM 3's ** means the same).
type Binary struct {
	Op   byte
	X, Y Expr
}

// Call applies a function of one argument: sin cos tan asin acos atan exp ln sqrt.
type Call struct {
	Fn  string
	Arg Expr
}

// Functions lists the functions a Call may name.
var Functions = map[string]func(float64) float64{
	"sin": math.Sin, "cos": math.Cos, "tan": math.Tan,
	"asin": math.Asin, "acos": math.Acos, "atan": math.Atan,
	"arcsin": math.Asin, "arccos": math.Acos, "arctan": math.Atan,
	"exp": math.Exp, "ln": math.Log, "sqrt": math.Sqrt,
}

func (c Const) prec() int {
	if c.V < 0 || math.Signbit(c.V) {
		return 3 // prints with a leading minus
	}
	return 5
}
func (Sym) prec() int  { return 5 }
func (Call) prec() int { return 5 }
func (Neg) prec() int  { return 3 }
func (b Binary) prec() int {
	switch b.Op {
	case '+', '-':
		return 1
	case '*', '/':
		return 2
	default:
		return 4
	}
}

// String prints the shortest decimal that reads back to the same float64, or a multiple of
// pi when the value is k·π/d exactly for small k and d (so printed circuits stay readable).
func (c Const) String() string { return FormatAngle(c.V) }

// FormatAngle renders a float64 so that parsing the text gives back the same bits:
// multiples of π with small denominators print as e.g. "pi/2", "-3*pi/4"; others print with
// strconv's shortest round-trip form.
func FormatAngle(v float64) string {
	if v != 0 && !math.IsInf(v, 0) && !math.IsNaN(v) {
		for _, d := range []int{1, 2, 3, 4, 6, 8, 16} {
			k := v * float64(d) / math.Pi
			if r := math.Round(k); r != 0 && math.Abs(r) <= 64 && math.Abs(k-r) == 0 {
				// Check that the printed form evaluates to exactly v.
				if piMultiple(int(r), d) == v {
					return formatPi(int(r), d)
				}
			}
		}
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if math.IsInf(v, 0) || math.IsNaN(v) || strings.Contains(s, ".") {
		return s
	}
	// Always write a real literal: in OpenQASM 3, 1/2 is integer division, and OpenQASM 2's
	// real literals need a decimal point (1.0e+20, not 1e+20).
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		return s[:i] + ".0" + s[i:]
	}
	return s + ".0"
}

// piMultiple evaluates k*pi/d in the same order the printed text "k*pi/d" is evaluated.
func piMultiple(k, d int) float64 {
	v := math.Pi
	if k != 1 {
		v = float64(k) * math.Pi
	}
	if d != 1 {
		v /= float64(d)
	}
	return v
}

func formatPi(k, d int) string {
	var s string
	switch k {
	case 1:
		s = "pi"
	case -1:
		s = "-pi"
	default:
		s = strconv.Itoa(k) + "*pi"
	}
	if d != 1 {
		s += "/" + strconv.Itoa(d)
	}
	return s
}

// String is the symbol's name.
func (s Sym) String() string { return s.Name }

// String renders -x, parenthesising a compound operand.
func (n Neg) String() string {
	x := n.X.String()
	if n.X.prec() < 5 {
		x = "(" + x + ")"
	}
	return "-" + x
}

// String renders x op y with the parentheses precedence and associativity require (^ prints
// as OpenQASM 3's **).
func (b Binary) String() string {
	op := string(b.Op)
	if b.Op == '^' {
		op = "**"
	}
	p := b.prec()
	x, y := b.X.String(), b.Y.String()
	// Left operand: parenthesise lower precedence; for ^ (right-associative) also equal.
	if b.X.prec() < p || (b.Op == '^' && b.X.prec() <= p) || (b.X.prec() == 3 && p >= 3) {
		x = "(" + x + ")"
	}
	// Right operand: parenthesise lower precedence, and equal precedence for the
	// non-associative - and /, and for * (so a*(b/c) keeps its rounding).
	if b.Y.prec() < p || (b.Y.prec() == p && b.Op != '+' && b.Op != '^') || b.Y.prec() == 3 {
		y = "(" + y + ")"
	}
	return x + " " + op + " " + y
}

// String renders fn(arg).
func (c Call) String() string { return c.Fn + "(" + c.Arg.String() + ")" }

// Env supplies parameter values by name.
type Env func(name string) (float64, bool)

// MapEnv adapts a map to an Env.
func MapEnv(m map[string]float64) Env {
	return func(n string) (float64, bool) { v, ok := m[n]; return v, ok }
}

// UnboundError reports a symbol without a value.
type UnboundError struct{ Name string }

// Error names the parameter and how to give it a value.
func (e *UnboundError) Error() string {
	return fmt.Sprintf("parameter %q has no value (bind it by name, or pass --param %s=VALUE)", e.Name, e.Name)
}

// Eval evaluates e. Symbols are looked up in env (which may be nil when e has none).
func Eval(e Expr, env Env) (float64, error) {
	v, _, err := evalDeriv(e, env, "")
	return v, err
}

// EvalDeriv evaluates e and its derivative with respect to the symbol wrt (forward mode).
func EvalDeriv(e Expr, env Env, wrt string) (v, d float64, err error) {
	return evalDeriv(e, env, wrt)
}

func evalDeriv(e Expr, env Env, wrt string) (float64, float64, error) {
	switch e := e.(type) {
	case Const:
		return e.V, 0, nil
	case Sym:
		if env == nil {
			return 0, 0, &UnboundError{e.Name}
		}
		v, ok := env(e.Name)
		if !ok {
			return 0, 0, &UnboundError{e.Name}
		}
		if e.Name == wrt && wrt != "" {
			return v, 1, nil
		}
		return v, 0, nil
	case Neg:
		v, d, err := evalDeriv(e.X, env, wrt)
		return -v, -d, err
	case Binary:
		a, da, err := evalDeriv(e.X, env, wrt)
		if err != nil {
			return 0, 0, err
		}
		b, db, err := evalDeriv(e.Y, env, wrt)
		if err != nil {
			return 0, 0, err
		}
		switch e.Op {
		case '+':
			return a + b, da + db, nil
		case '-':
			return a - b, da - db, nil
		case '*':
			return a * b, da*b + a*db, nil
		case '/':
			return a / b, (da*b - a*db) / (b * b), nil
		case '^':
			v := math.Pow(a, b)
			d := 0.0
			if da != 0 {
				d += b * math.Pow(a, b-1) * da
			}
			if db != 0 {
				d += v * math.Log(a) * db
			}
			return v, d, nil
		}
		return 0, 0, fmt.Errorf("unknown operator %q", e.Op)
	case Call:
		a, da, err := evalDeriv(e.Arg, env, wrt)
		if err != nil {
			return 0, 0, err
		}
		f, ok := Functions[e.Fn]
		if !ok {
			return 0, 0, fmt.Errorf("unknown function %q", e.Fn)
		}
		v := f(a)
		if da == 0 {
			return v, 0, nil
		}
		var fp float64
		switch e.Fn {
		case "sin":
			fp = math.Cos(a)
		case "cos":
			fp = -math.Sin(a)
		case "tan":
			c := math.Cos(a)
			fp = 1 / (c * c)
		case "asin", "arcsin":
			fp = 1 / math.Sqrt(1-a*a)
		case "acos", "arccos":
			fp = -1 / math.Sqrt(1-a*a)
		case "atan", "arctan":
			fp = 1 / (1 + a*a)
		case "exp":
			fp = v
		case "ln":
			fp = 1 / a
		case "sqrt":
			fp = 0.5 / v
		}
		return v, fp * da, nil
	case nil:
		return 0, 0, fmt.Errorf("nil expression")
	}
	return 0, 0, fmt.Errorf("unknown expression type %T", e)
}

// Symbols returns the distinct symbol names in e in order of first appearance.
func Symbols(e Expr) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(Expr)
	walk = func(e Expr) {
		switch e := e.(type) {
		case Sym:
			if !seen[e.Name] {
				seen[e.Name] = true
				out = append(out, e.Name)
			}
		case Neg:
			walk(e.X)
		case Binary:
			walk(e.X)
			walk(e.Y)
		case Call:
			walk(e.Arg)
		}
	}
	walk(e)
	return out
}

// Substitute replaces symbols that env defines by constants and folds constant
// sub-expressions.
func Substitute(e Expr, env Env) Expr {
	switch e := e.(type) {
	case Sym:
		if env != nil {
			if v, ok := env(e.Name); ok {
				return Const{v}
			}
		}
		return e
	case Neg:
		x := Substitute(e.X, env)
		if c, ok := x.(Const); ok {
			return Const{-c.V}
		}
		return Neg{x}
	case Binary:
		x, y := Substitute(e.X, env), Substitute(e.Y, env)
		b := Binary{e.Op, x, y}
		if _, ok := x.(Const); ok {
			if _, ok := y.(Const); ok {
				v, _ := Eval(b, nil)
				return Const{v}
			}
		}
		return b
	case Call:
		a := Substitute(e.Arg, env)
		c := Call{e.Fn, a}
		if _, ok := a.(Const); ok {
			v, _ := Eval(c, nil)
			return Const{v}
		}
		return c
	}
	return e
}

// Num is shorthand for Const{v}.
func Num(v float64) Expr { return Const{v} }

// Param is shorthand for Sym{name}.
func Param(name string) Expr { return Sym{name} }

// Add, Sub, Mul and Div build binary expressions.
func Add(x, y Expr) Expr { return Binary{'+', x, y} }

// Sub returns x − y.
func Sub(x, y Expr) Expr { return Binary{'-', x, y} }

// Mul returns x · y.
func Mul(x, y Expr) Expr { return Binary{'*', x, y} }

// Div returns x / y.
func Div(x, y Expr) Expr { return Binary{'/', x, y} }

// affine builds c + Σ coef_j·args_j with the obvious simplifications, for inverse rules.
func affine(coef []float64, c float64, args []Expr) Expr {
	var e Expr
	for j, k := range coef {
		if k == 0 {
			continue
		}
		var term Expr
		switch k {
		case 1:
			term = args[j]
		case -1:
			if cc, ok := args[j].(Const); ok {
				term = Const{-cc.V}
			} else if n, ok := args[j].(Neg); ok {
				term = n.X
			} else {
				term = Neg{args[j]}
			}
		default:
			term = Mul(Const{k}, args[j])
		}
		if e == nil {
			e = term
		} else {
			e = Add(e, term)
		}
	}
	switch {
	case e == nil:
		return Const{c}
	case c != 0:
		if ce, ok := e.(Const); ok {
			return Const{ce.V + c}
		}
		return Add(e, Const{c})
	}
	return e
}
