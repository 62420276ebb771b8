package text

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// WriteSyntheticSpamCorpus writes a synthetic corpus of n e-mails under dir in the layout of
// the npm SpamAssassin package (dir/data/<group>/<index>.<md5>.txt and data/file_list.json),
// for tests and examples that must not depend on the real corpus: even messages are ham
// (group easy-ham-1), odd ones spam (spam-2); each has 4 to 11 words, three quarters drawn
// from its own class's word list and a quarter from the other's, the first two forming the
// subject. It is not data: LoadSpamAssassin reads it like the real package. The same seed
// gives the same files.
func WriteSyntheticSpamCorpus(dir string, n int, ham, spam []string, seed uint64) error {
	if n < 0 || len(ham) == 0 || len(spam) == 0 {
		return fmt.Errorf("text: a synthetic corpus needs n ≥ 0 and non-empty word lists (n = %d, %d ham words, %d spam words)", n, len(ham), len(spam))
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	list := make([]string, 0, n)
	for i := 0; i < n; i++ {
		group, own, other := "easy-ham-1", ham, spam
		if i%2 == 1 {
			group, own, other = "spam-2", spam, ham
		}
		var w []string
		for j := 0; j < 4+rng.IntN(8); j++ {
			if rng.Float64() < 0.75 {
				w = append(w, own[rng.IntN(len(own))])
			} else {
				w = append(w, other[rng.IntN(len(other))])
			}
		}
		raw := []byte("From: someone@example.org\nSubject: " + strings.Join(w[:2], " ") + "\n\n" + strings.Join(w[2:], " ") + "\n")
		sum := md5.Sum(raw)
		p := fmt.Sprintf("%s/%05d.%s.txt", group, i, hex.EncodeToString(sum[:]))
		if err := os.MkdirAll(filepath.Join(dir, "data", group), 0o755); err != nil {
			return fmt.Errorf("text: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "data", filepath.FromSlash(p)), raw, 0o644); err != nil {
			return fmt.Errorf("text: %w", err)
		}
		list = append(list, p)
	}
	b, err := json.Marshal(list)
	if err != nil {
		return fmt.Errorf("text: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return fmt.Errorf("text: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "file_list.json"), b, 0o644); err != nil {
		return fmt.Errorf("text: %w", err)
	}
	return nil
}
