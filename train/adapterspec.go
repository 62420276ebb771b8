package train

import (
	"fmt"
	"sort"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/models/bert"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/peft/ortho"
)

// AllLinear as the only target adapts every linear layer but the classifier head, as PEFT's
// target_modules="all-linear": on BERT-family encoders the attention query, key, value and
// output projections and both feed-forward layers of every layer (not the pooler, which mean
// pooling does not use); on image models every adaptable layer but the head (mlp512: fc1,
// fc2; mnist-cnn: its two convolutions, adapted through their weight matrices).
const AllLinear = "all-linear"

// isAnsatzFiles reports whether an ansatz setting names OpenQASM files rather than a family.
func isAnsatzFiles(spec string) bool {
	for _, f := range strings.Split(spec, ",") {
		if strings.HasSuffix(strings.ToLower(strings.TrimSpace(f)), ".qasm") {
			return true
		}
	}
	return false
}

// ansatzFiles reads the OpenQASM ansätze of a comma-separated list of files, keyed by the
// dimension 2^n of each.
func ansatzFiles(spec string) (map[int]*circuit.Circuit, error) {
	out := map[int]*circuit.Circuit{}
	from := map[int]string{}
	for _, f := range strings.Split(spec, ",") {
		f = strings.TrimSpace(f)
		if !strings.HasSuffix(strings.ToLower(f), ".qasm") {
			return nil, fmt.Errorf("train: --ansatz %q: %q is not a .qasm file; give OpenQASM files, or one family (%s)", spec, f, strings.Join(ansatz.Families, ", "))
		}
		c, err := ansatz.LoadQASM(f)
		if err != nil {
			return nil, fmt.Errorf("train: --ansatz: %w", err)
		}
		d := 1 << c.NumQubits
		if prev, dup := from[d]; dup {
			return nil, fmt.Errorf("train: --ansatz: %s and %s both act on %d qubits (dimension %d); give one circuit per dimension", prev, f, c.NumQubits, d)
		}
		out[d], from[d] = c, f
	}
	return out, nil
}

// check validates the ansatz, start and rank pattern settings for a run of method on their
// own.
func (a AdapterSettings) check(method Method) error {
	spec, start := a.Ansatz, a.Start
	if method != QPEFT && (spec != "" || start != "") {
		return fmt.Errorf("train: --ansatz and --start apply to qpeft, not %s", method)
	}
	if !method.Adapter() && len(a.RankPattern) > 0 {
		return fmt.Errorf("train: --rank-pattern applies to qpeft, lora and adalora, not %s", method)
	}
	if isAnsatzFiles(spec) {
		if start == peft.StartRotated {
			return fmt.Errorf("train: --start rotated applies to the built-in ansätze (%s), not to OpenQASM files; append fixed gates to your circuit for a rotated start of your own", strings.Join(ansatz.Families, ", "))
		}
		_, err := ansatzFiles(spec)
		return err
	}
	if spec != "" && !ansatz.IsFamily(spec) {
		return fmt.Errorf("train: --ansatz %q: want %s or OpenQASM files (FILE.qasm[,FILE.qasm])", spec, strings.Join(ansatz.Families, ", "))
	}
	return nil
}

// withSpec sets the ansatz (a family, or OpenQASM files: the circuit map), the start and the
// rank pattern of an adapter configuration. Files that cannot be read leave the circuits
// empty; check reports why.
func (a AdapterSettings) withSpec(pc peft.Config) peft.Config {
	if pc.Method != peft.MethodQuantumPEFT {
		pc.RankPattern = a.RankPattern
		return pc
	}
	if isAnsatzFiles(a.Ansatz) {
		pc.Map = ortho.KindCircuit
		pc.Circuits, _ = ansatzFiles(a.Ansatz)
	} else {
		pc.Ansatz = a.Ansatz
	}
	pc.Start, pc.RankPattern = a.Start, a.RankPattern
	return pc
}

// ParseRankPattern reads per-module ranks, "fc1=4,fc2=8" (PEFT's rank_pattern; a key is a
// module name, an alias of one, or a regular expression over module names).
func ParseRankPattern(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		var r int
		if _, err := fmt.Sscanf(v, "%d", &r); !ok || k == "" || err != nil || fmt.Sprint(r) != strings.TrimSpace(v) {
			return nil, fmt.Errorf("rank pattern %q: want MODULE=RANK[,MODULE=RANK…], e.g. fc1=4,fc2=8", s)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("rank pattern %q: module %q given twice", s, k)
		}
		out[k] = r
	}
	return out, nil
}

// checkPatternMatches reports a rank-pattern key that gives no adapted module its rank (a
// misspelt module name would otherwise be ignored).
func checkPatternMatches(pattern map[string]int, modules []string) error {
	keys := make([]string, 0, len(pattern))
	for k := range pattern {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		one := peft.Config{RankPattern: map[string]int{k: 1}}
		found := false
		for _, m := range modules {
			if one.RankFor(m) == 1 {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("train: --rank-pattern %s=%d matches none of the adapted modules (%s)", k, pattern[k], strings.Join(modules, ", "))
		}
	}
	return nil
}

// textTargets resolves a text run's targets over an encoder's linear layers: AllLinear, or
// PEFT's target_modules (names or a regular expression).
func textTargets[T nn.Float](enc *bert.Encoder[T], spec string) ([]string, error) {
	if strings.TrimSpace(spec) == AllLinear {
		var names []string
		for _, s := range enc.Sites() {
			if strings.HasPrefix(s.Name, "encoder.") {
				names = append(names, s.Name)
			}
		}
		return names, nil
	}
	tm, err := bert.ParseTargets(spec)
	if err != nil {
		return nil, err
	}
	return bert.MatchTargets(enc, tm)
}
