package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/models/bert"
)

// Generators of the data- cases: user datasets with one thing wrong, written by the test
// (PNG folders and NPZ archives are binary; a tiny BERT model for the text cases).
func init() {
	gray := func(w, h int) image.Image { return image.NewGray(image.Rect(0, 0, w, h)) }
	writePNG := func(path string, im image.Image) error {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		var b bytes.Buffer
		if err := png.Encode(&b, im); err != nil {
			return err
		}
		return os.WriteFile(path, b.Bytes(), 0o644)
	}
	// classes writes n 28x28 images (gray, or RGB when rgb) into each class directory.
	classes := func(dir string, n int, rgb bool, names ...string) error {
		for _, c := range names {
			for i := 0; i < n; i++ {
				var im image.Image = gray(28, 28)
				if rgb {
					im = image.NewRGBA(image.Rect(0, 0, 28, 28))
				}
				if err := writePNG(filepath.Join(dir, c, string(rune('a'+i))+".png"), im); err != nil {
					return err
				}
			}
		}
		return nil
	}
	badInputGenerators["data-images-ragged"] = func(dir string) error {
		if err := classes(filepath.Join(dir, "imgs"), 3, false, "boot", "shirt"); err != nil {
			return err
		}
		return writePNG(filepath.Join(dir, "imgs", "shirt", "z.png"), gray(32, 28))
	}
	badInputGenerators["data-images-empty-class"] = func(dir string) error {
		if err := classes(filepath.Join(dir, "imgs"), 3, false, "boot", "shirt"); err != nil {
			return err
		}
		return os.MkdirAll(filepath.Join(dir, "imgs", "sock"), 0o755)
	}
	badInputGenerators["data-images-unknown-class"] = func(dir string) error {
		if err := classes(filepath.Join(dir, "imgs", "train"), 3, false, "boot", "shirt"); err != nil {
			return err
		}
		return classes(filepath.Join(dir, "imgs", "test"), 1, false, "boot", "sock")
	}
	badInputGenerators["data-images-too-few"] = func(dir string) error {
		if err := classes(filepath.Join(dir, "imgs"), 5, false, "boot"); err != nil {
			return err
		}
		return classes(filepath.Join(dir, "imgs"), 2, false, "shirt")
	}
	badInputGenerators["data-images-rgb-into-mlp"] = func(dir string) error {
		return classes(filepath.Join(dir, "imgs"), 3, true, "boot", "shirt")
	}
	badInputGenerators["data-npz-unknown-label"] = func(dir string) error {
		tr := &data.Dataset{N: 4, Rows: 28, Cols: 28, Images: make([]byte, 4*784), Labels: []byte{0, 1, 0, 1}}
		te := &data.Dataset{N: 2, Rows: 28, Cols: 28, Images: make([]byte, 2*784), Labels: []byte{1, 7}}
		var b bytes.Buffer
		if err := data.WriteNPZ(&b, map[string]*data.Dataset{"_train": tr, "_test": te}); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "set.npz"), b.Bytes(), 0o644)
	}
	badInputGenerators["data-tiny-bert"] = func(dir string) error {
		return bert.WriteTiny(filepath.Join(dir, "model"), bert.TinyOptions{Seed: 1})
	}
}
