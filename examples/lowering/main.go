// Command lowering turns one circuit into the three matrix forms a classical training loop
// can use — the dense N × N matrix, its first K columns (a point on the Stiefel manifold) and
// a Kronecker-factored program applied straight to activations — checks that they agree, and
// shows why the last one costs O(N log N) per vector instead of O(N²).
//
//	go run ./examples/lowering -qubits 11 -layers 2 -plot dense.png
//
// Lesson: a layer of single-qubit gates is a Kronecker product G_{n−1} ⊗ … ⊗ G_0. Applied
// qubit by qubit, each 2 × 2 factor touches every amplitude once: 2N multiply-adds per qubit,
// 2N·log2 N for the whole layer, where the dense N × N matrix of the same layer needs N².
// CZ layers are diagonals (N multiplies). A log-depth ansatz therefore costs O(N log N).
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/qpeft/qpeft/examples/internal/lesson"
	"github.com/qpeft/qpeft/internal/plots"
	"github.com/qpeft/qpeft/lowering"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/sim"
)

func main() {
	n := lesson.Int("qubits", 12, 8, "qubits n of the largest circuit (N = 2^n)")
	layers := flag.Int("layers", 2, "entangling layers L of the Pauli ansatz")
	k := flag.Int("rank", 8, "K, the number of columns of the Stiefel form")
	plot := lesson.PlotFlag("the dense matrix of the 4-qubit circuit as a PNG heat map")
	lesson.Parse()
	rng := rand.New(rand.NewPCG(3, 4))

	// 1. The stage program of a small ansatz: single-qubit gates fused into Kronecker
	//    stages, CZs into diagonal stages.
	small := lesson.Must(ansatz.Pauli(3, 1))
	sp := lesson.Must(lowering.CompileReal(small))
	fmt.Print("The Pauli ansatz on 3 qubits, L = 1, compiled:\n", sp.String(), "\n")

	// 2. The three forms of one circuit agree.
	c := lesson.Must(ansatz.Pauli(4, 1))
	p := lesson.Must(lowering.CompileReal(c))
	theta := lesson.RandomAngles(rng, len(c.Params))
	N := p.Dim()
	dense := lesson.Must(p.Dense(theta)) // N × N
	kk := min(*k, N)
	u := lesson.Must(p.Stiefel(theta, kk)) // N × K: the first K columns, computed directly
	stiefelErr := 0.0
	for i := range N {
		for j := range kk {
			stiefelErr = math.Max(stiefelErr, math.Abs(u.Data[i*kk+j]-dense.Data[i*N+j]))
		}
	}
	const B = 5 // a batch of 5 activation vectors, one per column of X (N × B)
	x := lesson.Must(sim.NewRealBatch(p.NumQubits(), B))
	for i := range x.Data {
		x.Data[i] = rng.NormFloat64()
	}
	y := lesson.Must(p.Apply(theta, x)) // Q·X by the stage program, no N × N matrix
	applyErr := 0.0
	for i := range N {
		for b := range B {
			s := 0.0
			for j := range N {
				s += dense.Data[i*N+j] * x.Data[j*B+b]
			}
			applyErr = math.Max(applyErr, math.Abs(y.Data[i*B+b]-s))
		}
	}
	fmt.Printf("4 qubits (N = %d), %d angles:\n", N, len(theta))
	fmt.Printf("  Stiefel form (first %d columns) vs dense: max difference %.1e\n", kk, stiefelErr)
	fmt.Printf("  Kronecker program on a batch of %d vs dense product: max difference %.1e\n", B, applyErr)

	if plot.On() {
		fmt.Println("  wrote", plot.Write(plots.HeatMap(N, N, dense.Data, nil, plots.HeatMapOptions{
			Title: fmt.Sprintf("Pauli ansatz, 4 qubits, L = 1: the %d × %d orthogonal matrix", N, N)})))
	}

	// 3. Cost per vector as N grows: count the multiply-adds of each form and time them
	//    (times are for illustration; they vary with the machine and its load).
	fmt.Printf("\nCost of Q·x for the Pauli ansatz with L = %d (one vector):\n", *layers)
	fmt.Printf("%6s %9s %14s %14s %8s %12s %12s\n", "n", "N", "dense N²", "staged", "ratio", "dense time", "staged time")
	for q := 6; q <= *n; q += 2 {
		c := lesson.Must(ansatz.Pauli(q, *layers))
		p := lesson.Must(lowering.CompileReal(c))
		N := p.Dim()
		var work int
		for _, s := range p.Stages() {
			switch s.Kind {
			case lowering.KronStage:
				work += 2 * N * len(s.Qubits) // each 2×2 factor: 2 multiply-adds per amplitude
			case lowering.DiagStage, lowering.PermStage:
				work += N
			case lowering.BlockStage:
				work += N << len(s.Qubits)
			}
		}
		theta := lesson.RandomAngles(rng, len(c.Params))
		dense := lesson.Must(p.Dense(theta))
		x := lesson.Must(sim.NewRealBatch(q, 1))
		for i := range x.Data {
			x.Data[i] = rng.NormFloat64()
		}
		reps := max(1, (1<<22)/(N*N))
		start := time.Now()
		out := make([]float64, N)
		for range reps {
			for i := range N {
				s := 0.0
				row := dense.Data[i*N : (i+1)*N]
				for j, v := range row {
					s += v * x.Data[j]
				}
				out[i] = s
			}
		}
		dt := time.Since(start) / time.Duration(reps)
		ws := p.NewWorkspace()
		lesson.Check(ws.Bind(theta))
		sreps := max(1, (1<<22)/work)
		start = time.Now()
		for range sreps {
			lesson.Check(ws.Apply(x)) // in place: x ← Q·x
		}
		st := time.Since(start) / time.Duration(sreps)
		fmt.Printf("%6d %9d %14d %14d %7.0fx %12v %12v\n", q, N, N*N, work, float64(N*N)/float64(work), dt, st)
	}
	fmt.Println("staged work = 2N per qubit of each Kronecker stage + N per diagonal stage: O(L·N·log N)")
}
