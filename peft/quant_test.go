package peft

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft/ortho"
)

// TestQuantRoundTrip: every b-bit code maps to an angle that maps back to the same code, and
// the quantised angle is a fixed point, for b = 1..16 exhaustively and b = 17..24 sampled.
func TestQuantRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for b := 1; b <= MaxQuantBits; b++ {
		q, err := NewAngleQuantizer(b)
		require.NoError(t, err)
		check := func(c uint32) {
			v := q.Value(c)
			require.False(t, v < -2*math.Pi || v >= 2*math.Pi, "b=%d code %d: value %v outside [−2π, 2π)", b, c, v)
			require.Equal(t, c, q.Code(v), "b=%d: Code(Value(%d))", b, c)
			w := q.Quantize(v)
			require.Equal(t, math.Float64bits(v), math.Float64bits(w), "b=%d code %d: Quantize not idempotent: %v → %v", b, c, v, w)
			require.Equal(t, c, q.Code(v+4*math.Pi), "b=%d code %d: a 4π shift changed the code", b, c)
		}
		if b <= 16 {
			for c := 0; c < q.Levels(); c++ {
				check(uint32(c))
			}
		} else {
			for i := 0; i < 5000; i++ {
				check(uint32(rng.IntN(q.Levels())))
			}
		}
		// Nearest-level rounding: the error is at most half a step (mod 4π).
		for i := 0; i < 1000; i++ {
			th := (2*rng.Float64() - 1) * 20
			d := math.Remainder(q.Quantize(th)-th, 4*math.Pi)
			require.InDelta(t, 0.0, d, q.Step()/2*(1+1e-9), "b=%d: θ=%v quantised with error %v > step/2 = %v", b, th, d, q.Step()/2)
		}
	}
	for _, b := range []int{0, -1, MaxQuantBits + 1} {
		_, err := NewAngleQuantizer(b)
		assert.Error(t, err, "%d bits accepted", b)
	}
	q, _ := NewAngleQuantizer(3)
	assert.Equal(t, 35, q.StorageBytes(46+46), "storage of 92 3-bit angles in bytes")
}

// wrap2pi is the naive quantiser the method warns about: reduce modulo 2π into [−π, π) and
// round to a b-bit grid there.
func wrap2pi(theta float64, bits int) float64 {
	w := theta - 2*math.Pi*math.Floor((theta+math.Pi)/(2*math.Pi))
	step := 2 * math.Pi / float64(int(1)<<bits)
	return -math.Pi + step*math.Round((w+math.Pi)/step)
}

// TestQuantSignFlip shows that a 2π-wrapping quantiser flips the sign of ΔW (RY(θ+2π) =
// −RY(θ)) while ours, over [−2π, 2π), keeps it. A Pauli adapter on an 8 × 8 layer with one
// angle of U beyond π: wrapping it moves it by 2π and negates U, hence ΔW.
func TestQuantSignFlip(t *testing.T) {
	const bits = 10
	build := func(qbits int) *QuantumPEFT {
		u, err := ortho.New(8, 2, ortho.Spec{Layers: 1})
		require.NoError(t, err)
		v, err := ortho.New(8, 2, ortho.Spec{Layers: 1})
		require.NoError(t, err)
		a, err := NewQuantumPEFT(u, v, Options{QuantBits: qbits, InitScale: 0.5, Seed: 7})
		require.NoError(t, err)
		return a
	}
	ref := build(0)
	ref.ThetaU.Value[4] = 3.5 // in (π, 2π): the one angle a 2π wrap moves
	ref.Lambda.Value[0], ref.Lambda.Value[1] = 1.5, -0.7
	want, err := DeltaW(ref)
	require.NoError(t, err)

	ours := build(bits)
	copy(ours.ThetaU.Value, ref.ThetaU.Value)
	copy(ours.ThetaV.Value, ref.ThetaV.Value)
	copy(ours.Lambda.Value, ref.Lambda.Value)
	got, err := DeltaW(ours)
	require.NoError(t, err)

	naive := build(0)
	for i, v := range ref.ThetaU.Value {
		naive.ThetaU.Value[i] = wrap2pi(v, bits)
	}
	for i, v := range ref.ThetaV.Value {
		naive.ThetaV.Value[i] = wrap2pi(v, bits)
	}
	copy(naive.Lambda.Value, ref.Lambda.Value)
	flipped, err := DeltaW(naive)
	require.NoError(t, err)

	neg := make([]float64, len(want))
	for i, v := range want {
		neg[i] = -v
	}
	assert.LessOrEqual(t, relErr(got, want), 0.02, "our quantiser: ΔW off (relative)")
	assert.LessOrEqual(t, relErr(flipped, neg), 0.02, "2π-wrapping quantiser: ΔW is not −ΔW (rel. distance)")
	assert.GreaterOrEqual(t, relErr(flipped, want), 1.0, "2π-wrapping quantiser unexpectedly kept the sign (rel. distance)")
}

// TestQuantSTE: with quantisation on, the angle gradient is the gradient of the
// unquantised map evaluated at the quantised angles (straight-through estimator).
func TestQuantSTE(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	mk := func(bits int) *QuantumPEFT {
		u, _ := ortho.New(16, 3, ortho.Spec{Layers: 2})
		v, _ := ortho.New(12, 3, ortho.Spec{Layers: 2})
		a, err := NewQuantumPEFT(u, v, Options{QuantBits: bits, InitScale: 2, Seed: 3})
		require.NoError(t, err)
		return a
	}
	q := mk(6)
	for j := range q.Lambda.Value {
		q.Lambda.Value[j] = rng.NormFloat64()
	}
	plain := mk(0)
	quant := q.Quantizer()
	quant.QuantizeAll(plain.ThetaU.Value, q.ThetaU.Value)
	quant.QuantizeAll(plain.ThetaV.Value, q.ThetaV.Value)
	copy(plain.Lambda.Value, q.Lambda.Value)
	x := randVec(rng, 5*12, 1)
	g := randVec(rng, 5*16, 1)
	grads := func(a *QuantumPEFT) [][]float64 {
		l, err := NewLinear(randVecSeed(16*12), 16, 12, nil, a)
		require.NoError(t, err)
		y := make([]float64, 5*16)
		require.NoError(t, l.Forward(x, 5, y))
		nn.ZeroGrad(a.Params())
		require.NoError(t, l.Backward(g, nil))
		return [][]float64{a.ThetaU.Grad, a.ThetaV.Grad, a.Lambda.Grad}
	}
	gq, gp := grads(q), grads(plain)
	for i := range gq {
		assert.Zero(t, maxAbsDiff(gq[i], gp[i]), "parameter %d: max |STE gradient difference|", i)
	}
	// The latent angles are not quantised; only the forward pass sees the grid.
	assert.False(t, slicesEqual(q.ThetaU.Value, plain.ThetaU.Value), "latent angles were overwritten by their quantised values")
	cu, _, err := q.AngleCodes()
	require.NoError(t, err)
	for i, c := range cu {
		require.Equal(t, plain.ThetaU.Value[i], quant.Value(c), "code %d does not decode to the quantised angle", i)
	}
}

func randVecSeed(n int) []float64 {
	return randVec(rand.New(rand.NewPCG(99, 100)), n, 1)
}

func slicesEqual(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}
