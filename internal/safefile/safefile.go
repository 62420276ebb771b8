// Package safefile reads files that come from untrusted places (includes of an OpenQASM
// program, the files of a downloaded adapter directory) without the surprises of a plain
// os.ReadFile: only regular files are opened (never a FIFO, a device such as /dev/stdin, or
// a directory, so a read can neither block nor run forever), reads are bounded in size, and
// Within tells whether a path, symbolic links resolved, stays inside a directory.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// NotRegularError reports a path that is not a regular file.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

// Error names the path and what it is instead of a regular file.
func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, describe(e.Mode))
}

// fileKinds are the kinds of file describe names, by their mode bit, tested in this order (a
// character device also has fs.ModeDevice set).
var fileKinds = []struct {
	bit  fs.FileMode
	name string
}{{fs.ModeDir, "a directory"}, {fs.ModeNamedPipe, "a named pipe (FIFO)"}, {fs.ModeSocket, "a socket"},
	{fs.ModeCharDevice, "a character device"}, {fs.ModeDevice, "a device"}, {fs.ModeSymlink, "a symbolic link"},
	{fs.ModeIrregular, "an irregular file"}}

func describe(m fs.FileMode) string {
	for _, k := range fileKinds {
		if m&k.bit != 0 {
			return k.name
		}
	}
	return "not a regular file (mode " + m.String() + ")"
}

// TooLargeError reports a file larger than the bound a reader set.
type TooLargeError struct {
	Path  string
	Limit int64
}

// Error names the file and the bound.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s", e.Path, formatBytes(e.Limit))
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Open opens path for reading if it is a regular file (symbolic links are followed). It
// checks before opening, so that opening a FIFO cannot block, opens without blocking where
// the system allows it, and checks again that the file opened is the one checked.
func Open(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: st.Mode()}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, err
	}
	fst, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fst.Mode().IsRegular() || !os.SameFile(st, fst) {
		f.Close()
		return nil, &NotRegularError{Path: path, Mode: fst.Mode()}
	}
	return f, nil
}

// ReadFile reads the regular file at path, refusing one larger than limit bytes with a
// *TooLargeError (limit < 0: no bound) and anything else than a regular file with a
// *NotRegularError.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if limit >= 0 {
		if st, err := f.Stat(); err == nil && st.Size() > limit {
			return nil, &TooLargeError{Path: path, Limit: limit}
		}
		r = io.LimitReader(f, limit+1)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if limit >= 0 && int64(len(b)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return b, nil
}

// Within reports whether path lies inside the directory root (or is root), after both are
// made absolute and their symbolic links resolved, so that a link pointing out of root
// counts as outside. Both must exist.
func Within(root, path string) (bool, error) {
	r, err := realPath(root)
	if err != nil {
		return false, err
	}
	p, err := realPath(path)
	if err != nil {
		return false, err
	}
	return LexicallyWithin(r, p), nil
}

// LexicallyWithin reports whether the cleaned path is root or below it, without looking at
// the file system (for virtual file systems).
func LexicallyWithin(root, path string) bool {
	rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(path))
	if err != nil {
		return false
	}
	return rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func realPath(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	r, err := filepath.EvalSymlinks(a)
	if err != nil {
		return "", err
	}
	return r, nil
}

// IsNotRegular reports whether err is (or wraps) a *NotRegularError.
func IsNotRegular(err error) bool {
	var e *NotRegularError
	return errors.As(err, &e)
}

// OutsideError reports a file of a directory that leads out of it (through a symbolic link
// or ..).
type OutsideError struct {
	Dir, Path, Target string
}

// Error names the file, where it leads, and the directory it should stay in.
func (e *OutsideError) Error() string {
	return fmt.Sprintf("%s leads to %s, outside %s; files of this directory must stay inside it", e.Path, e.Target, e.Dir)
}

// PathIn returns dir/name after checking that it stays inside dir once symbolic links are
// resolved (an *OutsideError if not). A missing file is returned as the os.Stat error.
func PathIn(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	in, err := Within(dir, p)
	if err != nil {
		return p, err
	}
	if !in {
		target, _ := realPath(p)
		return p, &OutsideError{Dir: dir, Path: p, Target: target}
	}
	return p, nil
}

// ReadFileIn reads the regular file name of directory dir, at most limit bytes (limit < 0:
// no bound), refusing one that leads out of dir.
func ReadFileIn(dir, name string, limit int64) ([]byte, error) {
	p, err := PathIn(dir, name)
	if err != nil {
		return nil, err
	}
	return ReadFile(p, limit)
}
