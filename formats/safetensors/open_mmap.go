//go:build linux || darwin || freebsd

package safetensors

import (
	"fmt"
	"math"
	"syscall"

	"github.com/qpeft/qpeft/internal/safefile"
)

// openFile maps the file read-only and parses it in place.
func openFile(path string) (*File, error) {
	fd, err := safefile.Open(path) // regular files only: a FIFO or device cannot block or stream
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer fd.Close() // the mapping stays valid after close
	st, err := fd.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	size := st.Size()
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("safetensors: not a regular file")
	}
	if size < 8 {
		// Too short to map usefully; Parse reports the exact problem.
		b := make([]byte, size)
		if _, err := fd.ReadAt(b, 0); err != nil {
			return nil, fmt.Errorf("safetensors: %w", err)
		}
		return Parse(b)
	}
	if size > math.MaxInt {
		return nil, fmt.Errorf("safetensors: file of %d bytes is too large to map", size)
	}
	m, err := syscall.Mmap(int(fd.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("safetensors: mmap: %w", err)
	}
	f, err := Parse(m)
	if err != nil {
		_ = syscall.Munmap(m)
		return nil, err
	}
	f.unmap = func() error { return syscall.Munmap(m) }
	return f, nil
}
