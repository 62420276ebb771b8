// Package memlimit computes the process-wide default memory limit shared by the circuit
// stack (sim.MemoryLimit) and the tensor stack (onnx.MemoryLimit), and parses byte counts.
//
// It lives in internal/ so that both stacks can take the same default without one importing
// the other: the tensor stack knows nothing of circuits.
package memlimit

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
)

var defaultOnce = sync.OnceValue(computeDefault)

// Default is the default limit in bytes: QPEFT_MEMORY_LIMIT when it is set to a valid byte
// count (an invalid value is reported once on standard error and ignored), else three
// quarters of the physical memory (MemTotal in /proc/meminfo), else 8 GiB. It is computed
// once per process.
func Default() int64 { return defaultOnce() }

func computeDefault() int64 {
	if s := os.Getenv("QPEFT_MEMORY_LIMIT"); s != "" {
		if v, err := Parse(s); err == nil {
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

// Parse parses a byte count: a non-negative number with an optional unit B, KB, MB, GB, TB
// (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), case-insensitive.
func Parse(s string) (int64, error) {
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
