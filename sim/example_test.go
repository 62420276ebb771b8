package sim_test

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/sim"
)

// A Bell pair: the state vector, an expectation value, and 1000 seeded shots.
func ExampleRun() {
	c := circuit.New(2).H(0).CX(0, 1)
	res, err := sim.Run(c, sim.Options{})
	if err != nil {
		panic(err)
	}
	for i, a := range res.State.Amplitudes() {
		fmt.Printf("|%02b⟩ %.4f\n", i, real(a))
	}
	zz, _ := res.State.Expectation("ZZ")
	fmt.Printf("⟨ZZ⟩ = %.4f\n", zz)

	c.MeasureAll()
	shots, _ := sim.Run(c, sim.Options{Shots: 1000, Seed: 42})
	fmt.Println(shots.Counts)
	// Output:
	// |00⟩ 0.7071
	// |01⟩ 0.0000
	// |10⟩ 0.0000
	// |11⟩ 0.7071
	// ⟨ZZ⟩ = 1.0000
	// map[00:485 11:515]
}

// The first K columns of a real RY/CZ circuit's orthogonal matrix, on the float64 path: an
// N x K matrix with orthonormal columns, built without any N x N matrix.
func ExampleRealColumns() {
	c := circuit.New(3).RY("a", 0, 1, 2).CZ(0, 1).RY("b", 1).CZ(1, 2)
	env := circuit.MapEnv(map[string]float64{"a": 0.3, "b": -1.2})
	u, err := sim.RealColumns(c, env, 2)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d x %d\n", u.Rows(), u.B)
	var g00, g01, g11 float64
	for i := 0; i < u.Rows(); i++ {
		g00 += u.At(i, 0) * u.At(i, 0)
		g01 += u.At(i, 0) * u.At(i, 1)
		g11 += u.At(i, 1) * u.At(i, 1)
	}
	fmt.Printf("UᵀU = [[%.3f %.3f] [%.3f %.3f]]\n", g00, g01, g01, g11)
	fmt.Println(math.Abs(g01) < 1e-15)
	// Output:
	// 8 x 2
	// UᵀU = [[1.000 0.000] [0.000 1.000]]
	// true
}

// Asking for more memory than the limit is an error, not a crash.
func ExampleMemoryError() {
	_, err := sim.Run(circuit.New(34), sim.Options{MemoryLimit: 1 << 30})
	var me *sim.MemoryError
	if errors.As(err, &me) {
		fmt.Printf("%s needs %s; the limit is %s\n", me.What, sim.FormatSize(me.Bytes), sim.FormatSize(float64(me.Limit)))
		fmt.Printf("the largest part: %s %s\n", sim.FormatSize(me.Parts[0].Bytes), me.Parts[0].Name)
	}
	// Output:
	// simulating 34 qubits needs 128 GiB; the limit is 1 GiB
	// the largest part: 128 GiB state vector (float64)
}

// The peak memory of a run, predicted before anything is allocated: Run checks the same
// estimate against the memory limit.
func ExampleRunFootprint() {
	c := circuit.New(30).H(0)
	fp, err := sim.RunFootprint(c, sim.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(fp.What)
	fmt.Println("the largest part:", sim.FormatSize(fp.Parts[0].Bytes), fp.Parts[0].Name)
	fmt.Println("under 8.1 GiB in all:", fp.Bytes() < 8.1*(1<<30))
	// Output:
	// simulating 30 qubits
	// the largest part: 8 GiB state vector (float64)
	// under 8.1 GiB in all: true
}

// A trillion shots of a Bell pair, drawn from the multinomial distribution of the outcomes:
// the time and memory do not depend on the number of shots, and the counts add up exactly.
func ExampleState_SampleCounts() {
	res, err := sim.Run(circuit.New(2).H(0).CX(0, 1), sim.Options{})
	if err != nil {
		panic(err)
	}
	outs, err := res.State.SampleCounts(1_000_000_000_000, sim.NewRNG(7))
	if err != nil {
		panic(err)
	}
	total := 0
	for _, o := range outs {
		fmt.Printf("|%02b⟩: %.5f\n", o.Index, float64(o.Count)/1e12)
		total += o.Count
	}
	fmt.Println(total)
	// Output:
	// |00⟩: 0.50000
	// |11⟩: 0.50000
	// 1000000000000
}

// The two bounds of a schedule: the passes of a layered RX + CZ circuit priced at one
// in-cache pass per step (Bound: 1 ms a step) and at the cost of the kernel each step runs
// (KernelBound: here 1 ms for a full pass of every kind but 3 ms for the dense 4x4 complex
// blocks that fusion makes of each RX, RX, CZ group), over a 2 ms memory floor per pass.
// MeasureKernelCosts gives the machine's own per-kind costs. (CZ rather than CX: how a CX on a
// low qubit runs — a swap or a dense block — depends on the kernels this machine has.)
func ExampleSchedule_KernelBound() {
	c := circuit.New(20)
	for layer := 0; layer < 4; layer++ {
		for q := 0; q < 20; q++ {
			c.RX(0.1*float64(q+layer), q)
		}
		for q := layer % 2; q+1 < 20; q += 2 {
			c.CZ(q, q+1)
		}
	}
	sc, err := sim.Plan(c, nil, true)
	if err != nil {
		panic(err)
	}
	var kc sim.KernelCosts
	for k := range kc {
		kc[k] = time.Millisecond
	}
	kc[sim.KernelDense4Complex] = 3 * time.Millisecond
	dense := 0.0
	for _, mix := range sc.SweepKernels {
		dense += mix[sim.KernelDense4Complex]
	}
	fmt.Println("gates", sc.Gates, "steps", sc.Steps, "sweeps", sc.Sweeps, "dense 4x4 complex steps", dense)
	fmt.Println("step bound", sc.Bound(2*time.Millisecond, time.Millisecond))
	fmt.Println("kernel bound", sc.KernelBound(2*time.Millisecond, kc))
	// Output:
	// gates 118 steps 36 sweeps 2 dense 4x4 complex steps 29
	// step bound 36ms
	// kernel bound 89.5ms
}
