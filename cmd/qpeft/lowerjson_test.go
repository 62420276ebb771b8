package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/lowering"
	"github.com/qpeft/qpeft/peft"
)

// TestLowerJSON: the document qpeft lower --json writes evaluates, at bound parameters, to
// the matrix qpeft lower --form dense prints (and the oracle of the other lower tests).
func TestLowerJSON(t *testing.T) {
	file := writeTemp(t, "adapter.qasm", realQASM)
	code, out, errs := runCLI(t, "", "lower", file, "--form", "kron", "--json")
	require.Equal(t, 0, code, errs)
	doc, err := lowering.ParseProgramDoc([]byte(out))
	require.NoError(t, err)
	assert.Equal(t, []string{"theta", "phi"}, doc.Params)
	x := make([]float64, 64)
	for i := 0; i < 8; i++ {
		x[i*8+i] = 1
	}
	require.NoError(t, doc.Apply([]float64{0.3, math.Pi / 4}, x, 8))
	want := oracleReal(t, 0.3, math.Pi/4)
	for i := 0; i < 8; i++ {
		for j := 0; j < 8; j++ {
			assert.InDelta(t, want.At(i, j), x[i*8+j], 1e-12, "[%d,%d]", i, j)
		}
	}
	path := filepath.Join(t.TempDir(), "p.json")
	code, _, errs = runCLI(t, "", "lower", file, "--form", "kron", "--json", "-o", path)
	require.Equal(t, 0, code, errs)

	cplx := writeTemp(t, "c.qasm", complexQASM)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"lower", file, "--form", "dense", "--json"}, 2, "--form kron"},
		{[]string{"lower", file, "--form", "kron", "--json", "--param", "theta=1"}, 2, "drop --param"},
		{[]string{"lower", file, "--form", "kron", "--json", "-o", "p.npy"}, 2, "end in .json"},
		{[]string{"lower", cplx, "--form", "kron", "--json"}, 1, "rz"},
	} {
		code, _, errs := runCLI(t, "", c.args...)
		assert.Equal(t, c.code, code, "qpeft %v: %s", c.args[1:], errs)
		assert.Contains(t, errs, c.want, "qpeft %v", c.args[1:])
	}
}

// TestAnsatzBlocksJSON: qpeft ansatz blocks --json gives the factor a checkpoint stores.
func TestAnsatzBlocksJSON(t *testing.T) {
	for _, dim := range []int{8, 12, 384} {
		code, out, errs := runCLI(t, "", "ansatz", "blocks", "--dim", itoaT(dim), "--rank", "4", "--layers", "2", "--json")
		require.Equal(t, 0, code, errs)
		var ff peft.FactorFile
		require.NoError(t, json.Unmarshal([]byte(out), &ff))
		want, err := peft.Config{Layers: 2}.DescribeFactor(dim, 4)
		require.NoError(t, err)
		assert.Equal(t, want.Factor, ff.Factor)
		assert.Len(t, ff.Programs, len(want.Programs))
		for id := range want.Programs {
			require.NoError(t, ff.Programs[id].Validate())
		}
	}
	q := writeTemp(t, "u.qasm", realQASM)
	code, out, errs := runCLI(t, "", "ansatz", "blocks", "--dim", "8", "--rank", "2", "--circuit", q, "--json")
	require.Equal(t, 0, code, errs)
	var ff peft.FactorFile
	require.NoError(t, json.Unmarshal([]byte(out), &ff))
	assert.Equal(t, "user_dim8", ff.Factor.Program)
	code, _, errs = runCLI(t, "", "ansatz", "blocks", "--dim", "4", "--rank", "2", "--circuit", q, "--json")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "dimension")
}

func itoaT(i int) string { b, _ := json.Marshal(i); return string(b) }
