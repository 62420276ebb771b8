package plots

import (
	"image"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLinesLogXErrorBars: on a log x axis, points a decade apart are equally spaced; error
// bars extend a series' colour vertically around its points in proportion to their size; a
// marker-only series draws no joining line; a dashed series draws fewer pixels than a solid
// one.
func TestLinesLogXErrorBars(t *testing.T) {
	o := LinesOptions{Title: "front", XLabel: "parameters", YLabel: "accuracy", LogX: true}
	draw := func(s ...Series) image.Image {
		b, err := Lines(s, o)
		require.NoError(t, err)
		return decode(t, b)
	}
	// Markers only, three points a decade apart, at the same height: the blue blobs are
	// equally spaced.
	img := draw(Series{Name: "q", X: []float64{10, 100, 1000}, Y: []float64{1, 1, 1}, Markers: true},
		Series{Name: "ref", X: []float64{10, 1000}, Y: []float64{0, 2}})
	var cols []int
	bb := img.Bounds()
	in := false
	for x := bb.Min.X; x < bb.Max.X; x++ {
		found := false
		for y := bb.Min.Y + bb.Dy()/8; y < bb.Max.Y; y++ { // below the legend
			if near(img.At(x, y), blue, 2) {
				found = true
				break
			}
		}
		if found && !in {
			cols = append(cols, x)
		}
		in = found
	}
	require.Len(t, cols, 3, "three separate markers, no line between them")
	assert.InDelta(t, cols[1]-cols[0], cols[2]-cols[1], 2, "a decade is the same width everywhere")

	// Error bars: the series' vertical extent grows with them.
	span := func(e float64) int {
		img := draw(Series{Name: "q", X: []float64{10, 100}, Y: []float64{1, 1}, YErr: []float64{e, e}, Markers: true},
			Series{Name: "ref", X: []float64{10, 100}, Y: []float64{-2, 4}})
		box, _ := extent(img, blue, 2)
		return box.Dy()
	}
	s0, s1, s2 := span(0), span(0.5), span(1)
	assert.Greater(t, s1, s0+10)
	assert.InDelta(t, 2*(s1-s0), s2-s0, 4, "the bar's length is proportional to the error")

	// Dashed draws fewer pixels than solid.
	count := func(dashed bool) int {
		_, n := extent(draw(Series{Name: "h", X: []float64{10, 1000}, Y: []float64{1, 1}, Dashed: dashed}), blue, 2)
		return n
	}
	assert.Less(t, float64(count(true)), 0.8*float64(count(false)))
}

// TestLinesHeadroom: headroom raises the top of the y axis, so the data sit lower.
func TestLinesHeadroom(t *testing.T) {
	top := func(h float64) int {
		b, err := Lines([]Series{{Name: "a", X: []float64{1, 2}, Y: []float64{0, 1}}}, LinesOptions{Title: "t", XLabel: "x", YLabel: "y", Headroom: h})
		require.NoError(t, err)
		img := decode(t, b)
		// The highest blue pixel of the left half (the legend is at the right).
		bb := img.Bounds()
		for y := bb.Min.Y; y < bb.Max.Y; y++ {
			for x := bb.Min.X; x < bb.Dx()/2; x++ {
				if near(img.At(x, y), blue, 2) {
					return y
				}
			}
		}
		return -1
	}
	assert.Greater(t, top(1), top(0)+50)
}

func TestLinesOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Series
		o    LinesOptions
		want string
	}{
		{"log x of zero", Series{X: []float64{0, 1}, Y: []float64{1, 2}}, LinesOptions{LogX: true}, "x = 0"},
		{"error bars count", Series{X: []float64{1, 2}, Y: []float64{1, 2}, YErr: []float64{1}}, LinesOptions{}, "1 error bars for 2 points"},
		{"negative error", Series{X: []float64{1}, Y: []float64{1}, YErr: []float64{-1}}, LinesOptions{}, "error bar -1"},
		{"NaN error", Series{X: []float64{1}, Y: []float64{1}, YErr: []float64{math.NaN()}}, LinesOptions{}, "error bar NaN"},
		{"log y below zero", Series{X: []float64{1}, Y: []float64{1}, YErr: []float64{2}}, LinesOptions{LogY: true}, "y − error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Title, tc.o.XLabel, tc.o.YLabel = "t", "x", "y"
			_, err := Lines([]Series{tc.s}, tc.o)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestLinesLegendRight: the legend moves to a column right of the axes. The x axis is the
// longest run of dark pixels in a row; with LegendRight the series' colour (the legend's
// thumbnail) appears more than 20 pixels right of its end, and without it (the legend
// inside the axes, the margin beyond) it does not.
func TestLinesLegendRight(t *testing.T) {
	for _, right := range []bool{false, true} {
		b, err := Lines([]Series{{Name: "a series", X: []float64{1, 2}, Y: []float64{0, 1}}, {Name: "b", X: []float64{1, 2}, Y: []float64{1, 0}}},
			LinesOptions{Title: "t", XLabel: "x", YLabel: "y", LegendRight: right})
		require.NoError(t, err)
		img := decode(t, b)
		bb := img.Bounds()
		width := 8
		if right {
			width = 10
		}
		assert.Equal(t, width*DPI, bb.Dx(), "width in pixels, legend right %v", right)
		dark := func(x, y int) bool {
			r, g, b, _ := img.At(x, y).RGBA()
			return r>>8 < 150 && g>>8 < 150 && b>>8 < 150
		}
		axisEnd, longest := 0, 0
		for y := bb.Min.Y; y < bb.Max.Y; y++ {
			for x := bb.Min.X; x < bb.Max.X; {
				if !dark(x, y) {
					x++
					continue
				}
				x0 := x
				for x < bb.Max.X && dark(x, y) {
					x++
				}
				if x-x0 > longest {
					longest, axisEnd = x-x0, x
				}
			}
		}
		require.Greater(t, longest, bb.Dx()/2, "no x axis found")
		bx, by := -1, -1
		for y := bb.Min.Y; y < bb.Max.Y && bx < 0; y++ {
			for x := axisEnd + 20; x < bb.Max.X; x++ {
				if near(img.At(x, y), blue, 2) {
					bx, by = x, y
					break
				}
			}
		}
		assert.Equal(t, right, bx >= 0, "series colour 20 pixels right of the x axis (which ends at x = %d of %d) at (%d, %d), LegendRight %v", axisEnd, bb.Dx(), bx, by, right)
	}
}
