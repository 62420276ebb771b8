package train

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFrontPlan: every task's front has the head rows, LoRA at each rank and AdaLoRA on the
// standard targets (and on all-linear where that differs), Quantum-PEFT's centre and its
// one-factor-at-a-time variations — each differing from the centre in exactly its factor —
// and every row trains with the same steps and head rate, but the long linear probe.
func TestFrontPlan(t *testing.T) {
	tests := []struct {
		task      string
		loraRanks []int
		allLinear bool
		centre    [2]int // L, K
		ls, ks    []int
	}{
		{ModelMLP512, []int{1, 2, 4, 8, 16}, true, [2]int{2, 512}, []int{1, 4}, []int{128, 256}},
		{ModelMNISTCNN, []int{1, 2, 4, 8}, false, [2]int{2, 16}, []int{1, 4}, []int{4, 8}},
		{FrontMiniLM, []int{1, 2, 4, 8, 16}, true, [2]int{2, 384}, []int{1, 4}, []int{128, 256}},
	}
	for _, tt := range tests {
		t.Run(tt.task, func(t *testing.T) {
			points, err := FrontPlan(FrontConfig{Out: "x"}, tt.task, "/models/minilm")
			require.NoError(t, err)
			type pt struct {
				method        Method
				rank, layers  int
				ansatz, start string
				targets       string
				epochs        int
				lr, headLR    float64
				trainLimit    int
			}
			get := func(p FrontPoint) pt {
				if p.Image != nil {
					c := p.Image
					tg := strings.Join(c.Targets, ",")
					return pt{c.Method, c.Rank, c.Layers, c.Ansatz, c.Start, tg, c.Epochs, c.LR, c.headLR(), c.TrainLimit}
				}
				c := p.Text
				e := c.Epochs
				if c.HeadEpochs > 0 {
					e = c.HeadEpochs
				}
				return pt{c.Method, c.Rank, c.Layers, c.Ansatz, c.Start, c.Targets, e, c.LR, c.headLR(), c.TrainLimit}
			}
			slugs := map[string]bool{}
			count := map[string]int{}
			var centre *FrontPoint
			for i, p := range points {
				require.False(t, slugs[p.Slug], "slug %s twice", p.Slug)
				slugs[p.Slug] = true
				count[p.Family]++
				if p.Factor == FactorCentre {
					centre = &points[i]
				}
				core := p.Slug == "head-matched" || p.Factor == FactorCentre || (p.Family == FamilyLoRA && p.Targets == "std")
				assert.Equal(t, core, p.Priority == 0, "%s: the core has priority 0", p.Name)
				assert.Equal(t, tt.task == FrontMiniLM, p.Text != nil, p.Name)
			}
			require.NotNil(t, centre)
			tsets := 1
			if tt.allLinear {
				tsets = 2
			}
			assert.Equal(t, 2, count[FamilyHead], "head rows")
			assert.Equal(t, tsets*len(tt.loraRanks), count[FamilyLoRA])
			assert.Equal(t, tsets, count[FamilyAdaLoRA])
			wantQ := 1 + len(tt.ls) + len(tt.ks) + 1 + 2 + (tsets - 1)
			assert.Equal(t, wantQ, count[FamilyQPEFT])
			for _, r := range tt.loraRanks {
				assert.True(t, slugs["lora-r"+strconv.Itoa(r)], "LoRA r=%d", r)
				assert.Equal(t, tt.allLinear, slugs["lora-r"+strconv.Itoa(r)+"-all-linear"], "LoRA r=%d all-linear", r)
			}
			c := get(*centre)
			assert.Equal(t, tt.centre, [2]int{c.layers, c.rank})
			// mnist-cnn's K = 16 is conv2's full rank; conv1 (8 outputs) is capped at 8 by a
			// rank pattern on exactly the points whose K exceeds 8.
			for _, p := range points {
				if p.Image == nil || p.Family != FamilyQPEFT {
					continue
				}
				var want map[string]int
				if tt.task == ModelMNISTCNN && p.Image.Rank > 8 {
					want = map[string]int{"conv1": 8}
				}
				assert.Equal(t, want, p.Image.RankPattern, p.Name)
			}
			head := get(points[0])
			require.Equal(t, "head-matched", points[0].Slug)
			varied := map[string][]any{}
			for _, p := range points {
				g := get(p)
				// The same steps and head treatment for every row but the long probe.
				if p.Slug != "head-matched" && strings.HasPrefix(p.Slug, "probe") {
					assert.Greater(t, g.epochs, head.epochs, "the long probe trains longer")
				} else {
					assert.Equal(t, head.epochs, g.epochs, p.Name)
				}
				assert.Equal(t, head.trainLimit, g.trainLimit, p.Name)
				if g.method.Adapter() {
					assert.Equal(t, head.lr, g.headLR, "%s: the head's rate is the head rows' rate", p.Name)
				}
				if p.Family != FamilyQPEFT || p.Factor == FactorCentre {
					continue
				}
				// Exactly the named factor differs from the centre.
				d := g
				switch p.Factor {
				case FactorL:
					varied[p.Factor] = append(varied[p.Factor], g.layers)
					d.layers = c.layers
				case FactorK:
					varied[p.Factor] = append(varied[p.Factor], g.rank)
					d.rank = c.rank
				case FactorStart:
					varied[p.Factor] = append(varied[p.Factor], g.start)
					d.start = c.start
				case FactorAnsatz:
					varied[p.Factor] = append(varied[p.Factor], g.ansatz)
					d.ansatz = c.ansatz
				case FactorTargets:
					varied[p.Factor] = append(varied[p.Factor], g.targets)
					d.targets = c.targets
				default:
					t.Fatalf("%s: unknown factor %q", p.Name, p.Factor)
				}
				assert.NotEqual(t, c, g, "%s differs from the centre", p.Name)
				assert.Equal(t, c, d, "%s differs from the centre only in %s", p.Name, p.Factor)
			}
			var ls, ks []any
			for _, l := range tt.ls {
				ls = append(ls, l)
			}
			for _, k := range tt.ks {
				ks = append(ks, k)
			}
			assert.Equal(t, ls, varied[FactorL])
			assert.Equal(t, ks, varied[FactorK])
			assert.Equal(t, []any{"rotated"}, varied[FactorStart])
			assert.Equal(t, []any{"givens", "alltoall"}, varied[FactorAnsatz])
			if tt.allLinear {
				assert.Equal(t, []any{AllLinear}, varied[FactorTargets])
			} else {
				assert.Nil(t, varied[FactorTargets])
			}
		})
	}
	_, err := FrontPlan(FrontConfig{Out: "x"}, "resnet", "")
	assert.ErrorContains(t, err, "unknown task")
}

