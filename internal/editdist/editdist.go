// Package editdist measures how far apart two words are, for "did you mean" suggestions of
// the command line and of the OpenQASM reader.
package editdist

// MaxRunes bounds the words Distance compares; longer ones are [Far] from everything, which
// keeps the work (quadratic in the lengths) small whatever the input.
const MaxRunes = 64

// Far is the distance Distance reports for a word longer than MaxRunes.
const Far = 1 << 20

// Distance returns the Levenshtein distance between a and b counted in runes: the fewest
// insertions, deletions and substitutions of one rune that turn a into b. A word longer than
// MaxRunes runes is Far from any other.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > MaxRunes || len(rb) > MaxRunes {
		return Far
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
