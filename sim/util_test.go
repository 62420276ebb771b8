package sim

import (
	"errors"
	"strconv"
)

func asMemoryError(err error, me **MemoryError) bool { return errors.As(err, me) }

func itoa(i int) string { return strconv.Itoa(i) }
