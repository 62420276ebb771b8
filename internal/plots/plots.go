// Package plots draws the pictures of qpeft's command-line tool and examples as PNG images:
// a bar chart of measurement outcomes or probabilities (Histogram), a heat map of a matrix
// (HeatMap, with a colour bar; complex matrices as a real-part and an imaginary-part panel)
// and line plots of training curves (Lines, or several side by side with LinePanels; optional
// log axes, error bars, dashed reference lines and marker-only series, as the accuracy
// against parameters plots of `qpeft train --front` use). Every picture has a title and
// labelled axes.
//
// The functions return the encoded PNG bytes; WriteFile writes them atomically (temporary
// file in the same directory, fsync, rename). Drawing is deterministic: the same data give
// the same bytes.
package plots

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/qpeft/qpeft/internal/atomicfile"
)

// DPI is the resolution of every PNG.
const DPI = 96

// MaxBars is the largest number of bars Histogram draws; with more outcomes it keeps the
// MaxBars largest and says so in the title.
const MaxBars = 64

// MaxHeatMapCells is the largest matrix HeatMap draws (rows·cols); a 2048 × 2048 unitary
// is allowed, larger ones are an error telling the caller to plot fewer columns.
const MaxHeatMapCells = 1 << 22

var (
	blue = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	grey = color.RGBA{R: 120, G: 120, B: 120, A: 255}
	// Tableau-like colours for the series of Lines.
	seriesColors = []color.Color{
		blue,
		color.RGBA{R: 255, G: 127, B: 14, A: 255},
		color.RGBA{R: 44, G: 160, B: 44, A: 255},
		color.RGBA{R: 214, G: 39, B: 40, A: 255},
		color.RGBA{R: 148, G: 103, B: 189, A: 255},
		color.RGBA{R: 140, G: 86, B: 75, A: 255},
		color.RGBA{R: 227, G: 119, B: 194, A: 255},
		color.RGBA{R: 188, G: 189, B: 34, A: 255},
		color.RGBA{R: 23, G: 190, B: 207, A: 255},
	}
)

// Bar is one bar of a histogram.
type Bar struct {
	Label string
	Value float64
}

// HistogramOptions describe a histogram's text.
type HistogramOptions struct {
	// Title is drawn above the plot; XLabel and YLabel name the axes (all three required).
	Title, XLabel, YLabel string
}

