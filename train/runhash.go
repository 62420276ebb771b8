package train

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
)

// RunInfo identifies the code and configuration that produced a run, so that a sweep reuses
// an earlier run only when both are the same ([RunHash]).
type RunInfo struct {
	// Commit is the git commit the binary was built from (vcs.revision of its build info,
	// with "+dirty" when the tree had uncommitted changes); empty when the build recorded
	// none (go test binaries, builds outside a checkout).
	Commit string `json:"commit,omitempty"`
	// Code is the hash of the training code ([CodeHash]); Config the sha256 of the
	// configuration's JSON; Hash the sha256 of both, the run hash sweeps compare.
	Code   string `json:"code_hash"`
	Config string `json:"config_hash"`
	Hash   string `json:"hash"`
}

// codeHash is computed once per process.
var codeHash = sync.OnceValue(func() codeHashResult {
	h, how, err := computeCodeHash()
	return codeHashResult{h, how, err}
})

type codeHashResult struct {
	hash, how string
	err       error
}

// CodeHash returns the hash of the code of the running binary and how it was obtained:
//
//   - for a binary built from a clean git checkout (build info vcs.revision set and
//     vcs.modified false): the sha256 of the revision, the Go version and every dependency's
//     module path, version and checksum — the same commit built with the same toolchain
//     and modules gives the same hash;
//   - otherwise (uncommitted changes, no VCS stamp as in go test binaries, or no build
//     info): the sha256 of the executable file itself, which changes with any change to the
//     code linked into it.
//
// The hash covers the whole binary, not only the training packages: it is conservative (a
// change anywhere in the module marks earlier runs stale) rather than clever.
func CodeHash() (hash, how string) {
	r := codeHash()
	if r.err != nil {
		return "unknown", "unknown: " + r.err.Error()
	}
	return r.hash, r.how
}

func computeCodeHash() (string, string, error) {
	bi, ok := debug.ReadBuildInfo()
	if ok {
		rev, modified := buildSetting(bi, "vcs.revision"), buildSetting(bi, "vcs.modified")
		if rev != "" && modified == "false" {
			var b strings.Builder
			fmt.Fprintf(&b, "%s\n%s\n%s\n", bi.Main.Path, rev, bi.GoVersion)
			deps := append([]*debug.Module(nil), bi.Deps...)
			sort.Slice(deps, func(i, j int) bool { return deps[i].Path < deps[j].Path })
			for _, d := range deps {
				fmt.Fprintf(&b, "%s %s %s\n", d.Path, d.Version, d.Sum)
			}
			return sha256Hex([]byte(b.String())), "git commit " + rev + " (clean), Go " + bi.GoVersion + " and the modules of the build", nil
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return "", "", err
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", "", err
	}
	return hex.EncodeToString(h.Sum(nil)), "sha256 of the executable " + exe, nil
}

// Commit returns the git commit of the binary's build info ("+dirty" with uncommitted
// changes), or "".
func Commit() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev := buildSetting(bi, "vcs.revision")
	if rev != "" && buildSetting(bi, "vcs.modified") == "true" {
		rev += "+dirty"
	}
	return rev
}

func buildSetting(bi *debug.BuildInfo, key string) string {
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// RunHash returns the RunInfo of a run of configuration cfg (a Config or TextConfig) by the
// running binary.
func RunHash(cfg any) (*RunInfo, error) {
	js, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("train: run hash: %w", err)
	}
	code, _ := CodeHash()
	ri := &RunInfo{Commit: Commit(), Code: code, Config: sha256Hex(js)}
	ri.Hash = sha256Hex([]byte(ri.Code + "\n" + ri.Config))
	return ri, nil
}

// reuseKind says whether a run directory may serve a sweep job.
type reuseKind int

const (
	reuseNone  reuseKind = iota // no finished run of this configuration
	reuseStale                  // the configuration's run, by other (or unknown) code
	reuseFresh                  // the configuration's run by this code: the run hash matches
)

// reuseOf compares a recorded run's information with the hash of the job's configuration:
// fresh when the run hashes match, stale when they differ or the run recorded none (its
// configuration having been found equal by the caller).
func reuseOf(recorded *RunInfo, cfg any) reuseKind {
	want, err := RunHash(cfg)
	if err != nil || recorded == nil || want.Code == "unknown" || recorded.Hash != want.Hash {
		return reuseStale
	}
	return reuseFresh
}
