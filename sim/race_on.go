//go:build race

package sim

// raceBuild is true under the race detector, which would report the deliberately
// unsynchronised gap reads of touchCursors (their values are never used): they are off.
const raceBuild = true
