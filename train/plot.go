package train

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Curves draws a run's training curves as a PNG: loss (left) and accuracy (right) against the
// optimisation step, the training values averaged over Config.LogEvery steps and the test
// values after every epoch.
func Curves(m *Metrics) ([]byte, error) {
	loss := plot.New()
	loss.Title.Text = "loss — " + m.Label
	loss.X.Label.Text = "step"
	loss.Y.Label.Text = "cross-entropy"
	acc := plot.New()
	acc.Title.Text = "accuracy — " + m.Label
	acc.X.Label.Text = "step"
	acc.Y.Label.Text = "accuracy (%)"
	blue := color.RGBA{R: 31, G: 119, B: 180, A: 255}
	orange := color.RGBA{R: 255, G: 127, B: 14, A: 255}
	grey := color.RGBA{R: 120, G: 120, B: 120, A: 255}

	add := func(p *plot.Plot, xys plotter.XYs, c color.Color, name string, points bool) error {
		if len(xys) == 0 {
			return nil
		}
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return err
		}
		l.Color = c
		l.Width = vg.Points(1.5)
		p.Add(l)
		if points || len(xys) == 1 {
			s.Color = c
			s.Radius = vg.Points(2.5)
			p.Add(s)
			p.Legend.Add(name, l, s)
		} else {
			p.Legend.Add(name, l)
		}
		return nil
	}
	var trL, trA, teL, teA plotter.XYs
	for _, c := range m.Curve {
		trL = append(trL, plotter.XY{X: float64(c.Step), Y: c.Loss})
		trA = append(trA, plotter.XY{X: float64(c.Step), Y: 100 * c.Accuracy})
	}
	if m.ZeroShot != nil && len(m.Epochs) > 0 {
		teL = append(teL, plotter.XY{X: 0, Y: m.ZeroShot.Loss})
		teA = append(teA, plotter.XY{X: 0, Y: 100 * m.ZeroShot.Accuracy})
	}
	for _, e := range m.Epochs {
		teL = append(teL, plotter.XY{X: float64(e.Step), Y: e.TestLoss})
		teA = append(teA, plotter.XY{X: float64(e.Step), Y: 100 * e.TestAccuracy})
	}
	if len(m.Epochs) == 0 && m.ZeroShot != nil {
		teA = append(teA, plotter.XY{X: 0, Y: 100 * m.ZeroShot.Accuracy})
		teL = append(teL, plotter.XY{X: 0, Y: m.ZeroShot.Loss})
	}
	// Cross-entropy starts orders of magnitude above where it ends (a new head on raw
	// features), so the loss panel is logarithmic whenever every value is positive.
	logLoss := len(trL)+len(teL) > 0
	for _, xy := range append(append(plotter.XYs{}, trL...), teL...) {
		if !(xy.Y > 0) {
			logLoss = false
		}
	}
	if logLoss {
		loss.Y.Scale = plot.LogScale{}
		loss.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		loss.Y.Label.Text = "cross-entropy (log scale)"
	}
	for _, s := range []struct {
		p      *plot.Plot
		xy     plotter.XYs
		c      color.Color
		name   string
		points bool
	}{
		{loss, trL, blue, "train (moving mean)", false}, {loss, teL, orange, "test", true},
		{acc, trA, blue, "train (moving mean)", false}, {acc, teA, orange, "test", true},
	} {
		if err := add(s.p, s.xy, s.c, s.name, s.points); err != nil {
			return nil, fmt.Errorf("train: curves: %w", err)
		}
	}
	for _, p := range []*plot.Plot{loss, acc} {
		p.Add(plotter.NewGrid())
		p.Legend.Top = true
		p.Legend.TextStyle.Color = grey
	}
	loss.Legend.Top = true
	acc.Legend.Top = false
	acc.Legend.Left = false

	const w, h = 12 * vg.Inch, 4.5 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	t := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2, PadTop: vg.Millimeter * 2,
		PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	cs := plot.Align([][]*plot.Plot{{loss, acc}}, t, dc)
	loss.Draw(cs[0][0])
	acc.Draw(cs[0][1])
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("train: curves: %w", err)
	}
	return buf.Bytes(), nil
}
