package route

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// Options steer Route. The zero value routes with seed 0.
type Options struct {
	// Seed drives every random choice (SABRE's starting layouts and tie-breaks, the order in
	// which the embedding search tries physical qubits).
	Seed uint64
	// RestoreOrder appends SWAPs after the circuit (before its terminal measurements) that
	// bring every logical qubit back to its initial physical qubit, so Final equals Initial.
	RestoreOrder bool
	// Trials is the number of SABRE layout trials (default 16).
	Trials int
	// NoEmbedding skips the search for a SWAP-free embedding and goes straight to SABRE.
	NoEmbedding bool
}

// Result is a routed circuit.
type Result struct {
	// Circuit acts on the map's Qubits physical qubits; every two-qubit gate is on a
	// coupled pair. Classical bits are those of the input: a measurement of logical qubit l
	// is written on l's physical qubit at that point, into the same classical bit.
	Circuit *circuit.Circuit
	// Initial[l] is the physical qubit of logical qubit l at the start.
	Initial []int
	// Final[l] is the physical qubit holding logical qubit l at the end of the circuit: the
	// routed circuit's state equals the original's with qubit l moved to Final[l] (and the
	// unused physical qubits in |0⟩).
	Final []int
	// Swaps counts the inserted SWAP gates (those restoring the order included).
	Swaps int
	// Layout says how Initial was found: "embedding" (no SWAP needed), "sabre" or
	// "trivial" (an all-to-all map).
	Layout string
}

// Route maps c onto m. Gates must act on at most two qubits (controls included).
func Route(c *circuit.Circuit, m *Map, o Options) (*Result, error) {
	if c.NumQubits > len(m.usable) {
		return nil, fmt.Errorf("the circuit has %d qubits but coupling map %s has %d usable qubits", c.NumQubits, m.Name, len(m.usable))
	}
	for i := range c.Ops {
		op := &c.Ops[i]
		if op.Kind == circuit.GateOp && len(op.Qubits) > 2 {
			where := fmt.Sprintf("operation %d", i)
			if op.Pos.IsValid() {
				where += ", " + op.Pos.String()
			}
			return nil, fmt.Errorf("gate %q (%s) acts on %d qubits: routing takes gates on one or two qubits; translate to a basis first (--basis)", op.Name(), where, len(op.Qubits))
		}
	}
	if o.Trials <= 0 {
		o.Trials = 16
	}
	r := &router{m: m, c: c, o: o}
	return r.route()
}

type router struct {
	m *Map
	c *circuit.Circuit
	o Options
}

// dag is the dependency graph of a list of operations over their wires.
type dag struct {
	ops   []int    // index into the circuit's Ops (or into pairs for a two-qubit-only dag)
	q     [][2]int // logical qubits of two-qubit gates
	two   []bool
	succ  [][]int
	npred []int
}

func (r *router) newDAG(ops []int, pairs [][2]int, two []bool, wires func(i int) []int) *dag {
	d := &dag{ops: ops, q: pairs, two: two, succ: make([][]int, len(ops)), npred: make([]int, len(ops))}
	last := map[int]int{}
	for i := range ops {
		seen := map[int]bool{}
		for _, w := range wires(i) {
			if p, ok := last[w]; ok && !seen[p] {
				seen[p] = true
				d.succ[p] = append(d.succ[p], i)
				d.npred[i]++
			}
			last[w] = i
		}
	}
	return d
}

// fullDAG is the dependency graph of the circuit operations listed (qubits and classical
// bits as wires; classical bit b is wire −1−b).
func (r *router) fullDAG(list []int) *dag {
	pairs := make([][2]int, len(list))
	two := make([]bool, len(list))
	for i, k := range list {
		op := &r.c.Ops[k]
		if op.Kind == circuit.GateOp && len(op.Qubits) == 2 {
			two[i] = true
			pairs[i] = [2]int{op.Qubits[0], op.Qubits[1]}
		}
	}
	return r.newDAG(list, pairs, two, func(i int) []int {
		op := &r.c.Ops[list[i]]
		w := append([]int(nil), op.Qubits...)
		for _, b := range op.Clbits() {
			w = append(w, -1-b)
		}
		if op.Cond != nil {
			for _, b := range op.Cond.Clbits {
				w = append(w, -1-b)
			}
		}
		return w
	})
}

// pairDAG is the dependency graph of the two-qubit gates alone (for layout passes).
func (r *router) pairDAG(pairs [][2]int) *dag {
	two := make([]bool, len(pairs))
	ops := make([]int, len(pairs))
	for i := range two {
		two[i] = true
		ops[i] = i
	}
	return r.newDAG(ops, pairs, two, func(i int) []int { return pairs[i][:] })
}

