package sim

// Cache-blocked execution. Applying a circuit gate by gate reads and writes the whole state
// once per gate: above the last-level cache every gate costs a sweep of DRAM, and the circuit
// runs at the memory-bandwidth floor times the number of gates. Here the gates of a run of
// unitary steps are grouped into sweeps: each sweep has a set of at most c "local" qubits
// and takes the gates whose qubits are all local (commuting gates on disjoint qubits past
// each other, never reordering two gates that share a qubit). Running a sweep gathers, for
// each assignment of the other ("outer") qubits, the 2^c amplitudes that differ only in the
// local qubits into a buffer that stays in the core's cache, applies every gate of the sweep
// to it, and scatters it back. The state crosses the memory bus once per sweep instead of
// once per gate; within a sweep, runs of gates on at most BlockConfig.FuseQubits qubits are
// fused into one small dense block each (package circuit/fuse; by default runs on one
// qubit), which cuts the passes over the buffer. A group of fewer than gatherMinGates gates
// that would have to be gathered is applied gate by gate instead (gathering and scattering
// a chunk cost 1.2-2 streaming passes).
//
// The lowest qubits are always local, so that gathers copy contiguous runs of at least
// pinnedBytes; a sweep whose local qubits are exactly the lowest c works in place on
// contiguous chunks of the state. Chunks are shared between goroutines; every amplitude is
// written by exactly one goroutine, so results do not depend on the number of threads.

import (
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/fuse"
)

// Blocking configures cache-blocked execution of runs of gates (Run, Statevector, Columns,
// RealColumns, Unitary and ApplyCircuit use it). Results agree with gate-by-gate execution to rounding
// (fusion multiplies small matrices first); ChunkBytes = 0 turns blocking off.
var Blocking = BlockConfig{ChunkBytes: 512 << 10, PinnedBytes: 2048, FuseQubits: 2}

// BlockConfig holds the tunables of cache-blocked execution. The defaults were chosen with
// BenchmarkBlocking, BenchmarkSweep and BenchmarkCircuits on the development machine (AMD
// EPYC, 1 MiB of L2 cache per core, 2 cores):
//   - FuseQubits 2: gates merge into blocks on up to 2 qubits, and the cost model
//     (costmodel.go) keeps a block only when its kernel (SIMD dense 4x4, dense4.go) costs
//     less than the steps it replaces. Measured 2026-12-07 (BenchmarkFusion, n = 20, CPU
//     time): 1.0-3.8x less than with f = 1 (runs on one qubit only) on all six families in
//     both precisions (random circuit 2.7-2.9x, Pauli ansatz 2.8-3.8x); before the SIMD 4x4
//     kernels f = 2 was slower (0.18 against 0.07 ns/amp-gate on the ansatz at n = 24).
//   - ChunkBytes 512 KiB (half the L2) gives fewer sweeps than 256 KiB at the same speed per
//     sweep.
//   - PinnedBytes 2 KiB: a gathered chunk is copied in runs of at least this length. With
//     the gathers' prefetching, a gathered sweep of one RY over 2^24 amplitudes costs about
//     2x the memory floor with 1 KiB runs, 1.3-2.0x with 2 KiB runs and 1.4-2.1x with 4 KiB
//     runs (BenchmarkSweep; the higher figures when the machine's memory is idle and the
//     floor fast: gathers are latency-bound), but 4 KiB runs leave fewer qubits free per sweep:
//     the Pauli ansatz at n = 24 needs 9 sweeps instead of 5 and runs 5-10% slower. In-place
//     sweeps (the lowest qubits local) run at the floor.
type BlockConfig struct {
	// ChunkBytes is the size of the part of the state one goroutine keeps in cache while it
	// applies a sweep's gates (rounded down to a power of two); 0 disables blocking.
	ChunkBytes int
	// PinnedBytes is the length of the contiguous runs a gather copies: the lowest qubits
	// spanning it are local in every sweep.
	PinnedBytes int
	// FuseQubits is the largest block (in qubits) that fusion builds inside a sweep: 0 leaves
	// the gates as they are, 1 merges runs of gates on one qubit, 2 and more also merge
	// gates into blocks on that many qubits (up to fuse.MaxQubits).
	FuseQubits int
}

// amps is the data of a state or batch in the form the executor needs: the real view
// (interleaved re/im for complex data) and, for complex data, the complex view of the same
// memory, in double precision (f, c) or single precision (f32, c64). Row i of column b is
// element i·B+b.
type amps struct {
	f   []float64
	c   []complex128
	f32 []float32
	c64 []complex64
	n   int
	B   int
}