// Histogram draws bars (in the order given) as a PNG of 8 × 5 inches at DPI. Bars with more
// than MaxBars entries keep the MaxBars largest values (in their original order) and the
// title says how many were left out. Values must be finite and non-negative.
func Histogram(bars []Bar, o HistogramOptions) ([]byte, error) {
	if err := checkText(o.Title, o.XLabel, o.YLabel); err != nil {
		return nil, err
	}
	if len(bars) == 0 {
		return nil, errors.New("plots: histogram of no bars")
	}
	for _, b := range bars {
		if math.IsNaN(b.Value) || math.IsInf(b.Value, 0) || b.Value < 0 {
			return nil, fmt.Errorf("plots: histogram bar %q has value %v; want a finite value ≥ 0", b.Label, b.Value)
		}
	}
	title := o.Title
	if len(bars) > MaxBars {
		idx := make([]int, len(bars))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return bars[idx[a]].Value > bars[idx[b]].Value })
		keep := idx[:MaxBars]
		sort.Ints(keep)
		kept := make([]Bar, 0, MaxBars)
		for _, i := range keep {
			kept = append(kept, bars[i])
		}
		title = fmt.Sprintf("%s (the %d largest of %d)", o.Title, MaxBars, len(bars))
		bars = kept
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = o.XLabel
	p.Y.Label.Text = o.YLabel
	vals := make(plotter.Values, len(bars))
	names := make([]string, len(bars))
	top := 0.0
	for i, b := range bars {
		vals[i] = b.Value
		names[i] = b.Label
		top = max(top, b.Value)
	}
	const w, h = 8 * vg.Inch, 5 * vg.Inch
	plotWidth := w - 1.2*vg.Inch
	bw := min(vg.Points(40), plotWidth/vg.Length(len(bars))*0.8)
	bc, err := plotter.NewBarChart(vals, bw)
	if err != nil {
		return nil, fmt.Errorf("plots: histogram: %w", err)
	}
	bc.Color = blue
	bc.LineStyle.Width = 0
	p.Add(plotter.NewGrid())
	p.Add(bc)
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(bars))-0.5
	p.Y.Tick.Marker = compactTicks{}
	p.Y.Min = 0
	if top == 0 {
		top = 1
	}
	p.Y.Max = top * 1.08
	if len(bars) > 8 {
		// Rotate long rows of labels so that they do not overlap.
		p.X.Tick.Label.Rotation = math.Pi / 2
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	if len(bars) > 32 {
		p.X.Tick.Label.Font.Size = vg.Points(7)
	}
	// Value labels above the bars when there are few of them.
	if len(bars) <= 16 {
		labels := make([]string, len(bars))
		xys := make(plotter.XYs, len(bars))
		for i, b := range bars {
			labels[i] = formatValue(b.Value)
			xys[i] = plotter.XY{X: float64(i), Y: b.Value}
		}
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
		if err != nil {
			return nil, fmt.Errorf("plots: histogram: %w", err)
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign = draw.XCenter
			l.TextStyle[i].YAlign = draw.YBottom
			l.TextStyle[i].Color = grey
			l.TextStyle[i].Font.Size = vg.Points(9)
		}
		l.Offset = vg.Point{Y: vg.Points(2)}
		p.Add(l)
	}
	return render(w, h, func(dc draw.Canvas) { p.Draw(margin(dc)) })
}

// compactTicks are gonum's default ticks with labels printed without trailing zeros.
type compactTicks struct{}

func (compactTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', 6, 64)
		}
	}
	return ticks
}

// formatValue prints a bar's value compactly: integers as integers, others with 3 digits.
func formatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// HeatMapOptions describe a heat map.
type HeatMapOptions struct {
	// Title is drawn above the plot (required).
	Title string
	// XLabel and YLabel name the axes; they default to "column j" and "row i".
	XLabel, YLabel string
}

