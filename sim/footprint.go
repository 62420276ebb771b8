package sim

import (
	"fmt"
	"math"
	"runtime"
	"strings"

	"github.com/qpeft/qpeft/circuit"
)

// ProcessBaseline is the memory every estimate counts for the process itself: the Go
// runtime, the program's code and data, and the small allocations of parsing and set-up
// (measured: 12-15 MiB for qpeft's simulation commands; the rest is margin).
var ProcessBaseline float64 = 16 << 20

// Part is one allocation of an estimate, in bytes.
type Part struct {
	Name  string
	Bytes float64
}

// Footprint is the predicted peak memory of one piece of work, made before any of it is
// allocated: the parts live together at the peak, plus ProcessBaseline. Check compares it
// with the memory limit.
type Footprint struct {
	// What names the work ("simulating 31 qubits", "the 8192 x 8192 unitary").
	What string
	// Parts are the allocations that are live together at the peak.
	Parts []Part
	// Hint is how to need less, for the error (default: "use fewer qubits").
	Hint string
}

// Add appends a part (parts of zero bytes are left out).
func (f *Footprint) Add(name string, bytes float64) {
	if bytes > 0 {
		f.Parts = append(f.Parts, Part{Name: name, Bytes: bytes})
	}
}

// Merge adds the parts of g to f (g's baseline is not counted twice).
func (f *Footprint) Merge(g Footprint) {
	for _, p := range g.Parts {
		f.Add(p.Name, p.Bytes)
	}
}

// RuntimeMetadata is the Go runtime's bookkeeping per byte of heap, counted on top of the
// parts: each 64 MiB heap arena carries about 68 KiB of metadata (span pointers and page
// bitmaps), 0.1 %; an estimate counts 1/512 (0.2 %). It matters only for the largest
// allocations, where it can exceed what ProcessBaseline leaves over (a 1 GiB unitary measured
// 0.4 MiB above an estimate without it).
const RuntimeMetadata = 1.0 / 512

// Bytes is the whole estimate: the parts, the runtime's metadata for them
// (RuntimeMetadata) and ProcessBaseline.
func (f *Footprint) Bytes() float64 { return ProcessBaseline + f.sum() + f.metadata() }

// sum adds up the parts.
func (f *Footprint) sum() float64 {
	t := 0.0
	for _, p := range f.Parts {
		t += p.Bytes
	}
	return t
}

// metadata is the runtime-metadata term of Bytes.
func (f *Footprint) metadata() float64 { return f.sum() * RuntimeMetadata }

// allParts lists the parts, the runtime's metadata when it is at least 1 MiB, and the
// process itself: what Bytes adds up.
func (f *Footprint) allParts() []Part {
	parts := append([]Part{}, f.Parts...)
	if m := f.metadata(); m >= 1<<20 {
		parts = append(parts, Part{Name: "Go runtime metadata", Bytes: m})
	}
	return parts
}

// Check returns a *MemoryError naming the estimate, its parts and the limit, in GiB, when
// the estimate is above limit (limit <= 0: MemoryLimit; MemoryLimit <= 0: no limit) or too
// large to allocate at all (2^62 bytes).
func (f *Footprint) Check(limit int64) error {
	if limit <= 0 {
		limit = MemoryLimit
	}
	b := f.Bytes()
	if (limit > 0 && b > float64(limit)) || b >= math.Ldexp(1, 62) || math.IsNaN(b) {
		if limit <= 0 {
			limit = math.MaxInt64
		}
		parts := append(f.allParts(), Part{Name: "the process itself", Bytes: ProcessBaseline})
		return &MemoryError{What: f.What, Bytes: b, Limit: limit, Parts: parts, Hint: f.Hint}
	}
	return nil
}

// String lists the estimate and its parts.
func (f *Footprint) String() string {
	return fmt.Sprintf("%s: %s (%s + %s for the process itself)", f.What, FormatSize(f.Bytes()), partsString(f.allParts()), FormatSize(ProcessBaseline))
}

