// Command bell prepares the Bell state (|00⟩ + |11⟩)/√2, the simplest entangled state, and
// looks at it three ways: its amplitudes, its measurement probabilities, and the counts of a
// simulated experiment that measures it many times.
//
//	go run ./examples/bell                 # 4096 shots
//	go run ./examples/bell -plot bell.png  # and draw the counts as a bar chart
//
// Lesson: a quantum state is a vector of 2^n complex amplitudes; measuring picks basis state
// i with probability |amplitude_i|² (the Born rule). The two qubits of a Bell state are each
// random, but always agree.
package main

import (
	"flag"
	"fmt"
	"math"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/draw"
	"github.com/qpeft/qpeft/examples/internal/lesson"
	"github.com/qpeft/qpeft/internal/plots"
	"github.com/qpeft/qpeft/sim"
)

func main() {
	shots := lesson.Int("shots", 4096, 2048, "number of simulated measurements")
	seed := flag.Uint64("seed", 7, "seed of the random outcomes: the same seed gives the same counts")
	plot := lesson.PlotFlag("the counts as a PNG bar chart")
	lesson.Parse()

	// 1. Build the circuit with the fluent builder. Qubits start in |0⟩. H puts qubit 0 into
	//    (|0⟩ + |1⟩)/√2; CX (control 0, target 1) flips qubit 1 exactly when qubit 0 is 1.
	c := circuit.New(2).H(0).CX(0, 1)
	fmt.Println("The circuit (time flows left to right):")
	fmt.Print(draw.String(c, draw.Options{}))

	// 2. Simulate it exactly: the state vector holds one amplitude per basis state. qpeft
	//    numbers basis states little-endian, like Qiskit and OpenQASM: qubit k is bit k of
	//    the index, so |q1 q0⟩ = |10⟩ is index 2. Kets are written with qubit 1 on the left.
	st := lesson.Must(sim.Statevector(c, nil))
	fmt.Println("\nAmplitudes and probabilities (Born rule: p = |amplitude|²):")
	for i, a := range st.Amplitudes() {
		fmt.Printf("  |%02b⟩  amplitude %+.4f%+.4fi   p = %.4f\n", i, real(a), imag(a), st.Probability(i))
	}

	// 3. Expectation values of Pauli observables. ZZ measures whether the qubits agree (+1)
	//    or disagree (−1); Z on one qubit alone averages to 0 because each is random.
	for _, p := range []string{"ZZ", "IZ", "ZI", "XX"} {
		v := lesson.Must(st.Expectation(p)) // rightmost letter acts on qubit 0, as in Qiskit
		fmt.Printf("  ⟨%s⟩ = %+.4f\n", p, v)
	}

	// 4. A simulated experiment: measure both qubits into classical bits, many times. Every
	//    random choice takes a seed, so the counts are reproducible.
	m := c.Clone().MeasureAll()
	res := lesson.Must(sim.Run(m, sim.Options{Shots: *shots, Seed: *seed}))
	fmt.Printf("\nCounts of %d shots (seed %d; bit 1 on the left):\n", *shots, *seed)
	var bars []plots.Bar
	for _, k := range []string{"00", "01", "10", "11"} {
		fmt.Printf("  %s  %5d  (%.3f)\n", k, res.Counts[k], float64(res.Counts[k])/float64(*shots))
		bars = append(bars, plots.Bar{Label: k, Value: float64(res.Counts[k])})
	}
	// With N shots the count of 00 is binomial: mean N/2, standard deviation √N/2.
	sd := math.Sqrt(float64(*shots)) / 2
	z := (float64(res.Counts["00"]) - float64(*shots)/2) / sd
	fmt.Printf("00 is %.2f standard deviations from N/2; 01 and 10 never occur: %v\n",
		z, res.Counts["01"]+res.Counts["10"] == 0)

	if plot.On() {
		fmt.Println("wrote", plot.Write(plots.Histogram(bars, plots.HistogramOptions{
			Title:  fmt.Sprintf("Bell state: %d shots, seed %d", *shots, *seed),
			XLabel: "measured bits (qubit 1 left)", YLabel: "shots"})))
	}
}
