package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/qasm"
	"github.com/qpeft/qpeft/sim"
)

const bellQASM = `OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
qubit[2] q;
h q[0];
cx q[0], q[1];
ry(theta) q[1];
`

func writeExportTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExportCommand(t *testing.T) {
	bell := writeExportTemp(t, "bell.qasm", bellQASM)
	cu3 := writeExportTemp(t, "cu3.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nU(0.1, 0.2, 0.3) q[0];\nctrl @ sx q[0], q[1];\n")
	big := writeExportTemp(t, "big.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[30] q;\nh q[29];\n")
	cases := []struct {
		args       []string
		code       int
		out, errIn string
	}{
		{[]string{"export", bell, "--target", "qasm3"}, 0, "input float[64] theta;", ""},
		{[]string{"export", bell, "--target", "qasm2", "--param", "theta=0.5"}, 0, "ry(0.5) q[1];", ""},
		{[]string{"export", bell, "--target", "qasm3", "--basis", "heron"}, 0, "cz q[0], q[1];", ""},
		{[]string{"export", bell, "--target", "braket", "--param", "theta=0.25"}, 0, `"theta": 0.25`, ""},
		{[]string{"export", bell, "--target", "braket", "--basis", "rigetti", "--verbatim"}, 0, "#pragma braket verbatim", ""},
		{[]string{"export", bell, "--target", "quil"}, 0, "DECLARE theta REAL[1]", ""},
		{[]string{"export", bell, "--target", "quil", "--basis", "rigetti"}, 0, "RZ(theta[0]", ""},
		{[]string{"export", bell, "--target", "ionq", "--param", "theta=0.5"}, 0, `"gateset": "qis"`, ""},
		{[]string{"export", bell, "--target", "ionq", "--basis", "ionq", "--param", "theta=0.5"}, 0, `"gateset": "native"`, ""},
		// Errors name the gate, parameter or device and the target.
		{[]string{"export", bell, "--target", "qasm2"}, 1, "", `parameter "theta" cannot stay unbound in target qasm2`},
		{[]string{"export", bell, "--target", "ionq"}, 1, "", `parameter "theta" cannot stay unbound in target ionq`},
		{[]string{"export", cu3, "--target", "ionq"}, 1, "", `gate "U" (operation 0, ` + cu3 + `:4:1) cannot be exported to ionq`},
		{[]string{"export", cu3, "--target", "quil"}, 1, "", `gate "U" (operation 0`},
		{[]string{"export", cu3, "--target", "braket"}, 1, "", "cannot be exported to braket"},
		{[]string{"export", cu3, "--target", "ionq", "--basis", "auto"}, 0, `"control": 0`, ""},
		{[]string{"export", big, "--target", "ionq", "--device", "ionq_aria"}, 1, "", "the circuit has 30 qubits but device ionq_aria (target ionq) has 25"},
		{[]string{"export", bell, "--target", "qasm3", "--device", "ionq_aria"}, 1, "", "device ionq_aria does not take target qasm3"},
		{[]string{"export", bell, "--target", "qasm3", "--basis", "rz,cz"}, 1, "", "cannot express every single-qubit gate"},
		{[]string{"export", bell, "--target", "qasm3", "--param", "phi=1"}, 2, "", `--param phi: the program has no input phi; its inputs are theta (float[64])`},
		{[]string{"export", bell, "--target", "pdf"}, 1, "", `unknown export target "pdf"`},
		{[]string{"export", bell}, 2, "", "--target is required"},
		{[]string{"export", bell, "--target", "qasm3", "--param", "theta"}, 2, "", "write NAME=VALUE"},
		{[]string{"export", "--target", "qasm3"}, 2, "", "one OpenQASM file"},
	}
	for _, tc := range cases {
		code, out, errs := runCLI(t, "", tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errs, tc.errIn) {
			t.Errorf("qpeft %v: exit %d\nstdout %s\nstderr %s", tc.args[1:], code, out, errs)
		}
	}
}

