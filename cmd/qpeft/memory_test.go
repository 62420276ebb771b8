package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/peakrss"
	"github.com/qpeft/qpeft/lowering"
	"github.com/qpeft/qpeft/qasm"
	"github.com/qpeft/qpeft/sim"
	"github.com/qpeft/qpeft/train"
)

// buildBinary builds qpeft into a temporary directory for subprocess tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "qpeft")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// peakRSS runs the binary and returns its peak resident memory in bytes, failing the test
// when the command fails. It measures through internal/peakrss: os/exec's own rusage carries
// this test process's high-water mark into the child's figure.
func peakRSS(t *testing.T, bin, dir string, args ...string) float64 {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr // standard output goes to the null device
	res, err := peakrss.Run(context.Background(), cmd)
	require.NoError(t, err)
	require.Zero(t, res.ExitCode, "qpeft %v: %s", args, stderr.String())
	return float64(res.PeakBytes)
}

// qasmProgram writes an OpenQASM 2 program of n qubits with the given body (%[1]d is n).
func qasmProgram(t *testing.T, dir, name string, n int, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	src := fmt.Sprintf("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[%d];\ncreg c[%d];\n", n, n) + body
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	return path
}

// stateBody is a circuit of n qubits: dense (every amplitude nonzero, so that printing
// streams 2^n lines) up to 20 qubits, two nonzero amplitudes above (so that the run stays
// short); complex circuits end with rz, real ones with ry.
func stateBody(n int, complexPath bool) string {
	var b strings.Builder
	if n <= 20 {
		for q := range n {
			fmt.Fprintf(&b, "h q[%d];\n", q)
		}
	} else {
		fmt.Fprintf(&b, "h q[0];\ncx q[0],q[%d];\n", n-1)
	}
	if complexPath {
		b.WriteString("rz(0.3) q[0];\n")
	} else {
		b.WriteString("ry(0.3) q[1];\n")
	}
	return b.String()
}

// unitaryBody is a circuit of n qubits of n+1 gates.
func unitaryBody(n int, complexPath bool) string {
	var b strings.Builder
	for q := range n {
		fmt.Fprintf(&b, "ry(0.%d) q[%d];\n", q+1, q)
	}
	if complexPath {
		b.WriteString("rz(0.3) q[0];\n")
	} else {
		b.WriteString("cz q[0],q[1];\n")
	}
	return b.String()
}

// memCase is one row of the table: a command line and its library estimate.
type memCase struct {
	name     string
	args     []string
	estimate func(t *testing.T) sim.Footprint
}

