// Command ansatz builds Quantum-PEFT's canonical Pauli ansatz — the circuit whose first K
// columns are the U (or V) of an adapter — prints it as OpenQASM, draws it, checks that it is
// an orthogonal matrix, and compares its parameter count with LoRA's.
//
//	go run ./examples/ansatz -qubits 4 -layers 2
//
// Lesson: RY rotations and CZ entanglers are real gates, so the circuit is a real orthogonal
// matrix Q(θ) of size N = 2^n; its first K columns are orthonormal for every θ. It has only
// (2L+1)·n − 2L angles — logarithmic in N — where LoRA spends N·K numbers per factor.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/qpeft/qpeft/circuit/draw"
	"github.com/qpeft/qpeft/examples/internal/lesson"
	"github.com/qpeft/qpeft/lowering"
	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/peft/ansatz"
)

func main() {
	n := lesson.Int("qubits", 4, 3, "number of qubits n (the factor has dimension N = 2^n)")
	layers := flag.Int("layers", 1, "entangling layers L")
	k := flag.Int("rank", 8, "K, the number of columns used (the adapter's rank)")
	short := lesson.Parse()

	// 1. The circuit: RY on every qubit, then L times CZ on the even pairs (0,1), (2,3), …
	//    and the odd pairs (1,2), (3,4), …, each CZ followed by RY on both of its qubits.
	//    Angles are symbols theta[0], theta[1], … in application order.
	c := lesson.Must(ansatz.Pauli(*n, *layers))
	p := lesson.Must(ansatz.PauliParams(*n, *layers))
	fmt.Printf("Pauli ansatz: n = %d qubits, L = %d layers, %d angles; (2L+1)·n − 2L = %d\n",
		*n, *layers, len(c.Params), (2**layers+1)**n-2**layers)
	fmt.Printf("P(%d, %d) = %d\n", *n, *layers, p)

	// 2. As OpenQASM 3: the angles become one input array that a user (or a QPU) supplies.
	text := lesson.Must(ansatz.QASM(c))
	fmt.Printf("\n%s", text)

	// 3. As a drawing.
	fmt.Println()
	fmt.Print(draw.String(c, draw.Options{Width: 100}))

	// 4. The circuit is orthogonal for any angles: lower it to its dense matrix Q at random
	//    θ and measure ‖QᵀQ − I‖ and ‖UᵀU − I‖ for U = its first K columns.
	prog := lesson.Must(lowering.CompileReal(c))
	rng := rand.New(rand.NewPCG(1, 2))
	theta := lesson.RandomAngles(rng, len(c.Params))
	N := prog.Dim()
	q := lesson.Must(prog.Dense(theta))
	kk := min(*k, N)
	u := lesson.Must(prog.Stiefel(theta, kk))
	worst, uworst := gramError(q.Data, N, N), gramError(u.Data, N, kk)
	fmt.Printf("\nAt random angles: max |QᵀQ − I| = %.1e (Q is %d × %d), max |UᵀU − I| = %.1e (U = first %d columns)\n",
		worst, N, N, uworst, kk)

	// 5. Parameter counts for one square N × N weight at rank K: Quantum-PEFT trains
	//    P(log2 N, L) angles for U, as many for V, and K scales λ; LoRA trains B (N × K) and
	//    A (K × N).
	fmt.Printf("\nTrainable parameters of one N × N weight, rank K = %d, L = %d:\n", *k, *layers)
	fmt.Printf("%8s %14s %12s %8s\n", "N", "Quantum-PEFT", "LoRA", "ratio")
	top := 16384
	if short {
		top = 1024
	}
	for dim := 256; dim <= top; dim *= 4 {
		qp := lesson.Must(peft.CountParams(peft.Config{Method: peft.MethodQuantumPEFT, Rank: *k, Layers: *layers}, dim, dim))
		lo := lesson.Must(peft.CountParams(peft.Config{Method: peft.MethodLoRA, Rank: *k}, dim, dim))
		fmt.Printf("%8d %14d %12d %7.0fx\n", dim, qp, lo, float64(lo)/float64(qp))
	}
}

// gramError returns max |MᵀM − I| over the entries, for the rows × cols matrix M stored row
// by row: 0 exactly when the columns of M are orthonormal.
func gramError(m []float64, rows, cols int) float64 {
	worst := 0.0
	for i := range cols {
		for j := range cols {
			s := 0.0
			for r := range rows {
				s += m[r*cols+i] * m[r*cols+j]
			}
			if i == j {
				s--
			}
			worst = math.Max(worst, math.Abs(s))
		}
	}
	return worst
}
