package sim

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/qpeft/qpeft/circuit"
)

// State is the state vector of n qubits. It stores float64 amplitudes while every operation
// applied so far kept them real (the fast path for RY/CZ circuits) and switches to complex128,
// once and for good, at the first operation with complex entries. Make one with NewState,
// FromAmplitudes or FromRealAmplitudes, or get one from Run or Statevector.
//
// In single precision (Options.Precision Single) the amplitudes are float32 while real and
// complex64 after; the methods below work on either and return float64/complex128 values.
type State struct {
	n     int
	r     *RealBatch  // amplitudes while real
	c     *Batch      // amplitudes once complex
	r32   []float32   // single precision, while real
	c64   []complex64 // single precision, once complex
	limit int64       // memory limit (0: MemoryLimit)
}

// NewState returns |0…0⟩ on n qubits (real), after checking the memory limit.
func NewState(n int) (*State, error) { return newState(n, 0, false, Double) }

// NewStatePrecision returns |0…0⟩ on n qubits (real) in the given precision.
func NewStatePrecision(n int, p Precision) (*State, error) { return newState(n, 0, false, p) }

func newState(n int, limit int64, complexPath bool, p Precision) (*State, error) {
	s := &State{n: n, limit: limit}
	if p == Single {
		if err := checkMemory("state vector", n, 1, p.bytesPerAmp(complexPath), limit); err != nil {
			return nil, err
		}
		if complexPath {
			s.c64 = makeAmps[complex64](1 << n)
			s.c64[0] = 1
		} else {
			s.r32 = makeAmps[float32](1 << n)
			s.r32[0] = 1
		}
		return s, nil
	}
	if complexPath {
		b, err := newBatch(n, 1, limit, "state vector")
		if err != nil {
			return nil, err
		}
		b.Data[0] = 1
		s.c = b
		return s, nil
	}
	b, err := newRealBatch(n, 1, limit, "state vector")
	if err != nil {
		return nil, err
	}
	b.Data[0] = 1
	s.r = b
	return s, nil
}

// FromAmplitudes returns the state with the given amplitudes (copied; the length must be a
// power of two and the norm 1 to within 1e-8). Amplitudes that are all real give a real
// state.
func FromAmplitudes(amps []complex128) (*State, error) {
	n, err := checkAmps(len(amps), func(yield func(float64)) {
		for _, a := range amps {
			yield(real(a)*real(a) + imag(a)*imag(a))
		}
	})
	if err != nil {
		return nil, err
	}
	if re, ok := realCoefs(amps, nil); ok {
		return &State{n: n, r: &RealBatch{Qubits: n, B: 1, Data: re}}, nil
	}
	return &State{n: n, c: &Batch{Qubits: n, B: 1, Data: slices.Clone(amps)}}, nil
}

// FromRealAmplitudes returns the real state with the given amplitudes (copied; the length
// must be a power of two and the norm 1 to within 1e-8).
func FromRealAmplitudes(amps []float64) (*State, error) {
	n, err := checkAmps(len(amps), func(yield func(float64)) {
		for _, a := range amps {
			yield(a * a)
		}
	})
	if err != nil {
		return nil, err
	}
	return &State{n: n, r: &RealBatch{Qubits: n, B: 1, Data: slices.Clone(amps)}}, nil
}

func checkAmps(l int, sq func(func(float64))) (int, error) {
	if l == 0 || l&(l-1) != 0 {
		return 0, fmt.Errorf("sim: a state vector needs a power-of-two number of amplitudes, got %d", l)
	}
	s := 0.0
	sq(func(v float64) { s += v })
	if math.Abs(s-1) > 1e-8 || math.IsNaN(s) {
		return 0, fmt.Errorf("sim: the amplitudes have squared norm %v, want 1 (normalise them)", s)
	}
	return bits.TrailingZeros(uint(l)), nil
}

