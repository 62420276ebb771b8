// Package peakrss runs a command as a subprocess and reports its peak resident memory, for
// tests that bound what a command may use.
//
// Why not the rusage that os/exec already returns: on Linux, Go starts children with vfork
// (CLONE_VM), and at execve the kernel folds the high-water mark of the address space being
// left — the parent's — into the child's maxrss (fs/exec.c, setmax_mm_hiwater_rss). A test
// process that has grown to X MiB therefore sees every child it starts "peak" at X MiB or
// more, whatever the child did. GNU time (/usr/bin/time, Debian package time) starts the
// command with a real fork from a process of about 2 MiB and reports that child's own
// wait4 rusage, so the figure is the command's peak plus at most that small floor.
package peakrss

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// TimeBinary is GNU time, which measures the child.
const TimeBinary = "/usr/bin/time"

// ErrNoTime is returned when GNU time is not installed.
var ErrNoTime = errors.New("peakrss: " + TimeBinary + " (GNU time, Debian package time) is not installed; install it with apt-get install time")

// Result is what one run measured.
type Result struct {
	// PeakBytes is the command's peak resident set size in bytes.
	PeakBytes int64
	// ExitCode is the command's exit status (128+signal when a signal ended it).
	ExitCode int
}

// PeakMiB returns the peak in MiB.
func (r Result) PeakMiB() float64 { return float64(r.PeakBytes) / (1 << 20) }

// Run runs cmd (made by exec.Command, not yet started) under GNU time and returns its peak
// memory and exit status; ctx's end kills it. The command's Dir, Env, Stdin, Stdout and
// Stderr are kept. A command that exits non-zero is not an error (the status is in the
// result); an error means the command could not be run, finish or be measured.
func Run(ctx context.Context, cmd *exec.Cmd) (Result, error) {
	if _, err := os.Stat(TimeBinary); err != nil {
		return Result{}, ErrNoTime
	}
	out, err := os.CreateTemp("", "peakrss-*.txt")
	if err != nil {
		return Result{}, fmt.Errorf("peakrss: %w", err)
	}
	out.Close()
	defer os.Remove(out.Name())

	// The measured command becomes GNU time's child, in a process group of its own so that
	// the context's end kills both.
	orig := append([]string{cmd.Path}, cmd.Args[1:]...)
	timed := exec.CommandContext(ctx, TimeBinary, append([]string{"-f", "%M", "-o", out.Name(), "--"}, orig...)...)
	timed.Dir, timed.Env = cmd.Dir, cmd.Env
	timed.Stdin, timed.Stdout, timed.Stderr = cmd.Stdin, cmd.Stdout, cmd.Stderr
	timed.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	timed.Cancel = func() error { return syscall.Kill(-timed.Process.Pid, syscall.SIGKILL) }
	runErr := timed.Run()
	var res Result
	var exitErr *exec.ExitError
	switch {
	case runErr == nil:
	case errors.As(runErr, &exitErr):
		res.ExitCode = exitErr.ExitCode()
		if res.ExitCode < 0 || ctx.Err() != nil { // killed at the context's end
			return res, fmt.Errorf("peakrss: %s: %w", orig[0], runErr)
		}
	default:
		return res, fmt.Errorf("peakrss: %s: %w", orig[0], runErr)
	}
	report, err := os.ReadFile(out.Name())
	if err != nil {
		return res, fmt.Errorf("peakrss: reading GNU time's report: %w", err)
	}
	// With -o, GNU time writes "Command exited with non-zero status N" or "Command
	// terminated by signal N" before the formatted line.
	lines := strings.Split(strings.TrimSpace(string(bytes.TrimSpace(report))), "\n")
	kib, err := strconv.ParseInt(strings.TrimSpace(lines[len(lines)-1]), 10, 64)
	if err != nil {
		return res, fmt.Errorf("peakrss: GNU time's report %q: %w", report, err)
	}
	res.PeakBytes = kib << 10
	return res, nil
}
