package editdist

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// distanceBrute is the textbook recursion, exponential but obviously right: the oracle for
// short words.
func distanceBrute(a, b []rune) int {
	switch {
	case len(a) == 0:
		return len(b)
	case len(b) == 0:
		return len(a)
	}
	sub := distanceBrute(a[1:], b[1:])
	if a[0] != b[0] {
		sub++
	}
	return min(sub, distanceBrute(a[1:], b)+1, distanceBrute(a, b[1:])+1)
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"kitten", "sitting", 3},
		{"draw", "drwa", 2},
		{"measure", "mesure", 1},
		{"héllo", "hello", 1}, // one rune, two bytes
		{"qubit", "", 5},
		{strings.Repeat("a", MaxRunes), strings.Repeat("a", MaxRunes), 0},
		{strings.Repeat("a", MaxRunes+1), "a", Far},
		{"a", strings.Repeat("é", MaxRunes+1), Far},
	} {
		assert.Equal(t, tc.want, Distance(tc.a, tc.b), "%q %q", tc.a, tc.b)
		assert.Equal(t, tc.want, Distance(tc.b, tc.a), "%q %q", tc.b, tc.a)
	}
	words := []string{"", "a", "ab", "ba", "cx", "ccx", "rz", "rzz", "swap", "sawp", "héh", "gphase"}
	for _, a := range words {
		for _, b := range words {
			assert.Equal(t, distanceBrute([]rune(a), []rune(b)), Distance(a, b), "%q %q", a, b)
		}
	}
}

func ExampleDistance() {
	fmt.Println(Distance("measure", "mesure"), Distance("lower", "lwoer"))
	// Output: 1 2
}
