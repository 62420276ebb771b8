package main

import (
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/formats/npy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const qasmBell = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nbit[2] c;\nh q[0];\ncx q[0], q[1];\nc = measure q;\n"

func writeQASMTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

func TestRunCounts(t *testing.T) {
	f := writeQASMTemp(t, "bell.qasm", qasmBell)
	code, out, errs := runCLI(t, "", "run", f, "--shots", "2000", "--seed", "5")
	require.Equal(t, 0, code, "exit status; stderr: %s", errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	total := 0
	for _, l := range lines[1:] {
		fields := strings.Fields(l)
		require.Equal(t, 2, len(fields), "unexpected outcome line %q", l)
		require.Contains(t, []string{"00", "11"}, fields[0], "unexpected outcome line %q", l)
		n, _ := strconv.Atoi(fields[1])
		total += n
	}
	assert.Equal(t, 2000, total, "counts sum")
	// Same seed, same counts; standard input works the same.
	_, again, _ := runCLI(t, qasmBell, "run", "-", "--shots", "2000", "--seed", "5")
	assert.Equal(t, out, again, "not reproducible")
}

func TestRunStateAndProbs(t *testing.T) {
	f := writeQASMTemp(t, "rot.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] theta;\ninput array[float[64], 2] t;\nqubit[2] q;\nbit[2] c;\nry(theta) q[0];\nrx(t[0] + t[1]) q[1];\nc = measure q;\n")
	code, out, errs := runCLI(t, "", "run", f, "--probs", "--param", "theta=pi/2", "--param", "t=0.25,0.5")
	require.Equal(t, 0, code, "exit status; stderr: %s", errs)
	// P(q0=1) = sin²(π/4) = 1/2, P(q1=1) = sin²(0.375).
	p1 := math.Pow(math.Sin(0.375), 2)
	want := map[string]float64{"|00⟩": 0.5 * (1 - p1), "|01⟩": 0.5 * (1 - p1), "|10⟩": 0.5 * p1, "|11⟩": 0.5 * p1}
	got := map[string]float64{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Fields(l)
		v, _ := strconv.ParseFloat(f[1], 64)
		got[f[0]] = v
	}
	for k, v := range want {
		assert.InDelta(t, v, got[k], 1e-11, k)
	}
	// rx(π)|0⟩ = cos(π/2)|0⟩ − i|1⟩ on qubit 1; cos(π/2) ≈ 6e-17 is below the printing cut-off.
	code, out, _ = runCLI(t, "", "run", f, "--state", "--param", "theta=0", "--param", "t[0]=pi", "--param", "t[1]=0")
	assert.Equal(t, 0, code, "state: exit status")
	assert.NotContains(t, out, "|00⟩", "state output")
	assert.Contains(t, out, "|10⟩  0-1i", "state output")
}

func TestRunErrors(t *testing.T) {
	f := writeQASMTemp(t, "in.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\ninput angle[32] b;\ninput array[float[64], 3] w;\nqubit q;\nrx(a + b + w[0]) q;\n")
	bad := writeQASMTemp(t, "bad.qasm", "OPENQASM 3.0;\nqubit q;\nfoo q;\nh q[3];\n")
	mid := writeQASMTemp(t, "mid.qasm", qasmBell+"if (c[0] == 1) x q[1];\n")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", f}, 2, "missing inputs: a (float[64]); b (angle[32]); w (array[float[64], 3]: --param w=v0,v1,…)"},
		{[]string{"run", f, "--param", "a=1", "--param", "b=2", "--param", "w[1]=3"}, 2, "missing inputs: w[0], w[2] of w (array[float[64], 3])"},
		{[]string{"run", f, "--param", "zz=1"}, 2, "the program has no input zz; its inputs are a (float[64]), b (angle[32]), w (array[float[64], 3])"},
		{[]string{"run", f, "--param", "a=one"}, 2, "--param a: cannot read"},
		{[]string{"run", f, "--param", "w=1,2"}, 2, "needs 3 comma-separated values, got 2"},
		{[]string{"run", bad}, 1, "bad.qasm:3:1: unknown gate foo"},
		{[]string{"run", bad}, 1, "bad.qasm:4:4: q is a single qubit, not a register"},
		{[]string{"run", mid, "--state"}, 2, "--probs and --state need the state before measurement"},
		{[]string{"run", f, "--probs", "--state"}, 2, "exclude each other"},
		{[]string{"run"}, 2, "run takes one OpenQASM file"},
		{[]string{"run", filepath.Join(t.TempDir(), "none.qasm")}, 1, "no such file"},
		{[]string{"unitary", mid}, 1, "has no unitary"},
		{[]string{"unitary", f, "--out", "m.txt"}, 2, "must end in .npy or .csv"},
		{[]string{"draw", f, "--width", "-1"}, 2, "--width -1"},
		{[]string{"fmt", "-", "-w"}, 2, "-w needs a file"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, "", c.args...)
		assert.Equal(t, c.code, code, "qpeft %v: exit status; stderr %q", c.args, errs)
		assert.Contains(t, errs, c.want, "qpeft %v: stderr", c.args)
	}
}

func TestUnitary(t *testing.T) {
	src := "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit[2] q;\nh q[0];\nctrl @ rz(a) q[0], q[1];\n"
	f := writeQASMTemp(t, "u.qasm", src)
	code, out, errs := runCLI(t, "", "unitary", f, "--param", "a=pi/2", "--digits", "3")
	require.Equal(t, 0, code, "exit status; stderr: %s", errs)
	assert.Contains(t, out, "# 4 x 4 unitary matrix", "printed matrix")
	assert.Contains(t, out, "0.707+0.000i", "printed matrix")
	// The .npy file holds the exact matrix: H on qubit 0, then controlled rz(π/2).
	path := filepath.Join(t.TempDir(), "u.npy")
	code, _, errs = runCLI(t, "", "unitary", f, "--param", "a=pi/2", "--out", path)
	require.Equal(t, 0, code, "exit status; stderr: %s", errs)
	shape, data, err := npy.ReadFileAs[complex128](path)
	require.NoError(t, err, "npy")
	require.Equal(t, []int{4, 4}, shape, "npy shape")
	s := complex(1/math.Sqrt2, 0)
	e := cmplx.Exp(complex(0, -math.Pi/4))
	// Build the expected matrix independently: U = CRZ · (I ⊗ H), little-endian.
	h := [4]complex128{s, s, s, -s}
	exp := make([]complex128, 16)
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			if i>>1 != j>>1 {
				continue
			}
			v := h[(i&1)*2+(j&1)]
			if i&1 == 1 { // control set: rz(π/2) on qubit 1
				if i>>1 == 0 {
					v *= e
				} else {
					v *= cmplx.Conj(e)
				}
			}
			exp[i*4+j] = v
		}
	}
	for i := range exp {
		require.LessOrEqual(t, cmplx.Abs(data[i]-exp[i]), 1e-15, "|entry %d − want|: %v, want %v", i, data[i], exp[i])
	}
	// A real circuit is written as float64.
	real := writeQASMTemp(t, "r.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit q;\nry(pi/3) q;\n")
	rpath := filepath.Join(t.TempDir(), "r.npy")
	code, _, errs = runCLI(t, "", "unitary", real, "--out", rpath)
	require.Equal(t, 0, code, "exit status; stderr: %s", errs)
	if _, rdata, err := npy.ReadFileAs[float64](rpath); assert.NoError(t, err, "real npy") {
		assert.InDelta(t, math.Sin(math.Pi/6), rdata[2], 1e-15, "real npy: %v", rdata)
	}
	cpath := filepath.Join(t.TempDir(), "r.csv")
	code, _, _ = runCLI(t, "", "unitary", real, "--out", cpath)
	require.Equal(t, 0, code, "csv")
	b, _ := os.ReadFile(cpath)
	assert.True(t, strings.HasPrefix(string(b), "0.8660254037844387,-0.49999999999999994\n"), "csv: %q", b)
}