// SABRE parameters (Li, Ding and Xie 2019; the values Qiskit uses).
const (
	extendedSize   = 20
	extendedWeight = 0.5
	decayDelta     = 0.001
	decayReset     = 5
)

// emitter receives the routed operations: op ≥ 0 is dag operation op executed on the
// current layout, op < 0 a SWAP of physical qubits a and b.
type emitter func(op, a, b int, layout []int)

// pass routes d from layout (logical → physical, modified in place) and returns the number
// of SWAPs inserted.
func (r *router) pass(d *dag, layout []int, rng *rand.Rand, emit emitter) int {
	m := r.m
	phys := make([]int, m.Qubits) // physical → logical, −1 free
	for i := range phys {
		phys[i] = -1
	}
	for l, p := range layout {
		phys[p] = l
	}
	npred := append([]int(nil), d.npred...)
	var front []int
	for i := range npred {
		if npred[i] == 0 {
			front = append(front, i)
		}
	}
	decay := make([]float64, m.Qubits)
	for i := range decay {
		decay[i] = 1
	}
	resetDecay := func() {
		for i := range decay {
			decay[i] = 1
		}
	}
	swaps, sinceReset, stuck := 0, 0, 0
	doSwap := func(a, b int) {
		la, lb := phys[a], phys[b]
		phys[a], phys[b] = lb, la
		if la >= 0 {
			layout[la] = b
		}
		if lb >= 0 {
			layout[lb] = a
		}
		swaps++
		if emit != nil {
			emit(-1, a, b, layout)
		}
	}
	inExt := make([]bool, len(npred))
	type cand struct{ a, b int }
	var (
		cands       []cand
		bests       []cand
		ext, queue  []int
		keep, ready []int
	)
	seen := map[cand]bool{}
	for len(front) > 0 {
		// Execute everything executable, repeatedly.
		for progress := true; progress; {
			progress = false
			keep, ready = keep[:0], ready[:0]
			for _, g := range front {
				if d.two[g] && !m.Coupled(layout[d.q[g][0]], layout[d.q[g][1]]) {
					keep = append(keep, g)
					continue
				}
				progress = true
				if emit != nil {
					emit(g, 0, 0, layout)
				}
				for _, s := range d.succ[g] {
					if npred[s]--; npred[s] == 0 {
						ready = append(ready, s)
					}
				}
			}
			front = append(append(front[:0], keep...), ready...)
			if progress {
				stuck = 0
				resetDecay()
			}
		}
		if len(front) == 0 {
			break
		}
		if stuck > 10*len(layout)+20 {
			// Release valve: walk the closest pair together along a shortest path.
			best, bd := -1, math.MaxInt
			for _, g := range front {
				if dd := m.Distance(layout[d.q[g][0]], layout[d.q[g][1]]); dd < bd {
					best, bd = g, dd
				}
			}
			a, b := d.q[best][0], d.q[best][1]
			for !m.Coupled(layout[a], layout[b]) {
				pa, pb := layout[a], layout[b]
				for _, n := range m.Neighbors(pa) {
					if m.Distance(n, pb) == m.Distance(pa, pb)-1 {
						doSwap(pa, n)
						break
					}
				}
			}
			stuck = 0
			continue
		}
		// Extended set: the next two-qubit gates after the front.
		ext = ext[:0]
		queue = append(queue[:0], front...)
		for qi := 0; qi < len(queue) && len(ext) < extendedSize; qi++ {
			for _, s := range d.succ[queue[qi]] {
				if inExt[s] {
					continue
				}
				inExt[s] = true
				queue = append(queue, s)
				if d.two[s] {
					ext = append(ext, s)
					if len(ext) >= extendedSize {
						break
					}
				}
			}
		}
		for _, g := range queue {
			inExt[g] = false
		}
		// Candidate SWAPs touching a qubit of a blocked front gate.
		cands = cands[:0]
		clear(seen)
		for _, g := range front {
			for _, l := range d.q[g] {
				p := layout[l]
				for _, n := range m.Neighbors(p) {
					k := cand{min(p, n), max(p, n)}
					if !seen[k] {
						seen[k] = true
						cands = append(cands, k)
					}
				}
			}
		}
		bestScore := math.Inf(1)
		bests = bests[:0]
		for _, cd := range cands {
			pos := func(l int) int {
				p := layout[l]
				switch p {
				case cd.a:
					return cd.b
				case cd.b:
					return cd.a
				}
				return p
			}
			var fs, es float64
			for _, g := range front {
				fs += float64(m.Distance(pos(d.q[g][0]), pos(d.q[g][1])))
			}
			h := fs / float64(len(front))
			if len(ext) > 0 {
				for _, g := range ext {
					es += float64(m.Distance(pos(d.q[g][0]), pos(d.q[g][1])))
				}
				h += extendedWeight * es / float64(len(ext))
			}
			h *= max(decay[cd.a], decay[cd.b])
			switch {
			case h < bestScore-1e-12:
				bestScore, bests = h, append(bests[:0], cd)
			case h <= bestScore+1e-12:
				bests = append(bests, cd)
			}
		}
		pick := bests[0]
		if len(bests) > 1 {
			pick = bests[rng.IntN(len(bests))]
		}
		doSwap(pick.a, pick.b)
		decay[pick.a] += decayDelta
		decay[pick.b] += decayDelta
		stuck++
		if sinceReset++; sinceReset%decayReset == 0 {
			resetDecay()
		}
	}
	return swaps
}

