package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// Generators of the large inputs of the export-* cases: written into the case's working
// copy by the test, never committed.
func init() {
	// A 20 MiB coupling map: refused by size before it is parsed.
	badInputGenerators["export-coupling-20mb"] = func(dir string) error {
		f, err := os.Create(filepath.Join(dir, "map.json"))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		fmt.Fprint(w, "[")
		for i := 0; i < 2_000_000; i++ { // about 24 MB
			fmt.Fprintf(w, "[%d,%d],", i%2000, i%2000+1)
		}
		fmt.Fprint(w, "[0,1]]")
		if err := w.Flush(); err != nil {
			return err
		}
		return f.Close()
	}
}
