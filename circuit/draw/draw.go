// Package draw renders a circuit as a text diagram for a terminal: one horizontal wire per
// qubit, time flowing left to right, operations packed into columns as early as their
// qubits allow.
//
//	q[0]: ─H───●─────────M→c[0]─
//	           │
//	q[1]: ─────⊕──RY(θ)──────────
//
// Controls are dots joined to their target by a vertical line; measurements name the bit
// they write; a condition is shown after the gate as [c=1]; barriers are shaded columns.
// Plain ASCII is the default (every terminal shows it); Options.Unicode uses box-drawing
// characters. Wide circuits fold into pages of at most Options.Width characters.
package draw

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/qpeft/qpeft/circuit"
)

// Options controls a drawing. The zero value draws ASCII, unfolded, with angles to 3
// significant digits.
type Options struct {
	// Unicode draws with box-drawing characters (─ │ ● ⊕ ╳ ░ π) instead of ASCII.
	Unicode bool
	// Width folds the drawing into pages of at most this many characters (0: one page).
	Width int
	// Precision is the number of significant digits of angles (0 means 3).
	Precision int
}

// String draws c.
func String(c *circuit.Circuit, opts Options) string {
	var b strings.Builder
	_ = Fprint(&b, c, opts)
	return b.String()
}

// Fprint writes the drawing of c to w.
func Fprint(w io.Writer, c *circuit.Circuit, opts Options) error {
	d := newDrawer(c, opts)
	_, err := io.WriteString(w, d.render())
	return err
}

type glyphs struct {
	wire, vert, cross, ctrl, negctrl, xTarget, swap, barrier, pi, dagger, sqrt, ket0, arrow, fold, unfold string
}

var asciiGlyphs = glyphs{wire: "-", vert: "|", cross: "|", ctrl: "*", negctrl: "o", xTarget: "X", swap: "x",
	barrier: "#", pi: "pi", dagger: "dg", sqrt: "S", ket0: "|0>", arrow: "->", fold: ">>", unfold: "<<"}

var unicodeGlyphs = glyphs{wire: "─", vert: "│", cross: "┼", ctrl: "●", negctrl: "○", xTarget: "⊕", swap: "╳",
	barrier: "░", pi: "π", dagger: "†", sqrt: "√", ket0: "|0⟩", arrow: "→", fold: "»", unfold: "«"}

// cell is what one operation puts on one qubit row.
type cell struct {
	label string
}

// column is a set of operations drawn one above the other.
type column struct {
	cells map[int]cell // qubit row → label
	links [][2]int     // vertical spans [lo, hi] of rows joined by a line
	bars  map[int]bool // barrier rows
	width int
}

type drawer struct {
	c     *circuit.Circuit
	o     Options
	g     glyphs
	cols  []*column
	phase []string // uncontrolled global phases
}

func newDrawer(c *circuit.Circuit, o Options) *drawer {
	if o.Precision <= 0 {
		o.Precision = 3
	}
	d := &drawer{c: c, o: o, g: asciiGlyphs}
	if o.Unicode {
		d.g = unicodeGlyphs
	}
	d.layout()
	return d
}

func (d *drawer) layout() {
	free := make([]int, d.c.NumQubits)
	bitFree := make([]int, d.c.NumClbits) // classical order: conditions come after the measurements they test
	for i := range d.c.Ops {
		op := &d.c.Ops[i]
		if op.Kind == circuit.GateOp && len(op.Qubits) == 0 {
			d.phase = append(d.phase, d.expr(op.Args[0]))
			continue
		}
		if len(op.Qubits) == 0 {
			continue
		}
		lo, hi := op.Qubits[0], op.Qubits[0]
		for _, q := range op.Qubits {
			lo, hi = min(lo, q), max(hi, q)
		}
		if lo < 0 || hi >= d.c.NumQubits {
			continue
		}
		col := 0
		for r := lo; r <= hi; r++ {
			col = max(col, free[r])
		}
		var bits []int
		if op.Cond != nil {
			bits = append(bits, op.Cond.Clbits...)
		}
		if op.Kind == circuit.Measure {
			bits = append(bits, op.Clbits()...)
		}
		for _, b := range bits {
			if b >= 0 && b < len(bitFree) {
				col = max(col, bitFree[b])
			}
		}
		for r := lo; r <= hi; r++ {
			free[r] = col + 1
		}
		for _, b := range bits {
			if b >= 0 && b < len(bitFree) {
				bitFree[b] = col + 1
			}
		}
		for len(d.cols) <= col {
			d.cols = append(d.cols, &column{cells: map[int]cell{}, bars: map[int]bool{}})
		}
		d.place(d.cols[col], op, lo, hi)
	}
	for _, col := range d.cols {
		for _, c := range col.cells {
			col.width = max(col.width, utf8.RuneCountInString(c.label))
		}
		if len(col.bars) > 0 {
			col.width = max(col.width, 1)
		}
	}
}

