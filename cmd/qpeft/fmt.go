package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/qasm/parser"
	"github.com/qpeft/qpeft/qasm/printer"
)

func init() {
	register(&command{
		name:    "fmt",
		summary: "format an OpenQASM program canonically (layout only; meaning and comments kept)",
		usage:   "FILE.qasm|- [-w] [--check]",
		run:     runFmt,
	})
}

// errNotFormatted is returned by --check for a file whose layout is not canonical.
var errNotFormatted = errors.New("not formatted")

func runFmt(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := commands["fmt"]
	fs := newFlags(cmd, stderr)
	write := fs.BoolP("write", "w", false, "rewrite the file in place (atomically) instead of printing")
	check := fs.Bool("check", false, "print nothing; fail if the file is not formatted")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("fmt takes one OpenQASM file (or - for standard input), got %d arguments", fs.NArg())
	}
	if *write && *check {
		return usageError("-w and --check exclude each other")
	}
	path := fs.Arg(0)
	var src []byte
	var err error
	name := path
	if path == "-" {
		if *write {
			return usageError("-w needs a file, not standard input")
		}
		name = "<stdin>"
		if stdin == nil {
			return usageError("no standard input to read")
		}
		src, err = io.ReadAll(io.LimitReader(stdin, 64<<20+1))
	} else {
		src, err = os.ReadFile(path)
	}
	if err != nil {
		return err
	}
	f, err := parser.ParseFile(name, src, parser.ParseComments)
	if err != nil {
		return err
	}
	out := printer.Source(f)
	switch {
	case *check:
		if !bytes.Equal(out, src) {
			return fmt.Errorf("%s: %w (run qpeft fmt -w %s)", name, errNotFormatted, path)
		}
		return nil
	case *write:
		if bytes.Equal(out, src) {
			return nil
		}
		mode := os.FileMode(0o644)
		if st, err := os.Stat(path); err == nil {
			mode = st.Mode().Perm()
		}
		return atomicfile.WriteFile(path, out, mode)
	}
	_, err = stdout.Write(out)
	return err
}
