package sim

import (
	"testing"
	"time"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/library"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKernelBound checks the arithmetic of the kernel-aware bound on a hand-made schedule
// against hand-computed sums: a pass whose kernels outweigh the floor costs their time, a
// light pass and a direct gate cost the floor. The step-count bound is set beside it.
func TestKernelBound(t *testing.T) {
	sc := Schedule{
		SweepSteps: []int{3, 0, 2, 4},
		SweepKernels: []KernelMix{
			{KernelDense4Complex: 2, KernelSwap: 0.5},
			{},
			{KernelDiagReal: 0.25, KernelPairReal: 1},
			{KernelDense4Real: 4},
		},
	}
	var kc KernelCosts
	kc[KernelDense4Complex] = 8 * time.Millisecond
	kc[KernelSwap] = 4 * time.Millisecond
	kc[KernelDiagReal] = 8 * time.Millisecond
	kc[KernelPairReal] = 3 * time.Millisecond
	kc[KernelDense4Real] = 5 * time.Millisecond
	floor := 10 * time.Millisecond
	cases := []struct {
		name string
		got  time.Duration
		want time.Duration
	}{
		// 2·8 + 0.5·4 = 18 > 10; direct 10; 0.25·8 + 3 = 5 < 10; 4·5 = 20.
		{"kernel-aware", sc.KernelBound(floor, kc), (18 + 10 + 10 + 20) * time.Millisecond},
		// one in-cache pass of 3 ms a step: max(10, 9) + 10 + max(10, 6) + max(10, 12).
		{"step count", sc.Bound(floor, 3*time.Millisecond), (10 + 10 + 10 + 12) * time.Millisecond},
		{"pass 0 mix", sc.SweepKernels[0].Time(kc), 18 * time.Millisecond},
		{"no kernels measured", sc.KernelBound(floor, KernelCosts{}), 40 * time.Millisecond},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.got, c.name)
	}
}

// TestStepKernel checks the kernel kind and pass fraction of single gates, compiled as Run
// compiles them: a CZ multiplies one amplitude in four, a CX moves half of them, a
// controlled rotation touches half, a merged diagonal is one pattern pass.
func TestStepKernel(t *testing.T) {
	cases := []struct {
		name   string
		build  func(c *circuit.Circuit)
		kind   Kernel
		weight float64
	}{
		{"rz", func(c *circuit.Circuit) { c.RZ(0.3, 2) }, KernelDiagComplex, 1},
		{"s", func(c *circuit.Circuit) { c.S(1) }, KernelDiagComplex, 0.5},
		{"z", func(c *circuit.Circuit) { c.Z(1) }, KernelDiagReal, 0.5},
		{"cz", func(c *circuit.Circuit) { c.CZ(0, 3) }, KernelDiagReal, 0.25},
		{"cp", func(c *circuit.Circuit) { c.CP(0.2, 1, 3) }, KernelDiagComplex, 0.25},
		{"x", func(c *circuit.Circuit) { c.X(2) }, KernelSwap, 1},
		{"cx", func(c *circuit.Circuit) { c.CX(0, 2) }, KernelSwap, 0.5},
		{"swap", func(c *circuit.Circuit) { c.Swap(1, 2) }, KernelSwap, 0.5},
		{"ccx", func(c *circuit.Circuit) { c.CCX(0, 1, 2) }, KernelSwap, 0.25},
		{"ry", func(c *circuit.Circuit) { c.RY(0.3, 0) }, KernelPairReal, 1},
		{"h", func(c *circuit.Circuit) { c.H(3) }, KernelPairReal, 1},
		{"rx", func(c *circuit.Circuit) { c.RX(0.3, 0) }, KernelPairComplex, 1},
		{"crx", func(c *circuit.Circuit) { c.CRX(0.3, 1, 0) }, KernelPairComplex, 0.5},
		{"rxx", func(c *circuit.Circuit) { c.RXX(0.3, 1, 2) }, KernelDense4Complex, 1},
		{"ryy", func(c *circuit.Circuit) { c.RYY(0.3, 1, 2) }, KernelDense4Complex, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := circuit.New(4)
			tc.build(c)
			steps, err := compile(c, nil)
			require.NoError(t, err)
			require.Len(t, steps, 1)
			kind, w, _, _ := stepKernel(&steps[0])
			assert.Equal(t, tc.kind, kind, "kind %v", kind)
			assert.InDelta(t, tc.weight, w, 1e-15)
		})
	}
	// A merged diagonal: a pattern pass, real or complex by its entries.
	st := step{targets: []int{0, 1, 5}, dg: make([]complex128, 8)}
	for i := range st.dg {
		st.dg[i] = -1
	}
	st.dgr, _ = realCoefs(st.dg, nil)
	kind, w, _, _ := stepKernel(&st)
	assert.Equal(t, KernelPatternReal, kind)
	assert.Equal(t, 1.0, w)
	st.dg[3], st.dgr = 1i, nil
	kind, _, _, _ = stepKernel(&st)
	assert.Equal(t, KernelPatternComplex, kind)
}

