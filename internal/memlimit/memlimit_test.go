package memlimit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"1073741824", 1 << 30}, {"1.5GiB", 3 << 29}, {"500MB", 500e6}, {" 2 kib ", 2048}, {"7b", 7}, {"0", 0},
	} {
		v, err := Parse(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, v, tc.in)
	}
	for _, bad := range []string{"", "12 parsecs", "GiB", "-1", "1e400", "99999999999TiB"} {
		_, err := Parse(bad)
		assert.Error(t, err, bad)
	}
}

func TestDefaultIsPositiveAndStable(t *testing.T) {
	d := Default()
	assert.Positive(t, d)
	assert.Equal(t, d, Default())
}
