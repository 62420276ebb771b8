package sim

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The SIMD loops are checked bit for bit against independent copies of kPair's and kDiag's
// portable loops (kernels.go), with useSIMD on (when the CPU has it) and off, on random data
// and matrices that include the special values 0, −0, ±1, subnormals and huge values, for
// every length 0..70 and some large ones, at unaligned starts, with guard elements around
// the operands that must stay untouched.

// simdCPU records whether the assembly loops are available (useSIMD's initial value).
var simdCPU = useSIMD

// simdProbe holds x, y, z with x·y + z = −2⁻⁶⁰ exactly but fl(fl(x·y) + z) = 0.
var simdProbe = [3]float64{1 + 0x1p-30, 1 - 0x1p-30, -1}

// goFusesMulAdd reports whether this build compiles x*y + z to a fused multiply-add (as Go
// does on arm64 and on amd64 with GOAMD64=v3 or higher). The assembly never fuses, so it is
// bit-identical to the Go loops only where they do not fuse either.
func goFusesMulAdd() bool {
	p := simdProbe
	return simdMulAdd(p[0], p[1], p[2]) != 0
}

//go:noinline
func simdMulAdd(x, y, z float64) float64 { return x*y + z }

// simdModes returns the useSIMD settings to test and restores useSIMD after the test.
func simdModes(t *testing.T) []bool {
	t.Cleanup(func() { useSIMD = simdCPU })
	switch {
	case !simdCPU:
		t.Log("no AVX2 on this CPU/build: testing the portable loops only")
		return []bool{false}
	case goFusesMulAdd():
		t.Log("this build fuses x*y+z (GOAMD64>=v3): the non-fused assembly cannot be " +
			"bit-identical to the Go loops; testing the portable loops only")
		return []bool{false}
	}
	return []bool{false, true}
}

// simdLengths are the run lengths tested: all of 0..70, a few large ones.
func simdLengths() []int {
	var ls []int
	for n := 0; n <= 70; n++ {
		ls = append(ls, n)
	}
	ls = append(ls, 127, 128, 129, 255, 1000, 4099)
	if !testing.Short() {
		ls = append(ls, 1<<15+3)
	}
	return ls
}

var simdSpecial = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, math.Sqrt2 / 2, 5e-324, 1e-310, 1e300, -1e300}

// simdF64 draws a float64: mostly normal deviates, sometimes a special value.
func simdF64(r *rand.Rand) float64 {
	if r.IntN(5) == 0 {
		return simdSpecial[r.IntN(len(simdSpecial))]
	}
	return r.NormFloat64()
}

func simdC128(r *rand.Rand) complex128 { return complex(simdF64(r), simdF64(r)) }

// simdMatrices returns test matrices: identity-like and sign patterns built from special
// values, then random ones.
func simdMatrices[T number](r *rand.Rand, draw func(*rand.Rand) T, conv func(float64) T) [][4]T {
	ms := [][4]T{
		{conv(1), conv(0), conv(0), conv(1)},
		{conv(0), conv(1), conv(1), conv(0)},
		{conv(-1), conv(math.Copysign(0, -1)), conv(0), conv(-1)},
		{conv(math.Copysign(0, -1)), conv(math.Copysign(0, -1)), conv(math.Copysign(0, -1)), conv(math.Copysign(0, -1))},
		{conv(math.Sqrt2 / 2), conv(math.Sqrt2 / 2), conv(math.Sqrt2 / 2), conv(-math.Sqrt2 / 2)},
	}
	for range 12 {
		ms = append(ms, [4]T{draw(r), draw(r), draw(r), draw(r)})
	}
	return ms
}

func simdBits[T number](x T) [2]uint64 {
	switch v := any(x).(type) {
	case float64:
		return [2]uint64{math.Float64bits(v), 0}
	case complex128:
		return [2]uint64{math.Float64bits(real(v)), math.Float64bits(imag(v))}
	}
	panic("unreachable")
}

// simdSame reports the first index where got and want differ in any bit, or −1.
func simdSame[T number](got, want []T) int {
	for i := range want {
		if simdBits(got[i]) != simdBits(want[i]) {
			return i
		}
	}
	return -1
}

// requireSameBits stops the test at the first element where got and want differ in any bit,
// reporting the element, its index and the context given by format and args. The loop over
// the elements stays plain (simdSame); testify is called only on a mismatch.
func requireSameBits[T number](t *testing.T, got, want []T, format string, args ...any) {
	t.Helper()
	if i := simdSame(got, want); i >= 0 {
		msg := append([]any{format + ": element %d = %v, want %v (bit-identical)"}, args...)
		require.Equal(t, simdBits(want[i]), simdBits(got[i]), append(msg, i, got[i], want[i])...)
	}
}

