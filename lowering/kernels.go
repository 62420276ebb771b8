package lowering

import (
	"math/cmplx"

	"github.com/qpeft/qpeft/internal/parallel"
)

// The backward-pass kernels: they walk a batch (N x B row-major, as sim's) and its
// cotangent together, undo a stage on both and accumulate the stage's cotangent in the same
// sweep. Forward application of stages uses sim's kernels; these are the only loops over
// amplitudes in this package, besides the row permutation of permutation stages.
//
// Reductions are deterministic: the element space is cut into chunks of a fixed size
// (independent of the number of goroutines) and the chunks' partial sums are added in chunk
// order.

// chunkElems is the fixed reduction chunk, in pairs (or rows × columns) of elements.
const chunkElems = 1 << 13

// parallelMin is the element count below which the kernels stay on one goroutine.
const parallelMin = 1 << 15

// Threads is the number of goroutines the backward kernels use on large batches; 0 means
// runtime.GOMAXPROCS(0). Results do not depend on it.
var Threads = 0

func nworkers(work int) int { return parallel.Workers(Threads, work, parallelMin) }

// numChunks is the number of reduction chunks of [0,total).
func numChunks(total int) int { return (total + chunkElems - 1) / chunkElems }

// serial reports whether a kernel over total elements runs on the calling goroutine; the
// kernels then loop over the chunks themselves, without a closure (no allocation).
func serial(total int) bool { return nworkers(total) == 1 || numChunks(total) <= 1 }

// forChunks calls f(c, lo, hi) for every chunk c of [0,total) of size chunkElems, spread
// over the workers; f must write only chunk-owned outputs.
func forChunks(total int, f func(c, lo, hi int)) int {
	nc := numChunks(total)
	if nc == 0 {
		return 0
	}
	body := func(clo, chi int) {
		for c := clo; c < chi; c++ {
			f(c, c*chunkElems, min((c+1)*chunkElems, total))
		}
	}
	if w := nworkers(total); w == 1 || nc == 1 {
		body(0, nc)
	} else {
		parallel.Split(w, nc, body)
	}
	return nc
}

// pairVJP undoes the 2×2 factor F on qubit q of x (the stage output, becoming its input)
// and y (the output cotangent, becoming the input cotangent) and returns the cotangent C of
// F, running chunk (pairChunkReal, with a = Fᵀ and C[r][c] = Σ y_after[r]·x_before[c] over
// all pairs and columns; pairChunkCplx, with a = F† and C[r][c] = Σ y_after[r]·conj(x_before[c]))
// on every chunk and summing the chunks' partial C in chunk order. With acc false only the
// undo is done (C is zero). part is scratch of at least 4·chunks values.
func pairVJP[T float64 | complex128](x, y []T, B, q int, a [4]T, acc bool, part []T,
	chunk func(x, y []T, B, q int, a [4]T, acc bool, lo, hi int, out []T)) [4]T {
	total := len(x) / 2
	nc := numChunks(total)
	if serial(total) {
		for c := 0; c < nc; c++ {
			chunk(x, y, B, q, a, acc, c*chunkElems, min((c+1)*chunkElems, total), part[4*c:4*c+4])
		}
	} else {
		forChunks(total, func(c, lo, hi int) { chunk(x, y, B, q, a, acc, lo, hi, part[4*c:4*c+4]) })
	}
	var C [4]T
	if acc {
		for c := 0; c < nc; c++ {
			C[0] += part[4*c]
			C[1] += part[4*c+1]
			C[2] += part[4*c+2]
			C[3] += part[4*c+3]
		}
	}
	return C
}

