// Package route maps a circuit onto a device's coupling map: it chooses an initial layout
// (logical qubit → physical qubit), inserts SWAP gates so that every two-qubit gate acts on
// a coupled pair, and records the final permutation.
//
// The layout is tried first as an embedding of the circuit's interaction graph into the
// coupling graph (a VF2-style backtracking search for a subgraph monomorphism, bounded in
// steps): when one exists — the Pauli ansatz's nearest-neighbour brickwork is a path, and
// heavy-hex and square lattices hold long paths — the circuit routes with no SWAP at all.
// Otherwise SABRE (Li, Ding and Xie, "Tackling the qubit mapping problem for NISQ-era
// quantum devices", ASPLOS 2019) chooses the layout by forward–backward routing passes from
// seeded random starts and routes with its lookahead and decay heuristic. Every random
// choice comes from Options.Seed: the same seed gives the same output.
//
// Gates are routed as they are: the caller first decomposes gates on three or more qubits
// (package transpile does) and afterwards translates the inserted swap gates into the
// device's basis.
package route

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/qpeft/qpeft/internal/safefile"
)

//go:embed maps/*.json
var mapFiles embed.FS

// Map is a coupling map: physical qubits 0…Qubits−1 and the pairs on which a two-qubit gate
// can act. Make one with Builtin, Parse, ReadFile or Full (they build its distance table);
// a Map is read-only afterwards and safe for concurrent use.
type Map struct {
	// Name names the map (a device name or the file it came from).
	Name string
	// Qubits is the number of physical qubit indices (the largest index + 1).
	Qubits int
	// Edges are the coupled pairs as given. When Directed, the native two-qubit gate is
	// defined on (Edges[i][0], Edges[i][1]) in that order only (e.g. IBM Eagle's ecr).
	Edges [][2]int
	// Directed reports whether the edges are directed.
	Directed bool
	// Full reports an all-to-all map (trapped ions, simulators): no routing needed.
	Full bool
	// Source says where the map comes from.
	Source string

	adj     [][]int
	allowed map[[2]int]bool
	dist    [][]int
	usable  []int // qubits that take part in an edge (all of them for Full), sorted
}

// MapInfo is the JSON form of a coupling map (Parse also accepts a bare list of pairs, and
// Qiskit's backend configuration keys coupling_map and n_qubits).
type MapInfo struct {
	Name        string  `json:"name,omitempty"`
	Qubits      int     `json:"qubits,omitempty"`
	NQubits     int     `json:"n_qubits,omitempty"`
	Directed    bool    `json:"directed,omitempty"`
	Gate        string  `json:"gate,omitempty"`
	Edges       [][]int `json:"edges,omitempty"`
	CouplingMap [][]int `json:"coupling_map,omitempty"`
	Source      string  `json:"source,omitempty"`
	License     string  `json:"license,omitempty"`
}

// builtinFull are the all-to-all devices: name → qubits.
var builtinFull = map[string]int{
	"ionq_aria": 25, "ionq_forte": 36, "braket_sv1": 34, "braket_dm1": 17, "braket_tn1": 50,
}

