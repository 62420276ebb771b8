package sim

import (
	"fmt"
	"math"
	"strconv"

	"github.com/qpeft/qpeft/internal/memlimit"
)

// MemoryLimit is the largest allocation, in bytes, the simulator makes for one state vector,
// batch of state vectors or unitary, checked before allocating. Zero or negative means no
// limit. The default is three quarters of the physical memory (MemTotal in /proc/meminfo, or
// 8 GiB when that cannot be read); the environment variable QPEFT_MEMORY_LIMIT overrides it
// at program start ("32GiB", "500MB", "1073741824"). Options.MemoryLimit overrides it for
// one run.
var MemoryLimit int64 = memlimit.Default()

// MemoryError reports work whose predicted peak memory is above the memory limit.
type MemoryError struct {
	// Qubits is the qubit count and Columns the number of state vectors (1 for a state,
	// K for K columns of a unitary, 2^Qubits for the full unitary).
	Qubits, Columns int
	// What names the data ("state vector", "unitary", ...), BytesPerAmp its element size.
	What        string
	BytesPerAmp int
	// Bytes is the memory needed (a float64 because it can exceed int64), Limit the limit.
	Bytes float64
	Limit int64
	// Parts, when set, are the parts of a whole-run estimate (Footprint) that add up to Bytes.
	Parts []Part
	// Hint is how to need less (default: "use fewer qubits").
	Hint string
}

// Error names the work, the estimate and the limit in GiB, what the estimate is made of, and
// how to raise the limit.
func (e *MemoryError) Error() string {
	var what string
	if e.Parts != nil {
		what = fmt.Sprintf("%s needs an estimated %s (%s)", e.What, FormatSize(e.Bytes), partsString(e.Parts))
	} else {
		typ := "complex128"
		if e.BytesPerAmp == 8 {
			typ = "float64"
		}
		cols := ""
		if e.Columns != 1 {
			cols = fmt.Sprintf(" x %d columns", e.Columns)
		}
		what = fmt.Sprintf("a %s of %d qubits (%s%s) needs %s", e.What, e.Qubits, typ, cols, FormatSize(e.Bytes))
	}
	hint := e.Hint
	if hint == "" {
		hint = "use fewer qubits"
	}
	return fmt.Sprintf("sim: %s, above the memory limit of %s; "+
		"raise the limit (--memory-limit, the QPEFT_MEMORY_LIMIT environment variable, e.g. QPEFT_MEMORY_LIMIT=64GiB, or sim.MemoryLimit) or %s",
		what, FormatSize(float64(e.Limit)), hint)
}

// FormatSize prints a byte count with three significant digits in GiB ("16 GiB",
// "1.07e+292 GiB"), or in MiB below a tenth of a GiB ("20 MiB", "0.5 MiB"), never as a long
// exact count.
func FormatSize(b float64) string {
	if b < 0.1*(1<<30) {
		return strconv.FormatFloat(b/(1<<20), 'g', 3, 64) + " MiB"
	}
	return strconv.FormatFloat(b/(1<<30), 'g', 3, 64) + " GiB"
}

// checkMemory returns a *MemoryError when 2^n·cols amplitudes of bytesPerAmp bytes exceed
// the limit (limit <= 0: use MemoryLimit; MemoryLimit <= 0: no limit). It also refuses sizes
// that cannot be indexed by an int.
func checkMemory(what string, n, cols, bytesPerAmp int, limit int64) error {
	if n < 0 {
		return fmt.Errorf("sim: negative qubit count %d", n)
	}
	if cols < 1 {
		return fmt.Errorf("sim: %s of %d qubits needs at least one column, got %d", what, n, cols)
	}
	if limit <= 0 {
		limit = MemoryLimit
	}
	bytes := math.Ldexp(float64(bytesPerAmp)*float64(cols), n)
	if (limit > 0 && bytes > float64(limit)) || bytes >= math.Ldexp(1, 62) {
		if limit <= 0 {
			limit = math.MaxInt64
		}
		return &MemoryError{Qubits: n, Columns: cols, What: what, BytesPerAmp: bytesPerAmp, Bytes: bytes, Limit: limit}
	}
	return nil
}

// ParseBytes parses a byte count: a non-negative integer with an optional unit B, KB, MB,
// GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), case-insensitive.
func ParseBytes(s string) (int64, error) { return memlimit.Parse(s) }