// TestPeakMemoryEstimates runs each command path as a subprocess over a range of sizes and
// checks that the library's estimate (the one the command checks against the memory limit
// before it starts) is an upper bound of the measured peak RSS, and not above 1.5 times it.
func TestPeakMemoryEstimates(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built binary on states of up to 26 qubits; skipped with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS (Maxrss) is read the Linux way")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	parse := func(t *testing.T, path string) *qasm.Program {
		var cfg qasm.Config
		p, err := cfg.ParseFile(path)
		require.NoError(t, err)
		return p
	}
	var cases []memCase
	for _, n := range []int{18, 20, 22, 24, 26} {
		for _, cx := range []bool{false, true} {
			kind := "real"
			if cx {
				kind = "complex"
			}
			path := qasmProgram(t, dir, fmt.Sprintf("state-%d-%s.qasm", n, kind), n, stateBody(n, cx)+"measure q -> c;\n")
			for _, mode := range []string{"--probs", "--state", "--shots=1024"} {
				if n >= 24 && cx && mode != "--probs" {
					continue // the complex paths of the largest states once, to keep the test short
				}
				cases = append(cases, memCase{
					name: fmt.Sprintf("run %s, %d qubits, %s", mode, n, kind),
					args: []string{"run", path, mode},
					estimate: func(t *testing.T) sim.Footprint {
						c := parse(t, path).Circuit
						if mode == "--shots=1024" {
							fp, err := sim.RunFootprint(c, sim.Options{Shots: 1024})
							require.NoError(t, err)
							return fp
						}
						u, err := stateBeforeMeasurement(c)
						require.NoError(t, err)
						fp, err := sim.RunFootprint(u, sim.Options{})
						require.NoError(t, err)
						return fp
					},
				})
			}
		}
	}
	// Circuits that measure before their last gate: one simulation per shot on a copy of
	// the state.
	for _, n := range []int{18, 20} {
		path := qasmProgram(t, dir, fmt.Sprintf("dynamic-%d.qasm", n), n, stateBody(n, true)+"measure q[0] -> c[0];\nh q[0];\nmeasure q -> c;\n")
		cases = append(cases, memCase{
			name: fmt.Sprintf("run --shots=16 (per shot), %d qubits", n),
			args: []string{"run", path, "--shots=16"},
			estimate: func(t *testing.T) sim.Footprint {
				fp, err := sim.RunFootprint(parse(t, path).Circuit, sim.Options{Shots: 16})
				require.NoError(t, err)
				return fp
			},
		})
	}
	bell := qasmProgram(t, dir, "bell.qasm", 2, "h q[0];\ncx q[0],q[1];\nmeasure q -> c;\n")
	cases = append(cases, memCase{name: "run --shots=2^62, bell", args: []string{"run", bell, "--shots=4611686018427387904"},
		estimate: func(t *testing.T) sim.Footprint {
			fp, err := sim.RunFootprint(parse(t, bell).Circuit, sim.Options{Shots: sim.MaxShots})
			require.NoError(t, err)
			return fp
		}})
	// 2^20 equally likely outcomes: the counts, not the state, dominate.
	uniform := qasmProgram(t, dir, "uniform-20.qasm", 20, stateBody(20, false)+"measure q -> c;\n")
	cases = append(cases, memCase{name: "run --shots=1e9, 20 qubits, 2^20 outcomes", args: []string{"run", uniform, "--shots=1e9"},
		estimate: func(t *testing.T) sim.Footprint {
			fp, err := sim.RunFootprint(parse(t, uniform).Circuit, sim.Options{Shots: 1e9})
			require.NoError(t, err)
			return fp
		}})
	for _, n := range []int{8, 9, 10, 11, 12, 13} {
		cx := n%2 == 1
		kind := "real"
		if cx {
			kind = "complex"
		}
		path := qasmProgram(t, dir, fmt.Sprintf("unitary-%d.qasm", n), n, unitaryBody(n, cx))
		args := []string{"unitary", path}
		if n > 10 {
			args = append(args, "--out", filepath.Join(dir, fmt.Sprintf("u%d.npy", n)))
		}
		cases = append(cases, memCase{name: fmt.Sprintf("unitary, %d qubits, %s", n, kind), args: args,
			estimate: func(t *testing.T) sim.Footprint {
				return sim.ColumnsFootprint(n, 1<<n, parse(t, path).Circuit.IsReal())
			}})
		for _, form := range []string{"dense", "stiefel"} {
			largs := []string{"lower", path, "--form", form}
			k := 1 << n
			if form == "stiefel" {
				k = 1 << (n / 2)
				largs = append(largs, "--k", fmt.Sprint(k))
			}
			if n > 10 {
				largs = append(largs, "--out", filepath.Join(dir, fmt.Sprintf("l%d-%s.npy", n, form)))
			}
			cases = append(cases, memCase{name: fmt.Sprintf("lower --form %s, %d qubits, %s", form, n, kind), args: largs,
				estimate: func(t *testing.T) sim.Footprint {
					c := parse(t, path).Circuit
					if c.IsReal() {
						p, err := lowering.CompileReal(c)
						require.NoError(t, err)
						return p.Footprint(k)
					}
					p, err := lowering.Compile(c)
					require.NoError(t, err)
					return p.Footprint(k)
				}})
		}
	}
	cases = append(cases, trainMemCases(t, dir)...)

	var table strings.Builder
	table.WriteString("| command | estimate MiB | peak RSS MiB | estimate / peak |\n|---|---:|---:|---:|\n")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fp := c.estimate(t)
			est := fp.Bytes()
			peak := peakRSS(t, bin, dir, c.args...)
			ratio := est / peak
			fmt.Fprintf(&table, "| %s | %.1f | %.1f | %.2f |\n", c.name, est/(1<<20), peak/(1<<20), ratio)
			assert.GreaterOrEqual(t, est, peak, "the estimate (%s) is below the measured peak %.1f MiB", fp.String(), peak/(1<<20))
			assert.LessOrEqual(t, est, 1.5*peak, "the estimate (%s) is above 1.5x the measured peak %.1f MiB", fp.String(), peak/(1<<20))
		})
	}
	t.Logf("estimates against measured peaks:\n%s", table.String())
}

// trainMemCases train each built-in model for a few steps (512 images in batches of 64, 500
// test images) with Quantum-PEFT adapters and fully; train.Footprint is the estimate.
func trainMemCases(t *testing.T, dir string) []memCase {
	var cases []memCase
	for _, model := range []string{train.ModelMNISTCNN, train.ModelMLP512} {
		for _, method := range []train.Method{train.QPEFT, train.Full} {
			args := []string{"train", "--model", model, "--data", train.DataFashionSubset, "--method", string(method),
				"--epochs", "1", "--train-limit", "512", "--test-limit", "500", "--batch", "64"}
			cases = append(cases, memCase{name: fmt.Sprintf("train %s --method %s, 8 steps", model, method), args: args,
				estimate: func(t *testing.T) sim.Footprint {
					cfg := train.DefaultConfig(model, method)
					cfg.Data, cfg.Epochs, cfg.TrainLimit, cfg.TestLimit, cfg.Batch = train.DataFashionSubset, 1, 512, 500, 64
					d, err := train.LoadData(cfg.Data)
					require.NoError(t, err)
					fp, err := train.Footprint(cfg, d)
					require.NoError(t, err)
					return fp
				}})
		}
	}
	return cases
}

// TestReportPeakMemory checks what QPEFT_REPORT_PEAK_MEMORY=1 prints against GNU time's
// measure of the same run (internal/peakrss), on a run large enough (a 22-qubit state, 64
// MiB) for the two to be compared.
func TestReportPeakMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("VmHWM is read from /proc/self/status")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	path := qasmProgram(t, dir, "state.qasm", 22, stateBody(22, true))
	cmd := exec.Command(bin, "run", path, "--probs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "QPEFT_REPORT_PEAK_MEMORY=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := peakrss.Run(context.Background(), cmd)
	require.NoError(t, err)
	require.Zero(t, res.ExitCode, stderr.String())
	m := regexp.MustCompile(`qpeft: peak resident memory (\d+) kB`).FindStringSubmatch(stderr.String())
	require.NotNil(t, m, "no report in %q", stderr.String())
	kib, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	assert.Greater(t, res.PeakMiB(), 64.0)
	assert.InDelta(t, res.PeakMiB(), kib/1024, 0.05*res.PeakMiB(), "reported %.1f MiB, GNU time %.1f MiB", kib/1024, res.PeakMiB())
}
