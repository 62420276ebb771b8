// Package version is the release of qpeft, reported by `qpeft version` and recorded in the
// marker of every output directory (internal/outdir).
package version

import "runtime/debug"

// Release is the release of qpeft.
const Release = "0.1.0-dev"

// String returns the release and, for a build from a checkout, its VCS revision
// (0.1.0-dev+0123456789ab).
func String() string {
	v := Release
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
	}
	return v
}
