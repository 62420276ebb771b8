//go:build !race

package sim

// raceBuild is true under the race detector (see race_on.go).
const raceBuild = false
