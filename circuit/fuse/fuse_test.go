package fuse

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/internal/oracle"
)

// product is the product of the blocks' matrices embedded in the 2^n space (internal/oracle).
func product(n int, blocks []Block) []complex128 {
	d := 1 << n
	u := oracle.Identity(d)
	for _, b := range blocks {
		u = oracle.MatMul(oracle.Embed(n, b.Qubits, b.Matrix), u, d, d, d)
	}
	return u
}

// diagonalMatrix and realMatrix say what a block's flags must say, computed here.
func diagonalMatrix(m []complex128, d int) bool {
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			if r != c && m[r*d+c] != 0 {
				return false
			}
		}
	}
	return true
}

func realMatrix(m []complex128) bool {
	for _, v := range m {
		if imag(v) != 0 {
			return false
		}
	}
	return true
}

func TestFuseMatchesProduct(t *testing.T) {
	names := []string{"rx", "ry", "rz", "h", "x", "cz", "cx", "cp", "cry", "swap", "ccx", "cswap", "rzz", "u", "gphase", "s", "t", "iswap"}
	for _, maxQ := range []int{1, 2, 3, 4} {
		for seed := uint64(0); seed < 8; seed++ {
			r := rand.New(rand.NewPCG(seed, uint64(maxQ)))
			n := 2 + r.IntN(4)
			c := circuit.New(n)
			for len(c.Ops) < 12*n {
				g := gates.MustGet(names[r.IntN(len(names))])
				if g.Qubits > n {
					continue
				}
				args := make([]any, g.Params)
				for i := range args {
					args[i] = r.Float64()*6 - 3
				}
				require.NoError(t, c.Gate(g.Name, r.Perm(n)[:g.Qubits], args...))
				if r.IntN(10) == 0 {
					c.Barrier()
				}
			}
			blocks, err := Fuse(c, nil, maxQ)
			require.NoError(t, err)
			seen := map[int]bool{}
			for _, b := range blocks {
				big := 0
				for _, i := range b.Ops {
					seen[i] = true
					if len(c.Ops[i].Qubits) > 0 {
						big++
					}
				}
				if len(b.Qubits) > maxQ {
					assert.Equal(t, 1, big, "maxQ=%d: block on %v from %d gates", maxQ, b.Qubits, big)
				}
				assert.Equal(t, diagonalMatrix(b.Matrix, b.Dim()), b.Diagonal, "diagonal flag of %+v", b)
				assert.Equal(t, realMatrix(b.Matrix), b.Real, "real flag of %+v", b)
			}
			gatesN := 0
			for i := range c.Ops {
				if c.Ops[i].Kind == circuit.Barrier {
					continue
				}
				gatesN++
				assert.True(t, seen[i], "op %d not in any block", i)
			}
			want, err := oracle.Product(c, nil)
			require.NoError(t, err)
			assert.LessOrEqual(t, oracle.MaxDiff(product(n, blocks), want), 1e-12, "maxQ=%d seed=%d: fused product differs", maxQ, seed)
			if maxQ >= 2 {
				assert.Less(t, len(blocks), gatesN, "maxQ=%d: %d blocks for %d gates: nothing fused", maxQ, len(blocks), gatesN)
			}
		}
	}
}

func TestFuseShapes(t *testing.T) {
	cases := []struct {
		name string
		c    *circuit.Circuit
		maxQ int
		want string // qubits of each block
	}{
		{"1q runs", circuit.New(2).RY(0.1, 0).H(0).RY(0.2, 1).X(0), 1, "[0] [1]"},
		{"absorb into pair", circuit.New(2).RY(0.1, 0).RY(0.2, 1).CZ(0, 1).RY(0.3, 1), 2, "[0 1]"},
		{"pair limit", circuit.New(3).CZ(0, 1).CZ(1, 2), 2, "[0 1] [1 2]"},
		{"diagonals merge", circuit.New(3).CZ(0, 1).CZ(1, 2).CZ(0, 2), 3, "[0 1 2]"},
		{"same pair", circuit.New(3).CX(0, 1).RY(0.3, 2).CX(1, 0).CZ(0, 1), 2, "[0 1] [2]"},
		{"global phase folds", circuit.New(1).GPhase(0.5).H(0), 1, "[0]"},
		{"only a phase", circuit.New(1).GPhase(0.5), 1, "[]"},
	}
	for _, tc := range cases {
		blocks, err := Fuse(tc.c, nil, tc.maxQ)
		require.NoError(t, err, tc.name)
		var got []string
		for _, b := range blocks {
			got = append(got, fmt.Sprint(b.Qubits))
		}
		assert.Equal(t, tc.want, strings.Join(got, " "), tc.name)
	}
}

func TestFuseErrors(t *testing.T) {
	cases := []struct {
		c    *circuit.Circuit
		maxQ int
		want string
	}{
		{circuit.New(1).H(0), 0, "maxQubits must be 1 to 10"},
		{circuit.New(1).H(0), 11, "maxQubits must be 1 to 10"},
		{circuit.New(1).H(0).Measure(0, 0), 2, "measure (operation 1) is not a unitary gate"},
		{circuit.New(1).RY("theta", 0), 2, `"theta" has no value`},
		{circuit.New(12).Ctrl("x", []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, []int{11}), 2, "acts on 11 qubits; at most 10 are supported"},
	}
	for _, tc := range cases {
		_, err := Fuse(tc.c, nil, tc.maxQ)
		assert.ErrorContains(t, err, tc.want)
	}
}

// Runs of gates on one qubit and single-qubit gates next to a CZ fuse into one block each.
func ExampleFuse() {
	c := circuit.New(3).H(0).RY(0.5, 0).RY(0.2, 1).CZ(0, 1).RY(0.1, 2).X(2)
	blocks, err := Fuse(c, nil, 2)
	if err != nil {
		panic(err)
	}
	for _, b := range blocks {
		fmt.Printf("qubits %v: gates %v, diagonal %v, real %v\n", b.Qubits, b.Ops, b.Diagonal, b.Real)
	}
	// Output:
	// qubits [0 1]: gates [0 1 2 3], diagonal false, real true
	// qubits [2]: gates [4 5], diagonal false, real true
}

// TestFuseGatesErrors: malformed gates are errors naming the gate, not panics.
func TestFuseGatesErrors(t *testing.T) {
	id2 := []complex128{1, 0, 0, 1}
	for _, c := range []struct {
		name string
		gs   []Gate
		want string
	}{
		{"out of range", []Gate{{Qubits: []int{3}, Matrix: id2}}, "gate 0: qubit 3 out of range"},
		{"repeated", []Gate{{Qubits: []int{0}, Matrix: id2}, {Qubits: []int{1, 1}, Matrix: make([]complex128, 16)}}, "gate 1: qubit 1 appears twice"},
		{"size", []Gate{{Qubits: []int{0, 1}, Matrix: id2}}, "has 4 matrix entries, want 16"},
	} {
		_, err := FuseGates(c.gs, 2, 2)
		assert.ErrorContains(t, err, c.want, c.name)
	}
}
