package main

import (
	"runtime"
	"runtime/debug"
)

// Version is the release of qpeft; builds from a checkout also report their VCS revision.
const Version = "0.1.0-dev"

func version() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
	}
	return v
}

func goVersion() string { return runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH }
