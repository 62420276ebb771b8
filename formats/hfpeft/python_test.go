package hfpeft

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/internal/testenv"
	"github.com/stretchr/testify/require"
)

// TestPythonCrossCheck reads a saved adapter with Python's json module and
// the reference safetensors package: the config text is exactly what
// json.dumps(indent=2, sort_keys=True) produces (PEFT's save_pretrained),
// and the weights have PEFT's keys, shapes, dtype and metadata.
func TestPythonCrossCheck(t *testing.T) {
	py := testenv.Python(t, "numpy", "safetensors.numpy")
	a := randomAdapter(3)
	dir := filepath.Join(t.TempDir(), "adapter")
	require.NoError(t, a.Save(dir))
	var s strings.Builder
	s.WriteString("import json, numpy as np\nfrom safetensors import safe_open\n")
	fmt.Fprintf(&s, "text = open(%q).read()\ncfg = json.loads(text)\n", filepath.Join(dir, ConfigName))
	s.WriteString("assert json.dumps(cfg, indent=2, sort_keys=True) == text, 'format differs from PEFT'\n")
	s.WriteString("assert cfg['peft_type'] == 'LORA' and cfg['r'] == 3 and cfg['lora_alpha'] == 6 and isinstance(cfg['lora_alpha'], int)\n")
	s.WriteString("assert cfg['rank_pattern'] == {'fc1': 2} and cfg['target_modules'] == ['q_proj', 'v_proj', 'fc1']\n")
	fmt.Fprintf(&s, "f = safe_open(%q, framework='np')\n", filepath.Join(dir, WeightsName))
	s.WriteString("assert f.metadata() == {'format': 'pt'}\n")
	s.WriteString("out = {}\nfor k in sorted(f.keys()):\n    v = f.get_tensor(k)\n    assert v.dtype == np.float32, (k, v.dtype)\n    out[k] = v\n")
	for _, m := range a.ModuleNames() {
		w := a.Modules[m]
		r := a.Config.RankFor(m)
		fmt.Fprintf(&s, "assert out[%q].shape == (%d, %d)\n", KeyPrefix+m+".lora_A.weight", r, w.InFeatures)
		fmt.Fprintf(&s, "assert out[%q].shape == (%d, %d)\n", KeyPrefix+m+".lora_B.weight", w.OutFeatures, r)
		fmt.Fprintf(&s, "assert float(out[%q][0, 0]) == %v\n", KeyPrefix+m+".lora_A.weight", float64(float32(w.A[0])))
	}
	fmt.Fprintf(&s, "assert len(out) == %d\n", 2*len(a.Modules)+len(a.Extra))
	s.WriteString("print('ok')\n")
	out, err := exec.Command(py, "-c", s.String()).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("python: %v\n%s\n%s", err, out, s.String())
	}
}