func partsString(parts []Part) string {
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = FormatSize(p.Bytes) + " " + p.Name
	}
	return strings.Join(s, " + ")
}

// ampBytes is the size of cols state vectors of n qubits with bytesPerAmp bytes per
// amplitude (a float64: it can exceed any integer type).
func ampBytes(n, cols, bytesPerAmp int) float64 {
	return math.Ldexp(float64(bytesPerAmp)*float64(cols), n)
}

// threadCount is the goroutines a kernel uses at most.
func threadCount() int {
	if Threads > 0 {
		return Threads
	}
	return runtime.GOMAXPROCS(0)
}

// scratchBytes is what the executor allocates besides the data of n qubits with rowFloats
// floats of floatBytes bytes per row: each goroutine's chunk buffer of the cache-blocked sweeps and the partial
// sums of the deterministic reductions (one float64 per 4096 rows; two live at once).
func scratchBytes(n, rowFloats, floatBytes int) float64 {
	b := 0.0
	if _, _, ok := Blocking.chunkQubits(n, rowFloats, floatBytes); ok {
		b += float64(threadCount() * Blocking.ChunkBytes)
	}
	return b + 2*ampBytes(n-12, 1, 8)
}

// countBytes is the memory of a Counts map (and the outcome list it is built from) with
// up to outcomes entries whose keys are keyLen bytes: the map's slots at its lowest load
// factor, the key strings, the outcome list with its growth, and a sorted list of the keys
// (measured: 172 bytes an outcome for 2^20 outcomes of 20 bits).
func countBytes(outcomes float64, keyLen int) float64 {
	return outcomes * float64(176+2*((keyLen+7)&^7))
}

// outcomeBound is the most distinct outcomes shots of a circuit with nq qubits and nc
// classical bits can give.
func outcomeBound(shots int, bits int) float64 {
	return math.Min(float64(shots), math.Ldexp(1, min(bits, 1100)))
}

// needsComplex reports whether a compiled circuit needs complex amplitudes (a gate with
// complex entries at the bound parameters).
func needsComplex(steps []step) bool {
	for i := range steps {
		if steps[i].m != nil && steps[i].mr == nil {
			return true
		}
	}
	return false
}

// RunFootprint predicts the peak memory of Run(c, opts), which checks it against the memory
// limit before allocating anything: the state vector (float64 for a circuit of real gates,
// complex128 otherwise), the executor's scratch, for shots the counts (at most min(shots,
// 2^clbits) outcomes) and, for circuits that measure or reset before their last gate, the
// copy of the state each shot runs on; Options.Memory adds one string header per shot.
// Statevector is Run without shots.
func RunFootprint(c *circuit.Circuit, opts Options) (Footprint, error) {
	prog, err := prepare(c, opts.env())
	if err != nil {
		return Footprint{}, err
	}
	return runFootprint(c, prog.sh, opts), nil
}

func (o *Options) env() circuit.Env {
	if o.Env == nil && o.Params != nil {
		return circuit.MapEnv(o.Params)
	}
	return o.Env
}

func runFootprint(c *circuit.Circuit, sh shape, opts Options) Footprint {
	fp, _ := runPlan(c, sh, opts)
	return fp
}

// runPlan decides how Run holds its state and predicts the peak of that plan. A run that
// will need complex amplitudes starts real (the faster path for its real gates) and switches
// at its first complex gate, holding both forms for a moment; when that does not fit under
// the memory limit and starting complex does, it starts complex (startComplex).
func runPlan(c *circuit.Circuit, sh shape, opts Options) (fp Footprint, startComplex bool) {
	hasComplex := sh.complex
	if opts.Initial != nil || opts.Complex || !hasComplex || c.NumQubits >= 62 {
		return footprintOf(c, sh, opts, opts.Complex || (hasComplex && c.NumQubits >= 62), hasComplex && !opts.Complex), opts.Complex
	}
	promote := footprintOf(c, sh, opts, false, true)
	if promote.Check(opts.MemoryLimit) == nil {
		return promote, false
	}
	return footprintOf(c, sh, opts, true, false), true
}

// footprintOf is the peak of a run that starts with complex amplitudes (startComplex) or
// real ones, switching to complex at its first complex gate (promotes).
func footprintOf(c *circuit.Circuit, sh shape, opts Options, startComplex, promotes bool) Footprint {
	n := c.NumQubits
	f := Footprint{What: fmt.Sprintf("simulating %d qubits", n)}
	prec := opts.Precision
	if opts.Initial != nil {
		prec = opts.Initial.Precision()
		f.Add("initial state", ampBytes(n, 1, prec.bytesPerAmp(!opts.Initial.IsReal())))
		startComplex = startComplex || !opts.Initial.IsReal()
		promotes = promotes && opts.Initial.IsReal()
	}
	kind := func(cplx bool) string {
		if prec == Single {
			return map[bool]string{false: "float32", true: "complex64"}[cplx]
		}
		return map[bool]string{false: "float64", true: "complex128"}[cplx]
	}
	endComplex := startComplex || promotes
	per := prec.bytesPerAmp(endComplex)
	if startComplex {
		f.Add(fmt.Sprintf("state vector (%s)", kind(true)), ampBytes(n, 1, per))
	} else {
		f.Add(fmt.Sprintf("state vector (%s)", kind(false)), ampBytes(n, 1, prec.bytesPerAmp(false)))
		if promotes {
			f.Add(fmt.Sprintf("its %s form (both held at the switch)", kind(true)), ampBytes(n, 1, per))
		}
	}
	eb := prec.bytesPerAmp(false)
	f.Add("scratch", scratchBytes(n, per/eb, eb))
	if opts.Shots > 0 && c.NumClbits+n > 0 {
		keyLen := c.NumClbits + len(c.CRegs)
		if !sh.terminal {
			f.What = fmt.Sprintf("simulating %d shots of %d qubits", opts.Shots, n)
			// The shots run on one copy of the state; a state that switches to complex does so
			// before it is copied, and the real form it leaves is not reused.
			f.Add("copy of the state for each shot", ampBytes(n, 1, per))
			f.Add("counts", countBytes(outcomeBound(opts.Shots, c.NumClbits), keyLen))
		} else {
			f.What = fmt.Sprintf("sampling %d shots of %d qubits", opts.Shots, n)
			f.Add("counts", countBytes(outcomeBound(opts.Shots, n), keyLen))
		}
		if opts.Memory {
			f.Add("the bit string of every shot (Options.Memory)", float64(opts.Shots)*16)
		}
	}
	return f
}

// ColumnsFootprint predicts the peak memory of k columns of an n-qubit unitary (Columns,
// Unitary; RealColumns and RealUnitary with real set): the N x k matrix and the executor's
// scratch.
func ColumnsFootprint(n, k int, real bool) Footprint {
	per, kind := 16, "complex128"
	if real {
		per, kind = 8, "float64"
	}
	f := Footprint{What: fmt.Sprintf("the first %d columns of a %d-qubit unitary", k, n)}
	if n < 62 && k == 1<<n {
		f.What = fmt.Sprintf("the %d x %d unitary", k, k)
	} else if n >= 62 {
		f.What = fmt.Sprintf("the unitary of %d qubits", n)
	}
	f.Add(fmt.Sprintf("matrix (%s)", kind), ampBytes(n, max(k, 1), per))
	f.Add("scratch", scratchBytes(n, max(k, 1)*per/8, 8))
	return f
}

// MemoryFloorFootprint predicts the peak memory of MemoryFloorPrecision(n, complexPath, p,
// ...): the state it sweeps over.
func MemoryFloorFootprint(n int, complexPath bool, p Precision) Footprint {
	f := Footprint{What: fmt.Sprintf("the memory floor of %d qubits", n)}
	f.Add(fmt.Sprintf("state vector swept for the floor (%s precision)", p), ampBytes(n, 1, p.bytesPerAmp(complexPath)))
	return f
}
