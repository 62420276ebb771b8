package qasm

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// slowCorpus are programs that run a default limit to its end (a second or so each).
var slowCorpus = map[string]bool{"gate_blowup.qasm": true, "while_limit.qasm": true}

var update = flag.Bool("update", false, "rewrite the golden .err files of the negative corpus")

// TestNegativeCorpus reads every program in testdata/errors and compares the errors, with
// their exact positions and messages, to the golden .err file beside it.
func TestNegativeCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.qasm")
	if err != nil || len(files) == 0 {
		t.Fatalf("no negative corpus: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if testing.Short() && slowCorpus[filepath.Base(f)] && !*update {
				t.Skip("runs a limit to its end; skipped in -short mode")
			}
			var cfg Config
			_, err := cfg.ParseFile(f)
			if err == nil {
				t.Fatalf("%s parsed without error", f)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, not an ErrorList: %v", err, err)
			}
			var b strings.Builder
			for _, e := range list {
				if !e.Pos.IsValid() {
					t.Errorf("error without a position: %v", e)
				}
				b.WriteString(e.Error() + "\n")
			}
			golden := strings.TrimSuffix(f, ".qasm") + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestNegativeCorpus -update to create it)", err)
			}
			if b.String() != string(want) {
				t.Errorf("errors differ from %s\n--- got ---\n%s--- want ---\n%s", golden, b.String(), want)
			}
		})
	}
}
