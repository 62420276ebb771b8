package plots

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("not a PNG signature: % x", b[:min(8, len(b))])
	}
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err, "decoding PNG")
	return img
}

// near reports whether c is within tol (per 8-bit channel) of want.
func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(x uint32, y uint8) bool { return math.Abs(float64(int(x>>8)-int(y))) <= float64(tol) }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

// extent returns the bounding box and count of the pixels near want.
func extent(img image.Image, want color.RGBA, tol int) (image.Rectangle, int) {
	bb := img.Bounds()
	box := image.Rectangle{Min: bb.Max, Max: bb.Min}
	n := 0
	for y := bb.Min.Y; y < bb.Max.Y; y++ {
		for x := bb.Min.X; x < bb.Max.X; x++ {
			if near(img.At(x, y), want, tol) {
				n++
				box.Min.X, box.Min.Y = min(box.Min.X, x), min(box.Min.Y, y)
				box.Max.X, box.Max.Y = max(box.Max.X, x+1), max(box.Max.Y, y+1)
			}
		}
	}
	return box, n
}

func TestHistogramBars(t *testing.T) {
	// Two bars, values 1 and 3: the second bar is three times as tall and to the right.
	b, err := Histogram([]Bar{{"00", 1}, {"11", 3}}, HistogramOptions{Title: "Bell", XLabel: "outcome", YLabel: "shots"})
	require.NoError(t, err)
	img := decode(t, b)
	if got := img.Bounds().Size(); got != (image.Point{8 * DPI, 5 * DPI}) {
		t.Fatalf("size %v, want %dx%d", got, 8*DPI, 5*DPI)
	}
	// Measure each bar: the columns of blue pixels split into two runs.
	bb := img.Bounds()
	type run struct{ x0, x1, top, bottom int }
	var runs []run
	in := false
	for x := bb.Min.X; x < bb.Max.X; x++ {
		top, bottom := -1, -1
		for y := bb.Min.Y; y < bb.Max.Y; y++ {
			if near(img.At(x, y), blue, 2) {
				if top < 0 {
					top = y
				}
				bottom = y
			}
		}
		switch {
		case top >= 0 && !in:
			runs = append(runs, run{x0: x, x1: x, top: top, bottom: bottom})
			in = true
		case top >= 0:
			r := &runs[len(runs)-1]
			r.x1, r.top, r.bottom = x, min(r.top, top), max(r.bottom, bottom)
		default:
			in = false
		}
	}
	if len(runs) != 2 {
		t.Fatalf("found %d blue bars, want 2: %+v", len(runs), runs)
	}
	h0 := float64(runs[0].bottom - runs[0].top + 1)
	h1 := float64(runs[1].bottom - runs[1].top + 1)
	if r := h1 / h0; math.Abs(r-3) > 0.05 {
		t.Errorf("bar heights %v and %v: ratio %.3f, want 3", h0, h1, r)
	}
	if runs[0].bottom != runs[1].bottom {
		t.Errorf("bars do not share a baseline: %d vs %d", runs[0].bottom, runs[1].bottom)
	}
}

func TestHistogramManyBars(t *testing.T) {
	var bars []Bar
	for i := range 300 {
		bars = append(bars, Bar{Label: "x", Value: float64(i % 7)})
	}
	b, err := Histogram(bars, HistogramOptions{Title: "many", XLabel: "outcome", YLabel: "probability"})
	require.NoError(t, err)
	decode(t, b)
}

func TestHeatMapOrientation(t *testing.T) {
	// [[1, 0], [0, −1]]: the +1 (red) cell is above and left of the −1 (blue) cell.
	red := color.RGBA{R: 178, G: 24, B: 43, A: 255}
	blu := color.RGBA{R: 33, G: 102, B: 172, A: 255}
	b, err := HeatMap(2, 2, []float64{1, 0, 0, -1}, nil, HeatMapOptions{Title: "Z"})
	require.NoError(t, err)
	img := decode(t, b)
	rb, rn := extent(img, red, 6)
	bb, bn := extent(img, blu, 6)
	if rn < 1000 || bn < 1000 {
		t.Fatalf("red %d and blue %d pixels; want two large cells", rn, bn)
	}
	// The colour bar also holds both colours (red at its top, blue at its bottom): look only
	// at the left 6 inches (the panel).
	sub := img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(0, 0, 6*DPI, img.Bounds().Max.Y))
	rb, _ = extent(sub, red, 6)
	bb, _ = extent(sub, blu, 6)
	if !(rb.Max.X <= bb.Min.X+1 && rb.Max.Y <= bb.Min.Y+1) {
		t.Errorf("the +1 cell %v is not above-left of the −1 cell %v", rb, bb)
	}
	// The cells are square-ish halves of the data area.
	if dx, dy := rb.Dx(), bb.Dx(); math.Abs(float64(dx-dy)) > 2 {
		t.Errorf("cell widths %d and %d differ", dx, dy)
	}
}

