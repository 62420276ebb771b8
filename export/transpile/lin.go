package transpile

import (
	"math"

	"github.com/qpeft/qpeft/circuit"
)

// lin is an affine combination Σ coef_i·term_i + c of angle expressions. Every parameter
// map the decomposition rules use is affine, so keeping angles in this form lets rules
// compose and lets adjacent rotations merge (rz(θ/2 + π)·rz(−π) = rz(θ/2)) with readable
// output. Terms that are not affine in the symbols (sin(θ), θ*φ, …) are kept whole as opaque
// terms keyed by their printed form.
type lin struct {
	keys  []string
	terms map[string]circuit.Expr
	coef  map[string]float64
	c     float64
}

func linConst(v float64) lin { return lin{c: v} }

// linOf flattens e into affine form.
func linOf(e circuit.Expr) lin {
	var l lin
	l.addExpr(e, 1)
	return l
}

func (l *lin) addTerm(t circuit.Expr, k float64) {
	key := t.String()
	if l.terms == nil {
		l.terms = map[string]circuit.Expr{}
		l.coef = map[string]float64{}
	}
	if _, ok := l.terms[key]; !ok {
		l.keys = append(l.keys, key)
		l.terms[key] = t
	}
	l.coef[key] += k
}

func (l *lin) addExpr(e circuit.Expr, k float64) {
	switch e := e.(type) {
	case circuit.Const:
		l.c += k * e.V
	case circuit.Neg:
		l.addExpr(e.X, -k)
	case circuit.Binary:
		switch e.Op {
		case '+':
			l.addExpr(e.X, k)
			l.addExpr(e.Y, k)
			return
		case '-':
			l.addExpr(e.X, k)
			l.addExpr(e.Y, -k)
			return
		case '*':
			if c, ok := constOf(e.X); ok {
				l.addExpr(e.Y, k*c)
				return
			}
			if c, ok := constOf(e.Y); ok {
				l.addExpr(e.X, k*c)
				return
			}
		case '/':
			if c, ok := constOf(e.Y); ok && c != 0 {
				l.addExpr(e.X, k/c)
				return
			}
		}
		if v, ok := constOf(e); ok {
			l.c += k * v
			return
		}
		l.addTerm(e, k)
	case nil:
		panic("transpile: nil expression")
	default:
		if v, ok := constOf(e); ok {
			l.c += k * v
			return
		}
		l.addTerm(e, k)
	}
}

// constOf evaluates e when it has no symbols.
func constOf(e circuit.Expr) (float64, bool) {
	if len(circuit.Symbols(e)) > 0 {
		return 0, false
	}
	v, err := circuit.Eval(e, nil)
	if err != nil {
		return 0, false
	}
	return v, true
}

func (l lin) clone() lin {
	d := lin{c: l.c, keys: append([]string(nil), l.keys...)}
	if l.terms != nil {
		d.terms = make(map[string]circuit.Expr, len(l.terms))
		d.coef = make(map[string]float64, len(l.coef))
		for k, v := range l.terms {
			d.terms[k] = v
		}
		for k, v := range l.coef {
			d.coef[k] = v
		}
	}
	return d
}

// add returns l + k·m.
func (l lin) add(m lin, k float64) lin {
	d := l.clone()
	d.c += k * m.c
	for _, key := range m.keys {
		d.addTerm(m.terms[key], k*m.coef[key])
	}
	return d
}

func (l lin) scale(k float64) lin { return lin{}.add(l, k) }

func (l lin) plus(v float64) lin {
	d := l.clone()
	d.c += v
	return d
}

// isConst reports whether no term has a non-zero coefficient.
func (l lin) isConst() bool {
	for _, k := range l.keys {
		if l.coef[k] != 0 {
			return false
		}
	}
	return true
}

// isZero reports whether l is identically zero.
func (l lin) isZero() bool { return l.isConst() && l.c == 0 }

// expr rebuilds a circuit expression: terms in first-appearance order, then the constant.
// Coefficients ±1/d for small integers d print as a division (θ/2), others as products.
func (l lin) expr() circuit.Expr {
	var e circuit.Expr
	appendTerm := func(t circuit.Expr, neg bool) {
		switch {
		case e == nil && neg:
			e = circuit.Neg{X: t}
		case e == nil:
			e = t
		case neg:
			e = circuit.Sub(e, t)
		default:
			e = circuit.Add(e, t)
		}
	}
	for _, key := range l.keys {
		k := l.coef[key]
		if k == 0 {
			continue
		}
		t := l.terms[key]
		neg := k < 0
		a := math.Abs(k)
		switch {
		case a == 1:
		case isInvInt(a):
			t = circuit.Div(t, circuit.Num(math.Round(1/a)))
		default:
			t = circuit.Mul(circuit.Num(a), t)
		}
		appendTerm(t, neg)
	}
	if e == nil {
		return circuit.Num(l.c)
	}
	if l.c != 0 {
		appendTerm(circuit.Num(math.Abs(l.c)), l.c < 0)
	}
	return e
}

// isInvInt reports whether a = 1/d for an integer 2 ≤ d ≤ 64, exactly.
func isInvInt(a float64) bool {
	d := math.Round(1 / a)
	return d >= 2 && d <= 64 && 1/d == a
}

// eval evaluates l under env.
func (l lin) eval(env circuit.Env) (float64, error) {
	v := l.c
	for _, key := range l.keys {
		if k := l.coef[key]; k != 0 {
			x, err := circuit.Eval(l.terms[key], env)
			if err != nil {
				return 0, err
			}
			v += k * x
		}
	}
	return v, nil
}
