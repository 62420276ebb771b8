package peft

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/internal/safefile"
	"github.com/qpeft/qpeft/lowering"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/peft/ortho"
	"github.com/qpeft/qpeft/qasm"
)

// Checkpoint file names and format marker.
const (
	ConfigFile    = "adapter_config.json"
	WeightsFile   = "adapter_model.safetensors"
	PeftType      = "QUANTUM_PEFT"
	FormatVersion = 1
)

// MaxConfigBytes bounds the size of an adapter's config file (Load refuses a larger one).
const MaxConfigBytes = 64 << 20

// ModuleShape names a module of a model and the shape (out × in) of its weight.
type ModuleShape struct {
	Name    string
	Out, In int
}

// Checkpoint is a set of adapters, one per target module, built from one Config.
type Checkpoint struct {
	Config    Config
	BaseModel string
	Modules   []Module
}

// NewCheckpoint builds freshly initialised adapters for the given modules.
func NewCheckpoint(cfg Config, baseModel string, shapes []ModuleShape) (*Checkpoint, error) {
	if len(shapes) == 0 {
		return nil, fmt.Errorf("peft: no target modules")
	}
	ck := &Checkpoint{Config: cfg, BaseModel: baseModel}
	seen := map[string]bool{}
	for _, s := range shapes {
		if s.Name == "" {
			return nil, fmt.Errorf("peft: a target module has no name")
		}
		if seen[s.Name] {
			return nil, fmt.Errorf("peft: target module %q listed twice", s.Name)
		}
		seen[s.Name] = true
		a, err := cfg.Build(s.Name, s.Out, s.In)
		if err != nil {
			return nil, err
		}
		ck.Modules = append(ck.Modules, Module{Name: s.Name, Adapter: a})
	}
	return ck, nil
}

// Shapes returns the module names and shapes.
func (ck *Checkpoint) Shapes() []ModuleShape {
	out := make([]ModuleShape, len(ck.Modules))
	for i, m := range ck.Modules {
		o, in := m.Adapter.Dims()
		out[i] = ModuleShape{Name: m.Name, Out: o, In: in}
	}
	return out
}

// Module returns the adapter of the named module, or nil.
func (ck *Checkpoint) Module(name string) Adapter {
	for _, m := range ck.Modules {
		if m.Name == name {
			return m.Adapter
		}
	}
	return nil
}

// Params returns the trainable parameters of every module, module by module (for an
// optimiser).
func (ck *Checkpoint) Params() []*nn.Param {
	var out []*nn.Param
	for _, m := range ck.Modules {
		out = append(out, m.Adapter.Params()...)
	}
	return out
}

// NumTrainable returns the total number of trainable scalars.
func (ck *Checkpoint) NumTrainable() int {
	n := 0
	for _, m := range ck.Modules {
		n += m.Adapter.NumTrainable()
	}
	return n
}

// Check compares the checkpoint's modules with a model's: it reports every module the model
// lacks, every model module the checkpoint lacks (when strict), and every shape mismatch,
// joined into one error.
func (ck *Checkpoint) Check(model []ModuleShape, strict bool) error {
	have := map[string]ModuleShape{}
	for _, s := range model {
		have[s.Name] = s
	}
	var errs []error
	mine := map[string]bool{}
	for _, s := range ck.Shapes() {
		mine[s.Name] = true
		m, ok := have[s.Name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("module %s: not in the model", s.Name))
		case m.Out != s.Out || m.In != s.In:
			errs = append(errs, fmt.Errorf("module %s: the adapter is %dx%d but the model's weight is %dx%d", s.Name, s.Out, s.In, m.Out, m.In))
		}
	}
	if strict {
		for _, s := range model {
			if !mine[s.Name] {
				errs = append(errs, fmt.Errorf("module %s: the model has it but the checkpoint has no adapter for it", s.Name))
			}
		}
	}
	return errors.Join(errs...)
}

