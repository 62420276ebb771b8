package bert

import (
	"bytes"
	"container/heap"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tokenizer turns text into token ids the way Hugging Face tokenizers does for a model's
// tokenizer.json: added (special) tokens are split off first, the rest is normalised,
// pre-tokenised into words, cut into sub-word tokens by the model (WordPiece or BPE) and
// wrapped by the post-processor ([CLS] … [SEP] or <s> … </s>).
//
// Supported components: normalizers BertNormalizer, Lowercase, NFC, NFD, NFKC, NFKD,
// StripAccents and Sequence; pre-tokenizers BertPreTokenizer, ByteLevel, WhitespaceSplit and
// Sequence; models WordPiece and BPE (byte-level, with merges); post-processors
// TemplateProcessing, BertProcessing, RobertaProcessing and ByteLevel. Anything else is an
// error naming the component, never a silent approximation. A Tokenizer is safe for
// concurrent use.
type Tokenizer struct {
	added      []addedToken // as declared
	rawAdded   []addedToken // matched on the raw text (normalized false, or no normalizer)
	normAdded  []addedToken // matched on normalised text, with normalised content
	normalizer normalizer
	pre        preTokenizer
	model      subwordModel
	post       *postProcessor
	vocab      map[string]int
	inv        map[int]string // id → token; ids may have gaps
	size       int            // the id space: 1 + the largest id
}

// addedToken is one entry of tokenizer.json's "added_tokens" (read by ParseTokenizer, written
// by the tiny model's tokenizer).
type addedToken struct {
	ID         int    `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalize  bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

// LoadTokenizer reads a tokenizer.json.
func LoadTokenizer(path string) (*Tokenizer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bert: tokenizer: %w", err)
	}
	t, err := ParseTokenizer(raw)
	if err != nil {
		return nil, fmt.Errorf("bert: %s: %w", path, err)
	}
	return t, nil
}

// ParseTokenizer parses the contents of a tokenizer.json.
func ParseTokenizer(raw []byte) (*Tokenizer, error) {
	var f struct {
		AddedTokens   []addedToken    `json:"added_tokens"`
		Normalizer    json.RawMessage `json:"normalizer"`
		PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
		Model         json.RawMessage `json:"model"`
		PostProcessor json.RawMessage `json:"post_processor"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	t := &Tokenizer{added: f.AddedTokens}
	var err error
	if t.normalizer, err = parseNormalizer(f.Normalizer); err != nil {
		return nil, fmt.Errorf("tokenizer.json: normalizer: %w", err)
	}
	if t.pre, err = parsePreTokenizer(f.PreTokenizer); err != nil {
		return nil, fmt.Errorf("tokenizer.json: pre_tokenizer: %w", err)
	}
	if t.model, t.vocab, err = parseModel(f.Model); err != nil {
		return nil, fmt.Errorf("tokenizer.json: model: %w", err)
	}
	// The id space is the model's vocabulary plus the added tokens. It is kept as a map, so
	// that memory follows the tokens the file holds, not the largest id it declares.
	t.inv = make(map[int]string, len(t.vocab)+len(t.added))
	for tok, id := range t.vocab {
		t.inv[id] = tok
		t.size = max(t.size, id+1)
	}
	for _, a := range t.added {
		if a.ID < 0 || a.ID > maxTokenID || a.Content == "" {
			return nil, fmt.Errorf("tokenizer.json: added token %q has id %d (want a non-empty token with an id from 0 to %d)", a.Content, a.ID, maxTokenID)
		}
		t.inv[a.ID] = a.Content
		t.size = max(t.size, a.ID+1)
	}
	if t.post, err = parsePost(f.PostProcessor, t); err != nil {
		return nil, fmt.Errorf("tokenizer.json: post_processor: %w", err)
	}
	for _, a := range t.added {
		if a.Normalize && t.normalizer != nil {
			a.Content = t.normalizer.normalize(a.Content)
			if a.Content == "" {
				continue
			}
			t.normAdded = append(t.normAdded, a)
		} else {
			t.rawAdded = append(t.rawAdded, a)
		}
	}
	// Longest added tokens first, so that at one position the longest wins.
	for _, l := range [][]addedToken{t.rawAdded, t.normAdded} {
		sort.SliceStable(l, func(i, j int) bool { return len(l[i].Content) > len(l[j].Content) })
	}
	return t, nil
}

// VocabSize returns the size of the id space (model vocabulary and added tokens).
func (t *Tokenizer) VocabSize() int { return t.size }

// ID returns the id of a token (added tokens included).
func (t *Tokenizer) ID(token string) (int, bool) {
	for _, a := range t.added {
		if a.Content == token {
			return a.ID, true
		}
	}
	id, ok := t.vocab[token]
	return id, ok
}

// Token returns the token of an id, or "" if the id is unknown.
func (t *Tokenizer) Token(id int) string {
	return t.inv[id]
}

// NumSpecial returns the number of tokens the post-processor adds to one sequence.
func (t *Tokenizer) NumSpecial() int {
	if t.post == nil {
		return 0
	}
	return len(t.post.before) + len(t.post.after)
}

// Encode returns the ids of text with the post-processor's special tokens, truncated (from
// the right, before the special tokens are added, as transformers' truncation=True) to at
// most maxLen ids; maxLen ≤ 0 means no limit. Only as much of the text as the limit needs
// is tokenised.
func (t *Tokenizer) Encode(text string, maxLen int) []int {
	limit := -1
	if maxLen > 0 {
		limit = max(0, maxLen-t.NumSpecial())
	}
	ids := t.encode(text, limit)
	if t.post == nil {
		return ids
	}
	out := make([]int, 0, len(ids)+t.NumSpecial())
	out = append(out, t.post.before...)
	out = append(out, ids...)
	return append(out, t.post.after...)
}

// Tokens returns the tokens of text without special tokens or truncation.
func (t *Tokenizer) Tokens(text string) []string {
	ids := t.encode(text, -1)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = t.inv[id]
	}
	return out
}

