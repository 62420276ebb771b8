//go:build amd64 && !purego

package nn

//go:noescape
func lowRankRows8(pairs, in, out int, x, dy, q, p, gq, gp *float32)

// lowRank32 runs the AVX2 kernel over an even number of rows when T is float32 and SIMD is
// on, and reports whether it did.
func lowRank32[T Float](rows, in, out int, x, dy, q8, p8, accq, accp []T) bool {
	if !useAVX2 || rows < 2 || rows%2 != 0 {
		return false
	}
	xs, ok := any(x).([]float32)
	if !ok {
		return false
	}
	dys := any(dy).([]float32)
	q, p := any(q8).([]float32), any(p8).([]float32)
	aq, ap := any(accq).([]float32), any(accp).([]float32)
	_ = xs[rows*in-1]
	_ = dys[rows*out-1]
	_ = q[in*8-1]
	_ = p[out*8-1]
	_ = aq[in*8-1]
	_ = ap[out*8-1]
	lowRankRows8(rows/2, in, out, &xs[0], &dys[0], &q[0], &p[0], &aq[0], &ap[0])
	return true
}
