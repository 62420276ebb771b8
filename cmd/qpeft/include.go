package main

import (
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/qpeft/qpeft/qasm"
)

// qasmFlags are the flags of every command that reads OpenQASM: where includes may come
// from (see docs/qasm.md, "Includes").
type qasmFlags struct {
	includePaths *[]string
	allowAny     *bool
}

// addQASMFlags binds -I/--include-path and --allow-any-include.
func addQASMFlags(fs *pflag.FlagSet) *qasmFlags {
	return &qasmFlags{
		includePaths: fs.StringArrayP("include-path", "I", nil, "also search DIR for included files, and allow includes to read from it; repeatable (includes may otherwise read only files in the program's directory)"),
		allowAny:     fs.Bool("allow-any-include", false, "let includes read files anywhere (absolute paths, .. or links out of the program's directory); only for programs you trust"),
	}
}

// qasmFlagsOf returns the flags addQASMFlags bound in fs (for flag sets built by a
// function that cannot return them).
func qasmFlagsOf(fs *pflag.FlagSet) *qasmFlags {
	paths, _ := fs.GetStringArray("include-path")
	allow, _ := fs.GetBool("allow-any-include")
	return &qasmFlags{includePaths: &paths, allowAny: &allow}
}

// config checks the -I directories and returns the reader configuration.
func (q *qasmFlags) config() (qasm.Config, error) {
	cfg := qasm.Config{AllowAnyInclude: q != nil && *q.allowAny}
	if q == nil {
		return cfg, nil
	}
	for _, d := range *q.includePaths {
		st, err := os.Stat(d)
		switch {
		case err != nil:
			return cfg, usageError("-I %s: %v", d, err)
		case !st.IsDir():
			return cfg, usageError("-I %s: not a directory", d)
		}
		cfg.IncludePaths = append(cfg.IncludePaths, d)
	}
	return cfg, nil
}

// readProgram reads an OpenQASM file, or standard input when path is "-" (and stdin is not
// nil), with the include rules of the flags.
func (q *qasmFlags) readProgram(path string, stdin io.Reader) (*qasm.Program, error) {
	cfg, err := q.config()
	if err != nil {
		return nil, err
	}
	if path == "-" {
		if stdin == nil {
			return nil, usageError("no standard input to read")
		}
		return cfg.ParseReader("<stdin>", stdin)
	}
	return cfg.ParseFile(path)
}