func TestExportWritesFile(t *testing.T) {
	bell := writeExportTemp(t, "bell.qasm", bellQASM)
	out := filepath.Join(t.TempDir(), "bell.json")
	if code, _, errs := runCLI(t, "", "export", bell, "--target", "braket", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var prog map[string]any
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &prog); err != nil || prog["source"] == nil {
		t.Fatalf("not a Braket program: %v\n%s", err, data)
	}
}

// TestExportAdapter exports a saved Quantum-PEFT checkpoint and checks that each exported
// circuit, read back with package qasm and simulated, gives the factor's first columns as
// package peft computes them.
func TestExportAdapter(t *testing.T) {
	cfg := peft.Config{Method: peft.MethodQuantumPEFT, Rank: 2, Layers: 1, Seed: 3}
	ck, err := peft.NewCheckpoint(cfg, "toy", []peft.ModuleShape{{Name: "fc", Out: 8, In: 4}})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range ck.Modules[0].Adapter.Params() {
		for i := range p.Value {
			p.Value[i] = r.Float64()*4 - 2
		}
	}
	dir := filepath.Join(t.TempDir(), "adapter")
	if err := ck.Save(dir); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, errs := runCLI(t, "", "export", "--adapter", dir, "--target", "qasm3", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	q := ck.Modules[0].Adapter.(*peft.QuantumPEFT)
	for _, which := range []string{"U", "V"} {
		path := filepath.Join(out, "fc."+which+".qasm")
		if !strings.Contains(stdout, path) {
			t.Errorf("stdout does not list %s:\n%s", path, stdout)
		}
		c, err := qasm.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Params) != 0 {
			t.Fatalf("%s has unbound parameters %v", path, c.Params)
		}
		f := q.Factor(which)
		theta := q.ThetaU.Value
		if which == "V" {
			theta = q.ThetaV.Value
		}
		want := make([]float64, f.Dim()*f.Rank())
		if err := f.Columns(theta, want); err != nil {
			t.Fatal(err)
		}
		u, err := sim.Unitary(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		d := f.Dim()
		for i := 0; i < d; i++ {
			for k := 0; k < f.Rank(); k++ {
				if g := u.Data[i*d+k]; absC(g-complex(want[i*f.Rank()+k], 0)) > 1e-12 {
					t.Fatalf("%s: U[%d][%d] = %v, want %v", path, i, k, g, want[i*f.Rank()+k])
				}
			}
		}
	}
	if code, _, errs := runCLI(t, "", "export", "--adapter", dir, "--target", "qasm3"); code != 2 || !strings.Contains(errs, "output directory") {
		t.Errorf("adapter without -o: exit %d, %s", code, errs)
	}
}

func absC(c complex128) float64 {
	re, im := real(c), imag(c)
	if re < 0 {
		re = -re
	}
	if im < 0 {
		im = -im
	}
	return re + im
}

// TestExportAdapterWhole exports the factors of a non-power-of-two adapter (U 24×2, V 12×2)
// each as one circuit; read back and simulated, the first N×K block is the factor to 1e-12
// and the other rows of those columns vanish. With --device ibm_heron --stats the circuits
// are routed into Heron's basis and the statistics are printed.
func TestExportAdapterWhole(t *testing.T) {
	// Collect garbage eagerly: the test process must stay small, since a vfork'd child (the
	// memory tests' subprocesses) inherits its parent's peak RSS in ru_maxrss.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	cfg := peft.Config{Method: peft.MethodQuantumPEFT, Rank: 2, Layers: 1, Seed: 3}
	ck, err := peft.NewCheckpoint(cfg, "toy", []peft.ModuleShape{{Name: "fc", Out: 24, In: 12}})
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(5, 2))
	for _, p := range ck.Modules[0].Adapter.Params() {
		for i := range p.Value {
			p.Value[i] = r.Float64()*4 - 2
		}
	}
	dir := filepath.Join(t.TempDir(), "adapter")
	require.NoError(t, ck.Save(dir))
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, errs := runCLI(t, "", "export", "--adapter", dir, "--whole", "--target", "qasm3", "-o", out)
	require.Equal(t, 0, code, errs)
	assert.NotContains(t, errs, "classical")
	q := ck.Modules[0].Adapter.(*peft.QuantumPEFT)
	for _, which := range []string{"U", "V"} {
		path := filepath.Join(out, "fc."+which+".qasm")
		assert.Contains(t, stdout, path)
		c, err := qasm.ParseFile(path)
		require.NoError(t, err)
		require.Empty(t, c.Params)
		f := q.Factor(which)
		theta := q.ThetaU.Value
		if which == "V" {
			theta = q.ThetaV.Value
		}
		n, k := f.Dim(), f.Rank()
		want := make([]float64, n*k)
		require.NoError(t, f.Columns(theta, want))
		require.Equal(t, bitsFor(n), c.NumQubits)
		u, err := sim.Unitary(c, nil)
		require.NoError(t, err)
		d := 1 << c.NumQubits
		var worst float64
		for i := 0; i < d; i++ {
			for j := 0; j < k; j++ {
				w := 0.0
				if i < n {
					w = want[i*k+j]
				}
				worst = max(worst, absC(u.Data[i*d+j]-complex(w, 0)))
			}
		}
		assert.LessOrEqual(t, worst, 1e-12, "%s", path)
	}
	// Routed onto Heron: a smaller adapter (U 12×2, V 6×2), so that the test process stays
	// small (a vfork'd child inherits its parent's peak RSS, see the memory tests).
	small, err := peft.NewCheckpoint(cfg, "toy", []peft.ModuleShape{{Name: "fc", Out: 12, In: 6}})
	require.NoError(t, err)
	sdir := filepath.Join(t.TempDir(), "small")
	require.NoError(t, small.Save(sdir))
	heron := filepath.Join(t.TempDir(), "heron")
	code, _, errs = runCLI(t, "", "export", "--adapter", sdir, "--whole", "--target", "qasm3", "--device", "ibm_heron", "--stats", "-o", heron)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "stats: fc.U: 156 qubits")
	assert.Contains(t, errs, "two-qubit gates")
	text, err := os.ReadFile(filepath.Join(heron, "fc.U.qasm"))
	require.NoError(t, err)
	assert.Contains(t, string(text), "// qpeft-routing {")
	c, err := qasm.Parse("fc.U.qasm", text)
	require.NoError(t, err)
	for name := range c.CountOps() {
		assert.Contains(t, []string{"rz", "sx", "x", "cz"}, name)
	}
}

