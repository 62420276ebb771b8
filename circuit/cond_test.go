package circuit

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/qpeft/qpeft/gates"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func seqBits(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestNewCond(t *testing.T) {
	two99plus5, _ := new(big.Int).SetString("633825300114114700748351602693", 10) // 2^99 + 5
	tests := []struct {
		name    string
		bits    int
		value   *big.Int
		wantErr string
		small   bool
		str     string
		set     []int // bits required to be 1
	}{
		{"narrow", 3, big.NewInt(5), "", true, "5", []int{0, 2}},
		{"64 bits, top bit set", 64, new(big.Int).Lsh(big.NewInt(1), 63), "", true, "9223372036854775808", []int{63}},
		{"100 bits", 100, two99plus5, "", false, "633825300114114700748351602693", []int{0, 2, 99}},
		{"too large", 99, two99plus5, "cannot test the value", false, "", nil},
		{"negative", 8, big.NewInt(-1), "cannot test the value", false, "", nil},
		{"no bits", 0, big.NewInt(0), "at least one", false, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCond(seqBits(tc.bits), tc.value)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.small, c.Big == nil)
			assert.Equal(t, tc.str, c.ValueString())
			assert.Equal(t, 0, c.Int().Cmp(tc.value))
			set := map[int]bool{}
			for _, b := range tc.set {
				set[b] = true
			}
			for i := 0; i < tc.bits; i++ {
				assert.Equal(t, set[i], c.Bit(i) == 1, "bit %d", i)
			}
			require.NoError(t, c.check())
		})
	}
}

// TestWideCondAppend: a condition on more than 64 bits is a valid operation; a malformed one
// (value too wide, big value on few bits, no big value on many) is refused by Append.
func TestWideCondAppend(t *testing.T) {
	wide, err := NewCond(seqBits(100), new(big.Int).Lsh(big.NewInt(1), 99))
	require.NoError(t, err)
	tests := []struct {
		name    string
		cond    *Cond
		wantErr string
	}{
		{"wide", wide, ""},
		{"wide without Big", &Cond{Clbits: seqBits(100), Value: 1}, "needs its value in Big"},
		{"narrow with Big", &Cond{Clbits: seqBits(3), Big: big.NewInt(1)}, "has a big value"},
		{"value too wide", &Cond{Clbits: seqBits(3), Value: 8}, "cannot test the value 8"},
		{"big too wide", &Cond{Clbits: seqBits(65), Big: new(big.Int).Lsh(big.NewInt(1), 65)}, "cannot test the value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(1)
			c.AddClbits("c", 100)
			err := c.Append(Op{Kind: GateOp, Gate: gates.MustGet("x"), Qubits: []int{0}, Cond: tc.cond})
			if tc.wantErr == "" {
				require.NoError(t, err)
				d := c.Clone()
				assert.Equal(t, 0, d.Ops[0].Cond.Int().Cmp(tc.cond.Int()))
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func ExampleNewCond() {
	// if (c == 2^70 + 1) on a 71-bit register: wider than a uint64.
	v := new(big.Int).Lsh(big.NewInt(1), 70)
	v.Add(v, big.NewInt(1))
	c, err := NewCond(seqBits(71), v)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.ValueString(), c.Bit(0), c.Bit(1), c.Bit(70), c.Big != nil)
	// Output: 1180591620717411303425 1 0 1 true
}
