package data

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/qpeft/qpeft/formats/npy"
)

// MaxClasses is the largest number of classes an image dataset may have (labels are bytes).
const MaxClasses = 256

// npzSplits are the array names an NPZ image dataset may hold: x and y (one set, split by
// StratifiedSplit), or x_train, y_train, x_test, y_test and optionally x_val, y_val
// (x_validation, y_validation).
var npzSplits = map[string]string{
	"x": "all", "y": "all",
	"x_train": "train", "y_train": "train", "x_test": "test", "y_test": "test",
	"x_val": "validation", "y_val": "validation", "x_validation": "validation", "y_validation": "validation",
}

// LoadNPZ reads an image classification dataset from a NumPy .npz archive (numpy.savez or
// savez_compressed). It holds either two arrays, x (images) and y (labels), which are
// divided by a seeded stratified split ([StratifiedSplit], 80/10/10), or the splits
// themselves: x_train, y_train, x_test, y_test and optionally x_val, y_val.
//
// Images (x) are uint8 pixels 0..255, integer arrays with values in 0..255, or float arrays
// with values in [0, 1] (multiplied by 255 and rounded to bytes, the precision of the other
// image formats); of shape (N, H, W) (grayscale), (N, H, W, C) (channels last, C = 1 or 3,
// as numpy and PIL store images), (N, C, H, W) (channels first, C = 1 or 3) or (N, D)
// (flat vectors, read as 1 × D images). Labels (y) are integers in [0, 256) of shape (N)
// or (N, 1); the classes are 0..max(y_train), and every one of them needs training
// examples.
func LoadNPZ(path string, seed uint64) (*Splits, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("data: %s is not a regular file (an .npz archive)", path)
	}
	s, err := ReadNPZ(f, st.Size(), seed)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	return s, nil
}

// ReadNPZ is [LoadNPZ] on an archive of the given size read from r.
func ReadNPZ(r io.ReaderAt, size int64, seed uint64) (*Splits, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not an .npz archive (numpy.savez writes a zip file): %w", err)
	}
	arrays := map[string]*zip.File{}
	var total float64
	for _, zf := range zr.File {
		key, ok := strings.CutSuffix(zf.Name, ".npy")
		if !ok {
			return nil, fmt.Errorf("member %q is not an .npy array", zf.Name)
		}
		if _, known := npzSplits[key]; !known {
			return nil, fmt.Errorf("unexpected array %q: an image dataset holds x and y, or x_train, y_train, x_test, y_test (and optionally x_val, y_val)", key)
		}
		if _, dup := arrays[key]; dup {
			return nil, fmt.Errorf("array %q appears twice", key)
		}
		arrays[key] = zf
		total += float64(zf.UncompressedSize64)
	}
	// The arrays as read, plus the images as bytes.
	if err := CheckMemory("the arrays of the archive", 2*total); err != nil {
		return nil, err
	}
	has := func(k string) bool { _, ok := arrays[k]; return ok }
	val := ""
	switch {
	case has("x_val") && has("x_validation"):
		return nil, fmt.Errorf("both x_val and x_validation are present; keep one")
	case has("x_val") || has("y_val"):
		val = "val"
	case has("x_validation") || has("y_validation"):
		val = "validation"
	}
	var parts []string
	switch {
	case has("x") || has("y"):
		if has("x_train") || has("x_test") || val != "" {
			return nil, fmt.Errorf("holds both x/y and per-split arrays; give either x and y, or x_train, y_train, x_test, y_test")
		}
		parts = []string{""}
	case has("x_train") || has("y_train") || has("x_test") || has("y_test"):
		parts = []string{"_train", "_test"}
		if val != "" {
			parts = append(parts, "_"+val)
		}
	default:
		keys := slices.Sorted(maps.Keys(arrays))
		return nil, fmt.Errorf("no image arrays (it has %v); an image dataset holds x and y, or x_train, y_train, x_test, y_test", keys)
	}
	sets := make([]*Dataset, len(parts))
	for i, p := range parts {
		for _, k := range []string{"x" + p, "y" + p} {
			if !has(k) {
				return nil, fmt.Errorf("array %s is missing (it goes with %s)", k, map[bool]string{true: "y" + p, false: "x" + p}[k[0] == 'x'])
			}
		}
		x, err := readMember(arrays["x"+p])
		if err != nil {
			return nil, fmt.Errorf("x%s: %w", p, err)
		}
		y, err := readMember(arrays["y"+p])
		if err != nil {
			return nil, fmt.Errorf("y%s: %w", p, err)
		}
		if sets[i], err = npzDataset(x, y, "x"+p, "y"+p); err != nil {
			return nil, err
		}
	}
	// Classes: 0..max of the training labels; the other parts may not use others.
	classes := 0
	for _, l := range sets[0].Labels {
		classes = max(classes, int(l)+1)
	}
	for i, d := range sets {
		d.Classes = classes
		if i == 0 {
			continue
		}
		if d.Rows != sets[0].Rows || d.Cols != sets[0].Cols || d.C() != sets[0].C() {
			return nil, fmt.Errorf("x%s holds %v images but x%s %v; every split needs the same image shape", parts[i], d.Shape(), parts[0], sets[0].Shape())
		}
		for j, l := range d.Labels {
			if int(l) >= classes {
				return nil, fmt.Errorf("y%s[%d] = %d is an unknown label: y%s has the classes 0..%d (relabel, or add training examples of class %d)", parts[i], j, l, parts[0], classes-1, l)
			}
		}
	}
	if len(parts) == 1 {
		return splitOne(sets[0], seed)
	}
	s := &Splits{Train: sets[0], Test: sets[1], How: "given by the archive (x_train, x_test)"}
	if len(sets) == 3 {
		s.Validation = sets[2]
		s.How = fmt.Sprintf("given by the archive (x_train, x_%s, x_test)", val)
	}
	if err := s.checkClasses("y_train"); err != nil {
		return nil, err
	}
	return s, nil
}

