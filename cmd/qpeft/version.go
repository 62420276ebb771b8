package main

import (
	"runtime"

	qversion "github.com/qpeft/qpeft/internal/version"
)

// version is the release of qpeft; builds from a checkout also report their VCS revision.
func version() string { return qversion.String() }

func goVersion() string { return runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH }
