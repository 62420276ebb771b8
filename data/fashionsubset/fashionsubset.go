// Package fashionsubset embeds a small balanced subset of Fashion-MNIST (MIT licence, Zalando
// SE; see LICENSE and PROVENANCE.md in this directory) so that demos and tests run with no
// files: 6,000 training images (600 per class) and 1,000 test images (100 per class), 28 x 28
// grey levels, in the IDX format (gzip), about 3 MB.
//
// Selection (reproducible with [Select]): for each split of the full dataset, walk
// data.Permutation(N, Seed) and keep the first 600 (train) or 100 (test) images of each
// class, then sort the kept indices in increasing order.
package fashionsubset

import (
	"bytes"
	"embed"
	"fmt"

	"github.com/qpeft/qpeft/data"
)

// Seed and per-class counts of the selection.
const (
	Seed          = 20250305
	TrainPerClass = 600
	TestPerClass  = 100
)

//go:embed *.gz
var files embed.FS

// Load returns one split of the embedded subset.
func Load(split data.Split) (*data.Dataset, error) {
	prefix := "train"
	if split == data.Test {
		prefix = "t10k"
	}
	im, err := files.ReadFile(prefix + "-images-idx3-ubyte.gz")
	if err != nil {
		return nil, fmt.Errorf("fashionsubset: %w", err)
	}
	lb, err := files.ReadFile(prefix + "-labels-idx1-ubyte.gz")
	if err != nil {
		return nil, fmt.Errorf("fashionsubset: %w", err)
	}
	d, err := data.ReadDataset(bytes.NewReader(im), bytes.NewReader(lb))
	if err != nil {
		return nil, fmt.Errorf("fashionsubset: %s split: %w", split, err)
	}
	return d, nil
}

// Select computes the subset of one split from the full Fashion-MNIST split full (e.g.
// data.LoadDir(data.FashionMNISTDir, split)); it is how the embedded files were made.
func Select(full *data.Dataset, split data.Split) (*data.Dataset, error) {
	per := TrainPerClass
	if split == data.Test {
		per = TestPerClass
	}
	idx, err := full.BalancedIndices(per, Seed)
	if err != nil {
		return nil, err
	}
	return full.Subset(idx), nil
}