func TestHeatMapComplex(t *testing.T) {
	// A complex matrix gets two panels and is wider than a real one.
	z := []complex128{1, 1i, -1i, -1}
	b, err := HeatMap(2, 2, nil, z, HeatMapOptions{Title: "U"})
	require.NoError(t, err)
	img := decode(t, b)
	r, err := HeatMap(2, 2, []float64{1, 0, 0, 1}, nil, HeatMapOptions{Title: "U"})
	require.NoError(t, err)
	if w, rw := img.Bounds().Dx(), decode(t, r).Bounds().Dx(); w <= rw+4*DPI {
		t.Errorf("complex heat map %d px wide, real %d: want a second panel", w, rw)
	}
}

func TestLines(t *testing.T) {
	b, err := Lines([]Series{
		{Name: "Quantum-PEFT", X: []float64{0, 1, 2}, Y: []float64{1, 0.5, 0.25}},
		{Name: "LoRA", X: []float64{0, 1, 2}, Y: []float64{1, 0.4, 0.1}},
	}, LinesOptions{Title: "loss", XLabel: "step", YLabel: "MSE", LogY: true})
	require.NoError(t, err)
	img := decode(t, b)
	if _, n := extent(img, seriesColors[1].(color.RGBA), 2); n < 50 {
		t.Errorf("second series: %d orange pixels", n)
	}
}

func TestDeterministic(t *testing.T) {
	mk := func() []byte {
		b, err := HeatMap(3, 2, []float64{0.1, -0.2, 0.3, 0.4, -0.5, 0.6}, nil, HeatMapOptions{Title: "t"})
		require.NoError(t, err)
		return b
	}
	if !bytes.Equal(mk(), mk()) {
		t.Error("the same heat map gave different bytes")
	}
}

func TestErrors(t *testing.T) {
	h := HistogramOptions{Title: "t", XLabel: "x", YLabel: "y"}
	for _, tc := range []struct {
		name string
		fn   func() error
		want string
	}{
		{"no title", func() error {
			_, err := Histogram([]Bar{{"a", 1}}, HistogramOptions{XLabel: "x", YLabel: "y"})
			return err
		}, "title"},
		{"no labels", func() error { _, err := Histogram([]Bar{{"a", 1}}, HistogramOptions{Title: "t"}); return err }, "labels"},
		{"no bars", func() error { _, err := Histogram(nil, h); return err }, "no bars"},
		{"negative bar", func() error { _, err := Histogram([]Bar{{"a", -1}}, h); return err }, `"a"`},
		{"NaN bar", func() error { _, err := Histogram([]Bar{{"a", math.NaN()}}, h); return err }, "finite"},
		{"heat map shape", func() error { _, err := HeatMap(2, 2, []float64{1}, nil, HeatMapOptions{Title: "t"}); return err }, "needs 4 entries"},
		{"heat map both", func() error {
			_, err := HeatMap(1, 1, []float64{1}, []complex128{1}, HeatMapOptions{Title: "t"})
			return err
		}, "exactly one"},
		{"heat map too big", func() error { _, err := HeatMap(4096, 4096, nil, nil, HeatMapOptions{Title: "t"}); return err }, "fewer columns"},
		{"heat map inf", func() error {
			_, err := HeatMap(1, 1, []float64{math.Inf(1)}, nil, HeatMapOptions{Title: "t"})
			return err
		}, "not finite"},
		{"lines unnamed", func() error {
			_, err := Lines([]Series{{X: []float64{1}, Y: []float64{1}}, {X: []float64{1}, Y: []float64{1}}}, LinesOptions{Title: "t", XLabel: "x", YLabel: "y"})
			return err
		}, "names"},
		{"lines log zero", func() error {
			_, err := Lines([]Series{{X: []float64{1}, Y: []float64{0}}}, LinesOptions{Title: "t", XLabel: "x", YLabel: "y", LogY: true})
			return err
		}, "log scale"},
		{"lines lengths", func() error {
			_, err := Lines([]Series{{X: []float64{1, 2}, Y: []float64{0}}}, LinesOptions{Title: "t", XLabel: "x", YLabel: "y"})
			return err
		}, "same number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.fn()
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	b, err := Histogram([]Bar{{"0", 1}}, HistogramOptions{Title: "t", XLabel: "x", YLabel: "y"})
	require.NoError(t, err)
	path := filepath.Join(dir, "h.png")
	require.NoError(t, WriteFile(path, b))
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, b) {
		t.Fatalf("read back %d bytes (err %v), want %d", len(got), err, len(b))
	}
	if err := WriteFile(filepath.Join(dir, "missing", "h.png"), b); err == nil || !strings.Contains(err.Error(), "h.png") {
		t.Errorf("write into a missing directory: %v", err)
	}
}
