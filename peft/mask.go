package peft

import (
	"fmt"
	"math"
	"sort"
)

// rankMask is the intrinsic-rank mask of method.md §4: which of the K singular-value-like
// scales are active.
type rankMask struct {
	active []bool
}

func newRankMask(k, kprime int) rankMask {
	m := rankMask{active: make([]bool, k)}
	for j := 0; j < kprime; j++ {
		m.active[j] = true
	}
	return m
}

func (m rankMask) count() int {
	n := 0
	for _, a := range m.active {
		if a {
			n++
		}
	}
	return n
}

func (m rankMask) weight(j int) float64 {
	if m.active[j] {
		return 1
	}
	return 0
}

// prune keeps the kprime active entries with the largest |scale[j]| (ties: lower index) and
// zeroes the scales of the rest.
func (m rankMask) prune(scale []float64, kprime int) error {
	if kprime < 1 || kprime > m.count() {
		return fmt.Errorf("peft: cannot prune to rank %d: %d ranks are active", kprime, m.count())
	}
	var idx []int
	for j, a := range m.active {
		if a {
			idx = append(idx, j)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return math.Abs(scale[idx[a]]) > math.Abs(scale[idx[b]]) })
	for _, j := range idx[kprime:] {
		m.active[j] = false
		scale[j] = 0
	}
	return nil
}

// RankOptions are the intrinsic-rank masking options shared by Quantum-PEFT and AdaLoRA.
type RankOptions struct {
	// ActiveRank is K′ ≤ K, the number of scales that stay active. 0 means K (no mask).
	ActiveRank int
	// PruneStep, when positive, keeps all K scales active until [Prunable.OnStep] is called
	// with this step, then keeps the ActiveRank largest by magnitude. When 0, the mask is
	// fixed from the start: the first ActiveRank scales are active.
	PruneStep int
}

func (o RankOptions) check(k int) error {
	if o.ActiveRank < 0 || o.ActiveRank > k {
		return fmt.Errorf("peft: active rank K′ = %d must be in 1..K = %d (0 for K)", o.ActiveRank, k)
	}
	if o.PruneStep < 0 {
		return fmt.Errorf("peft: prune step %d must be ≥ 0", o.PruneStep)
	}
	if o.PruneStep > 0 && (o.ActiveRank == 0 || o.ActiveRank == k) {
		return fmt.Errorf("peft: prune step %d given but K′ = K: set ActiveRank below %d", o.PruneStep, k)
	}
	return nil
}

// initialMask returns the mask at step 0.
func (o RankOptions) initialMask(k int) rankMask {
	if o.ActiveRank == 0 || o.PruneStep > 0 {
		return newRankMask(k, k)
	}
	return newRankMask(k, o.ActiveRank)
}

// Prunable is implemented by adapters with an intrinsic-rank mask.
type Prunable interface {
	// ActiveRanks returns the indices of the active scales.
	ActiveRanks() []int
	// Prune keeps the kprime active scales of largest magnitude and masks the rest.
	Prune(kprime int) error
	// OnStep tells the adapter that training step `step` (counting from 1) is about to run;
	// it prunes when the step is the scheduled PruneStep.
	OnStep(step int) error
}

// set replaces the active set by idx (distinct indices in 0..K−1).
func (m rankMask) set(idx []int) error {
	seen := make([]bool, len(m.active))
	for _, j := range idx {
		if j < 0 || j >= len(m.active) {
			return fmt.Errorf("active rank %d outside 0..%d", j, len(m.active)-1)
		}
		if seen[j] {
			return fmt.Errorf("active rank %d listed twice", j)
		}
		seen[j] = true
	}
	if len(idx) == 0 {
		return fmt.Errorf("no active rank")
	}
	copy(m.active, seen)
	return nil
}

// maskSetter is implemented by adapters whose rank mask a checkpoint restores.
type maskSetter interface {
	setActive(idx []int) error
}

func (a *QuantumPEFT) setActive(idx []int) error { return a.mask.set(idx) }
func (a *AdaLoRA) setActive(idx []int) error     { return a.mask.set(idx) }