// single reports whether the data is single precision.
func (a *amps) single() bool { return a.f32 != nil }

// rowFloats is the number of real values per row (2B for complex data).
func (a *amps) rowFloats() int {
	if a.c != nil || a.c64 != nil {
		return 2 * a.B
	}
	return a.B
}

// elemBytes is the size of one real value of the data (4 or 8).
func (a *amps) elemBytes() int {
	if a.single() {
		return 4
	}
	return 8
}

// applyGate applies one compiled gate to the whole of a, gate by gate (the unblocked path).
func (a *amps) applyGate(st *step) {
	if a.single() {
		st.toSingle()
		switch {
		case a.c64 == nil:
			applyControlled(a.f32, a.B, st.controls, st.targets, st.mr32, workers(len(a.f32)))
		case st.mr32 != nil:
			applyControlled(a.f32, 2*a.B, st.controls, st.targets, st.mr32, workers(len(a.f32)))
		default:
			applyControlled(a.c64, a.B, st.controls, st.targets, st.m64, workers(len(a.c64)))
		}
		return
	}
	if a.c == nil {
		applyControlled(a.f, a.B, st.controls, st.targets, st.mr, workers(len(a.f)))
		return
	}
	if st.mr != nil {
		applyControlled(a.f, 2*a.B, st.controls, st.targets, st.mr, workers(len(a.f)))
		return
	}
	applyControlled(a.c, a.B, st.controls, st.targets, st.m, workers(len(a.c)))
}

// toSingle fills the single-precision matrices of a step from its double-precision ones
// (rounded to nearest), once.
func (st *step) toSingle() {
	if st.m64 == nil && st.m != nil {
		st.m64 = make([]complex64, len(st.m))
		for i, v := range st.m {
			st.m64[i] = complex64(v)
		}
	}
	if st.mr32 == nil && st.mr != nil {
		st.mr32 = make([]float32, len(st.mr))
		for i, v := range st.mr {
			st.mr32[i] = float32(v)
		}
	}
	if st.dg64 == nil && st.dg != nil {
		st.dg64 = make([]complex64, len(st.dg))
		for i, v := range st.dg {
			st.dg64[i] = complex64(v)
		}
	}
	if st.dgr32 == nil && st.dgr != nil {
		st.dgr32 = make([]float32, len(st.dgr))
		for i, v := range st.dgr {
			st.dgr32[i] = float32(v)
		}
	}
}

// sweep is one group of gates run over the state chunk by chunk, or a single gate applied
// directly (direct) when it cannot share a chunk with the pinned qubits.
type sweep struct {
	local  []int  // ascending global qubits of a chunk; local qubit j is local[j]
	steps  []step // controls and targets renumbered to local qubits (global when direct)
	direct bool
}

// lowRun returns p such that the local qubits 0..p−1 are the global qubits 0..p−1: a chunk
// consists of runs of 2^p contiguous rows, and the sweep works in place when p = len(local).
func (sw *sweep) lowRun() int {
	p := 0
	for p < len(sw.local) && sw.local[p] == p {
		p++
	}
	return p
}

// chunkQubits returns the number of local qubits c for data with rf floats per row, and the
// number of pinned low qubits; ok is false when blocking cannot pay: it is off, the rows are
// too wide for a useful chunk, or the data is smaller than 4 chunks and so already sits in
// the caches (measured with qpeft bench: at 2^12 amplitudes blocking doubles the time, at
// 2^16 float64 ones it is even, and it pays from 2^16 complex128 ones up). It depends on the
// data's shape only, not on the number of goroutines, so results do not either.
func (cfg BlockConfig) chunkQubits(n, rf, eb int) (c, pin int, ok bool) {
	if cfg.ChunkBytes <= 0 || n < 2 || n < 62 && eb*rf<<n < 4*cfg.ChunkBytes {
		return 0, 0, false
	}
	rowBytes := eb * rf
	c = bits.Len(uint(cfg.ChunkBytes/rowBytes)) - 1
	for pin = 0; pin < n && rowBytes<<pin < cfg.PinnedBytes; pin++ {
	}
	c = min(c, n-3) // at least 8 chunks to share between goroutines
	if c < pin+2 {
		return 0, 0, false
	}
	return c, pin, true
}

// A gather copies in segments of gatherSegBytes and prefetches prefetchBytes ahead of its
// copies (BenchmarkSweep with the movement alone, runs of 2 KiB to 128 KiB: 1.24-1.33x
// the floor at 2 KiB and 8 KiB against 1.2-1.6x for the other pairs of 1-4 KiB and 4-16
// KiB).
const (
	gatherSegBytes = 2 << 10
	prefetchBytes  = 8 << 10
)

// gatherMinGates is the fewest gates a sweep that has to gather its chunks must carry;
// smaller groups are applied gate by gate (each gate one streaming pass over the state).
const gatherMinGates = 3

// planSweeps groups gates into sweeps of at most c local qubits, the lowest pin qubits
// always local. Each sweep scans every pending gate in order and takes it when its qubits
// avoid every qubit of an earlier gate left pending (so it commutes with all of them) and fit
// with the sweep's local qubits — or, for a cheap diagonal gate that touches a local qubit,
// without fitting: its other qubits stay outer (outerdiag.go); the gates left over go to the
// next sweep. A gate that fits in no chunk is applied directly, in its place.
func planSweeps(gs []*step, n, c, pin, fuseQubits int, ck costKind, B int) []sweep {
	masks := make([]uint64, len(gs))
	diag := make([]bool, len(gs)) // may run with outer qubits (outerdiag.go)
	for i, st := range gs {
		masks[i] = qubitMask(st)
		diag[i] = outerDiagonals && cheapDiagonal(st)
	}
	pending := make([]int, len(gs))
	for i := range pending {
		pending[i] = i
	}
	var out []sweep
	var take, left []int
	for len(pending) > 0 {
		local := uint64(1)<<pin - 1
		var blocked uint64
		take, left = take[:0], left[:0]
		for _, i := range pending {
			m := masks[i]
			if m&blocked == 0 {
				if u := local | m; bits.OnesCount64(u) <= c {
					local = u
					take = append(take, i)
					continue
				}
				if diag[i] && m&local != 0 {
					// A diagonal that does not fit but touches a local qubit runs with
					// its other qubits outer (chunk by chunk), not blocking them.
					take = append(take, i)
					continue
				}
			}
			blocked |= m
			left = append(left, i)
		}
		if fuseQubits >= 2 && len(left) > 0 && deferGates {
			take, left = deferLoneGates(take, left, masks)
		}
		if len(take) == 0 {
			out = append(out, sweep{steps: []step{*gs[pending[0]]}, direct: true})
			pending = pending[1:]
			continue
		}
		// Fill the chunk with the lowest free qubits: longer contiguous runs to copy.
		for q := 0; q < n && bits.OnesCount64(local) < c; q++ {
			local |= 1 << q
		}
		if inPlace := local == uint64(1)<<c-1; !inPlace && len(take) < gatherMinGates {
			// Gathering and scattering cost 1.2-2 streaming passes (BenchmarkSweep): for
			// fewer gates than gatherMinGates, one streaming pass per gate costs as much or less.
			for _, i := range take {
				out = append(out, sweep{steps: []step{*gs[i]}, direct: true})
			}
		} else {
			out = append(out, newSweep(gs, take, local, n, fuseQubits, ck, B))
		}
		pending = append(pending[:0], left...)
	}
	return out
}

// deferGates, denseSwaps and outerDiagonals switch deferLoneGates, denseTranspositions
// and diagonal steps with outer qubits (for tests and benchmarks).
var deferGates, denseSwaps, outerDiagonals = true, true, true

// deferLoneGates moves to the next sweep the 1-qubit gates of take on a qubit that no other
// gate of take touches when the next gate on that qubit is pending (in left) and acts on at
// most 2 qubits: in this sweep they would be a step of their own (a 2x2 pass costs about as
// much as a fused dense 4x4 one), in the next one they fuse into that gate's block. A gate
// of take has no earlier pending gate on its qubits (it would have been blocked), so moving
// it back into left in program order keeps every pair of gates that share a qubit in order.
// It returns take and left (as sorted indices) and never empties take.
func deferLoneGates(take, left []int, masks []uint64) ([]int, []int) {
	var multi, single uint64 // qubits of take's multi-qubit gates, of its 1-qubit gates
	for _, i := range take {
		if bits.OnesCount64(masks[i]) == 1 {
			single |= masks[i]
		} else {
			multi |= masks[i]
		}
	}
	lone := single &^ multi
	var next uint64 // lone qubits whose next pending gate fuses (at most 2 qubits)
	var seen uint64
	for _, i := range left {
		m := masks[i] & lone &^ seen
		if m != 0 && bits.OnesCount64(masks[i]) <= 2 {
			next |= m
		}
		seen |= masks[i]
	}
	if next == 0 {
		return take, left
	}
	var kept, moved []int
	for _, i := range take {
		if bits.OnesCount64(masks[i]) == 1 && masks[i]&next != 0 {
			moved = append(moved, i)
		} else {
			kept = append(kept, i)
		}
	}
	if len(kept) == 0 {
		return take, left
	}
	merged := make([]int, 0, len(left)+len(moved))
	a, b := 0, 0
	for a < len(moved) || b < len(left) {
		if b == len(left) || a < len(moved) && moved[a] < left[b] {
			merged = append(merged, moved[a])
			a++
		} else {
			merged = append(merged, left[b])
			b++
		}
	}
	return append(take[:0], kept...), merged
}

// newSweep builds the sweep of gates gs[take] on the local qubits of the mask local,
// renumbering qubits and fusing runs of small gates.
func newSweep(gs []*step, take []int, local uint64, n, fuseQubits int, ck costKind, B int) sweep {
	sw := sweep{}
	var pos, opos [64]int
	outers := 0
	for q := 0; q < n; q++ {
		if local>>q&1 == 1 {
			pos[q] = len(sw.local)
			sw.local = append(sw.local, q)
		} else {
			opos[q] = outers // bit of the chunk index (runSweep's outerQs)
			outers++
		}
	}
	renum := func(qs []int) []int {
		out := make([]int, len(qs))
		for j, q := range qs {
			out[j] = pos[q]
		}
		return out
	}
	steps := make([]step, 0, len(take))
	for _, i := range take {
		if m := qubitMask(gs[i]); m&^local != 0 {
			steps = append(steps, outerStep(gs[i], local, &pos, &opos))
			continue
		}
		st := *gs[i]
		st.controls, st.targets = renum(st.controls), renum(st.targets)
		steps = append(steps, st)
	}
	if fuseQubits >= 1 {
		// Larger settings are clamped: a fused block is a dense 4^f matrix.
		steps = fuseSteps(steps, len(sw.local), min(fuseQubits, fuse.MaxQubits), ck, B)
		steps = mergeDiagonals(steps, B)
		steps = mergeOuter(steps, B)
		if fuseQubits >= 2 && denseSwaps {
			denseTranspositions(steps, ck, B)
		}
	}
	sw.steps = steps
	return sw
}

// fuseSteps fuses the maximal runs of steps on at most maxQubits qubits each (package
// circuit/fuse); a larger gate ends a run and is kept as it is. Fusion keeps a run as it is
// when it would not reduce the number of steps, and (cost model, costmodel.go) keeps the
// steps of a block on 2 or more qubits, fused only along single qubits, when the block's
// kernel would cost more than they do on data of kind ck with B elements per row.
func fuseSteps(steps []step, n, maxQubits int, ck costKind, B int) []step {
	var out []step
	size := func(st *step) int {
		if st.outer != nil { // its matrix depends on the chunk: not fused
			return maxQubits + 1
		}
		return len(st.controls) + len(st.targets)
	}
	for i := 0; i < len(steps); {
		if size(&steps[i]) > maxQubits {
			out = append(out, steps[i])
			i++
			continue
		}
		j := i
		var gs []fuse.Gate
		for ; j < len(steps) && size(&steps[j]) <= maxQubits; j++ {
			st := &steps[j]
			gs = append(gs, fuse.Gate{Qubits: append(append([]int(nil), st.targets...), st.controls...), Matrix: controlledMatrix(st)})
		}
		blocks, err := fuse.FuseGates(gs, n, maxQubits)
		if err != nil || len(blocks) >= j-i {
			out = append(out, steps[i:j]...)
			i = j
			continue
		}
		for b := range blocks {
			blk := &blocks[b]
			if len(blk.Ops) == 1 {
				out = append(out, steps[i+blk.Ops[0]])
				continue
			}
			st := step{op: steps[i+blk.Ops[0]].op, targets: blk.Qubits, m: blk.Matrix}
			st.mr, _ = realCoefs(blk.Matrix, nil)
			if maxQubits >= 2 && len(blk.Qubits) >= 2 {
				sub := make([]step, len(blk.Ops))
				for k, o := range blk.Ops {
					sub[k] = steps[i+o]
				}
				sub = fuseSteps(sub, n, 1, ck, B)
				cost := 0.0
				for k := range sub {
					cost += stepCost(&sub[k], ck, B)
				}
				if stepCost(&st, ck, B) >= cost {
					out = append(out, sub...)
					continue
				}
			}
			out = append(out, st)
		}
		i = j
	}
	return out
}

