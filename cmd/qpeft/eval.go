package main

import (
	"fmt"
	"io"

	"github.com/qpeft/qpeft/train"
)

func init() {
	register(&command{name: "eval",
		summary: "score a saved fine-tuning run (its adapter and head) on a test set",
		usage: "RUN_DIR|RUN_DIR/adapter [--data fashion-mnist[:DIR]|fashion-subset|mnist[:DIR]] [--test-limit N]\n" +
			"  qpeft eval HF_RUN_DIR [--data spam-assassin[:DIR]] [--test-limit N]   (a run of qpeft train --model hf:DIR; not full)",
		run: runEval})
}

func runEval(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags(commands["eval"], stderr)
	dataSpec := fs.String("data", "", "test set to score on (default: the data the run was trained on)")
	limit := fs.Int("test-limit", 0, "use only the first N test images, or a stratified sample of N texts for hf: runs (default: as many as the run used)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("give one run directory (written by qpeft train --out or qpeft demo)")
	}
	if *limit < 0 {
		return usageError("--test-limit %d must be ≥ 0", *limit)
	}
	ctx, stop := signalContext()
	defer stop()
	if dir, ok := hfRunDir(fs.Arg(0)); ok {
		return evalHF(ctx, dir, *dataSpec, *limit, stdout)
	}
	r, err := train.EvaluateRun(ctx, fs.Arg(0), *dataSpec, *limit)
	if err != nil {
		return err
	}
	m := r.Metrics
	fmt.Fprintf(stdout, "%s on %s (seed %d), evaluated on %s: %s\n", m.Label, m.Model.Name, m.Config.Seed, r.Data, r.Score)
	if r.Data == m.Data.Name && r.Score.N == m.Final.N {
		fmt.Fprintf(stdout, "recorded after training: %s", m.Final)
		if r.Score == m.Final {
			fmt.Fprintf(stdout, " (identical)\n")
		} else {
			fmt.Fprintf(stdout, " (DIFFERENT: the weights or the kernels changed)\n")
		}
	}
	p := r.Params
	fmt.Fprintf(stdout, "trainable parameters: %d adapter + %d new head + %d pretrained\n", p.Adapter, p.Head, p.Backbone)
	return nil
}
