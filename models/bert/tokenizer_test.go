package bert

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tiny vocabulary (TinyVocab): 0 [PAD] 1 [UNK] 2 [CLS] 3 [SEP] 4 [MASK], 5–30 a–z,
// 31–40 0–9, 41–72 the ASCII punctuation in order !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~,
// 73–98 ##a–##z, 99–108 ##0–##9, then the extra words.
func TestWordPieceHandDerived(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m")
	require.NoError(t, WriteTiny(dir, TinyOptions{Words: []string{"hello", "##lo", "world"}}))
	tok, err := LoadTokenizer(filepath.Join(dir, TokenizerFile))
	require.NoError(t, err)
	// hello 109, ##lo 110, world 111.
	cases := []struct {
		text   string
		maxLen int
		want   []int
	}{
		{"Hello, World!", 0, []int{2, 109, 52, 111, 41, 3}}, // lowercased, punctuation split
		{"Héllo", 0, []int{2, 109, 3}},                      // accent stripped (NFD, Mn removed)
		{"helloo", 0, []int{2, 109, 87, 3}},                 // longest match first, then ##o
		{"hellx", 0, []int{2, 12, 77, 84, 84, 96, 3}},       // h ##e ##l ##l ##x
		{"[CLS] x [SEP]", 0, []int{2, 2, 28, 3, 3}},         // special tokens in the raw text
		{"a 中 b", 0, []int{2, 5, 1, 6, 3}},                  // CJK isolated, unknown
		{"a b c d e", 4, []int{2, 5, 6, 3}},                 // truncated before [SEP]
		{"a\x00b\u200b", 0, []int{2, 5, 74, 3}},             // control and format characters removed
		{"don't", 0, []int{2, 8, 87, 86, 47, 24, 3}},        // d ##o ##n ' t
		{strings.Repeat("a", 101), 0, []int{2, 1, 3}},       // longer than max_input_chars_per_word
		{"q\tw\ne", 0, []int{2, 21, 27, 9, 3}},              // tabs and newlines are spaces
		{"", 0, []int{2, 3}},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, tok.Encode(c.text, c.maxLen), "Encode(%q, %d)", c.text, c.maxLen)
	}
	assert.Equal(t, []string{"hello", "##o", "x"}, tok.Tokens("Helloo x"), "Tokens")
	assert.Equal(t, 112, tok.VocabSize(), "vocab")
	assert.Equal(t, 2, tok.NumSpecial(), "specials")
}

// byteLevelBPE is a hand-made RoBERTa-style tokenizer.json: byte-level pre-tokenizer, BPE
// with nine merges, <s> … </s>.
const byteLevelBPE = `{
  "version": "1.0",
  "added_tokens": [
    {"id": 17, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": true, "special": true},
    {"id": 18, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": true, "special": true},
    {"id": 19, "content": "<mask>", "single_word": false, "lstrip": true, "rstrip": false, "normalized": false, "special": true}
  ],
  "normalizer": null,
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
  "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 18], "cls": ["<s>", 17], "trim_offsets": true, "add_prefix_space": false},
  "model": {
    "type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": "", "end_of_word_suffix": "", "fuse_unk": false,
    "vocab": {"h": 0, "e": 1, "l": 2, "o": 3, "Ġ": 4, "w": 5, "r": 6, "d": 7, "he": 8, "ll": 9, "hell": 10, "hello": 11,
              "Ġw": 12, "or": 13, "Ġwor": 14, "Ġworl": 15, "Ġworld": 16},
    "merges": ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "Ġwor l", "Ġworl d"]
  }
}`

func TestByteLevelBPEHandDerived(t *testing.T) {
	tok, err := ParseTokenizer([]byte(byteLevelBPE))
	require.NoError(t, err)
	cases := []struct {
		text string
		want []int
	}{
		{"hello world", []int{17, 11, 16, 18}},
		{"hellow", []int{17, 11, 5, 18}},        // h e l l o w → hello w
		{"lll", []int{17, 9, 2, 18}},            // equal ranks: the leftmost pair merges first
		{"low", []int{17, 2, 3, 5, 18}},         // no merge applies
		{"hello <mask>", []int{17, 11, 19, 18}}, // lstrip eats the space before <mask>
		{"helloÿ", []int{17, 11, 18}},           // bytes C3 BF are not in the vocabulary: dropped (no unk)
		{"</s>hello", []int{17, 18, 11, 18}},    // added tokens split first
	}
	for _, c := range cases {
		assert.Equal(t, c.want, tok.Encode(c.text, 0), "Encode(%q)", c.text)
	}
}

