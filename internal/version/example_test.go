package version_test

import (
	"fmt"
	"strings"

	"github.com/qpeft/qpeft/internal/version"
)

func ExampleString() {
	fmt.Println(strings.HasPrefix(version.String(), version.Release))
	// Output: true
}