// denseTranspositions rewrites, in place, each 2-qubit transposition step (CX, SWAP) whose
// swap kernel would cost more than the dense 4x4 loop (cost model: low qubits, where the
// swap kernel works along runs of a few elements: 1.9 ns per amplitude for a CX on qubit 0
// against 0.18-0.36 for a dense 4x4 pass) as that dense block.
func denseTranspositions(steps []step, ck costKind, B int) {
	if !useDense4 {
		return
	}
	for i := range steps {
		st := &steps[i]
		if st.dg != nil || st.dense || len(st.controls)+len(st.targets) != 2 || len(st.m) == 0 {
			continue
		}
		if kind, _, _, _ := stepKernel(st); kind != KernelSwap {
			continue
		}
		d := step{op: st.op, targets: append(append([]int(nil), st.targets...), st.controls...), m: controlledMatrix(st), dense: true}
		d.mr, _ = realCoefs(d.m, nil)
		if stepCost(&d, ck, B) < stepCost(st, ck, B) {
			*st = d
		}
	}
}

// controlledMatrix returns the full matrix of a compiled step on its targets then controls
// (bit j of the index ↔ targets[j], then the controls): the target block where every control
// is 1, the identity elsewhere.
func controlledMatrix(st *step) []complex128 {
	t, c := len(st.targets), len(st.controls)
	if c == 0 {
		return st.m
	}
	D, T := 1<<(t+c), 1<<t
	m := make([]complex128, D*D)
	for i := 0; i < D; i++ {
		m[i*D+i] = 1
	}
	base := (1<<c - 1) << t // every control 1
	for r := 0; r < T; r++ {
		for k := 0; k < T; k++ {
			m[(base|r)*D+base|k] = st.m[r*T+k]
		}
	}
	return m
}

// plan is the schedule runGates follows for gs on data of n qubits with rf real values of eb
// bytes per row: the sweeps and the chunk's qubit count, or nil when blocking does not pay
// (gate by gate).
func (cfg BlockConfig) plan(gs []*step, n, rf, eb int, cplx bool) ([]sweep, int) {
	c, pin, ok := cfg.chunkQubits(n, rf, eb)
	if !ok || len(gs) < 2 {
		return nil, 0
	}
	ck, B := costKindOf(rf, eb, cplx)
	return planSweeps(gs, n, c, pin, cfg.FuseQubits, ck, B), c
}

// runGates applies a run of compiled gates (no measurement, reset or condition) to a,
// cache-blocked when that pays.
func (a *amps) runGates(gs []*step, cfg BlockConfig) {
	w := workers(max(len(a.f), len(a.f32)))
	sweeps, _ := cfg.plan(gs, a.n, a.rowFloats(), a.elemBytes(), a.c != nil || a.c64 != nil)
	if sweeps == nil {
		for _, st := range gs {
			a.applyGate(st)
		}
		return
	}
	var bufs [][]float64
	var bufs32 [][]float32
	for i := range sweeps {
		sw := &sweeps[i]
		if sw.direct {
			a.applyGate(&sw.steps[0])
			continue
		}
		// The single-precision matrices and the SIMD plans of a sweep's steps exist while
		// it runs only (a few KiB a step; a circuit has many sweeps).
		for j := range sw.steps {
			if a.single() {
				sw.steps[j].toSingle()
			}
			a.prepareDense4(&sw.steps[j])
		}
		if a.single() {
			if bufs32 == nil {
				bufs32 = make([][]float32, w)
			}
			runSweep(a, a.f32, sw, w, bufs32, a.applyChunk32)
		} else {
			if bufs == nil {
				bufs = make([][]float64, w)
			}
			runSweep(a, a.f, sw, w, bufs, a.applyChunk)
		}
		for j := range sw.steps {
			st := &sw.steps[j]
			st.d4, st.m64, st.mr32, st.dg64, st.dgr32 = nil, nil, nil, nil, nil
		}
	}
}

