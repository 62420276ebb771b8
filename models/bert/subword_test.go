package bert

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// refMerge is the direct O(n²) form of BPE merging, the oracle for bpe.merge: repeatedly
// scan every adjacent pair and join the leftmost one of lowest rank.
func refMerge(ranks map[[2]string]int, prefix string, syms []string) []string {
	syms = slices.Clone(syms)
	for len(syms) > 1 {
		best, at := -1, -1
		for i := 0; i+1 < len(syms); i++ {
			if r, ok := ranks[[2]string{syms[i], syms[i+1]}]; ok && (best < 0 || r < best) {
				best, at = r, i
			}
		}
		if at < 0 {
			break
		}
		merged := syms[at] + strings.TrimPrefix(syms[at+1], prefix)
		syms = append(syms[:at+1], syms[at+2:]...)
		syms[at] = merged
	}
	return syms
}

// TestBPEMergeMatchesDirectLoop: the heap-based merge gives exactly the symbols of the
// direct loop on random words over a small alphabet (so that merges chain, overlap and tie
// in rank order), with and without a continuing-subword prefix, for random merge tables
// (seeded).
func TestBPEMergeMatchesDirectLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, prefix := range []string{"", "##"} {
		for table := 0; table < 40; table++ {
			// Symbols: single letters (with the prefix when continuing) and merges of them.
			letters := []string{"a", "b", "c"}
			var pool []string
			for _, l := range letters {
				pool = append(pool, l, prefix+l)
			}
			ranks := map[[2]string]int{}
			for r := 0; r < 12; r++ {
				x, y := pool[rng.IntN(len(pool))], pool[rng.IntN(len(pool))]
				if prefix != "" && !strings.HasPrefix(y, prefix) {
					y = prefix + y
				}
				if _, ok := ranks[[2]string{x, y}]; ok {
					continue
				}
				ranks[[2]string{x, y}] = r
				pool = append(pool, x+strings.TrimPrefix(y, prefix))
				if prefix != "" && !strings.HasPrefix(x, prefix) {
					pool = append(pool, prefix+x+strings.TrimPrefix(y, prefix))
				}
			}
			b := &bpe{ranks: ranks, prefix: prefix}
			for w := 0; w < 30; w++ {
				n := 1 + rng.IntN(24)
				syms := make([]string, n)
				for i := range syms {
					syms[i] = letters[rng.IntN(len(letters))]
					if i > 0 {
						syms[i] = prefix + syms[i]
					}
				}
				want := refMerge(ranks, prefix, syms)
				got := b.merge(slices.Clone(syms))
				require.Equal(t, want, got, "prefix %q, word %v, ranks %v", prefix, syms, ranks)
			}
		}
	}
}

// TestBPELongWord: a 30,000-character word (a base64 blob in a dataset, say) tokenises to
// the expected ids. The direct loop took 10 s for 16,000 characters and grows as n²-n³;
// the heap-based merge takes milliseconds (not asserted: no test asserts time).
func TestBPELongWord(t *testing.T) {
	tok, err := ParseTokenizer([]byte(byteLevelBPE))
	require.NoError(t, err)
	word := strings.Repeat("hel", 10000)
	got := tok.Encode(word, 0)
	// "hel" repeated: h e l h e l … merges "h e" (rank 0) everywhere, then nothing joins
	// "he" and "l" ("he ll" needs "ll"), so every repetition gives he, l.
	require.Len(t, got, 2+2*10000)
	for i := 1; i+1 < len(got)-1; i += 2 {
		require.Equal(t, []int{8, 2}, got[i:i+2], "at %d", i)
	}
}

// refWordPiece is greedy longest-match-first WordPiece searching from the end of the word
// (the form of the reference implementation), the oracle for wordPiece.tokenize.
func refWordPiece(vocab map[string]int, unk int, prefix, word string) []int {
	var ids []int
	for start := 0; start < len(word); {
		end, found := len(word), -1
		for end > start {
			sub := word[start:end]
			if start > 0 {
				sub = prefix + sub
			}
			if id, ok := vocab[sub]; ok {
				found = id
				break
			}
			_, sz := utf8.DecodeLastRuneInString(word[start:end])
			end -= sz
		}
		if found < 0 {
			return []int{unk}
		}
		ids = append(ids, found)
		start = end
	}
	return ids
}

// TestWordPieceMatchesReference: searching from the longest vocabulary entry gives the
// reference's ids on random words (ASCII, multi-byte runes and invalid UTF-8) over random
// vocabularies (seeded), and a 16,000-character word tokenises (it had not finished after a minute when the
// search started at the end of the word).
func TestWordPieceMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	alphabet := []string{"a", "b", "é", "中", "\xff", "\xe4\xb8"} // the last two are invalid UTF-8
	for v := 0; v < 60; v++ {
		// Vocabulary entries are what encoding/json gives: valid UTF-8.
		vocab := map[string]int{"[UNK]": 0}
		for len(vocab) < 12 {
			var sb strings.Builder
			if rng.IntN(2) == 0 {
				sb.WriteString("##")
			}
			for k := 1 + rng.IntN(3); k > 0; k-- {
				sb.WriteString(alphabet[rng.IntN(4)])
			}
			if _, ok := vocab[sb.String()]; !ok {
				vocab[sb.String()] = len(vocab)
			}
		}
		js, err := json.Marshal(map[string]any{"model": map[string]any{"type": "WordPiece", "vocab": vocab, "max_input_chars_per_word": 1000}})
		require.NoError(t, err)
		tok, err := ParseTokenizer(js)
		require.NoError(t, err)
		wp := tok.model.(*wordPiece)
		for w := 0; w < 40; w++ {
			var sb strings.Builder
			for k := 1 + rng.IntN(10); k > 0; k-- {
				sb.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			word := sb.String()
			require.Equal(t, refWordPiece(vocab, 0, "##", word), wp.tokenize(word, nil), "word %q, vocab %v", word, vocab)
		}
	}
	tok, err := ParseTokenizer([]byte(`{"model": {"type": "WordPiece", "max_input_chars_per_word": 100000000, "vocab": {"[UNK]": 0, "x": 1, "##x": 2}}}`))
	require.NoError(t, err)
	got := tok.Encode(strings.Repeat("x", 16000), 0)
	require.Len(t, got, 16000)
	require.Equal(t, []int{1, 2, 2}, got[:3])
}