// TestFrontTrim: within the budget (or without one) every point is kept with every seed;
// over it the front is refused, or with trim the points of the highest priority (the last
// of the plan first) go to one seed, then are dropped; then every point runs with one seed
// and dropped points come back while they fit; when even the core with one seed is over, it
// is refused.
func TestFrontTrim(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	pt := func(slug string, prio int) FrontPoint {
		return FrontPoint{Slug: slug, Name: slug, Priority: prio, Seeds: seeds}
	}
	plan := []FrontPoint{pt("core", 0), pt("alllinear", 1), pt("L1", 2), pt("L4", 2), pt("K", 3)}
	cost := func(ps []FrontPoint) float64 {
		n := 0
		for _, p := range ps {
			n += len(p.Seeds)
		}
		return 10 * float64(n)
	}
	tests := []struct {
		name   string
		budget time.Duration
		trim   bool
		keep   []string // slug:seeds
		notes  []string
		err    string
	}{
		{"no budget", 0, false, []string{"core:3", "alllinear:3", "L1:3", "L4:3", "K:3"}, nil, ""},
		{"within", 150 * time.Second, false, []string{"core:3", "alllinear:3", "L1:3", "L4:3", "K:3"}, nil, ""},
		{"over refused", 149 * time.Second, false, nil, nil, "exceeds --budget 2m29s"},
		{"K to one seed", 130 * time.Second, true, []string{"core:3", "alllinear:3", "L1:3", "L4:3", "K:1"},
			[]string{"first seed only: K"}, ""},
		{"variations to one seed", 90 * time.Second, true, []string{"core:3", "alllinear:3", "L1:1", "L4:1", "K:1"},
			[]string{"first seed only: L1, L4, K"}, ""},
		{"all but core to one seed", 70 * time.Second, true, []string{"core:3", "alllinear:1", "L1:1", "L4:1", "K:1"},
			[]string{"first seed only: alllinear, L1, L4, K"}, ""},
		{"then dropped", 50 * time.Second, true, []string{"core:3", "alllinear:1", "L1:1"},
			[]string{"first seed only: alllinear, L1, L4, K", "dropped: K, L4"}, ""},
		{"one seed, refilled", 25 * time.Second, true, []string{"core:1", "alllinear:1"},
			[]string{"every point runs with its first seed only", "dropped: L4, L1, K"}, ""},
		{"core too big", 5 * time.Second, true, nil, nil, "even trimmed to the core points (1) with one seed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keep, notes, err := frontTrim(plan, tt.budget, tt.trim, cost)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, p := range keep {
				got = append(got, p.Slug+":"+strconv.Itoa(len(p.Seeds)))
			}
			assert.Equal(t, tt.keep, got)
			assert.Equal(t, tt.notes, notes)
			if tt.budget > 0 {
				assert.LessOrEqual(t, cost(keep), tt.budget.Seconds())
			}
			for _, p := range plan {
				assert.Len(t, p.Seeds, 3, "the plan given is not modified")
			}
		})
	}
}

