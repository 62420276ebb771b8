package layering

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestModuleLayering runs go list on the module and fails on any import that points up the
// layering (other than the known Exceptions) and on any exception no longer needed.
func TestModuleLayering(t *testing.T) {
	graph, err := GoList(".")
	require.NoError(t, err)
	require.Contains(t, graph, "sim", "go list found the module's packages")
	require.Contains(t, graph["sim"], "circuit")
	violations, stale := Check(graph)
	for _, v := range violations {
		t.Errorf("back-arrow: %s", v)
	}
	for _, x := range stale {
		t.Errorf("exception %s → %s (issue %d) is no longer needed: remove it from layering.Exceptions and docs/architecture.md (go generate ./internal/layering)", x.From, x.To, x.Issue)
	}
}

// TestCheckFakeGraph feeds Check fake import graphs: each injected back-arrow is reported with
// the rule it breaks, and the downward imports are not.
func TestCheckFakeGraph(t *testing.T) {
	known := map[string][]string{}
	for _, x := range Exceptions {
		known[x.From] = append(known[x.From], x.To)
	}
	cases := []struct {
		name  string
		from  string
		to    string
		wants string // "" for an allowed import
	}{
		{"circuit imports gates", "circuit", "gates", ""},
		{"sim imports circuit", "sim", "circuit", ""},
		{"lowering imports sim", "lowering", "sim", ""},
		{"peft imports lowering", "peft", "lowering", ""},
		{"cmd imports everything", "cmd/qpeft", "train", ""},
		{"anyone imports internal", "qasm", "internal/safefile", ""},
		{"same layer", "qasm", "qasm/parser", ""},
		{"models on nn", "models/mlp512", "nn", ""},
		{"gates imports circuit", "gates", "circuit", "not below it"},
		{"circuit imports sim", "circuit", "sim", "not below it"},
		{"sim imports lowering", "sim", "lowering", "not below it"},
		{"sim imports export", "sim", "export", "not below it"},
		{"lowering imports peft", "lowering", "peft", "not below it"},
		{"peft imports train", "peft", "train", "not below it"},
		{"peft imports cmd", "peft", "cmd/qpeft", "not below it"},
		{"qasm imports models", "qasm", "models/mlp512", "not below it"},
		{"nn imports gates", "nn", "gates", "knows nothing of circuits"},
		{"formats import circuit", "formats/safetensors", "circuit", "knows nothing of circuits"},
		{"internal imports sim", "internal/atomicfile", "sim", "internal/ packages import only"},
		{"formats import sim", "formats/npy", "sim", "knows nothing of circuits"},
		{"export parses qasm", "export/route", "qasm/parser", "without re-parsing"},
		{"unknown package", "newtop", "gates", "in no layer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			graph := map[string][]string{c.from: {c.to}}
			for k, v := range known {
				graph[k] = append(graph[k], v...)
			}
			violations, stale := Check(graph)
			assert.Empty(t, stale, "every exception is used")
			if c.wants == "" {
				assert.Empty(t, violations)
				return
			}
			require.Len(t, violations, 1)
			assert.Equal(t, Edge{c.from, c.to}, violations[0].Edge)
			assert.Contains(t, violations[0].Why, c.wants)
		})
	}
}

// TestStaleException: an exception whose import has gone is reported.
func TestStaleException(t *testing.T) {
	violations, stale := Check(map[string][]string{"sim": {"circuit"}})
	assert.Empty(t, violations)
	assert.Len(t, stale, len(Exceptions))
}

func TestParseGoList(t *testing.T) {
	in := `{"ImportPath": "github.com/qpeft/qpeft/sim", "Imports": ["fmt", "github.com/qpeft/qpeft/circuit"]}
{"ImportPath": "github.com/qpeft/qpeft/gates"}
{"ImportPath": "other.org/x", "Imports": ["github.com/qpeft/qpeft/gates"]}`
	graph, err := parseGoList(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{"sim": {"circuit"}, "gates": {}}, graph)
	_, err = parseGoList(strings.NewReader("{"))
	assert.ErrorContains(t, err, "go list output")
}
