package bert_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/models/bert"
)

func TestFindMiniLMSpam(t *testing.T) {
	model := filepath.Join(t.TempDir(), "tiny")
	require.NoError(t, bert.WriteTiny(model, bert.TinyOptions{Seed: 1, Words: []string{"ham", "spam"}}))
	t.Setenv("QPEFT_MINILM_DIR", model)
	for _, tc := range []struct {
		name, model, data   string
		wantModel, wantData string
	}{
		{"both given", "m", "d", "m", "d"},
		{"model found", "", "d", model, "d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, d, err := bert.FindMiniLMSpam(tc.model, tc.data)
			require.NoError(t, err)
			assert.Equal(t, tc.wantModel, m)
			assert.Equal(t, tc.wantData, d)
		})
	}
	t.Run("model not found", func(t *testing.T) {
		t.Setenv("QPEFT_MINILM_DIR", t.TempDir())
		_, _, err := bert.FindMiniLMSpam("", "d")
		assert.ErrorContains(t, err, "QPEFT_MINILM_DIR")
	})
}

// Directories given are used as they are; empty ones are looked up (FindMiniLM,
// text.FindSpamAssassin).
func ExampleFindMiniLMSpam() {
	model, data, err := bert.FindMiniLMSpam("runs/model", "runs/corpus")
	fmt.Println(model, data, err)
	// Output: runs/model runs/corpus <nil>
}