func TestDrawCommand(t *testing.T) {
	f := writeQASMTemp(t, "bell.qasm", qasmBell)
	code, out, errs := runCLI(t, "", "draw", f)
	require.Equal(t, 0, code, "exit status; stderr: %s", errs)
	want := "q[0]: --H--*--M->c[0]-\n           |\nq[1]: -----X--M->c[1]-\n"
	assert.Equal(t, want, out, "drawing")
	_, out, _ = runCLI(t, qasmBell, "draw", "-", "--unicode")
	assert.Contains(t, out, "⊕", "unicode drawing")
}

func TestFmtCommand(t *testing.T) {
	messy := "OPENQASM 3.0;\nqubit[2]   q;  // two\nU(pi/2,0,pi) q[0];\n"
	clean := "OPENQASM 3.0;\nqubit[2] q; // two\nU(pi/2, 0, pi) q[0];\n"
	f := writeQASMTemp(t, "m.qasm", messy)
	code, out, _ := runCLI(t, "", "fmt", f)
	assert.Equal(t, 0, code, "fmt: exit status")
	assert.Equal(t, clean, out, "fmt")
	code, _, errs := runCLI(t, "", "fmt", "--check", f)
	assert.Equal(t, 1, code, "--check on messy file: exit status; stderr %q", errs)
	assert.Contains(t, errs, "not formatted", "--check on messy file")
	code, _, _ = runCLI(t, "", "fmt", "-w", f)
	require.Equal(t, 0, code, "fmt -w failed")
	b, _ := os.ReadFile(f)
	assert.Equal(t, clean, string(b), "-w wrote")
	code, _, _ = runCLI(t, "", "fmt", "--check", f)
	assert.Equal(t, 0, code, "--check on formatted file failed")
	code, out, _ = runCLI(t, messy, "fmt", "-")
	assert.Equal(t, 0, code, "stdin: exit status")
	assert.Equal(t, clean, out, "stdin")
	code, _, errs = runCLI(t, "qubit q\nh q;", "fmt", "-")
	assert.Equal(t, 1, code, "syntax error: exit status; stderr %q", errs)
	assert.Contains(t, errs, "<stdin>:1:8: missing ';'", "syntax error")
}
