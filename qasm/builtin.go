package qasm

import (
	"sort"
	"strings"

	"github.com/qpeft/qpeft/internal/editdist"
)

// Built-in include files. qelib1.inc (OpenQASM 2, Qiskit's extended version) and
// stdgates.inc (OpenQASM 3) need no file on disk. Most of their gates map directly onto
// qpeft's gate vocabulary (package gates); the few that do not are defined below in
// OpenQASM and inlined like user gates.

// qelib1Native maps qelib1.inc gate names to vocabulary gates of the same meaning.
var qelib1Native = map[string]string{
	"u3": "u3", "u2": "u2", "u1": "u1", "cx": "cx", "id": "id", "u": "u", "p": "p",
	"x": "x", "y": "y", "z": "z", "h": "h", "s": "s", "sdg": "sdg", "t": "t", "tdg": "tdg",
	"rx": "rx", "ry": "ry", "rz": "rz", "sx": "sx", "sxdg": "sxdg",
	"cz": "cz", "cy": "cy", "swap": "swap", "ch": "ch", "ccx": "ccx", "cswap": "cswap",
	"crx": "crx", "cry": "cry", "crz": "crz", "cu1": "cu1", "cp": "cp", "cu3": "cu3", "cu": "cu",
	"rxx": "rxx", "rzz": "rzz",
}

// stdgatesNative maps stdgates.inc names (with its backwards-compatible aliases) to
// vocabulary gates.
var stdgatesNative = map[string]string{
	"p": "p", "x": "x", "y": "y", "z": "z", "h": "h", "s": "s", "sdg": "sdg", "t": "t", "tdg": "tdg",
	"sx": "sx", "rx": "rx", "ry": "ry", "rz": "rz", "cx": "cx", "cy": "cy", "cz": "cz", "cp": "cp",
	"crx": "crx", "cry": "cry", "crz": "crz", "ch": "ch", "swap": "swap", "ccx": "ccx",
	"cswap": "cswap", "cu": "cu", "CX": "cx", "phase": "p", "cphase": "cp", "id": "id",
	"u1": "u1", "u2": "u2", "u3": "u3",
}

// qelib1Defined are the qelib1.inc gates outside the vocabulary, written in OpenQASM 3 and
// lowered like user gates. rccx and rc3x are the relative-phase Toffolis exactly as
// qelib1.inc defines them; the multi-controlled gates are exact ctrl @ forms. Old names
// (rcccx, cccx, cccsqrtx, ccccx) are accepted as aliases.
const qelib1Defined = `
gate u0(gamma) q { U(0, 0, 0) q; }
gate csx a, b { ctrl @ sx a, b; }
gate c3x a, b, c, d { ctrl(3) @ x a, b, c, d; }
gate c3sqrtx a, b, c, d { ctrl(3) @ sx a, b, c, d; }
gate c4x a, b, c, d, e { ctrl(4) @ x a, b, c, d, e; }
gate rccx a, b, c {
    u2(0, pi) c; u1(pi/4) c; cx b, c; u1(-pi/4) c; cx a, c; u1(pi/4) c; cx b, c; u1(-pi/4) c; u2(0, pi) c;
}
gate rc3x a, b, c, d {
    u2(0, pi) d; u1(pi/4) d; cx c, d; u1(-pi/4) d; u2(0, pi) d; cx a, d; u1(pi/4) d; cx b, d;
    u1(-pi/4) d; cx a, d; u1(pi/4) d; cx b, d; u1(-pi/4) d; u2(0, pi) d; u1(pi/4) d; cx c, d;
    u1(-pi/4) d; u2(0, pi) d;
}
gate rcccx a, b, c, d { rc3x a, b, c, d; }
gate cccx a, b, c, d { c3x a, b, c, d; }
gate cccsqrtx a, b, c, d { c3sqrtx a, b, c, d; }
gate ccccx a, b, c, d, e { c4x a, b, c, d, e; }
`

