// Package lesson holds the few lines every example program would otherwise repeat: the -short
// flag the tests run the examples with (and the smaller values a flag takes under it), the
// -plot flag of the examples that draw a figure,
// stopping on an error (an example's main has no caller to return one to), and random angles
// for a circuit.
package lesson

import (
	"flag"
	"log"
	"math"
	"math/rand/v2"

	"github.com/qpeft/qpeft/internal/plots"
)

var short = flag.Bool("short", false, "run a trimmed version (used by the tests)")

// trimmed holds, by flag name, what -short does to a flag defined by [Int].
var trimmed = map[string]func(){}

// Int defines an int flag, as flag.Int, whose default under -short is trimmedValue instead
// of value: the smaller size the tests run the example at. A value given on the command line
// wins over both, with or without -short.
func Int(name string, value, trimmedValue int, usage string) *int {
	p := flag.Int(name, value, usage)
	trimmed[name] = func() { *p = trimmedValue }
	return p
}

// Parse parses the command line (flag.Parse), makes log print bare messages, and reports
// whether -short asked for the trimmed run that go test ./examples/ uses; under -short it
// gives the flags defined by [Int] that the command line left unset their trimmed values.
func Parse() bool {
	flag.Parse()
	log.SetFlags(0)
	return applyShort()
}

// applyShort is Parse after flag.Parse.
func applyShort() bool {
	if !*short {
		return false
	}
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, trim := range trimmed {
		if !set[name] {
			trim()
		}
	}
	return true
}

// Must returns v when err is nil, and otherwise stops the program with err (log.Fatal).
func Must[T any](v T, err error) T {
	Check(err)
	return v
}

// Check stops the program with err (log.Fatal) when err is not nil.
func Check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// Dim checks the -qubits value n against lo … hi, stopping the program with a message naming
// the flag otherwise, and returns the dimension N = 2^n.
func Dim(n, lo, hi int) int {
	if n < lo || n > hi {
		log.Fatalf("-qubits %d: use %d … %d", n, lo, hi)
	}
	return 1 << n
}

// RandomAngles returns n angles drawn uniformly from [−π, π) by rng.
func RandomAngles(rng *rand.Rand, n int) []float64 {
	t := make([]float64, n)
	for i := range t {
		t[i] = rng.Float64()*2*math.Pi - math.Pi
	}
	return t
}

// Plot is the -plot flag of an example that draws a figure: the PNG file to write it to.
type Plot struct{ path *string }

// PlotFlag defines the -plot flag (before [Parse]); figure completes its help text, "write
// figure to this file".
func PlotFlag(figure string) Plot {
	return Plot{flag.String("plot", "", "write "+figure+" to this file")}
}

// On reports whether -plot names a file.
func (p Plot) On() bool { return *p.path != "" }

// Write writes the figure png, as a plotter of package plots returns it with its error, to
// the -plot file, stopping the program on either error, and returns the file's name.
func (p Plot) Write(png []byte, err error) string {
	Check(err)
	Check(plots.WriteFile(*p.path, png))
	return *p.path
}
