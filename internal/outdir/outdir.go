// Package outdir is qpeft's one policy for output directories (qpeft train --out, qpeft demo
// --out, qpeft export --adapter -o, and the run directories of the sweeps): outputs never
// destroy anything.
//
// An output directory is written as a whole, atomically (see [atomicfile.WriteDir]), and
// carries a marker file, [MarkerFile], that names the command that wrote it, the version of
// qpeft, and every file and directory it wrote. A later command replaces a directory only
// when it is absent, empty, or a complete earlier qpeft output whose marker lists everything
// the directory holds now (or that is inside a complete qpeft output written into it, such as
// qpeft export --adapter RUN/adapter -o RUN/circuits); anything else (a file, a directory of the user's, a qpeft output
// to which the user has added a file) is refused with a message naming the directory and the
// fix, and nothing is touched.
//
// [Check] runs before the work that produces an output starts (a training run can take
// hours): it creates the parent directory, checks that a directory can be created there,
// that the file system has room for the expected size, and removes (or reports) the
// temporary directories an earlier, killed write left beside the target.
package outdir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/internal/safefile"
	"github.com/qpeft/qpeft/internal/version"
)

// MarkerFile is the name of the marker qpeft writes into every output directory.
const MarkerFile = ".qpeft-output"

// MarkerFormat is the format tag of the marker.
const MarkerFormat = "qpeft-output/1"

// maxEntries bounds the entries CheckReplace walks: a directory holding more is not one qpeft
// wrote (its largest outputs hold a few hundred files).
const maxEntries = 100000

// maxMarkerBytes bounds the marker read (maxEntries names of a few dozen bytes each).
const maxMarkerBytes = 64 << 20

// Marker is the content of [MarkerFile].
type Marker struct {
	Format string `json:"format"`
	// Command is the command that wrote the directory, e.g. "qpeft train".
	Command string `json:"command"`
	// Version is the version of qpeft that wrote it (the module version and VCS revision).
	Version string `json:"version"`
	// Files lists every file and directory written, relative to the output directory,
	// slash-separated, directories with a trailing slash, sorted. The marker itself is not
	// listed.
	Files []string `json:"files"`
}

// ReadMarker reads the marker of an output directory.
func ReadMarker(dir string) (*Marker, error) {
	// A regular file only: the directory may be anyone's, and a FIFO there must not block.
	var m Marker
	if err := safefile.ReadJSON(filepath.Join(dir, MarkerFile), maxMarkerBytes, &m); err != nil {
		return nil, err
	}
	if m.Format != MarkerFormat {
		return nil, fmt.Errorf("%s: format %q, want %q", filepath.Join(dir, MarkerFile), m.Format, MarkerFormat)
	}
	return &m, nil
}

// name formats how a message names the output: "--out DIR", or "DIR" without a flag.
func name(path, flag string) string {
	if flag == "" {
		return path
	}
	return flag + " " + path
}

// listTree returns every entry under dir (not dir itself, not the marker at its top),
// relative and slash-separated, directories with a trailing slash, sorted. It stops with
// an error after maxEntries entries.
func listTree(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == MarkerFile {
			return nil
		}
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, rel)
		if len(out) > maxEntries {
			return fmt.Errorf("more than %d entries", maxEntries)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// sample formats at most three names of a list for a message.
func sample(names []string) string {
	if len(names) <= 3 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:3], ", "), len(names)-3)
}

