package lesson

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIntShort(t *testing.T) {
	a := Int("lesson-test-a", 12, 3, "a size")
	b := Int("lesson-test-b", 40, 5, "another size")
	c := flag.Int("lesson-test-c", 7, "a flag -short leaves alone")
	defer func() { *short = false }()
	for _, tc := range []struct {
		args    []string
		short   bool
		a, b, c int
	}{
		{nil, false, 12, 40, 7},
		{[]string{"-short"}, true, 3, 5, 7},
		// What the command line says wins over -short's trimmed value, in either order.
		{[]string{"-short", "-lesson-test-a", "9"}, true, 9, 5, 7},
		{[]string{"-lesson-test-b=11", "-short", "-lesson-test-c", "2"}, true, 3, 11, 2},
		{[]string{"-lesson-test-a", "6"}, false, 6, 40, 7},
	} {
		*a, *b, *c, *short = 12, 40, 7, false
		// A fresh parse: only the flags named in args count as set.
		fs := flag.NewFlagSet("lesson", flag.ContinueOnError)
		flag.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
		saved := flag.CommandLine
		flag.CommandLine = fs
		require.NoError(t, fs.Parse(tc.args), "%q", tc.args)
		got := applyShort()
		flag.CommandLine = saved
		assert.Equal(t, tc.short, got, "%q", tc.args)
		assert.Equal(t, []int{tc.a, tc.b, tc.c}, []int{*a, *b, *c}, "%q", tc.args)
	}
}

func TestRandomAngles(t *testing.T) {
	for _, n := range []int{0, 1, 1000} {
		got := RandomAngles(rand.New(rand.NewPCG(1, 2)), n)
		assert.Len(t, got, n)
		for _, a := range got {
			assert.True(t, a >= -math.Pi && a < math.Pi, "angle %g outside [−π, π)", a)
		}
		// The same draws as written out by hand.
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range n {
			assert.Equal(t, rng.Float64()*2*math.Pi-math.Pi, got[i])
		}
	}
}

func TestMust(t *testing.T) {
	assert.Equal(t, 42, Must(42, nil))
	assert.Equal(t, "x", Must("x", nil))
}

func ExampleMust() {
	v := Must(fmt.Sprintf("%d qubits", 3), nil) // a nil error: v is returned
	fmt.Println(v)
	// Output: 3 qubits
}

func TestDim(t *testing.T) {
	for n := 1; n <= 12; n++ {
		assert.Equal(t, 1<<n, Dim(n, 1, 12))
	}
}
