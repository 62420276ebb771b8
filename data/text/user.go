package text

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/qpeft/qpeft/data"
)

// Splits is a text classification task in three parts. Validation is nil when the file
// gives only train and test rows.
type Splits struct {
	Train, Validation, Test *Dataset
	// How says where the parts came from: the file's split column or the seeded stratified
	// split that made them.
	How string
}

// record is one labelled text as read, with its position for errors.
type record struct {
	text, label, split string
	line               int
}

// The split names a "split" column or field may hold (val is validation).
var splitNames = map[string]string{"train": "train", "validation": "validation", "val": "validation", "test": "test"}

// LoadCSV reads a text classification dataset from a CSV file (RFC 4180, UTF-8, comma
// separated, first row a header). The header names a "text" and a "label" column (any
// order, case-insensitive; other columns are ignored) and optionally a "split" column of
// train, validation (or val) and test; without it the rows are divided by a seeded
// stratified split (80/10/10, [data.StratifiedSplit]). Labels are strings; the classes are
// the training labels in sorted order (numerical order when every label is an integer).
// Errors name the file, the line and the column.
func LoadCSV(path string, seed uint64) (*Splits, error) {
	return loadFile(path, seed, ReadCSV)
}

// LoadJSONL reads a text classification dataset from a JSON Lines file: one JSON object
// per line with a "text" string and a "label" (a string or an integer), optionally a
// "split" (train, validation or val, test); other fields are ignored and blank lines
// skipped. Splits and classes are as for [LoadCSV].
func LoadJSONL(path string, seed uint64) (*Splits, error) {
	return loadFile(path, seed, ReadJSONL)
}

func loadFile(path string, seed uint64, read func(io.Reader, string, uint64) (*Splits, error)) (*Splits, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("text: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("text: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("text: %s is not a regular file", path)
	}
	// The texts, the records and the datasets built from them: about three copies.
	if err := data.CheckMemory("text: "+path, 3*float64(st.Size())); err != nil {
		return nil, err
	}
	return read(bufio.NewReaderSize(f, 1<<16), path, seed)
}

// ReadCSV is [LoadCSV] on a stream; name is used in errors and identifiers.
func ReadCSV(r io.Reader, name string, seed uint64) (*Splits, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("text: %s: empty file; a CSV dataset starts with a header naming the text and label columns", name)
		}
		return nil, fmt.Errorf("text: %s: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		if !utf8.ValidString(h) {
			return nil, fmt.Errorf("text: %s:1: the header is not valid UTF-8; save the file as UTF-8", name)
		}
		k := strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[k]; dup && (k == "text" || k == "label" || k == "split") {
			return nil, fmt.Errorf("text: %s:1: the header names the column %q twice", name, k)
		}
		col[k] = i
	}
	ti, okT := col["text"]
	li, okL := col["label"]
	si, okS := col["split"]
	if !okT || !okL {
		return nil, fmt.Errorf("text: %s:1: the header %q has no %s column; name the columns text and label (and optionally split)", name, strings.Join(head, ","), map[bool]string{true: "label", false: "text"}[okT])
	}
	var recs []record
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if errors.Is(pe.Err, csv.ErrFieldCount) {
					return nil, fmt.Errorf("text: %s:%d: %d fields, but the header has %d; quote fields that hold commas (\"a, b\")", name, pe.Line, len(row), len(head))
				}
				return nil, fmt.Errorf("text: %s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("text: %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		for i, f := range row {
			if !utf8.ValidString(f) {
				l, c := cr.FieldPos(i)
				return nil, fmt.Errorf("text: %s:%d:%d: not valid UTF-8; save the file as UTF-8", name, l, c)
			}
		}
		rec := record{text: row[ti], label: strings.TrimSpace(row[li]), line: line}
		if okS {
			rec.split = row[si]
		}
		recs = append(recs, rec)
	}
	return build(recs, name, okS, seed)
}

// ReadJSONL is [LoadJSONL] on a stream; name is used in errors and identifiers.
func ReadJSONL(r io.Reader, name string, seed uint64) (*Splits, error) {
	br := bufio.NewReader(r)
	var recs []record
	haveSplit, line := -1, 0
	for {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			line++
			if line == 1 {
				b = bytes.TrimPrefix(b, []byte("\ufeff"))
			}
			if t := bytes.TrimSpace(b); len(t) > 0 {
				if !utf8.Valid(t) {
					return nil, fmt.Errorf("text: %s:%d: not valid UTF-8; save the file as UTF-8", name, line)
				}
				var obj struct {
					Text  *string         `json:"text"`
					Label json.RawMessage `json:"label"`
					Split *string         `json:"split"`
				}
				dec := json.NewDecoder(bytes.NewReader(t))
				if err := dec.Decode(&obj); err != nil {
					return nil, fmt.Errorf("text: %s:%d: %v; each line must be one JSON object such as {\"text\": \"…\", \"label\": \"spam\"}", name, line, err)
				}
				if dec.More() {
					return nil, fmt.Errorf("text: %s:%d: more than one JSON value on the line; write one object per line", name, line)
				}
				if obj.Text == nil {
					return nil, fmt.Errorf("text: %s:%d: no \"text\" string field", name, line)
				}
				label, err := jsonLabel(obj.Label)
				if err != nil {
					return nil, fmt.Errorf("text: %s:%d: %v", name, line, err)
				}
				has := obj.Split != nil
				if haveSplit == -1 {
					haveSplit = map[bool]int{true: 1, false: 0}[has]
				} else if has != (haveSplit == 1) {
					return nil, fmt.Errorf("text: %s:%d: some lines have a \"split\" field and others not; give it on every line or on none", name, line)
				}
				rec := record{text: *obj.Text, label: label, line: line}
				if has {
					rec.split = *obj.Split
				}
				recs = append(recs, rec)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("text: %s: %w", name, err)
		}
	}
	return build(recs, name, haveSplit == 1, seed)
}

// jsonLabel reads a label field: a string or an integer.
func jsonLabel(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", fmt.Errorf("no \"label\" field (a string or an integer)")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.TrimSpace(s), nil
	}
	if _, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return string(raw), nil
	}
	return "", fmt.Errorf("label %s is neither a string nor an integer", raw)
}

// build checks the records and makes the splits.
func build(recs []record, name string, haveSplit bool, seed uint64) (*Splits, error) {
	base := filepath.Base(name)
	for _, r := range recs {
		if r.label == "" {
			return nil, fmt.Errorf("text: %s:%d: empty label", name, r.line)
		}
		if strings.TrimSpace(r.text) == "" {
			return nil, fmt.Errorf("text: %s:%d: empty text (remove the row or give it a text)", name, r.line)
		}
		if haveSplit {
			if _, ok := splitNames[strings.ToLower(strings.TrimSpace(r.split))]; !ok {
				return nil, fmt.Errorf("text: %s:%d: split %q: want train, validation (or val) or test", name, r.line, r.split)
			}
		}
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("text: %s: no examples", name)
	}
	part := func(r record) string {
		if !haveSplit {
			return "train"
		}
		return splitNames[strings.ToLower(strings.TrimSpace(r.split))]
	}
	// Classes: the training labels, sorted (numerically when all are integers).
	seen := map[string]bool{}
	var classes []string
	for _, r := range recs {
		if part(r) == "train" && !seen[r.label] {
			seen[r.label] = true
			classes = append(classes, r.label)
		}
	}
	if len(classes) == 0 {
		return nil, fmt.Errorf("text: %s: no training rows (every row's split is validation or test)", name)
	}
	sortLabels(classes)
	if len(classes) < 2 {
		return nil, fmt.Errorf("text: %s: every training label is %q; a classifier needs at least two classes", name, classes[0])
	}
	index := map[string]int{}
	for i, c := range classes {
		index[c] = i
	}
	sets := map[string]*Dataset{}
	for _, p := range []string{"train", "validation", "test"} {
		sets[p] = &Dataset{Name: base + "/" + p, Classes: classes}
	}
	for _, r := range recs {
		p := part(r)
		c, ok := index[r.label]
		if !ok {
			return nil, fmt.Errorf("text: %s:%d: unknown label %q: no training row has it (the classes are %s); relabel the row or add training rows of it", name, r.line, r.label, strings.Join(classes, ", "))
		}
		d := sets[p]
		d.Texts = append(d.Texts, r.text)
		d.Labels = append(d.Labels, c)
		d.IDs = append(d.IDs, fmt.Sprintf("%s:%d", base, r.line))
	}
	if haveSplit {
		if sets["test"].Len() == 0 {
			return nil, fmt.Errorf("text: %s: the split column names no test rows; mark some rows test", name)
		}
		s := &Splits{Train: sets["train"], Test: sets["test"], How: "given by the file's split column"}
		if sets["validation"].Len() > 0 {
			s.Validation = sets["validation"]
		}
		return s, nil
	}
	all := sets["train"]
	tr, va, te, err := data.StratifiedSplit(all.Labels, len(classes), data.ValidationFraction, data.TestFraction, seed,
		func(c int) string { return strconv.Quote(classes[c]) })
	if err != nil {
		return nil, fmt.Errorf("text: %s: %w", name, err)
	}
	return &Splits{Train: all.Subset(base+"/train", tr), Validation: all.Subset(base+"/validation", va), Test: all.Subset(base+"/test", te),
		How: fmt.Sprintf("seeded stratified split (seed %d): %d train, %d validation, %d test", seed, len(tr), len(va), len(te))}, nil
}

// sortLabels sorts labels numerically when every one is an integer, else as strings.
func sortLabels(ls []string) {
	nums := make(map[string]int64, len(ls))
	for _, l := range ls {
		v, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			sort.Strings(ls)
			return
		}
		nums[l] = v
	}
	sort.Slice(ls, func(i, j int) bool { return nums[ls[i]] < nums[ls[j]] })
}
