package nn

import "fmt"

// lowRankChunk is the number of rows whose contributions LowRankGrad sums in T before adding
// them, in chunk order, in float64 (even, so that the kernel takes the rows in pairs).
const lowRankChunk = 512

// LowRankGrad computes the two batch reductions that give the gradients of a rank-r update
// ΔW = P·diag(d)·Qᵀ applied to the rows of x, without forming ∂ℓ/∂W = dyᵀ·x:
//
//	gq = (dy·P)ᵀ·x   (r x in),    gp = (x·Q)ᵀ·dy   (r x out),
//
// where x is rows x in, dy is rows x out, qt = Qᵀ (r x in) and pt = Pᵀ (r x out), all
// row-major; gq and gp are overwritten. (Then ∂ℓ/∂Qᵀ = diag(d)·gq, ∂ℓ/∂Pᵀ = diag(d)·gp and
// ∂ℓ/∂d_j = Σ_o gp[j,o]·Pᵀ[j,o].)
//
// It reads x and dy once for every 8 factor columns: per row, g = dy_row·P and t = x_row·Q,
// then gq += gᵀ·x_row and gp += tᵀ·dy_row, O(rows·(in+out)·r) multiply-adds where dyᵀ·x costs
// O(rows·in·out). float32 runs an AVX2/FMA kernel where available. The rows are cut into
// fixed chunks summed in T, in parallel, and the chunks are added in float64 in order, so the
// result does not depend on the number of threads. It panics if a slice is too short for
// its shape (a programmer error).
func LowRankGrad[T Float](rows, in, out, r int, x, dy, qt, pt []T, gq, gp []float64) {
	if rows < 0 || in < 0 || out < 0 || r < 0 {
		panic(fmt.Sprintf("nn: LowRankGrad: negative size rows=%d in=%d out=%d r=%d", rows, in, out, r))
	}
	for _, s := range []struct {
		name      string
		have, use int
	}{{"x", len(x), rows * in}, {"dy", len(dy), rows * out}, {"qt", len(qt), r * in}, {"pt", len(pt), r * out}, {"gq", len(gq), r * in}, {"gp", len(gp), r * out}} {
		if s.have < s.use {
			panic(fmt.Sprintf("nn: LowRankGrad: %s has %d elements, needs %d", s.name, s.have, s.use))
		}
	}
	clear(gq[:r*in])
	clear(gp[:r*out])
	if rows == 0 || in == 0 || out == 0 || r == 0 {
		return
	}
	chunks := ceilDiv(rows, lowRankChunk)
	width := (in + out) * 8
	q8, p8 := make([]T, in*8), make([]T, out*8)
	part := make([]T, chunks*width)
	for j0 := 0; j0 < r; j0 += 8 {
		w := min(8, r-j0)
		// Q and P of the columns j0 … j0+w-1, row-major with 8 lanes (zero padded).
		for j := 0; j < 8; j++ {
			for i := 0; i < in; i++ {
				q8[i*8+j] = 0
				if j < w {
					q8[i*8+j] = qt[(j0+j)*in+i]
				}
			}
			for o := 0; o < out; o++ {
				p8[o*8+j] = 0
				if j < w {
					p8[o*8+j] = pt[(j0+j)*out+o]
				}
			}
		}
		clear(part)
		ParallelFor(chunks, 1, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				r0, r1 := c*lowRankChunk, min((c+1)*lowRankChunk, rows)
				acc := part[c*width : (c+1)*width]
				lowRankRows(r1-r0, in, out, x[r0*in:r1*in], dy[r0*out:r1*out], q8, p8, acc[:in*8], acc[in*8:])
			}
		})
		for c := 0; c < chunks; c++ {
			acc := part[c*width : (c+1)*width]
			for j := 0; j < w; j++ {
				dq := gq[(j0+j)*in : (j0+j+1)*in]
				for i := range dq {
					dq[i] += float64(acc[i*8+j])
				}
				dp := gp[(j0+j)*out : (j0+j+1)*out]
				for o := range dp {
					dp[o] += float64(acc[(in+o)*8+j])
				}
			}
		}
	}
}

// lowRankRows adds the contributions of rows rows to accq (in x 8) and accp (out x 8): the
// kernel takes the even part, the portable loop the last row of an odd count.
func lowRankRows[T Float](rows, in, out int, x, dy, q8, p8, accq, accp []T) {
	even := rows &^ 1
	if lowRank32(even, in, out, x, dy, q8, p8, accq, accp) {
		x, dy, rows = x[even*in:], dy[even*out:], rows-even
	}
	lowRankGo(rows, in, out, x, dy, q8, p8, accq, accp)
}

// lowRankGo is the portable loop of lowRankRows.
func lowRankGo[T Float](rows, in, out int, x, dy, q8, p8, accq, accp []T) {
	for row := 0; row < rows; row++ {
		xr, dr := x[row*in:(row+1)*in], dy[row*out:(row+1)*out]
		var g, t [8]T
		for o, v := range dr {
			pr := (*[8]T)(p8[o*8 : o*8+8])
			for j := range g {
				g[j] += v * pr[j]
			}
		}
		for i, v := range xr {
			qr := (*[8]T)(q8[i*8 : i*8+8])
			ar := (*[8]T)(accq[i*8 : i*8+8])
			for j := range t {
				t[j] += v * qr[j]
				ar[j] += v * g[j]
			}
		}
		for o, v := range dr {
			ar := (*[8]T)(accp[o*8 : o*8+8])
			for j := range ar {
				ar[j] += v * t[j]
			}
		}
	}
}
