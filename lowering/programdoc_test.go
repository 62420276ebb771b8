package lowering

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/qasm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docCircuits are the real circuits the lowering tests build, plus circuits exercising every
// expression operator and a controlled block.
func docCircuits(t *testing.T) map[string]*circuit.Circuit {
	out := map[string]*circuit.Circuit{}
	for n := 1; n <= 7; n++ {
		for L := 0; L <= 3; L++ {
			out["pauli n="+itoa(n)+" L="+itoa(L)] = pauli(n, L)
		}
		for seed := uint64(0); seed < 3; seed++ {
			r := rand.New(rand.NewPCG(seed, uint64(n)))
			out["random real n="+itoa(n)+" seed="+itoa(int(seed))] = randCircuit(r, n, 6*n, realGates, symNames(3), n >= 3)
		}
	}
	c := circuit.New(5)
	c.H(0, 1, 2, 3, 4)
	c.Ctrl("cry", []int{0, 4}, []int{1, 3}, circuit.Add(circuit.Mul(circuit.Num(2), circuit.Param("a")), circuit.Num(math.Pi/4)))
	c.RY("b", 3)
	c.Ctrl("ry", []int{2, 1, 0}, []int{4}, circuit.Param("b"))
	c.Ctrl("cry", []int{3, 2}, []int{0, 4}, circuit.Param("a"))
	out["controlled blocks"] = c
	src := `OPENQASM 3.0;
include "stdgates.inc";
input array[float[64], 4] theta;
qubit[3] q;
ry(theta[0] + theta[1]) q[0];
ry(sin(theta[0])) q[1];
cry(cos(theta[2]) * 2 - theta[3] / 3) q[1], q[2];
ry(-theta[1] ** 2) q[2];
cx q[0], q[2];
ry(exp(theta[3] / 4) + sqrt(theta[2] * theta[2] + 1)) q[0];
ry(atan(theta[1]) + tan(theta[0] / 5) + ln(2 + theta[3] * theta[3])) q[1];
ry(asin(theta[0] / 4) - acos(theta[1] / 4)) q[2];
swap q[0], q[1];
cz q[1], q[2];
x q[0];
ry(pi / 3) q[2];
ctrl @ ctrl @ ry(theta[2]) q[0], q[1], q[2];
`
	uc, err := qasm.Parse("exprs.qasm", []byte(src))
	require.NoError(t, err)
	out["expressions"] = uc
	return out
}

func itoa(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }

func TestProgramDocRoundTrip(t *testing.T) {
	for name, c := range docCircuits(t) {
		t.Run(name, func(t *testing.T) {
			p, err := CompileReal(c)
			require.NoError(t, err)
			doc, err := p.Doc()
			require.NoError(t, err)
			js, err := json.Marshal(doc)
			require.NoError(t, err)
			back, err := ParseProgramDoc(js)
			require.NoError(t, err)
			js2, err := json.Marshal(back)
			require.NoError(t, err)
			assert.JSONEq(t, string(js), string(js2), "decode/encode is not the identity")

			r := rand.New(rand.NewPCG(3, uint64(len(js))))
			for trial := 0; trial < 2; trial++ {
				th := make([]float64, len(p.Params()))
				for i := range th {
					th[i] = r.Float64()*2 - 1 // inside asin/acos domains of the expression circuit
				}
				N := p.Dim()
				x := make([]float64, N*N)
				for i := 0; i < N; i++ {
					x[i*N+i] = 1
				}
				require.NoError(t, back.Apply(th, x, N))
				want := bruteColumns(t, c, c.Env(th), N, nil)
				assert.Less(t, maxAbsDiff(realToComplex(x), want), 1e-12, "document vs brute-force product")
				dense, err := p.Dense(th)
				require.NoError(t, err)
				assert.Less(t, maxAbsDiff(realToComplex(x), realToComplex(dense.Data)), 1e-12, "document vs lowering's Dense")
			}
		})
	}
}

