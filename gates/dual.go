package gates

import "math/cmplx"

// dual is a forward-mode automatic-differentiation number: v + d·ε with ε² = 0.
// Every gate matrix is written once over duals, so the matrix and its exact
// derivative with respect to any one parameter come from the same code.
type dual struct{ v, d complex128 }

func cst(c complex128) dual { return dual{v: c} }

func (a dual) add(b dual) dual { return dual{a.v + b.v, a.d + b.d} }
func (a dual) sub(b dual) dual { return dual{a.v - b.v, a.d - b.d} }
func (a dual) mul(b dual) dual { return dual{a.v * b.v, a.v*b.d + a.d*b.v} }
func (a dual) scale(c complex128) dual {
	return dual{a.v * c, a.d * c}
}
func (a dual) neg() dual { return dual{-a.v, -a.d} }

// cosh2 is cos(x/2) and sinh2 is sin(x/2) for a real-valued dual x.
func cosh2(x dual) dual {
	return dual{cmplx.Cos(x.v / 2), -cmplx.Sin(x.v/2) * x.d / 2}
}
func sinh2(x dual) dual {
	return dual{cmplx.Sin(x.v / 2), cmplx.Cos(x.v/2) * x.d / 2}
}

// expi is e^{i·x}.
func expi(x dual) dual {
	e := cmplx.Exp(1i * x.v)
	return dual{e, 1i * e * x.d}
}

// half is x/2.
func half(x dual) dual { return x.scale(0.5) }