func (r *router) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(r.o.Seed, stream))
}

func (r *router) route() (*Result, error) {
	c, m := r.c, r.m
	n := c.NumQubits
	// Terminal measurements come last (after the restoring SWAPs, if any), so that no
	// SWAP moves a measured qubit.
	body, tail := splitTerminal(c)
	var pairs [][2]int
	for _, k := range body {
		op := &c.Ops[k]
		if op.Kind == circuit.GateOp && len(op.Qubits) == 2 {
			pairs = append(pairs, [2]int{op.Qubits[0], op.Qubits[1]})
		}
	}
	res := &Result{}
	var initial []int
	switch {
	case m.Full:
		initial = make([]int, n)
		copy(initial, m.usable[:n])
		res.Layout = "trivial"
	default:
		if !r.o.NoEmbedding {
			initial = findEmbedding(n, pairs, m, r.rng(1<<40), 200000)
		}
		if initial != nil {
			res.Layout = "embedding"
		} else {
			initial = r.sabreLayout(n, pairs)
			res.Layout = "sabre"
		}
	}
	res.Initial = append([]int(nil), initial...)
	out := &circuit.Circuit{NumQubits: m.Qubits, NumClbits: c.NumClbits,
		CRegs: append([]circuit.Register(nil), c.CRegs...), Params: append([]string(nil), c.Params...)}
	if m.Qubits > 0 {
		out.QRegs = []circuit.Register{{Name: "q", Start: 0, Size: m.Qubits}}
	}
	var emitErr error
	swapGate := gates.MustGet("swap")
	put := func(op circuit.Op) {
		if emitErr == nil {
			emitErr = out.Append(op)
		}
	}
	mapOp := func(k int, layout []int) {
		op := c.Ops[k]
		q := make([]int, len(op.Qubits))
		for i, l := range op.Qubits {
			q[i] = layout[l]
		}
		op.Qubits = q
		op.Args = append([]circuit.Expr(nil), op.Args...)
		op.SetClbits(append([]int(nil), op.Clbits()...))
		if op.Cond != nil {
			cc := *op.Cond
			cc.Clbits = append([]int(nil), op.Cond.Clbits...)
			op.Cond = &cc
		}
		put(op)
	}
	layout := append([]int(nil), initial...)
	d := r.fullDAG(body)
	res.Swaps = r.pass(d, layout, r.rng(1<<41), func(op, a, b int, layout []int) {
		if op < 0 {
			put(circuit.Op{Kind: circuit.GateOp, Gate: swapGate, Qubits: []int{a, b}})
			return
		}
		mapOp(d.ops[op], layout)
	})
	if r.o.RestoreOrder && !m.Full {
		for _, s := range restore(m, layout, initial) {
			put(circuit.Op{Kind: circuit.GateOp, Gate: swapGate, Qubits: []int{s[0], s[1]}})
			res.Swaps++
		}
		copy(layout, initial)
	}
	for _, k := range tail {
		mapOp(k, layout)
	}
	if emitErr != nil {
		return nil, fmt.Errorf("route: internal error: %w", emitErr)
	}
	res.Circuit = out
	res.Final = layout
	return res, nil
}

// splitTerminal separates the measurements after which nothing touches their qubits or
// classical bits.
func splitTerminal(c *circuit.Circuit) (body, tail []int) {
	busyQ := map[int]bool{}
	busyC := map[int]bool{}
	isTail := make([]bool, len(c.Ops))
	for i := len(c.Ops) - 1; i >= 0; i-- {
		op := &c.Ops[i]
		free := op.Kind == circuit.Measure && op.Cond == nil
		for _, q := range op.Qubits {
			free = free && !busyQ[q]
		}
		for _, b := range op.Clbits() {
			free = free && !busyC[b]
		}
		isTail[i] = free
		for _, q := range op.Qubits {
			busyQ[q] = true
		}
		for _, b := range op.Clbits() {
			busyC[b] = true
		}
		if op.Cond != nil {
			for _, b := range op.Cond.Clbits {
				busyC[b] = true
			}
		}
	}
	for i := range c.Ops {
		if isTail[i] {
			tail = append(tail, i)
		} else {
			body = append(body, i)
		}
	}
	return body, tail
}

