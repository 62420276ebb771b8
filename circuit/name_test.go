package circuit

import (
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/gates"
)

// TestOpNameIsTheUsersName checks the names messages give controlled gates: the standard
// gate the user writes when there is one, the OpenQASM 3 modifier form otherwise.
func TestOpNameIsTheUsersName(t *testing.T) {
	cases := []struct {
		gate string
		ctrl int
		want string
	}{
		{"x", 0, "x"},
		{"x", 1, "cx"},
		{"x", 2, "ccx"},
		{"ry", 1, "cry"},
		{"swap", 1, "cswap"},
		{"sx", 2, "ctrl(2) @ sx"},
		{"U", 1, "ctrl @ U"},
		{"h", 2, "ctrl(2) @ h"},
		{"u3", 1, "ctrl @ u3"}, // qelib1's cu3 differs from ctrl @ u3 by a phase on the target

	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			op := Op{Kind: GateOp, Gate: gates.MustGet(c.gate), Ctrl: int32(c.ctrl)}
			assert.Equal(t, c.want, op.Name())
		})
	}
	assert.Equal(t, "measure", (&Op{Kind: Measure}).Name())
}

// TestOpNameClaimsOnlyTrueEquivalences checks, for every gate and up to two controls, that a
// controlled gate named after a standard gate has that gate's matrix (at random angles):
// the name in a message never points at a different gate.
func TestOpNameClaimsOnlyTrueEquivalences(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	named := 0
	for _, g := range gates.All() {
		for ctrl := 1; ctrl <= 2; ctrl++ {
			op := Op{Kind: GateOp, Gate: g, Ctrl: int32(ctrl)}
			name := op.Name()
			if strings.Contains(name, "@") {
				continue
			}
			named++
			std, ok := gates.Get(name)
			require.True(t, ok, "%s", name)
			p := make([]float64, g.Params)
			for i := range p {
				p[i] = r.Float64()*6 - 3
			}
			want := gates.Controlled(g.Matrix(p...), g.Qubits, ctrl)
			got := std.Matrix(p...)
			require.Len(t, got, len(want), "%s", name)
			for i := range want {
				assert.Less(t, cmplx.Abs(got[i]-want[i]), 1e-12, "ctrl(%d) @ %s is named %s, but entry %d differs", ctrl, g.Name, name, i)
			}
		}
	}
	assert.GreaterOrEqual(t, named, 5, "too few standard controlled names were checked")
}
