package peft

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/qpeft/qpeft/peft/ortho"
)

// CountParams returns the number of trainable parameters c.Build would give an adapter of
// an out × in weight, computed in closed form (cheap for any shape):
//
//   - Quantum-PEFT: P_U + P_V + K′, with P the true count of the factor's construction
//     ((2L+1)·log2 N − 2L for a power-of-two Pauli factor; see ortho.CountParams otherwise);
//   - LoRA: r·(out + in);
//   - AdaLoRA: K′·(out + in + 1).
func CountParams(c Config, out, in int) (int, error) {
	if err := c.Validate(); err != nil {
		return 0, err
	}
	if out < 1 || in < 1 {
		return 0, fmt.Errorf("peft: shape %dx%d must be positive", out, in)
	}
	if c.Rank > min(out, in) {
		return 0, fmt.Errorf("peft: rank %d exceeds min(out, in) = %d for %dx%d", c.Rank, min(out, in), out, in)
	}
	kp := c.ActiveRank
	if kp == 0 {
		kp = c.Rank
	}
	switch c.Method {
	case MethodLoRA:
		return c.Rank * (out + in), nil
	case MethodAdaLoRA:
		return kp * (out + in + 1), nil
	}
	su, err := c.factorSpec(out)
	if err != nil {
		return 0, err
	}
	sv, err := c.factorSpec(in)
	if err != nil {
		return 0, err
	}
	pu, err := ortho.CountParams(out, c.Rank, su)
	if err != nil {
		return 0, err
	}
	pv, err := ortho.CountParams(in, c.Rank, sv)
	if err != nil {
		return 0, err
	}
	return pu + pv + kp, nil
}

// Setting is one row of a parameter table: a label and either an adapter config or full
// fine-tuning.
type Setting struct {
	Label  string
	Config Config
	// Full marks full fine-tuning (every weight trainable: out·in per matrix).
	Full bool
}

// DefaultSettings returns the rows `qpeft params` prints by default: Quantum-PEFT with the
// Pauli ansatz at L = 1..4 and with the Taylor map (rank k), LoRA at the given ranks,
// AdaLoRA at rank k, and full fine-tuning.
func DefaultSettings(k int, loraRanks []int, cs ortho.CSMode, taylorOrder int) []Setting {
	var s []Setting
	for L := 1; L <= 4; L++ {
		s = append(s, Setting{Label: fmt.Sprintf("Quantum-PEFT Pauli L=%d K=%d", L, k),
			Config: Config{Method: MethodQuantumPEFT, Rank: k, Layers: L, CS: cs}})
	}
	s = append(s, Setting{Label: fmt.Sprintf("Quantum-PEFT Taylor K=%d", k),
		Config: Config{Method: MethodQuantumPEFT, Rank: k, Map: ortho.KindTaylor, TaylorOrder: taylorOrder}})
	for _, r := range loraRanks {
		s = append(s, Setting{Label: fmt.Sprintf("LoRA r=%d", r), Config: Config{Method: MethodLoRA, Rank: r}})
	}
	s = append(s, Setting{Label: fmt.Sprintf("AdaLoRA r=%d", k), Config: Config{Method: MethodAdaLoRA, Rank: k}})
	s = append(s, Setting{Label: "full fine-tuning", Full: true})
	return s
}

// Table is a table of trainable-parameter counts: one row per setting, one column per
// weight shape, the total over a model of Layers layers, and the ratio to LoRA r = 1.
type Table struct {
	Shapes []ModuleShape
	Layers int
	Rows   []TableRow
}

// TableRow is one setting's counts.
type TableRow struct {
	Label string
	// PerShape holds the count for one matrix of each shape.
	PerShape []int
	// Total is Layers · Σ PerShape.
	Total int64
	// RatioToLoRA1 is Total divided by LoRA r = 1's total.
	RatioToLoRA1 float64
}

// ParamTable counts the parameters of every setting for the given weight shapes, repeated
// over layers layers (1 for a single matrix).
func ParamTable(shapes []ModuleShape, layers int, settings []Setting) (*Table, error) {
	if len(shapes) == 0 {
		return nil, fmt.Errorf("peft: no weight shapes")
	}
	if layers < 1 {
		return nil, fmt.Errorf("peft: layers %d must be ≥ 1", layers)
	}
	var lora1 int64
	for _, s := range shapes {
		if s.Out < 1 || s.In < 1 {
			return nil, fmt.Errorf("peft: shape %s %dx%d must be positive", s.Name, s.Out, s.In)
		}
		lora1 += int64(s.Out + s.In)
	}
	lora1 *= int64(layers)
	t := &Table{Shapes: shapes, Layers: layers}
	for _, st := range settings {
		row := TableRow{Label: st.Label}
		for _, s := range shapes {
			var n int
			if st.Full {
				n = s.Out * s.In
			} else {
				var err error
				if n, err = CountParams(st.Config, s.Out, s.In); err != nil {
					return nil, fmt.Errorf("%s, shape %dx%d: %w", st.Label, s.Out, s.In, err)
				}
			}
			row.PerShape = append(row.PerShape, n)
			row.Total += int64(n)
		}
		row.Total *= int64(layers)
		row.RatioToLoRA1 = float64(row.Total) / float64(lora1)
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// Write prints the table as aligned text columns.
func (t *Table) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	w0 := len("setting")
	for _, r := range t.Rows {
		w0 = max(w0, len([]rune(r.Label)))
	}
	left := func(s string) string { return s + strings.Repeat(" ", w0-len([]rune(s))) }
	head := []string{left("setting")}
	for _, s := range t.Shapes {
		name := fmt.Sprintf("%dx%d", s.Out, s.In)
		if s.Name != "" {
			name = s.Name + " " + name
		}
		head = append(head, name)
	}
	total := "total"
	if t.Layers > 1 {
		total = fmt.Sprintf("total (%d layers)", t.Layers)
	}
	head = append(head, total, "ratio to LoRA r=1")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, r := range t.Rows {
		cells := []string{left(r.Label)}
		for _, n := range r.PerShape {
			cells = append(cells, fmt.Sprint(n))
		}
		cells = append(cells, fmt.Sprint(r.Total), fmt.Sprintf("%.4g", r.RatioToLoRA1))
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}

// ModelShape describes the adapted weights of a model: Layers repetitions of Modules.
type ModelShape struct {
	Name    string
	Layers  int
	Modules []ModuleShape
	// Note says where the shapes come from.
	Note string
}

// Models are the model shapes the documentation counts parameters for (q and v projections,
// the modules the LoRA and Quantum-PEFT papers adapt).
var Models = map[string]ModelShape{
	"gpt2-medium": {Name: "gpt2-medium", Layers: 24,
		Modules: []ModuleShape{{"q", 1024, 1024}, {"v", 1024, 1024}},
		Note:    "GPT-2 medium: 24 layers, d_model 1024; q and v are the 1024x1024 query and value parts of c_attn"},
	"deberta-v3-base": {Name: "deberta-v3-base", Layers: 12,
		Modules: []ModuleShape{{"query_proj", 768, 768}, {"value_proj", 768, 768}},
		Note:    "DeBERTa-v3-base: 12 layers, hidden 768"},
	"mistral-7b": {Name: "mistral-7b", Layers: 32,
		Modules: []ModuleShape{{"q_proj", 4096, 4096}, {"v_proj", 1024, 4096}},
		Note:    "Mistral-7B: 32 layers, hidden 4096, 8 KV heads of 128 (v_proj is 1024x4096, out x in)"},
}
