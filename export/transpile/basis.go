package transpile

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/qpeft/qpeft/gates"
)

// Basis is a target gate set: the gates a translated circuit may contain. A gate may be
// restricted to a few angle values (Rigetti's rx takes only ±π/2 and π); gphase in Gates
// means the target can carry the global phase, so translation keeps it exactly.
type Basis struct {
	// Name is a short label used in messages ("heron", or the gate list for custom bases).
	Name string
	// Gates are canonical gate names from package gates.
	Gates []string
	// Allowed restricts a one-parameter gate to the listed angles (radians); gates not in
	// the map take any angle.
	Allowed map[string][]float64
}

// Heron is IBM's Heron basis {rz, sx, x, cz}.
func Heron() Basis { return Basis{Name: "heron", Gates: []string{"rz", "sx", "x", "cz"}} }

// Eagle is IBM's Eagle basis {rz, sx, x, ecr}.
func Eagle() Basis { return Basis{Name: "eagle", Gates: []string{"rz", "sx", "x", "ecr"}} }

// Rigetti is Rigetti's native set {rx(±π/2), rx(π), rz, cz}.
func Rigetti() Basis {
	return Basis{Name: "rigetti", Gates: []string{"rx", "rz", "cz"},
		Allowed: map[string][]float64{"rx": {math.Pi / 2, -math.Pi / 2, math.Pi}}}
}

// IonQ is IonQ's native set {gpi, gpi2, ms} (angles in radians here; the IonQ JSON exporter
// converts to turns).
func IonQ() Basis { return Basis{Name: "ionq", Gates: []string{"gpi", "gpi2", "ms"}} }

// Presets lists the named bases ParseBasis accepts.
func Presets() map[string]Basis {
	return map[string]Basis{"heron": Heron(), "eagle": Eagle(), "rigetti": Rigetti(), "ionq": IonQ()}
}

// ParseBasis reads a basis: a preset name (heron, eagle, rigetti, ionq) or a comma-separated
// list of gate names from package gates, e.g. "rz,sx,x,cz" or "u,cx". Every gate must exist;
// the list must be able to express any circuit (checked by Validate).
func ParseBasis(s string) (Basis, error) {
	s = strings.TrimSpace(s)
	if b, ok := Presets()[strings.ToLower(s)]; ok {
		return b, nil
	}
	if s == "" {
		return Basis{}, fmt.Errorf("empty basis: name a preset (%s) or list gates, e.g. rz,sx,x,cz", presetList())
	}
	var names []string
	seen := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if _, ok := gates.Get(f); !ok {
			if _, ok := gates.Get(strings.ToLower(f)); ok {
				f = strings.ToLower(f)
			} else {
				return Basis{}, fmt.Errorf("basis %q: unknown gate %q (known gates: %s; presets: %s)", s, f, strings.Join(gates.Names(), " "), presetList())
			}
		}
		if !seen[f] {
			seen[f] = true
			names = append(names, f)
		}
	}
	b := Basis{Name: strings.Join(names, ","), Gates: names}
	if err := b.Validate(); err != nil {
		return Basis{}, err
	}
	return b, nil
}

func presetList() string {
	var p []string
	for n := range Presets() {
		p = append(p, n)
	}
	sort.Strings(p)
	return strings.Join(p, ", ")
}

// Has reports whether the basis contains the gate name (with any angle).
func (b Basis) Has(name string) bool {
	for _, g := range b.Gates {
		if g == name {
			return true
		}
	}
	return false
}

func (b Basis) String() string {
	if b.Name != "" {
		return b.Name
	}
	return strings.Join(b.Gates, ",")
}

// allows reports whether the basis accepts gate name with the given constant angles
// (args nil for a symbolic argument).
func (b Basis) allows(name string, args []float64, symbolic bool) bool {
	if !b.Has(name) {
		return false
	}
	vals, restricted := b.Allowed[name]
	if !restricted {
		return true
	}
	if symbolic || len(args) != 1 {
		return false
	}
	for _, v := range vals {
		if math.Abs(args[0]-v) <= angleTol {
			return true
		}
	}
	return false
}

// angleTol is the tolerance within which a constant angle counts as one of a restricted
// gate's allowed values or as a special Euler angle (0, ±π/2, π).
const angleTol = 1e-12

// Validate checks that the basis can express every single-qubit unitary (with symbolic
// angles where its gates take them) and at least one entangling gate. A basis without an
// entangler is accepted only for circuits without multi-qubit gates, so Validate checks the
// single-qubit part and reports a missing entangler as an error too; Translate checks the
// same lazily.
func (b Basis) Validate() error {
	if len(b.Gates) == 0 {
		return fmt.Errorf("basis is empty: name a preset (%s) or list gates, e.g. rz,sx,x,cz", presetList())
	}
	for _, g := range b.Gates {
		if _, ok := gates.Get(g); !ok {
			return fmt.Errorf("basis %s: unknown gate %q", b, g)
		}
	}
	if _, err := b.family(); err != nil {
		return err
	}
	if _, err := b.entangler(); err != nil {
		return err
	}
	return nil
}

// oneQ is the strategy that realises single-qubit rotations in a basis.
type oneQ struct {
	z string // rz | p | u1 | U | u | u3 | vz (virtual, IonQ) | xy (via rx, ry)
	x string // ry | rx | sx | rx90 (restricted rx) | gpi2 | h | U | u | u3
}

func (b Basis) family() (oneQ, error) {
	var f oneQ
	for _, u := range []string{"U", "u", "u3"} {
		if b.Has(u) {
			return oneQ{z: u, x: u}, nil
		}
	}
	switch {
	case b.Has("rz"):
		f.z = "rz"
	case b.Has("p"):
		f.z = "p"
	case b.Has("u1"):
		f.z = "u1"
	}
	switch {
	case b.Has("ry") && b.Allowed["ry"] == nil:
		f.x = "ry"
	case b.Has("rx") && b.Allowed["rx"] == nil:
		f.x = "rx"
	case b.Has("sx"):
		f.x = "sx"
	case b.allows("rx", []float64{math.Pi / 2}, false) && b.allows("rx", []float64{-math.Pi / 2}, false):
		f.x = "rx90"
	case b.Has("gpi2"):
		f.x = "gpi2"
	case b.Has("h"):
		f.x = "h"
	}
	if f.z == "" {
		switch {
		case b.Has("gpi") && b.Has("gpi2"):
			f.z = "vz"
		case b.Has("rx") && b.Has("ry") && b.Allowed["rx"] == nil && b.Allowed["ry"] == nil:
			f.z = "xy"
		}
	}
	if f.z == "" || f.x == "" {
		return oneQ{}, fmt.Errorf("basis %s cannot express every single-qubit gate: it needs a Z rotation (rz, p or u1) with one of ry, rx, sx, h, rx(±π/2), or one of U, u, u3, or {gpi, gpi2}, or {rx, ry}", b)
	}
	return f, nil
}

// entangler picks the two-qubit gate used to express cx.
func (b Basis) entangler() (string, error) {
	for _, e := range []string{"cx", "cz", "ecr", "cy", "ms", "rzz", "rxx", "cp"} {
		if b.Has(e) && b.Allowed[e] == nil {
			return e, nil
		}
	}
	return "", fmt.Errorf("basis %s has no two-qubit gate to express cx with: add one of cx, cz, ecr, cy, ms, rzz, rxx, cp", b)
}