// TestFrontReuseCell: the table's run column says fresh, hash-matched or stale.
func TestFrontReuseCell(t *testing.T) {
	tests := []struct {
		reused, stale, n int
		want             string
	}{
		{0, 0, 3, "fresh"},
		{3, 0, 3, "reused 3/3, hash-matched"},
		{2, 2, 3, "reused 2/3, stale"},
		{3, 1, 3, "reused 3/3 (2 hash-matched, 1 stale)"},
	}
	for _, tt := range tests {
		r := FrontRow{Acc: make([]float64, tt.n), Reused: tt.reused, Stale: tt.stale}
		assert.Equal(t, tt.want, frontReuseCell(r))
	}
}

// TestFrontQuick runs a tiny front end to end (the embedded Fashion-MNIST subset, a few steps
// per run): the learning-rate searches on validation, every point, the results section with
// its goals and the plot; run again, every run is reused with a matching hash; a run whose
// recorded hash differs is made again, or reused and marked stale with ReuseStale; and a
// budget below the estimate is refused before any run.
func TestFrontQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 23 tiny runs")
	}
	dir := t.TempDir()
	res := filepath.Join(dir, "docs", "results-front.md")
	c := FrontConfig{Out: filepath.Join(dir, "runs"), Tasks: []string{ModelMLP512}, Seeds: []uint64{1}, Quick: true,
		Results: res, Plots: filepath.Join(dir, "docs"), Command: "qpeft train --front --quick"}
	var log bytes.Buffer
	require.NoError(t, Front(context.Background(), c, &log), log.String())
	md := string(readFile(t, res))
	begin, end := frontMarkers(ModelMLP512)
	require.Contains(t, md, begin)
	require.Contains(t, md, end)
	points, err := FrontPlan(c, ModelMLP512, "")
	require.NoError(t, err)
	for _, p := range points {
		assert.Contains(t, md, "| "+p.Name+" |", "row of %s", p.Name)
	}
	assert.Equal(t, len(points), strings.Count(md, "| fresh |"), "every run made by this invocation")
	for _, f := range frontFamilies {
		assert.FileExists(t, filepath.Join(c.Out, ModelMLP512, "lr-"+f, LRSearchFile))
	}
	for _, goal := range []string{"- (a) ", "- (b) ", "- (c) "} {
		assert.Contains(t, md, goal)
	}
	assert.Contains(t, md, "![mlp512: test accuracy against adapter parameters](front-mlp512.png)")
	img, err := png.Decode(bytes.NewReader(readFile(t, filepath.Join(dir, "docs", FrontPlotFile(ModelMLP512)))))
	require.NoError(t, err, "the plot is a PNG")
	assert.Greater(t, img.Bounds().Dx(), 500)

	// Again: everything reused, hash-matched.
	log.Reset()
	require.NoError(t, Front(context.Background(), c, &log), log.String())
	md = string(readFile(t, res))
	assert.Equal(t, len(points), strings.Count(md, "| reused 1/1, hash-matched |"), md)
	assert.Equal(t, 1, strings.Count(md, begin), "the section is replaced, not appended")

	// Another code's run of the centre: made again, or reused as stale when asked.
	centre := filepath.Join(c.Out, ModelMLP512, "qpeft-L2-K512", "seed-1", MetricsFile)
	tamper := func() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(readFile(t, centre), &m))
		m["run"].(map[string]any)["hash"] = strings.Repeat("0", 64)
		write(t, centre, mustJSON(t, m))
	}
	tamper()
	c2 := c
	c2.ReuseStale = true
	require.NoError(t, Front(context.Background(), c2, &log))
	md = string(readFile(t, res))
	assert.Contains(t, md, "| Quantum-PEFT L=2 K=512 (fc2; centre) |")
	assert.Regexp(t, `Quantum-PEFT L=2 K=512 \(fc2; centre\) \|[^\n]*\| reused 1/1, stale \|`, md)
	require.NoError(t, Front(context.Background(), c, &log))
	md = string(readFile(t, res))
	assert.Regexp(t, `Quantum-PEFT L=2 K=512 \(fc2; centre\) \|[^\n]*\| fresh \|`, md, "made again without ReuseStale")

	// Other seeds: the finished searches are reused with the seed they ran with.
	search := readFile(t, filepath.Join(c.Out, ModelMLP512, "lr-qpeft", LRSearchFile))
	c5 := c
	c5.Seeds, c5.Results, c5.Plots, c5.Budget, c5.Trim = []uint64{2}, "", "", time.Hour, true
	require.NoError(t, Front(context.Background(), c5, &log))
	assert.Equal(t, string(search), string(readFile(t, filepath.Join(c.Out, ModelMLP512, "lr-qpeft", LRSearchFile))))
	assert.Contains(t, log.String(), "qpeft rate")

	// Tables only: a missing run is listed, not made.
	require.NoError(t, os.RemoveAll(filepath.Join(c.Out, ModelMLP512, "lora-r16")))
	c4 := c
	c4.TablesOnly = true
	require.NoError(t, Front(context.Background(), c4, &log))
	md = string(readFile(t, res))
	assert.NotContains(t, md, "| LoRA r=16 (fc2) |")
	assert.Contains(t, md, "not run: LoRA r=16 (fc2) seed 1")
	assert.Contains(t, md, "| LoRA r=8 (fc2) |")
	assert.NoDirExists(t, filepath.Join(c.Out, ModelMLP512, "lora-r16"))

	// A budget below the estimate of a new front is refused before any run.
	c3 := c
	c3.Out, c3.Results, c3.Plots, c3.Budget = filepath.Join(dir, "runs2"), "", "", time.Millisecond
	err = Front(context.Background(), c3, &log)
	assert.ErrorContains(t, err, "exceeds --budget")
	_, statErr := os.Stat(filepath.Join(c3.Out, ModelMLP512, "lr-head"))
	assert.True(t, os.IsNotExist(statErr), "nothing was run")
}

