package ortho

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qpeft/qpeft/lowering"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDescribeRoundTrip: the factor tree and its programs, through JSON, evaluate to the
// factor's columns (power-of-two and cosine–sine dimensions, both CS modes).
func TestDescribeRoundTrip(t *testing.T) {
	cases := []struct {
		n, k, layers int
		mode         CSMode
	}{
		{1, 1, 1, CSWalsh}, {2, 2, 0, CSWalsh}, {8, 3, 2, CSWalsh}, {3, 2, 1, CSWalsh}, {5, 5, 1, CSFull},
		{12, 9, 1, CSWalsh}, {96, 8, 2, CSWalsh}, {100, 60, 1, CSFull}, {384, 16, 1, CSWalsh}, {784, 4, 1, CSWalsh},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("N=%d K=%d L=%d %s", tc.n, tc.k, tc.layers, tc.mode), func(t *testing.T) {
			s, err := New(tc.n, tc.k, Spec{Layers: tc.layers, CS: tc.mode})
			require.NoError(t, err)
			progs := map[string]*lowering.ProgramDoc{}
			doc, err := Describe(s, func(dim int) string { return fmt.Sprintf("p%d", dim) }, progs)
			require.NoError(t, err)
			js, err := json.Marshal(struct {
				F *FactorDoc
				P map[string]*lowering.ProgramDoc
			}{doc, progs})
			require.NoError(t, err)
			var back struct {
				F *FactorDoc
				P map[string]*lowering.ProgramDoc
			}
			require.NoError(t, json.Unmarshal(js, &back))
			for _, p := range back.P {
				require.NoError(t, p.Validate())
			}
			assert.Equal(t, s.NumParams(), back.F.Params)
			r := rand.New(rand.NewPCG(uint64(tc.n), 7))
			theta := make([]float64, s.NumParams())
			for i := range theta {
				theta[i] = r.Float64()*6 - 3
			}
			want := make([]float64, tc.n*tc.k)
			require.NoError(t, s.Columns(theta, want))
			got, err := back.F.Columns(theta, tc.k, back.P)
			require.NoError(t, err)
			var d float64
			for i := range got {
				d = math.Max(d, math.Abs(got[i]-want[i]))
			}
			assert.Less(t, d, 1e-12)
		})
	}
}

func TestDescribeTaylorRefused(t *testing.T) {
	s, err := New(8, 2, Spec{Kind: KindTaylor})
	require.NoError(t, err)
	_, err = Describe(s, func(int) string { return "x" }, map[string]*lowering.ProgramDoc{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no program description")
}
