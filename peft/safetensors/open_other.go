//go:build !(linux || darwin || freebsd)

package safetensors

import (
	"fmt"
	"os"
)

// openFile reads the whole file into memory where mmap is not used.
func openFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return Parse(b)
}