// runSweep runs one sweep over every chunk of data (a's real view) on w goroutines (bufs
// holds each one's gather buffer, allocated on first use); apply runs the sweep's gates on
// one chunk.
func runSweep[F float32 | float64](a *amps, data []F, sw *sweep, w int, bufs [][]F, apply func([]step, []F, int)) {
	n, c := a.n, len(sw.local)
	rf := a.rowFloats()
	eb := a.elemBytes()
	p := sw.lowRun()
	run := rf << p // floats per contiguous run of a chunk
	runOffs := make([]int, 1<<(c-p))
	for k := range runOffs {
		runOffs[k] = spread(k, sw.local[p:]) * rf
	}
	var outerQs []int
	for q, j := 0, 0; q < n; q++ {
		if j < c && sw.local[j] == q {
			j++
			continue
		}
		outerQs = append(outerQs, q)
	}
	chunkLen := rf << c
	chunks := 1 << (n - c)
	// A gather copies its runs in segments and, before each, hints the segment prefetchBytes
	// further on (into the next chunk at the end): a run is too short, or crosses too many
	// pages, for the hardware prefetchers to follow, and without the hints the copies wait on
	// memory latency (BenchmarkSweep: 2.5x the floor instead of 1.2-1.5x).
	seg := min(run, gatherSegBytes/eb) // floats per segment
	segLines := max(1, eb*seg/64)
	segsPerRun := run / seg
	segs := len(runOffs) * segsPerRun
	ahead := max(1, prefetchBytes/(eb*seg))
	segOff := func(j int) int { return runOffs[j/segsPerRun] + j%segsPerRun*seg }
	prefetch := func(i int) { prefetchL2((*float64)(unsafe.Pointer(&data[i])), segLines) }
	// Goroutine g works through its own contiguous share of the chunks, then helps the
	// others with theirs: contiguous shares keep each goroutine's gathers in its own part of
	// memory (BenchmarkSweep: 1.4x the floor against 1.7x with chunks dealt out in turn),
	// and helping keeps the goroutines busy to the end when one is held up.
	cursors := make([]atomic.Int64, w)
	for g := range cursors {
		cursors[g].Store(int64(g * chunks / w))
	}
	claim := func(g int) int {
		for h := 0; h < w; h++ {
			v := (g + h) % w
			if o := int(cursors[v].Add(1) - 1); o < (v+1)*chunks/w {
				return o
			}
		}
		return -1
	}
	work := func(g int) {
		var buf []F
		if p < c {
			if bufs[g] == nil {
				bufs[g] = make([]F, chunkLen)
			}
			buf = bufs[g]
		}
		// The next chunk is claimed before the current one is gathered, so that the
		// prefetches can run on into it.
		for o, nextO := claim(g), 0; o >= 0; o = nextO {
			nextO = claim(g)
			base := spread(o, outerQs) * rf
			if p == c {
				apply(sw.steps, data[base:base+chunkLen], o)
				continue
			}
			nextBase := -1
			if nextO >= 0 {
				nextBase = spread(nextO, outerQs) * rf
			}
			for j := 0; j < segs; j++ {
				if pj := j + ahead; pj < segs {
					prefetch(base + segOff(pj))
				} else if nextBase >= 0 && pj-segs < segs {
					prefetch(nextBase + segOff(pj-segs))
				}
				src := base + segOff(j)
				copy(buf[j*seg:(j+1)*seg], data[src:src+seg])
			}
			apply(sw.steps, buf, o)
			for k, off := range runOffs {
				copy(data[base+off:base+off+run], buf[k*run:(k+1)*run])
			}
		}
	}
	if w == 1 {
		work(0)
		return
	}
	var wg sync.WaitGroup
	for g := 1; g < w; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(g)
		}()
	}
	work(0)
	wg.Wait()
}

// prepareDense4 sets st.d4 when st is a dense 4x4 block without controls that the SIMD
// loops cover on a's data (every chunk of a sweep then shares one prepared plan).
func (a *amps) prepareDense4(st *step) {
	if len(st.controls) != 0 || len(st.targets) != 2 || !useDense4 {
		return
	}
	m := st.m
	if !st.dense && (len(m) != 16 || isDiagonal(m, 4)) {
		return
	}
	if _, _, ok := transposition(m, 4); ok && !st.dense {
		return
	}
	cplx := a.c != nil || a.c64 != nil
	switch {
	case a.single() && st.mr32 != nil:
		B := a.B
		if cplx {
			B *= 2
		}
		st.d4 = dense4PlanFor(B, st.targets, st.mr32)
	case a.single():
		st.d4 = dense4PlanFor(a.B, st.targets, st.m64)
	case st.mr != nil:
		B := a.B
		if cplx {
			B *= 2
		}
		st.d4 = dense4PlanFor(B, st.targets, st.mr)
	default:
		st.d4 = dense4PlanFor(a.B, st.targets, st.m)
	}
}

