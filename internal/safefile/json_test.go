package safefile_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/safefile"
)

type doc struct {
	Format string `json:"format"`
	N      int    `json:"n"`
}

func TestReadJSON(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string
		limit         int64
		want          doc
		err           string // error words; "" for success
		decode        bool   // the error is a *JSONError
	}{
		{"valid", `{"format":"x","n":3}`, -1, doc{"x", 3}, "", false},
		{"first value only", `{"n":1} trailing`, -1, doc{N: 1}, "", false},
		{"unknown field", `{"format":"x","nn":3}`, -1, doc{}, `unknown field "nn"`, true},
		{"wrong type", `{"n":"three"}`, -1, doc{}, "cannot unmarshal string", true},
		{"syntax", `{"n":`, -1, doc{}, "unexpected EOF", true},
		{"over the limit", `{"n":1}`, 3, doc{}, "larger than 3 bytes", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := tc.name + ".json"
			path := filepath.Join(dir, name)
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o644))
			for _, read := range []struct {
				via, named string
				f          func(v any) error
			}{
				{"ReadJSON", path, func(v any) error { return safefile.ReadJSON(path, tc.limit, v) }},
				{"ReadJSONIn", name, func(v any) error { return safefile.ReadJSONIn(dir, name, tc.limit, v) }},
			} {
				var got doc
				err := read.f(&got)
				if tc.err == "" {
					require.NoError(t, err, read.via)
					assert.Equal(t, tc.want, got, read.via)
					continue
				}
				require.Error(t, err, read.via)
				assert.Contains(t, err.Error(), tc.err, read.via)
				var je *safefile.JSONError
				assert.Equal(t, tc.decode, errors.As(err, &je), read.via)
				if tc.decode {
					assert.True(t, strings.HasPrefix(err.Error(), read.named+": "), "%s: %v", read.via, err)
				}
			}
		})
	}
}

func TestDecodeJSON(t *testing.T) {
	var d doc
	require.NoError(t, safefile.DecodeJSON([]byte(`{"format":"f"}`), &d))
	assert.Equal(t, doc{Format: "f"}, d)
	var se *json.SyntaxError
	assert.ErrorAs(t, safefile.DecodeJSON([]byte(`{]`), &d), &se)
	assert.ErrorContains(t, safefile.DecodeJSON([]byte(`{"x":1}`), &d), `unknown field "x"`)
}
