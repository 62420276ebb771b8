package draw

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/qpeft/qpeft/circuit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDrawings(t *testing.T) {
	bell := circuit.New(2).H(0).CX(0, 1).MeasureAll()
	ctl := circuit.New(3)
	ctl.Ctrl("ry", []int{0, 2}, []int{1}, circuit.Param("θ"))
	ctl.Swap(0, 2).CSwap(1, 0, 2).Reset(1).Barrier().MS(0, math.Pi/2, 0.25, 2, 0).GPhase(math.Pi / 4)
	cond := circuit.New(2)
	cond.AddClbits("c", 2)
	cond.Measure(0, 0).X(1).If([]int{0}, 1).Z(1).If([]int{0, 1}, 2).Ctrl("gphase", []int{0, 1}, nil, -math.Pi/2)
	cases := []struct {
		name string
		c    *circuit.Circuit
		o    Options
		want string
	}{
		{"bell", bell, Options{}, `
q[0]: --H--*--M->c[0]-
           |
q[1]: -----X--M->c[1]-
`},
		{"bell-unicode", bell, Options{Unicode: true}, `
q[0]: ──H──●──M→c[0]─
           │
q[1]: ─────⊕──M→c[1]─
`},
		{"controls", ctl, Options{Unicode: true}, `
global phase: π/4
q[0]: ────●────╳──╳───────░──MS(0,π/2,0.25):1─
          │    │  │       ░         │
q[1]: ──RY(θ)──┼──●──|0⟩──░─────────┼─────────
          │    │  │       ░         │
q[2]: ────●────╳──╳───────░──MS(0,π/2,0.25):0─
`},
		{"conditions", cond, Options{}, `
q[0]: --M->c[0]------------------------*-----
                                       |
q[1]: -----------X[c[0]=1]--Z[c=2]--P(-pi/2)-
`},
	}
	for _, c := range cases {
		assert.Equal(t, strings.TrimPrefix(c.want, "\n"), String(c.c, c.o), c.name)
	}
}

func TestFold(t *testing.T) {
	c := circuit.New(2)
	for i := 0; i < 40; i++ {
		c.RX(float64(i)/7, i%2).CX(0, 1)
	}
	got := String(c, Options{Width: 60})
	pages := strings.Split(strings.TrimSuffix(got, "\n"), "\n\n")
	require.GreaterOrEqual(t, len(pages), 3, "expected several pages:\n%s", got)
	for _, line := range strings.Split(got, "\n") {
		assert.LessOrEqual(t, utf8.RuneCountInString(line), 60, "line %q", line)
	}
	assert.True(t, strings.HasSuffix(strings.Split(pages[0], "\n")[0], ">>"), "continuation mark missing:\n%s", got)
	assert.Contains(t, pages[1], "q[0]: <<", "continuation mark missing")
	// Folding keeps every column: the unfolded drawing has the same labels.
	assert.Equal(t, 40, strings.Count(got, "RX("), "labels lost in folding")
	assert.Equal(t, 40, strings.Count(String(c, Options{}), "RX("), "labels lost")
}

func TestEmptyAndSymbols(t *testing.T) {
	assert.Equal(t, "(no qubits)\n", String(circuit.New(0), Options{}), "empty")
	c := circuit.New(1).RZ(circuit.Add(circuit.Mul(circuit.Num(2), circuit.Param("a")), circuit.Num(math.Pi)), 0).
		RY(circuit.Neg{X: circuit.Sub(circuit.Param("b"), circuit.Param("c"))}, 0).U(1e-7, 2*math.Pi/3, 12345.678, 0)
	want := "q[0]: --RZ(2*a+pi)--RY(-(b-c))--U(1e-07,2*pi/3,1.23e+04)-\n"
	assert.Equal(t, want, String(c, Options{}))
}
