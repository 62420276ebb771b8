package sim

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// MemoryLimit is the largest allocation, in bytes, the simulator makes for one state vector,
// batch of state vectors or unitary, checked before allocating. Zero or negative means no
// limit. The default is three quarters of the physical memory (MemTotal in /proc/meminfo, or
// 8 GiB when that cannot be read); the environment variable QPEFT_MEMORY_LIMIT overrides it
// at program start ("32GiB", "500MB", "1073741824"). Options.MemoryLimit overrides it for
// one run.
var MemoryLimit int64 = defaultMemoryLimit()

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

func defaultMemoryLimit() int64 {
	if s := os.Getenv("QPEFT_MEMORY_LIMIT"); s != "" {
		if v, err := ParseBytes(s); err == nil {
			return v
		}
		fmt.Fprintf(os.Stderr, "qpeft: ignoring QPEFT_MEMORY_LIMIT=%q: not a byte count (use e.g. 16GiB, 500MB or 1073741824)\n", s)
	}
	if total := memTotal(); total > 0 {
		return total / 4 * 3
	}
	return 8 << 30
}

// memTotal reads MemTotal from /proc/meminfo, or returns 0.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			v, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			if len(fields) >= 3 && strings.EqualFold(fields[2], "kB") {
				v *= 1024
			}
			return v
		}
	}
	return 0
}

// ParseBytes parses a byte count: a non-negative integer with an optional unit B, KB, MB,
// GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), case-insensitive.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult := map[string]float64{"": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}
	m, ok := mult[unit]
	if num == "" || !ok {
		return 0, fmt.Errorf("invalid byte count %q (use e.g. 16GiB, 500MB or 1073741824)", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v*m >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid byte count %q (use e.g. 16GiB, 500MB or 1073741824)", s)
	}
	return int64(v * m), nil
}