// readMember reads one .npy member of an archive, refusing one that inflates beyond the
// size its zip entry declares.
func readMember(zf *zip.File) (*npy.Array, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	a, err := npy.Read(io.LimitReader(rc, int64(min(zf.UncompressedSize64, math.MaxInt64-1))))
	if err != nil {
		if strings.Contains(err.Error(), `dtype "|O"`) {
			return nil, fmt.Errorf("%w: an object array (ragged images, or mixed types); store the images as one array of equal-sized images (uint8)", err)
		}
		return nil, err
	}
	return a, nil
}

// npzDataset converts an image array and a label array into a Dataset (Classes unset).
func npzDataset(x, y *npy.Array, xn, yn string) (*Dataset, error) {
	if len(x.Shape) < 2 || len(x.Shape) > 4 {
		return nil, fmt.Errorf("%s has shape %v; want (N, H, W), (N, H, W, C), (N, C, H, W) or (N, D)", xn, x.Shape)
	}
	n := x.Shape[0]
	if n == 0 {
		return nil, fmt.Errorf("%s holds no images", xn)
	}
	if !(len(y.Shape) == 1 || len(y.Shape) == 2 && y.Shape[1] == 1) || y.Shape[0] != n {
		return nil, fmt.Errorf("%s has shape %v but %s holds %d images; want (%d,) or (%d, 1)", yn, y.Shape, xn, n, n, n)
	}
	d := &Dataset{N: n, Channels: 1}
	chLast := false
	switch s := x.Shape; len(s) {
	case 2:
		d.Rows, d.Cols = 1, s[1]
	case 3:
		d.Rows, d.Cols = s[1], s[2]
	case 4:
		switch {
		case s[3] == 1 || s[3] == 3:
			d.Channels, d.Rows, d.Cols, chLast = s[3], s[1], s[2], true
		case s[1] == 1 || s[1] == 3:
			d.Channels, d.Rows, d.Cols = s[1], s[2], s[3]
		default:
			return nil, fmt.Errorf("%s has shape %v: neither its last nor its second axis has 1 or 3 channels (grayscale or RGB)", xn, s)
		}
	}
	px := d.PixelsPerImage()
	if px == 0 {
		return nil, fmt.Errorf("%s has shape %v: images of no pixels", xn, x.Shape)
	}
	pix := make([]byte, x.Len())
	var bad error
	conv := func(i int, v float64, float bool) {
		if bad != nil {
			return
		}
		if float {
			if !(v >= 0 && v <= 1) {
				bad = fmt.Errorf("%s: element %d is %v; float pixels must lie in [0, 1] (store uint8 pixels 0..255, or divide by 255)", xn, i, v)
				return
			}
			pix[i] = byte(math.Round(v * 255))
			return
		}
		if v < 0 || v > 255 {
			bad = fmt.Errorf("%s: element %d is %v; integer pixels must lie in 0..255", xn, i, v)
			return
		}
		pix[i] = byte(v)
	}
	switch v := x.Data.(type) {
	case []uint8:
		copy(pix, v)
	case []int64:
		for i, e := range v {
			conv(i, float64(e), false)
		}
	case []int32:
		for i, e := range v {
			conv(i, float64(e), false)
		}
	case []float32:
		for i, e := range v {
			conv(i, float64(e), true)
		}
	case []float64:
		for i, e := range v {
			conv(i, e, true)
		}
	default:
		return nil, fmt.Errorf("%s has dtype %s; images are uint8, int32, int64, float32 or float64", xn, x.DType)
	}
	if bad != nil {
		return nil, bad
	}
	if chLast && d.Channels > 1 {
		// (N, H, W, C) → (N, C, H, W).
		out := make([]byte, len(pix))
		hw := d.Rows * d.Cols
		for i := 0; i < n; i++ {
			src, dst := pix[i*px:(i+1)*px], out[i*px:(i+1)*px]
			for p := 0; p < hw; p++ {
				for c := 0; c < d.Channels; c++ {
					dst[c*hw+p] = src[p*d.Channels+c]
				}
			}
		}
		pix = out
	}
	d.Images = pix
	d.Labels = make([]byte, n)
	label := func(i int, v int64) error {
		if v < 0 || v >= MaxClasses {
			return fmt.Errorf("%s[%d] = %d: labels must be class indices 0..%d", yn, i, v, MaxClasses-1)
		}
		d.Labels[i] = byte(v)
		return nil
	}
	switch v := y.Data.(type) {
	case []uint8:
		copy(d.Labels, v)
	case []int64:
		for i, e := range v {
			if err := label(i, e); err != nil {
				return nil, err
			}
		}
	case []int32:
		for i, e := range v {
			if err := label(i, int64(e)); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("%s has dtype %s; labels are integers (uint8, int32 or int64 class indices)", yn, y.DType)
	}
	return d, nil
}

// WriteNPZ writes an uncompressed .npz archive holding the given uint8 image arrays and
// int64 label arrays (keys without ".npy"), as numpy.savez does; for tests and examples.
func WriteNPZ(w io.Writer, images map[string]*Dataset) error {
	zw := zip.NewWriter(w)
	keys := slices.Sorted(maps.Keys(images))
	for _, suffix := range keys {
		d := images[suffix]
		labels := make([]int64, d.N)
		for i, l := range d.Labels {
			labels[i] = int64(l)
		}
		var xb, yb bytes.Buffer
		if err := npy.Write(&xb, append([]int{d.N}, d.Shape()...), d.Images); err != nil {
			return err
		}
		if err := npy.Write(&yb, []int{d.N}, labels); err != nil {
			return err
		}
		for _, m := range []struct {
			name string
			b    []byte
		}{{"x" + suffix, xb.Bytes()}, {"y" + suffix, yb.Bytes()}} {
			fw, err := zw.CreateHeader(&zip.FileHeader{Name: m.name + ".npy", Method: zip.Store})
			if err != nil {
				return err
			}
			if _, err := fw.Write(m.b); err != nil {
				return err
			}
		}
	}
	return zw.Close()
}
