package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// runCLI runs a command line in-process and returns exit status, stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpVersionAndUnknown(t *testing.T) {
	cases := []struct {
		args       []string
		code       int
		out, errIn string
	}{
		{[]string{"help"}, 0, "Commands:", ""},
		{[]string{"version"}, 0, "qpeft 0.1.0-dev", ""},
		{[]string{"version", "extra"}, 2, "", "takes no arguments"},
		{[]string{"versoin"}, 2, "", `did you mean "version"`},
		{[]string{}, 2, "", "Commands:"},
		{[]string{"version", "--bogus"}, 2, "", "unknown flag: --bogus"},
		{[]string{"help", "version"}, 0, "qpeft version", ""},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, "", c.args...)
		assert.Equal(t, c.code, code, "qpeft %v: exit status; stdout %q, stderr %q", c.args, out, errs)
		assert.Contains(t, out, c.out, "qpeft %v: stdout", c.args)
		assert.Contains(t, errs, c.errIn, "qpeft %v: stderr", c.args)
	}
}
