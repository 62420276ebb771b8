package transpile

import (
	"math"
	"math/cmplx"
)

// zyz returns α, a, b, c with u = e^{iα}·Rz(a)·Ry(b)·Rz(c), b ∈ [0, π]. The phase α is
// recomputed from the synthesised product by callers, so any branch of it is fine here.
func zyz(u [4]complex128) (alpha, a, b, c float64) {
	det := u[0]*u[3] - u[1]*u[2]
	alpha = cmplx.Phase(det) / 2
	ph := cmplx.Exp(complex(0, -alpha))
	v00, v10, v11 := u[0]*ph, u[2]*ph, u[3]*ph
	b = 2 * math.Atan2(cmplx.Abs(v10), cmplx.Abs(v00))
	const eps = 1e-14
	switch {
	case cmplx.Abs(v10) < eps:
		a, c = 2*cmplx.Phase(v11), 0
	case cmplx.Abs(v00) < eps:
		a, c = 2*cmplx.Phase(v10), 0
	default:
		s := 2 * cmplx.Phase(v11)
		d := 2 * cmplx.Phase(v10)
		a, c = (s+d)/2, (s-d)/2
	}
	return alpha, a, b, c
}

// wrapAngle reduces x to (−π, π] and snaps it to a multiple of π/8 when it is within
// angleTol of one, so that printed circuits show pi/2 rather than 1.5707963267948963.
// Callers use it only where a 2π shift is a global phase they account for.
func wrapAngle(x float64) float64 {
	x = math.Remainder(x, 2*math.Pi)
	if x <= -math.Pi {
		x += 2 * math.Pi
	}
	return snap(x)
}

// snap rounds x to the nearest multiple of π/8 when it is within angleTol of it.
func snap(x float64) float64 {
	k := math.Round(x / (math.Pi / 8))
	if v := k * math.Pi / 8; math.Abs(x-v) <= angleTol {
		if k == 0 {
			return 0
		}
		// Build the value the way FormatAngle prints it, so it round-trips through text.
		g := math.Abs(k)
		d := 8.0
		for g == math.Trunc(g) && d > 1 && math.Mod(g, 2) == 0 {
			g /= 2
			d /= 2
		}
		num := g
		if k < 0 {
			num = -g
		}
		if num == 1 {
			v = math.Pi
		} else {
			v = num * math.Pi
		}
		if d != 1 {
			v /= d
		}
		return v
	}
	return x
}

// near reports whether x is within angleTol of y.
func near(x, y float64) bool { return math.Abs(x-y) <= angleTol }

// mul2 returns a·b for 2×2 row-major matrices.
func mul2(a, b [4]complex128) [4]complex128 {
	return [4]complex128{
		a[0]*b[0] + a[1]*b[2], a[0]*b[1] + a[1]*b[3],
		a[2]*b[0] + a[3]*b[2], a[2]*b[1] + a[3]*b[3],
	}
}

func to2(m []complex128) [4]complex128 { return [4]complex128{m[0], m[1], m[2], m[3]} }

var ident2 = [4]complex128{1, 0, 0, 1}

// residualPhase returns γ with u ≈ e^{iγ}·p, for unitaries equal up to a phase.
func residualPhase(u, p [4]complex128) float64 {
	var s complex128
	for i := range u {
		s += cmplx.Conj(p[i]) * u[i]
	}
	return cmplx.Phase(s)
}