// applyChunk applies the sweep's gates, serially, to chunk o (its float64 view; for
// complex data the chunk is reinterpreted as complex128 for complex matrices).
func (a *amps) applyChunk(steps []step, chunk []float64, o int) {
	if a.c == nil {
		for i := range steps {
			st := &steps[i]
			if st.dg != nil {
				applyDiagStep[float64, complex128](chunk, nil, a.B, false, st.targets, outerPart(st, st.dgr, o), nil)
				continue
			}
			if st.d4 != nil && st.d4.fits(len(chunk)*8/st.d4.es) {
				st.d4.run(unsafe.Pointer(unsafe.SliceData(chunk)), len(chunk)*8/st.d4.es)
				continue
			}
			applyControlled(chunk, a.B, st.controls, st.targets, st.mr, 0)
		}
		return
	}
	cc := unsafe.Slice((*complex128)(unsafe.Pointer(unsafe.SliceData(chunk))), len(chunk)/2)
	for i := range steps {
		st := &steps[i]
		if st.dg != nil {
			applyDiagStep(chunk, cc, a.B, true, st.targets, outerPart(st, st.dgr, o), outerPart(st, st.dg, o))
			continue
		}
		if st.d4 != nil && st.d4.fits(len(chunk)*8/st.d4.es) {
			st.d4.run(unsafe.Pointer(unsafe.SliceData(chunk)), len(chunk)*8/st.d4.es)
			continue
		}
		if st.mr != nil {
			applyControlled(chunk, 2*a.B, st.controls, st.targets, st.mr, 0)
		} else {
			applyControlled(cc, a.B, st.controls, st.targets, st.m, 0)
		}
	}
}

// applyChunk32 is applyChunk in single precision (the steps' m64 and mr32 matrices).
func (a *amps) applyChunk32(steps []step, chunk []float32, o int) {
	if a.c64 == nil {
		for i := range steps {
			st := &steps[i]
			if st.dg != nil {
				applyDiagStep[float32, complex64](chunk, nil, a.B, false, st.targets, outerPart(st, st.dgr32, o), nil)
				continue
			}
			if st.d4 != nil && st.d4.fits(len(chunk)*4/st.d4.es) {
				st.d4.run(unsafe.Pointer(unsafe.SliceData(chunk)), len(chunk)*4/st.d4.es)
				continue
			}
			applyControlled(chunk, a.B, st.controls, st.targets, st.mr32, 0)
		}
		return
	}
	cc := unsafe.Slice((*complex64)(unsafe.Pointer(unsafe.SliceData(chunk))), len(chunk)/2)
	for i := range steps {
		st := &steps[i]
		if st.dg != nil {
			applyDiagStep(chunk, cc, a.B, true, st.targets, outerPart(st, st.dgr32, o), outerPart(st, st.dg64, o))
			continue
		}
		if st.d4 != nil && st.d4.fits(len(chunk)*4/st.d4.es) {
			st.d4.run(unsafe.Pointer(unsafe.SliceData(chunk)), len(chunk)*4/st.d4.es)
			continue
		}
		if st.mr32 != nil {
			applyControlled(chunk, 2*a.B, st.controls, st.targets, st.mr32, 0)
		} else {
			applyControlled(cc, a.B, st.controls, st.targets, st.m64, 0)
		}
	}
}

// Schedule describes how Run executes a circuit of gates on a state of its size.
type Schedule struct {
	// Gates is the number of gates; Steps the number of operations after fusion.
	Gates, Steps int
	// Sweeps is the number of passes over the state vector: one per cache-blocked sweep
	// and one per gate applied directly (every gate when blocking is off).
	Sweeps int
	// ChunkQubits is the number of qubits of a cache-resident chunk (0: not blocked).
	ChunkQubits int
	// SweepSteps holds, for each pass over the state in order, the number of steps it
	// applies inside cache-resident chunks (0 for a gate applied directly, streaming).
	SweepSteps []int
	// SweepKernels holds, for each pass, the in-cache work of its steps by kernel kind
	// (zero for a gate applied directly); KernelBound prices it.
	SweepKernels []KernelMix
}

// Bound is the schedule's step-count bound on its time: each pass costs at least a pass over
// memory (floor) and, when its steps run on cache-resident chunks, at least steps × one
// in-cache pass (cachePass, from CachePass): no kernel is cheaper than a scaling pass. It
// prices a fused dense 4x4 step like a scaling pass; KernelBound prices each step at its own
// kernel's cost.
func (sc Schedule) Bound(floor, cachePass time.Duration) time.Duration {
	var t time.Duration
	for _, k := range sc.SweepSteps {
		t += max(floor, time.Duration(k)*cachePass)
	}
	return t
}

