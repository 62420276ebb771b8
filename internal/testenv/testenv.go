// Package testenv decides what a test does when data, a model or a tool it needs is missing:
// on a developer's machine it skips, naming what is missing and how to install it; under
// CI=true it fails, so that a green CI run cannot hide a missing install step.
package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// InCI reports whether the tests run under CI (the environment variable CI is "true").
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing ends the test because something it needs is absent: t.Fatalf under CI, t.Skipf
// elsewhere. The message should name what is missing and how to install it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("missing under CI=true: "+format, args...)
		return
	}
	t.Skipf(format, args...)
}

// Python returns a Python interpreter that can import every module named, for tests that
// cross-check a file format against a reference implementation. $QPEFT_PYTHON chooses the
// interpreter (default python3); without one that can, the test is Missing.
func Python(t testing.TB, modules ...string) string {
	t.Helper()
	py := os.Getenv("QPEFT_PYTHON")
	if py == "" {
		py = "python3"
	}
	if _, err := exec.LookPath(py); err != nil {
		Missing(t, "no %s: %v", py, err)
		return ""
	}
	check := "pass"
	if len(modules) > 0 {
		check = "import " + strings.Join(modules, ", ")
	}
	if out, err := exec.Command(py, "-c", check).CombinedOutput(); err != nil {
		Missing(t, "%s cannot import %v (set QPEFT_PYTHON to an interpreter that can): %s", py, modules, strings.TrimSpace(string(out)))
		return ""
	}
	return py
}

// TorchPython returns a Python interpreter that can import torch and the given modules:
// QPEFT_TORCH_PYTHON (the transformer venv, which .ci/run installs before go test), else
// QPEFT_PYTHON, else python3. Like Python it skips locally and fails under CI=true when there
// is none, except that QPEFT_TORCH_SKIP=REASON (set by .ci/run on a machine without room for
// torch's ~6 GB) skips loudly with the reason.
func TorchPython(t testing.TB, modules ...string) string {
	t.Helper()
	if why := os.Getenv("QPEFT_TORCH_SKIP"); why != "" {
		t.Skipf("UNCHECKED: torch is not installed on this machine (%s)", why)
		return ""
	}
	if py := os.Getenv("QPEFT_TORCH_PYTHON"); py != "" {
		t.Setenv("QPEFT_PYTHON", py)
	}
	return Python(t, append([]string{"torch"}, modules...)...)
}