// sabreLayout runs the SABRE layout search: from seeded compact random starts, alternating
// forward and backward routing passes of the two-qubit gates refine the layout; the start
// whose forward routing needs the fewest SWAPs wins.
func (r *router) sabreLayout(n int, pairs [][2]int) []int {
	fwd := r.pairDAG(pairs)
	rev := make([][2]int, len(pairs))
	for i, p := range pairs {
		rev[len(pairs)-1-i] = p
	}
	bwd := r.pairDAG(rev)
	var best []int
	bestSwaps := math.MaxInt
	for t := 0; t < r.o.Trials; t++ {
		rng := r.rng(uint64(t))
		layout := r.randomCompact(n, rng)
		for it := 0; it < 4; it++ {
			r.pass(fwd, layout, rng, nil)
			r.pass(bwd, layout, rng, nil)
		}
		trial := append([]int(nil), layout...)
		if s := r.pass(fwd, layout, rng, nil); s < bestSwaps {
			best, bestSwaps = trial, s
		}
	}
	return best
}

// randomCompact places n logical qubits on a connected region grown from a random physical
// qubit, in random order.
func (r *router) randomCompact(n int, rng *rand.Rand) []int {
	m := r.m
	root := m.usable[rng.IntN(len(m.usable))]
	inSet := map[int]bool{root: true}
	region := []int{root}
	for qi := 0; qi < len(region) && len(region) < n; qi++ {
		nb := append([]int(nil), m.Neighbors(region[qi])...)
		rng.Shuffle(len(nb), func(i, j int) { nb[i], nb[j] = nb[j], nb[i] })
		for _, x := range nb {
			if !inSet[x] && len(region) < n {
				inSet[x] = true
				region = append(region, x)
			}
		}
	}
	rng.Shuffle(len(region), func(i, j int) { region[i], region[j] = region[j], region[i] })
	return region[:n]
}

// restore returns SWAPs (on coupled pairs) that move every logical qubit from its physical
// qubit in cur to the one in want: token swapping on a BFS spanning tree, filling its
// vertices deepest first so that the rest of the tree stays connected.
func restore(m *Map, cur, want []int) [][2]int {
	if len(want) == 0 {
		return nil
	}
	tok := make([]int, m.Qubits) // physical → logical token, −1 empty
	for i := range tok {
		tok[i] = -1
	}
	for l, p := range cur {
		tok[p] = l
	}
	dest := make([]int, m.Qubits) // physical → logical that must end there, −1 any empty
	for i := range dest {
		dest[i] = -1
	}
	for l, p := range want {
		dest[p] = l
	}
	root := want[0]
	parent := make([]int, m.Qubits)
	depth := make([]int, m.Qubits)
	for i := range parent {
		parent[i] = -2
	}
	parent[root] = -1
	order := []int{root}
	for qi := 0; qi < len(order); qi++ {
		v := order[qi]
		for _, x := range m.Neighbors(v) {
			if parent[x] == -2 {
				parent[x], depth[x] = v, depth[v]+1
				order = append(order, x)
			}
		}
	}
	removed := make([]bool, m.Qubits)
	var swaps [][2]int
	path := func(a, b int) []int { // tree path a → b
		var up, down []int
		for x, y := a, b; x != y; {
			if depth[x] >= depth[y] {
				up = append(up, x)
				x = parent[x]
			} else {
				down = append(down, y)
				y = parent[y]
			}
			if x == y {
				up = append(up, x)
			}
		}
		if a == b {
			return []int{a}
		}
		for i := len(down) - 1; i >= 0; i-- {
			up = append(up, down[i])
		}
		return up
	}
	for i := len(order) - 1; i >= 0; i-- {
		v := order[i]
		want := dest[v]
		ok := (want >= 0 && tok[v] == want) || (want < 0 && tok[v] < 0)
		if !ok {
			// Find the token (or the nearest empty one) in the remaining tree.
			src := -1
			for j := 0; j < i && src < 0; j++ {
				u := order[j]
				if removed[u] {
					continue
				}
				if (want >= 0 && tok[u] == want) || (want < 0 && tok[u] < 0) {
					src = u
				}
			}
			if want < 0 { // nearest empty
				bd := math.MaxInt
				for j := 0; j < i; j++ {
					u := order[j]
					if !removed[u] && tok[u] < 0 {
						if dd := len(path(u, v)); dd < bd {
							src, bd = u, dd
						}
					}
				}
			}
			p := path(src, v)
			for k := 0; k+1 < len(p); k++ {
				a, b := p[k], p[k+1]
				if tok[a] >= 0 || tok[b] >= 0 {
					swaps = append(swaps, [2]int{a, b})
				}
				tok[a], tok[b] = tok[b], tok[a]
			}
		}
		removed[v] = true
	}
	return swaps
}