// Plan returns the schedule Run would follow for the gates of c bound by env, under the
// current Blocking configuration: on the float64 path up to the first gate with complex
// entries and on the complex128 path from there, or (complexPath) on complex128 throughout.
// It is what the benchmarks set beside the memory floor: the circuit cannot run faster than
// Sweeps passes over the state.
func Plan(c *circuit.Circuit, env circuit.Env, complexPath bool) (Schedule, error) {
	return PlanPrecision(c, env, complexPath, Double)
}

// PlanPrecision is Plan for a precision: in single precision a chunk holds twice as many
// amplitudes (float32, complex64), so the schedule can differ.
func PlanPrecision(c *circuit.Circuit, env circuit.Env, complexPath bool, prec Precision) (Schedule, error) {
	if err := checkUnitary(c); err != nil {
		return Schedule{}, err
	}
	prog, err := prepare(c, env)
	if err != nil {
		return Schedule{}, err
	}
	eb := 8
	if prec == Single {
		eb = 4
	}
	var sc Schedule
	cplx := complexPath // State.runGates runs on the real path up to the first complex gate
	err = prog.eachGates(func(gs []*step) {
		real := 0
		for !cplx && real < len(gs) && gs[real].mr != nil {
			real++
		}
		if real < len(gs) {
			cplx = true
		}
		sc.Gates += len(gs)
		for _, part := range []struct {
			gs []*step
			rf int
		}{{gs[:real], 1}, {gs[real:], 2}} {
			sweeps, cq := Blocking.plan(part.gs, c.NumQubits, part.rf, eb, part.rf == 2)
			if sweeps == nil {
				sc.Sweeps += len(part.gs)
				sc.Steps += len(part.gs)
				for range part.gs {
					sc.SweepSteps = append(sc.SweepSteps, 0)
					sc.SweepKernels = append(sc.SweepKernels, KernelMix{})
				}
				continue
			}
			sc.Sweeps += len(sweeps)
			sc.ChunkQubits = max(sc.ChunkQubits, cq)
			for i := range sweeps {
				sc.Steps += len(sweeps[i].steps)
				k := len(sweeps[i].steps)
				var mix KernelMix
				if sweeps[i].direct {
					k = 0
				} else {
					mix = sweepMix(sweeps[i].steps)
				}
				sc.SweepSteps = append(sc.SweepSteps, k)
				sc.SweepKernels = append(sc.SweepKernels, mix)
			}
		}
	})
	return sc, err
}

// ApplyCircuit applies the gates of c, bound by env, to every state of the batch at once:
// batched simulation, B input states sharing one decode of the gates, one schedule and
// every sweep over memory (the adapter case: K columns of a unitary). The circuit must
// consist of gates only and act on x's qubits.
func (x *Batch) ApplyCircuit(c *circuit.Circuit, env circuit.Env) error {
	defer paceLarge(c)()
	prog, err := batchProgram(c, env, x.Qubits)
	if err != nil {
		return err
	}
	a := amps{f: x.floats(), c: x.Data, n: x.Qubits, B: x.B}
	return prog.eachGates(func(gs []*step) { a.runGates(gs, Blocking) })
}

// ApplyCircuit is Batch.ApplyCircuit on the float64 path; a gate with complex entries is an
// error naming it (nothing is applied then).
func (x *RealBatch) ApplyCircuit(c *circuit.Circuit, env circuit.Env) error {
	defer paceLarge(c)()
	prog, err := batchProgram(c, env, x.Qubits)
	if err != nil {
		return err
	}
	if i := prog.sh.notReal; i >= 0 {
		return notRealError(&c.Ops[i])
	}
	a := amps{f: x.Data, n: x.Qubits, B: x.B}
	return prog.eachGates(func(gs []*step) { a.runGates(gs, Blocking) })
}

func batchProgram(c *circuit.Circuit, env circuit.Env, n int) (*program, error) {
	if c.NumQubits != n {
		return nil, fmt.Errorf("sim: the circuit has %d qubits, the batch %d", c.NumQubits, n)
	}
	if err := checkUnitary(c); err != nil {
		return nil, err
	}
	return prepare(c, env)
}

// runSweep runs one sweep over the double-precision data of a (see runSweep).
func (a *amps) runSweep(sw *sweep, w int, bufs [][]float64) {
	runSweep(a, a.f, sw, w, bufs, a.applyChunk)
}