// HeatMap draws a rows × cols matrix (row-major: re, or z when re is nil) as a PNG: row 0 at
// the top as a matrix is written, a diverging palette (blue negative, white zero, red
// positive) symmetric about zero and a colour bar. A complex matrix gets two panels, the
// real and the imaginary part, on one colour scale. Exactly one of re and z must be given,
// with rows·cols entries, all finite.
func HeatMap(rows, cols int, re []float64, z []complex128, o HeatMapOptions) ([]byte, error) {
	if err := checkText(o.Title, "x", "y"); err != nil {
		return nil, err
	}
	if rows < 1 || cols < 1 {
		return nil, fmt.Errorf("plots: heat map of a %d × %d matrix", rows, cols)
	}
	if rows*cols > MaxHeatMapCells {
		return nil, fmt.Errorf("plots: a %d × %d matrix has %d entries, more than a heat map can show (%d); plot fewer columns (e.g. qpeft lower --form stiefel --k K)", rows, cols, rows*cols, MaxHeatMapCells)
	}
	if (re == nil) == (z == nil) {
		return nil, errors.New("plots: heat map needs exactly one of a real or a complex matrix")
	}
	if n := max(len(re), len(z)); n != rows*cols {
		return nil, fmt.Errorf("plots: heat map of %d × %d needs %d entries, got %d", rows, cols, rows*cols, n)
	}
	xl, yl := o.XLabel, o.YLabel
	if xl == "" {
		xl = "column j"
	}
	if yl == "" {
		yl = "row i"
	}
	var panels []panel
	if re != nil {
		panels = []panel{{title: o.Title, data: re}}
	} else {
		r, im := make([]float64, len(z)), make([]float64, len(z))
		for i, v := range z {
			r[i], im[i] = real(v), imag(v)
		}
		panels = []panel{{title: o.Title + " — real part", data: r}, {title: o.Title + " — imaginary part", data: im}}
	}
	m := 0.0
	for _, pn := range panels {
		for _, v := range pn.data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("plots: heat map entry %v is not finite", v)
			}
			m = max(m, math.Abs(v))
		}
	}
	if m == 0 {
		m = 1
	}
	pal := diverging(255)
	plots := make([]*plot.Plot, 0, len(panels)+1)
	for _, pn := range panels {
		g := grid{rows: rows, cols: cols, data: pn.data}
		hm := plotter.NewHeatMap(g, pal.Palette(255))
		hm.Min, hm.Max = -m, m
		// Rectangles per cell are exact; an image is scaled with smoothing, so it is used
		// only when there are more cells than pixels anyway.
		hm.Rasterized = rows > 256 || cols > 256
		p := plot.New()
		p.Title.Text = pn.title
		p.X.Label.Text = xl
		p.Y.Label.Text = yl
		p.Add(hm)
		p.X.Min, p.X.Max = -0.5, float64(cols)-0.5
		p.Y.Min, p.Y.Max = -0.5, float64(rows)-0.5
		p.X.Tick.Marker = indexTicks{n: cols}
		p.Y.Tick.Marker = indexTicks{n: rows, flip: true}
		plots = append(plots, p)
	}
	bar := plot.New()
	bar.Title.Text = "value"
	cb := &plotter.ColorBar{ColorMap: pal, Vertical: true}
	cb.ColorMap.SetMin(-m)
	cb.ColorMap.SetMax(m)
	bar.Add(cb)
	bar.HideX()
	bar.Y.Padding = 0
	bar.Y.Label.Text = "entry"
	plots = append(plots, bar)

	// Panels of about 6 × 5.5 inches plus a narrow colour bar.
	panelW, h := 6*vg.Inch, 5.6*vg.Inch
	barW := 1.3 * vg.Inch
	w := panelW*vg.Length(len(panels)) + barW
	return render(w, h, func(dc draw.Canvas) {
		x := dc.Min.X
		for i, p := range plots {
			cw := panelW
			if i == len(plots)-1 {
				cw = barW
			}
			c := draw.Crop(dc, x-dc.Min.X, x+cw-dc.Max.X, 0, 0)
			if i == len(plots)-1 {
				// Leave room so that the colour bar's height matches the panels' data area.
				c = draw.Crop(c, vg.Millimeter*4, -vg.Millimeter*4, vg.Millimeter*14, -vg.Millimeter*8)
			} else {
				c = draw.Crop(c, vg.Millimeter*2, -vg.Millimeter*3, vg.Millimeter*2, -vg.Millimeter*2)
			}
			p.Draw(c)
			x += cw
		}
	})
}

type panel struct {
	title string
	data  []float64
}

// grid adapts a row-major matrix to plotter.GridXYZ with row 0 drawn at the top.
type grid struct {
	rows, cols int
	data       []float64
}

func (g grid) Dims() (c, r int)   { return g.cols, g.rows }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }
func (g grid) Z(c, r int) float64 { return g.data[(g.rows-1-r)*g.cols+c] }

// indexTicks labels matrix indices 0..n−1 at a readable spacing (flip: index 0 at the top).
type indexTicks struct {
	n    int
	flip bool
}

func (t indexTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1
	for t.n/step > 8 {
		step *= 2
	}
	var ticks []plot.Tick
	for i := 0; i < t.n; i += step {
		pos := float64(i)
		if t.flip {
			pos = float64(t.n - 1 - i)
		}
		ticks = append(ticks, plot.Tick{Value: pos, Label: strconv.Itoa(i)})
	}
	return ticks
}

// diverging returns a blue–white–red palette of n colours.
func diverging(n int) palette.ColorMap {
	return &divergingMap{min: -1, max: 1, n: n}
}

// divergingMap is a blue–white–red palette.ColorMap.
type divergingMap struct {
	min, max float64
	n        int
	alpha    float64
}

func (d *divergingMap) At(v float64) (color.Color, error) {
	if v < d.min || v > d.max || math.IsNaN(v) {
		if math.IsNaN(v) || v < d.min-1e-12*math.Abs(d.min) || v > d.max+1e-12*math.Abs(d.max) {
			return nil, palette.ErrOverflow
		}
		v = math.Max(d.min, math.Min(d.max, v))
	}
	t := 0.0
	if d.max > d.min {
		t = 2*(v-d.min)/(d.max-d.min) - 1 // −1 … 1
	}
	lo := color.RGBA{R: 33, G: 102, B: 172, A: 255}   // blue
	hi := color.RGBA{R: 178, G: 24, B: 43, A: 255}    // red
	mid := color.RGBA{R: 247, G: 247, B: 247, A: 255} // near white
	mix := func(a, b color.RGBA, s float64) color.Color {
		f := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + s*(float64(y)-float64(x)))) }
		return color.RGBA{R: f(a.R, b.R), G: f(a.G, b.G), B: f(a.B, b.B), A: 255}
	}
	if t < 0 {
		return mix(mid, lo, -t), nil
	}
	return mix(mid, hi, t), nil
}
func (d *divergingMap) SetMax(v float64)              { d.max = v }
func (d *divergingMap) SetMin(v float64)              { d.min = v }
func (d *divergingMap) Max() float64                  { return d.max }
func (d *divergingMap) Min() float64                  { return d.min }
func (d *divergingMap) Alpha() float64                { return 1 }
func (d *divergingMap) SetAlpha(float64)              {}
func (d *divergingMap) Palette(n int) palette.Palette { return samplePalette{d, n} }

// samplePalette is n evenly spaced colours of a divergingMap.
type samplePalette struct {
	d *divergingMap
	n int
}

func (s samplePalette) Colors() []color.Color {
	out := make([]color.Color, s.n)
	for i := range out {
		v := s.d.min
		if s.n > 1 {
			v += (s.d.max - s.d.min) * float64(i) / float64(s.n-1)
		}
		out[i], _ = s.d.At(v)
	}
	return out
}

// Series is one line of a line plot.
type Series struct {
	// Name is shown in the legend (required when there are several series).
	Name string
	// X and Y are the points (same length, at least one, finite).
	X, Y []float64
	// YErr, when set, holds one half-width per point (finite, ≥ 0), drawn as a vertical
	// error bar Y ± YErr (e.g. the standard deviation over seeds).
	YErr []float64
	// Dashed draws the series as a dashed line without point markers (e.g. a reference
	// level such as a baseline without adapter parameters).
	Dashed bool
	// Markers draws only the points (and error bars), no line joining them: for points
	// that are not a sequence, such as one-factor-at-a-time variations of a setting.
	Markers bool
}

// LinesOptions describe a line plot.
type LinesOptions struct {
	// Title is drawn above the plot; XLabel and YLabel name the axes (all three required).
	Title, XLabel, YLabel string
	// LogY draws the y axis on a log scale (every Y must then be > 0).
	LogY bool
	// LogX draws the x axis on a log scale (every X must then be > 0).
	LogX bool
	// Headroom, when positive, extends the y axis above the highest point by this fraction
	// of the data's y range, leaving room for the legend (drawn at the top right) so that it
	// covers no point.
	Headroom float64
	// LegendRight draws the legend in a column to the right of the axes instead of inside
	// them (the PNG is 2 inches wider), so that it covers no point whatever the data's
	// range, and Headroom is not needed for it.
	LegendRight bool
}

// Lines draws one or more series as lines (with points when a series has at most 30) as a
// PNG of 8 × 5 inches at DPI.
func Lines(series []Series, o LinesOptions) ([]byte, error) {
	p, err := linePlot(series, o)
	if err != nil {
		return nil, err
	}
	if !o.LegendRight {
		return render(8*vg.Inch, 5*vg.Inch, func(dc draw.Canvas) { p.Draw(margin(dc)) })
	}
	leg := p.Legend
	p.Legend = plot.NewLegend() // an empty legend draws nothing
	return render(10*vg.Inch, 5*vg.Inch, func(dc draw.Canvas) {
		dc = margin(dc)
		w := leg.Rectangle(dc).Size().X + 4*vg.Millimeter
		p.Draw(draw.Crop(dc, 0, -w, 0, 0))
		leg.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-w+4*vg.Millimeter, 0, 0, 0))
	})
}

// Panel is one line plot of LinePanels.
type Panel struct {
	Series []Series
	LinesOptions
}

// LinePanels draws line plots side by side (each as Lines draws it) as one PNG, 6 inches
// wide per panel and 4.5 inches high, at DPI: e.g. the loss and accuracy curves of a
// training run.
func LinePanels(panels []Panel) ([]byte, error) {
	if len(panels) == 0 {
		return nil, errors.New("plots: no panels")
	}
	row := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		p, err := linePlot(pn.Series, pn.LinesOptions)
		if err != nil {
			return nil, err
		}
		row[i] = p
	}
	return render(vg.Length(len(panels))*6*vg.Inch, 4.5*vg.Inch, func(dc draw.Canvas) {
		t := draw.Tiles{Rows: 1, Cols: len(row), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2, PadTop: vg.Millimeter * 2,
			PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
		cs := plot.Align([][]*plot.Plot{row}, t, dc)
		for i, p := range row {
			p.Draw(cs[0][i])
		}
	})
}

// linePlot builds the plot of Lines.
func linePlot(series []Series, o LinesOptions) (*plot.Plot, error) {
	if err := checkText(o.Title, o.XLabel, o.YLabel); err != nil {
		return nil, err
	}
	if len(series) == 0 {
		return nil, errors.New("plots: line plot of no series")
	}
	p := plot.New()
	p.Title.Text = o.Title
	p.X.Label.Text = o.XLabel
	p.Y.Label.Text = o.YLabel
	p.Add(plotter.NewGrid())
	if o.LogY {
		// The y values are drawn as log10(y) on a linear axis whose ticks are labelled with
		// the values themselves (gonum's LogScale misplaces the axis label's box).
		p.Y.Tick.Marker = logTicks{}
	}
	if o.LogX {
		p.X.Tick.Marker = logTicks{}
	}
	for i, s := range series {
		if len(s.X) != len(s.Y) || len(s.X) == 0 {
			return nil, fmt.Errorf("plots: series %q has %d x and %d y values; want the same number, at least one", s.Name, len(s.X), len(s.Y))
		}
		if len(series) > 1 && s.Name == "" {
			return nil, fmt.Errorf("plots: series %d has no name; several series need names for the legend", i)
		}
		if s.YErr != nil && len(s.YErr) != len(s.Y) {
			return nil, fmt.Errorf("plots: series %q has %d error bars for %d points; want one per point", s.Name, len(s.YErr), len(s.Y))
		}
		xys := make(plotter.XYs, len(s.X))
		errs := make(plotter.YErrors, len(s.YErr))
		for j := range s.X {
			if math.IsNaN(s.X[j]) || math.IsInf(s.X[j], 0) || math.IsNaN(s.Y[j]) || math.IsInf(s.Y[j], 0) {
				return nil, fmt.Errorf("plots: series %q point %d (%v, %v) is not finite", s.Name, j, s.X[j], s.Y[j])
			}
			if o.LogY && s.Y[j] <= 0 {
				return nil, fmt.Errorf("plots: series %q point %d has y = %v; a log scale needs y > 0", s.Name, j, s.Y[j])
			}
			if o.LogX && s.X[j] <= 0 {
				return nil, fmt.Errorf("plots: series %q point %d has x = %v; a log scale needs x > 0", s.Name, j, s.X[j])
			}
			xys[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
			if o.LogY {
				xys[j].Y = math.Log10(s.Y[j])
			}
			if o.LogX {
				xys[j].X = math.Log10(s.X[j])
			}
			if s.YErr != nil {
				e := s.YErr[j]
				if math.IsNaN(e) || math.IsInf(e, 0) || e < 0 {
					return nil, fmt.Errorf("plots: series %q point %d has error bar %v; want a finite value ≥ 0", s.Name, j, e)
				}
				if o.LogY {
					if s.Y[j]-e <= 0 {
						return nil, fmt.Errorf("plots: series %q point %d: y − error = %v; a log scale needs it > 0", s.Name, j, s.Y[j]-e)
					}
					errs[j].Low, errs[j].High = xys[j].Y-math.Log10(s.Y[j]-e), math.Log10(s.Y[j]+e)-xys[j].Y
				} else {
					errs[j].Low, errs[j].High = e, e
				}
			}
		}
		c := seriesColors[i%len(seriesColors)]
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("plots: series %q: %w", s.Name, err)
		}
		l.Color = c
		l.Width = vg.Points(1.5)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
		}
		var thumbs []plot.Thumbnailer
		if !s.Markers {
			p.Add(l)
			thumbs = append(thumbs, l)
		}
		if s.YErr != nil {
			eb, err := plotter.NewYErrorBars(xyErrs{xys, errs})
			if err != nil {
				return nil, fmt.Errorf("plots: series %q: %w", s.Name, err)
			}
			eb.Color = c
			eb.Width = vg.Points(1)
			p.Add(eb)
		}
		if (len(xys) <= 30 || s.Markers) && !s.Dashed {
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, fmt.Errorf("plots: series %q: %w", s.Name, err)
			}
			sc.Color = c
			sc.Radius = vg.Points(2.5)
			sc.Shape = draw.CircleGlyph{}
			p.Add(sc)
			thumbs = append(thumbs, sc)
		}
		if s.Name != "" {
			p.Legend.Add(s.Name, thumbs...)
		}
	}
	p.Legend.Top = true
	p.Legend.TextStyle.Color = grey
	if o.Headroom > 0 && !o.LogY {
		if r := p.Y.Max - p.Y.Min; r > 0 {
			p.Y.Max += o.Headroom * r
		} else {
			p.Y.Max += o.Headroom
		}
	}
	return p, nil
}

// xyErrs are the points of a series with their error bars (plotter.NewYErrorBars).
type xyErrs struct {
	plotter.XYs
	plotter.YErrors
}

// logTicks are the ticks of an axis of log10 values: the powers of ten labelled with their
// value (every other one when the range spans many decades), unlabelled minor ticks at 2…9
// times each.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo > hi {
		return nil
	}
	k0, k1 := int(math.Floor(lo)), int(math.Ceil(hi))
	every := 1
	if k1-k0 > 8 {
		every = 2
	}
	var ticks []plot.Tick
	for k := k0; k <= k1; k++ {
		if v := float64(k); v >= lo && v <= hi {
			label := ""
			if k%every == 0 {
				label = strconv.FormatFloat(math.Pow10(k), 'g', -1, 64)
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
		}
		for m := 2; m <= 9; m++ {
			if v := float64(k) + math.Log10(float64(m)); v >= lo && v <= hi {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	return ticks
}

// checkText requires a title and axis labels: a picture without them is not readable.
func checkText(title, x, y string) error {
	switch {
	case title == "":
		return errors.New("plots: a plot needs a title")
	case x == "" || y == "":
		return errors.New("plots: a plot needs labels on both axes")
	}
	return nil
}

// margin leaves a little white space around a single plot.
func margin(dc draw.Canvas) draw.Canvas {
	return draw.Crop(dc, vg.Millimeter*2, -vg.Millimeter*4, vg.Millimeter*2, -vg.Millimeter*3)
}

// render draws onto a white w × h canvas and encodes it as PNG.
func render(w, h vg.Length, drawFn func(draw.Canvas)) ([]byte, error) {
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
	drawFn(draw.New(img))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteFile writes a PNG atomically (temporary file in the same directory, fsync, rename).
func WriteFile(path string, png []byte) error {
	if err := atomicfile.WriteFile(path, png, 0o644); err != nil {
		return fmt.Errorf("writing plot %s: %w", path, err)
	}
	return nil
}
