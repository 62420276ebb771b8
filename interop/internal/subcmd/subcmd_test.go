package subcmd

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRun(t *testing.T) {
	var got []string
	cmds := []Command{
		{Name: "one", Args: 1, Usage: "usage: tool one X", Run: func(args []string) error { got = args; return nil }},
		{Name: "any", Args: -1, Run: func(args []string) error { got = args; return nil }},
		{Name: "fail", Args: -1, Run: func([]string) error { return errors.New("broken") }},
	}
	for _, tc := range []struct {
		args     []string
		status   int
		stderr   string
		wantArgs []string
	}{
		{nil, 2, "usage: tool one|any\n", nil},
		{[]string{"one", "x"}, 0, "", []string{"x"}},
		{[]string{"one"}, 1, "tool: usage: tool one X\n", nil},
		{[]string{"one", "x", "y"}, 1, "tool: usage: tool one X\n", nil},
		{[]string{"any"}, 0, "", []string{}},
		{[]string{"any", "a", "b"}, 0, "", []string{"a", "b"}},
		{[]string{"fail"}, 1, "tool: broken\n", nil},
		{[]string{"nope"}, 1, "tool: unknown command \"nope\" (one, any, fail)\n", nil},
	} {
		got = nil
		var stderr bytes.Buffer
		status := Run("tool", "usage: tool one|any", cmds, tc.args, &stderr)
		assert.Equal(t, tc.status, status, "%v", tc.args)
		assert.Equal(t, tc.stderr, stderr.String(), "%v", tc.args)
		assert.Equal(t, tc.wantArgs, got, "%v", tc.args)
	}
}
