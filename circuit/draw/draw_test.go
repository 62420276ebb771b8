package draw

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/qpeft/qpeft/circuit"
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
		got := String(c.c, c.o)
		if got != strings.TrimPrefix(c.want, "\n") {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, got, strings.TrimPrefix(c.want, "\n"))
		}
	}
}

func TestFold(t *testing.T) {
	c := circuit.New(2)
	for i := 0; i < 40; i++ {
		c.RX(float64(i)/7, i%2).CX(0, 1)
	}
	got := String(c, Options{Width: 60})
	pages := strings.Split(strings.TrimSuffix(got, "\n"), "\n\n")
	if len(pages) < 3 {
		t.Fatalf("expected several pages:\n%s", got)
	}
	for _, line := range strings.Split(got, "\n") {
		if n := utf8.RuneCountInString(line); n > 60 {
			t.Errorf("line of %d characters: %q", n, line)
		}
	}
	if !strings.HasSuffix(strings.Split(pages[0], "\n")[0], ">>") || !strings.Contains(pages[1], "q[0]: <<") {
		t.Errorf("continuation marks missing:\n%s", got)
	}
	// Folding keeps every column: the unfolded drawing has the same labels.
	if strings.Count(got, "RX(") != 40 || strings.Count(String(c, Options{}), "RX(") != 40 {
		t.Errorf("labels lost in folding")
	}
}

func TestEmptyAndSymbols(t *testing.T) {
	if got := String(circuit.New(0), Options{}); got != "(no qubits)\n" {
		t.Errorf("empty: %q", got)
	}
	c := circuit.New(1).RZ(circuit.Add(circuit.Mul(circuit.Num(2), circuit.Param("a")), circuit.Num(math.Pi)), 0).
		RY(circuit.Neg{X: circuit.Sub(circuit.Param("b"), circuit.Param("c"))}, 0).U(1e-7, 2*math.Pi/3, 12345.678, 0)
	want := "q[0]: --RZ(2*a+pi)--RY(-(b-c))--U(1e-07,2*pi/3,1.23e+04)-\n"
	if got := String(c, Options{}); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