// fileConfig is the JSON layout of adapter_config.json.
type fileConfig struct {
	PeftType      string                `json:"peft_type"`
	FormatVersion int                   `json:"qpeft_format_version"`
	Method        Method                `json:"method"`
	Rank          int                   `json:"rank"`
	Alpha         float64               `json:"alpha"`
	Map           ortho.Kind            `json:"map,omitempty"`
	Layers        int                   `json:"layers"`
	TaylorOrder   int                   `json:"taylor_order,omitempty"`
	CSMode        string                `json:"cs_mode,omitempty"`
	ActiveRank    int                   `json:"active_rank"`
	PruneStep     int                   `json:"prune_step"`
	QuantBits     int                   `json:"quant_bits"`
	InitScale     float64               `json:"init_scale"`
	OrthWeight    float64               `json:"orth_weight"`
	Seed          uint64                `json:"seed"`
	BaseModel     string                `json:"base_model_name_or_path"`
	TargetModules []string              `json:"target_modules"`
	Modules       map[string]fileModule `json:"modules"`
	Circuits      map[string]string     `json:"circuits,omitempty"`
	// Ansatz and Start are Config.Ansatz and Config.Start (omitted at their defaults, so
	// that directories written before they existed read the same).
	Ansatz string `json:"ansatz,omitempty"`
	Start  string `json:"start,omitempty"`
	// RankPattern is Config.RankPattern (PEFT's rank_pattern).
	RankPattern map[string]int `json:"rank_pattern,omitempty"`
	// Programs holds the compiled program of every circuit in Circuits, under the same id
	// (docs/program-schema.md): what a runtime without the circuit compiler (the Python
	// package) runs.
	Programs map[string]*lowering.ProgramDoc `json:"programs,omitempty"`
}

type fileModule struct {
	Out int `json:"out"`
	In  int `json:"in"`
	// Rank is the module's rank when a rank pattern gives it another than the config's.
	Rank      int         `json:"rank,omitempty"`
	Active    []int       `json:"active_ranks"`
	Trainable int         `json:"trainable_params"`
	BlocksU   []fileBlock `json:"blocks_U,omitempty"`
	BlocksV   []fileBlock `json:"blocks_V,omitempty"`
	// FactorU and FactorV are the factor trees of U and V (docs/program-schema.md).
	FactorU *ortho.FactorDoc `json:"factor_U,omitempty"`
	FactorV *ortho.FactorDoc `json:"factor_V,omitempty"`
}

type fileBlock struct {
	Path    string `json:"path"`
	Kind    string `json:"kind"`
	Dim     int    `json:"dim"`
	Offset  int    `json:"offset"`
	Params  int    `json:"params"`
	Circuit string `json:"circuit,omitempty"`
}

// circuitID names a circuit block in adapter_config.json's "circuits".
func (c Config) circuitID(dim int) string {
	if c.mapKind() == ortho.KindCircuit {
		return fmt.Sprintf("user_dim%d", dim)
	}
	fam := c.Ansatz
	if fam == "" {
		fam = ansatz.FamilyPauli
	}
	id := fmt.Sprintf("%s_q%d_L%d", fam, ortho.Log2(dim), c.Layers)
	if c.Start == StartRotated {
		id += "_rot"
	}
	return id
}

// blocksOf lists a factor's blocks; circuit blocks get an id whose OpenQASM 3 text is
// stored in circuits.
func (c Config) blocksOf(s ortho.Stiefel, circuits map[string]string) ([]fileBlock, error) {
	st, ok := s.(ortho.Structured)
	if !ok {
		return nil, nil
	}
	var out []fileBlock
	for _, b := range st.Blocks() {
		fb := fileBlock{Path: b.Path, Kind: b.Kind, Dim: b.Dim, Offset: b.Offset, Params: b.Params}
		if b.Circuit != nil {
			fb.Circuit = c.circuitID(b.Dim)
			if _, done := circuits[fb.Circuit]; !done {
				text, err := ansatz.QASM(b.Circuit)
				if err != nil {
					return nil, fmt.Errorf("peft: printing circuit %s: %w", fb.Circuit, err)
				}
				circuits[fb.Circuit] = text
			}
		}
		out = append(out, fb)
	}
	return out, nil
}

