package plots

import (
	"bytes"
	"image/color"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLinePanels: two panels side by side make a picture twice as wide as one, each panel
// showing its own series; an empty or invalid panel is an error naming the problem.
func TestLinePanels(t *testing.T) {
	loss := Panel{Series: []Series{{Name: "train", X: []float64{1, 2, 3}, Y: []float64{2, 1, 0.5}}, {Name: "test", X: []float64{3}, Y: []float64{0.7}}},
		LinesOptions: LinesOptions{Title: "loss", XLabel: "step", YLabel: "cross-entropy", LogY: true}}
	acc := Panel{Series: []Series{{Name: "train", X: []float64{1, 2, 3}, Y: []float64{50, 70, 80}}},
		LinesOptions: LinesOptions{Title: "accuracy", XLabel: "step", YLabel: "%"}}
	one, err := LinePanels([]Panel{loss})
	require.NoError(t, err)
	two, err := LinePanels([]Panel{loss, acc})
	require.NoError(t, err)
	a, err := png.Decode(bytes.NewReader(one))
	require.NoError(t, err)
	b, err := png.Decode(bytes.NewReader(two))
	require.NoError(t, err)
	assert.Equal(t, 6*DPI, a.Bounds().Dx())
	assert.Equal(t, 12*DPI, b.Bounds().Dx())
	assert.Equal(t, a.Bounds().Dy(), b.Bounds().Dy())
	// The test series (orange) appears only in the left panel.
	box, n := extent(b, seriesColors[1].(color.RGBA), 2)
	assert.Positive(t, n)
	assert.Less(t, box.Max.X, 6*DPI, "orange pixels only in the left panel")

	_, err = LinePanels(nil)
	assert.ErrorContains(t, err, "no panels")
	_, err = LinePanels([]Panel{loss, {LinesOptions: LinesOptions{Title: "t", XLabel: "x", YLabel: "y"}}})
	assert.ErrorContains(t, err, "no series")
}
