package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/data/text"
	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/models/bert"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/train"
)

// spamData is what `torchref spam` writes: the Go trainer's protocol (train.RunText) for the
// SpamAssassin runs of docs/results-minilm.md, so that the PyTorch package trains on exactly
// the same token ids, batches, schedule and initial adapters.
type spamData struct {
	Classes     []string         `json:"classes"`
	TrainIDs    [][]int          `json:"train_ids"`
	TrainLabels []int            `json:"train_labels"`
	TestIDs     [][]int          `json:"test_ids"`
	TestLabels  []int            `json:"test_labels"`
	Digest      string           `json:"digest"`
	Batch       int              `json:"batch"`
	Steps       int              `json:"steps"`
	LRFactors   []float64        `json:"lr_factors"`
	Orders      map[string][]int `json:"orders"`
	Modules     []string         `json:"modules"`
}

// runSpam writes OUT/data.json and OUT/init-seed<S>/ (the Quantum-PEFT adapter train.RunText
// starts from for seed S).
func runSpam(args []string) error {
	fs := flag.NewFlagSet("spam", flag.ContinueOnError)
	// The flags set the run's configuration: train.RunText's defaults for Quantum-PEFT but for
	// the sample, the sequence length and the adapter's shape.
	cfg := train.DefaultTextConfig("", train.QPEFT)
	model := fs.String("model", "", "all-MiniLM-L6-v2 directory (default: an installed copy)")
	data := fs.String("data", "", "SpamAssassin npm package directory (default: an installed copy)")
	out := fs.String("out", "", "output directory")
	fs.IntVar(&cfg.TrainLimit, "train-limit", 640, "stratified training sample")
	fs.IntVar(&cfg.TestLimit, "test-limit", 0, "stratified test sample (0: all)")
	fs.IntVar(&cfg.MaxLen, "max-len", 64, "tokens per text")
	fs.IntVar(&cfg.Batch, "batch", 16, "texts per step")
	fs.IntVar(&cfg.Epochs, "epochs", 1, "epochs")
	seeds := fs.String("seeds", "1,2,3", "seeds")
	fs.IntVar(&cfg.Rank, "rank", 8, "K")
	fs.IntVar(&cfg.Layers, "layers", 1, "L")
	targets := fs.String("target", "query,value", "adapted modules")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("spam: -out is required")
	}
	var err error
	if *model, *data, err = bert.FindMiniLMSpam(*model, *data); err != nil {
		return err
	}
	m, err := bert.Load(*model)
	if err != nil {
		return err
	}
	cfg.Model, cfg.Data = *model, train.DataSpamAssassin+":"+*data
	trainSet, test, err := train.LoadTextData(cfg.Data)
	if err != nil {
		return err
	}
	if trainSet, test, err = cfg.RunDatasets(trainSet, test); err != nil {
		return err
	}
	sd := spamData{Classes: trainSet.Classes, TrainLabels: trainSet.Labels, TestLabels: test.Labels, Batch: cfg.Batch,
		Orders: map[string][]int{}}
	for _, t := range trainSet.Texts {
		sd.TrainIDs = append(sd.TrainIDs, m.Tokenizer.Encode(t, cfg.MaxLen))
	}
	for _, t := range test.Texts {
		sd.TestIDs = append(sd.TestIDs, m.Tokenizer.Encode(t, cfg.MaxLen))
	}
	// As train.RunText's digest of the train+test texts (results-minilm.md: 502e6df39521…).
	sd.Digest = (&text.Dataset{Classes: trainSet.Classes, Texts: append(append([]string(nil), trainSet.Texts...), test.Texts...),
		Labels: append(append([]int(nil), trainSet.Labels...), test.Labels...), IDs: append(append([]string(nil), trainSet.IDs...), test.IDs...)}).Digest()
	steps := trainSet.Len() / cfg.Batch
	total := steps * cfg.Epochs
	sd.Steps = total
	sched := nn.WarmupCosine{WarmupSteps: cfg.WarmupSteps(total), TotalSteps: total, Peak: 1, Final: 0.01}
	for s := 0; s < total; s++ {
		sd.LRFactors = append(sd.LRFactors, sched.LR(s))
	}
	enc, err := bert.NewEncoder[float32](m.Checkpoint)
	if err != nil {
		return err
	}
	tm, err := bert.ParseTargets(*targets)
	if err != nil {
		return err
	}
	names, err := bert.MatchTargets(enc, tm)
	if err != nil {
		return err
	}
	sd.Modules = names
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for _, s := range strings.Split(*seeds, ",") {
		seed, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(seed, 0x73687566))
		var order []int
		for ep := 0; ep < cfg.Epochs; ep++ {
			order = append(order, rng.Perm(trainSet.Len())[:steps*cfg.Batch]...)
		}
		sd.Orders[s] = order
		pc := peft.Config{Method: peft.MethodQuantumPEFT, Rank: cfg.Rank, Layers: cfg.Layers, Seed: seed}.ForRun(total)
		enc, err := bert.NewEncoder[float32](m.Checkpoint)
		if err != nil {
			return err
		}
		ad, err := train.Inject(enc, pc, names, *model)
		if err != nil {
			return err
		}
		if err := ad.Save(filepath.Join(*out, "init-seed"+s)); err != nil {
			return err
		}
	}
	js, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(*out, "data.json"), js, 0o644)
}
