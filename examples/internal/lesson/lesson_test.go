package lesson

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

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
