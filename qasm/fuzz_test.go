package qasm

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/fuzzcheck"
)

// filePos matches an error message that starts with a file:line:col position.
var filePos = regexp.MustCompile(`^[^:]+:[0-9]+:[0-9]+: `)

// fuzzConfig has small limits so that each fuzz input runs quickly and in little memory,
// and a file system with nothing in it.
var fuzzConfig = Config{
	Limits: Limits{MaxSourceBytes: 1 << 16, MaxQubits: 64, MaxClbits: 256, MaxParams: 1000,
		MaxOps: 20000, MaxLoopIterations: 20000, MaxNesting: 100, MaxExprNodes: 500, MaxErrors: 20},
	ReadFile: func(string) ([]byte, error) { return nil, fs.ErrNotExist },
}

// FuzzParse reads arbitrary text as OpenQASM 2 or 3 (parse and lower to the IR). It must
// never panic or hang; every error must be an ErrorList whose entries carry file:line:col
// positions; and every program it accepts must print as OpenQASM 3 (and, when possible, 2)
// text that reads back to an equivalent circuit, whose printed text is the same again (the
// printer's output is a fixed point). The seeds are the fixtures of testdata and
// testdata/errors (OpenQASM 2 and 3).
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.qasm")
	more, _ := filepath.Glob("testdata/errors/*.qasm")
	for _, name := range append(files, more...) {
		if b, err := os.ReadFile(name); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		defer fuzzcheck.Watch(t, "FuzzParse")()
		cfg := fuzzConfig
		p, err := cfg.Parse("fuzz.qasm", src)
		if err != nil {
			var list ErrorList
			require.True(t, errors.As(err, &list), "error is %T, not an ErrorList: %v", err, err)
			require.NotEmpty(t, list, "an empty ErrorList")
			for _, e := range list {
				require.True(t, e.Pos.IsValid() && filePos.MatchString(e.Error()), "error without a file:line:col position: %q", e.Error())
			}
			return
		}
		c := p.Circuit
		// The printed text spells out what the source may have said in a few bytes (pow(k) @,
		// loops, broadcasts), so reading it back is bounded by the operation limits, not by
		// the source size limit.
		reread := cfg
		reread.Limits.MaxSourceBytes = 1 << 26
		for _, v := range []int{3, 2} {
			text, err := Print(c, PrintOptions{Version: v})
			if err != nil {
				require.NotEqual(t, 3, v, "a parsed circuit does not print as OpenQASM 3: %v", err)
				continue
			}
			q, err := reread.Parse("printed.qasm", text)
			require.NoError(t, err, "printed OpenQASM %d does not read back:\n%s", v, text)
			// The printer writes gates the reader inlines (cu1, rxx, …) as gate definitions
			// and drops what OpenQASM 2 cannot say, so the circuit read back may be spelled
			// differently; from then on printing and reading must be a fixed point.
			text2, err := Print(q.Circuit, PrintOptions{Version: v})
			require.NoError(t, err, "the circuit read back from printed OpenQASM %d does not print:\n%s", v, text)
			q2, err := reread.Parse("printed2.qasm", text2)
			require.NoError(t, err, "printed OpenQASM %d does not read back the second time:\n%s", v, text2)
			text3, err := Print(q2.Circuit, PrintOptions{Version: v})
			require.NoError(t, err)
			require.Equal(t, string(text2), string(text3), "printing and reading OpenQASM %d is not a fixed point", v)
			if c.NumQubits <= 4 && c.IsBound() && q.Circuit.IsBound() && c.IsUnitary() && q.Circuit.IsUnitary() {
				require.True(t, equalUpToPhase(dense(t, c, nil), dense(t, q.Circuit, nil), 1e-9), "OpenQASM %d round trip changed the unitary:\n%s", v, text)
			}
		}
	})
}