// CheckReplace reports whether path may be written as a whole by [Write]: it may when it
// does not exist, is an empty directory, or is a complete earlier qpeft output (its marker
// lists every entry it holds). Otherwise the error names the path, what is in the way and
// the fix. flag ("--out", "-o") names the option that gave path in messages; it may be empty.
func CheckReplace(path, flag string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	fix := "pick another " + flag
	if flag == "" {
		fix = "pick another directory"
	}
	if errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%s: cannot create its parent directory: a component of the path is a file; %s", name(path, flag), fix)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name(path, flag), err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link; qpeft does not write through links: %s", name(path, flag), fix)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is a file, not a directory; %s, or remove the file first", name(path, flag), fix)
	}
	entries, err := listTree(path)
	if err != nil {
		return fmt.Errorf("%s: %w; it is not a directory qpeft wrote, so it is left alone: %s", name(path, flag), err, fix)
	}
	m, merr := ReadMarker(path)
	if len(entries) == 0 && merr != nil {
		if errors.Is(merr, fs.ErrNotExist) {
			return nil // an empty directory
		}
	}
	if merr != nil {
		what := "holds files qpeft did not write (" + sample(entries) + ")"
		if !errors.Is(merr, fs.ErrNotExist) {
			what = "has an unreadable marker (" + merr.Error() + ")"
		}
		return fmt.Errorf("%s %s; qpeft replaces only its own complete earlier outputs (marked by %s): %s, or move those files away or remove %s first",
			name(path, flag), what, MarkerFile, fix, path)
	}
	if foreign := foreignEntries(path, entries, m); len(foreign) > 0 {
		return fmt.Errorf("%s is an earlier output of %s, but it now also holds files qpeft did not write (%s); replacing it would lose them: %s, or move those files away first",
			name(path, flag), m.Command, sample(foreign), fix)
	}
	return nil
}

// foreignEntries returns the entries of the qpeft output dir (entries relative to it, sorted,
// as listTree gives them; m its marker) that qpeft did not write. A directory the marker does
// not list but that holds a marker of its own (a qpeft output written inside another, such as
// qpeft export --adapter RUN/adapter -o RUN/circuits) is judged by its own marker.
func foreignEntries(dir string, entries []string, m *Marker) []string {
	listed := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		listed[f] = true
	}
	var foreign []string
	for i := 0; i < len(entries); i++ {
		e := entries[i]
		if listed[e] {
			continue
		}
		if strings.HasSuffix(e, "/") {
			sub := filepath.Join(dir, filepath.FromSlash(e))
			if sm, err := ReadMarker(sub); err == nil {
				// Sorted, the entries under e follow it contiguously.
				var inner []string
				j := i + 1
				for ; j < len(entries) && strings.HasPrefix(entries[j], e); j++ {
					if rest := strings.TrimPrefix(entries[j], e); rest != MarkerFile {
						inner = append(inner, rest)
					}
				}
				for _, f := range foreignEntries(sub, inner, sm) {
					foreign = append(foreign, e+f)
				}
				i = j - 1
				continue
			}
		}
		foreign = append(foreign, e)
	}
	return foreign
}

// Write writes the output directory path as a whole: after [CheckReplace] allows it, fill
// writes every output file into a fresh temporary directory beside path, the marker is added
// (command names the writer, e.g. "qpeft train"), and the directory is renamed into place
// ([atomicfile.WriteDir]). The parent of path is created when missing. On error path is
// unchanged.
func Write(path, flag, command string, fill func(dir string) error) error {
	if err := CheckReplace(path, flag); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(path)), 0o755); err != nil {
		return fmt.Errorf("%s: %w", name(path, flag), err)
	}
	return atomicfile.WriteDir(path, 0o755, func(dir string) error {
		if err := fill(dir); err != nil {
			return err
		}
		files, err := listTree(dir)
		if err != nil {
			return err
		}
		b, err := json.MarshalIndent(Marker{Format: MarkerFormat, Command: command, Version: version.String(), Files: files}, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, MarkerFile), append(b, '\n'), 0o644)
	})
}

// Check prepares the output path before the work that fills it starts: [CheckReplace] must
// allow it, its parent directory is created, a directory must be creatable there, and the
// file system must have at least need bytes free (when it reports its free space). It also
// cleans up after an earlier write of path that was killed: temporary directories and files
// (".<base>.tmp-*") are removed, and the previous content moved aside (".<base>.old-*") is
// removed when path has been replaced since, or reported otherwise. notes describes what
// was removed or found, one sentence each, for the user.
func Check(path, flag string, need int64) (notes []string, err error) {
	if path == "" {
		return nil, nil
	}
	if err := CheckReplace(path, flag); err != nil {
		return nil, err
	}
	clean := filepath.Clean(path)
	parent, base := filepath.Dir(clean), filepath.Base(clean)
	if base == "" || base == "." || base == ".." || base == string(filepath.Separator) {
		return nil, fmt.Errorf("%s does not name a directory qpeft can write as a whole; give a new directory's name", name(path, flag))
	}
	if err := writable(path, flag, parent, base, need); err != nil {
		return nil, err
	}
	return leftovers(parent, base, clean), nil
}