// Definitions of the vocabulary gates that stdgates.inc lacks, exact including global
// phase (they stay exact under ctrl @). The OpenQASM 3 printer emits them for the gates a
// circuit uses; error messages quote them.
var oq3Defs = map[string]string{
	"sxdg":  "gate sxdg a { inv @ sx a; }",
	"u":     "gate u(theta, phi, lambda) a { U(theta, phi, lambda) a; }",
	"cu1":   "gate cu1(lambda) a, b { cp(lambda) a, b; }",
	"cu3":   "gate cu3(theta, phi, lambda) a, b { ctrl @ U(theta, phi, lambda) a, b; }",
	"rxx":   "gate rxx(theta) a, b { h a; h b; cx a, b; rz(theta) b; cx a, b; h a; h b; }",
	"ryy":   "gate ryy(theta) a, b { rx(pi/2) a; rx(pi/2) b; cx a, b; rz(theta) b; cx a, b; rx(-pi/2) a; rx(-pi/2) b; }",
	"rzz":   "gate rzz(theta) a, b { cx a, b; rz(theta) b; cx a, b; }",
	"iswap": "gate iswap a, b { s a; s b; h a; cx a, b; cx b, a; h b; }",
	"ecr":   "gate ecr a, b { h b; cx a, b; rz(pi/4) b; cx a, b; h b; x a; h b; cx a, b; rz(-pi/4) b; cx a, b; h b; }",
	"gpi":   "gate gpi(phi) a { U(pi, phi, pi - phi) a; }",
	"gpi2":  "gate gpi2(phi) a { U(pi/2, phi - pi/2, pi/2 - phi) a; }",
	"ms":    "gate ms(phi0, phi1, theta) a, b { rz(-phi0) a; rz(-phi1) b; h a; h b; cx a, b; rz(theta) b; cx a, b; h a; h b; rz(phi0) a; rz(phi1) b; }",
}

// Definitions for OpenQASM 2 output of the vocabulary gates qelib1.inc lacks (equal up to
// a global phase, which OpenQASM 2 cannot observe).
var oq2Defs = map[string]string{
	"ryy":   "gate ryy(theta) a, b { rx(pi/2) a; rx(pi/2) b; cx a, b; rz(theta) b; cx a, b; rx(-pi/2) a; rx(-pi/2) b; }",
	"iswap": "gate iswap a, b { s a; s b; h a; cx a, b; cx b, a; h b; }",
	"ecr":   "gate ecr a, b { h b; cx a, b; rz(pi/4) b; cx a, b; h b; x a; h b; cx a, b; rz(-pi/4) b; cx a, b; h b; }",
	"gpi":   "gate gpi(phi) a { U(pi, phi, pi - phi) a; }",
	"gpi2":  "gate gpi2(phi) a { U(pi/2, phi - pi/2, pi/2 - phi) a; }",
	"ms":    "gate ms(phi0, phi1, theta) a, b { rz(-phi0) a; rz(-phi1) b; h a; h b; cx a, b; rz(theta) b; cx a, b; h a; h b; rz(phi0) a; rz(phi1) b; }",
}

// otherDialects maps gate names from other toolkits (Amazon Braket's OpenQASM dialect,
// Quil, Cirq) to the standard gate, for "did you mean" hints.
var otherDialects = map[string]string{
	"cnot": "cx", "toffoli": "ccx", "fredkin": "cswap", "phaseshift": "p", "cphaseshift": "cp",
	"si": "sdg", "ti": "tdg", "v": "sx", "vi": "sxdg", "xx": "rxx", "yy": "ryy", "zz": "rzz",
	"i": "id", "iden": "id", "cphaseshift00": "cp", "cnotgate": "cx", "hadamard": "h",
	"rotx": "rx", "roty": "ry", "rotz": "rz", "phase_shift": "p", "ccnot": "ccx", "cswp": "cswap",
	"sqrtx": "sx", "sqrt_x": "sx", "r": "rz",
}

// suggest returns the candidate closest to name (edit distance at most 2, and less than
// the name's length), or "".
func suggest(name string, candidates []string) string {
	best, bestD := "", 3
	if len(name) <= 2 {
		bestD = 2
	}
	sort.Strings(candidates)
	score := func(c string) int { // ties: longer common prefix, then the same length
		p := 0
		for p < len(c) && p < len(name) && c[p] == name[p] {
			p++
		}
		s := p * 2
		if len(c) == len(name) {
			s++
		}
		return s
	}
	for _, c := range candidates {
		d := editdist.Distance(strings.ToLower(name), strings.ToLower(c))
		if d >= len(name) {
			continue
		}
		if d < bestD || d == bestD && best != "" && score(c) > score(best) {
			best, bestD = c, d
		}
	}
	return best
}
