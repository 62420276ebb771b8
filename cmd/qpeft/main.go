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
	"sync"

	"github.com/qpeft/qpeft/internal/editdist"
	"github.com/spf13/pflag"
)

// command is one subcommand. run receives the arguments after the subcommand name and
// writes its output to stdout; it returns an error for the user (exit status 1), or
// errUsage-wrapped errors for misuse (exit status 2).
type command struct {
	name    string
	summary string
	usage   string // e.g. "FILE.qasm [--shots N]"
	// extraHelp, when set, adds text after the usage lines of --help (the subcommands of
	// ansatz and their flags).
	extraHelp func() string
	run       func(args []string, stdin io.Reader, stdout, stderr io.Writer) error
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

// flagCommands maps each flag set newFlags made to its command, so that parseFlags can
// answer --help with the command's usage.
var flagCommands sync.Map // *pflag.FlagSet → *command

// newFlags returns a flag set for a subcommand that reports errors instead of exiting.
// --help is answered by parseFlags (the usage goes to standard output); stderr receives the
// deprecation notes of old flag spellings.
func newFlags(c *command, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet("qpeft "+c.name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.Usage = func() {}
	flagCommands.Store(fs, c)
	return fs
}

// usageText is the help of command c with the flags of fs: what `qpeft CMD --help` and
// `qpeft help CMD` print.
func usageText(c *command, fs *pflag.FlagSet) string {
	s := fmt.Sprintf("%s\n\nUsage:\n  qpeft %s %s\n", c.summary, c.name, c.usage)
	if c.extraHelp != nil {
		s += c.extraHelp()
	}
	if fs != nil {
		if f := fs.FlagUsages(); f != "" {
			s += "\nFlags:\n" + f
		}
	}
	return s
}

// helpRequest is returned by parseFlags for -h/--help: run prints text to standard output
// and exits with status 0.
type helpRequest struct{ text string }

func (h *helpRequest) Error() string { return "help requested" }

// Is makes a help request match pflag.ErrHelp.
func (h *helpRequest) Is(target error) bool { return target == pflag.ErrHelp }

// aliasAnnotation marks a hidden flag as an old spelling of another flag.
const aliasAnnotation = "qpeft-alias-of"

// deprecatedAlias registers old as a hidden, deprecated spelling of the flag name (which
// must already be defined): it sets the same value, marks name as given, and prints a
// deprecation note on standard error when used.
func deprecatedAlias(fs *pflag.FlagSet, old, name string) {
	f := fs.Lookup(name)
	if f == nil {
		panic("deprecatedAlias: no flag --" + name)
	}
	fs.AddFlag(&pflag.Flag{Name: old, Value: f.Value, DefValue: f.DefValue, NoOptDefVal: f.NoOptDefVal,
		Usage: f.Usage, Hidden: true, Deprecated: "use --" + name + " instead",
		Annotations: map[string][]string{aliasAnnotation: {name}}})
}

// parseFlags parses args, turning flag errors into usage errors and -h/--help into a
// helpRequest carrying the command's usage. A flag given through a deprecated alias counts
// as given under its new name (fs.Changed). Integer flags also accept exact exponent
// notation (--shots 1e10).
func parseFlags(fs *pflag.FlagSet, args []string) error {
	args, err := normalizeIntegerFlags(fs, args)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			text := ""
			if c, ok := flagCommands.Load(fs); ok {
				text = usageText(c.(*command), fs)
			}
			return &helpRequest{text: text}
		}
		return usageError("%v", err)
	}
	fs.Visit(func(f *pflag.Flag) {
		if to := f.Annotations[aliasAnnotation]; len(to) == 1 {
			fs.Lookup(to[0]).Changed = true
		}
	})
	return nil
}

func main() {
	code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if os.Getenv("QPEFT_REPORT_PEAK_MEMORY") != "" {
		reportPeakMemory(os.Stderr)
	}
	os.Exit(code)
}

// run executes a command line and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printHelp(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "--help":
		name = "help"
	case "--version", "-V":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "qpeft: unknown command %q%s\nRun 'qpeft help' for the list of commands.\n", name, suggest(name))
		return 2
	}
	err := c.run(args[1:], stdin, stdout, stderr)
	var help *helpRequest
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		io.WriteString(stdout, help.text)
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
		if d := editdist.Distance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
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
	fmt.Fprintln(w, "\nRun 'qpeft COMMAND --help' or 'qpeft help COMMAND' for a command's flags;")
	fmt.Fprintln(w, "'qpeft --version' prints the version.")
}

func init() {
	register(&command{name: "help", summary: "show the commands, or one command's usage (the same text as qpeft COMMAND --help)", usage: "[COMMAND [SUBCOMMAND]]",
		run: func(args []string, _ io.Reader, stdout, stderr io.Writer) error {
			fs := newFlags(commands["help"], stderr)
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() == 0 {
				printHelp(stdout)
				return nil
			}
			c, ok := commands[fs.Arg(0)]
			if !ok {
				return usageError("unknown command %q%s", fs.Arg(0), suggest(fs.Arg(0)))
			}
			return c.run(append(fs.Args()[1:], "--help"), nil, stdout, stderr)
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
