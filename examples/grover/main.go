// Command grover searches an unstructured list of N = 2^n items for the one marked item with
// Grover's algorithm, in about (π/4)·√N queries instead of the N/2 a classical search needs
// on average.
//
//	go run ./examples/grover -qubits 5 -marked 19 -plot grover.png
//
// Lesson: an oracle flips the sign of the marked state's amplitude; the diffusion operator
// (inversion about the mean) turns that sign into extra amplitude. Each round rotates the
// state by a fixed angle towards the marked state, so there is a best number of rounds —
// going on overshoots.
package main

import (
	"fmt"
	"log"
	"math"
	"strconv"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/draw"
	"github.com/qpeft/qpeft/examples/internal/lesson"
	"github.com/qpeft/qpeft/internal/plots"
	"github.com/qpeft/qpeft/sim"
)

// markedFlip appends a gate that multiplies the amplitude of basis state |marked⟩ by −1:
// X on the qubits where marked has a 0 bit (so |marked⟩ becomes |11…1⟩), a multi-controlled
// Z (which flips the sign of |11…1⟩ only), and the X gates again.
func markedFlip(c *circuit.Circuit, n, marked int) {
	for q := range n {
		if marked>>q&1 == 0 {
			c.X(q)
		}
	}
	controls := make([]int, n-1)
	for q := range n - 1 {
		controls[q] = q
	}
	c.Ctrl("z", controls, []int{n - 1}) // ctrl @ … @ z: the sign flip of |11…1⟩
	for q := range n {
		if marked>>q&1 == 0 {
			c.X(q)
		}
	}
}

// diffusion appends the inversion about the mean, H^n (2|0⟩⟨0| − I) H^n, written as
// H^n · X^n · (flip |11…1⟩) · X^n · H^n; it equals the textbook operator up to a global sign.
func diffusion(c *circuit.Circuit, n int) {
	for q := range n {
		c.H(q)
	}
	markedFlip(c, n, 0)
	for q := range n {
		c.H(q)
	}
}

func main() {
	n := lesson.Int("qubits", 6, 4, "number of qubits n; the list has N = 2^n items")
	marked := lesson.Int("marked", 45, 11, "the marked item, 0 … 2^n − 1")
	shots := lesson.Int("shots", 2000, 1000, "shots of the final measurement")
	plot := lesson.PlotFlag("the final probabilities as a PNG bar chart")
	lesson.Parse()
	N := lesson.Dim(*n, 2, 16)
	if *marked < 0 || *marked >= N {
		log.Fatalf("-marked %d: use 0 … %d for %d qubits", *marked, N-1, *n)
	}

	// One Grover round: oracle, then diffusion.
	round := circuit.New(*n)
	markedFlip(round, *n, *marked)
	diffusion(round, *n)
	fmt.Printf("One Grover round on %d qubits (marked item %d = |%0*b⟩):\n", *n, *marked, *n, *marked)
	fmt.Print(draw.String(round, draw.Options{Width: 100}))

	// The best number of rounds: the state starts at angle asin(1/√N) from the unmarked
	// subspace and each round adds 2·asin(1/√N); we want the total closest to π/2.
	a := math.Asin(1 / math.Sqrt(float64(N)))
	best := int(math.Round(math.Pi/(4*a) - 0.5))
	fmt.Printf("\nN = %d items: the best number of rounds is %d (≈ (π/4)·√N = %.2f)\n", N, best, math.Pi/4*math.Sqrt(float64(N)))

	// Start in the uniform superposition and apply rounds one by one, watching the success
	// probability P(marked) = sin²((2k+1)·a) rise and, past the best k, fall again.
	c := circuit.New(*n)
	for q := range *n {
		c.H(q)
	}
	fmt.Println("\nround  P(marked)  theory sin²((2k+1)a)")
	var final *sim.State
	var summary string
	for k := 0; k <= best+2; k++ {
		st := lesson.Must(sim.Statevector(c, nil))
		fmt.Printf("%5d  %9.6f  %9.6f\n", k, st.Probability(*marked), math.Pow(math.Sin(float64(2*k+1)*a), 2))
		if k == best {
			final = st
			// Sample the state after the best number of rounds.
			m := c.Clone().MeasureAll()
			res := lesson.Must(sim.Run(m, sim.Options{Shots: *shots, Seed: 3}))
			key := fmt.Sprintf("%0*b", *n, *marked)
			top, topN := "", 0
			for k, v := range res.Counts {
				if v > topN || v == topN && k < top {
					top, topN = k, v
				}
			}
			summary = fmt.Sprintf("\nAfter %d rounds, %d shots: the marked item %s was measured %d times; the most frequent outcome is %s (item %d)\n",
				best, *shots, key, res.Counts[key], top, mustParse(top))
		}
		lesson.Check(c.Compose(round, nil, nil))
	}
	fmt.Print(summary)

	if plot.On() {
		var bars []plots.Bar
		for i := range N {
			bars = append(bars, plots.Bar{Label: strconv.Itoa(i), Value: final.Probability(i)})
		}
		fmt.Println("wrote", plot.Write(plots.Histogram(bars, plots.HistogramOptions{
			Title:  fmt.Sprintf("Grover search, %d qubits, %d rounds: marked item %d", *n, best, *marked),
			XLabel: "item (basis state index)", YLabel: "probability"})))
	}
}

func mustParse(bits string) int64 {
	v := lesson.Must(strconv.ParseInt(bits, 2, 64))
	return v
}