// refPairRun is kPair's general inner loop.
func refPairRun[T number](a, b []T, m0, m1, m2, m3 T) {
	for j := range a {
		x, y := a[j], b[j]
		a[j] = m0*x + m1*y
		b[j] = m2*x + m3*y
	}
}

// refPairShort is kPair's short-run switch over the element range [lo,hi) = [0,len(d)/2).
func refPairShort[T number](d []T, R int, m0, m1, m2, m3 T) {
	lo, hi := 0, len(d)/2
	switch R {
	case 1:
		for i := lo; i < hi; i++ {
			p := d[2*i : 2*i+2 : 2*i+2]
			a, b := p[0], p[1]
			p[0] = m0*a + m1*b
			p[1] = m2*a + m3*b
		}
	case 2:
		for i := lo; i < hi; i += 2 {
			p := d[2*i : 2*i+4 : 2*i+4]
			a0, a1, b0, b1 := p[0], p[1], p[2], p[3]
			p[0] = m0*a0 + m1*b0
			p[1] = m0*a1 + m1*b1
			p[2] = m2*a0 + m3*b0
			p[3] = m2*a1 + m3*b1
		}
	case 4:
		for i := lo; i < hi; i += 4 {
			p := d[2*i : 2*i+8 : 2*i+8]
			a0, a1, a2, a3 := p[0], p[1], p[2], p[3]
			b0, b1, b2, b3 := p[4], p[5], p[6], p[7]
			p[0] = m0*a0 + m1*b0
			p[1] = m0*a1 + m1*b1
			p[2] = m0*a2 + m1*b2
			p[3] = m0*a3 + m1*b3
			p[4] = m2*a0 + m3*b0
			p[5] = m2*a1 + m3*b1
			p[6] = m2*a2 + m3*b2
			p[7] = m2*a3 + m3*b3
		}
	}
}

// refScaleRun is kDiag's inner loop.
func refScaleRun[T number](a []T, v T) {
	for j := range a {
		a[j] *= v
	}
}

const simdGuard = 5 // untouched elements around every operand

// checkPair tests pair against refPairRun: a and b are distinct subslices of one array,
// starting at offset off, in either order, with a gap between them.
func checkPair[T number](t *testing.T, name string, pair func(a, b []T, m0, m1, m2, m3 T),
	draw func(*rand.Rand) T, conv func(float64) T) {
	for _, simd := range simdModes(t) {
		useSIMD = simd
		r := rand.New(rand.NewPCG(1, 2))
		ms := simdMatrices(r, draw, conv)
		for _, n := range simdLengths() {
			for off := range 4 {
				for _, bFirst := range []bool{false, true} {
					m := ms[r.IntN(len(ms))]
					if n <= 70 && off == 0 && !bFirst {
						m = ms[n%len(ms)] // every matrix meets short lengths
					}
					gap := simdGuard + r.IntN(3)
					arr := make([]T, off+2*n+gap+simdGuard)
					for i := range arr {
						arr[i] = draw(r)
					}
					want := append([]T(nil), arr...)
					ia, ib := off, off+n+gap
					if bFirst {
						ia, ib = ib, ia
					}
					pair(arr[ia:ia+n], arr[ib:ib+n], m[0], m[1], m[2], m[3])
					refPairRun(want[ia:ia+n], want[ib:ib+n], m[0], m[1], m[2], m[3])
					requireSameBits(t, arr, want, "%s simd=%v n=%d off=%d bFirst=%v m=%v", name, simd, n, off, bFirst, m)
				}
			}
		}
	}
}

func TestSIMDPairF64BitIdentical(t *testing.T) {
	checkPair(t, "pairF64", pairF64, simdF64, func(x float64) float64 { return x })
}

func TestSIMDPairC128BitIdentical(t *testing.T) {
	checkPair(t, "pairC128", pairC128, simdC128, func(x float64) complex128 { return complex(x, 0) })
}