// NumQubits is the number of qubits.
func (s *State) NumQubits() int { return s.n }

// IsReal reports whether the amplitudes are stored as real numbers (float64, or float32 in
// single precision).
func (s *State) IsReal() bool { return s.r != nil || s.r32 != nil }

// Precision is the precision of the stored amplitudes.
func (s *State) Precision() Precision {
	if s.r32 != nil || s.c64 != nil {
		return Single
	}
	return Double
}

// SingleData returns the single-precision storage (no copy; nil, nil in double precision):
// exactly one of the two is non-nil for a single-precision state.
func (s *State) SingleData() ([]complex64, []float32) { return s.c64, s.r32 }

// Amplitudes returns a copy of the amplitudes, index i = basis state |i⟩ (little-endian).
func (s *State) Amplitudes() []complex128 {
	switch {
	case s.r != nil:
		return toComplexSlice(s.r.Data)
	case s.r32 != nil:
		return toComplexSlice(s.r32)
	case s.c64 != nil:
		out := make([]complex128, len(s.c64))
		for i, v := range s.c64 {
			out[i] = complex128(v)
		}
		return out
	}
	return slices.Clone(s.c.Data)
}

// RealAmplitudes returns a copy of the amplitudes when the state is real, nil otherwise.
func (s *State) RealAmplitudes() []float64 {
	if s.r32 != nil {
		out := make([]float64, len(s.r32))
		for i, v := range s.r32 {
			out[i] = float64(v)
		}
		return out
	}
	if s.r == nil {
		return nil
	}
	return slices.Clone(s.r.Data)
}

// Amplitude returns the amplitude of basis state |i⟩.
func (s *State) Amplitude(i int) complex128 {
	switch {
	case s.r != nil:
		return complex(s.r.Data[i], 0)
	case s.r32 != nil:
		return complex(float64(s.r32[i]), 0)
	case s.c64 != nil:
		return complex128(s.c64[i])
	}
	return s.c.Data[i]
}

// Batch returns the underlying double-precision storage (no copy): exactly one of the two is
// non-nil (both are nil in single precision: see SingleData). Changing it changes the state.
func (s *State) Batch() (*Batch, *RealBatch) { return s.c, s.r }

func toComplexSlice[F float32 | float64](v []F) []complex128 {
	out := make([]complex128, len(v))
	for i, x := range v {
		out[i] = complex(float64(x), 0)
	}
	return out
}

// Clone returns a deep copy.
func (s *State) Clone() *State {
	t := *s
	switch {
	case s.r != nil:
		t.r = s.r.Clone()
	case s.c != nil:
		t.c = s.c.Clone()
	case s.r32 != nil:
		t.r32 = slices.Clone(s.r32)
	default:
		t.c64 = slices.Clone(s.c64)
	}
	return &t
}

// copyFrom makes s a copy of u, reusing s's storage when the two have the same kind.
func (s *State) copyFrom(u *State) {
	switch {
	case s.r != nil && u.r != nil:
		copy(s.r.Data, u.r.Data)
	case s.c != nil && u.c != nil:
		copy(s.c.Data, u.c.Data)
	case s.r32 != nil && u.r32 != nil:
		copy(s.r32, u.r32)
	case s.c64 != nil && u.c64 != nil:
		copy(s.c64, u.c64)
	default:
		*s = *u.Clone()
	}
}

// floats returns the double-precision amplitudes as float64 and the number of floats per
// basis state (1 when real, 2 when complex: re, im); nil in single precision (floats32).
func (s *State) floats() ([]float64, int) {
	switch {
	case s.r != nil:
		return s.r.Data, 1
	case s.c != nil:
		return s.c.floats(), 2
	}
	return nil, 0
}

// floats32 is floats for a single-precision state (nil in double precision).
func (s *State) floats32() ([]float32, int) {
	switch {
	case s.r32 != nil:
		return s.r32, 1
	case s.c64 != nil:
		return c64floats(s.c64), 2
	}
	return nil, 0
}

