// Package atomicfile writes files and directories so that a reader, or the
// next run after a crash, sees either the complete previous content or the
// complete new content, never a partly written file.
//
// Files are written to a temporary file in the same directory as the target
// (so that the final rename never crosses a file system), flushed with fsync,
// closed, renamed over the target, and then the containing directory is
// fsynced so that the rename itself is durable.
//
// Temporary names start with a dot and the target's base name
// (".<base>.tmp-<random>") so that they are easy to recognise. An orderly
// failure (an error from a write, from the caller's fill function, from
// fsync or from rename, or an explicit Abort) removes every temporary it
// made. Only a hard crash of the process (SIGKILL, power loss) can leave such
// a temporary behind; the target itself is never touched until the final
// rename.
//
// Permissions passed to WriteFile, Create and WriteDir are applied exactly
// with chmod, without the process umask. Writes to one target path from
// several goroutines or processes at once are not coordinated: each one is
// atomic, and the last rename wins.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Hooks that tests replace to inject failures at precise points.
var (
	osRename = os.Rename
	syncFile = func(f *os.File) error { return f.Sync() }
)

// WriteFile atomically replaces the file at path with data. The file gets
// permission bits perm. On error the previous content of path (if any) is
// unchanged and no temporary file is left behind.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Abort()
		return err
	}
	return f.Commit()
}

// File is a pending atomic write to a target path. Write to it like any
// io.Writer, then call Commit to publish the content or Abort to discard it.
// Until Commit returns successfully the target path is untouched.
//
// A File is not safe for concurrent use. After the first failed Write every
// further Write and Commit return that error.
type File struct {
	path string
	tmp  *os.File
	perm fs.FileMode
	err  error // sticky write error
	done bool  // committed or aborted
}

// Create starts an atomic write of path. The temporary file is created in
// the directory of path, which must exist. The caller must end with exactly
// one Commit or Abort; a deferred Abort after Commit is harmless.
func Create(path string, perm fs.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	if base == "" || base == "." || base == ".." {
		return nil, fmt.Errorf("atomicfile: %q does not name a file", path)
	}
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("atomicfile: create temporary file for %s: %w", path, err)
	}
	return &File{path: path, tmp: tmp, perm: perm}, nil
}

// Path returns the target path that Commit will replace.
func (f *File) Path() string { return f.path }

// Write appends p to the pending content.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, fmt.Errorf("atomicfile: write to %s after Commit or Abort", f.path)
	}
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.tmp.Write(p)
	if err != nil {
		f.err = fmt.Errorf("atomicfile: write %s: %w", f.path, err)
		return n, f.err
	}
	return n, nil
}

// Commit makes the written content the content of the target path: it sets
// the permissions, fsyncs and closes the temporary file, renames it over the
// target and fsyncs the directory. If Commit fails before the rename, the
// target is unchanged and the temporary file is removed. If only the final
// directory fsync fails, the new content is in place but may not survive a
// power loss; the error says so.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("atomicfile: Commit of %s after Commit or Abort", f.path)
	}
	f.done = true
	fail := func(err error) error {
		_ = f.tmp.Close()
		_ = os.Remove(f.tmp.Name())
		return err
	}
	if f.err != nil {
		return fail(f.err)
	}
	if err := f.tmp.Chmod(f.perm); err != nil {
		return fail(fmt.Errorf("atomicfile: chmod %s: %w", f.path, err))
	}
	if err := syncFile(f.tmp); err != nil {
		return fail(fmt.Errorf("atomicfile: fsync %s: %w", f.path, err))
	}
	if err := f.tmp.Close(); err != nil {
		return fail(fmt.Errorf("atomicfile: close %s: %w", f.path, err))
	}
	if err := osRename(f.tmp.Name(), f.path); err != nil {
		_ = os.Remove(f.tmp.Name())
		return fmt.Errorf("atomicfile: rename into place %s: %w", f.path, err)
	}
	if err := syncDir(filepath.Dir(f.path)); err != nil {
		return fmt.Errorf("atomicfile: %s written, but the directory fsync failed: %w", f.path, err)
	}
	return nil
}

// Abort discards the pending content and removes the temporary file. The
// target path is untouched. Abort after Commit or Abort does nothing and
// returns nil, so `defer f.Abort()` is the usual pattern.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	cerr := f.tmp.Close()
	rerr := os.Remove(f.tmp.Name())
	if rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		return fmt.Errorf("atomicfile: remove temporary file for %s: %w", f.path, rerr)
	}
	if cerr != nil && !errors.Is(cerr, os.ErrClosed) {
		return fmt.Errorf("atomicfile: close temporary file for %s: %w", f.path, cerr)
	}
	return nil
}

// WriteDir atomically replaces the directory at path with a directory whose
// content fill writes.
//
// fill is called with the path of a fresh, empty temporary directory next to
// path (".<base>.tmp-<random>", created with permission perm) and must write
// every output file inside it; plain os.WriteFile is fine there. After fill
// returns nil, every file and directory in the tree is fsynced and the tree
// is renamed into place:
//
//   - If path does not exist, the temporary directory is renamed to path.
//   - If path is an existing directory, it is first renamed aside to a
//     sibling ".<base>.old-<random>", the new tree is renamed to path, the
//     parent directory is fsynced and the old tree is removed. If the second
//     rename fails, the old directory is renamed back, so path keeps its old
//     content.
//   - If path exists but is not a directory, WriteDir refuses and changes
//     nothing.
//
// If fill returns an error, the temporary directory is removed and path is
// unchanged. The replacement of an existing directory takes two renames, so
// it is not atomic for a concurrent reader: between them path is briefly
// absent. If the process dies exactly there, the previous content is intact
// under the ".<base>.old-<random>" sibling and the new one under
// ".<base>.tmp-<random>"; WriteDir does not clean such leftovers up by itself.
func WriteDir(path string, perm fs.FileMode, fill func(dir string) error) error {
	path = filepath.Clean(path)
	parent, base := filepath.Split(path)
	if base == "" || base == "." || base == ".." || base == string(filepath.Separator) {
		return fmt.Errorf("atomicfile: %q does not name a directory that can be replaced", path)
	}
	if parent == "" {
		parent = "."
	}
	st, err := os.Lstat(path)
	exists := err == nil
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("atomicfile: %w", err)
	case exists && !st.IsDir():
		return fmt.Errorf("atomicfile: %s exists and is not a directory; refusing to replace it", path)
	}

	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("atomicfile: create temporary directory for %s: %w", path, err)
	}
	cleanup := func(err error) error {
		_ = os.RemoveAll(tmp)
		return err
	}
	if err := os.Chmod(tmp, perm); err != nil {
		return cleanup(fmt.Errorf("atomicfile: chmod %s: %w", path, err))
	}
	if err := fill(tmp); err != nil {
		return cleanup(fmt.Errorf("atomicfile: writing %s: %w", path, err))
	}
	if err := syncTree(tmp); err != nil {
		return cleanup(fmt.Errorf("atomicfile: fsync %s: %w", path, err))
	}

	if !exists {
		if err := osRename(tmp, path); err != nil {
			return cleanup(fmt.Errorf("atomicfile: rename into place %s: %w", path, err))
		}
		if err := syncDir(parent); err != nil {
			return fmt.Errorf("atomicfile: %s written, but the directory fsync failed: %w", path, err)
		}
		return nil
	}

	// Pick a unique sibling name. os.Rename refuses to replace even an empty
	// directory, so the placeholder is removed again before the rename; the
	// random suffix makes a clash in between practically impossible.
	old, err := os.MkdirTemp(parent, "."+base+".old-*")
	if err != nil {
		return cleanup(fmt.Errorf("atomicfile: reserve a name for the old %s: %w", path, err))
	}
	if err := os.Remove(old); err != nil {
		return cleanup(fmt.Errorf("atomicfile: reserve a name for the old %s: %w", path, err))
	}
	if err := osRename(path, old); err != nil {
		return cleanup(fmt.Errorf("atomicfile: move old %s aside: %w", path, err))
	}
	if err := osRename(tmp, path); err != nil {
		if rerr := osRename(old, path); rerr != nil {
			return fmt.Errorf("atomicfile: rename into place %s: %w; restoring the old directory also failed (%v): old content is at %s, new content at %s",
				path, err, rerr, old, tmp)
		}
		return cleanup(fmt.Errorf("atomicfile: rename into place %s: %w (old content restored)", path, err))
	}
	if err := syncDir(parent); err != nil {
		_ = os.RemoveAll(old)
		return fmt.Errorf("atomicfile: %s written, but the directory fsync failed: %w", path, err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("atomicfile: %s written, but removing the old copy %s failed: %w", path, old, err)
	}
	return nil
}

// syncDir fsyncs a directory so that renames and creations in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := syncFile(d)
	cerr := d.Close()
	if serr != nil {
		return serr
	}
	return cerr
}

// syncTree fsyncs every regular file and directory under root (root included).
func syncTree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return nil // symlinks and the like carry no data of their own
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		serr := syncFile(f)
		cerr := f.Close()
		if serr != nil {
			return fmt.Errorf("%s: %w", p, serr)
		}
		return cerr
	})
}
