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
)

const qasmBell = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nbit[2] c;\nh q[0];\ncx q[0], q[1];\nc = measure q;\n"

func writeQASMTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunCounts(t *testing.T) {
	f := writeQASMTemp(t, "bell.qasm", qasmBell)
	code, out, errs := runCLI(t, "", "run", f, "--shots", "2000", "--seed", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	total := 0
	for _, l := range lines[1:] {
		fields := strings.Fields(l)
		if len(fields) != 2 || (fields[0] != "00" && fields[0] != "11") {
			t.Fatalf("unexpected outcome line %q", l)
		}
		n, _ := strconv.Atoi(fields[1])
		total += n
	}
	if total != 2000 {
		t.Errorf("counts sum to %d", total)
	}
	// Same seed, same counts; standard input works the same.
	_, again, _ := runCLI(t, qasmBell, "run", "-", "--shots", "2000", "--seed", "5")
	if again != out {
		t.Errorf("not reproducible:\n%s\n%s", out, again)
	}
}

func TestRunStateAndProbs(t *testing.T) {
	f := writeQASMTemp(t, "rot.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] theta;\ninput array[float[64], 2] t;\nqubit[2] q;\nbit[2] c;\nry(theta) q[0];\nrx(t[0] + t[1]) q[1];\nc = measure q;\n")
	code, out, errs := runCLI(t, "", "run", f, "--probs", "--param", "theta=pi/2", "--param", "t=0.25,0.5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
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
		if math.Abs(got[k]-v) > 1e-11 {
			t.Errorf("%s: %v, want %v", k, got[k], v)
		}
	}
	// rx(π)|0⟩ = cos(π/2)|0⟩ − i|1⟩ on qubit 1; cos(π/2) ≈ 6e-17 is below the printing cut-off.
	code, out, _ = runCLI(t, "", "run", f, "--state", "--param", "theta=0", "--param", "t[0]=pi", "--param", "t[1]=0")
	if code != 0 || strings.Contains(out, "|00⟩") || !strings.Contains(out, "|10⟩  0-1i") {
		t.Errorf("state output:\n%s", out)
	}
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
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("qpeft %v: exit %d, stderr %q; want exit %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
}

func TestUnitary(t *testing.T) {
	src := "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit[2] q;\nh q[0];\nctrl @ rz(a) q[0], q[1];\n"
	f := writeQASMTemp(t, "u.qasm", src)
	code, out, errs := runCLI(t, "", "unitary", f, "--param", "a=pi/2", "--digits", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "# 4 x 4 unitary matrix") || !strings.Contains(out, "0.707+0.000i") {
		t.Errorf("printed matrix:\n%s", out)
	}
	// The .npy file holds the exact matrix: H on qubit 0, then controlled rz(π/2).
	path := filepath.Join(t.TempDir(), "u.npy")
	if code, _, errs := runCLI(t, "", "unitary", f, "--param", "a=pi/2", "--out", path); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	shape, data, err := npy.ReadFileAs[complex128](path)
	if err != nil || len(shape) != 2 || shape[0] != 4 || shape[1] != 4 {
		t.Fatalf("npy: %v %v", shape, err)
	}
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
		if cmplx.Abs(data[i]-exp[i]) > 1e-15 {
			t.Fatalf("entry %d: %v, want %v", i, data[i], exp[i])
		}
	}
	// A real circuit is written as float64.
	real := writeQASMTemp(t, "r.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit q;\nry(pi/3) q;\n")
	rpath := filepath.Join(t.TempDir(), "r.npy")
	if code, _, errs := runCLI(t, "", "unitary", real, "--out", rpath); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, rdata, err := npy.ReadFileAs[float64](rpath); err != nil || math.Abs(rdata[2]-math.Sin(math.Pi/6)) > 1e-15 {
		t.Errorf("real npy: %v %v", rdata, err)
	}
	cpath := filepath.Join(t.TempDir(), "r.csv")
	if code, _, _ := runCLI(t, "", "unitary", real, "--out", cpath); code != 0 {
		t.Fatal("csv")
	}
	if b, _ := os.ReadFile(cpath); !strings.HasPrefix(string(b), "0.8660254037844387,-0.49999999999999994\n") {
		t.Errorf("csv: %q", b)
	}
}

func TestDrawCommand(t *testing.T) {
	f := writeQASMTemp(t, "bell.qasm", qasmBell)
	code, out, errs := runCLI(t, "", "draw", f)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := "q[0]: --H--*--M->c[0]-\n           |\nq[1]: -----X--M->c[1]-\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	_, out, _ = runCLI(t, qasmBell, "draw", "-", "--unicode")
	if !strings.Contains(out, "⊕") {
		t.Errorf("unicode drawing:\n%s", out)
	}
}

func TestFmtCommand(t *testing.T) {
	messy := "OPENQASM 3.0;\nqubit[2]   q;  // two\nU(pi/2,0,pi) q[0];\n"
	clean := "OPENQASM 3.0;\nqubit[2] q; // two\nU(pi/2, 0, pi) q[0];\n"
	f := writeQASMTemp(t, "m.qasm", messy)
	code, out, _ := runCLI(t, "", "fmt", f)
	if code != 0 || out != clean {
		t.Errorf("fmt: %d %q", code, out)
	}
	if code, _, errs := runCLI(t, "", "fmt", "--check", f); code != 1 || !strings.Contains(errs, "not formatted") {
		t.Errorf("--check on messy file: %d %q", code, errs)
	}
	if code, _, _ := runCLI(t, "", "fmt", "-w", f); code != 0 {
		t.Fatal("fmt -w failed")
	}
	if b, _ := os.ReadFile(f); string(b) != clean {
		t.Errorf("-w wrote %q", b)
	}
	if code, _, _ := runCLI(t, "", "fmt", "--check", f); code != 0 {
		t.Error("--check on formatted file failed")
	}
	if code, out, _ := runCLI(t, messy, "fmt", "-"); code != 0 || out != clean {
		t.Errorf("stdin: %q", out)
	}
	if code, _, errs := runCLI(t, "qubit q\nh q;", "fmt", "-"); code != 1 || !strings.Contains(errs, "<stdin>:1:8: missing ';'") {
		t.Errorf("syntax error: %d %q", code, errs)
	}
}
