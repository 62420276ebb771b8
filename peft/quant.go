package peft

import (
	"fmt"
	"math"
)

// MaxQuantBits bounds the bit width of angle quantisation.
const MaxQuantBits = 24

// AngleQuantizer stores circuit angles with Bits bits on a uniform grid over [−2π, 2π).
//
// RY(θ) has period 4π, and RY(θ + 2π) = −RY(θ): a quantiser that wrapped angles modulo 2π
// would silently flip the sign of a column of U or V, and with it the sign of ΔW. The grid
// therefore covers one full period [−2π, 2π): angle code c ∈ [0, 2^Bits) stands for
// −2π + c·4π/2^Bits, and an angle is first reduced modulo 4π (which changes no RY matrix).
type AngleQuantizer struct {
	Bits int
}

// NewAngleQuantizer returns a quantizer for 1 ≤ bits ≤ MaxQuantBits.
func NewAngleQuantizer(bits int) (AngleQuantizer, error) {
	if bits < 1 || bits > MaxQuantBits {
		return AngleQuantizer{}, fmt.Errorf("peft: angle quantisation needs 1..%d bits, got %d", MaxQuantBits, bits)
	}
	return AngleQuantizer{Bits: bits}, nil
}

// Step returns the grid spacing 4π/2^Bits.
func (q AngleQuantizer) Step() float64 { return math.Ldexp(4*math.Pi, -q.Bits) }

// Levels returns 2^Bits.
func (q AngleQuantizer) Levels() int { return 1 << q.Bits }

// Code returns the grid index of the nearest level to theta, modulo 4π.
func (q AngleQuantizer) Code(theta float64) uint32 {
	if math.IsNaN(theta) || math.IsInf(theta, 0) {
		return 0
	}
	w := theta - 4*math.Pi*math.Floor((theta+2*math.Pi)/(4*math.Pi)) // in [−2π, 2π) up to rounding
	c := math.Round((w + 2*math.Pi) / q.Step())
	n := float64(q.Levels())
	c = math.Mod(c, n)
	if c < 0 {
		c += n
	}
	return uint32(c)
}

// Value returns the angle −2π + code·4π/2^Bits.
func (q AngleQuantizer) Value(code uint32) float64 {
	return -2*math.Pi + float64(code)*q.Step()
}

// Quantize returns Value(Code(theta)).
func (q AngleQuantizer) Quantize(theta float64) float64 { return q.Value(q.Code(theta)) }

// QuantizeAll writes the quantised angles of src into dst (same length).
func (q AngleQuantizer) QuantizeAll(dst, src []float64) {
	for i, v := range src {
		dst[i] = q.Quantize(v)
	}
}

// StorageBytes returns the bytes needed to store n angles packed at Bits bits each.
func (q AngleQuantizer) StorageBytes(n int) int { return (n*q.Bits + 7) / 8 }
