package qasm

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// fuzzConfig has small limits so that each fuzz input runs quickly and in little memory,
// and a file system with nothing in it.
var fuzzConfig = Config{
	Limits: Limits{MaxSourceBytes: 1 << 16, MaxQubits: 64, MaxClbits: 256, MaxParams: 1000,
		MaxOps: 20000, MaxLoopIterations: 20000, MaxNesting: 100, MaxExprNodes: 500, MaxErrors: 20},
	ReadFile: func(string) ([]byte, error) { return nil, fs.ErrNotExist },
}

// FuzzParse reads arbitrary text. It must never panic or hang; every error must be an
// ErrorList with positions; and every program it accepts must print as OpenQASM 3 (and, when
// possible, 2) text that reads back to an equivalent circuit.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.qasm")
	more, _ := filepath.Glob("testdata/errors/*.qasm")
	for _, name := range append(files, more...) {
		if b, err := os.ReadFile(name); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg := fuzzConfig
		p, err := cfg.Parse("fuzz.qasm", src)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, not an ErrorList: %v", err, err)
			}
			for _, e := range list {
				if !e.Pos.IsValid() {
					t.Fatalf("error without position: %v", e)
				}
			}
			return
		}
		c := p.Circuit
		for _, v := range []int{3, 2} {
			text, err := Print(c, PrintOptions{Version: v})
			if err != nil {
				if v == 3 {
					t.Fatalf("a parsed circuit does not print as OpenQASM 3: %v", err)
				}
				continue
			}
			q, err := cfg.Parse("printed.qasm", text)
			if err != nil {
				t.Fatalf("printed OpenQASM %d does not read back: %v\n%s", v, err, text)
			}
			if c.NumQubits <= 4 && c.IsBound() && q.Circuit.IsBound() && c.IsUnitary() && q.Circuit.IsUnitary() {
				if !equalUpToPhase(dense(t, c, nil), dense(t, q.Circuit, nil), 1e-9) {
					t.Fatalf("OpenQASM %d round trip changed the unitary:\n%s", v, text)
				}
			}
		}
	})
}