func bitsFor(n int) int {
	q := 0
	for 1<<q < n {
		q++
	}
	return q
}

// TestExportRoutingFlags: --coupling-map reads a user map (errors name the file),
// --verbatim outside braket and --whole without --adapter are usage errors, --stats prints
// the SWAPs added.
func TestExportRoutingFlags(t *testing.T) {
	src := writeExportTemp(t, "tri.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[3] q;\ncx q[0], q[1];\ncx q[1], q[2];\ncx q[0], q[2];\n")
	line := writeExportTemp(t, "line.json", "[[0,1],[1,2]]")
	bad := writeExportTemp(t, "bad.json", "[[0,1],[2,3]]")
	code, stdout, errs := runCLI(t, "", "export", src, "--target", "qasm3", "--coupling-map", line, "--basis", "rz,sx,x,cz", "--stats", "--seed", "4")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "1 SWAPs added")
	assert.Contains(t, stdout, "// qpeft-routing {")
	code, _, errs = runCLI(t, "", "export", src, "--target", "qasm3", "--coupling-map", bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, bad)
	assert.Contains(t, errs, "disconnected")
	code, _, errs = runCLI(t, "", "export", src, "--target", "qasm3", "--verbatim")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errs, "--verbatim applies to the braket target only")
	code, _, errs = runCLI(t, "", "export", src, "--target", "qasm3", "--whole")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--whole applies to --adapter")
}
