// Command qpeft is the command-line front end of qpeft: author quantum circuits in OpenQASM,
// simulate them, lower them to matrices, train them as parameter-efficient fine-tuning
// adapters, and export them to quantum hardware.
//
// Each subcommand lives in its own file and registers itself in init; this file only
// dispatches. Run `qpeft help` for the list.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// command is one subcommand. run receives the arguments after the subcommand name and
// writes its output to stdout; it returns an error for the user (exit status 1), or
// errUsage-wrapped errors for misuse (exit status 2).
type command struct {
	name    string
	summary string
	usage   string // e.g. "FILE.qasm [--shots N]"
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("duplicate command " + c.name)
	}
	commands[c.name] = c
}

// errUsage marks an error caused by how the command was called.
var errUsage = errors.New("usage")

// usageError wraps a message as a usage error.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// newFlags returns a flag set for a subcommand that reports errors instead of exiting.
func newFlags(c *command, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet("qpeft "+c.name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nUsage:\n  qpeft %s %s\n\nFlags:\n%s", c.summary, c.name, c.usage, fs.FlagUsages())
	}
	return fs
}

// parseFlags parses args, turning flag errors into usage errors and -h into errHelp.
// Integer flags also accept exact exponent notation (--shots 1e10).
func parseFlags(fs *pflag.FlagSet, args []string) error {
	args, err := normalizeIntegerFlags(fs, args)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return pflag.ErrHelp
		}
		return usageError("%v", err)
	}
	return nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes a command line and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printHelp(stderr)
		return 2
	}
	name := args[0]
	if name == "-h" || name == "--help" {
		name = "help"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "qpeft: unknown command %q%s\nRun 'qpeft help' for the list of commands.\n", name, suggest(name))
		return 2
	}
	err := c.run(args[1:], stdin, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, pflag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "qpeft %s: %s\nRun 'qpeft %s --help' for usage.\n", c.name, strings.TrimPrefix(err.Error(), "usage: "), c.name)
		return 2
	default:
		fmt.Fprintf(stderr, "qpeft %s: %v\n", c.name, err)
		return 1
	}
}

func suggest(name string) string {
	best, bestD := "", 3
	for n := range commands {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "qpeft — quantum circuits as parameter-efficient fine-tuning adapters")
	fmt.Fprintln(w, "\nUsage:\n  qpeft COMMAND [ARGS]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'qpeft COMMAND --help' for a command's flags.")
}

func init() {
	register(&command{name: "help", summary: "show the commands, or one command's usage", usage: "[COMMAND]",
		run: func(args []string, _ io.Reader, stdout, stderr io.Writer) error {
			if len(args) == 0 {
				printHelp(stdout)
				return nil
			}
			c, ok := commands[args[0]]
			if !ok {
				return usageError("unknown command %q%s", args[0], suggest(args[0]))
			}
			return c.run([]string{"--help"}, nil, stdout, stdout)
		}})
	register(&command{name: "version", summary: "print the version of qpeft and of Go", usage: "",
		run: func(args []string, _ io.Reader, stdout, stderr io.Writer) error {
			fs := newFlags(commands["version"], stderr)
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 {
				return usageError("version takes no arguments")
			}
			fmt.Fprintf(stdout, "qpeft %s (%s)\n", version(), goVersion())
			return nil
		}})
}
