package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

//go:generate go test -run ^TestCLIReference$ -update-clidoc .

var updateCLIDoc = flag.Bool("update-clidoc", false, "rewrite docs/cli.md from the commands' help")

// cliDocPath is the generated command reference, relative to this package.
const cliDocPath = "../../docs/cli.md"

// helpText runs `qpeft ARGS... --help` in-process and returns what it prints.
func helpText(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	code := run(append(args, "--help"), nil, &out, &out)
	require.Equal(t, 0, code, "qpeft %s --help: exit status\n%s", strings.Join(args, " "), out.String())
	return strings.TrimRight(out.String(), "\n") + "\n"
}

// subcommandRe finds usage lines of the form "qpeft NAME SUB …" that name a subcommand.
var subcommandRe = regexp.MustCompile(`(?m)^\s*qpeft ([a-z]+) ([a-z][a-z0-9-]*)\b`)

// cliReference builds docs/cli.md from `qpeft help` and every command's --help.
func cliReference(t *testing.T) string {
	var b strings.Builder
	b.WriteString("# qpeft command reference\n\n")
	b.WriteString("<!-- Generated from the commands' own --help by `go generate ./cmd/qpeft` (which runs\n")
	b.WriteString("     `go test ./cmd/qpeft -run '^TestCLIReference$' -update-clidoc`). Do not edit by hand:\n")
	b.WriteString("     TestCLIReference fails when this file differs from the commands' help. -->\n\n")
	b.WriteString("Every command prints the text below with `qpeft COMMAND --help` (or `qpeft help COMMAND`).\n")
	b.WriteString("Build the tool with `go build -o qpeft ./cmd/qpeft`, or run it as `go run ./cmd/qpeft`.\n")
	b.WriteString("See [getting-started.md](getting-started.md) for a guided tour.\n\n")
	b.WriteString("Exit status: 0 on success, 1 when the command fails (the message says why), 2 for a\n")
	b.WriteString("usage error (a wrong flag or argument; the message says how to fix it).\n\n")
	b.WriteString("Output is `-o/--out` in every command, and modules to adapt are `--targets`; the older\n")
	b.WriteString("spellings (`export --output`, `train --target`) still work but print a deprecation note.\n\n")
	b.WriteString("Output directories (`train --out`, `demo --out`, `export --adapter -o`) are written as a\n")
	b.WriteString("whole: into a temporary directory beside the target (`.NAME.tmp-*`), then renamed into\n")
	b.WriteString("place, with a `.qpeft-output` marker naming the command, the version and every file\n")
	b.WriteString("written. An existing directory is replaced only when it is such an earlier output and holds\n")
	b.WriteString("nothing else; a file, or a directory holding anything qpeft did not write, is refused and\n")
	b.WriteString("left untouched (pick another `--out`, or move the files away). Before training starts the\n")
	b.WriteString("location is checked: its parent is created, must be writable and must have room for the\n")
	b.WriteString("output. Temporary directories left beside it by a killed run are removed by the next run,\n")
	b.WriteString("which says so on standard error.\n\n")
	b.WriteString("Integer flags accept exact exponent notation: `--shots 1e10` and `--shots 2.5e3` are\n")
	b.WriteString("integers; `--shots 1e-3` is refused as not a whole number.\n\n")
	b.WriteString("Memory: `run`, `unitary`, `lower`, `bench` and `train` predict their whole peak memory\n")
	b.WriteString("before they start (the state vector or matrix, the simulator's scratch, the counts of a\n")
	b.WriteString("sampled run, a second state for circuits simulated shot by shot; for `train` the data, the\n")
	b.WriteString("weights, and the buffers of a training step and an evaluation batch, measured on a copy of\n")
	b.WriteString("the model at two small batch sizes and extended to the run's; 0.2 % on top for the Go\n")
	b.WriteString("runtime's heap metadata; and about 16 MiB for the process itself; output is streamed) and\n")
	b.WriteString("refuse at once, naming the estimate, its parts and\n")
	b.WriteString("the limit in GiB, when it is above the limit: `--memory-limit` (e.g. `16GiB`), else the\n")
	b.WriteString("environment variable `QPEFT_MEMORY_LIMIT`, else three quarters of the machine's memory.\n")
	b.WriteString("The same estimates guard the libraries (`sim.RunFootprint`, `sim.ColumnsFootprint`,\n")
	b.WriteString("`lowering.RealProgram.Footprint`, `train.Footprint`); TestPeakMemoryEstimates checks them\n")
	b.WriteString("against the measured peak of each path (from 1x to 1.5x). `QPEFT_REPORT_PEAK_MEMORY=1`\n")
	b.WriteString("makes any command print its peak resident memory on standard error at exit. (`train\n")
	b.WriteString("--model hf:DIR` checks the encoder's weights against the limit, not the whole run.)\n\n")
	b.WriteString("Sampling: when every measurement comes after the last gate, `run --shots N` simulates the\n")
	b.WriteString("state once and draws the counts directly from the multinomial distribution of the\n")
	b.WriteString("outcomes (sequential binomial draws), so time and memory grow with 2^n and the number of\n")
	b.WriteString("distinct outcomes, not with N (up to 2^62 shots; the counts always add up to N, and the\n")
	b.WriteString("same seed gives the same counts). A program that measures or resets before a later gate\n")
	b.WriteString("is simulated shot by shot, with a progress bar on a terminal; Ctrl-C stops it and prints\n")
	b.WriteString("the counts of the shots taken so far.\n\n")

	var top bytes.Buffer
	printHelp(&top)
	b.WriteString("```text\n$ qpeft help\n" + top.String() + "```\n\n")

	names := make([]string, 0, len(commands))
	for n := range commands {
		if n != "help" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	b.WriteString("Commands: ")
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "[%s](#qpeft-%s)", n, n)
	}
	b.WriteString(".\n")
	for _, n := range names {
		h := helpText(t, n)
		fmt.Fprintf(&b, "\n## qpeft %s\n\n```text\n$ qpeft %s --help\n%s```\n", n, n, h)
		seen := map[string]bool{}
		for _, m := range subcommandRe.FindAllStringSubmatch(h, -1) {
			if m[1] != n || seen[m[2]] {
				continue
			}
			seen[m[2]] = true
			sh := helpText(t, n, m[2])
			fmt.Fprintf(&b, "\n### qpeft %s %s\n\n```text\n$ qpeft %s %s --help\n%s```\n", n, m[2], n, m[2], sh)
		}
	}
	return b.String()
}

