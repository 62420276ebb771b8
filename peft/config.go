package peft

import (
	"fmt"
	"hash/fnv"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/peft/ortho"
)

// Config describes the adapters of a fine-tuning run: one method and its settings, applied
// to every target module. It is what adapter_config.json records.
type Config struct {
	// Method is the adapter family.
	Method Method
	// Rank is K for Quantum-PEFT, r for LoRA and AdaLoRA.
	Rank int
	// Alpha is the scale numerator: ΔW is multiplied by Alpha/Rank. 0 means Alpha = Rank.
	Alpha float64

	// Map is Quantum-PEFT's parameterisation of U and V (default pauli).
	Map ortho.Kind
	// Layers is L, the number of entangling layers of the Pauli ansatz.
	Layers int
	// TaylorOrder is the truncation order of the Taylor map (default 8).
	TaylorOrder int
	// CS parameterises the cosine–sine stages of non-power-of-two dimensions.
	CS ortho.CSMode
	// Circuits holds user ansätze for Map = circuit, keyed by the dimension 2^n they act on.
	Circuits map[int]*circuit.Circuit
	// Ansatz is the built-in circuit family of Map = pauli: ansatz.FamilyPauli (the
	// default, ""), FamilyGivens or FamilyAllToAll.
	Ansatz string
	// Start is how Quantum-PEFT's factors start: StartIdentity ("", angles near zero, U and
	// V near the first K coordinate axes) or StartRotated (the same, followed by a fixed
	// seeded rotation of every circuit block, so that U and V start spread over every
	// coordinate).
	Start string

	// ActiveRank (K′) and PruneStep set the intrinsic-rank mask (Quantum-PEFT, AdaLoRA).
	ActiveRank, PruneStep int
	// QuantBits quantises Quantum-PEFT's angles (0: off).
	QuantBits int
	// InitScale is the half-width of the uniform angle initialisation (0: 0.02).
	InitScale float64
	// OrthWeight is AdaLoRA's orthogonality penalty weight γ.
	OrthWeight float64
	// Seed seeds every initialisation; each module derives its own seed from it and its name.
	Seed uint64
	// RankPattern gives modules their own rank, as PEFT's rank_pattern: a key matches a
	// module whose name is the key or ends with "." followed by the key, the key read as a
	// regular expression ("fc1", or `layer\.[0-2]\..*\.query`); the first matching key in sorted
	// order wins, and modules no key matches get Rank ([Config.RankFor]).
	RankPattern map[string]int
}