// gateLabel names a gate for drawing.
func (d *drawer) gateLabel(name string) string {
	u := d.o.Unicode
	switch name {
	case "sdg", "tdg":
		return strings.ToUpper(name[:1]) + d.g.dagger
	case "sx":
		if u {
			return "√X"
		}
		return "SX"
	case "sxdg":
		if u {
			return "√X†"
		}
		return "SXdg"
	case "id":
		return "I"
	case "iswap":
		return "iSWAP"
	case "gphase":
		return "P"
	}
	return strings.ToUpper(name)
}

// baseOf maps a natively controlled gate to the gate its target block applies.
var baseOf = map[string]string{"cx": "x", "ccx": "x", "cy": "y", "cz": "z", "ch": "h", "cp": "p", "cu1": "u1",
	"crx": "rx", "cry": "ry", "crz": "rz", "cu": "u", "cu3": "u3", "cswap": "swap"}

var symmetric = map[string]bool{"swap": true, "rxx": true, "ryy": true, "rzz": true, "iswap": true}

func (d *drawer) args(op *circuit.Op) string {
	if len(op.Args) == 0 {
		return ""
	}
	parts := make([]string, len(op.Args))
	for i, a := range op.Args {
		parts[i] = d.expr(a)
	}
	return "(" + strings.Join(parts, ",") + ")"
}