// checkShort tests short against refPairShort for each block size R and 0..70 blocks.
func checkShort[T number](t *testing.T, name string, short func(d []T, R int, m0, m1, m2, m3 T),
	Rs []int, draw func(*rand.Rand) T, conv func(float64) T) {
	for _, simd := range simdModes(t) {
		useSIMD = simd
		r := rand.New(rand.NewPCG(3, 4))
		ms := simdMatrices(r, draw, conv)
		for _, R := range Rs {
			for _, nb := range simdLengths() {
				for off := range 4 {
					m := ms[(nb+off)%len(ms)]
					if nb > 70 {
						m = ms[r.IntN(len(ms))]
					}
					n := 2 * R * nb
					arr := make([]T, off+n+simdGuard)
					for i := range arr {
						arr[i] = draw(r)
					}
					want := append([]T(nil), arr...)
					short(arr[off:off+n], R, m[0], m[1], m[2], m[3])
					refPairShort(want[off:off+n], R, m[0], m[1], m[2], m[3])
					requireSameBits(t, arr, want, "%s simd=%v R=%d blocks=%d off=%d m=%v", name, simd, R, nb, off, m)
				}
			}
		}
	}
}

func TestSIMDPairF64ShortBitIdentical(t *testing.T) {
	checkShort(t, "pairF64Short", pairF64Short, []int{1, 2, 4}, simdF64, func(x float64) float64 { return x })
}

func TestSIMDPairC128ShortBitIdentical(t *testing.T) {
	checkShort(t, "pairC128Short", pairC128Short, []int{1, 2}, simdC128, func(x float64) complex128 { return complex(x, 0) })
}

// checkScale tests scale against refScaleRun.
func checkScale[T number](t *testing.T, name string, scale func(a []T, v T), draw func(*rand.Rand) T, conv func(float64) T) {
	for _, simd := range simdModes(t) {
		useSIMD = simd
		r := rand.New(rand.NewPCG(5, 6))
		vs := []T{conv(0), conv(math.Copysign(0, -1)), conv(1), conv(-1), conv(1e300)}
		for range 6 {
			vs = append(vs, draw(r))
		}
		for _, n := range simdLengths() {
			for off := range 4 {
				v := vs[(n+off)%len(vs)]
				arr := make([]T, off+n+simdGuard)
				for i := range arr {
					arr[i] = draw(r)
				}
				want := append([]T(nil), arr...)
				scale(arr[off:off+n], v)
				refScaleRun(want[off:off+n], v)
				requireSameBits(t, arr, want, "%s simd=%v n=%d off=%d v=%v", name, simd, n, off, v)
			}
		}
	}
}

func TestSIMDScaleF64BitIdentical(t *testing.T) {
	checkScale(t, "scaleF64", scaleF64, simdF64, func(x float64) float64 { return x })
}

func TestSIMDScaleC128BitIdentical(t *testing.T) {
	checkScale(t, "scaleC128", scaleC128, simdC128, func(x float64) complex128 { return complex(x, 0) })
}

// TestSIMDComplexProductHandDerived checks single complex products against hand-computed
// values, an oracle independent of Go's complex arithmetic: (1+2i)(3+4i) = −5+10i and
// (2−i)(i) = 1+2i through scaleC128, and for pairC128 with m = [[i, 1], [2, −i]] on
// x = 1+i, y = 2: a = i(1+i) + 2 = 1+i, b = 2(1+i) − 2i = 2.
func TestSIMDComplexProductHandDerived(t *testing.T) {
	for _, simd := range simdModes(t) {
		useSIMD = simd
		a := []complex128{1 + 2i, 2 - 1i, 1 + 2i, 2 - 1i}
		scaleC128(a[:2], 3+4i)
		scaleC128(a[2:], 1i)
		want := []complex128{-5 + 10i, 10 + 5i, -2 + 1i, 1 + 2i}
		require.Equal(t, want, a, "simd=%v scaleC128", simd)
		x := []complex128{1 + 1i, 1 + 1i, 1 + 1i}
		y := []complex128{2, 2, 2}
		pairC128(x, y, 1i, 1, 2, -1i)
		require.Equal(t, []complex128{1 + 1i, 1 + 1i, 1 + 1i}, x, "simd=%v pairC128: a", simd)
		require.Equal(t, []complex128{2, 2, 2}, y, "simd=%v pairC128: b", simd)
	}
}

