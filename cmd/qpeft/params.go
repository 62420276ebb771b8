package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/peft/ortho"
)

func init() {
	register(&command{name: "params",
		summary: "table of trainable parameters: Quantum-PEFT, LoRA, AdaLoRA, full fine-tuning",
		usage:   "(--shape [NAME=]OUTxIN ... [--layers N] | --model NAME) [--rank K] [--lora-ranks LIST] [--cs walsh|full] [--taylor-order P]",
		run:     runParams})
}

func modelNames() string {
	names := make([]string, 0, len(peft.Models))
	for n := range peft.Models {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// parseShape reads "[NAME=]OUTxIN".
func parseShape(s string) (peft.ModuleShape, error) {
	var m peft.ModuleShape
	body := s
	if i := strings.IndexByte(s, '='); i >= 0 {
		m.Name, body = s[:i], s[i+1:]
		if m.Name == "" {
			return m, fmt.Errorf("--shape %q: empty module name before '='", s)
		}
	}
	parts := strings.Split(strings.ToLower(body), "x")
	if len(parts) != 2 {
		return m, fmt.Errorf("--shape %q: want OUTxIN, e.g. 768x768 or q=1024x4096", s)
	}
	var err error
	if m.Out, err = strconv.Atoi(parts[0]); err != nil || m.Out < 1 {
		return m, fmt.Errorf("--shape %q: output size %q is not a positive integer", s, parts[0])
	}
	if m.In, err = strconv.Atoi(parts[1]); err != nil || m.In < 1 {
		return m, fmt.Errorf("--shape %q: input size %q is not a positive integer", s, parts[1])
	}
	return m, nil
}

func runParams(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags(commands["params"], stderr)
	shapes := fs.StringArray("shape", nil, "a weight shape OUTxIN (PyTorch out x in), optionally NAME=OUTxIN; repeat for several")
	layers := fs.Int("layers", 1, "number of layers the shapes repeat over (a whole model)")
	model := fs.String("model", "", "a model description instead of --shape: "+modelNames())
	rank := fs.Int("rank", 8, "K of Quantum-PEFT and r of AdaLoRA")
	loraRanks := fs.IntSlice("lora-ranks", []int{1, 2, 4, 8, 16, 32, 64}, "LoRA ranks to list")
	cs := fs.String("cs", "walsh", "cosine–sine stages of non-power-of-two dimensions: walsh (1+⌈log2 N2⌉ angles) or full (N2 angles)")
	order := fs.Int("taylor-order", 8, "truncation order of the Taylor map (does not change the count)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	var mods []peft.ModuleShape
	n := *layers
	switch {
	case *model != "" && len(*shapes) > 0:
		return usageError("give either --model or --shape, not both")
	case *model != "":
		m, ok := peft.Models[*model]
		if !ok {
			return usageError("unknown --model %q (known: %s)", *model, modelNames())
		}
		if fs.Changed("layers") {
			return usageError("--layers comes with --model %s (%d layers); drop it", *model, m.Layers)
		}
		mods, n = m.Modules, m.Layers
		fmt.Fprintf(stdout, "%s\n\n", m.Note)
	case len(*shapes) == 0:
		return usageError("give at least one --shape OUTxIN (e.g. --shape 768x768) or --model NAME")
	default:
		for _, s := range *shapes {
			m, err := parseShape(s)
			if err != nil {
				return usageError("%v", err)
			}
			mods = append(mods, m)
		}
	}
	if n < 1 {
		return usageError("--layers %d must be ≥ 1", n)
	}
	mode, err := ortho.ParseCSMode(*cs)
	if err != nil {
		return usageError("--cs: %v", err)
	}
	for _, r := range *loraRanks {
		if r < 1 {
			return usageError("--lora-ranks: rank %d must be ≥ 1", r)
		}
	}
	if *rank < 1 {
		return usageError("--rank %d must be ≥ 1", *rank)
	}
	t, err := peft.ParamTable(mods, n, peft.DefaultSettings(*rank, *loraRanks, mode, *order))
	if err != nil {
		return err
	}
	return t.Write(stdout)
}