// Builtin returns the coupling map of a device named by package export's Devices: ibm_heron
// and ibm_eagle (IBM heavy-hex, from qiskit-ibm-runtime's fake backends FakeFez and
// FakeBrisbane), rigetti_ankaa3 (the documented 7×12 square lattice), and all-to-all maps
// for the IonQ devices and the Braket simulators.
func Builtin(name string) (*Map, error) {
	if n, ok := builtinFull[name]; ok {
		m := Full(n)
		m.Name = name
		m.Source = "all-to-all (every pair of qubits interacts)"
		return m, nil
	}
	data, err := mapFiles.ReadFile("maps/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("no built-in coupling map %q (built-in: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	m, err := Parse(data, name)
	if err != nil {
		return nil, fmt.Errorf("built-in coupling map %s: %w", name, err)
	}
	m.Name = name
	return m, nil
}

// BuiltinNames lists the built-in maps, sorted.
func BuiltinNames() []string {
	var out []string
	for n := range builtinFull {
		out = append(out, n)
	}
	ents, _ := mapFiles.ReadDir("maps")
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(out)
	return out
}

// Full returns the all-to-all map on n qubits.
func Full(n int) *Map {
	m := &Map{Name: fmt.Sprintf("all-to-all(%d)", n), Qubits: n, Full: true}
	m.usable = make([]int, n)
	for i := range m.usable {
		m.usable[i] = i
	}
	return m
}

// MaxQubits bounds the size of a coupling map read from a file (its distance table takes
// MaxQubits² integers: 32 MiB).
const MaxQubits = 2048

// maxMapBytes bounds the size of a coupling map file.
const maxMapBytes = 16 << 20

// ReadFile reads a coupling map from a JSON file: a list of pairs [[0,1],[1,2],…] (Qiskit's
// coupling_map) or an object {"qubits": N, "edges": [[0,1],…], "directed": false}. Errors
// name the file.
func ReadFile(path string) (*Map, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("coupling map: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMapBytes+1))
	if err != nil {
		return nil, fmt.Errorf("coupling map %s: %w", path, err)
	}
	if len(data) > maxMapBytes {
		return nil, fmt.Errorf("coupling map %s: larger than %d MiB; a map of %d qubits needs far less", path, maxMapBytes>>20, MaxQubits)
	}
	m, err := Parse(data, path)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Parse reads a coupling map from JSON (see ReadFile); name labels errors and the map.
func Parse(data []byte, name string) (*Map, error) {
	var info MapInfo
	var pairs [][]int
	trimmed := strings.TrimSpace(string(data))
	switch {
	case trimmed == "":
		return nil, fmt.Errorf("coupling map %s: the file is empty (want a JSON list of qubit pairs such as [[0,1],[1,2]])", name)
	case trimmed[0] == '[':
		if err := json.Unmarshal(data, &pairs); err != nil {
			return nil, fmt.Errorf("coupling map %s: %s (want a JSON list of qubit pairs such as [[0,1],[1,2]])", name, jsonError(data, err))
		}
		info.Edges = pairs
	default:
		if err := safefile.DecodeJSON(data, &info); err != nil {
			return nil, fmt.Errorf("coupling map %s: %s (want {\"qubits\": N, \"edges\": [[0,1],…]} or a list of pairs)", name, jsonError(data, err))
		}
		if len(info.Edges) > 0 && len(info.CouplingMap) > 0 {
			return nil, fmt.Errorf("coupling map %s: give either \"edges\" or \"coupling_map\", not both", name)
		}
		if len(info.Edges) == 0 {
			info.Edges = info.CouplingMap
		}
		if info.Qubits == 0 {
			info.Qubits = info.NQubits
		}
	}
	m := &Map{Name: name, Directed: info.Directed, Source: info.Source}
	if m.Source == "" {
		m.Source = name
	}
	maxq := -1
	edges := make([][2]int, len(info.Edges))
	for i, e := range info.Edges {
		if len(e) != 2 {
			return nil, fmt.Errorf("coupling map %s: edge %d is %v: want a pair of qubits [a, b]", name, i, e)
		}
		edges[i] = [2]int{e[0], e[1]}
		for _, q := range e {
			if q < 0 || q >= MaxQubits {
				return nil, fmt.Errorf("coupling map %s: edge %d %v: qubit %d is outside 0..%d", name, i, e, q, MaxQubits-1)
			}
			maxq = max(maxq, q)
		}
		if e[0] == e[1] {
			return nil, fmt.Errorf("coupling map %s: edge %d couples qubit %d to itself", name, i, e[0])
		}
	}
	m.Qubits = maxq + 1
	if info.Qubits > 0 {
		if info.Qubits < m.Qubits {
			return nil, fmt.Errorf("coupling map %s: \"qubits\" is %d but an edge names qubit %d", name, info.Qubits, maxq)
		}
		if info.Qubits > MaxQubits {
			return nil, fmt.Errorf("coupling map %s: %d qubits is more than %d", name, info.Qubits, MaxQubits)
		}
		m.Qubits = info.Qubits
	}
	if len(info.Edges) == 0 {
		return nil, fmt.Errorf("coupling map %s: no edges (a device whose qubits cannot interact cannot run a two-qubit gate)", name)
	}
	m.Edges = edges
	if err := m.init(); err != nil {
		return nil, fmt.Errorf("coupling map %s: %w", name, err)
	}
	return m, nil
}

// jsonError adds the line and column of a syntax error.
func jsonError(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return err.Error()
	}
	line, col := 1, 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// init builds adjacency and distances and checks that the coupled qubits are connected.
func (m *Map) init() error {
	m.adj = make([][]int, m.Qubits)
	m.allowed = map[[2]int]bool{}
	seen := map[[2]int]bool{}
	for _, e := range m.Edges {
		m.allowed[e] = true
		if !m.Directed {
			m.allowed[[2]int{e[1], e[0]}] = true
		}
		k := [2]int{min(e[0], e[1]), max(e[0], e[1])}
		if seen[k] {
			continue
		}
		seen[k] = true
		m.adj[e[0]] = append(m.adj[e[0]], e[1])
		m.adj[e[1]] = append(m.adj[e[1]], e[0])
	}
	for q := range m.adj {
		sort.Ints(m.adj[q])
		if len(m.adj[q]) > 0 {
			m.usable = append(m.usable, q)
		}
	}
	// Connectivity of the coupled qubits.
	comp := m.bfs(m.usable[0])
	reached := 0
	for _, q := range m.usable {
		if comp[q] >= 0 {
			reached++
		}
	}
	if reached != len(m.usable) {
		var other int
		for _, q := range m.usable {
			if comp[q] < 0 {
				other = q
				break
			}
		}
		return fmt.Errorf("the map is disconnected: qubit %d cannot reach qubit %d through coupled pairs (%d of the %d coupled qubits are reachable from qubit %d); give a connected map, e.g. the largest connected part", other, m.usable[0], reached, len(m.usable), m.usable[0])
	}
	m.dist = make([][]int, m.Qubits)
	for _, q := range m.usable {
		m.dist[q] = m.bfs(q)
	}
	return nil
}

// bfs returns hop distances from src (−1 unreachable).
func (m *Map) bfs(src int) []int {
	d := make([]int, m.Qubits)
	for i := range d {
		d[i] = -1
	}
	d[src] = 0
	queue := []int{src}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		for _, n := range m.adj[q] {
			if d[n] < 0 {
				d[n] = d[q] + 1
				queue = append(queue, n)
			}
		}
	}
	return d
}

// Usable returns the physical qubits a circuit may use (those in some coupled pair, or all of
// them for an all-to-all map).
func (m *Map) Usable() []int { return append([]int(nil), m.usable...) }

// Coupled reports whether a two-qubit gate may act on a and b (in either order).
func (m *Map) Coupled(a, b int) bool {
	if m.Full {
		return a != b && a >= 0 && b >= 0 && a < m.Qubits && b < m.Qubits
	}
	return m.allowed[[2]int{a, b}] || m.allowed[[2]int{b, a}]
}

// Allows reports whether the native two-qubit gate may act on (a, b) in this order: Coupled
// for undirected maps, the edge's direction for directed ones.
func (m *Map) Allows(a, b int) bool {
	if m.Full || !m.Directed {
		return m.Coupled(a, b)
	}
	return m.allowed[[2]int{a, b}]
}

// Distance returns the number of coupled hops between physical qubits a and b (1 for
// different qubits of an all-to-all map).
func (m *Map) Distance(a, b int) int {
	if m.Full {
		if a == b {
			return 0
		}
		return 1
	}
	return m.dist[a][b]
}

// Neighbors returns the qubits coupled to q.
func (m *Map) Neighbors(q int) []int {
	if m.Full {
		out := make([]int, 0, m.Qubits-1)
		for i := 0; i < m.Qubits; i++ {
			if i != q {
				out = append(out, i)
			}
		}
		return out
	}
	return m.adj[q]
}

// NumEdges returns the number of coupled (undirected) pairs.
func (m *Map) NumEdges() int {
	if m.Full {
		return m.Qubits * (m.Qubits - 1) / 2
	}
	n := 0
	for _, a := range m.adj {
		n += len(a)
	}
	return n / 2
}
