// Package smallmat holds the small dense complex matrices (row-major, d × d with d = 2^k for
// k qubits) that circuit/fuse builds fused blocks from and lowering compiles and binds
// stages and runs the chain rule with. Hot loops over 2^n amplitudes never use them.
package smallmat

import "math/cmplx"

// SubIndex extracts the bits of x at the given positions: bit j of the result is bit pos[j]
// of x.
func SubIndex(x int, pos []int) int {
	s := 0
	for j, p := range pos {
		s |= (x >> p & 1) << j
	}
	return s
}

// EmbedPositions returns, for each qubit of from, its position in to. Every qubit of from
// must be in to; it panics otherwise (a bug of the caller).
func EmbedPositions(from, to []int) []int {
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
			panic("smallmat: Embed: qubit not in target set")
		}
	}
	return pos
}

// Embed expands m (acting on the qubits from, argument order) to the space of the qubits to
// (a superset, argument order): identity on the qubits of to that are not in from.
func Embed(m []complex128, from, to []int) []complex128 {
	pos := EmbedPositions(from, to)
	d := 1 << len(to)
	k := 1 << len(from)
	mask := 0
	for _, p := range pos {
		mask |= 1 << p
	}
	out := make([]complex128, d*d)
	for r := 0; r < d; r++ {
		lr := SubIndex(r, pos)
		for c := 0; c < d; c++ {
			if r&^mask != c&^mask {
				continue
			}
			out[r*d+c] = m[lr*k+SubIndex(c, pos)]
		}
	}
	return out
}

// Mul returns a·b for d×d matrices.
func Mul(a, b []complex128, d int) []complex128 {
	out := make([]complex128, d*d)
	MulInto(out, a, b, d)
	return out
}

// MulInto sets out = a·b for d×d matrices; out must not alias a or b.
func MulInto(out, a, b []complex128, d int) {
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

// Adjoint returns the conjugate transpose of a d×d matrix.
func Adjoint(a []complex128, d int) []complex128 {
	out := make([]complex128, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			out[j*d+i] = cmplx.Conj(a[i*d+j])
		}
	}
	return out
}

// Identity returns the d×d identity.
func Identity(d int) []complex128 {
	out := make([]complex128, d*d)
	for i := 0; i < d; i++ {
		out[i*d+i] = 1
	}
	return out
}
