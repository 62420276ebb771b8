package data

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/internal/testenv"
	"github.com/stretchr/testify/require"
)

func idxBytes(t *testing.T, dims []int, data []byte, gz bool) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, WriteIDX(&b, dims, data, gz))
	return b.Bytes()
}

func TestReadIDXRoundTrip(t *testing.T) {
	data := []byte{1, 2, 3, 4, 5, 6}
	for _, gz := range []bool{false, true} {
		x, err := ReadIDX(bytes.NewReader(idxBytes(t, []int{2, 1, 3}, data, gz)))
		require.NoError(t, err)
		if fmt.Sprint(x.Dims, x.Data) != "[2 1 3] [1 2 3 4 5 6]" {
			t.Fatalf("gz=%v: %v %v", gz, x.Dims, x.Data)
		}
	}
	// The header layout by hand: magic 00 00 08 01, dimension 3 big-endian, then the data.
	raw := idxBytes(t, []int{3}, []byte{7, 8, 9}, false)
	if fmt.Sprintf("% x", raw) != "00 00 08 01 00 00 00 03 07 08 09" {
		t.Fatalf("bytes % x", raw)
	}
}

func TestReadIDXErrors(t *testing.T) {
	good := []byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4}
	gzGood := idxBytes(t, []int{2, 2}, []byte{1, 2, 3, 4}, true)
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "magic number: unexpected EOF"},
		{"short magic", []byte{0, 0}, "magic number: unexpected EOF"},
		{"bad magic", []byte{1, 2, 8, 1, 0, 0, 0, 0}, "bad magic number 01 02 08 01"},
		{"float type", []byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0}, "float32 (0x0d) is not supported"},
		{"unknown type", []byte{0, 0, 0x42, 1}, "unknown element type code 0x42"},
		{"zero dims", []byte{0, 0, 8, 0}, "zero dimensions"},
		{"truncated dims", []byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0}, "reading 2 dimensions"},
		{"truncated data", good[:14], "announce 4 bytes of data, file has 2: truncated"},
		{"trailing data", append(append([]byte(nil), good...), 9), "trailing data"},
		{"huge", []byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2}, "exceed the 1073741824-byte limit"},
		{"truncated gzip", gzGood[:len(gzGood)-10], "unexpected EOF"},
		{"corrupt gzip", append(append([]byte(nil), gzGood[:12]...), bytes.Repeat([]byte{0xff}, 20)...), "idx:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadIDX(bytes.NewReader(tc.in))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestNewDatasetErrors(t *testing.T) {
	img := &IDX{Dims: []int{2, 1, 1}, Data: []byte{0, 1}}
	cases := []struct {
		name   string
		im, lb *IDX
		want   string
	}{
		{"count mismatch", img, &IDX{Dims: []int{3}, Data: []byte{0, 1, 2}}, "2 images but 3 labels"},
		{"label range", img, &IDX{Dims: []int{2}, Data: []byte{0, 10}}, "label 10 of sample 1 is not below the class count 10"},
		{"image rank", &IDX{Dims: []int{2}, Data: []byte{0, 1}}, &IDX{Dims: []int{2}, Data: []byte{0, 1}}, "want N x rows x cols"},
		{"label rank", img, &IDX{Dims: []int{2, 1}, Data: []byte{0, 1}}, "want N"},
	}
	for _, tc := range cases {
		if _, err := NewDataset(tc.im, tc.lb, 10); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestLoadDirErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadDir(dir, Train); err == nil || !strings.Contains(err.Error(), "train-images-idx3-ubyte.gz nor train-images-idx3-ubyte exists") {
		t.Fatalf("missing files: %v", err)
	}
	os.WriteFile(dir+"/t10k-images-idx3-ubyte", idxBytes(t, []int{1, 2, 2}, []byte{1, 2, 3, 4}, false), 0o644)
	os.WriteFile(dir+"/t10k-labels-idx1-ubyte.gz", []byte{0, 0, 8, 1, 0, 0, 0, 1}, 0o644)
	if _, err := LoadDir(dir, Test); err == nil || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte.gz: idx: dimensions [1] announce 1 bytes") {
		t.Fatalf("truncated labels: %v", err)
	}
	os.WriteFile(dir+"/t10k-labels-idx1-ubyte.gz", idxBytes(t, []int{1}, []byte{3}, true), 0o644)
	d, err := LoadDir(dir, Test)
	if err != nil || d.N != 1 || d.Rows != 2 || d.Labels[0] != 3 {
		t.Fatalf("%v %+v", err, d)
	}
}