// TestStepCostTables checks that the cost model prices steps from its tables as written
// (units: a 2-qubit diagonal entry is a quarter pass, a CX half a pass): hand-computed
// products of the table entries for gates at known lowest qubits.
func TestStepCostTables(t *testing.T) {
	defer func(v bool) { useDense4x512 = v }(useDense4x512)
	useDense4x512 = false
	tab := &stepCosts[costC128]
	cases := []struct {
		name  string
		build func(c *circuit.Circuit)
		want  float64
	}{
		{"rz q0: 2 entries of a 1-qubit diagonal", func(c *circuit.Circuit) { c.RZ(0.3, 0) }, 2 * 2 * tab[kDiag2][0]},
		{"cz q2", func(c *circuit.Circuit) { c.CZ(2, 7) }, tab[kDiag2][2]},
		{"cx q3", func(c *circuit.Circuit) { c.CX(7, 3) }, tab[kSwap2][3]},
		{"x q6", func(c *circuit.Circuit) { c.X(6) }, 2 * tab[kSwap2][6]},
		{"rx q1", func(c *circuit.Circuit) { c.RX(0.3, 1) }, tab[kPairCplx][1]},
		{"crx q0", func(c *circuit.Circuit) { c.CRX(0.3, 4, 0) }, tab[kPairCplx][0] / 2},
		{"ry q7 (capped at 6)", func(c *circuit.Circuit) { c.RY(0.3, 7) }, tab[kPairReal][6]},
		{"rxx q2", func(c *circuit.Circuit) { c.RXX(0.3, 2, 5) }, tab[kDense4Cplx][2]},
	}
	for _, tc := range cases {
		c := circuit.New(8)
		tc.build(c)
		steps, err := compile(c, nil)
		require.NoError(t, err)
		assert.InDelta(t, tc.want, stepCost(&steps[0], costC128, 1), 1e-12, tc.name)
	}
}

// TestPlanKernels: the random circuit's sweeps are priced in dense 4x4 complex blocks (the
// fused rotation + CX groups), their per-pass work adds up to the steps of the pass when
// every step is a full pass, and direct passes carry no in-cache work.
func TestPlanKernels(t *testing.T) {
	c, err := library.RandomLayered(18, 4, 3)
	require.NoError(t, err)
	sc, err := Plan(c, nil, true)
	require.NoError(t, err)
	require.Len(t, sc.SweepKernels, sc.Sweeps)
	dense := 0.0
	for i, mix := range sc.SweepKernels {
		if sc.SweepSteps[i] == 0 {
			assert.Equal(t, KernelMix{}, mix, "direct pass %d", i)
			continue
		}
		total := 0.0
		for _, w := range mix {
			total += w
		}
		assert.Positive(t, total, "pass %d", i)
		assert.LessOrEqual(t, total, float64(sc.SweepSteps[i])+1e-9, "pass %d: more work than steps", i)
		dense += mix[KernelDense4Complex]
	}
	assert.Greater(t, dense, float64(sc.Steps)/2, "most steps of the random circuit are dense 4x4 complex blocks")
}

// TestMeasureKernelCosts: every kind the data type runs gets a positive time, complex kinds
// none on the real path (times are not compared: the machine is shared).
func TestMeasureKernelCosts(t *testing.T) {
	for _, tc := range []struct {
		complexPath bool
		prec        Precision
	}{{false, Double}, {true, Double}, {false, Single}, {true, Single}} {
		kc := MeasureKernelCosts(18, tc.complexPath, tc.prec, 1)
		for k := Kernel(0); k < NumKernels; k++ {
			if k.Complex() && !tc.complexPath {
				assert.Zero(t, kc[k], "%v on the real path", k)
				continue
			}
			assert.Positive(t, kc[k], "%v complex=%v %v", k, tc.complexPath, tc.prec)
		}
	}
}

