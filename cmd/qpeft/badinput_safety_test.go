//go:build unix

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/peft"
)

// Generators of the include- cases: files git cannot hold (a FIFO, a symbolic link) and an
// adapter directory whose circuit includes standard input.
func init() {
	badInputGenerators["fifo"] = func(dir string) error {
		return syscall.Mkfifo(filepath.Join(dir, "gates.inc"), 0o644)
	}
	badInputGenerators["symlink-escape"] = func(dir string) error {
		if err := os.MkdirAll(filepath.Join(dir, "lib"), 0o755); err != nil {
			return err
		}
		return os.Symlink("/etc/passwd", filepath.Join(dir, "lib", "gates.inc"))
	}
	badInputGenerators["run-fifo-metrics"] = func(dir string) error {
		if err := os.MkdirAll(filepath.Join(dir, "run"), 0o755); err != nil {
			return err
		}
		return syscall.Mkfifo(filepath.Join(dir, "run", "metrics.json"), 0o644)
	}
	badInputGenerators["adapter-config-fifo"] = func(dir string) error {
		if err := os.MkdirAll(filepath.Join(dir, "adapter"), 0o755); err != nil {
			return err
		}
		return syscall.Mkfifo(filepath.Join(dir, "adapter", peft.ConfigFile), 0o644)
	}
	badInputGenerators["adapter-include-stdin"] = func(dir string) error {
		c := circuit.New(3).RY("x", 0).CX(0, 2).RY("y", 2)
		cfg := peft.Config{Method: peft.MethodQuantumPEFT, Rank: 2, Map: "circuit", Circuits: map[int]*circuit.Circuit{8: c}, Seed: 1}
		ck, err := peft.NewCheckpoint(cfg, "", []peft.ModuleShape{{Name: "fc", Out: 8, In: 8}})
		if err != nil {
			return err
		}
		ad := filepath.Join(dir, "adapter")
		if err := ck.Save(ad); err != nil {
			return err
		}
		path := filepath.Join(ad, peft.ConfigFile)
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var fc map[string]any
		if err := json.Unmarshal(raw, &fc); err != nil {
			return err
		}
		circuits := fc["circuits"].(map[string]any)
		text := circuits["user_dim8"].(string)
		nl := strings.IndexByte(text, '\n')
		circuits["user_dim8"] = text[:nl+1] + "include \"/dev/stdin\";\n" + text[nl+1:]
		out, err := json.Marshal(fc)
		if err != nil {
			return err
		}
		return os.WriteFile(path, out, 0o644)
	}
}
