package bert

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/formats/hfpeft"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// Inject wraps the named sites of e with adapters of configuration cfg, as package train's
// Inject does for training runs. A test of package bert cannot import train (train imports
// bert), so the gradient checks and benchmarks of this package attach adapters with this
// copy; train's tests check train.Inject itself.
func Inject[T nn.Float](e *Encoder[T], cfg peft.Config, names []string, baseModel string) (*peft.Checkpoint, error) {
	sites := map[string]Site[T]{}
	var shapes []peft.ModuleShape
	for _, s := range e.Sites() {
		sites[s.Name] = s
	}
	for _, n := range names {
		out, in := sites[n].Map.Dims()
		shapes = append(shapes, peft.ModuleShape{Name: n, Out: out, In: in})
	}
	ck, err := peft.NewCheckpoint(cfg, baseModel, shapes)
	if err != nil {
		return nil, err
	}
	for _, m := range ck.Modules {
		a, err := peft.NewAdapted[T](sites[m.Name].Map, m.Adapter)
		if err != nil {
			return nil, err
		}
		sites[m.Name].Set(a)
	}
	return ck, nil
}

func TestMatchTargets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tiny")
	require.NoError(t, WriteTiny(dir, TinyOptions{Seed: 7, Words: []string{"hello", "world"}, Pooler: true, Scale: 0.1}))
	m, err := Load(dir)
	require.NoError(t, err)
	cases := []struct {
		spec string
		want []string
	}{
		{"query,value", []string{"encoder.layer.0.attention.self.query", "encoder.layer.0.attention.self.value", "encoder.layer.1.attention.self.query", "encoder.layer.1.attention.self.value"}},
		{`encoder\.layer\.1\..*\.(key|dense)`, []string{"encoder.layer.1.attention.self.key", "encoder.layer.1.attention.output.dense", "encoder.layer.1.intermediate.dense", "encoder.layer.1.output.dense"}},
		{"pooler.dense", []string{"pooler.dense"}},
	}
	for _, c := range cases {
		tm, err := ParseTargets(c.spec)
		require.NoError(t, err, c.spec)
		got, err := MatchTargets(m.Encoder, tm)
		require.NoError(t, err, c.spec)
		assert.Equal(t, c.want, got, c.spec)
	}
	// A target that matches nothing is reported with the module names.
	_, err = MatchTargets(m.Encoder, hfpeft.TargetModules{Names: []string{"q_proj"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `target "q_proj" matches no module`)
	assert.Contains(t, err.Error(), "attention.self.query")
}