// TestFrontSeries: the plot has a series per method and target set, LoRA as a line sorted by
// parameters, Quantum-PEFT as markers, the head rows as dashed levels, and error bars of the
// seeds' std.
func TestFrontSeries(t *testing.T) {
	p := func(series, family, targets, slug string) FrontPoint {
		return FrontPoint{Series: series, Name: slug, Family: family, Targets: targets, Slug: slug}
	}
	rows := []FrontRow{
		{Point: p("head only (matched budget)", FamilyHead, "", "head-matched"), Mean: 80, Std: 0.1},
		{Point: p("LoRA (fc2)", FamilyLoRA, "std", "lora-r4"), Params: 4096, Mean: 83, Std: 0.2},
		{Point: p("LoRA (fc2)", FamilyLoRA, "std", "lora-r1"), Params: 1024, Mean: 81, Std: 0.3},
		{Point: p("Quantum-PEFT (fc2)", FamilyQPEFT, "std", "qpeft"), Params: 90, Mean: 81.2, Std: 0.2},
	}
	s, err := frontSeries(ModelMLP512, rows)
	require.NoError(t, err)
	var names []string
	for _, x := range s {
		names = append(names, x.Name)
	}
	assert.Equal(t, []string{"LoRA (fc2)", "Quantum-PEFT (fc2)", "head only (matched budget): 80.00 ± 0.10"}, names)
	assert.Equal(t, []float64{1024, 4096}, s[0].X)
	assert.Equal(t, []float64{81, 83}, s[0].Y)
	assert.Equal(t, []float64{0.3, 0.2}, s[0].YErr)
	assert.False(t, s[0].Markers)
	assert.True(t, s[1].Markers)
	assert.True(t, s[2].Dashed)
	assert.True(t, slices.IsSorted(s[2].X))
	png, err := FrontPlot(ModelMLP512, rows)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG")))
	_, err = frontSeries(ModelMLP512, rows[:1])
	assert.ErrorContains(t, err, "no adapter points")
}

