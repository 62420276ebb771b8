// Command teleport moves an unknown qubit state from Alice's qubit to Bob's using one shared
// Bell pair, two measured classical bits and two classically controlled corrections.
//
//	go run ./examples/teleport
//
// Lesson: mid-circuit measurement collapses the state and writes a classical bit; later gates
// can be conditioned on those bits (OpenQASM's `if (c[1] == 1) x q[2];`). Whatever Alice
// measures, Bob's qubit ends up in exactly the state she started with.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/cmplx"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/draw"
	"github.com/qpeft/qpeft/examples/internal/lesson"
	"github.com/qpeft/qpeft/qasm"
	"github.com/qpeft/qpeft/sim"
)

func main() {
	theta := flag.Float64("theta", 1.1, "the message is RY(theta) then P(phi) applied to |0⟩")
	phi := flag.Float64("phi", 0.7, "phase of the message")
	shots := lesson.Int("shots", 4000, 1000, "shots of the sampled experiment")
	lesson.Parse()

	// The message: |ψ⟩ = cos(θ/2)|0⟩ + e^{iφ} sin(θ/2)|1⟩ on qubit 0 (Alice's).
	want0 := complex(math.Cos(*theta/2), 0)
	want1 := cmplx.Rect(math.Sin(*theta/2), *phi)

	c := circuit.New(3)
	c.AddClbits("c", 3) // c[0], c[1]: Alice's measurements; c[2]: Bob's final readout
	c.RY(*theta, 0).P(*phi, 0)
	c.Barrier()
	// A Bell pair shared between Alice (qubit 1) and Bob (qubit 2).
	c.H(1).CX(1, 2)
	c.Barrier()
	// Alice measures her two qubits in the Bell basis: CX, H, then measure.
	c.CX(0, 1).H(0)
	c.Measure(0, 0).Measure(1, 1)
	// Bob corrects his qubit according to the two bits he receives.
	c.X(2).If([]int{1}, 1) // if c[1] == 1: X
	c.Z(2).If([]int{0}, 1) // if c[0] == 1: Z

	fmt.Println("The teleportation circuit:")
	fmt.Print(draw.String(c, draw.Options{Width: 100}))
	text := lesson.Must(qasm.Print(c, qasm.PrintOptions{}))
	fmt.Printf("\nAs OpenQASM 3:\n%s", text)

	// Run single shots: each run collapses Alice's qubits to one of four outcomes. After the
	// corrections the state is |b1 b0⟩ on Alice's side times |ψ⟩ on Bob's qubit, so Bob's
	// amplitudes can be read off the two basis states with Alice's bits.
	fmt.Printf("\nWanted on Bob's qubit: (%.4f, %.4f%+.4fi)\n", real(want0), real(want1), imag(want1))
	seen := map[string]bool{}
	for seed := uint64(1); len(seen) < 4 && seed < 100; seed++ {
		res := lesson.Must(sim.Run(c, sim.Options{Seed: seed}))
		a := int(res.Clbits[0]) | int(res.Clbits[1])<<1 // Alice's bits as the index of qubits 0, 1
		if seen[fmt.Sprint(a)] {
			continue
		}
		seen[fmt.Sprint(a)] = true
		b0, b1 := res.State.Amplitude(a), res.State.Amplitude(a|4)
		// Teleportation is exact up to a global phase, which no measurement can see: align it
		// on the |0⟩ amplitude before comparing (here it happens to be 1 already).
		ph := 1 + 0i
		if cmplx.Abs(b0) > 1e-12 {
			ph = cmplx.Rect(1, cmplx.Phase(want0)-cmplx.Phase(b0))
		}
		errMax := math.Max(cmplx.Abs(b0*ph-want0), cmplx.Abs(b1*ph-want1))
		fmt.Printf("  seed %2d: Alice measured c[1]c[0] = %d%d; Bob holds (%.4f%+.4fi, %.4f%+.4fi); teleported exactly: %v\n",
			seed, res.Clbits[1], res.Clbits[0], real(b0), imag(b0), real(b1), imag(b1), errMax < 1e-12)
	}

	// The sampled experiment: Bob measures his qubit into c[2]. P(1) = sin²(θ/2) whatever
	// Alice measured.
	m := c.Clone().Measure(2, 2)
	res := lesson.Must(sim.Run(m, sim.Options{Shots: *shots, Seed: 42}))
	ones := 0
	for k, n := range res.Counts {
		if k[0] == '1' { // the highest bit, c[2], is written leftmost
			ones += n
		}
	}
	p := float64(ones) / float64(*shots)
	want := math.Pow(math.Sin(*theta/2), 2)
	sd := math.Sqrt(want * (1 - want) / float64(*shots))
	fmt.Printf("\n%d shots: Bob measured 1 in %.4f of them; sin²(θ/2) = %.4f (%.1f standard errors away)\n",
		*shots, p, want, math.Abs(p-want)/sd)
}
