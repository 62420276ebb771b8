package train

import (
	"fmt"

	"github.com/qpeft/qpeft/internal/plots"
)

// Curves draws a run's training curves as a PNG (internal/plots): loss (left) and accuracy
// (right) against the optimisation step, the training values averaged over Config.LogEvery
// steps and the test values after every epoch (and the zero-shot score at step 0).
func Curves(m *Metrics) ([]byte, error) {
	var trL, trA, teL, teA plots.Series
	trL.Name, trA.Name, teL.Name, teA.Name = "train (moving mean)", "train (moving mean)", "test", "test"
	for _, c := range m.Curve {
		trL.X, trL.Y = append(trL.X, float64(c.Step)), append(trL.Y, c.Loss)
		trA.X, trA.Y = append(trA.X, float64(c.Step)), append(trA.Y, 100*c.Accuracy)
	}
	if m.ZeroShot != nil {
		teL.X, teL.Y = append(teL.X, 0), append(teL.Y, m.ZeroShot.Loss)
		teA.X, teA.Y = append(teA.X, 0), append(teA.Y, 100*m.ZeroShot.Accuracy)
	}
	for _, e := range m.Epochs {
		teL.X, teL.Y = append(teL.X, float64(e.Step)), append(teL.Y, e.TestLoss)
		teA.X, teA.Y = append(teA.X, float64(e.Step)), append(teA.Y, 100*e.TestAccuracy)
	}
	var loss, acc []plots.Series
	for _, s := range [][2]plots.Series{{trL, trA}, {teL, teA}} {
		if len(s[0].X) > 0 {
			loss, acc = append(loss, s[0]), append(acc, s[1])
		}
	}
	if len(loss) == 0 {
		return nil, fmt.Errorf("train: curves: %s has no training curve and no test score", m.Label)
	}
	// Cross-entropy starts orders of magnitude above where it ends (a new head on raw
	// features), so the loss panel is logarithmic whenever every value is positive.
	logLoss := true
	for _, s := range loss {
		for _, y := range s.Y {
			if !(y > 0) {
				logLoss = false
			}
		}
	}
	yl := "cross-entropy"
	if logLoss {
		yl = "cross-entropy (log scale)"
	}
	png, err := plots.LinePanels([]plots.Panel{
		{Series: loss, LinesOptions: plots.LinesOptions{Title: "loss — " + m.Label, XLabel: "step", YLabel: yl, LogY: logLoss}},
		{Series: acc, LinesOptions: plots.LinesOptions{Title: "accuracy — " + m.Label, XLabel: "step", YLabel: "accuracy (%)"}},
	})
	if err != nil {
		return nil, fmt.Errorf("train: curves: %w", err)
	}
	return png, nil
}
