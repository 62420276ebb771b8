package peakrss

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/testenv"
)

// The test binary doubles as the measured command: with PEAKRSS_ALLOC=N it touches N MiB
// and exits with PEAKRSS_EXIT.
func TestMain(m *testing.M) {
	if s := os.Getenv("PEAKRSS_ALLOC"); s != "" {
		n, _ := strconv.Atoi(s)
		buf := make([]byte, n<<20)
		for i := 0; i < len(buf); i += 4096 {
			buf[i] = 1
		}
		code, _ := strconv.Atoi(os.Getenv("PEAKRSS_EXIT"))
		if os.Getenv("PEAKRSS_SLEEP") != "" {
			time.Sleep(time.Hour)
		}
		os.Exit(code + int(buf[len(buf)-4096]) - 1)
	}
	os.Exit(m.Run())
}

func measure(t *testing.T, allocMiB, exit int) Result {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "PEAKRSS_ALLOC="+strconv.Itoa(allocMiB), "PEAKRSS_EXIT="+strconv.Itoa(exit))
	res, err := Run(context.Background(), cmd)
	require.NoError(t, err)
	return res
}

func TestRunMeasuresTheChildNotTheParent(t *testing.T) {
	if _, err := os.Stat(TimeBinary); err != nil {
		testenv.Missing(t, "%v", ErrNoTime)
	}
	// Grow this (parent) process well beyond what the child uses: with os/exec's own
	// rusage the child would report at least this much.
	ballast := make([]byte, 300<<20)
	for i := 0; i < len(ballast); i += 4096 {
		ballast[i] = 1
	}
	small := measure(t, 8, 0)
	large := measure(t, 120, 3)
	assert.Equal(t, 0, small.ExitCode)
	assert.Equal(t, 3, large.ExitCode)
	assert.Less(t, small.PeakMiB(), 100.0, "the child's figure carries the parent's 300 MiB")
	assert.Greater(t, small.PeakMiB(), 8.0)
	assert.Greater(t, large.PeakMiB(), 120.0)
	assert.Less(t, large.PeakMiB(), 200.0)
	assert.Equal(t, byte(1), ballast[len(ballast)-4096])
}

func TestRunContextKillsTheCommand(t *testing.T) {
	if _, err := os.Stat(TimeBinary); err != nil {
		testenv.Missing(t, "%v", ErrNoTime)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "PEAKRSS_ALLOC=1", "PEAKRSS_SLEEP=1")
	done := make(chan error, 1)
	go func() { _, err := Run(ctx, cmd); done <- err }()
	select {
	case err := <-done:
		require.Error(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the measured command outlived its context")
	}
}
