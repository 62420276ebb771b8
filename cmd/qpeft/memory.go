package main

import (
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/formats/onnx"

	"github.com/spf13/pflag"

	"github.com/qpeft/qpeft/sim"
)

// memoryLimitUsage is the help text of --memory-limit, the same for every command.
const memoryLimitUsage = "refuse work whose estimated peak memory is above this, e.g. 16GiB or 500MB (default: 3/4 of RAM, or $QPEFT_MEMORY_LIMIT)"

// addMemoryLimitFlag adds --memory-limit to fs.
func addMemoryLimitFlag(fs *pflag.FlagSet) *string {
	return fs.String("memory-limit", "", memoryLimitUsage)
}

// applyMemoryLimit sets the limit every estimate of the libraries is checked against
// (sim.MemoryLimit for the circuit stack, onnx.MemoryLimit and data.MemoryLimit for the
// tensor stack, which share one default) from a --memory-limit value ("" keeps the
// default); restore puts the previous values back.
func applyMemoryLimit(value string) (restore func(), err error) {
	old, oldONNX, oldData := sim.MemoryLimit, onnx.MemoryLimit, data.MemoryLimit
	restore = func() { sim.MemoryLimit, onnx.MemoryLimit, data.MemoryLimit = old, oldONNX, oldData }
	if value == "" {
		return restore, nil
	}
	v, err := sim.ParseBytes(value)
	if err != nil || v <= 0 {
		return restore, usageError("--memory-limit %q: give a positive byte count such as 16GiB, 500MB or 1073741824", value)
	}
	sim.MemoryLimit, onnx.MemoryLimit, data.MemoryLimit = v, v, v
	return restore, nil
}

// parseOneFile parses args (parseFlags), applies --memory-limit (the flag
// addMemoryLimitFlag returned) and checks that one argument, the program file, is left;
// takes begins the usage error otherwise ("lower takes one OpenQASM file"). The caller
// defers restore, which is never nil.
func parseOneFile(fs *pflag.FlagSet, args []string, memLimit *string, takes string) (restore func(), err error) {
	if err := parseFlags(fs, args); err != nil {
		return func() {}, err
	}
	if restore, err = applyMemoryLimit(*memLimit); err != nil {
		return restore, err
	}
	if fs.NArg() != 1 {
		return restore, usageError("%s, got %d arguments", takes, fs.NArg())
	}
	return restore, nil
}

// integerFlagTypes are the pflag types whose values may be written in exponent notation.
var integerFlagTypes = map[string]bool{"int": true, "int64": true, "int32": true, "uint": true, "uint64": true, "uint32": true}

// normalizeIntegerFlags rewrites the values of integer flags written in exact exponent
// notation (--shots 1e10, --shots=2.5e3) as plain integers, so that pflag reads them; a
// value in that notation that is not a whole number (1e-3, 1.5) is a usage error naming the
// flag.
func normalizeIntegerFlags(fs *pflag.FlagSet, args []string) ([]string, error) {
	out := append([]string(nil), args...)
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "--") {
			continue
		}
		name, val, hasVal := strings.Cut(a[2:], "=")
		f := fs.Lookup(name)
		if f == nil || !integerFlagTypes[f.Value.Type()] {
			continue
		}
		j := i
		if !hasVal {
			if i+1 >= len(out) {
				continue
			}
			j, val = i+1, out[i+1]
		}
		v, err := exactInteger(name, val)
		if err != nil {
			return nil, err
		}
		if j == i {
			out[i] = "--" + name + "=" + v
		} else {
			out[j] = v
			i++
		}
	}
	return out, nil
}

// exactInteger returns val unchanged unless it is in exponent or decimal notation, which
// it turns into the integer's digits (refusing values that are not whole numbers).
func exactInteger(name, val string) (string, error) {
	s := strings.TrimSpace(val)
	if !strings.ContainsAny(s, "eE.") || strings.ContainsAny(s, "/xXpP_") {
		return val, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.Abs(f) >= 1<<63 {
		if math.Abs(f) > 0.5 || err == nil {
			return "", usageError("--%s %s is out of range (at most about 9.2e18)", name, val)
		}
		return "", usageError("--%s %s is not a whole number", name, val)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return val, nil // let pflag report it
	}
	if !r.IsInt() {
		return "", usageError("--%s %s is not a whole number (exponent notation such as 1e10 or 2.5e3 is accepted when the value is an integer)", name, val)
	}
	return r.Num().String(), nil
}

// reportPeakMemory prints the process's peak resident memory (VmHWM in /proc/self/status,
// Linux), for QPEFT_REPORT_PEAK_MEMORY=1. Unlike the Maxrss a parent reads, it counts this
// program only, not the parent it was started from.
func reportPeakMemory(w io.Writer) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fmt.Fprintf(w, "qpeft: peak resident memory %s\n", strings.TrimSpace(v))
		}
	}
}
