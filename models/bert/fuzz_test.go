package bert

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/fuzzcheck"
)

// wordPieceTemplate is a hand-made BERT-style tokenizer.json with a TemplateProcessing
// post-processor and a Sequence normalizer, a seed for FuzzTokenizer.
const wordPieceTemplate = `{
  "added_tokens": [
    {"id": 0, "content": "[UNK]", "normalized": false, "special": true},
    {"id": 1, "content": "[CLS]", "normalized": false, "special": true},
    {"id": 2, "content": "[SEP]", "normalized": false, "special": true},
    {"id": 7, "content": "<x>", "single_word": true, "lstrip": true, "rstrip": true, "normalized": true}
  ],
  "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}]},
  "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "BertPreTokenizer"}]},
  "post_processor": {"type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "[CLS]"}}, {"Sequence": {"id": "A"}}, {"SpecialToken": {"id": "[SEP]"}}],
    "special_tokens": {"[CLS]": {"ids": [1], "tokens": ["[CLS]"]}, "[SEP]": {"ids": [2], "tokens": ["[SEP]"]}}},
  "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 20,
    "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3, "##b": 4, "ab": 5, "!": 6}}
}`

// FuzzTokenizer fuzzes the tokenizer.json reader (ParseTokenizer) and the tokenizer it
// builds. Reading must never panic or allocate by what the file declares rather than what
// it holds, and every refusal names tokenizer.json. An accepted tokenizer encodes any text
// (valid UTF-8 or not) into ids of its id space that Token maps back to a token, Tokens
// agrees with Encode, and truncation to maxLen keeps a prefix of the full encoding with
// the post-processor's special tokens around it.
func FuzzTokenizer(f *testing.F) {
	dir := filepath.Join(f.TempDir(), "tiny")
	require.NoError(f, WriteTiny(dir, TinyOptions{Words: []string{"hello", "##lo", "world"}}))
	tiny, err := os.ReadFile(filepath.Join(dir, TokenizerFile))
	require.NoError(f, err)
	seq := strings.Replace(byteLevelBPE, `"normalizer": null,`,
		`"normalizer": {"type": "Sequence", "normalizers": [{"type": "Lowercase"}, {"type": "NFD"}, {"type": "StripAccents"}]},`, 1)
	for _, s := range []struct {
		json, text string
	}{
		{string(tiny), "Hello, World! [CLS] a 中 b don't"},
		{byteLevelBPE, "hello world <mask> </s>hellow"},
		{seq, "HÉLLO World\x00\xff"},
		{wordPieceTemplate, "ab abab a! <x> B x<x>y"},
		{`{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", "b"]], "unk_token": "a", "fuse_unk": true,
			"end_of_word_suffix": "</w>", "continuing_subword_prefix": "##"}}`, "abc ccb"},
		{`{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}, "added_tokens": [{"id": 5, "content": "z"}]}`, "zz z"},
		{`{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}, "added_tokens": [{"id": 1000000000000, "content": "z"}]}`, "z"},
	} {
		f.Add([]byte(s.json), s.text, 4)
	}
	f.Fuzz(func(t *testing.T, raw []byte, text string, maxLen int) {
		defer fuzzcheck.Watch(t, "FuzzTokenizer")()
		var tok *Tokenizer
		var err error
		alloc := fuzzcheck.Allocated(func() { tok, err = ParseTokenizer(raw) })
		require.LessOrEqual(t, alloc, uint64(1<<20+400*len(raw)), "ParseTokenizer allocated more than the file can justify")
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "tokenizer.json: "), "error does not name the file: %v", err)
			return
		}
		full := tok.Encode(text, 0)
		for _, id := range full {
			require.True(t, id >= 0 && id < tok.VocabSize(), "id %d outside the id space of %d", id, tok.VocabSize())
		}
		var before, after []int
		if tok.post != nil {
			before, after = tok.post.before, tok.post.after
		}
		require.Equal(t, len(before)+len(after), tok.NumSpecial())
		require.GreaterOrEqual(t, len(full), len(before)+len(after))
		require.True(t, slices.Equal(before, full[:len(before)]), "special tokens before the text: %v", full)
		require.True(t, slices.Equal(after, full[len(full)-len(after):]), "special tokens after the text: %v", full)
		body := full[len(before) : len(full)-len(after)]
		toks := tok.Tokens(text)
		require.Len(t, toks, len(body), "Tokens and Encode disagree")
		for i, id := range body {
			require.Equal(t, tok.Token(id), toks[i], "token %d", i)
		}
		// The sub-word models against their direct (quadratic) forms, on short words.
		if len(text) <= 64 {
			switch m := tok.model.(type) {
			case *wordPiece:
				if utf8.RuneCountInString(text) <= m.maxChars {
					require.Equal(t, refWordPiece(m.vocab, m.unk, m.prefix, text), m.tokenize(text, nil), "WordPiece of %q", text)
				}
			case *bpe:
				var syms []string
				for i, r := range text {
					if i > 0 {
						syms = append(syms, m.prefix+string(r))
					} else {
						syms = append(syms, string(r))
					}
				}
				require.Equal(t, refMerge(m.ranks, m.prefix, syms), m.merge(slices.Clone(syms)), "BPE merges of %q", text)
			}
		}
		maxLen = 1 + (maxLen%64+64)%64
		cut := tok.Encode(text, maxLen)
		keep := min(len(body), max(0, maxLen-tok.NumSpecial()))
		want := slices.Concat(before, body[:keep], after)
		require.True(t, slices.Equal(want, cut), "Encode(text, %d) = %v, not the truncated full encoding %v", maxLen, cut, want)
	})
}

// TestTokenizerTokenIDs: token ids are bounded (0 … 2^24) and the id space costs memory
// by the tokens the file holds, not by the largest id it declares (found by FuzzTokenizer:
// an added token with id 10^12 made ParseTokenizer allocate 16 TB and crash).
func TestTokenizerTokenIDs(t *testing.T) {
	cases := []struct {
		name, json string
		size       int
		err        string
	}{
		{"added id 10^12", `{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}, "added_tokens": [{"id": 1000000000000, "content": "z"}]}`,
			0, `added token "z" has id 1000000000000`},
		{"added id max int", `{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}, "added_tokens": [{"id": 9223372036854775807, "content": "z"}]}`,
			0, `added token "z" has id 9223372036854775807`},
		{"vocab id 2^24+1", `{"model": {"type": "WordPiece", "vocab": {"[UNK]": 16777217}}}`, 0, `token "[UNK]" has id 16777217`},
		{"sparse ids", `{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a": 16777216}}, "added_tokens": [{"id": 5, "content": "z"}]}`,
			16777217, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var tok *Tokenizer
			var err error
			alloc := fuzzcheck.Allocated(func() { tok, err = ParseTokenizer([]byte(tc.json)) })
			assert.Less(t, alloc, uint64(1<<20))
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.size, tok.VocabSize())
			assert.Equal(t, "a", tok.Token(16777216))
			assert.Equal(t, "", tok.Token(7))
			assert.Equal(t, []int{5, 16777216, 5, 0}, tok.Encode("zaz?", 0))
		})
	}
}