func TestProgramDocStages(t *testing.T) {
	p, err := CompileReal(pauli(4, 1))
	require.NoError(t, err)
	doc, err := p.Doc()
	require.NoError(t, err)
	kinds := []string{}
	for _, st := range doc.Stages {
		kinds = append(kinds, st.Kind)
	}
	assert.Equal(t, []string{"kron", "diag", "kron", "diag", "kron"}, kinds)
	assert.Equal(t, []float64{1, 1, 1, -1, 1, 1, 1, -1, 1, 1, 1, -1, -1, -1, -1, 1}, doc.Stages[1].Diagonal, "CZ(0,1)·CZ(2,3) signs")
	g := doc.Stages[0].Factors[0][0]
	require.NotNil(t, g.Angle)
	require.NotNil(t, g.Angle.Param)
	assert.Equal(t, 0, *g.Angle.Param)
	assert.Equal(t, []float64{0, 0, 0, 0}, g.Const)
	assert.Equal(t, []float64{1, 0, 0, 1}, g.Cos)
	assert.Equal(t, []float64{0, -1, 1, 0}, g.Sin)
}

func TestProgramDocRefusals(t *testing.T) {
	c := circuit.New(2)
	c.RX("a", 0)
	_, err := CompileDoc(c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rx")

	good, err := CompileDoc(pauli(2, 1))
	require.NoError(t, err)
	js, err := json.Marshal(good)
	require.NoError(t, err)
	cases := []struct {
		name string
		edit func(d *ProgramDoc)
		want string
	}{
		{"format", func(d *ProgramDoc) { d.Format = "x" }, "format"},
		{"version", func(d *ProgramDoc) { d.Version = 99 }, "version 99"},
		{"dim", func(d *ProgramDoc) { d.Dim = 5 }, "dim 5"},
		{"qubit range", func(d *ProgramDoc) { d.Stages[0].Qubits[0] = 7 }, "qubit 7"},
		{"diag length", func(d *ProgramDoc) { d.Stages[1].Diagonal = d.Stages[1].Diagonal[:2] }, "diagonal"},
		{"matrix size", func(d *ProgramDoc) { d.Stages[0].Factors[0][0].Cos = []float64{1} }, "const, cos and sin"},
		{"param index", func(d *ProgramDoc) { i := 9; d.Stages[0].Factors[0][0].Angle.Param = &i }, "param 9"},
		{"empty expr", func(d *ProgramDoc) { d.Stages[0].Factors[0][0].Angle = &ExprDoc{} }, "exactly one"},
		{"kind", func(d *ProgramDoc) { d.Stages[0].Kind = "fft" }, "unknown stage kind"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d ProgramDoc
			require.NoError(t, json.Unmarshal(js, &d))
			tc.edit(&d)
			bad, err := json.Marshal(&d)
			require.NoError(t, err)
			_, err = ParseProgramDoc(bad)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestProgramDocUnknownField checks that a field the schema does not define is refused,
// at the top and inside a stage, as docs/program.schema.json says.
func TestProgramDocUnknownField(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"top", `{"format":"qpeft-program","version":1,"qubits":1,"dim":2,"params":[],"stages":[],"colour":1}`, `unknown field "colour"`},
		{"stage", `{"format":"qpeft-program","version":1,"qubits":1,"dim":2,"params":[],"stages":[{"kind":"diag","qubits":[0],"diagonal":[1,1],"phase":0}]}`, `unknown field "phase"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseProgramDoc([]byte(tc.doc))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "lowering: program document")
		})
	}
}

// TestProgramSchemaFile checks that the JSON Schema in docs names the fields the Go types
// write (a drift guard; TestProgramSchemaValidates validates documents against it).
func TestProgramSchemaFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "docs", "program.schema.json"))
	require.NoError(t, err)
	var schema map[string]any
	require.NoError(t, json.Unmarshal(raw, &schema))
	doc, err := CompileDoc(pauli(3, 1))
	require.NoError(t, err)
	js, err := json.Marshal(doc)
	require.NoError(t, err)
	var top map[string]any
	require.NoError(t, json.Unmarshal(js, &top))
	props, ok := schema["properties"].(map[string]any)
	require.True(t, ok, "schema has top-level properties")
	for k := range top {
		assert.Contains(t, props, k, "schema lacks top-level field %q", k)
	}
}

// TestProgramSchemaValidates validates the documents of every test circuit against
// docs/program.schema.json with the jsonschema package (Draft 2020-12), and checks that the
// schema rejects broken documents. It needs a Python with jsonschema ($QPEFT_PYTHON, the
// interop venv); under CI=true a missing one fails.
func TestProgramSchemaValidates(t *testing.T) {
	py := os.Getenv("QPEFT_PYTHON")
	if py == "" {
		py = "python3"
	}
	if out, err := exec.Command(py, "-c", "import jsonschema").CombinedOutput(); err != nil {
		msg := fmt.Sprintf("%s cannot import jsonschema (set QPEFT_PYTHON to the interop venv's python): %s", py, strings.TrimSpace(string(out)))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	var good []string
	for name, c := range docCircuits(t) {
		doc, err := CompileDoc(c)
		require.NoError(t, err)
		js, err := json.Marshal(doc)
		require.NoError(t, err)
		p := filepath.Join(dir, fmt.Sprintf("good-%d.json", len(good)))
		require.NoError(t, os.WriteFile(p, js, 0o644), name)
		good = append(good, p)
	}
	doc, err := CompileDoc(pauli(2, 1))
	require.NoError(t, err)
	bad := map[string]func(m map[string]any){
		"version":     func(m map[string]any) { m["version"] = 2 },
		"stage kind":  func(m map[string]any) { m["stages"].([]any)[0].(map[string]any)["kind"] = "fft" },
		"extra field": func(m map[string]any) { m["extra"] = 1 },
		"expr two of": func(m map[string]any) { gate(m)["angle"] = map[string]any{"param": 0, "const": 1.0} },
		"unknown fn": func(m map[string]any) {
			gate(m)["angle"] = map[string]any{"fn": "erf", "args": []any{map[string]any{"param": 0}}}
		},
		"matrix+angle": func(m map[string]any) { gate(m)["matrix"] = []any{1.0, 0.0, 0.0, 1.0} },
	}
	var badPaths []string
	for name, edit := range bad {
		js, err := json.Marshal(doc)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(js, &m))
		edit(m)
		js, err = json.Marshal(m)
		require.NoError(t, err)
		p := filepath.Join(dir, "bad-"+strings.ReplaceAll(name, " ", "_")+".json")
		require.NoError(t, os.WriteFile(p, js, 0o644))
		badPaths = append(badPaths, p)
	}
	script := `import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for p in sys.argv[2:]:
    errs = list(v.iter_errors(json.load(open(p))))
    print(p, "ok" if not errs else "invalid: " + errs[0].message[:80])
`
	args := append([]string{"-c", script, filepath.Join("..", "docs", "program.schema.json")}, append(good, badPaths...)...)
	out, err := exec.Command(py, args...).CombinedOutput()
	require.NoError(t, err, string(out))
	res := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		p, verdict, _ := strings.Cut(line, " ")
		res[p] = verdict
	}
	for _, p := range good {
		assert.Equal(t, "ok", res[p], "a compiled document fails the schema")
	}
	for _, p := range badPaths {
		assert.True(t, strings.HasPrefix(res[p], "invalid"), "%s passes the schema", filepath.Base(p))
	}
}

func gate(m map[string]any) map[string]any {
	return m["stages"].([]any)[0].(map[string]any)["factors"].([]any)[0].([]any)[0].(map[string]any)
}