// sumSq returns Σ|amplitude|² over rows lo..hi−1 of either precision.
func (s *State) sumSq(lo, hi int) float64 {
	if f, w := s.floats32(); f != nil {
		return sumSquares(f, lo*w, hi*w)
	}
	f, w := s.floats()
	return sumSquares(f, lo*w, hi*w)
}

// prob returns |amplitude|² of row i.
func (s *State) prob(i int) float64 {
	if f, w := s.floats32(); f != nil {
		return rowProb(f, w, i)
	}
	f, w := s.floats()
	return rowProb(f, w, i)
}

// promote switches the storage to complex (complex128, or complex64 in single precision).
func (s *State) promote() error {
	if s.r32 != nil {
		if err := checkMemory("state vector", s.n, 1, 8, s.limit); err != nil {
			return err
		}
		c := makeAmps[complex64](len(s.r32))
		for i, v := range s.r32 {
			c[i] = complex(v, 0)
		}
		s.c64, s.r32 = c, nil
		return nil
	}
	if s.r == nil {
		return nil
	}
	c, err := newBatch(s.n, 1, s.limit, "state vector")
	if err != nil {
		return err
	}
	for i, v := range s.r.Data {
		c.Data[i] = complex(v, 0)
	}
	s.c, s.r = c, nil
	return nil
}

// Norm returns the 2-norm of the amplitudes (1 for a valid state, up to rounding).
func (s *State) Norm() float64 {
	return math.Sqrt(reduce(1<<s.n, s.sumSq))
}

// Probabilities returns |amplitude|² of every basis state (a fresh slice of 2^n float64,
// checked against the memory limit).
func (s *State) Probabilities() ([]float64, error) {
	if err := checkMemory("probability vector", s.n, 1, 8, s.limit); err != nil {
		return nil, err
	}
	f, w := s.floats()
	f32, w32 := s.floats32()
	out := make([]float64, 1<<s.n)
	body := func(lo, hi int) {
		if f32 != nil {
			rowProbs(f32, w32, out, lo, hi)
		} else {
			rowProbs(f, w, out, lo, hi)
		}
	}
	if nw := workers(len(out)); nw == 1 {
		body(0, len(out))
	} else {
		parallel(nw, len(out), body)
	}
	return out, nil
}

// Probability returns |amplitude|² of basis state |i⟩.
func (s *State) Probability(i int) float64 { return s.prob(i) }

// ApplyOp applies one gate operation (barriers do nothing). A gate with complex entries
// switches a real state to complex storage. Measurement and reset need a random source: use
// Measure and Reset (or Run for whole circuits); conditioned operations are an error here.
func (s *State) ApplyOp(op *circuit.Op, env circuit.Env) error {
	controls, targets, m, err := opBlock(op, env, modePlain)
	if err != nil || m == nil {
		return err
	}
	if err := checkOpQubits(op, s.n); err != nil {
		return err
	}
	st := step{op: op, controls: controls, targets: targets, m: m}
	st.mr, _ = realCoefs(m, nil)
	return s.applyStep(&st)
}

// applyStep applies a compiled gate.
func (s *State) applyStep(st *step) error {
	if s.Precision() == Single {
		if s.r32 != nil && st.mr == nil {
			if err := s.promote(); err != nil {
				return fmt.Errorf("sim: %s%s needs complex amplitudes: %w", st.op.Pos.Prefix(), st.op.Name(), err)
			}
		}
		a := s.amps()
		a.applyGate(st)
		return nil
	}
	if s.r != nil {
		if st.mr != nil {
			s.r.ApplyControlled(st.controls, st.targets, st.mr)
			return nil
		}
		if err := s.promote(); err != nil {
			return fmt.Errorf("sim: %s%s needs complex amplitudes: %w", st.op.Pos.Prefix(), st.op.Name(), err)
		}
	}
	s.c.ApplyControlled(st.controls, st.targets, st.m)
	return nil
}

