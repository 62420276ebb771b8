package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"time"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/sim"
)

// BenchmarkInterleaved times qpeft (double and single precision) and one peer simulator on
// the same circuit files (bench.py gen), side by side in one process pair: every round runs
// qpeft double, qpeft single and the peer (bench.py serve) once each, in an order that
// alternates from round to round, so that all three see the same state of a shared machine.
// It reports the median over the b.N rounds of each round's ratios qpeft/peer
// (double-x-peer, single-x-peer; below 1: qpeft faster) and the median times, and prints the
// load average before and after. Environment: QPEFT_BENCH_PYTHON (a Python with the peers,
// interop/bench/requirements.txt; the benchmark is skipped without it), QPEFT_BENCH_PEER
// (qsim, aer or lightning; default qsim), QPEFT_BENCH_KINDS (default random,qft,pauli),
// QPEFT_BENCH_QUBITS (default 20,22,24), QPEFT_BENCH_THREADS (default 2: the peer's threads;
// run with -cpu to match qpeft's).
//
//	QPEFT_BENCH_PYTHON=/work/venv-bench/bin/python go test ./interop/bench -run '^$' -bench Interleaved -benchtime 7x -cpu 2
func BenchmarkInterleaved(b *testing.B) {
	py := os.Getenv("QPEFT_BENCH_PYTHON")
	if py == "" {
		b.Skip("QPEFT_BENCH_PYTHON is not set (a Python with the peers)")
	}
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	peer := env("QPEFT_BENCH_PEER", "qsim")
	threads := env("QPEFT_BENCH_THREADS", "2")
	dir := b.TempDir()
	script := filepath.Join(dir, "bench.py")
	require.NoError(b, os.WriteFile(script, Script, 0o644))
	circ := filepath.Join(dir, "circuits")
	gen := exec.Command(py, script, "gen", circ, "--qubits", env("QPEFT_BENCH_QUBITS", "20,22,24"), "--kinds", env("QPEFT_BENCH_KINDS", "random,qft,pauli"))
	out, err := gen.CombinedOutput()
	require.NoError(b, err, "bench.py gen: %s", out)
	cmd := exec.Command(py, script, "serve", "--sim", peer, "--threads", threads)
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS="+threads)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	require.NoError(b, err)
	outp, err := cmd.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, cmd.Start())
	defer func() {
		in.Close()
		_ = cmd.Wait()
	}()
	sc := bufio.NewScanner(outp)
	runPeer := func(path string) float64 {
		_, err := fmt.Fprintln(in, path)
		require.NoError(b, err)
		require.True(b, sc.Scan(), "%s serve ended: %v", peer, sc.Err())
		var r struct{ Seconds float64 }
		require.NoError(b, json.Unmarshal(sc.Bytes(), &r), "%s serve: %s", peer, sc.Text())
		return r.Seconds
	}
	files, _ := filepath.Glob(filepath.Join(circ, "*.json"))
	slices.Sort(files)
	for _, path := range files {
		data, err := os.ReadFile(path)
		require.NoError(b, err)
		var f File
		require.NoError(b, json.Unmarshal(data, &f))
		c, err := f.Circuit()
		require.NoError(b, err)
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		b.Run(name, func(b *testing.B) {
			runQ := func(p sim.Precision) float64 {
				t := time.Now()
				if _, err := sim.Run(c, sim.Options{Precision: p}); err != nil {
					b.Fatal(err)
				}
				return time.Since(t).Seconds()
			}
			runQ(sim.Double) // warm-up (the peer warms up on its first request)
			runPeer(path)
			load0 := loadAvg()
			var dbl, sgl, pr, rd, rs []float64
			for i := 0; i < b.N; i++ {
				var td, ts, tp float64
				if i%2 == 0 {
					td, ts, tp = runQ(sim.Double), runQ(sim.Single), runPeer(path)
				} else {
					tp = runPeer(path)
					ts = runQ(sim.Single)
					td = runQ(sim.Double)
				}
				dbl, sgl, pr = append(dbl, td), append(sgl, ts), append(pr, tp)
				rd, rs = append(rd, td/tp), append(rs, ts/tp)
			}
			med := func(v []float64) float64 {
				v = slices.Clone(v)
				slices.Sort(v)
				if len(v)%2 == 1 {
					return v[len(v)/2]
				}
				return (v[len(v)/2-1] + v[len(v)/2]) / 2
			}
			b.ReportMetric(med(rd), "double-x-"+peer)
			b.ReportMetric(med(rs), "single-x-"+peer)
			b.ReportMetric(med(dbl), "s-double")
			b.ReportMetric(med(sgl), "s-single")
			b.ReportMetric(med(pr), "s-"+peer)
			fmt.Printf("%s %s: %d rounds, load %s -> %s; median s: qpeft double %.4g, single %.4g, %s %.4g; median ratio double/%s %.3f (min %.3f max %.3f), single/%s %.3f (min %.3f max %.3f)\n",
				name, peer, b.N, load0, loadAvg(), med(dbl), med(sgl), peer, med(pr), peer, med(rd), slices.Min(rd), slices.Max(rd), peer, med(rs), slices.Min(rs), slices.Max(rs))
		})
	}
}

// loadAvg returns the 1-minute load average (/proc/loadavg), or "?".
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return "?"
	}
	if _, err := strconv.ParseFloat(f[0], 64); err != nil {
		return "?"
	}
	return f[0]
}
