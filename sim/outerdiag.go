package sim

import (
	"math/bits"
	"slices"
)

// Diagonal gates with outer qubits. A sweep takes a gate only when all its qubits are local,
// except a diagonal gate (a controlled phase, CZ, RZZ, …): inside a chunk the outer qubits
// are fixed bits of the chunk's index, so a diagonal on local and outer qubits is, chunk by
// chunk, a diagonal on its local qubits alone — the part of its table those outer bits
// select (the identity on most chunks for a controlled phase). Such a step (outer non-nil)
// lets the sweeps that run anyway carry the phases between a local and an outer qubit,
// where they would otherwise bring the outer qubit into a chunk a few at a time: the QFT's
// phases between its top and bottom qubits (docs/benchmarks.md: at n = 22, 10 passes over
// the state, 7 of them for phases alone, before this).
//
// The planner takes a diagonal gate this way only when it does not fit in the chunk,
// touches a qubit already local, and changes at most a quarter of the amplitudes
// (cheapDiagonal: CZ, CP, CCZ; not RZZ or RZ). Otherwise the step would cost a diagonal
// pass over every chunk, where the gate left for a later sweep fuses into a dense block
// there for free: QAOA's RZZ phases taken this way ran 1.3× slower (n = 20–24).

// maxOuterDiagQubits caps the qubits of an outer step's table (local and outer: 2^k entries).
const maxOuterDiagQubits = 12

// cheapDiagonal reports whether st is a diagonal gate on at most maxOuterDiagQubits
// qubits with at most a quarter of its diagonal entries other than 1.
func cheapDiagonal(st *step) bool {
	mask, ok := diagStep(st)
	k := bits.OnesCount64(mask)
	if !ok || k == 0 || k > maxOuterDiagQubits {
		return false
	}
	qs := sortedQubits(nil, st.controls, st.targets)
	ne := 0
	for idx := 0; idx < 1<<k; idx++ {
		if diagFactor(st, spread(idx, qs)) != 1 {
			ne++
		}
	}
	return 4*ne <= 1<<k
}

// outerStep returns the step of the diagonal gate st (global qubits) in a sweep whose local
// qubit q is at pos[q] and whose outer qubit q is bit opos[q] of the chunk index (local
// reports which): targets are the gate's local qubits (renumbered), outer the chunk-index
// bits of the others, and dg the gate's diagonal with bit j of its index ↔ targets[j] for
// j < len(targets), then ↔ outer[j−len(targets)].
func outerStep(st *step, local uint64, pos, opos *[64]int) step {
	var lq, oq []int // global qubits
	for _, q := range sortedQubits(nil, st.controls, st.targets) {
		if local>>q&1 == 1 {
			lq = append(lq, q)
		} else {
			oq = append(oq, q)
		}
	}
	all := append(slices.Clone(lq), oq...)
	dg := make([]complex128, 1<<len(all))
	for idx := range dg {
		dg[idx] = diagFactor(st, spread(idx, all))
	}
	out := step{op: st.op, dg: dg}
	for _, q := range lq {
		out.targets = append(out.targets, pos[q])
	}
	for _, q := range oq {
		out.outer = append(out.outer, opos[q])
	}
	out.dgr, _ = realCoefs(dg, nil)
	return out
}

// outerIndex returns the index of the part of an outer step's table that the chunk of index
// o selects.
func (st *step) outerIndex(o int) int {
	return gather(o, st.outer)
}

// mergeOuter replaces each run of two or more consecutive diagonal steps of a sweep that
// holds an outer step by one outer step on the union of their qubits, while that union has
// at most maxOuterDiagQubits qubits and its local part runs as one cheap pass on data with
// B elements per row (a run of controlled phases from one qubit to many outer ones becomes
// one pass over each chunk that needs it). Cheap: at most 2 local qubits, or a pattern pass
// (patternDiag); a diagonal on more local qubits, all high, takes one pass per entry
// (measured on the QFT at n = 24: 2–7× the pattern pass).
func mergeOuter(steps []step, B int) []step {
	cheap := func(local uint64) bool { return bits.OnesCount64(local) <= 2 || patternDiag(local, B) }
	type qs struct{ local, outer uint64 }
	qubitsOf := func(st *step) (qs, bool) {
		if st.outer != nil {
			var r qs
			for _, q := range st.targets {
				r.local |= 1 << q
			}
			for _, b := range st.outer {
				r.outer |= 1 << b
			}
			return r, true
		}
		m, ok := diagStep(st)
		return qs{local: m}, ok
	}
	var out []step
	for i := 0; i < len(steps); {
		u, ok := qubitsOf(&steps[i])
		if !ok {
			out = append(out, steps[i])
			i++
			continue
		}
		j, hasOuter := i+1, steps[i].outer != nil
		for ; j < len(steps); j++ {
			v, ok := qubitsOf(&steps[j])
			if !ok || bits.OnesCount64(u.local|v.local)+bits.OnesCount64(u.outer|v.outer) > maxOuterDiagQubits || !cheap(u.local|v.local) {
				break
			}
			u.local, u.outer = u.local|v.local, u.outer|v.outer
			hasOuter = hasOuter || steps[j].outer != nil
		}
		if j-i < 2 || !hasOuter {
			out = append(out, steps[i:j]...)
			i = j
			continue
		}
		out = append(out, mergeOuterRun(steps[i:j], u.local, u.outer))
		i = j
	}
	return out
}

// mergeOuterRun is the product of the diagonal steps run as one outer step on the local
// qubits of the mask local and the chunk-index bits of the mask outer.
func mergeOuterRun(run []step, local, outer uint64) step {
	var lq, ob []int
	for m := local; m != 0; m &= m - 1 {
		lq = append(lq, bits.TrailingZeros64(m))
	}
	for m := outer; m != 0; m &= m - 1 {
		ob = append(ob, bits.TrailingZeros64(m))
	}
	T := len(lq)
	dg := make([]complex128, 1<<(T+len(ob)))
	for idx := range dg {
		row := spread(idx&(1<<T-1), lq) // the local row bits
		o := spread(idx>>T, ob)         // the chunk-index bits
		v := complex(1, 0)
		for k := range run {
			st := &run[k]
			if st.outer == nil {
				v *= diagFactor(st, row)
				continue
			}
			v *= st.dg[st.outerIndex(o)<<len(st.targets)|gather(row, st.targets)]
		}
		dg[idx] = v
	}
	st := step{op: run[0].op, targets: lq, outer: ob, dg: dg}
	st.dgr, _ = realCoefs(dg, nil)
	return st
}

// outerPart returns the slice of an outer step's table (or of its real or single-precision
// form t) that chunk o applies: 2^len(targets) entries.
func outerPart[E any](st *step, t []E, o int) []E {
	if t == nil || st.outer == nil {
		return t
	}
	size := 1 << len(st.targets)
	oi := st.outerIndex(o)
	return t[oi*size : (oi+1)*size]
}

// qubitMask returns the mask of st's qubits (controls and targets).
func qubitMask(st *step) uint64 {
	var m uint64
	for _, q := range st.controls {
		m |= 1 << q
	}
	for _, q := range st.targets {
		m |= 1 << q
	}
	return m
}