// writable creates parent when missing and checks that a temporary directory named after
// base can be created in it (what an atomic write beside path needs) and that its file
// system has need bytes free.
func writable(path, flag, parent, base string, need int64) error {
	if err := os.MkdirAll(parent, 0o755); err != nil {
		if errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("%s: cannot create its parent directory: a component of the path is a file; pick another %s", name(path, flag), flagOr(flag))
		}
		return fmt.Errorf("%s: cannot create its parent directory: %w", name(path, flag), err)
	}
	probe, err := os.MkdirTemp(parent, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("%s: cannot write in %s (%w); pick another %s", name(path, flag), parent, unwrapPath(err), flagOr(flag))
	}
	if err := os.Remove(probe); err != nil {
		return fmt.Errorf("%s: %w", name(path, flag), err)
	}
	if free, ok := freeBytes(parent); ok && need > 0 && free < uint64(need) {
		return fmt.Errorf("%s: the output needs about %s but the file system of %s has only %s free; free some space or pick another %s",
			name(path, flag), size(uint64(need)), parent, size(free), flagOr(flag))
	}
	return nil
}

// CheckDir checks, before long work, a directory that the work fills with outputs of its own
// (the run directories of a sweep, each written by [Write]): dir is created when missing, must
// be a directory, must be writable, and its file system must have need bytes free. Nothing in
// it is replaced or removed.
func CheckDir(dir, flag string, need int64) error {
	if dir == "" {
		return nil
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return fmt.Errorf("%s is a file, not a directory; pick another %s", name(dir, flag), flagOr(flag))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		if errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("%s: cannot create it: a component of the path is a file; pick another %s", name(dir, flag), flagOr(flag))
		}
		return fmt.Errorf("%s: cannot create it (%w); pick another %s", name(dir, flag), unwrapPath(err), flagOr(flag))
	}
	return writable(dir, flag, filepath.Clean(dir), "qpeft-check", need)
}

// CheckFile checks, before long work, that the file path can be written (atomically, by
// atomicfile) when the work ends: path is not a directory, its parent is created when
// missing and must be writable.
func CheckFile(path, flag string) error {
	if path == "" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory; give a file name", name(path, flag))
	}
	clean := filepath.Clean(path)
	return writable(path, flag, filepath.Dir(clean), filepath.Base(clean), 0)
}

// flagOr names the flag, or "directory" without one.
func flagOr(flag string) string {
	if flag == "" {
		return "directory"
	}
	return flag
}

// unwrapPath strips the operation and path of a *fs.PathError (which would repeat the
// temporary name), keeping the cause.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// size formats a byte count in MiB or GiB.
func size(b uint64) string {
	const mib = 1 << 20
	if b >= 1<<30 {
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/mib)
}

// leftovers removes or reports what killed writes of parent/base left behind.
func leftovers(parent, base, path string) []string {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil
	}
	_, statErr := os.Lstat(path)
	exists := statErr == nil
	var notes []string
	for _, e := range entries {
		n := e.Name()
		p := filepath.Join(parent, n)
		switch {
		case strings.HasPrefix(n, "."+base+".tmp-"):
			if err := os.RemoveAll(p); err != nil {
				notes = append(notes, fmt.Sprintf("%s was left by an interrupted write of %s and could not be removed (%v); remove it", p, path, err))
				continue
			}
			notes = append(notes, fmt.Sprintf("removed %s, left by an interrupted write of %s", p, path))
		case strings.HasPrefix(n, "."+base+".old-"):
			if _, err := ReadMarker(p); exists && err == nil {
				if err := os.RemoveAll(p); err == nil {
					notes = append(notes, fmt.Sprintf("removed %s, a previous output of %s that an interrupted write left behind", p, path))
					continue
				}
			}
			if exists {
				notes = append(notes, fmt.Sprintf("%s holds an earlier content of %s that an interrupted write left behind; remove it when you no longer need it", p, path))
			} else {
				notes = append(notes, fmt.Sprintf("%s holds the previous content of %s, moved aside by an interrupted write; move it back (mv %s %s) or remove it", p, path, p, path))
			}
		}
	}
	return notes
}