// TestCLIReference checks that docs/cli.md is exactly what the commands' help says, so the
// reference cannot drift from the code. Run `go generate ./cmd/qpeft` to rewrite it.
func TestCLIReference(t *testing.T) {
	// Defaults that follow the environment must not leak into the reference.
	t.Setenv("COLUMNS", "")
	got := cliReference(t)
	path := filepath.FromSlash(cliDocPath)
	if *updateCLIDoc {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "create it with: go generate ./cmd/qpeft")
	if string(want) != got {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := 0; i < max(len(wl), len(gl)); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			require.Equal(t, w, g, "docs/cli.md is out of date (first difference at line %d)\nregenerate it with: go generate ./cmd/qpeft", i+1)
		}
	}
}

// TestCLIReferenceCoversEverything checks the generator itself: every command and the
// subcommands of ansatz get a section.
func TestCLIReferenceCoversEverything(t *testing.T) {
	t.Setenv("COLUMNS", "")
	doc := cliReference(t)
	// assert.True rather than assert.Contains: the reference is too long to print on failure.
	for n := range commands {
		if n == "help" {
			continue
		}
		assert.True(t, strings.Contains(doc, "\n## qpeft "+n+"\n") && strings.Contains(doc, "$ qpeft "+n+" --help\n"), "no section for %s", n)
	}
	for _, sub := range []string{"pauli", "check", "blocks"} {
		assert.True(t, strings.Contains(doc, "### qpeft ansatz "+sub+"\n"), "no section for ansatz %s", sub)
	}
	assert.True(t, strings.Contains(doc, "--plot string"), "the run and lower --plot flags are missing")
}