// TestDeferLoneGates checks the deferral of lone 1-qubit gates to the next sweep on
// hand-made gate masks: moved back into the pending gates in program order when the next
// gate on their qubit fuses with them, kept otherwise.
func TestDeferLoneGates(t *testing.T) {
	q := func(qs ...int) uint64 {
		var m uint64
		for _, x := range qs {
			m |= 1 << x
		}
		return m
	}
	cases := []struct {
		name           string
		masks          []uint64
		take, left     []int
		wantTake, want []int
	}{
		{"rx alone on 5, cx(5,6) pending", []uint64{q(5), q(0, 1), q(0), q(5, 6), q(1)}, []int{0, 1, 2, 4}, []int{3}, []int{1, 2, 4}, []int{0, 3}},
		{"rx on 0 shares a sweep with cx(0,1)", []uint64{q(0), q(0, 1), q(2), q(0, 3)}, []int{0, 1, 2}, []int{3}, []int{0, 1, 2}, []int{3}},
		{"next gate on 3 qubits", []uint64{q(5), q(0, 1), q(5, 6, 7)}, []int{0, 1}, []int{2}, []int{0, 1}, []int{2}},
		{"nothing pending on the qubit", []uint64{q(5), q(0, 1), q(2, 3)}, []int{0, 1}, []int{2}, []int{0, 1}, []int{2}},
		{"two rotations on 5, merged in order", []uint64{q(5), q(0, 1), q(5), q(2, 3), q(5, 6)}, []int{0, 1, 2}, []int{3, 4}, []int{1}, []int{0, 2, 3, 4}},
		{"never empties the sweep", []uint64{q(5), q(5, 6)}, []int{0}, []int{1}, []int{0}, []int{1}},
	}
	for _, tc := range cases {
		take, left := deferLoneGates(append([]int(nil), tc.take...), append([]int(nil), tc.left...), tc.masks)
		assert.Equal(t, tc.wantTake, take, tc.name)
		assert.Equal(t, tc.want, left, tc.name)
	}
}

// TestDenseTranspositions: a CX and a SWAP on the lowest qubits, alone in their sweep, run as
// dense 4x4 blocks (flagged dense, priced as such by the bound); a CX on high qubits keeps
// the swap kernel. The state agrees with itsubaki/q (bits reversed) to 1e-12, serial and
// parallel, on both paths.
func TestDenseTranspositions(t *testing.T) {
	if !useDense4 {
		t.Skip("no dense 4x4 SIMD loops on this CPU")
	}
	// CX(0,1) and SWAP(2,3) come first on their qubits: alone in their blocks.
	c := circuit.New(12)
	c.CX(0, 1).Swap(2, 3)
	for q := 4; q < 12; q++ {
		c.RY(0.1*float64(q+1), q)
	}
	c.CX(10, 11).RX(0.3, 11).CX(0, 2).RY(0.2, 3)
	cfg := BlockConfig{ChunkBytes: 8 << 10, PinnedBytes: 64, FuseQubits: 2}
	steps, err := compile(c, nil)
	require.NoError(t, err)
	var sweeps []sweep
	withBlocking(cfg, func() { sweeps, _ = cfg.plan(gateSteps(steps), 12, 2, 8, true) })
	require.NotNil(t, sweeps)
	dense := 0
	for _, sw := range sweeps {
		for _, st := range sw.steps {
			if st.dense {
				dense++
				kind, w, _, _ := stepKernel(&st)
				assert.Equal(t, KernelDense4Real, kind)
				assert.Equal(t, 1.0, w)
			}
		}
	}
	assert.Equal(t, 2, dense, "CX(0,1) and SWAP(2,3) as dense blocks")
	want := runItsubaki(t, c)
	withThreads(t, func(t *testing.T) {
		for _, complexPath := range []bool{false, true} {
			var res *Result
			var err error
			withBlocking(cfg, func() { res, err = Run(c, Options{Complex: complexPath}) })
			require.NoError(t, err)
			assert.LessOrEqual(t, maxDiff(res.State.Amplitudes(), want), 1e-12, "complex=%v", complexPath)
		}
	})
	// The rewrite itself: CX(0,1) on a chunk becomes dense, CX(5,6) does not.
	hand := []step{{controls: []int{0}, targets: []int{1}, m: []complex128{0, 1, 1, 0}, mr: []float64{0, 1, 1, 0}},
		{controls: []int{5}, targets: []int{6}, m: []complex128{0, 1, 1, 0}, mr: []float64{0, 1, 1, 0}}}
	denseTranspositions(hand, costC128, 1)
	assert.True(t, hand[0].dense)
	assert.Equal(t, []int{1, 0}, hand[0].targets)
	assert.False(t, hand[1].dense)
}
