package main

import (
	"path/filepath"
	"strings"

	"github.com/qpeft/qpeft/internal/plots"
)

// checkPlotPath validates a --plot flag before any work is done.
func checkPlotPath(path string) error {
	if path != "" && !strings.EqualFold(filepath.Ext(path), ".png") {
		return usageError("--plot %q: the file name must end in .png", path)
	}
	return nil
}

// writeBars draws a bar chart to path (a PNG, written atomically).
func writeBars(path, title, xLabel, yLabel string, bars []plots.Bar) error {
	png, err := plots.Histogram(bars, plots.HistogramOptions{Title: title, XLabel: xLabel, YLabel: yLabel})
	if err != nil {
		return err
	}
	return plots.WriteFile(path, png)
}

// writeHeatMap draws a rows × cols matrix (real r or complex z) to path (a PNG, written
// atomically).
func writeHeatMap(path, title string, rows, cols int, r []float64, z []complex128) error {
	png, err := plots.HeatMap(rows, cols, r, z, plots.HeatMapOptions{Title: title,
		XLabel: "column j (input basis state |j⟩)", YLabel: "row i (output basis state |i⟩)"})
	if err != nil {
		return err
	}
	return plots.WriteFile(path, png)
}