// TestSIMDRotationPreservesNorm applies rotations and checks the 2-norm of the pair of runs
// is unchanged: to 1e-15 relative for a real rotation, 1e-14 for a complex unitary (whose
// products round more often).
func TestSIMDRotationPreservesNorm(t *testing.T) {
	tests := []struct {
		n     int
		theta float64
	}{{1, 0.3}, {7, 1.1}, {64, -2.5}, {1023, math.Pi / 3}, {4096, 0.001}}
	for _, simd := range simdModes(t) {
		useSIMD = simd
		for _, tc := range tests {
			t.Run(fmt.Sprintf("simd=%v/n=%d", simd, tc.n), func(t *testing.T) {
				r := rand.New(rand.NewPCG(7, uint64(tc.n)))
				c, s := math.Cos(tc.theta), math.Sin(tc.theta)
				a, b := make([]float64, tc.n), make([]float64, tc.n)
				ca, cb := make([]complex128, tc.n), make([]complex128, tc.n)
				for i := range a {
					a[i], b[i] = r.NormFloat64(), r.NormFloat64()
					ca[i], cb[i] = complex(r.NormFloat64(), r.NormFloat64()), complex(r.NormFloat64(), r.NormFloat64())
				}
				norm := func(xs ...[]float64) float64 {
					var s float64
					for _, x := range xs {
						for _, v := range x {
							s += v * v
						}
					}
					return math.Sqrt(s)
				}
				cnorm := func(xs ...[]complex128) float64 {
					var s float64
					for _, x := range xs {
						for _, v := range x {
							s += real(v)*real(v) + imag(v)*imag(v)
						}
					}
					return math.Sqrt(s)
				}
				n0 := norm(a, b)
				pairF64(a, b, c, -s, s, c)
				n1 := norm(a, b)
				assert.InDelta(t, n0, n1, 1e-15*n0, "pairF64 rotation: norm %v -> %v (rel %.3g)", n0, n1, math.Abs(n1-n0)/n0)
				// U = [[e^{iφ}c, −s], [s, e^{−iφ}c]]·… is unitary for any φ.
				ph := cmplx.Exp(complex(0, 0.7))
				m0, m1, m2, m3 := ph*complex(c, 0), complex(-s, 0)*ph, complex(s, 0), complex(c, 0)
				// rows (m0, m1) and (m2, m3): m0·conj(m2) + m1·conj(m3) = ph·cs − s·ph·c = 0.
				cn0 := cnorm(ca, cb)
				pairC128(ca, cb, m0, m1, m2, m3)
				cn1 := cnorm(ca, cb)
				assert.InDelta(t, cn0, cn1, 1e-14*cn0, "pairC128 unitary: norm %v -> %v (rel %.3g)", cn0, cn1, math.Abs(cn1-cn0)/cn0)
			})
		}
	}
}

func TestSIMDShortBadBlockPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"f64 R=3", func() { pairF64Short(make([]float64, 6), 3, 1, 0, 0, 1) }},
		{"f64 len", func() { pairF64Short(make([]float64, 6), 2, 1, 0, 0, 1) }},
		{"c128 R=4", func() { pairC128Short(make([]complex128, 8), 4, 1, 0, 0, 1) }},
		{"c128 len", func() { pairC128Short(make([]complex128, 3), 1, 1, 0, 0, 1) }},
		{"pair short b", func() { pairF64(make([]float64, 4), make([]float64, 3), 1, 0, 0, 1) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Panics(t, tc.f, "no panic")
		})
	}
}

// TestSIMDPairBlocksBitIdentical: the strided block loops equal the portable loop bit for
// bit for every block size they accept.
func TestSIMDPairBlocksBitIdentical(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, R := range []int{2, 4, 6, 8, 12, 16, 64, 256} {
		for _, nb := range []int{0, 1, 3, 17} {
			d := make([]complex128, 2*R*nb)
			for i := range d {
				d[i] = complex(r.NormFloat64(), r.NormFloat64())
			}
			m := [4]complex128{complex(0.6, 0.1), complex(-0.8, 0.3), complex(0.8, -0.2), complex(0.6, 0.5)}
			want := slices.Clone(d)
			pairBlocksGo(want, R, m[0], m[1], m[2], m[3])
			got := slices.Clone(d)
			pairBlocksC128(got, R, m[0], m[1], m[2], m[3])
			requireSameBits(t, got, want, "complex R=%d blocks=%d", R, nb)
			if R%4 != 0 {
				continue
			}
			f := make([]float64, 2*R*nb)
			for i := range f {
				f[i] = r.NormFloat64()
			}
			fw := slices.Clone(f)
			pairBlocksGo(fw, R, 0.6, -0.8, 0.8, 0.6)
			pairBlocksF64(f, R, 0.6, -0.8, 0.8, 0.6)
			requireSameBits(t, f, fw, "float64 R=%d blocks=%d", R, nb)
		}
	}
}
