package qasm

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The reader's peak memory follows the program, not the syntax tree of the whole file: each
// statement is lowered as soon as it is parsed, and loops and broadcasts whose expansion
// would pass MaxOps are refused before they are built. TestReaderPeakMemory reads
// generated programs (never committed) in a child process and bounds the child's peak
// resident memory (VmHWM, which the child reports: Linux).

const memProbeEnv = "QPEFT_QASM_MEMPROBE"

// TestReaderMemProbe is the child: it reads the file named by $QPEFT_QASM_MEMPROBE and
// prints the number of operations or the first error. It does nothing in a normal run.
func TestReaderMemProbe(t *testing.T) {
	path := os.Getenv(memProbeEnv)
	if path == "" {
		return
	}
	var cfg Config
	p, err := cfg.ParseFile(path)
	if peak, perr := peakRSS(); perr == nil {
		fmt.Println("peak:", peak)
	}
	if err != nil {
		msg := err.Error()
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		fmt.Println("error:", msg)
		return
	}
	fmt.Println("ops:", len(p.Circuit.Ops))
}

// peakRSS is this process's peak resident memory (VmHWM). Unlike getrusage's ru_maxrss of a
// child, it starts afresh at exec: a child forked from a large test process does not
// inherit the parent's high-water mark.
func peakRSS() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err != nil {
				return 0, err
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// genProgram writes a program of header lines and then lines from next until the file
// reaches size bytes (or next returns "").
func genProgram(t *testing.T, path string, header string, size int, next func(i int) string) int {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriterSize(f, 1<<20)
	n, _ := w.WriteString(header)
	for i := 0; n < size; i++ {
		line := next(i)
		if line == "" {
			break
		}
		k, _ := w.WriteString(line)
		n += k
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
	return n
}

// processBaseline is what the child process holds besides the program: the Go runtime, the
// test binary's code and data (measured: 5-10 MiB).
const processBaseline = 16 << 20

func TestReaderPeakMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads programs of up to 50 MB in child processes; skipped with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("peak memory is read from /proc/self/status")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	mixed := func(i int) string {
		a := rng.IntN(20)
		b := (a + 1 + rng.IntN(19)) % 20
		switch rng.IntN(4) {
		case 0:
			return fmt.Sprintf("h q[%d];\n", a)
		case 1:
			return fmt.Sprintf("cx q[%d], q[%d];\n", a, b)
		case 2:
			return fmt.Sprintf("rz(%.6f) q[%d];\n", rng.Float64()*6.28, a)
		}
		return fmt.Sprintf("u3(0.1,0.2,0.3) q[%d];\n", a)
	}
	oq2 := "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[20];\ncreg c[20];\n"
	tests := []struct {
		name   string
		header string
		size   int
		next   func(int) string
		want   string // "ops: N" or the start of the error
	}{
		{"50 MB refused by MaxOps", oq2, 50 << 20, mixed, "the program was refused before any operation was built"},
		{"a million mixed gates", oq2, 1 << 30, func(i int) string {
			if i == 1_000_000 {
				return ""
			}
			return mixed(i)
		}, "ops: 1000000"},
		{"a million x q[0]", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\n", 1 << 30, func(i int) string {
			if i == 1_000_000 {
				return ""
			}
			return "x q[0];\n"
		}, "ops: 1000000"},
		{"loop expansion past MaxOps", "OPENQASM 3.0;\nqubit[2] q;\nfor int i in [0:999999] {\n    h q[0];\n    cx q[0], q[1];\n}\n", 0, func(int) string { return "" },
			"test.qasm:3:1: this loop creates at least 2000000 operations"},
		{"broadcast past MaxOps in a loop", "OPENQASM 3.0;\nqubit[4000] q;\nfor int i in [0:999] { h q; }\n", 0, func(int) string { return "" },
			"test.qasm:3:1: this loop creates at least 4000000 operations"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "test.qasm")
			size := genProgram(t, path, tc.header, tc.size, tc.next)
			cmd := exec.Command(os.Args[0], "-test.run=^TestReaderMemProbe$", "-test.count=1")
			cmd.Env = append(os.Environ(), memProbeEnv+"="+path)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Contains(t, string(out), tc.want)
			var peak int64
			for _, line := range strings.Split(string(out), "\n") {
				if rest, ok := strings.CutPrefix(line, "peak: "); ok {
					_, err := fmt.Sscan(rest, &peak)
					require.NoError(t, err)
				}
			}
			require.Positive(t, peak, "the child reported no peak memory (/proc/self/status): %s", out)
			// 20x the source plus the process itself (processBaseline); the loop cases'
			// sources are a few lines, which the baseline covers.
			bound := 20*int64(size) + processBaseline
			t.Logf("%s: source %.1f MB, peak RSS %.1f MB (%.1fx the source), bound %.1f MB, CPU %v",
				tc.name, float64(size)/(1<<20), float64(peak)/(1<<20), float64(peak)/float64(size), float64(bound)/(1<<20),
				cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
			assert.LessOrEqual(t, peak, bound, "peak RSS %d bytes above the bound %d", peak, bound)
		})
	}
}

// TestLargeInclude: an included file is read statement by statement too (two passes, no
// whole tree), so a program that includes a large file is read like one that holds it.
func TestLargeInclude(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "rz(%d) q[%d];\n", i, i%3)
	}
	files := map[string]string{"big.inc": b.String(), "bad.inc": "x q[0];\ny q[0]\n"}
	p, err := memConfig(files).Parse("main.qasm", []byte("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ninclude \"big.inc\";\nh q[0];\n"))
	require.NoError(t, err)
	require.Len(t, p.Circuit.Ops, 20001)
	assert.Equal(t, "big.inc:20000:1", p.Circuit.Ops[19999].Pos.String())
	// A syntax error in an include: none of it is lowered, only the syntax error is
	// reported for it.
	got := errorLines(t, memConfig(files), "main.qasm", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ninclude \"bad.inc\";\n")
	require.Len(t, got, 1, "%q", got)
	assert.Contains(t, got[0], "bad.inc:2:")
}
