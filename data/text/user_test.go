package text

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/internal/testenv"
)

// TestUserFilesFromPython reads CSV and JSONL files written by Python's csv and json
// modules (quoting, embedded commas and newlines, non-ASCII text, integer labels) and
// compares every text and label with what the script wrote.
func TestUserFilesFromPython(t *testing.T) {
	py := testenv.Python(t)
	dir := t.TempDir()
	script := `
import csv, json, os
d = ` + "'" + dir + "'" + `
rows = []
for i in range(30):
    t = 'text %d' % i
    if i % 5 == 0: t += ', with a comma'
    if i % 7 == 0: t += '\nand a second line with "quotes"'
    if i % 4 == 0: t += ' — café ✓'
    rows.append((t, ['spam', 'ham', 'eggs'][i % 3]))
with open(os.path.join(d, 'a.csv'), 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f)
    w.writerow(['id', 'Label', 'text'])
    for i, (t, l) in enumerate(rows):
        w.writerow([i, l, t])
with open(os.path.join(d, 'a.jsonl'), 'w', encoding='utf-8') as f:
    for i, (t, l) in enumerate(rows):
        f.write(json.dumps({'text': t, 'label': i % 3, 'split': ['train', 'train', 'val', 'test'][i % 4]}, ensure_ascii=(i % 2 == 0)) + '\n')
`
	out, err := exec.Command(py, "-c", script).CombinedOutput()
	require.NoError(t, err, "%s", out)
	want := func(i int) string {
		s := fmt.Sprintf("text %d", i)
		if i%5 == 0 {
			s += ", with a comma"
		}
		if i%7 == 0 {
			s += "\nand a second line with \"quotes\""
		}
		if i%4 == 0 {
			s += " — café ✓"
		}
		return s
	}
	index := func(s string) int {
		var i int
		_, err := fmt.Sscanf(s, "text %d", &i)
		require.NoError(t, err)
		return i
	}

	s, err := LoadCSV(filepath.Join(dir, "a.csv"), 4)
	require.NoError(t, err)
	assert.Equal(t, []string{"eggs", "ham", "spam"}, s.Train.Classes)
	assert.Contains(t, s.How, "seeded stratified split (seed 4): 24 train, 3 validation, 3 test")
	n := 0
	for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
		for k, txt := range d.Texts {
			i := index(txt)
			assert.Equal(t, want(i), txt)
			assert.Equal(t, []string{"spam", "ham", "eggs"}[i%3], d.Classes[d.Labels[k]])
			n++
		}
		assert.Equal(t, []int{d.Len() / 3, d.Len() / 3, d.Len() / 3}, d.Counts(), "stratified")
	}
	assert.Equal(t, 30, n)

	s, err = LoadJSONL(filepath.Join(dir, "a.jsonl"), 4)
	require.NoError(t, err)
	assert.Equal(t, []string{"0", "1", "2"}, s.Train.Classes)
	assert.Equal(t, "given by the file's split column", s.How)
	require.NotNil(t, s.Validation)
	for p, d := range map[int]*Dataset{0: s.Train, 2: s.Validation, 3: s.Test} {
		for k, txt := range d.Texts {
			i := index(txt)
			assert.Equal(t, want(i), txt)
			assert.Equal(t, i%3, d.Labels[k])
			if p == 0 {
				assert.Contains(t, []int{0, 1}, i%4)
			} else {
				assert.Equal(t, p, i%4)
			}
			assert.Equal(t, fmt.Sprintf("a.jsonl:%d", i+1), d.IDs[k])
		}
	}
	trainRows := 0 // rows 0..29 whose split is train: i%4 is 0 or 1
	for i := 0; i < 30; i++ {
		if i%4 < 2 {
			trainRows++
		}
	}
	assert.Equal(t, trainRows, s.Train.Len())
}

func TestUserFileErrors(t *testing.T) {
	many := func(format string, n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, format, i, []string{"a", "b"}[i%2])
		}
		return b.String()
	}
	for _, tc := range []struct {
		name, file, content, want string
	}{
		{"csv no label column", "x.csv", "text,class\nhi,a\n", "x.csv:1: the header \"text,class\" has no label column"},
		{"csv no text column", "x.csv", "body,label\nhi,a\n", "has no text column"},
		{"csv ragged row", "x.csv", "text,label\nhi,a\nthere,b,extra\n", "x.csv:3: 3 fields, but the header has 2"},
		{"csv bare quote", "x.csv", "text,label\nhi \"there,a\n", "x.csv:2:"},
		{"csv not utf-8", "x.csv", "text,label\nhi,a\ncaf\xe9,b\n", "x.csv:3:1: not valid UTF-8"},
		{"csv empty", "x.csv", "", "empty file"},
		{"csv empty label", "x.csv", "text,label\nhi,\n", "x.csv:2: empty label"},
		{"csv empty text", "x.csv", "text,label\n ,a\n", "x.csv:2: empty text"},
		{"csv one class", "x.csv", "text,label\nhi,a\nho,a\n", "every training label is \"a\""},
		{"csv too few", "x.csv", "text,label\n" + many("t%d,%s\n", 8) + "lonely,c\n", "class \"c\" has 1 example(s)"},
		{"csv unknown label in test", "x.csv", "text,label,split\nt,a,train\nu,b,train\nv,c,test\n", "x.csv:4: unknown label \"c\""},
		{"csv bad split", "x.csv", "text,label,split\nt,a,training\n", "x.csv:2: split \"training\": want train, validation"},
		{"csv no test rows", "x.csv", "text,label,split\nt,a,train\nu,b,train\n", "names no test rows"},
		{"csv duplicate column", "x.csv", "text,label,Text\nt,a,u\n", "names the column \"text\" twice"},
		{"jsonl not json", "x.jsonl", "{\"text\": \"hi\", \"label\": 1}\nnot json\n", "x.jsonl:2: invalid character"},
		{"jsonl no text", "x.jsonl", "{\"body\": \"hi\", \"label\": 1}\n", "x.jsonl:1: no \"text\" string field"},
		{"jsonl text not string", "x.jsonl", "{\"text\": 5, \"label\": 1}\n", "x.jsonl:1: json: cannot unmarshal number"},
		{"jsonl no label", "x.jsonl", "{\"text\": \"hi\"}\n", "x.jsonl:1: no \"label\" field"},
		{"jsonl float label", "x.jsonl", "{\"text\": \"hi\", \"label\": 1.5}\n", "x.jsonl:1: label 1.5 is neither a string nor an integer"},
		{"jsonl not utf-8", "x.jsonl", "{\"text\": \"caf\xe9\", \"label\": 1}\n", "x.jsonl:1: not valid UTF-8"},
		{"jsonl two values", "x.jsonl", "{\"text\": \"a\", \"label\": 1} {}\n", "x.jsonl:1: more than one JSON value"},
		{"jsonl split on some lines", "x.jsonl", "{\"text\": \"a\", \"label\": 1, \"split\": \"train\"}\n{\"text\": \"b\", \"label\": 2}\n", "x.jsonl:2: some lines have a \"split\" field and others not"},
		{"jsonl empty", "x.jsonl", "\n\n", "x.jsonl: no examples"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o644))
			load := LoadCSV
			if strings.HasSuffix(tc.file, ".jsonl") {
				load = LoadJSONL
			}
			_, err := load(path, 1)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	t.Run("memory", func(t *testing.T) {
		saved := data.MemoryLimit
		data.MemoryLimit = 10
		t.Cleanup(func() { data.MemoryLimit = saved })
		path := filepath.Join(t.TempDir(), "x.csv")
		require.NoError(t, os.WriteFile(path, []byte("text,label\nhi,a\n"), 0o644))
		_, err := LoadCSV(path, 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "above the memory limit of 10 bytes")
	})
	t.Run("numeric label order", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.csv")
		require.NoError(t, os.WriteFile(path, []byte("text,label,split\na,10,train\nb,9,train\nc,-1,train\nd,9,test\n"), 0o644))
		s, err := LoadCSV(path, 1)
		require.NoError(t, err)
		assert.Equal(t, []string{"-1", "9", "10"}, s.Train.Classes)
		assert.Nil(t, s.Validation)
	})
}

// FuzzReadCSV: any input gives splits or an error, never a panic; what is returned is
// consistent.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("text,label\nhello,a\nworld,b\nfoo,a\nbar,b\nbaz,a\nqux,b\n"))
	f.Add([]byte("label,text,split\na,\"x, y\",train\nb,\"multi\nline\",test\n"))
	f.Add([]byte("\ufefftext,label\n\"unterminated,a\n"))
	f.Add([]byte("text,label\ncaf\xe9,a\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := ReadCSV(strings.NewReader(string(in)), "fuzz.csv", 1)
		checkSplits(t, s, err)
	})
}

// FuzzReadJSONL: as FuzzReadCSV for JSON Lines.
func FuzzReadJSONL(f *testing.F) {
	f.Add([]byte("{\"text\": \"a\", \"label\": 0}\n{\"text\": \"b\", \"label\": 1}\n{\"text\": \"c\", \"label\": 0}\n{\"text\": \"d\", \"label\": 1}\n{\"text\": \"e\", \"label\": 0}\n{\"text\": \"f\", \"label\": 1}\n"))
	f.Add([]byte("{\"text\": \"a\", \"label\": \"x\", \"split\": \"train\"}\n{\"text\": \"b\", \"label\": \"y\", \"split\": \"train\"}\n{\"text\": \"c\", \"label\": \"y\", \"split\": \"test\"}"))
	f.Add([]byte("{\"text\": \"\\ud800\", \"label\": 1e3}\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := ReadJSONL(strings.NewReader(string(in)), "fuzz.jsonl", 1)
		checkSplits(t, s, err)
	})
}

func checkSplits(t *testing.T, s *Splits, err error) {
	if err != nil {
		if s != nil {
			t.Fatalf("splits and an error: %v", err)
		}
		return
	}
	if s.Train == nil || s.Test == nil || s.Train.Len() == 0 || s.Test.Len() == 0 {
		t.Fatalf("empty train or test part without an error: %+v", s)
	}
	for _, d := range []*Dataset{s.Train, s.Validation, s.Test} {
		if d == nil {
			continue
		}
		if len(d.Texts) != len(d.Labels) || len(d.Texts) != len(d.IDs) {
			t.Fatalf("ragged dataset %s", d.Name)
		}
		for _, l := range d.Labels {
			if l < 0 || l >= len(d.Classes) {
				t.Fatalf("label %d outside %d classes", l, len(d.Classes))
			}
		}
	}
}
