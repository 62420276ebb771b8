package sim

import "math/bits"

// Merging runs of diagonal steps. A diagonal whose lowest qubit gives short runs is applied
// in one pass over the chunk whatever its number of entries (diagPattern: blocks of
// patternElems elements multiplied by a repeating pattern), so consecutive diagonal steps
// of a sweep — the controlled phases of the QFT, the T and S gates of Clifford+T circuits,
// the ZZ phases of QAOA — are merged into one diagonal on the union of their qubits while
// that union keeps a qubit below patternElems (so the pattern pass is taken), at most two
// above it, and at most maxDiagQubits qubits.

const maxDiagQubits = 10

// diagStep reports whether st is diagonal (controls included), and its qubit mask.
func diagStep(st *step) (uint64, bool) {
	if st.outer != nil { // its table depends on the chunk (mergeOuter merges those)
		return 0, false
	}
	mask := qubitMask(st)
	if st.dg != nil {
		return mask, true
	}
	D := 1 << len(st.targets)
	if len(st.m) != D*D || !isDiagonal(st.m, D) {
		return 0, false
	}
	return mask, true
}

// patternDiag reports whether a diagonal on the qubits of mask runs as one pattern pass on
// data with B elements per row.
func patternDiag(mask uint64, B int) bool {
	if mask == 0 || B&(B-1) != 0 {
		return false
	}
	low := B<<bits.TrailingZeros64(mask) <= patternElems/2
	high := 0
	for m := mask; m != 0; m &= m - 1 {
		if B<<bits.TrailingZeros64(m) >= patternElems {
			high++
		}
	}
	return low && high <= 2 && bits.OnesCount64(mask) <= maxDiagQubits
}

// diagFactor returns st's diagonal entry for the row bits r (of the qubits st acts on).
func diagFactor(st *step, row int) complex128 {
	if st.dg != nil {
		return st.dg[gather(row, st.targets)]
	}
	for _, q := range st.controls {
		if row>>q&1 == 0 {
			return 1
		}
	}
	idx := gather(row, st.targets)
	D := 1 << len(st.targets)
	return st.m[idx*D+idx]
}

// mergeDiagonals replaces each run of two or more consecutive diagonal steps that can run as
// one pattern pass by their product: a step with targets the union of their qubits
// (ascending) and dg its diagonal (dgr too when every entry is real).
func mergeDiagonals(steps []step, B int) []step {
	var out []step
	for i := 0; i < len(steps); {
		mask, ok := diagStep(&steps[i])
		if !ok || !patternDiag(mask, B) && mask != 0 {
			out = append(out, steps[i])
			i++
			continue
		}
		j := i + 1
		for ; j < len(steps); j++ {
			m, ok := diagStep(&steps[j])
			if !ok || !patternDiag(mask|m, B) {
				break
			}
			mask |= m
		}
		if j-i < 2 || !patternDiag(mask, B) {
			out = append(out, steps[i])
			i++
			continue
		}
		var qs []int
		for m := mask; m != 0; m &= m - 1 {
			qs = append(qs, bits.TrailingZeros64(m))
		}
		dg := make([]complex128, 1<<len(qs))
		for idx := range dg {
			row := spread(idx, qs)
			v := complex(1, 0)
			for k := i; k < j; k++ {
				v *= diagFactor(&steps[k], row)
			}
			dg[idx] = v
		}
		st := step{op: steps[i].op, targets: qs, dg: dg}
		st.dgr, _ = realCoefs(dg, nil)
		out = append(out, st)
		i = j
	}
	return out
}

// applyDiagStep applies a merged diagonal step to a chunk (its real view, and for complex
// data, cplx, its complex view cc): on the real view when the diagonal is real.
func applyDiagStep[F float32 | float64, C complex64 | complex128](chunk []F, cc []C, B int, cplx bool, targets []int, dgr []F, dg []C) {
	switch {
	case !cplx:
		applyDiag(chunk, B, nil, targets, dgr, 1, 0)
	case dgr != nil:
		applyDiag(chunk, 2*B, nil, targets, dgr, 1, 0)
	default:
		applyDiag(cc, B, nil, targets, dg, 1, 0)
	}
}
