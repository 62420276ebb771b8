package qasm

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLimitsWithDefaults sets each field of Limits alone (found by reflection, so a new limit
// is covered too) and checks that it is kept while every other field takes DefaultLimits.
func TestLimitsWithDefaults(t *testing.T) {
	assert.Equal(t, DefaultLimits, Limits{}.withDefaults())
	typ := reflect.TypeFor[Limits]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		t.Run(f.Name, func(t *testing.T) {
			for _, v := range []int64{7, 0, -3} {
				var l Limits
				reflect.ValueOf(&l).Elem().Field(i).SetInt(v)
				got := l.withDefaults()
				want := DefaultLimits
				if v > 0 {
					reflect.ValueOf(&want).Elem().Field(i).SetInt(v)
				}
				require.NotZero(t, reflect.ValueOf(DefaultLimits).Field(i).Int(), "DefaultLimits.%s", f.Name)
				assert.Equal(t, want, got, "%s = %d", f.Name, v)
			}
		})
	}
}
