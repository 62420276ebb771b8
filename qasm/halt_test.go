package qasm

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHaltIsFinal checks that reading stops at a limit or at too many errors, with errors
// returned as values: the error list ends with the limit's error (or the "too many errors"
// note) and holds nothing found after it, even where going on would have reported more
// (later statements with errors, the rest of a loop, deeper recursion).
func TestHaltIsFinal(t *testing.T) {
	tests := []struct {
		name string
		lim  Limits
		src  string
		want []string // the messages, in order (substrings)
	}{
		{"recursive subroutine", Limits{MaxNesting: 8},
			"qubit q; def f(qubit a) { h a; f(a); } f(q); nope q;",
			[]string{"subroutine calls nested more than 8 deep (limit MaxNesting); is f recursive?"}},
		{"qubits, then errors", Limits{MaxQubits: 10},
			"qubit[5000] q; nope q; nope2 q;",
			[]string{"too many qubits: q brings the total to 5000, more than 10 (limit MaxQubits)"}},
		{"bits, then errors", Limits{MaxClbits: 10},
			"bit[11] c; qubit q; nope q;",
			[]string{"limit MaxClbits"}},
		{"loop iterations, errors in the body", Limits{MaxLoopIterations: 10},
			"qubit q; for int i in [0:100] { h q; } nope q;",
			[]string{"this loop runs 101 times, more than 10 iterations (limit MaxLoopIterations)"}},
		{"while forever", Limits{MaxLoopIterations: 50},
			"qubit q; int i = 0; while (true) { i += 1; } nope q;",
			[]string{"does this while condition ever become false?"}},
		{"too many errors", Limits{MaxErrors: 3},
			"qubit q; a q; b q; c q; d q; e q; for int i in [0:1000] { f q; }",
			[]string{"unknown gate a", "unknown gate b", "unknown gate c", "too many errors (3); stopping"}},
		{"too many errors in a loop", Limits{MaxErrors: 2},
			"qubit q; for int i in [0:1000000] { rz(i / 0) q; } nope q; nope2 q;",
			[]string{"division by zero", "unknown gate nope ", "too many errors (2); stopping"}},
		{"pow past MaxOps", Limits{},
			"qubit q; pow(4000000000000000000) @ x q; nope q;",
			[]string{"pow(4000000000000000000) @ x expands to more than"}},
		{"nesting in the parser", Limits{MaxNesting: 5},
			"qubit q; rz((((((((1)))))))) q; nope q;",
			[]string{"nesting too deep"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := (&Config{Limits: tt.lim}).Parse("halt.qasm", []byte(tt.src))
			require.Error(t, err)
			var list ErrorList
			require.True(t, errors.As(err, &list), "%T: %v", err, err)
			var msgs []string
			for _, e := range list {
				msgs = append(msgs, e.Msg)
			}
			require.Len(t, msgs, len(tt.want), "errors:\n%s", strings.Join(msgs, "\n"))
			for i, w := range tt.want {
				assert.Contains(t, msgs[i], w)
			}
		})
	}
}
