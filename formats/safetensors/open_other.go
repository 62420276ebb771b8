//go:build !(linux || darwin || freebsd)

package safetensors

import (
	"fmt"

	"github.com/qpeft/qpeft/internal/safefile"
)

// openFile reads the whole file into memory where mmap is not used.
func openFile(path string) (*File, error) {
	b, err := safefile.ReadFile(path, -1) // regular files only
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return Parse(b)
}
