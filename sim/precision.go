package sim

import (
	"fmt"
	"math"
	"strings"
	"unsafe"
)

// Precision is the floating-point type of a state's amplitudes.
type Precision int

const (
	// Double stores float64 amplitudes while the state is real and complex128 ones after
	// (the default).
	Double Precision = iota
	// Single stores float32 and complex64 amplitudes: half the memory and half the memory
	// traffic of Double, about 7 significant digits (qsim's and lightning's complex64). The
	// gate matrices are computed in double precision and rounded once; the kernels compute
	// in single precision.
	Single
)

// String returns "double" or "single".
func (p Precision) String() string {
	if p == Single {
		return "single"
	}
	return "double"
}

// ParsePrecision reads "double" (or "float64", "complex128") and "single" (or "float32",
// "complex64").
func ParsePrecision(s string) (Precision, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "double", "float64", "complex128", "":
		return Double, nil
	case "single", "float32", "complex64":
		return Single, nil
	}
	return Double, fmt.Errorf("unknown precision %q: use double or single", s)
}

// bytesPerAmp is the size of one amplitude.
func (p Precision) bytesPerAmp(complexPath bool) int {
	b := 8
	if p == Single {
		b = 4
	}
	if complexPath {
		b *= 2
	}
	return b
}

// sumSquares returns Σ f[i]² over f[lo:hi] in float64.
func sumSquares[F float32 | float64](f []F, lo, hi int) float64 {
	t := 0.0
	for _, v := range f[lo:hi] {
		t += float64(v) * float64(v)
	}
	return t
}

// rowProbs writes |amplitude|² of rows lo..hi−1 into out (w real values per row).
func rowProbs[F float32 | float64](f []F, w int, out []float64, lo, hi int) {
	if w == 1 {
		for i := lo; i < hi; i++ {
			v := float64(f[i])
			out[i] = v * v
		}
		return
	}
	for i := lo; i < hi; i++ {
		a, b := float64(f[2*i]), float64(f[2*i+1])
		out[i] = a*a + b*b
	}
}

// rowProb returns |amplitude|² of row i (w real values per row).
func rowProb[F float32 | float64](f []F, w, i int) float64 {
	p := 0.0
	for _, v := range f[i*w : i*w+w] {
		p += float64(v) * float64(v)
	}
	return p
}

// Fidelity returns |⟨a|b⟩|² / (‖a‖²‖b‖²) for two states of the same number of qubits, in any
// precision, accumulated in float64: 1 for equal states up to a global phase. It is how a
// single-precision run is compared with a double-precision one.
func Fidelity(a, b *State) (float64, error) {
	if a.n != b.n {
		return 0, fmt.Errorf("sim: fidelity of states of %d and %d qubits", a.n, b.n)
	}
	rows := 1 << a.n
	re := reduce(rows, func(lo, hi int) float64 {
		t := 0.0
		for i := lo; i < hi; i++ {
			x, y := a.Amplitude(i), b.Amplitude(i)
			t += real(x)*real(y) + imag(x)*imag(y)
		}
		return t
	})
	im := reduce(rows, func(lo, hi int) float64 {
		t := 0.0
		for i := lo; i < hi; i++ {
			x, y := a.Amplitude(i), b.Amplitude(i)
			t += real(x)*imag(y) - imag(x)*real(y)
		}
		return t
	})
	na, nb := a.Norm(), b.Norm()
	if !(na > 0 && nb > 0) {
		return 0, fmt.Errorf("sim: fidelity of a state of zero norm")
	}
	f := (re*re + im*im) / (na * na * nb * nb)
	if math.IsNaN(f) {
		return 0, fmt.Errorf("sim: fidelity is NaN (a state holds NaN or Inf)")
	}
	return f, nil
}

// c64floats is the interleaved re/im float32 view of complex64 data.
func c64floats(d []complex64) []float32 {
	if len(d) == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(d))), 2*len(d))
}