// probOne returns the probability that qubit q is 1 and the total squared norm, summed in a
// fixed order.
func (s *State) probOne(q int) (one, total float64) {
	rows := 1 << s.n
	sums := func(lo, hi int, bitSet bool) float64 {
		if !bitSet {
			return s.sumSq(lo, hi)
		}
		t := 0.0
		for i := lo; i < hi; i++ {
			if i>>q&1 == 0 {
				continue
			}
			t += s.prob(i)
		}
		return t
	}
	one = reduce(rows, func(lo, hi int) float64 { return sums(lo, hi, true) })
	total = reduce(rows, func(lo, hi int) float64 { return sums(lo, hi, false) })
	return one, total
}

// NewRNG returns the random source Run uses for a seed: math/rand/v2's PCG, so the same seed
// gives the same measurement outcomes and shots.
func NewRNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}

// Measure measures qubit q in the computational basis: it draws the outcome with the Born
// probability, collapses the state onto it and renormalises. It returns 0 or 1.
func (s *State) Measure(q int, rng *rand.Rand) (int, error) {
	if q < 0 || q >= s.n {
		return 0, fmt.Errorf("sim: measure: qubit %d out of range for %d qubits", q, s.n)
	}
	one, total := s.probOne(q)
	if !(total > 0) {
		return 0, fmt.Errorf("sim: measure: the state has zero norm")
	}
	p1 := one / total
	outcome := 0
	if rng.Float64() < p1 {
		outcome = 1
	}
	s.collapse(q, outcome, p1*total, (1-p1)*total)
	return outcome, nil
}

// collapse projects qubit q onto outcome and renormalises.
func (s *State) collapse(q, outcome int, p1, p0 float64) {
	qs := [1]int{q}
	if outcome == 1 {
		d := [2]float64{0, 1 / math.Sqrt(p1)}
		applyFloatDiag(s, qs[:], d)
	} else {
		d := [2]float64{1 / math.Sqrt(p0), 0}
		applyFloatDiag(s, qs[:], d)
	}
}

func applyFloatDiag(s *State, qs []int, d [2]float64) {
	if f, w := s.floats32(); f != nil {
		d32 := [2]float32{float32(d[0]), float32(d[1])}
		applyDiag(f, w, nil, qs, d32[:], 1, workers(len(f)))
		return
	}
	if s.r != nil {
		s.r.ApplyDiag(qs, d[:])
		return
	}
	applyDiag(s.c.floats(), 2, nil, qs, d[:], 1, workers(2*len(s.c.Data)))
}

// Reset sets qubit q to |0⟩: it measures it (drawing from rng) and flips it when the outcome
// is 1, which is OpenQASM's non-unitary reset.
func (s *State) Reset(q int, rng *rand.Rand) error {
	out, err := s.Measure(q, rng)
	if err != nil {
		return fmt.Errorf("sim: reset: %w", err)
	}
	if out == 1 {
		qs := [1]int{q}
		if f, w := s.floats32(); f != nil {
			applyControlled(f, w, nil, qs[:], []float32{0, 1, 1, 0}, workers(len(f)))
			return nil
		}
		if s.r != nil {
			s.r.ApplyControlled(nil, qs[:], []float64{0, 1, 1, 0})
		} else {
			s.c.ApplyControlled(nil, qs[:], []complex128{0, 1, 1, 0})
		}
	}
	return nil
}

// Sample draws shots basis-state indices from the Born distribution, in shot order, without
// changing the state: the counts of SampleCounts laid out in a uniformly random order (memory
// O(shots) for the result only).
func (s *State) Sample(shots int, rng *rand.Rand) ([]int, error) {
	if shots < 0 {
		return nil, fmt.Errorf("sim: negative number of shots %d", shots)
	}
	outs, err := s.SampleCounts(shots, rng)
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, shots)
	for _, o := range outs {
		for range o.Count {
			out = append(out, o.Index)
		}
	}
	rng.Shuffle(len(out), func(a, b int) { out[a], out[b] = out[b], out[a] })
	return out, nil
}