// tensorName is the safetensors key of one adapter parameter.
func tensorName(module, param string) string { return module + "." + param }

// Save writes the checkpoint to dir atomically: adapter_config.json (method, settings,
// target modules, per-module shapes, active ranks, parameter counts and factor structure)
// and adapter_model.safetensors (every trainable parameter as F64, "<module>.<param>").
func (ck *Checkpoint) Save(dir string) error {
	fc, err := ck.fileConfig()
	if err != nil {
		return err
	}
	js, err := json.MarshalIndent(fc, "", "  ")
	if err != nil {
		return fmt.Errorf("peft: save %s: %w", dir, err)
	}
	js = append(js, '\n')
	var tensors []safetensors.Tensor
	for _, m := range ck.Modules {
		for _, p := range m.Adapter.Params() {
			if i := nn.FirstNonFinite(p.Value); i >= 0 {
				return fmt.Errorf("peft: save %s: %s[%d] = %v is not finite", dir, tensorName(m.Name, p.Name), i, p.Value[i])
			}
			tensors = append(tensors, safetensors.FromFloat64(tensorName(m.Name, p.Name), p.Shape, p.Value))
		}
	}
	meta := map[string]string{"format": "qpeft", "method": string(ck.Config.Method)}
	err = atomicfile.WriteDir(dir, 0o755, func(tmp string) error {
		if err := os.WriteFile(filepath.Join(tmp, ConfigFile), js, 0o644); err != nil {
			return err
		}
		return safetensors.WriteFile(filepath.Join(tmp, WeightsFile), tensors, meta)
	})
	if err != nil {
		return fmt.Errorf("peft: save %s: %w", dir, err)
	}
	return nil
}

func (ck *Checkpoint) fileConfig() (*fileConfig, error) {
	c := ck.Config
	if err := c.Validate(); err != nil {
		return nil, err
	}
	fc := &fileConfig{PeftType: PeftType, FormatVersion: FormatVersion, Method: c.Method, Rank: c.Rank,
		Alpha: c.Alpha, ActiveRank: c.ActiveRank, PruneStep: c.PruneStep, RankPattern: c.RankPattern,
		OrthWeight: c.OrthWeight, Seed: c.Seed, BaseModel: ck.BaseModel, Modules: map[string]fileModule{}}
	if c.Method == MethodQuantumPEFT {
		fc.Map, fc.Layers, fc.TaylorOrder, fc.CSMode = c.mapKind(), c.Layers, c.TaylorOrder, c.CS.String()
		fc.QuantBits, fc.InitScale = c.QuantBits, c.InitScale
		fc.Ansatz, fc.Start = c.Ansatz, c.Start
	}
	for _, m := range ck.Modules {
		if m.Adapter.Method() != c.Method {
			return nil, fmt.Errorf("peft: module %s holds a %s adapter in a %s checkpoint", m.Name, m.Adapter.Method(), c.Method)
		}
		if m.Adapter.Rank() != c.RankFor(m.Name) {
			return nil, fmt.Errorf("peft: module %s has rank %d, the config %d", m.Name, m.Adapter.Rank(), c.RankFor(m.Name))
		}
		o, in := m.Adapter.Dims()
		fm := fileModule{Out: o, In: in, Active: activeRanks(m.Adapter), Trainable: m.Adapter.NumTrainable()}
		if r := m.Adapter.Rank(); r != c.Rank {
			fm.Rank = r
		}
		if q, ok := m.Adapter.(*QuantumPEFT); ok {
			if fc.Circuits == nil {
				fc.Circuits = map[string]string{}
			}
			var err error
			if fm.BlocksU, err = c.blocksOf(q.fu, fc.Circuits); err != nil {
				return nil, err
			}
			if fm.BlocksV, err = c.blocksOf(q.fv, fc.Circuits); err != nil {
				return nil, err
			}
			if c.mapKind() != ortho.KindTaylor {
				if fc.Programs == nil {
					fc.Programs = map[string]*lowering.ProgramDoc{}
				}
				if fm.FactorU, err = ortho.Describe(q.fu, c.circuitID, fc.Programs); err != nil {
					return nil, fmt.Errorf("peft: module %s: U: %w", m.Name, err)
				}
				if fm.FactorV, err = ortho.Describe(q.fv, c.circuitID, fc.Programs); err != nil {
					return nil, fmt.Errorf("peft: module %s: V: %w", m.Name, err)
				}
			}
		}
		fc.TargetModules = append(fc.TargetModules, m.Name)
		fc.Modules[m.Name] = fm
	}
	sort.Strings(fc.TargetModules)
	return fc, nil
}

