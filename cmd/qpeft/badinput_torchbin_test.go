package main

import (
	"archive/zip"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/models/bert"
)

// Generators of hostile pytorch_model.bin files (formats/torchbin) for the bad-input corpus:
// a tiny model whose weights are a torch.save archive holding the given pickle instead of
// model.safetensors.
func init() {
	torchbin := func(pickle string) func(dir string) error {
		return func(dir string) error {
			model := filepath.Join(dir, "model")
			if err := bert.WriteTiny(model, bert.TinyOptions{Seed: 1}); err != nil {
				return err
			}
			if err := os.Remove(filepath.Join(model, bert.SafetensorsFile)); err != nil {
				return err
			}
			f, err := os.Create(filepath.Join(model, bert.PytorchFile))
			if err != nil {
				return err
			}
			z := zip.NewWriter(f)
			for _, e := range []struct{ name, data string }{{"archive/byteorder", "little"}, {"archive/data.pkl", pickle}} {
				w, err := z.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
				if err != nil {
					return err
				}
				if _, err := w.Write([]byte(e.data)); err != nil {
					return err
				}
			}
			if err := z.Close(); err != nil {
				return err
			}
			return f.Close()
		}
	}
	// os.system("ls") by GLOBAL and REDUCE: refused before anything runs.
	badInputGenerators["tiny-bert-torchbin-os-system"] = torchbin("\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.")
	// A BINUNICODE8 string declaring 2^62 bytes: gopickle would allocate it before reading.
	badInputGenerators["tiny-bert-torchbin-huge-string"] = torchbin("\x80\x04\x8d\x00\x00\x00\x00\x00\x00\x00\x40ab.")
}