// encode tokenises text into at most limit ids (limit < 0: all).
func (t *Tokenizer) encode(text string, limit int) []int {
	var ids []int
	full := func() bool { return limit >= 0 && len(ids) >= limit }
	for _, raw := range splitAdded(text, t.rawAdded) {
		if full() {
			break
		}
		if raw.added != nil {
			ids = append(ids, raw.added.ID)
			continue
		}
		s := raw.text
		if t.normalizer != nil {
			s = t.normalizer.normalize(s)
		}
		for _, p := range splitAdded(s, t.normAdded) {
			if full() {
				break
			}
			if p.added != nil {
				ids = append(ids, p.added.ID)
				continue
			}
			words := []string{p.text}
			if t.pre != nil {
				words = t.pre.split(p.text)
			}
			for _, w := range words {
				if full() {
					break
				}
				if w == "" {
					continue
				}
				ids = t.model.tokenize(w, ids)
			}
		}
	}
	if limit >= 0 && len(ids) > limit {
		ids = ids[:limit]
	}
	return ids
}

type piece struct {
	text  string
	added *addedToken
}

// splitAdded splits text around the added tokens (sorted longest first), leftmost match
// first and longest at a position, honouring lstrip, rstrip and single_word, as tokenizers'
// AddedVocabulary does (tokens with normalized false are matched on the raw text, the others
// on the normalised text).
func splitAdded(text string, added []addedToken) []piece {
	if len(added) == 0 {
		return []piece{{text: text}}
	}
	var out []piece
	start := 0 // start of the pending plain text
	pos := 0
	for pos < len(text) {
		best, bestAt := -1, -1
		for i := range added {
			a := &added[i]
			for from := pos; from < len(text); {
				k := strings.Index(text[from:], a.Content)
				if k < 0 {
					break
				}
				at := from + k
				if bestAt >= 0 && at >= bestAt {
					break
				}
				if a.SingleWord && !singleWordOK(text, at, at+len(a.Content)) {
					from = at + 1
					continue
				}
				best, bestAt = i, at
				break
			}
		}
		if best < 0 {
			break
		}
		a := &added[best]
		ms, me := bestAt, bestAt+len(a.Content)
		if a.LStrip {
			for ms > start {
				r, sz := utf8.DecodeLastRuneInString(text[:ms])
				if !unicode.IsSpace(r) {
					break
				}
				ms -= sz
			}
		}
		if a.RStrip {
			for me < len(text) {
				r, sz := utf8.DecodeRuneInString(text[me:])
				if !unicode.IsSpace(r) {
					break
				}
				me += sz
			}
		}
		if ms > start {
			out = append(out, piece{text: text[start:ms]})
		}
		out = append(out, piece{added: a})
		start, pos = me, me
	}
	if start < len(text) {
		out = append(out, piece{text: text[start:]})
	}
	return out
}

