package fuse

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// full is the 2^n × 2^n matrix of m on qubits, by the index formula (the oracle).
func full(n int, qubits []int, m []complex128) []complex128 {
	d := 1 << n
	out := make([]complex128, d*d)
	if len(qubits) == 0 {
		for i := 0; i < d; i++ {
			out[i*d+i] = m[0]
		}
		return out
	}
	mask := 0
	for _, q := range qubits {
		mask |= 1 << q
	}
	k := len(qubits)
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			if r&^mask != c&^mask {
				continue
			}
			lr, lc := 0, 0
			for j, q := range qubits {
				lr |= (r >> q & 1) << j
				lc |= (c >> q & 1) << j
			}
			out[r*d+c] = m[lr<<k+lc]
		}
	}
	return out
}

func product(t *testing.T, n int, mats [][]complex128, qubits [][]int) []complex128 {
	d := 1 << n
	u := identityMat(d)
	for i, m := range mats {
		e := full(n, qubits[i], m)
		next := make([]complex128, d*d)
		for a := 0; a < d; a++ {
			for b := 0; b < d; b++ {
				var s complex128
				for c := 0; c < d; c++ {
					s += e[a*d+c] * u[c*d+b]
				}
				next[a*d+b] = s
			}
		}
		u = next
	}
	return u
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
				if err := c.Gate(g.Name, r.Perm(n)[:g.Qubits], args...); err != nil {
					t.Fatal(err)
				}
				if r.IntN(10) == 0 {
					c.Barrier()
				}
			}
			blocks, err := Fuse(c, nil, maxQ)
			if err != nil {
				t.Fatal(err)
			}
			var mats [][]complex128
			var qs [][]int
			seen := map[int]bool{}
			for _, b := range blocks {
				mats = append(mats, b.Matrix)
				qs = append(qs, b.Qubits)
				big := 0
				for _, i := range b.Ops {
					seen[i] = true
					if len(c.Ops[i].Qubits) > 0 {
						big++
					}
				}
				if len(b.Qubits) > maxQ && big != 1 {
					t.Errorf("maxQ=%d: block on %v from %d gates", maxQ, b.Qubits, big)
				}
				if b.Diagonal != isDiagMat(b.Matrix, b.Dim()) || b.Real != isRealMat(b.Matrix) {
					t.Errorf("flags of %+v", b)
				}
			}
			var ops [][]complex128
			var oqs [][]int
			gatesN := 0
			for i := range c.Ops {
				op := &c.Ops[i]
				if op.Kind == circuit.Barrier {
					continue
				}
				gatesN++
				if !seen[i] {
					t.Errorf("op %d not in any block", i)
				}
				m, err := op.Matrix(nil)
				if err != nil {
					t.Fatal(err)
				}
				ops = append(ops, m)
				oqs = append(oqs, op.Qubits)
			}
			got, want := product(t, n, mats, qs), product(t, n, ops, oqs)
			worst := 0.0
			for i := range got {
				worst = math.Max(worst, cmplx.Abs(got[i]-want[i]))
			}
			if worst > 1e-12 {
				t.Errorf("maxQ=%d seed=%d: fused product differs by %.3g", maxQ, seed, worst)
			}
			if maxQ >= 2 && len(blocks) >= gatesN {
				t.Errorf("maxQ=%d: %d blocks for %d gates: nothing fused", maxQ, len(blocks), gatesN)
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
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range blocks {
			got = append(got, fmt.Sprint(b.Qubits))
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("%s: blocks %s, want %s", tc.name, s, tc.want)
		}
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
	}
	for _, tc := range cases {
		if _, err := Fuse(tc.c, nil, tc.maxQ); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
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
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}