// pairChunkReal is pairVJP's real chunk, on the pair range [lo,hi); it writes its partial C
// to out.
func pairChunkReal(x, y []float64, B, q int, a [4]float64, acc bool, lo, hi int, out []float64) {
	R := B << q // contiguous elements per run
	var c00, c01, c10, c11 float64
	r, t := lo/R, lo%R
	for f := lo; f < hi; {
		n := min(R-t, hi-f)
		s := r*2*R + t
		x0 := x[s : s+n]
		x1 := x[s+R : s+R+n]
		y0 := y[s : s+n]
		y1 := y[s+R : s+R+n]
		x1, y0, y1 = x1[:len(x0)], y0[:len(x0)], y1[:len(x0)] // bounds-check hints
		if m := n &^ 3; usePairAVX2 && m > 0 {
			// The AVX2 loop takes the first m pairs (x and y bit-identical to the loops
			// below; its partial C summed in four lanes), the loops the rest.
			if acc {
				var c [4]float64
				pairRunAVX2(&x0[0], &x1[0], &y0[0], &y1[0], m, &a, &c)
				c00, c01, c10, c11 = c00+c[0], c01+c[1], c10+c[2], c11+c[3]
			} else {
				pairRunAVX2(&x0[0], &x1[0], &y0[0], &y1[0], m, &a, nil)
			}
			x0, x1, y0, y1 = x0[m:], x1[m:], y0[m:], y1[m:]
		}
		if acc {
			for j := range x0 {
				u0, u1 := x0[j], x1[j]
				v0, v1 := y0[j], y1[j]
				b0 := a[0]*u0 + a[1]*u1
				b1 := a[2]*u0 + a[3]*u1
				c00 += v0 * b0
				c01 += v0 * b1
				c10 += v1 * b0
				c11 += v1 * b1
				x0[j], x1[j] = b0, b1
				y0[j] = a[0]*v0 + a[1]*v1
				y1[j] = a[2]*v0 + a[3]*v1
			}
		} else {
			for j := range x0 {
				u0, u1 := x0[j], x1[j]
				v0, v1 := y0[j], y1[j]
				x0[j] = a[0]*u0 + a[1]*u1
				x1[j] = a[2]*u0 + a[3]*u1
				y0[j] = a[0]*v0 + a[1]*v1
				y1[j] = a[2]*v0 + a[3]*v1
			}
		}
		f += n
		r++
		t = 0
	}
	out[0], out[1], out[2], out[3] = c00, c01, c10, c11
}

// pairChunkCplx is pairVJP's complex chunk (a = F†), on the pair range [lo,hi).
func pairChunkCplx(x, y []complex128, B, q int, a [4]complex128, acc bool, lo, hi int, out []complex128) {
	R := B << q
	var c00, c01, c10, c11 complex128
	r, t := lo/R, lo%R
	for f := lo; f < hi; {
		n := min(R-t, hi-f)
		s := r*2*R + t
		x0 := x[s : s+n]
		x1 := x[s+R : s+R+n]
		y0 := y[s : s+n]
		y1 := y[s+R : s+R+n]
		x1, y0, y1 = x1[:len(x0)], y0[:len(x0)], y1[:len(x0)] // bounds-check hints
		for j := range x0 {
			u0, u1 := x0[j], x1[j]
			v0, v1 := y0[j], y1[j]
			b0 := a[0]*u0 + a[1]*u1
			b1 := a[2]*u0 + a[3]*u1
			if acc {
				cb0, cb1 := cmplx.Conj(b0), cmplx.Conj(b1)
				c00 += v0 * cb0
				c01 += v0 * cb1
				c10 += v1 * cb0
				c11 += v1 * cb1
			}
			x0[j], x1[j] = b0, b1
			y0[j] = a[0]*v0 + a[1]*v1
			y1[j] = a[2]*v0 + a[3]*v1
		}
		f += n
		r++
		t = 0
	}
	out[0], out[1], out[2], out[3] = c00, c01, c10, c11
}

// blockAccum sets C[a][b] = Σ dot(y[row a], x[row b]) summed over the groups of rows that
// agree outside the qubits pos and have every control bit (cmask) set; row a of a group has
// the bits of a on pos. dot sums over the columns: dotReal (Σ y·x) for real data, dotConj
// (Σ y·conj(x)) for complex. part is scratch of ⌈N/chunkElems⌉·len(C).
func blockAccum[T float64 | complex128](x, y []T, B int, pos []int, cmask int, C, part []T, dot func(y, x []T) T) {
	N := len(x) / B
	k := len(pos)
	D := 1 << k
	mask := cmask
	for _, p := range pos {
		mask |= 1 << p
	}
	L := len(C)
	nc := forChunks(N, func(c, lo, hi int) {
		pc := part[c*L : (c+1)*L]
		clear(pc)
		for base := lo; base < hi; base++ {
			if base&mask != cmask {
				continue
			}
			for ra := 0; ra < D; ra++ {
				ia := base | spreadBits(ra, pos)
				yr := y[ia*B : ia*B+B]
				for cb := 0; cb < D; cb++ {
					ib := base | spreadBits(cb, pos)
					pc[ra*D+cb] += dot(yr, x[ib*B:ib*B+B])
				}
			}
		}
	})
	clear(C)
	for c := 0; c < nc; c++ {
		for i := range C {
			C[i] += part[c*L+i]
		}
	}
}

