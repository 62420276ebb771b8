// Package subcmd runs the subcommands of the interop tools (interop/gen, interop/bert/gen,
// interop/torchref): each tool is a list of commands, and Main picks one by its name.
package subcmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Command is one subcommand.
type Command struct {
	Name string
	// Args is the number of arguments Run needs (-1: any); Usage is the error for another
	// number.
	Args  int
	Usage string
	// Run runs the command with the arguments after its name.
	Run func(args []string) error
}

// Main runs the subcommand named by os.Args[1] with the arguments after it and exits: with
// status 2 and usage when there is none, 1 and "tool: error" when it is unknown or fails.
func Main(tool, usage string, cmds []Command) {
	os.Exit(Run(tool, usage, cmds, os.Args[1:], os.Stderr))
}

// Run is Main on args (the subcommand and its arguments) writing to stderr; it returns the
// exit status.
func Run(tool, usage string, cmds []Command, args []string, stderr io.Writer) int {
	if len(args) < 1 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if err := run(cmds, args[0], args[1:]); err != nil {
		fmt.Fprintln(stderr, tool+":", err)
		return 1
	}
	return 0
}

func run(cmds []Command, name string, args []string) error {
	var names []string
	for _, c := range cmds {
		if c.Name != name {
			names = append(names, c.Name)
			continue
		}
		if c.Args >= 0 && len(args) != c.Args {
			return errors.New(c.Usage)
		}
		return c.Run(args)
	}
	return fmt.Errorf("unknown command %q (%s)", name, strings.Join(names, ", "))
}