func isWordChar(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

func singleWordOK(text string, s, e int) bool {
	if s > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:s])
		if isWordChar(r) {
			return false
		}
	}
	if e < len(text) {
		r, _ := utf8.DecodeRuneInString(text[e:])
		if isWordChar(r) {
			return false
		}
	}
	return true
}

// ---- normalizers ----

type normalizer interface{ normalize(string) string }

type normSeq []normalizer

func (s normSeq) normalize(x string) string {
	for _, n := range s {
		x = n.normalize(x)
	}
	return x
}

type unicodeNorm struct{ f norm.Form }

func (u unicodeNorm) normalize(x string) string { return u.f.String(x) }

type lowercase struct{}

func (lowercase) normalize(x string) string { return lower(x) }

type stripAccents struct{}

func (stripAccents) normalize(x string) string { return removeMarks(x) }

// bertNormalizer is tokenizers' BertNormalizer.
type bertNormalizer struct {
	cleanText, chinese, strip, lowercase bool
}

func (b bertNormalizer) normalize(x string) string {
	var sb strings.Builder
	sb.Grow(len(x))
	for _, r := range x {
		if b.cleanText {
			if r == 0 || r == 0xfffd || isControl(r) {
				continue
			}
			if isBertSpace(r) {
				r = ' '
			}
		}
		if b.chinese && isChinese(r) {
			sb.WriteByte(' ')
			sb.WriteRune(r)
			sb.WriteByte(' ')
			continue
		}
		sb.WriteRune(r)
	}
	s := sb.String()
	if b.strip {
		s = removeMarks(norm.NFD.String(s))
	}
	if b.lowercase {
		s = lower(s)
	}
	return s
}

// lower lowercases rune by rune with the full Unicode mapping (Rust's char::to_lowercase):
// the only unconditional multi-rune mapping is U+0130 → "i̇".
func lower(x string) string {
	var sb strings.Builder
	sb.Grow(len(x))
	for _, r := range x {
		if r == 0x130 {
			sb.WriteString("i\u0307")
			continue
		}
		sb.WriteRune(unicode.ToLower(r))
	}
	return sb.String()
}

// removeMarks drops nonspacing marks (category Mn), as tokenizers' strip_accents after NFD.
func removeMarks(x string) string {
	var sb strings.Builder
	sb.Grow(len(x))
	for _, r := range x {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

func isBertSpace(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || unicode.IsSpace(r)
}

// isControl is tokenizers' is_control: categories Cc, Cf, Cn, Co, Cs except \t \n \r.
func isControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs) {
		return true
	}
	// Cn: unassigned code points.
	return !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.C)
}

func isChinese(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) || (r >= 0x2B740 && r <= 0x2B81F) || (r >= 0x2B920 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) || (r >= 0x2F800 && r <= 0x2FA1F)
}

func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// componentType returns the "type" of a tokenizer.json component, or "" without error for a
// component that is absent or null.
func componentType(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var h struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return "", err
	}
	if h.Type == "" {
		return "", fmt.Errorf("component without a type")
	}
	return h.Type, nil
}

