package qasm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/qpeft/qpeft/internal/safefile"
)

// Includes read files, and a program may come from anywhere (an adapter downloaded from the
// internet embeds its circuits). So an include is confined, like a C compiler's search path
// with a sandbox around it:
//
//   - a relative name is looked up in the including file's directory, then in each of
//     Config.IncludePaths in order; the first that exists is used;
//   - the file must lie inside the box: the directory of the program being read (or
//     Config.BaseDir) or one of Config.IncludePaths, symbolic links resolved, so an absolute
//     path, a ".." or a link leading out of them is refused (Config.AllowAnyInclude lifts
//     this);
//   - only a regular file is read: never a FIFO, a device such as /dev/stdin, or a directory,
//     so an include can neither block nor read standard input.

// includeBox returns the directories an include may read from.
func (l *lowerer) includeBox() []string {
	box := []string{l.dirOf(l.mainFile)}
	return append(box, l.cfg.IncludePaths...)
}

// dirOf is the directory includes of file are resolved against.
func (l *lowerer) dirOf(file string) string {
	if file == l.mainFile && l.cfg.BaseDir != "" {
		return l.cfg.BaseDir
	}
	return includeDir(file)
}

// resolveInclude finds the file an include statement in file from names, and checks that it
// is inside the box.
func (l *lowerer) resolveInclude(from, name string) (string, error) {
	var cands []string
	if filepath.IsAbs(name) {
		cands = []string{filepath.Clean(name)}
	} else {
		cands = append(cands, filepath.Join(l.dirOf(from), name))
		for _, d := range l.cfg.IncludePaths {
			cands = append(cands, filepath.Join(d, name))
		}
	}
	path := ""
	for _, c := range cands {
		if l.exists(c) {
			path = c
			break
		}
	}
	if path == "" {
		where := "relative to the including file"
		if len(l.cfg.IncludePaths) > 0 {
			where += " and the -I directories " + strings.Join(l.cfg.IncludePaths, ", ")
		}
		return "", fmt.Errorf("no file %s (includes are resolved %s)", cands[0], where)
	}
	if l.cfg.AllowAnyInclude {
		return path, nil
	}
	box := l.includeBox()
	for _, root := range box {
		var in bool
		if l.cfg.ReadFile != nil {
			in = safefile.LexicallyWithin(root, path)
		} else {
			var err error
			if in, err = safefile.Within(root, path); err != nil {
				continue // a -I directory that does not exist holds nothing
			}
		}
		if in {
			return path, nil
		}
	}
	shown := make([]string, len(box))
	for i, d := range box {
		shown[i] = d
		if a, err := filepath.Abs(d); err == nil {
			shown[i] = a
		}
	}
	what := path
	if l.cfg.ReadFile == nil {
		if resolved, err := filepath.EvalSymlinks(path); err == nil {
			if abs, err := filepath.Abs(path); err == nil && resolved != abs {
				what = path + " leads to " + resolved + ", which"
			}
		}
	}
	return "", fmt.Errorf("%s is outside the directories includes may read (%s); add its directory with -I DIR, or pass --allow-any-include if you trust the program",
		what, strings.Join(shown, ", "))
}

// exists reports whether an include candidate exists (for the operating system, without
// opening it).
func (l *lowerer) exists(path string) bool {
	if l.cfg.ReadFile != nil {
		_, err := l.cfg.ReadFile(path)
		return !isNotExist(err)
	}
	_, err := os.Stat(path)
	return err == nil || !isNotExist(err)
}

// readInclude reads an included file: a regular file of at most max bytes.
func (l *lowerer) readInclude(path string, max int64) ([]byte, error) {
	if l.cfg.ReadFile != nil {
		return l.cfg.readFile(path, max)
	}
	b, err := safefile.ReadFile(path, max)
	var tl *safefile.TooLargeError
	if errors.As(err, &tl) {
		return nil, fmt.Errorf("%s: file larger than %d bytes (limit MaxSourceBytes)", path, max)
	}
	if safefile.IsNotRegular(err) {
		return nil, fmt.Errorf("%w; only regular files can be included", err)
	}
	return b, err
}
