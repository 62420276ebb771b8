package route

import (
	"math/rand/v2"
	"sort"
)

// findEmbedding looks for a layout under which every interacting pair of logical qubits is a coupled
// pair of physical qubits (a subgraph monomorphism of the interaction graph into the coupling
// graph), by VF2-style backtracking: logical qubits are placed in an order where each has as
// many placed neighbours as possible, and a candidate physical qubit must be free, have
// enough coupled neighbours, and be coupled to the images of all placed neighbours. The
// search stops after budget candidate tests; it returns nil when it finds no embedding.
// Logical qubits without two-qubit gates go to the free physical qubits closest to the
// others.
func findEmbedding(n int, pairs [][2]int, m *Map, rng *rand.Rand, budget int) []int {
	adjSet := make([]map[int]bool, n)
	for i := range adjSet {
		adjSet[i] = map[int]bool{}
	}
	for _, p := range pairs {
		if p[0] != p[1] {
			adjSet[p[0]][p[1]] = true
			adjSet[p[1]][p[0]] = true
		}
	}
	adj := make([][]int, n)
	for i, s := range adjSet {
		for j := range s {
			adj[i] = append(adj[i], j)
		}
		sort.Ints(adj[i])
	}
	// Placement order: most placed neighbours first, then highest degree.
	var order []int
	placedNb := make([]int, n)
	inOrder := make([]bool, n)
	for {
		best := -1
		for v := 0; v < n; v++ {
			if inOrder[v] || len(adj[v]) == 0 {
				continue
			}
			if best < 0 || placedNb[v] > placedNb[best] || (placedNb[v] == placedNb[best] && len(adj[v]) > len(adj[best])) {
				best = v
			}
		}
		if best < 0 {
			break
		}
		inOrder[best] = true
		order = append(order, best)
		for _, u := range adj[best] {
			placedNb[u]++
		}
	}
	// The first attempt gets half the budget; restarts with other seeded tie-breaks share
	// the rest (a long path that an early choice blocks is often found from another start).
	const restarts = 16
	layout := searchEmbedding(order, adj, m, rng, budget/2)
	for r := 0; layout == nil && r < restarts; r++ {
		layout = searchEmbedding(order, adj, m, rng, budget/2/restarts)
	}
	if layout == nil {
		return nil
	}
	return placeIsolated(layout, m)
}

// searchEmbedding is one bounded backtracking search (see findEmbedding).
func searchEmbedding(order []int, adj [][]int, m *Map, rng *rand.Rand, budget int) []int {
	n := len(adj)
	layout := make([]int, n)
	for i := range layout {
		layout[i] = -1
	}
	used := make([]bool, m.Qubits)
	// Roots: low-degree qubits (lattice corners and edges) first, in seeded random order.
	roots := append([]int(nil), m.usable...)
	rng.Shuffle(len(roots), func(i, j int) { roots[i], roots[j] = roots[j], roots[i] })
	sort.SliceStable(roots, func(i, j int) bool { return len(m.Neighbors(roots[i])) < len(m.Neighbors(roots[j])) })
	steps := 0
	var place func(k int) bool
	place = func(k int) bool {
		if k == len(order) {
			return true
		}
		v := order[k]
		var placed []int
		for _, u := range adj[v] {
			if layout[u] >= 0 {
				placed = append(placed, u)
			}
		}
		cands := roots
		if len(placed) > 0 {
			// Warnsdorff's rule: try the candidates with the fewest free neighbours first,
			// which keeps long paths from cutting the lattice into unreachable pieces.
			cands = append([]int(nil), m.Neighbors(layout[placed[0]])...)
			rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
			freeDeg := func(p int) int {
				k := 0
				for _, x := range m.Neighbors(p) {
					if !used[x] {
						k++
					}
				}
				return k
			}
			sort.SliceStable(cands, func(i, j int) bool { return freeDeg(cands[i]) < freeDeg(cands[j]) })
		}
		for _, p := range cands {
			if steps++; steps > budget {
				return false
			}
			if used[p] || len(m.Neighbors(p)) < len(adj[v]) {
				continue
			}
			ok := true
			for _, u := range placed[min(1, len(placed)):] {
				if !m.Coupled(p, layout[u]) {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			layout[v], used[p] = p, true
			if place(k + 1) {
				return true
			}
			layout[v], used[p] = -1, false
			if steps > budget {
				return false
			}
		}
		return false
	}
	if !place(0) {
		return nil
	}
	return layout
}

// placeIsolated puts the logical qubits without two-qubit gates on free physical qubits.
func placeIsolated(layout []int, m *Map) []int {
	used := make([]bool, m.Qubits)
	for _, p := range layout {
		if p >= 0 {
			used[p] = true
		}
	}
	// Isolated logical qubits: nearest free physical qubits (by BFS from the placed ones).
	var queue []int
	seen := make([]bool, m.Qubits)
	for _, p := range layout {
		if p >= 0 {
			queue = append(queue, p)
			seen[p] = true
		}
	}
	if len(queue) == 0 {
		queue = []int{m.usable[0]}
		seen[m.usable[0]] = true
	}
	var free []int
	for qi := 0; qi < len(queue); qi++ {
		p := queue[qi]
		if !used[p] {
			free = append(free, p)
		}
		for _, x := range m.Neighbors(p) {
			if !seen[x] {
				seen[x] = true
				queue = append(queue, x)
			}
		}
	}
	for v := range layout {
		if layout[v] < 0 {
			if len(free) == 0 {
				return nil
			}
			layout[v], free = free[0], free[1:]
		}
	}
	return layout
}
