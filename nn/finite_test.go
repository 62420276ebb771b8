package nn

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckFinite(t *testing.T) {
	p := func(name string, trainable bool, vals ...float64) *Param {
		return &Param{Name: name, Shape: []int{len(vals)}, Value: vals, Grad: slices.Clone(vals), Trainable: trainable}
	}
	for _, tc := range []struct {
		name string
		ps   []*Param
		want string // error words; "" for none
	}{
		{"finite", []*Param{p("a", true, 1, 2), p("b", true, -3)}, ""},
		{"NaN", []*Param{p("a", true, 1, 2), p("b", true, 0, math.NaN())}, "b (group g, element 1) is NaN"},
		{"+Inf", []*Param{p("a", true, math.Inf(1))}, "a (group g, element 0) is +Inf"},
		{"frozen ignored", []*Param{p("frozen", false, math.NaN()), p("a", true, 1)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range []func(string, []*Param) error{CheckGrads, CheckValues} {
				err := f("g", tc.ps)
				if tc.want == "" {
					assert.NoError(t, err)
					continue
				}
				var nf *NonFiniteError
				require.ErrorAs(t, err, &nf)
				assert.True(t, math.IsNaN(nf.Value) || math.IsInf(nf.Value, 0))
				// Values print "became NaN", gradients "is NaN".
				want := tc.want
				if nf.What == "value" {
					want = strings.Replace(want, " is ", " became ", 1)
				}
				assert.Contains(t, err.Error(), want)
			}
		})
	}
	assert.NoError(t, CheckLoss(0.3))
	err := CheckLoss(math.NaN())
	var nf *NonFiniteError
	require.True(t, errors.As(err, &nf))
	nf.Step = 7
	assert.Contains(t, err.Error(), "step 7: the loss is NaN; training diverged")
}

// TestTrainStepCheckedStopsBeforeTheStep: a NaN input makes the loss NaN; the step is refused
// and the parameters are left as they were.
func TestTrainStepCheckedStopsBeforeTheStep(t *testing.T) {
	l := NewLinear[float64]("fc", 3, 2, true, rand.New(rand.NewPCG(1, 2)))
	opt := NewAdamW(l.Params(), 0.1, 0)
	before := slices.Clone(l.W.Value)
	x := New[float64](2, 3)
	copy(x.Data, []float64{1, 2, 3, 4, math.NaN(), 6})
	_, _, _, err := TrainStepChecked[float64](l, opt, x, []int{0, 1}, 1, "head")
	var nf *NonFiniteError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "loss", nf.What)
	assert.Equal(t, before, l.W.Value, "the parameters are unchanged")

	x.Data[4] = 5
	loss, _, _, err := TrainStepChecked[float64](l, opt, x, []int{0, 1}, 1, "head")
	require.NoError(t, err)
	assert.False(t, math.IsNaN(loss))
	assert.NotEqual(t, before, l.W.Value, "a finite step updates the parameters")
}
