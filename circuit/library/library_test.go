package library

import (
	"fmt"
	"math"
	"math/cmplx"
	"slices"
	"testing"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/sim"
	"github.com/stretchr/testify/require"
)

// TestQFTIsDFT: the QFT's unitary, simulated, equals the DFT matrix written from its
// definition, for n = 1..7.
func TestQFTIsDFT(t *testing.T) {
	for n := 1; n <= 7; n++ {
		c, err := QFT(n)
		require.NoError(t, err)
		if want := n*(n+1)/2 + n/2; len(c.Ops) != want {
			t.Errorf("n=%d: %d gates, want %d", n, len(c.Ops), want)
		}
		u, err := sim.Unitary(c, nil)
		require.NoError(t, err)
		N := 1 << n
		worst := 0.0
		for k := 0; k < N; k++ {
			for j := 0; j < N; j++ {
				want := cmplx.Rect(1/math.Sqrt(float64(N)), 2*math.Pi*float64(j*k%N)/float64(N))
				worst = max(worst, cmplx.Abs(u.Data[k*N+j]-want))
			}
		}
		if worst > 1e-12 {
			t.Errorf("n=%d: max |QFT − DFT| = %g", n, worst)
		}
	}
}

// TestRandomLayered: the structure (gate counts, one rotation per qubit then disjoint CX
// pairs per layer), determinism per seed, and different circuits for different seeds.
func TestRandomLayered(t *testing.T) {
	for _, n := range []int{1, 2, 5, 8} {
		c, err := RandomLayered(n, 6, 7)
		require.NoError(t, err)
		per := n + n/2
		if len(c.Ops) != 6*per {
			t.Fatalf("n=%d: %d gates, want %d", n, len(c.Ops), 6*per)
		}
		for l := 0; l < 6; l++ {
			layer := c.Ops[l*per : (l+1)*per]
			for q := 0; q < n; q++ {
				name := layer[q].Gate.Name
				if layer[q].Qubits[0] != q || name != "rx" && name != "ry" && name != "rz" {
					t.Fatalf("n=%d layer %d: op %d is %s on %v", n, l, q, name, layer[q].Qubits)
				}
				a, _ := circuit.Eval(layer[q].Args[0], nil)
				if a < -math.Pi || a >= math.Pi {
					t.Fatalf("angle %g out of [−π, π)", a)
				}
			}
			var used []int
			for _, op := range layer[n:] {
				if op.Gate.Name != "cx" {
					t.Fatalf("n=%d layer %d: %s where cx expected", n, l, op.Gate.Name)
				}
				used = append(used, op.Qubits...)
			}
			slices.Sort(used)
			if len(slices.Compact(used)) != 2*(n/2) {
				t.Fatalf("n=%d layer %d: CX pairs overlap: %v", n, l, used)
			}
		}
		again, _ := RandomLayered(n, 6, 7)
		other, _ := RandomLayered(n, 6, 8)
		if circuitString(c) != circuitString(again) {
			t.Errorf("n=%d: same seed, different circuits", n)
		}
		if n > 1 && circuitString(c) == circuitString(other) {
			t.Errorf("n=%d: seeds 7 and 8 gave the same circuit", n)
		}
	}
	if _, err := RandomLayered(0, 1, 1); err == nil {
		t.Error("0 qubits accepted")
	}
	if _, err := RandomLayered(2, -1, 1); err == nil {
		t.Error("negative layers accepted")
	}
	if _, err := QFT(0); err == nil {
		t.Error("QFT on 0 qubits accepted")
	}
}

func circuitString(c *circuit.Circuit) string {
	s := ""
	for _, op := range c.Ops {
		s += fmt.Sprint(op.Gate.Name, op.Qubits)
		for _, a := range op.Args {
			v, _ := circuit.Eval(a, nil)
			s += fmt.Sprintf("(%v)", v)
		}
		s += ";"
	}
	return s
}
