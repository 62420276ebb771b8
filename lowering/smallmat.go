package lowering

import "math/cmplx"

// Small dense complex matrices (row-major, dimension 2^k for k qubits) used while compiling
// and binding stages and in the chain rule. The hot loops over 2^n amplitudes never use them.

// subIndex extracts the bits of x at the given positions: bit j of the result is bit pos[j]
// of x.
func subIndex(x int, pos []int) int {
	s := 0
	for j, p := range pos {
		s |= (x >> p & 1) << j
	}
	return s
}

// embedPositions returns, for each qubit of from, its position in to. Every qubit of from
// must be in to.
func embedPositions(from, to []int) []int {
	pos := make([]int, len(from))
	for j, q := range from {
		pos[j] = -1
		for i, t := range to {
			if t == q {
				pos[j] = i
				break
			}
		}
		if pos[j] < 0 {
			panic("lowering: embed: qubit not in target set")
		}
	}
	return pos
}

// embed expands m (acting on the qubits from, argument order) to the space of the qubits to
// (a superset, argument order): identity on the qubits of to that are not in from.
func embed(m []complex128, from, to []int) []complex128 {
	pos := embedPositions(from, to)
	d := 1 << len(to)
	k := 1 << len(from)
	mask := 0
	for _, p := range pos {
		mask |= 1 << p
	}
	out := make([]complex128, d*d)
	for r := 0; r < d; r++ {
		lr := subIndex(r, pos)
		for c := 0; c < d; c++ {
			if r&^mask != c&^mask {
				continue
			}
			out[r*d+c] = m[lr*k+subIndex(c, pos)]
		}
	}
	return out
}

// matMul returns a·b for d×d matrices.
func matMul(a, b []complex128, d int) []complex128 {
	out := make([]complex128, d*d)
	matMulInto(out, a, b, d)
	return out
}

// matMulInto sets out = a·b; out must not alias a or b.
func matMulInto(out, a, b []complex128, d int) {
	for i := 0; i < d; i++ {
		row := out[i*d : i*d+d]
		for j := range row {
			row[j] = 0
		}
		for k := 0; k < d; k++ {
			aik := a[i*d+k]
			if aik == 0 {
				continue
			}
			bk := b[k*d : k*d+d]
			for j := range row {
				row[j] += aik * bk[j]
			}
		}
	}
}

// adjoint returns the conjugate transpose of a d×d matrix.
func adjoint(a []complex128, d int) []complex128 {
	out := make([]complex128, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			out[j*d+i] = cmplx.Conj(a[i*d+j])
		}
	}
	return out
}

// identityMat returns the d×d identity.
func identityMat(d int) []complex128 {
	out := make([]complex128, d*d)
	for i := 0; i < d; i++ {
		out[i*d+i] = 1
	}
	return out
}

// realInner returns Re Σ conj(a_i)·b_i.
func realInner(a, b []complex128) float64 {
	s := 0.0
	for i := range a {
		s += real(a[i])*real(b[i]) + imag(a[i])*imag(b[i])
	}
	return s
}

// permOf returns σ with m[σ(c)][c] = 1 when m is a 0/1 permutation matrix, else nil.
func permOf(m []complex128, d int) []int {
	sigma := make([]int, d)
	for c := 0; c < d; c++ {
		sigma[c] = -1
		for r := 0; r < d; r++ {
			switch m[r*d+c] {
			case 0:
			case 1:
				if sigma[c] >= 0 {
					return nil
				}
				sigma[c] = r
			default:
				return nil
			}
		}
		if sigma[c] < 0 {
			return nil
		}
	}
	return sigma
}
