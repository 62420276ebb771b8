// Command qft builds the quantum Fourier transform on n qubits from H and controlled-phase
// gates, checks it against the discrete Fourier transform matrix, and uses it to find the
// period of a periodic state.
//
//	go run ./examples/qft -qubits 4 -plot qft.png
//
// Lesson: n(n+1)/2 gates implement the N × N DFT (N = 2^n), F[j][k] = ω^{jk}/√N with
// ω = e^{2πi/N} — against N² operations for a dense matrix–vector product. The qubit order
// matters: qpeft is little-endian (qubit k is bit k of the index), and the final swaps put
// the output bits in that order.
package main

import (
	"fmt"
	"math"
	"math/cmplx"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/draw"
	"github.com/qpeft/qpeft/examples/internal/lesson"
	"github.com/qpeft/qpeft/internal/plots"
	"github.com/qpeft/qpeft/qasm"
	"github.com/qpeft/qpeft/sim"
)

// qft returns the QFT circuit on n qubits: for the most significant qubit down to qubit 0, an
// H followed by controlled phases π/2, π/4, … from the lower qubits; then swaps reverse the
// qubit order.
func qft(n int) *circuit.Circuit {
	c := circuit.New(n)
	for t := n - 1; t >= 0; t-- {
		c.H(t)
		for k := t - 1; k >= 0; k-- {
			c.CP(math.Pi/float64(int(1)<<(t-k)), k, t)
		}
	}
	for q := range n / 2 {
		c.Swap(q, n-1-q)
	}
	return c
}

func main() {
	n := lesson.Int("qubits", 5, 3, "number of qubits n (N = 2^n)")
	period := lesson.Int("period", 4, 2, "period r of the input state (a divisor of N works best)")
	plot := lesson.PlotFlag("the QFT matrix as a PNG heat map (real and imaginary parts)")
	lesson.Parse()
	N := lesson.Dim(*n, 1, 12)

	c := qft(*n)
	fmt.Printf("QFT on %d qubits: %d gates, depth %d\n", *n, len(c.Ops), c.Depth())
	fmt.Print(draw.String(c, draw.Options{Width: 100}))
	text := lesson.Must(qasm.Print(c, qasm.PrintOptions{}))
	fmt.Printf("\nAs OpenQASM 3:\n%s", text)

	// The circuit's unitary, column by column (sim applies each gate to the identity
	// columns), against the DFT matrix written down directly.
	u := lesson.Must(sim.Unitary(c, nil))
	maxErr := 0.0
	for j := range N {
		for k := range N {
			f := cmplx.Rect(1/math.Sqrt(float64(N)), 2*math.Pi*float64(j*k)/float64(N))
			maxErr = math.Max(maxErr, cmplx.Abs(u.Data[j*N+k]-f))
		}
	}
	fmt.Printf("\nmax |U − F| over the %d × %d entries = %.2e (F[j][k] = e^{2πi·jk/N}/√N)\n", N, N, maxErr)

	// The inverse circuit (gates reversed, angles negated) undoes it exactly.
	inv := lesson.Must(c.Inverse())
	round := c.Clone()
	lesson.Check(round.Compose(inv, nil, nil))
	id := lesson.Must(sim.Unitary(round, nil))
	idErr := 0.0
	for i := range N {
		for j := range N {
			want := 0i
			if i == j {
				want = 1
			}
			idErr = math.Max(idErr, cmplx.Abs(id.Data[i*N+j]-want))
		}
	}
	fmt.Printf("max |QFT⁻¹·QFT − I| = %.2e\n", idErr)

	// Period finding, the heart of Shor's algorithm: a uniform superposition over
	// 0, r, 2r, … has a Fourier transform concentrated on multiples of N/r.
	amps := make([]complex128, N)
	cnt := 0
	for x := 0; x < N; x += *period {
		cnt++
	}
	for x := 0; x < N; x += *period {
		amps[x] = complex(1/math.Sqrt(float64(cnt)), 0)
	}
	init := lesson.Must(sim.FromAmplitudes(amps))
	res := lesson.Must(sim.Run(c, sim.Options{Initial: init}))
	fmt.Printf("\nInput: equal amplitudes on 0, %d, %d, … (period %d). After the QFT:\n", *period, 2**period, *period)
	for i := range N {
		if p := res.State.Probability(i); p > 1e-9 {
			fmt.Printf("  |%2d⟩  p = %.4f\n", i, p)
		}
	}
	fmt.Printf("peaks at multiples of N/r = %d/%d = %g\n", N, *period, float64(N)/float64(*period))

	if plot.On() {
		fmt.Println("wrote", plot.Write(plots.HeatMap(N, N, nil, u.Data, plots.HeatMapOptions{Title: fmt.Sprintf("QFT on %d qubits", *n)})))
	}
}