// TestBPEMergeFormats: merges written as ["a", "b"] pairs (tokenizers ≥ 0.20) read like
// "a b" strings.
func TestBPEMergeFormats(t *testing.T) {
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(byteLevelBPE), &m))
	model := m["model"].(map[string]any)
	var pairs []any
	for _, s := range model["merges"].([]any) {
		a, b, _ := strings.Cut(s.(string), " ")
		pairs = append(pairs, []any{a, b})
	}
	model["merges"] = pairs
	raw, _ := json.Marshal(m)
	a, err := ParseTokenizer([]byte(byteLevelBPE))
	require.NoError(t, err)
	b, err := ParseTokenizer(raw)
	require.NoError(t, err)
	for _, s := range []string{"hello world", "hellow", "lll", "or world"} {
		assert.Equal(t, a.Encode(s, 0), b.Encode(s, 0), "%q: string merges vs pair merges", s)
	}
}

func TestGPT2Split(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Hello world", []string{"Hello", " world"}},
		{"it's  fine\n", []string{"it", "'s", " ", " fine", "\n"}},
		{"x  123!!", []string{"x", " ", " 123", "!!"}},
		{"   ", []string{"   "}},
		{"a\n\nb", []string{"a", "\n", "\n", "b"}},
		{"we'll 'quote'", []string{"we", "'ll", " '", "quote", "'"}},
		{"naïve café", []string{"naïve", " café"}},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, gpt2Split(c.in), "gpt2Split(%q)", c.in)
	}
}

func TestTokenizerErrors(t *testing.T) {
	base := func(edit func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(byteLevelBPE), &m))
		edit(m)
		b, _ := json.Marshal(m)
		return b
	}
	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"not json", []byte("{"), "tokenizer.json"},
		{"unknown model", base(func(m map[string]any) { m["model"] = map[string]any{"type": "Unigram"} }), `type "Unigram" is not supported`},
		{"unknown normalizer", base(func(m map[string]any) { m["normalizer"] = map[string]any{"type": "Precompiled"} }), `normalizer: type "Precompiled"`},
		{"unknown pre-tokenizer", base(func(m map[string]any) { m["pre_tokenizer"] = map[string]any{"type": "Metaspace"} }), `pre_tokenizer: type "Metaspace"`},
		{"bad merge", base(func(m map[string]any) { m["model"].(map[string]any)["merges"] = []any{"abc"} }), `merge 0 "abc"`},
		{"bpe dropout", base(func(m map[string]any) { m["model"].(map[string]any)["dropout"] = 0.1 }), "dropout"},
		{"special id mismatch", base(func(m map[string]any) {
			m["post_processor"].(map[string]any)["cls"] = []any{"<s>", 3}
		}), `special token "<s>" has id 3`},
		{"duplicate ids", base(func(m map[string]any) { m["model"].(map[string]any)["vocab"].(map[string]any)["x"] = 0 }), "share id 0"},
		{"missing model", base(func(m map[string]any) { delete(m, "model") }), "model: missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseTokenizer(c.raw)
			require.ErrorContains(t, err, c.want)
		})
	}
}

// TestSequenceComponents: a "Sequence" normalizer (Lowercase, NFD, StripAccents) and a
// "Sequence" pre-tokenizer holding the byte-level one tokenize "HÉLLO World" exactly as the
// plain byte-level tokenizer tokenizes "hello world"; an unsupported member is an error
// naming its type.
func TestSequenceComponents(t *testing.T) {
	plain, err := ParseTokenizer([]byte(byteLevelBPE))
	require.NoError(t, err)
	seq := strings.Replace(byteLevelBPE, `"normalizer": null,`,
		`"normalizer": {"type": "Sequence", "normalizers": [{"type": "Lowercase"}, {"type": "NFD"}, {"type": "StripAccents"}]},`, 1)
	seq = strings.Replace(seq, `"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},`,
		`"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}]},`, 1)
	require.NotEqual(t, byteLevelBPE, seq, "the fixture was not rewritten")
	tok, err := ParseTokenizer([]byte(seq))
	require.NoError(t, err)
	want := plain.Encode("hello world", 0)
	assert.Equal(t, want, tok.Encode("HÉLLO World", 0), "Encode")
	assert.NotEqual(t, want, plain.Encode("HÉLLO World", 0), "the plain tokenizer already normalises: the test shows nothing")
	bad := strings.Replace(seq, `{"type": "NFD"}`, `{"type": "Precompiled"}`, 1)
	_, err = ParseTokenizer([]byte(bad))
	assert.ErrorContains(t, err, "Precompiled", "unsupported member")
}