// dotReal returns Σ y[j]·x[j].
func dotReal(y, x []float64) float64 {
	acc := 0.0
	for j := range x {
		acc += y[j] * x[j]
	}
	return acc
}

// dotConj returns Σ y[j]·conj(x[j]).
func dotConj(y, x []complex128) complex128 {
	var acc complex128
	for j := range x {
		acc += y[j] * cmplx.Conj(x[j])
	}
	return acc
}

// spreadBits maps bit j of s to bit pos[j].
func spreadBits(s int, pos []int) int {
	o := 0
	for j, p := range pos {
		o |= (s >> j & 1) << p
	}
	return o
}

// permuteRows applies the permutation σ of basis states on the qubits pos to the rows of x
// (N x B): row (rest, s) moves to row (rest, σ(s)). cycles lists σ's non-trivial cycles as
// sequences of support indices s, σ(s), σ²(s), …; tmp holds one row.
func permuteRows[T float64 | complex128](x []T, B int, pos []int, cycles [][]int, tmp []T) {
	N := len(x) / B
	mask := 0
	for _, p := range pos {
		mask |= 1 << p
	}
	// Within a cycle s0 → s1 → … → sm → s0, the new row s_{j+1} is the old row s_j.
	for base := 0; base < N; base++ {
		if base&mask != 0 {
			continue
		}
		for _, cyc := range cycles {
			last := base | spreadBits(cyc[len(cyc)-1], pos)
			copy(tmp, x[last*B:last*B+B])
			for j := len(cyc) - 1; j > 0; j-- {
				dst := base | spreadBits(cyc[j], pos)
				src := base | spreadBits(cyc[j-1], pos)
				copy(x[dst*B:dst*B+B], x[src*B:src*B+B])
			}
			first := base | spreadBits(cyc[0], pos)
			copy(x[first*B:first*B+B], tmp)
		}
	}
}

// cyclesOf returns the non-trivial cycles of σ.
func cyclesOf(sigma []int) [][]int {
	seen := make([]bool, len(sigma))
	var out [][]int
	for s := range sigma {
		if seen[s] || sigma[s] == s {
			seen[s] = true
			continue
		}
		var cyc []int
		for x := s; !seen[x]; x = sigma[x] {
			seen[x] = true
			cyc = append(cyc, x)
		}
		out = append(out, cyc)
	}
	return out
}

// diagAccum sets W[s] = Σ y[i,b]·x[i,b] (diagRangeReal) or Σ conj(y[i,b])·x[i,b]
// (diagRangeCplx) over the columns b and the rows i whose bits on the qubits pos (ascending)
// spell s, running rng over the values of s. Each s is summed by one goroutine in a fixed
// order.
func diagAccum[T float64 | complex128](x, y []T, B int, pos []int, W []T,
	rng func(x, y []T, B int, pos []int, W []T, rests, lo, hi int)) {
	N := len(x) / B
	D := len(W)
	if serial(N) {
		rng(x, y, B, pos, W, N/D, 0, D)
		return
	}
	forChunks(D, func(_, lo, hi int) { rng(x, y, B, pos, W, N/D, lo, hi) })
}

func diagRangeReal(x, y []float64, B int, pos []int, W []float64, rests, lo, hi int) {
	for s := lo; s < hi; s++ {
		off := spreadBits(s, pos)
		acc := 0.0
		for r := 0; r < rests; r++ {
			i := insertZeroBits(r, pos) | off
			xr := x[i*B : i*B+B]
			yr := y[i*B : i*B+B]
			for j := range xr {
				acc += yr[j] * xr[j]
			}
		}
		W[s] = acc
	}
}

func diagRangeCplx(x, y []complex128, B int, pos []int, W []complex128, rests, lo, hi int) {
	for s := lo; s < hi; s++ {
		off := spreadBits(s, pos)
		var acc complex128
		for r := 0; r < rests; r++ {
			i := insertZeroBits(r, pos) | off
			xr := x[i*B : i*B+B]
			yr := y[i*B : i*B+B]
			for j := range xr {
				acc += cmplx.Conj(yr[j]) * xr[j]
			}
		}
		W[s] = acc
	}
}

// insertZeroBits inserts a zero bit at each position of pos (ascending) into r.
func insertZeroBits(r int, pos []int) int {
	for _, p := range pos {
		r = (r>>p)<<(p+1) | r&(1<<p-1)
	}
	return r
}