// parseSequence parses the members listed under key of a "Sequence" component with parse,
// dropping the members that parse to nil (components that do nothing).
func parseSequence[T any](raw json.RawMessage, key string, parse func(json.RawMessage) (T, error)) ([]T, error) {
	var v map[string]json.RawMessage
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	var members []json.RawMessage
	if r, ok := v[key]; ok {
		if err := json.Unmarshal(r, &members); err != nil {
			return nil, err
		}
	}
	var out []T
	for _, r := range members {
		x, err := parse(r)
		if err != nil {
			return nil, err
		}
		if any(x) != nil {
			out = append(out, x)
		}
	}
	return out, nil
}

func parseNormalizer(raw json.RawMessage) (normalizer, error) {
	typ, err := componentType(raw)
	if err != nil || typ == "" {
		return nil, err
	}
	switch typ {
	case "BertNormalizer":
		var v struct {
			CleanText    *bool `json:"clean_text"`
			Chinese      *bool `json:"handle_chinese_chars"`
			StripAccents *bool `json:"strip_accents"`
			Lowercase    *bool `json:"lowercase"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		def := func(p *bool, d bool) bool {
			if p == nil {
				return d
			}
			return *p
		}
		b := bertNormalizer{cleanText: def(v.CleanText, true), chinese: def(v.Chinese, true), lowercase: def(v.Lowercase, true)}
		b.strip = def(v.StripAccents, b.lowercase) // null: follow lowercase, as tokenizers does
		return b, nil
	case "Lowercase":
		return lowercase{}, nil
	case "StripAccents":
		return stripAccents{}, nil
	case "NFC":
		return unicodeNorm{norm.NFC}, nil
	case "NFD":
		return unicodeNorm{norm.NFD}, nil
	case "NFKC":
		return unicodeNorm{norm.NFKC}, nil
	case "NFKD":
		return unicodeNorm{norm.NFKD}, nil
	case "Sequence":
		s, err := parseSequence(raw, "normalizers", parseNormalizer)
		return normSeq(s), err
	}
	return nil, fmt.Errorf("type %q is not supported (supported: BertNormalizer, Lowercase, StripAccents, NFC, NFD, NFKC, NFKD, Sequence)", typ)
}

// ---- pre-tokenizers ----

type preTokenizer interface{ split(string) []string }

type preSeq []preTokenizer

func (s preSeq) split(x string) []string {
	words := []string{x}
	for _, p := range s {
		var next []string
		for _, w := range words {
			next = append(next, p.split(w)...)
		}
		words = next
	}
	return words
}

// bertPre splits on whitespace (dropped) and isolates every punctuation character.
type bertPre struct{}

func isBertPunct(r rune) bool {
	if r < 128 {
		return (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126)
	}
	return unicode.IsPunct(r)
}

func (bertPre) split(x string) []string {
	var out []string
	start := -1
	for i, r := range x {
		switch {
		case unicode.IsSpace(r):
			if start >= 0 {
				out = append(out, x[start:i])
				start = -1
			}
		case isBertPunct(r):
			if start >= 0 {
				out = append(out, x[start:i])
				start = -1
			}
			out = append(out, x[i:i+utf8.RuneLen(r)])
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		out = append(out, x[start:])
	}
	return out
}

type whitespaceSplit struct{}

func (whitespaceSplit) split(x string) []string { return strings.FieldsFunc(x, unicode.IsSpace) }

// byteLevel is GPT-2's pre-tokenizer: an optional prefix space, the GPT-2 split pattern,
// and the byte → printable-character mapping.
type byteLevel struct{ prefixSpace, useRegex bool }

var byteToRune = func() [256]rune {
	var m [256]rune
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255) {
			m[b] = rune(b)
		} else {
			m[b] = rune(256 + n)
			n++
		}
	}
	return m
}()

func byteMap(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		sb.WriteRune(byteToRune[s[i]])
	}
	return sb.String()
}

func (b byteLevel) split(x string) []string {
	if b.prefixSpace && !strings.HasPrefix(x, " ") {
		x = " " + x
	}
	var words []string
	if b.useRegex {
		words = gpt2Split(x)
	} else {
		words = []string{x}
	}
	for i, w := range words {
		words[i] = byteMap(w)
	}
	return words
}

// gpt2Split implements the pattern
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func gpt2Split(x string) []string {
	var out []string
	isL := unicode.IsLetter
	isN := unicode.IsNumber
	isOther := func(r rune) bool { return !unicode.IsSpace(r) && !isL(r) && !isN(r) }
	run := func(i int, f func(rune) bool) int { // end of the run of f starting at i
		for i < len(x) {
			r, sz := utf8.DecodeRuneInString(x[i:])
			if !f(r) {
				break
			}
			i += sz
		}
		return i
	}
	for i := 0; i < len(x); {
		end := -1
		if x[i] == '\'' {
			for _, c := range []string{"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"} {
				if strings.HasPrefix(x[i:], c) {
					end = i + len(c)
					break
				}
			}
		}
		if end < 0 {
			j := i
			if x[j] == ' ' {
				j++
			}
			if j < len(x) {
				r, _ := utf8.DecodeRuneInString(x[j:])
				for _, f := range []func(rune) bool{isL, isN, isOther} {
					if f(r) {
						end = run(j, f)
						break
					}
				}
			}
		}
		if end < 0 {
			// Whitespace: \s+(?!\S), else \s+.
			e := run(i, unicode.IsSpace)
			if e == len(x) {
				end = e
			} else {
				_, sz := utf8.DecodeLastRuneInString(x[i:e])
				if e-sz > i {
					end = e - sz
				} else {
					end = e
				}
			}
		}
		out = append(out, x[i:end])
		i = end
	}
	return out
}

func parsePreTokenizer(raw json.RawMessage) (preTokenizer, error) {
	typ, err := componentType(raw)
	if err != nil || typ == "" {
		return nil, err
	}
	switch typ {
	case "BertPreTokenizer":
		return bertPre{}, nil
	case "WhitespaceSplit":
		return whitespaceSplit{}, nil
	case "ByteLevel":
		v := struct {
			AddPrefixSpace *bool `json:"add_prefix_space"`
			UseRegex       *bool `json:"use_regex"`
		}{}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		b := byteLevel{prefixSpace: true, useRegex: true}
		if v.AddPrefixSpace != nil {
			b.prefixSpace = *v.AddPrefixSpace
		}
		if v.UseRegex != nil {
			b.useRegex = *v.UseRegex
		}
		return b, nil
	case "Sequence":
		s, err := parseSequence(raw, "pretokenizers", parsePreTokenizer)
		return preSeq(s), err
	}
	return nil, fmt.Errorf("type %q is not supported (supported: BertPreTokenizer, ByteLevel, WhitespaceSplit, Sequence)", typ)
}

// ---- models ----

type subwordModel interface {
	// tokenize appends the ids of one pre-tokenised word to ids.
	tokenize(word string, ids []int) []int
}

// wordPiece is greedy longest-match-first sub-word tokenisation.
type wordPiece struct {
	vocab    map[string]int
	unk      int
	prefix   string
	maxChars int
	maxToken int // the longest vocabulary entry, in bytes
}

func (w *wordPiece) tokenize(word string, ids []int) []int {
	if utf8.RuneCountInString(word) > w.maxChars {
		return append(ids, w.unk)
	}
	n := len(ids)
	for start := 0; start < len(word); {
		// No vocabulary entry is longer than maxToken bytes, so the longest match is
		// searched from there down rather than from the end of the word: the same match
		// (vocabulary entries are valid UTF-8, and every valid end is visited either way)
		// in O(len(word)·maxToken) instead of O(len(word)²) lookups of O(len(word)) bytes
		// each (a 16,000-character word with max_input_chars_per_word raised had not finished after a minute).
		end := min(len(word), start+w.maxToken)
		found := -1
		for end > start {
			sub := word[start:end]
			if start > 0 {
				sub = w.prefix + sub
			}
			if id, ok := w.vocab[sub]; ok {
				found = id
				break
			}
			_, sz := utf8.DecodeLastRuneInString(word[start:end])
			end -= sz
		}
		if found < 0 {
			return append(ids[:n], w.unk)
		}
		ids = append(ids, found)
		start = end
	}
	return ids
}

// bpe is byte-pair encoding with ranked merges.
type bpe struct {
	vocab        map[string]int
	ranks        map[[2]string]int
	unk          int // −1: none
	fuseUnk      bool
	prefix       string
	suffix       string
	ignoreMerges bool
}

func (b *bpe) tokenize(word string, ids []int) []int {
	if b.ignoreMerges {
		if id, ok := b.vocab[word]; ok {
			return append(ids, id)
		}
	}
	var syms []string
	for i, r := range word {
		s := string(r)
		if i > 0 && b.prefix != "" {
			s = b.prefix + s
		}
		syms = append(syms, s)
	}
	if b.suffix != "" && len(syms) > 0 {
		syms[len(syms)-1] += b.suffix
	}
	syms = b.merge(syms)
	lastUnk := false
	for _, s := range syms {
		id, ok := b.vocab[s]
		if !ok {
			if b.unk < 0 {
				continue // tokenizers drops symbols with no id when there is no unk token
			}
			if b.fuseUnk && lastUnk {
				continue
			}
			id, lastUnk = b.unk, true
		} else {
			lastUnk = false
		}
		ids = append(ids, id)
	}
	return ids
}

// merge applies the ranked merges to a word's symbols: repeatedly the adjacent pair of
// lowest rank, the leftmost of equal ranks, is joined (the right symbol losing its
// continuing-subword prefix), until no adjacent pair has a rank. Candidate pairs wait in a
// heap ordered by (rank, position), so a word of n symbols costs O(n log n) rather than the
// O(n²) scans of the direct loop (a 16,000-character word took 10 s), as in tokenizers'
// Word::merge_all.
func (b *bpe) merge(syms []string) []string {
	n := len(syms)
	if n < 2 {
		return syms
	}
	next := make([]int, n) // index of the next live symbol, n at the end
	prev := make([]int, n) // index of the previous live symbol, -1 at the start
	for i := range syms {
		next[i], prev[i] = i+1, i-1
	}
	h := &pairHeap{}
	push := func(i, j int) {
		if r, ok := b.ranks[[2]string{syms[i], syms[j]}]; ok {
			heap.Push(h, bpePair{rank: r, left: i, right: j, ls: syms[i], rs: syms[j]})
		}
	}
	for i := 0; i+1 < n; i++ {
		push(i, i+1)
	}
	dead := make([]bool, n)
	for h.Len() > 0 {
		p := heap.Pop(h).(bpePair)
		// A pair is stale when either symbol has merged since it was pushed (symbols only
		// grow, so an unchanged text means an unchanged symbol) or they are no longer
		// neighbours.
		if dead[p.left] || dead[p.right] || next[p.left] != p.right || syms[p.left] != p.ls || syms[p.right] != p.rs {
			continue
		}
		syms[p.left] += strings.TrimPrefix(syms[p.right], b.prefix)
		dead[p.right] = true
		next[p.left] = next[p.right]
		if next[p.left] < n {
			prev[next[p.left]] = p.left
		}
		if q := prev[p.left]; q >= 0 {
			push(q, p.left)
		}
		if r := next[p.left]; r < n {
			push(p.left, r)
		}
	}
	out := syms[:0]
	for i := 0; i < n; i = next[i] {
		out = append(out, syms[i])
	}
	return out
}

// bpePair is a candidate merge of the live symbols left and right (whose texts were ls and
// rs when it was queued).
type bpePair struct {
	rank, left, right int
	ls, rs            string
}

// pairHeap orders candidate merges by rank, then leftmost first.
type pairHeap []bpePair

func (h pairHeap) Len() int { return len(h) }
func (h pairHeap) Less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank < h[j].rank
	}
	return h[i].left < h[j].left
}
func (h pairHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pairHeap) Push(x any)   { *h = append(*h, x.(bpePair)) }
func (h *pairHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func parseModel(raw json.RawMessage) (subwordModel, map[string]int, error) {
	typ, err := componentType(raw)
	if err != nil {
		return nil, nil, err
	}
	if typ == "" {
		return nil, nil, fmt.Errorf("missing")
	}
	switch typ {
	case "WordPiece":
		v := struct {
			Vocab    map[string]int `json:"vocab"`
			Unk      string         `json:"unk_token"`
			Prefix   *string        `json:"continuing_subword_prefix"`
			MaxChars int            `json:"max_input_chars_per_word"`
		}{Unk: "[UNK]", MaxChars: 100}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, nil, err
		}
		if err := checkVocab(v.Vocab); err != nil {
			return nil, nil, err
		}
		unk, ok := v.Vocab[v.Unk]
		if !ok {
			return nil, nil, fmt.Errorf("WordPiece unk_token %q is not in the vocabulary", v.Unk)
		}
		w := &wordPiece{vocab: v.Vocab, unk: unk, prefix: "##", maxChars: v.MaxChars}
		for tok := range v.Vocab {
			w.maxToken = max(w.maxToken, len(tok))
		}
		if v.Prefix != nil {
			w.prefix = *v.Prefix
		}
		return w, v.Vocab, nil
	case "BPE":
		var v struct {
			Vocab        map[string]int    `json:"vocab"`
			Merges       []json.RawMessage `json:"merges"`
			Unk          *string           `json:"unk_token"`
			FuseUnk      bool              `json:"fuse_unk"`
			Prefix       *string           `json:"continuing_subword_prefix"`
			Suffix       *string           `json:"end_of_word_suffix"`
			Dropout      *float64          `json:"dropout"`
			ByteFallback bool              `json:"byte_fallback"`
			IgnoreMerges bool              `json:"ignore_merges"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, nil, err
		}
		if err := checkVocab(v.Vocab); err != nil {
			return nil, nil, err
		}
		if v.Dropout != nil && *v.Dropout != 0 {
			return nil, nil, fmt.Errorf("BPE dropout %v is random; only deterministic BPE (dropout null) is supported", *v.Dropout)
		}
		if v.ByteFallback {
			return nil, nil, fmt.Errorf("BPE byte_fallback (SentencePiece-style) is not supported")
		}
		b := &bpe{vocab: v.Vocab, ranks: map[[2]string]int{}, unk: -1, fuseUnk: v.FuseUnk, ignoreMerges: v.IgnoreMerges}
		if v.Unk != nil {
			id, ok := v.Vocab[*v.Unk]
			if !ok {
				return nil, nil, fmt.Errorf("BPE unk_token %q is not in the vocabulary", *v.Unk)
			}
			b.unk = id
		}
		if v.Prefix != nil {
			b.prefix = *v.Prefix
		}
		if v.Suffix != nil {
			b.suffix = *v.Suffix
		}
		for i, m := range v.Merges {
			var pair [2]string
			var s string
			if err := json.Unmarshal(m, &s); err == nil {
				a, c, ok := strings.Cut(s, " ")
				if !ok || a == "" || c == "" || strings.Contains(c, " ") {
					return nil, nil, fmt.Errorf("merge %d %q is not two symbols separated by a space", i, s)
				}
				pair = [2]string{a, c}
			} else if err := json.Unmarshal(m, &pair); err != nil {
				return nil, nil, fmt.Errorf("merge %d: %s is neither \"a b\" nor [\"a\", \"b\"]", i, m)
			}
			if _, dup := b.ranks[pair]; !dup {
				b.ranks[pair] = i
			}
		}
		return b, v.Vocab, nil
	}
	return nil, nil, fmt.Errorf("type %q is not supported (supported: WordPiece, BPE)", typ)
}

