package torchbin

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/testenv"
)

// TestTorchCrossCheck runs testdata/make.py with the installed torch (QPEFT_TORCH_PYTHON, the
// interop/bert venv; see testenv.TorchPython) and checks the archives it writes against the values it reports, so that
// the reader follows the torch.save of today, not only the committed fixtures.
func TestTorchCrossCheck(t *testing.T) {
	py := testenv.TorchPython(t)
	dir := t.TempDir()
	out, err := exec.Command(py, "testdata/make.py", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	w := readWant(t, filepath.Join(dir, "want.json"))
	for _, p := range []string{"p2", "p4", "p5"} {
		t.Run(p, func(t *testing.T) { checkAgainst(t, filepath.Join(dir, p+".bin"), w) })
	}
}
