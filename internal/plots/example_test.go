package plots_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log"

	"github.com/qpeft/qpeft/internal/plots"
)

// Draw the outcome counts of a Bell-state experiment as a bar chart.
func ExampleHistogram() {
	b, err := plots.Histogram([]plots.Bar{{Label: "00", Value: 507}, {Label: "11", Value: 517}},
		plots.HistogramOptions{Title: "Bell state, 1024 shots", XLabel: "outcome", YLabel: "shots"})
	if err != nil {
		log.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("PNG of", img.Bounds().Dx(), "x", img.Bounds().Dy(), "pixels")
	// Output: PNG of 768 x 480 pixels
}

// Draw the Pauli-Z matrix as a heat map.
func ExampleHeatMap() {
	b, err := plots.HeatMap(2, 2, []float64{1, 0, 0, -1}, nil, plots.HeatMapOptions{Title: "Z"})
	if err != nil {
		log.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("PNG of", img.Bounds().Dx(), "x", img.Bounds().Dy(), "pixels")
	// Output: PNG of 701 x 538 pixels
}