// smallAdapter is the number of parameters up to which Load builds an adapter whose
// weights file lacks some of them (to report each one).
const smallAdapter = 1 << 16

// Load reads a checkpoint directory written by Save. It rebuilds every adapter from the
// config and checks the weights file against it, reporting every problem found (unknown or
// missing config fields, missing, unexpected, mistyped or misshapen tensors, non-finite
// values, factor structures that differ from what the config builds), joined into one error.
//
// An adapter directory is untrusted input (people download them): Load reads only regular
// files of bounded size inside dir (a symbolic link leading out of it is refused), and the
// includes of its circuits are resolved against dir and confined to it.
func Load(dir string) (*Checkpoint, error) {
	var fc fileConfig
	if err := safefile.ReadJSONIn(dir, ConfigFile, MaxConfigBytes, &fc); err != nil {
		return nil, fmt.Errorf("peft: load %s: %w", dir, err)
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if fc.PeftType != PeftType {
		bad("%s: peft_type is %q, want %q (a LoRA adapter directory is read by package hfpeft)", ConfigFile, fc.PeftType, PeftType)
	}
	if fc.FormatVersion != FormatVersion {
		bad("%s: qpeft_format_version %d is not supported (want %d)", ConfigFile, fc.FormatVersion, FormatVersion)
	}
	cs, err := ortho.ParseCSMode(fc.CSMode)
	if err != nil {
		bad("%s: cs_mode: %v", ConfigFile, err)
	}
	cfg := Config{Method: fc.Method, Rank: fc.Rank, Alpha: fc.Alpha, Map: fc.Map, Layers: fc.Layers,
		TaylorOrder: fc.TaylorOrder, CS: cs, ActiveRank: fc.ActiveRank, PruneStep: fc.PruneStep,
		QuantBits: fc.QuantBits, InitScale: fc.InitScale, OrthWeight: fc.OrthWeight, Seed: fc.Seed,
		Ansatz: fc.Ansatz, Start: fc.Start, RankPattern: fc.RankPattern}
	if cfg.Method == MethodQuantumPEFT && cfg.mapKind() == ortho.KindCircuit {
		cfg.Circuits = map[int]*circuit.Circuit{}
		for id, text := range fc.Circuits {
			var dim int
			if _, err := fmt.Sscanf(id, "user_dim%d", &dim); err != nil || fmt.Sprintf("user_dim%d", dim) != id {
				bad("%s: circuits: key %q is not of the form user_dim<N>", ConfigFile, id)
				continue
			}
			c, err := ansatz.ParseQASMConfig(&qasm.Config{BaseDir: dir}, ConfigFile+": circuits."+id, []byte(text))
			if err != nil {
				bad("%s: circuits.%s: %v", ConfigFile, id, err)
				continue
			}
			cfg.Circuits[dim] = c
		}
	}
	if err := cfg.Validate(); err != nil {
		bad("%s: %v", ConfigFile, err)
	}
	names := append([]string(nil), fc.TargetModules...)
	sort.Strings(names)
	var keys []string
	for k := range fc.Modules {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !slices.Equal(names, keys) {
		bad("%s: target_modules %v and modules %v disagree", ConfigFile, names, keys)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("peft: load %s:\n%w", dir, errors.Join(errs...))
	}

	wpath, err := safefile.PathIn(dir, WeightsFile)
	if err != nil {
		return nil, fmt.Errorf("peft: load %s: %w", dir, err)
	}
	f, err := safetensors.Open(wpath)
	if err != nil {
		return nil, fmt.Errorf("peft: load %s: %w", dir, err)
	}
	defer f.Close()
	ck := &Checkpoint{Config: cfg, BaseModel: fc.BaseModel}
	used := map[string]bool{}
	rebuilt := map[string]string{}
	rebuiltProgs := map[string]*lowering.ProgramDoc{}
	// The values the weights file holds for each module. A large adapter is built only when
	// the file holds at least the parameters its config declares, so that a config that
	// declares a huge module cannot make Load allocate beyond what the files hold; a small
	// one is built anyway, so that the report below names each missing or misshapen tensor.
	held := map[string]int{}
	tensorsOf := map[string][]string{}
	for _, info := range f.Tensors() {
		if i := strings.LastIndexByte(info.Name, '.'); i > 0 {
			held[info.Name[:i]] += info.NumElements()
			tensorsOf[info.Name[:i]] = append(tensorsOf[info.Name[:i]], info.Name)
		}
	}
	// A module that is not built is reported once: its tensors, circuits and programs are not
	// then also reported as used by no module.
	someUnbuilt := false
	unbuilt := func(name string) {
		someUnbuilt = true
		for _, k := range tensorsOf[name] {
			used[k] = true
		}
	}
	for _, name := range names {
		fm := fc.Modules[name]
		stored := fm.Rank
		if stored == 0 {
			stored = cfg.Rank
		}
		if r := cfg.RankFor(name); stored != r {
			bad("module %s: rank %d in %s, but the config's rank and rank_pattern give it %d", name, stored, ConfigFile, r)
			unbuilt(name)
			continue
		}
		if want, err := CountParams(cfg.ForModule(name), fm.Out, fm.In); err == nil && want > held[name] && want > smallAdapter {
			bad("module %s: a %dx%d adapter has %d parameters but %s holds %d values for it", name, fm.Out, fm.In, want, WeightsFile, held[name])
			unbuilt(name)
			continue
		}
		a, err := cfg.Build(name, fm.Out, fm.In)
		if err != nil {
			bad("module %s: %v", name, err)
			unbuilt(name)
			continue
		}
		if q, ok := a.(*QuantumPEFT); ok {
			for _, f := range []struct {
				which  string
				s      ortho.Stiefel
				stored []fileBlock
			}{{"U", q.fu, fm.BlocksU}, {"V", q.fv, fm.BlocksV}} {
				got, err := cfg.blocksOf(f.s, rebuilt)
				if err != nil {
					bad("module %s: %v", name, err)
				} else if !slices.Equal(got, f.stored) {
					bad("module %s: blocks_%s in %s do not match the factor the config builds (%v)", name, f.which, ConfigFile, got)
				}
			}
			if cfg.mapKind() != ortho.KindTaylor && fc.Programs != nil {
				for _, f := range []struct {
					which  string
					s      ortho.Stiefel
					stored *ortho.FactorDoc
				}{{"U", q.fu, fm.FactorU}, {"V", q.fv, fm.FactorV}} {
					got, err := ortho.Describe(f.s, cfg.circuitID, rebuiltProgs)
					if err != nil {
						bad("module %s: factor_%s: %v", name, f.which, err)
					} else if !sameJSON(got, f.stored) {
						bad("module %s: factor_%s in %s does not match the factor the config builds", name, f.which, ConfigFile)
					}
				}
			}
		}
		for _, p := range a.Params() {
			key := tensorName(name, p.Name)
			used[key] = true
			info, ok := f.Info(key)
			if !ok {
				bad("tensor %s: missing from %s", key, WeightsFile)
				continue
			}
			if !slices.Equal(info.Shape, p.Shape) {
				bad("tensor %s: shape %v, want %v", key, info.Shape, p.Shape)
				continue
			}
			v, err := f.Float64(key)
			if err != nil {
				bad("tensor %s: %v", key, err)
				continue
			}
			if i := nn.FirstNonFinite(v); i >= 0 {
				bad("tensor %s: element %d is %v", key, i, v[i])
			}
			copy(p.Value, v)
		}
		if ms, ok := a.(maskSetter); ok {
			if err := ms.setActive(fm.Active); err != nil {
				bad("module %s: active_ranks: %v", name, err)
			}
		} else if len(fm.Active) != a.Rank() {
			bad("module %s: active_ranks lists %d of %d ranks but %s has no rank mask", name, len(fm.Active), a.Rank(), cfg.Method)
		}
		if got := a.NumTrainable(); fm.Trainable != got {
			bad("module %s: trainable_params is %d, the adapter has %d", name, fm.Trainable, got)
		}
		ck.Modules = append(ck.Modules, Module{Name: name, Adapter: a})
	}
	for id, text := range fc.Circuits {
		want, ok := rebuilt[id]
		switch {
		case !ok:
			if !someUnbuilt {
				bad("%s: circuits.%s is used by no module", ConfigFile, id)
			}
		case want != text && cfg.mapKind() == ortho.KindPauli:
			bad("%s: circuits.%s differs from the built-in ansatz the config names; to train an edited circuit, set \"map\" to \"circuit\" and name it user_dim<N>", ConfigFile, id)
		}
	}
	for id := range rebuilt {
		if _, ok := fc.Circuits[id]; !ok {
			bad("%s: circuits.%s is missing", ConfigFile, id)
		}
	}
	// programs is optional (directories written before it existed); when present it must be
	// exactly what the stored circuits compile to.
	if fc.Programs != nil {
		for id, p := range fc.Programs {
			want, ok := rebuiltProgs[id]
			switch {
			case !ok:
				if !someUnbuilt {
					bad("%s: programs.%s is used by no module", ConfigFile, id)
				}
			case !sameJSON(p, want):
				bad("%s: programs.%s differs from the compiled circuits.%s; delete \"programs\" to have it rebuilt, or recompile it with qpeft", ConfigFile, id, id)
			}
		}
		for id := range rebuiltProgs {
			if _, ok := fc.Programs[id]; !ok {
				bad("%s: programs.%s is missing", ConfigFile, id)
			}
		}
	}
	for _, k := range f.Names() {
		if !used[k] {
			bad("tensor %s: not a parameter of any module in %s", k, ConfigFile)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("peft: load %s:\n%w", dir, errors.Join(errs...))
	}
	return ck, nil
}

// sameJSON reports whether a and b encode to the same JSON.
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// Factor document identification (qpeft ansatz blocks --json).
const (
	FactorFormat  = "qpeft-factor"
	FactorVersion = 1
)

// FactorFile is one factor of a Quantum-PEFT adapter as a standalone JSON document: the
// factor tree of U = Q(θ)·E_K and the programs of its circuit leaves, keyed as in an adapter
// directory's "programs" (docs/program-schema.md).
type FactorFile struct {
	Format   string                          `json:"format"`
	Version  int                             `json:"version"`
	Dim      int                             `json:"dim"`
	Rank     int                             `json:"rank"`
	Factor   *ortho.FactorDoc                `json:"factor"`
	Programs map[string]*lowering.ProgramDoc `json:"programs"`
	// Circuits holds the OpenQASM 3 text of every program's circuit, as an adapter directory
	// stores it in "circuits".
	Circuits map[string]string `json:"circuits"`
}

// DescribeFactor builds the factor of dimension dim and rank K the config gives a module
// (the pauli or circuit map) and returns it as a document.
func (c Config) DescribeFactor(dim, rank int) (*FactorFile, error) {
	c.Method = MethodQuantumPEFT
	c.Rank = rank
	if err := c.Validate(); err != nil {
		return nil, err
	}
	s, err := c.factorSpec(dim)
	if err != nil {
		return nil, err
	}
	f, err := ortho.New(dim, rank, s)
	if err != nil {
		return nil, err
	}
	ff := &FactorFile{Format: FactorFormat, Version: FactorVersion, Dim: dim, Rank: rank,
		Programs: map[string]*lowering.ProgramDoc{}, Circuits: map[string]string{}}
	if ff.Factor, err = ortho.Describe(f, c.circuitID, ff.Programs); err != nil {
		return nil, err
	}
	if _, err := c.blocksOf(f, ff.Circuits); err != nil {
		return nil, err
	}
	return ff, nil
}