// Expectation returns ⟨ψ|P|ψ⟩ for a Pauli string P in Qiskit's label order: one character
// per qubit from I, X, Y, Z (either case), the rightmost character acting on qubit 0; its
// length must equal the number of qubits.
func (s *State) Expectation(pauli string) (float64, error) {
	if len(pauli) != s.n {
		return 0, fmt.Errorf("sim: Pauli string %q has %d characters, want one per qubit (%d); the rightmost acts on qubit 0", pauli, len(pauli), s.n)
	}
	var flip, sign, nY int
	for k := 0; k < s.n; k++ {
		c := pauli[s.n-1-k]
		switch c {
		case 'I', 'i':
		case 'X', 'x':
			flip |= 1 << k
		case 'Y', 'y':
			flip |= 1 << k
			sign |= 1 << k
			nY++
		case 'Z', 'z':
			sign |= 1 << k
		default:
			return 0, fmt.Errorf("sim: Pauli string %q: character %q at position %d is not one of I, X, Y, Z", pauli, c, s.n-k)
		}
	}
	// P|i⟩ = i^nY (−1)^{popcount(i & sign)} |i ^ flip⟩, so
	// ⟨ψ|P|ψ⟩ = Σ_i conj(ψ[i^flip]) ψ[i] i^nY (−1)^{popcount(i & sign)}.
	rows := 1 << s.n
	if s.Precision() == Single {
		// Accumulated in float64 from the single-precision amplitudes.
		phase := [4]complex128{1, 1i, -1, -1i}[nY%4]
		return reduce(rows, func(lo, hi int) float64 {
			t := 0.0
			for i := lo; i < hi; i++ {
				a, b := s.Amplitude(i^flip), s.Amplitude(i)
				p := real(complex(real(a), -imag(a)) * b * phase)
				if bits.OnesCount(uint(i&sign))&1 == 1 {
					p = -p
				}
				t += p
			}
			return t
		}), nil
	}
	if s.r != nil {
		if nY%2 == 1 { // a real state has ⟨P⟩ = 0 for imaginary antisymmetric P
			return 0, nil
		}
		d := s.r.Data
		ph := 1.0
		if nY%4 == 2 {
			ph = -1
		}
		v := reduce(rows, func(lo, hi int) float64 {
			t := 0.0
			for i := lo; i < hi; i++ {
				p := d[i^flip] * d[i]
				if bits.OnesCount(uint(i&sign))&1 == 1 {
					p = -p
				}
				t += p
			}
			return t
		})
		return ph * v, nil
	}
	d := s.c.Data
	phase := [4]complex128{1, 1i, -1, -1i}[nY%4]
	// The result is real for Hermitian P; sum the real part of each term.
	v := reduce(rows, func(lo, hi int) float64 {
		t := 0.0
		for i := lo; i < hi; i++ {
			a, b := d[i^flip], d[i]
			p := complex(real(a), -imag(a)) * b * phase
			if bits.OnesCount(uint(i&sign))&1 == 1 {
				t -= real(p)
			} else {
				t += real(p)
			}
		}
		return t
	})
	return v, nil
}

// amps returns the executor's view of the state's storage.
func (s *State) amps() amps {
	switch {
	case s.r != nil:
		return amps{f: s.r.Data, n: s.n, B: 1}
	case s.c != nil:
		return amps{f: s.c.floats(), c: s.c.Data, n: s.n, B: 1}
	case s.r32 != nil:
		return amps{f32: s.r32, n: s.n, B: 1}
	}
	return amps{f32: c64floats(s.c64), c64: s.c64, n: s.n, B: 1}
}