// rankKeyRE compiles a RankPattern key into the whole-name pattern it stands for.
func rankKeyRE(key string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:.*\.)?(?:` + key + `)$`)
}

// RankFor returns the rank of the named module: the RankPattern entry of the first key (in
// sorted order) that matches it, else Rank.
func (c Config) RankFor(module string) int {
	keys := make([]string, 0, len(c.RankPattern))
	for k := range c.RankPattern {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if re, err := rankKeyRE(k); err == nil && re.MatchString(module) {
			return c.RankPattern[k]
		}
	}
	return c.Rank
}

// ForModule returns the configuration of one module: Rank set to RankFor(module) and no
// pattern left.
func (c Config) ForModule(module string) Config {
	c.Rank, c.RankPattern = c.RankFor(module), nil
	return c
}

// Quantum-PEFT starts ([Config.Start]).
const (
	// StartIdentity: angles uniform in ±InitScale, U ≈ the first K coordinate axes.
	StartIdentity = "identity"
	// StartRotated: as StartIdentity, then a fixed rotation R (ansatz.Rotation, seeded by
	// Seed) after every circuit block: U = R·Q(θ)·E_K.
	StartRotated = "rotated"
)

// Starts lists the starts in the order help texts show them.
var Starts = []string{StartIdentity, StartRotated}

// ForRun returns c prepared for a training run of totalSteps optimiser steps: PruneStep −1
// means "half-way through the run" (and no pruning at all when no active rank K′ below K is
// set), and the settings the method does not use are cleared (the rank mask outside
// Quantum-PEFT and AdaLoRA, the orthogonality penalty outside AdaLoRA, L and the angle
// initialisation outside Quantum-PEFT). Image and transformer runs both build their adapter
// configuration with it.
func (c Config) ForRun(totalSteps int) Config {
	if c.PruneStep == -1 {
		c.PruneStep = max(1, totalSteps/2)
		if c.ActiveRank == 0 || c.ActiveRank == c.Rank {
			c.PruneStep = 0
		}
	}
	if c.Method != MethodAdaLoRA && c.Method != MethodQuantumPEFT {
		c.ActiveRank, c.PruneStep = 0, 0
	}
	if c.Method != MethodAdaLoRA {
		c.OrthWeight = 0
	}
	if c.Method != MethodQuantumPEFT {
		c.Layers, c.InitScale, c.Ansatz, c.Start = 0, 0, "", ""
	}
	return c
}

// Label names the adapter and its size as the results tables do: "Quantum-PEFT L=2 K=8"
// (with " K′=4" when an active rank is set), "LoRA r=8", "AdaLoRA-style r=8" (or "r=8→4"
// when pruned to an active rank).
func (c Config) Label() string {
	switch c.Method {
	case MethodLoRA:
		if p := c.patternLabel(); len(p) > 0 {
			return fmt.Sprintf("LoRA r=%d (%s)", c.Rank, strings.Join(p, ", "))
		}
		return fmt.Sprintf("LoRA r=%d", c.Rank)
	case MethodQuantumPEFT:
		s := fmt.Sprintf("Quantum-PEFT L=%d K=%d", c.Layers, c.Rank)
		if c.mapKind() == ortho.KindCircuit {
			s = fmt.Sprintf("Quantum-PEFT user circuit K=%d", c.Rank)
		}
		if c.ActiveRank > 0 {
			s += fmt.Sprintf(" K′=%d", c.ActiveRank)
		}
		var extra []string
		if c.Ansatz != "" && c.Ansatz != ansatz.FamilyPauli {
			extra = append(extra, c.Ansatz)
		}
		if c.Start == StartRotated {
			extra = append(extra, "rotated")
		}
		extra = append(extra, c.patternLabel()...)
		if len(extra) > 0 {
			s += " (" + strings.Join(extra, ", ") + ")"
		}
		return s
	case MethodAdaLoRA:
		if c.ActiveRank > 0 && c.ActiveRank < c.Rank {
			return fmt.Sprintf("AdaLoRA-style r=%d→%d", c.Rank, c.ActiveRank)
		}
		return fmt.Sprintf("AdaLoRA-style r=%d", c.Rank)
	}
	return string(c.Method)
}

// patternLabel lists the rank pattern as "key=rank", sorted by key.
func (c Config) patternLabel() []string {
	var out []string
	for k, r := range c.RankPattern {
		out = append(out, fmt.Sprintf("%s=%d", k, r))
	}
	sort.Strings(out)
	return out
}

// Validate checks the settings on their own (shapes are checked by Build).
func (c Config) Validate() error {
	for k, r := range c.RankPattern {
		if k == "" {
			return fmt.Errorf("peft: rank pattern: empty module pattern")
		}
		if _, err := rankKeyRE(k); err != nil {
			return fmt.Errorf("peft: rank pattern %q is not a regular expression: %v", k, err)
		}
		if r < 1 {
			return fmt.Errorf("peft: rank pattern %s=%d: the rank must be ≥ 1", k, r)
		}
		one := c
		one.Rank, one.RankPattern = r, nil
		if err := one.validateOne(); err != nil {
			return fmt.Errorf("peft: rank pattern %s=%d: %w", k, r, err)
		}
	}
	return c.validateOne()
}

// validateOne is Validate for the configuration of one module (its RankPattern ignored).
func (c Config) validateOne() error {
	switch c.Method {
	case MethodQuantumPEFT, MethodLoRA, MethodAdaLoRA:
	default:
		return fmt.Errorf("peft: unknown method %q (want quantum-peft, lora or adalora)", c.Method)
	}
	if c.Rank < 1 {
		return fmt.Errorf("peft: rank %d must be ≥ 1", c.Rank)
	}
	if c.Alpha < 0 || math.IsNaN(c.Alpha) || math.IsInf(c.Alpha, 0) {
		return fmt.Errorf("peft: α = %v must be finite and ≥ 0", c.Alpha)
	}
	if c.Method == MethodLoRA && (c.ActiveRank != 0 || c.PruneStep != 0) {
		return fmt.Errorf("peft: LoRA has no rank mask; use adalora or quantum-peft for K′")
	}
	if c.Method != MethodQuantumPEFT && c.QuantBits != 0 {
		return fmt.Errorf("peft: angle quantisation applies to quantum-peft only")
	}
	if c.Method != MethodQuantumPEFT && (c.Ansatz != "" || c.Start != "") {
		return fmt.Errorf("peft: an ansatz family and a start apply to quantum-peft only")
	}
	switch c.Start {
	case "", StartIdentity, StartRotated:
	default:
		return fmt.Errorf("peft: unknown start %q (want %s)", c.Start, strings.Join(Starts, " or "))
	}
	if c.Ansatz != "" && !ansatz.IsFamily(c.Ansatz) {
		return fmt.Errorf("peft: unknown ansatz family %q (want %s)", c.Ansatz, strings.Join(ansatz.Families, ", "))
	}
	if c.Method == MethodQuantumPEFT && c.mapKind() != ortho.KindPauli && (c.Ansatz != "" || c.Start == StartRotated) {
		return fmt.Errorf("peft: an ansatz family and the rotated start apply to the built-in circuits (map pauli), not map %s; append fixed gates to a user circuit for a rotated start of your own", c.mapKind())
	}
	if c.Method == MethodQuantumPEFT {
		switch c.mapKind() {
		case ortho.KindCircuit:
			if len(c.Circuits) == 0 {
				return fmt.Errorf("peft: map circuit needs at least one user ansatz circuit")
			}
			for d, circ := range c.Circuits {
				if err := ansatz.Check(circ); err != nil {
					return fmt.Errorf("peft: ansatz for dimension %d: %w", d, err)
				}
				if 1<<circ.NumQubits != d {
					return fmt.Errorf("peft: the ansatz given for dimension %d acts on %d qubits (dimension %d)", d, circ.NumQubits, 1<<circ.NumQubits)
				}
			}
		default:
			if err := c.spec(0).Validate(); err != nil {
				return err
			}
		}
		if c.mapKind() == ortho.KindTaylor && c.QuantBits != 0 {
			return fmt.Errorf("peft: angle quantisation needs circuit angles; the taylor map has none")
		}
		if c.QuantBits != 0 {
			if _, err := NewAngleQuantizer(c.QuantBits); err != nil {
				return err
			}
		}
	}
	return (RankOptions{ActiveRank: c.ActiveRank, PruneStep: c.PruneStep}).check(c.Rank)
}

func (c Config) mapKind() ortho.Kind {
	if c.Map == "" {
		return ortho.KindPauli
	}
	return c.Map
}

// spec returns the factor spec for dimension n.
func (c Config) spec(n int) ortho.Spec {
	s := ortho.Spec{Kind: c.mapKind(), Layers: c.Layers, Order: c.TaylorOrder, CS: c.CS}
	if s.Kind == ortho.KindPauli {
		s.Ansatz, s.Rotate, s.Seed = c.Ansatz, c.Start == StartRotated, c.Seed
	}
	if s.Kind == ortho.KindCircuit {
		s.Circuit = c.Circuits[n]
	}
	return s
}

func (c Config) factorSpec(n int) (ortho.Spec, error) {
	s := c.spec(n)
	if s.Kind == ortho.KindCircuit && s.Circuit == nil {
		dims := make([]int, 0, len(c.Circuits))
		for d := range c.Circuits {
			dims = append(dims, d)
		}
		sort.Ints(dims)
		return s, fmt.Errorf("peft: no ansatz circuit for dimension %d (circuits are given for %v); a user circuit on n qubits serves dimension 2^n only: adapt modules of those sizes, or use a built-in ansatz family, which serves every dimension", n, dims)
	}
	return s, nil
}

// ModuleSeed derives the seed of one module from the run's seed and the module name.
func (c Config) ModuleSeed(module string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(module))
	return c.Seed ^ h.Sum64()
}

// Build returns a freshly initialised adapter for an out × in weight of the named module
// (of rank RankFor(module)).
func (c Config) Build(module string, out, in int) (Adapter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.ForModule(module)
	if out < 1 || in < 1 {
		return nil, fmt.Errorf("peft: module %s: shape %dx%d must be positive", module, out, in)
	}
	if c.Rank > min(out, in) {
		return nil, fmt.Errorf("peft: module %s: rank %d exceeds min(out, in) = %d", module, c.Rank, min(out, in))
	}
	seed := c.ModuleSeed(module)
	rank := RankOptions{ActiveRank: c.ActiveRank, PruneStep: c.PruneStep}
	switch c.Method {
	case MethodLoRA:
		return NewLoRA(out, in, c.Rank, c.Alpha, seed)
	case MethodAdaLoRA:
		return NewAdaLoRA(out, in, c.Rank, c.Alpha, rank, c.OrthWeight, seed)
	}
	su, err := c.factorSpec(out)
	if err != nil {
		return nil, err
	}
	sv, err := c.factorSpec(in)
	if err != nil {
		return nil, err
	}
	u, err := ortho.New(out, c.Rank, su)
	if err != nil {
		return nil, fmt.Errorf("peft: module %s: U: %w", module, err)
	}
	v, err := ortho.New(in, c.Rank, sv)
	if err != nil {
		return nil, fmt.Errorf("peft: module %s: V: %w", module, err)
	}
	return NewQuantumPEFT(u, v, Options{Alpha: c.Alpha, Rank: rank, QuantBits: c.QuantBits, InitScale: c.InitScale, Seed: seed})
}