// TestFrontGoals: the three goals of issue 17 from a task's rows, met and not met.
func TestFrontGoals(t *testing.T) {
	row := func(family, targets, slug string, params, rank int, acc ...float64) FrontRow {
		cfg := &Config{}
		cfg.Rank = rank
		r := FrontRow{Point: FrontPoint{Family: family, Targets: targets, Slug: slug, Name: slug, Series: "x (fc2)", Image: cfg},
			Params: params, Acc: acc}
		if family == FamilyQPEFT && slug == "centre" {
			r.Point.Factor = FactorCentre
		}
		r.Mean, r.Std = meanStd(acc)
		return r
	}
	head := row(FamilyHead, "", "head-matched", 0, 0, 80, 80.2, 80.1)
	lora1 := row(FamilyLoRA, "std", "lora-r1", 1024, 1, 82, 82.2)
	lora8 := row(FamilyLoRA, "std", "lora-r8", 8192, 8, 84, 84.2)
	tests := []struct {
		name string
		rows []FrontRow
		want []string
	}{
		{"all met", []FrontRow{head, lora1, lora8, row(FamilyQPEFT, "std", "centre", 90, 8, 83.5, 83.7)},
			[]string{"- (a) within 1 point of the best LoRA (same targets) with ≥ 10× fewer adapter parameters: **met**", "(91.0× fewer), 0.50 points below",
				"- (b) every Quantum-PEFT point with fewer parameters than LoRA r=1 (same targets) at ≥ its accuracy − 0.5: **met**",
				"- (c) every Quantum-PEFT point above the matched-budget head-only row by more than one std: **met**"}},
		{"none met", []FrontRow{head, lora1, lora8, row(FamilyQPEFT, "std", "centre", 90, 8, 80.1, 80.2)},
			[]string{"(a) within 1 point of the best LoRA (same targets) with ≥ 10× fewer adapter parameters: **not met**",
				"(b) every Quantum-PEFT point with fewer parameters than LoRA r=1 (same targets) at ≥ its accuracy − 0.5: **not met** — 1 of 1 below",
				"(c) every Quantum-PEFT point above the matched-budget head-only row by more than one std: **not met** — head only (matched budget) 80.10 ± 0.10 % (3 seeds); 0 of 1"}},
		{"one seed each", []FrontRow{row(FamilyHead, "", "head-matched", 0, 0, 80), lora1, row(FamilyQPEFT, "std", "centre", 90, 8, 81)},
			[]string{"1 not measurable (one seed on both rows)", "**not met**"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := frontGoals(tt.rows)
			for _, w := range tt.want {
				assert.Contains(t, g, w)
			}
		})
	}
}
