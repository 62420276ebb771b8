package draw_test

import (
	"fmt"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/draw"
)

func Example() {
	c := circuit.New(3).H(0).CX(0, 1).CX(1, 2).RY("theta", 2)
	fmt.Print(draw.String(c, draw.Options{}))
	// Output:
	// q[0]: --H--*---------------
	//            |
	// q[1]: -----X--*------------
	//               |
	// q[2]: --------X--RY(theta)-
}
