package atomicfile_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/internal/atomicfile"
)

func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "atomicfile-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "note.txt")
	if err := atomicfile.WriteFile(p, []byte("hello"), 0o644); err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	fmt.Println(string(b))
	// Output: hello
}

func ExampleCreate() {
	dir, err := os.MkdirTemp("", "atomicfile-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "stream.txt")

	f, err := atomicfile.Create(p, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Abort() // no-op once committed
	for i := 0; i < 3; i++ {
		fmt.Fprintf(f, "line %d\n", i)
	}
	if err := f.Commit(); err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	fmt.Print(string(b))
	// Output:
	// line 0
	// line 1
	// line 2
}

func ExampleWriteDir() {
	parent, err := os.MkdirTemp("", "atomicfile-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(parent)
	target := filepath.Join(parent, "adapter")
	for _, version := range []string{"v1", "v2"} {
		err := atomicfile.WriteDir(target, 0o755, func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "version"), []byte(version), 0o644)
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(target, "version"))
	entries, _ := os.ReadDir(parent)
	fmt.Println(string(b), len(entries))
	// Output: v2 1
}