// maxTokenID is the largest token id accepted (16M, far above any real vocabulary).
const maxTokenID = 1 << 24

func checkVocab(v map[string]int) error {
	if len(v) == 0 {
		return fmt.Errorf("empty vocabulary")
	}
	seen := make(map[int]string, len(v))
	for tok, id := range v {
		if id < 0 || id > maxTokenID {
			return fmt.Errorf("token %q has id %d", tok, id)
		}
		if prev, ok := seen[id]; ok {
			return fmt.Errorf("tokens %q and %q share id %d", prev, tok, id)
		}
		seen[id] = tok
	}
	return nil
}

// ---- post-processors ----

// postProcessor adds fixed special tokens around a single sequence.
type postProcessor struct {
	before, after []int
}

func parsePost(raw json.RawMessage, t *Tokenizer) (*postProcessor, error) {
	typ, err := componentType(raw)
	if err != nil || typ == "" {
		return nil, err
	}
	idOf := func(tok string, id int) (int, error) {
		if got, ok := t.ID(tok); ok && got != id {
			return 0, fmt.Errorf("special token %q has id %d in the post-processor but %d in the vocabulary", tok, id, got)
		}
		if id < 0 || id >= t.size {
			return 0, fmt.Errorf("special token %q has id %d outside the vocabulary", tok, id)
		}
		return id, nil
	}
	switch typ {
	case "ByteLevel":
		return nil, nil // offsets only
	case "BertProcessing", "RobertaProcessing":
		var v struct {
			Sep []json.RawMessage `json:"sep"`
			Cls []json.RawMessage `json:"cls"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		pair := func(p []json.RawMessage, what string) (int, error) {
			var tok string
			var id int
			if len(p) != 2 || json.Unmarshal(p[0], &tok) != nil || json.Unmarshal(p[1], &id) != nil {
				return 0, fmt.Errorf("%s is not [token, id]", what)
			}
			return idOf(tok, id)
		}
		cls, err := pair(v.Cls, "cls")
		if err != nil {
			return nil, err
		}
		sep, err := pair(v.Sep, "sep")
		if err != nil {
			return nil, err
		}
		return &postProcessor{before: []int{cls}, after: []int{sep}}, nil
	case "TemplateProcessing":
		var v struct {
			Single []struct {
				Special *struct {
					ID string `json:"id"`
				} `json:"SpecialToken"`
				Sequence *struct {
					ID string `json:"id"`
				} `json:"Sequence"`
			} `json:"single"`
			Special map[string]struct {
				IDs    []int    `json:"ids"`
				Tokens []string `json:"tokens"`
			} `json:"special_tokens"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		p := &postProcessor{}
		seenSeq := false
		for _, it := range v.Single {
			switch {
			case it.Sequence != nil:
				if seenSeq || it.Sequence.ID != "A" {
					return nil, fmt.Errorf("single template must hold sequence A exactly once")
				}
				seenSeq = true
			case it.Special != nil:
				sp, ok := v.Special[it.Special.ID]
				if !ok || len(sp.IDs) == 0 || len(sp.IDs) != len(sp.Tokens) {
					return nil, fmt.Errorf("special token %q of the template is not defined", it.Special.ID)
				}
				for k, id := range sp.IDs {
					if _, err := idOf(sp.Tokens[k], id); err != nil {
						return nil, err
					}
				}
				if seenSeq {
					p.after = append(p.after, sp.IDs...)
				} else {
					p.before = append(p.before, sp.IDs...)
				}
			default:
				return nil, fmt.Errorf("template item is neither SpecialToken nor Sequence")
			}
		}
		if !seenSeq {
			return nil, fmt.Errorf("single template has no sequence")
		}
		return p, nil
	}
	return nil, fmt.Errorf("type %q is not supported (supported: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel)", typ)
}
