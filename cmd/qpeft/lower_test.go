package main

import (
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/formats/npy"
	"github.com/qpeft/qpeft/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const realQASM = `OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
input float[64] phi;
qubit[3] q;
ry(theta) q[0];
ry(phi) q[1];
cz q[0], q[1];
ry(2*theta + pi/4) q[2];
cx q[2], q[0];
ry(-phi) q[1];
`

const complexQASM = `OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
qubit[2] q;
h q[0];
rz(theta) q[1];
cx q[0], q[1];
`

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

// oracleReal is the bound circuit's orthogonal matrix from the simulator (sim.RealUnitary),
// built from the same circuit written with the builder API.
func oracleReal(t *testing.T, theta, phi float64) *sim.RealBatch {
	c := circuit.New(3).RY(theta, 0).RY(phi, 1).CZ(0, 1).RY(2*theta+math.Pi/4, 2).CX(2, 0).RY(-phi, 1)
	u, err := sim.RealUnitary(c, nil)
	require.NoError(t, err)
	return u
}

func parseCSV(t *testing.T, text string) [][]string {
	t.Helper()
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		rows = append(rows, strings.Split(line, ","))
	}
	return rows
}

func TestLowerDenseAndStiefel(t *testing.T) {
	file := writeTemp(t, "adapter.qasm", realQASM)
	want := oracleReal(t, 0.3, math.Pi/4)
	code, out, errs := runCLI(t, "", "lower", file, "--form", "dense", "--param", "theta=0.3", "--param", "phi=pi/4")
	require.Equal(t, 0, code, "exit status; stderr: %s", errs)
	rows := parseCSV(t, out)
	require.Equal(t, 8, len(rows), "dense CSV rows")
	require.Equal(t, 8, len(rows[0]), "dense CSV columns")
	for i, row := range rows {
		for j, s := range row {
			v, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err)
			require.InDelta(t, want.At(i, j), v, 1e-12, "dense[%d,%d] vs sim", i, j)
		}
	}
	// Stiefel columns to .npy and .csv.
	dir := t.TempDir()
	npyPath := filepath.Join(dir, "u.npy")
	code, _, errs = runCLI(t, "", "lower", file, "--form", "stiefel", "--k", "3", "--param", "theta=0.3", "--param", "phi=pi/4", "--out", npyPath)
	require.Equal(t, 0, code, "exit status; stderr: %s", errs)
	shape, data, err := npy.ReadFileAs[float64](npyPath)
	require.NoError(t, err)
	require.Equal(t, []int{8, 3}, shape, "npy shape")
	for i := 0; i < 8; i++ {
		for j := 0; j < 3; j++ {
			require.InDelta(t, want.At(i, j), data[i*3+j], 1e-12, "stiefel[%d,%d] vs sim", i, j)
		}
	}
	csvPath := filepath.Join(dir, "u.csv")
	code, _, errs = runCLI(t, "", "lower", file, "--form", "stiefel", "--k", "2", "--param", "theta=0.3", "--param", "phi=pi/4", "--out", csvPath)
	require.Equal(t, 0, code, "exit status; stderr: %s", errs)
	b, err := os.ReadFile(csvPath)
	require.NoError(t, err)
	rows = parseCSV(t, string(b))
	require.Equal(t, 8, len(rows), "stiefel CSV rows")
	require.Equal(t, 2, len(rows[0]), "stiefel CSV columns")
}

func TestLowerComplexAndKron(t *testing.T) {
	file := writeTemp(t, "c.qasm", complexQASM)
	code, out, errs := runCLI(t, "", "lower", file, "--form", "dense", "--param", "theta=0.7")
	require.Equal(t, 0, code, "exit status; stderr: %s", errs)
	c := circuit.New(2).H(0).RZ(0.7, 1).CX(0, 1)
	want, err := sim.Unitary(c, nil)
	require.NoError(t, err)
	rows := parseCSV(t, out)
	for i, row := range rows {
		for j, s := range row {
			v, err := strconv.ParseComplex(strings.TrimSuffix(s, "j")+"i", 128)
			require.NoError(t, err, "%q", s)
			require.LessOrEqual(t, cmplx.Abs(v-want.At(i, j)), 1e-12, "|dense[%d,%d] − sim|: dense %v, sim %v", i, j, v, want.At(i, j))
		}
	}
	code, out, errs = runCLI(t, "", "lower", writeTemp(t, "a.qasm", realQASM), "--form", "kron", "--param", "theta=0.3", "--param", "phi=1")
	require.Equal(t, 0, code, "exit status; stderr: %s", errs)
	for _, s := range []string{"float64 (orthogonal) program on 3 qubits", "stage 0: kron", "diag on qubits [0 1]: cz q[0], q[1]", "q[2]: ry(2.0 * theta + pi/4)", "stage 3: kron on 1 qubit: q[1]: ry(-phi)", "perm"} {
		assert.Contains(t, out, s, "kron listing")
	}
}

func TestLowerErrors(t *testing.T) {
	real := writeTemp(t, "adapter.qasm", realQASM)
	cplx := writeTemp(t, "c.qasm", complexQASM)
	bad := writeTemp(t, "bad.qasm", "OPENQASM 3.0;\nqubit[2] q;\nfoo q[0];\n")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"lower", real}, 2, "--form is required"},
		{[]string{"lower", real, "--form", "sparse"}, 2, `"sparse" is not one of`},
		{[]string{"lower", real, "--form", "stiefel", "--param", "theta=1", "--param", "phi=1"}, 2, "needs --k"},
		{[]string{"lower", real, "--form", "stiefel", "--k", "9", "--param", "theta=1", "--param", "phi=1"}, 2, "exceeds 2^n = 8"},
		{[]string{"lower", real, "--form", "dense", "--k", "2"}, 2, "--k applies only"},
		{[]string{"lower", real, "--form", "dense", "--param", "theta=1"}, 2, "missing inputs: phi (float[64])"},
		{[]string{"lower", real, "--form", "dense", "--param", "theta=1", "--param", "phi=1", "--param", "psi=2"}, 2, "--param psi: the program has no input psi"},
		{[]string{"lower", real, "--form", "dense", "--param", "theta=abc"}, 2, "cannot read"},
		{[]string{"lower", real, "--form", "dense", "--param", "theta"}, 2, "NAME=VALUE"},
		{[]string{"lower", real, "--form", "dense", "--out", "u.txt"}, 2, "must end in .npy or .csv"},
		{[]string{"lower", real, "--form", "kron", "--out", "u.npy"}, 2, "prints a listing"},
		{[]string{"lower", cplx, "--form", "dense", "--param", "theta=1", "--real"}, 1, "gate rz (operation 1)"},
		{[]string{"lower", cplx, "--form", "dense", "--real", "--complex"}, 2, "exclude each other"},
		{[]string{"lower", bad, "--form", "dense"}, 1, "bad.qasm:3"},
		{[]string{"lower", filepath.Join(t.TempDir(), "missing.qasm"), "--form", "dense"}, 1, "missing.qasm"},
		{[]string{"lower"}, 2, "one OpenQASM file"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, "", c.args...)
		assert.Equal(t, c.code, code, "qpeft %v: exit status; stderr %q", c.args[1:], errs)
		assert.Contains(t, errs, c.want, "qpeft %v: stderr", c.args[1:])
	}
}

func TestParseAngle(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0.5", 0.5, true}, {"-1e-3", -1e-3, true}, {"pi", math.Pi, true}, {"-pi", -math.Pi, true},
		{"pi/4", math.Pi / 4, true}, {"3*pi/2", 3 * math.Pi / 2, true}, {"-3*pi/4", -3 * math.Pi / 4, true},
		{"2pi", 2 * math.Pi, true}, {"pi/0", 0, false}, {"x", 0, false}, {"NaN", 0, false}, {"inf", 0, false},
	}
	for _, c := range cases {
		v, err := parseAngle(c.in)
		if !c.ok {
			assert.Error(t, err, "parseAngle(%q) = %v", c.in, v)
		} else if assert.NoError(t, err, "parseAngle(%q)", c.in) {
			assert.InDelta(t, c.want, v, 1e-15, "parseAngle(%q)", c.in)
		}
	}
}