func (d *drawer) condText(cd *circuit.Cond) string {
	if cd == nil {
		return ""
	}
	for _, r := range d.c.CRegs {
		if r.Size == len(cd.Clbits) {
			whole := true
			for i, b := range cd.Clbits {
				if b != r.Start+i {
					whole = false
				}
			}
			if whole {
				return fmt.Sprintf("[%s=%s]", r.Name, cd.ValueString())
			}
		}
	}
	parts := make([]string, len(cd.Clbits))
	for i, b := range cd.Clbits {
		parts[i] = fmt.Sprintf("%s=%d", d.bitName(b), cd.Bit(i))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func (d *drawer) bitName(b int) string {
	for _, r := range d.c.CRegs {
		if b >= r.Start && b < r.Start+r.Size {
			return r.Name + "[" + strconv.Itoa(b-r.Start) + "]"
		}
	}
	return "c" + strconv.Itoa(b)
}

func (d *drawer) place(col *column, op *circuit.Op, lo, hi int) {
	cond := d.condText(op.Cond)
	switch op.Kind {
	case circuit.Barrier:
		qs := append([]int(nil), op.Qubits...)
		for _, q := range qs {
			col.bars[q] = true
		}
		return
	case circuit.Measure:
		for i, q := range op.Qubits {
			col.cells[q] = cell{"M" + d.g.arrow + d.bitName(op.Clbits()[i]) + cond}
		}
		return
	case circuit.Reset:
		for _, q := range op.Qubits {
			col.cells[q] = cell{d.g.ket0 + cond}
		}
		return
	}
	g := op.Gate
	name := g.Name
	nctrl := int(op.Ctrl)
	if base, ok := baseOf[name]; ok {
		nctrl += g.Controls
		name = base
	}
	if name == "gphase" {
		// ctrl(k) @ gphase(γ) is ctrl(k−1) @ p(γ) on the last control.
		nctrl--
	}
	for _, q := range op.Qubits[:nctrl] {
		col.cells[q] = cell{d.g.ctrl}
	}
	targets := op.Qubits[nctrl:]
	args := d.args(op)
	label := d.gateLabel(name) + args
	switch {
	case name == "x" && nctrl > 0:
		label = d.g.xTarget
	case name == "swap":
		label = d.g.swap
	}
	for i, q := range targets {
		l := label
		if len(targets) > 1 && !symmetric[name] {
			l += ":" + strconv.Itoa(i)
		}
		col.cells[q] = cell{l + cond}
	}
	if hi > lo {
		col.links = append(col.links, [2]int{lo, hi})
	}
}

// expr formats an angle compactly: multiples of π as fractions, other numbers to the
// requested precision, symbols by name.
func (d *drawer) expr(e circuit.Expr) string {
	s, _ := d.exprPrec(e)
	return s
}

func (d *drawer) number(v float64) string {
	if v == 0 {
		return "0"
	}
	for _, den := range []int{1, 2, 3, 4, 6, 8, 16} {
		k := v * float64(den) / math.Pi
		r := math.Round(k)
		if r != 0 && math.Abs(r) <= 64 && math.Abs(k-r) < 1e-9 {
			s := ""
			switch r {
			case 1:
			case -1:
				s = "-"
			default:
				s = strconv.Itoa(int(r))
				if !d.o.Unicode {
					s += "*"
				}
			}
			s += d.g.pi
			if den != 1 {
				s += "/" + strconv.Itoa(den)
			}
			return s
		}
	}
	return strconv.FormatFloat(v, 'g', d.o.Precision, 64)
}

func (d *drawer) exprPrec(e circuit.Expr) (string, int) {
	switch e := e.(type) {
	case circuit.Const:
		s := d.number(e.V)
		if strings.HasPrefix(s, "-") || strings.ContainsAny(s, "/*") || strings.Contains(s, "π") && len(s) > len("π") {
			return s, 2
		}
		return s, 5
	case circuit.Sym:
		return e.Name, 5
	case circuit.Neg:
		x, p := d.exprPrec(e.X)
		if p < 5 {
			x = "(" + x + ")"
		}
		return "-" + x, 3
	case circuit.Call:
		a, _ := d.exprPrec(e.Arg)
		return e.Fn + "(" + a + ")", 5
	case circuit.Binary:
		p := 1
		op := string(e.Op)
		switch e.Op {
		case '*', '/':
			p = 2
		case '^':
			p, op = 4, "^"
		}
		x, xp := d.exprPrec(e.X)
		y, yp := d.exprPrec(e.Y)
		if xp < p || (e.Op == '^' && xp <= p) {
			x = "(" + x + ")"
		}
		if yp < p || (yp == p && e.Op != '+' && e.Op != '*') {
			y = "(" + y + ")"
		}
		return x + op + y, p
	}
	return "?", 5
}

func (d *drawer) rowName(q int) string {
	for _, r := range d.c.QRegs {
		if q >= r.Start && q < r.Start+r.Size {
			return r.Name + "[" + strconv.Itoa(q-r.Start) + "]"
		}
	}
	return "q" + strconv.Itoa(q)
}

func pad(s string, width int, fill string) string {
	n := utf8.RuneCountInString(s)
	if n >= width {
		return s
	}
	left := (width - n) / 2
	return strings.Repeat(fill, left) + s + strings.Repeat(fill, width-n-left)
}

// renderColumn returns, for each of the 2n−1 lines (wire, gap, wire, …), the column's text.
func (d *drawer) renderColumn(col *column) []string {
	n := d.c.NumQubits
	w := col.width + 2
	lines := make([]string, 2*n-1)
	linked := func(r int) bool { // a vertical line passes through wire row r
		for _, l := range col.links {
			if r > l[0] && r < l[1] {
				return true
			}
		}
		return false
	}
	gapLinked := func(r int) bool { // a vertical line between rows r and r+1
		for _, l := range col.links {
			if r >= l[0] && r < l[1] {
				return true
			}
		}
		return false
	}
	center := (w - 1) / 2
	for r := 0; r < n; r++ {
		var s string
		if c, ok := col.cells[r]; ok {
			s = d.g.wire + pad(c.label, col.width, d.g.wire) + d.g.wire
		} else if col.bars[r] {
			s = pad(d.g.barrier, w, d.g.wire)
		} else if linked(r) {
			s = strings.Repeat(d.g.wire, center) + d.g.cross + strings.Repeat(d.g.wire, w-center-1)
		} else {
			s = strings.Repeat(d.g.wire, w)
		}
		lines[2*r] = s
		if r+1 < n {
			g := strings.Repeat(" ", w)
			switch {
			case gapLinked(r):
				g = strings.Repeat(" ", center) + d.g.vert + strings.Repeat(" ", w-center-1)
			case col.bars[r] && col.bars[r+1]:
				g = pad(d.g.barrier, w, " ")
			}
			lines[2*r+1] = g
		}
	}
	return lines
}

func (d *drawer) render() string {
	n := d.c.NumQubits
	var b strings.Builder
	if len(d.phase) > 0 {
		b.WriteString("global phase: " + strings.Join(d.phase, " + ") + "\n")
	}
	if n == 0 {
		if len(d.phase) == 0 {
			b.WriteString("(no qubits)\n")
		}
		return b.String()
	}
	names := make([]string, n)
	nameW := 0
	for q := 0; q < n; q++ {
		names[q] = d.rowName(q) + ": "
		nameW = max(nameW, utf8.RuneCountInString(names[q]))
	}
	cols := make([][]string, len(d.cols))
	widths := make([]int, len(d.cols))
	for i, c := range d.cols {
		cols[i] = d.renderColumn(c)
		widths[i] = c.width + 2
	}
	// Pages of columns.
	var pages [][2]int
	start := 0
	for start < len(cols) || len(pages) == 0 {
		width := nameW + 1
		end := start
		for end < len(cols) {
			if d.o.Width > 0 && end > start && width+widths[end]+2 > d.o.Width {
				break
			}
			width += widths[end]
			end++
		}
		pages = append(pages, [2]int{start, end})
		start = end
		if start >= len(cols) {
			break
		}
	}
	for pi, pg := range pages {
		if pi > 0 {
			b.WriteString("\n")
		}
		for line := 0; line < 2*n-1; line++ {
			var l strings.Builder
			if line%2 == 0 {
				l.WriteString(fmt.Sprintf("%*s", nameW, names[line/2]))
				if pi > 0 {
					l.WriteString(d.g.unfold)
				} else {
					l.WriteString(d.g.wire)
				}
			} else {
				l.WriteString(strings.Repeat(" ", nameW+utf8.RuneCountInString(d.g.wire)))
				if pi > 0 {
					l.WriteString(strings.Repeat(" ", utf8.RuneCountInString(d.g.unfold)-1))
				}
			}
			for c := pg[0]; c < pg[1]; c++ {
				l.WriteString(cols[c][line])
			}
			if line%2 == 0 && pi < len(pages)-1 {
				l.WriteString(d.g.fold)
			}
			b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
		}
	}
	return b.String()
}