func TestShufflingAndBatches(t *testing.T) {
	a, b := Permutation(100, 7), Permutation(100, 7)
	if fmt.Sprint(a) != fmt.Sprint(b) || fmt.Sprint(a) == fmt.Sprint(Permutation(100, 8)) {
		t.Fatal("Permutation is not a deterministic function of the seed")
	}
	seen := make([]bool, 100)
	for _, i := range a {
		seen[i] = true
	}
	for i, s := range seen {
		if !s {
			t.Fatalf("%d missing from the permutation", i)
		}
	}
	e0, e1 := EpochBatches(10, 4, 1, 0, false), EpochBatches(10, 4, 1, 1, false)
	if len(e0) != 3 || len(e0[2]) != 2 || fmt.Sprint(e0) == fmt.Sprint(e1) {
		t.Fatalf("epochs %v %v", e0, e1)
	}
	if fmt.Sprint(e0) != fmt.Sprint(EpochBatches(10, 4, 1, 0, false)) {
		t.Fatal("EpochBatches not repeatable")
	}
	if d := EpochBatches(10, 4, 1, 0, true); len(d) != 2 {
		t.Fatalf("dropLast: %d batches", len(d))
	}
}

func TestBalancedAndBatch(t *testing.T) {
	d := &Dataset{N: 6, Rows: 1, Cols: 2, Classes: 3,
		Images: []byte{0, 1, 10, 11, 20, 21, 30, 31, 40, 41, 50, 51}, Labels: []byte{0, 1, 2, 0, 1, 2}}
	idx, err := d.BalancedIndices(2, 3)
	if err != nil || len(idx) != 6 {
		t.Fatalf("%v %v", idx, err)
	}
	if _, err := d.BalancedIndices(3, 3); err == nil || !strings.Contains(err.Error(), "class 0 has only 2 samples, 3 wanted") {
		t.Fatalf("too many per class: %v", err)
	}
	one, _ := d.BalancedIndices(1, 3)
	s := d.Subset(one)
	if fmt.Sprint(s.ClassCounts()) != "[1 1 1]" {
		t.Fatalf("subset counts %v", s.ClassCounts())
	}
	x, labels := Batch[float32](d, []int{4, 1}, 0.5)
	if fmt.Sprint(x.Shape, x.Data, labels) != "[2 1 1 2] [20 20.5 5 5.5] [1 1]" {
		t.Fatalf("batch %v %v %v", x.Shape, x.Data, labels)
	}
}

// TestRealDatasets checks the sizes and first labels of MNIST (GoMNIST module) and
// Fashion-MNIST (Debian package); each is skipped if absent.
func TestRealDatasets(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: skipping the full-dataset reads")
	}
	mnist, err := FindMNIST()
	if errors.Is(err, ErrNotFound) {
		t.Logf("skipping MNIST: %v", err)
	} else if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, dir string
		split     Split
		n         int
		first     string
	}{
		{"mnist-train", mnist, Train, 60000, "[5 0 4 1 9 2 1 3]"},
		{"mnist-test", mnist, Test, 10000, "[7 2 1 0 4 1 4 9]"},
		{"fashion-train", FashionMNISTDir, Train, 60000, "[9 0 0 3 0 2 7 2]"},
		{"fashion-test", FashionMNISTDir, Test, 10000, "[9 2 1 1 6 1 4 6]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.dir == "" {
				testenv.Missing(t, "MNIST module not in the module cache (go mod download)")
			}
			if _, err := os.Stat(tc.dir); err != nil {
				testenv.Missing(t, "%s absent (install the Debian package dataset-fashion-mnist): %v", tc.dir, err)
			}
			d, err := LoadDir(tc.dir, tc.split)
			require.NoError(t, err)
			first := make([]int, 8)
			for i := range first {
				first[i] = int(d.Labels[i])
			}
			if d.N != tc.n || d.Rows != 28 || d.Cols != 28 || fmt.Sprint(first) != tc.first {
				t.Fatalf("N=%d %dx%d first labels %v; want %d 28x28 %s", d.N, d.Rows, d.Cols, first, tc.n, tc.first)
			}
			for c, n := range d.ClassCounts() {
				if n < tc.n/20 {
					t.Fatalf("class %d has only %d samples", c, n)
				}
			}
		})
	}
}

func FuzzReadIDX(f *testing.F) {
	f.Add([]byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4})
	f.Add([]byte{0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := ReadIDX(bytes.NewReader(b))
		if err != nil {
			return
		}
		n := 1
		for _, d := range x.Dims {
			n *= d
		}
		if n != len(x.Data) {
			t.Fatalf("dims %v but %d bytes", x.Dims, len(x.Data))
		}
	})
}

func TestFindMNISTUsesGOMODCACHE(t *testing.T) {
	dir := t.TempDir()
	data := dir + "/github.com/petar/!go!m!n!i!s!t@" + GoMNISTVersion + "/data"
	require.NoError(t, os.MkdirAll(data, 0o755))
	require.NoError(t, os.WriteFile(data+"/t10k-labels-idx1-ubyte.gz", nil, 0o644))
	t.Setenv("GOMODCACHE", dir)
	got, err := FindMNIST()
	if err != nil || got != data {
		t.Fatalf("FindMNIST() = %q, %v; want %q", got, err, data)
	}
}
