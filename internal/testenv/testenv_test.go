package testenv

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
)

// recorder captures what Missing does without ending the calling test.
type recorder struct {
	testing.TB
	fataled, skipped bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.fataled = true }
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }

func TestMissing(t *testing.T) {
	for _, ci := range []string{"true", "", "false"} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		Missing(r, "no %s", "data")
		assert.Equal(t, ci == "true", r.fataled, "CI=%q", ci)
		assert.Equal(t, ci != "true", r.skipped, "CI=%q", ci)
	}
}

func TestPython(t *testing.T) {
	t.Setenv("CI", "")
	t.Setenv("QPEFT_PYTHON", "/nonexistent/python")
	r := &recorder{TB: t}
	assert.Empty(t, Python(r, "json"))
	assert.True(t, r.skipped)
	t.Setenv("CI", "true")
	r = &recorder{TB: t}
	assert.Empty(t, Python(r, "json"))
	assert.True(t, r.fataled)
}

// TestPythonWithoutModules: asking only for an interpreter checks that it runs (it used to
// run "import " and fail with a syntax error).
func TestPythonWithoutModules(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil && os.Getenv("QPEFT_PYTHON") == "" {
		t.Skip("no python3 here")
	}
	assert.NotEmpty(t, Python(t))
}
