//go:build unix

package safefile_test

import (
	"fmt"

	"github.com/qpeft/qpeft/internal/safefile"
)

// ExampleReadFile shows that a device is refused instead of read.
func ExampleReadFile() {
	_, err := safefile.ReadFile("/dev/null", 1<<20)
	fmt.Println(err)
	// Output: /dev/null is a character device, not a regular file
}
