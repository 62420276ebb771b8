package qasm

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowCorpus are programs that run a default limit to its end (a second or so each).
var slowCorpus = map[string]bool{"gate_blowup.qasm": true, "while_limit.qasm": true}

var update = flag.Bool("update", false, "rewrite the golden .err files of the negative corpus")

// TestNegativeCorpus reads every program in testdata/errors and compares the errors, with
// their exact positions and messages, to the golden .err file beside it.
func TestNegativeCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.qasm")
	require.NoError(t, err, "no negative corpus")
	require.NotEmpty(t, files, "no negative corpus")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if testing.Short() && slowCorpus[filepath.Base(f)] && !*update {
				t.Skip("runs a limit to its end; skipped in -short mode")
			}
			var cfg Config
			_, err := cfg.ParseFile(f)
			require.Error(t, err, "%s parsed without error", f)
			var list ErrorList
			require.ErrorAs(t, err, &list, "error is %T, not an ErrorList", err)
			var b strings.Builder
			for _, e := range list {
				assert.True(t, e.Pos.IsValid(), "error without a position: %v", e)
				b.WriteString(e.Error() + "\n")
			}
			golden := strings.TrimSuffix(f, ".qasm") + ".err"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -run TestNegativeCorpus -update to create it")
			assert.Equal(t, string(want), b.String(), "errors differ from %s", golden)
		})
	}
}
