package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/qpeft/qpeft/internal/memlimit"
)

// The shares of a seeded stratified split ([StratifiedSplit]) when a dataset comes as one
// set: 80 % train, 10 % validation, 10 % test.
const (
	ValidationFraction = 0.1
	TestFraction       = 0.1
)

// MemoryLimit is the largest dataset, in bytes, the loaders of this package allocate
// (zero or negative: no limit). Its default is the process-wide one (QPEFT_MEMORY_LIMIT, or
// three quarters of physical memory); qpeft's --memory-limit sets it.
var MemoryLimit int64 = memlimit.Default()

// CheckMemory returns an error, naming what and how to lift the limit, when bytes exceeds
// MemoryLimit; the loaders call it before allocating a dataset.
func CheckMemory(what string, bytes float64) error {
	if lim := MemoryLimit; lim > 0 && bytes > float64(lim) {
		return fmt.Errorf("%s needs %.0f bytes (%.2f GiB), above the memory limit of %d bytes; raise it (--memory-limit, QPEFT_MEMORY_LIMIT=64GiB) or use a smaller dataset", what, bytes, bytes/(1<<30), lim)
	}
	return nil
}

// StratifiedSplit divides the examples 0..len(labels)−1 into train, validation and test
// parts class by class, so that every part keeps the class proportions: the examples of
// class c are shuffled by a PCG seeded with (seed, c); the first round(n·valFrac) of them
// (at least 1 when valFrac > 0) go to validation, the next round(n·testFrac) (at least 1
// when testFrac > 0) to test, and the rest (at least 1) to train. Each part is returned in
// increasing order. The split depends only on the labels, the fractions and the seed.
//
// It fails, naming the class (name(c)), when a class has no example or too few to give
// every part one; labels must lie in [0, classes).
func StratifiedSplit(labels []int, classes int, valFrac, testFrac float64, seed uint64, name func(int) string) (train, val, test []int, err error) {
	train, val, test, err = stratified(labels, classes, valFrac, testFrac, seed, name)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("data: %w", err)
	}
	return train, val, test, nil
}

// stratified is StratifiedSplit with errors that do not name the package (the loaders
// name the file instead).
func stratified(labels []int, classes int, valFrac, testFrac float64, seed uint64, name func(int) string) (train, val, test []int, err error) {
	if !(valFrac >= 0 && testFrac >= 0 && valFrac+testFrac < 1) {
		return nil, nil, nil, fmt.Errorf("split fractions validation %v and test %v must be ≥ 0 and sum below 1", valFrac, testFrac)
	}
	if name == nil {
		name = func(c int) string { return fmt.Sprint(c) }
	}
	byClass := make([][]int, classes)
	for i, l := range labels {
		if l < 0 || l >= classes {
			return nil, nil, nil, fmt.Errorf("example %d has label %d outside [0, %d)", i, l, classes)
		}
		byClass[l] = append(byClass[l], i)
	}
	need := 1
	if valFrac > 0 {
		need++
	}
	if testFrac > 0 {
		need++
	}
	for c, idx := range byClass {
		n := len(idx)
		if n == 0 {
			return nil, nil, nil, fmt.Errorf("class %s has no examples; every class from 0 to %d needs some (remove the class or add examples)", name(c), classes-1)
		}
		if n < need {
			return nil, nil, nil, fmt.Errorf("class %s has %d example(s); a stratified train/validation/test split needs at least %d per class (add examples of it, or give the splits yourself)", name(c), n, need)
		}
		nv, nt := share(n, valFrac), share(n, testFrac)
		for n-nv-nt < 1 { // keep one for training: take it from the larger held-out part
			if nv >= nt && nv > 1 || nt <= 1 {
				nv--
			} else {
				nt--
			}
		}
		perm := append([]int(nil), idx...)
		rng := rand.New(rand.NewPCG(seed, uint64(c)*0x9e3779b97f4a7c15+0x5851f42d4c957f2d))
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		val = append(val, perm[:nv]...)
		test = append(test, perm[nv:nv+nt]...)
		train = append(train, perm[nv+nt:]...)
	}
	sort.Ints(train)
	sort.Ints(val)
	sort.Ints(test)
	return train, val, test, nil
}

// share returns round(n·f), at least 1 when f > 0.
func share(n int, f float64) int {
	if f <= 0 {
		return 0
	}
	return max(1, int(math.Round(float64(n)*f)))
}

// Splits is an image classification task in three parts. Validation is nil when the
// files give only a train and a test split.
type Splits struct {
	Train, Validation, Test *Dataset
	// How says where the parts came from: "given by the files" or the seeded stratified
	// split that made them.
	How string
}

// splitOne makes Splits from one dataset by [StratifiedSplit] with the default fractions.
func splitOne(d *Dataset, seed uint64) (*Splits, error) {
	labels := make([]int, d.N)
	for i, l := range d.Labels {
		labels[i] = int(l)
	}
	tr, va, te, err := stratified(labels, d.Classes, ValidationFraction, TestFraction, seed, d.ClassName)
	if err != nil {
		return nil, err
	}
	return &Splits{Train: d.Subset(tr), Validation: d.Subset(va), Test: d.Subset(te),
		How: fmt.Sprintf("seeded stratified split (seed %d): %d train, %d validation, %d test", seed, len(tr), len(va), len(te))}, nil
}

// checkClasses verifies that every class of the training part has an example and that the
// other parts use no class the training part lacks.
func (s *Splits) checkClasses(src string) error {
	counts := s.Train.ClassCounts()
	for c, n := range counts {
		if n == 0 {
			return fmt.Errorf("%s: class %s has no training examples; labels must run from 0 to %d without gaps (relabel, or add examples of it)", src, s.Train.ClassName(c), s.Train.Classes-1)
		}
	}
	return nil
}
