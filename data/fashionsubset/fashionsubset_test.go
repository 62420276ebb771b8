package fashionsubset

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/internal/testenv"
	"github.com/stretchr/testify/require"
)

var regenerate = flag.Bool("regenerate", false, "rewrite the embedded subset from "+data.FashionMNISTDir)

func splits() []data.Split { return []data.Split{data.Train, data.Test} }

func fullSplit(t *testing.T, split data.Split) *data.Dataset {
	t.Helper()
	if _, err := os.Stat(data.FashionMNISTDir); err != nil {
		testenv.Missing(t, "full Fashion-MNIST absent (apt-get install dataset-fashion-mnist): %v", err)
	}
	full, err := data.LoadDir(data.FashionMNISTDir, split)
	require.NoError(t, err)
	return full
}

// TestRegenerate writes the embedded files when run with -regenerate.
func TestRegenerate(t *testing.T) {
	if !*regenerate {
		t.Skip("run with -regenerate to rewrite the embedded files")
	}
	for _, split := range splits() {
		sub, err := Select(fullSplit(t, split), split)
		require.NoError(t, err)
		prefix := map[data.Split]string{data.Train: "train", data.Test: "t10k"}[split]
		var im, lb bytes.Buffer
		require.NoError(t, data.WriteIDX(&im, []int{sub.N, sub.Rows, sub.Cols}, sub.Images, true))
		require.NoError(t, data.WriteIDX(&lb, []int{sub.N}, sub.Labels, true))
		require.NoError(t, os.WriteFile(prefix+"-images-idx3-ubyte.gz", im.Bytes(), 0o644))
		require.NoError(t, os.WriteFile(prefix+"-labels-idx1-ubyte.gz", lb.Bytes(), 0o644))
		t.Logf("%s: %d images, %d + %d bytes", split, sub.N, im.Len(), lb.Len())
	}
}

func TestEmbeddedSubset(t *testing.T) {
	for _, tc := range []struct {
		split    data.Split
		perClass int
	}{{data.Train, TrainPerClass}, {data.Test, TestPerClass}} {
		d, err := Load(tc.split)
		require.NoError(t, err)
		if d.N != 10*tc.perClass || d.Rows != 28 || d.Cols != 28 {
			t.Fatalf("%s: N=%d %dx%d", tc.split, d.N, d.Rows, d.Cols)
		}
		for c, n := range d.ClassCounts() {
			if n != tc.perClass {
				t.Fatalf("%s: class %d has %d images, want %d", tc.split, c, n, tc.perClass)
			}
		}
	}
}

// TestEmbeddedMatchesSelection recomputes the selection from the full dataset (when
// installed) and compares it with the embedded files sample by sample.
func TestEmbeddedMatchesSelection(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	for _, split := range splits() {
		want, err := Select(fullSplit(t, split), split)
		require.NoError(t, err)
		got, err := Load(split)
		require.NoError(t, err)
		if !got.Equal(want) {
			t.Fatalf("%s: embedded subset differs from Select(full, %s)", split, split)
		}
	}
}
