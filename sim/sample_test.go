package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/qpeft/qpeft/circuit"
)

// chiSquarePValue returns the p-value of Pearson's statistic for observed counts against
// expected ones (cells with expectation below 5 pooled), by gonum's chi-square distribution.
func chiSquarePValue(t *testing.T, observed, expected []float64) float64 {
	t.Helper()
	var stat, poolO, poolE float64
	df := -1
	for i := range observed {
		if expected[i] < 5 {
			poolO += observed[i]
			poolE += expected[i]
			continue
		}
		d := observed[i] - expected[i]
		stat += d * d / expected[i]
		df++
	}
	if poolE > 0 {
		d := poolO - poolE
		stat += d * d / math.Max(poolE, 1e-300)
		df++
	}
	require.Positive(t, df, "too few cells for a chi-square test")
	return distuv.ChiSquared{K: float64(df)}.Survival(stat)
}

// TestBinomialDistribution: the binomial sampler in both of its regimes (inversion for a mean
// of the rarer outcome up to 30, BTPE above) matches the exact probability mass function of
// gonum's distuv.Binomial by a chi-square test, with fixed seeds.
func TestBinomialDistribution(t *testing.T) {
	for _, c := range []struct {
		name string
		n    int
		p    float64
	}{
		{"inversion, small n", 10, 0.3},
		{"inversion, rare successes", 2000, 0.01},
		{"inversion, p above one half", 40, 0.9},
		{"BTPE", 200, 0.4},
		{"BTPE, p above one half", 1000, 0.8},
		{"BTPE, large n", 1_000_000, 0.02},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := NewRNG(11)
			const draws = 200_000
			seen := map[int]float64{}
			for range draws {
				k := Binomial(rng, c.n, c.p)
				require.True(t, k >= 0 && k <= c.n, "draw %d outside 0..%d", k, c.n)
				seen[k]++
			}
			ref := distuv.Binomial{N: float64(c.n), P: c.p}
			mean, sd := ref.Mean(), ref.StdDev()
			lo, hi := max(0, int(mean-8*sd)), min(c.n, int(mean+8*sd)+1)
			var obs, exp []float64
			var inRange float64
			for k := lo; k <= hi; k++ {
				obs = append(obs, seen[k])
				exp = append(exp, draws*ref.Prob(float64(k)))
				inRange += seen[k]
			}
			assert.Equal(t, float64(draws), inRange, "draws more than 8 standard deviations out")
			assert.Greater(t, chiSquarePValue(t, obs, exp), 1e-4)
		})
	}
}

// TestBinomialHuge: for n up to 2^62 the draws have the binomial mean and standard deviation
// (z-tests on 4000 draws), stay in 0..n, and are integers even where float64 cannot count.
func TestBinomialHuge(t *testing.T) {
	for _, c := range []struct {
		n int
		p float64
	}{
		{1e12, 0.5}, {1e12, 1e-9}, {1e12, 0.999999}, {MaxShots, 0.25}, {MaxShots, 1e-15}, {MaxShots, 3e-19},
	} {
		rng := NewRNG(5)
		const draws = 4000
		var sum, sumSq float64
		mean := float64(c.n) * c.p
		sd := math.Sqrt(float64(c.n) * c.p * (1 - c.p))
		for range draws {
			k := Binomial(rng, c.n, c.p)
			require.True(t, k >= 0 && k <= c.n, "n=%d p=%g: draw %d", c.n, c.p, k)
			z := (float64(k) - mean) / sd
			sum += z
			sumSq += z * z
		}
		assert.Less(t, math.Abs(sum/math.Sqrt(draws)), 4.5, "n=%d p=%g: mean off", c.n, c.p)
		// The variance of standardised draws is 1; its estimate has sd about sqrt(2/draws).
		assert.InDelta(t, 1, sumSq/draws, 5*math.Sqrt(2.0/draws)+0.05, "n=%d p=%g: variance off", c.n, c.p)
	}
	assert.Equal(t, 0, Binomial(NewRNG(1), MaxShots, 0))
	assert.Equal(t, MaxShots, Binomial(NewRNG(1), MaxShots, 1))
}

// samplingCircuits are circuits whose exact outcome probabilities come from itsubaki/q.
func samplingCircuits() map[string]*circuit.Circuit {
	r := rand.New(rand.NewPCG(3, 4))
	return map[string]*circuit.Circuit{
		"bell":              circuit.New(2).H(0).CX(0, 1),
		"random 5 qubits":   randomCircuit(r, 5, 40, itsubakiPool(), 1),
		"random 13 qubits":  randomCircuit(r, 13, 120, itsubakiPool(), 1),
		"uniform 14 qubits": uniform(14),
	}
}

func uniform(n int) *circuit.Circuit {
	c := circuit.New(n)
	for q := range n {
		c.H(q)
	}
	return c
}

// TestSampleCountsAgainstItsubaki: counts drawn from the multinomial over outcomes match the
// exact probabilities of itsubaki/q (an independent simulator, bits reversed): a chi-square
// test at 1e6 shots, and per-outcome binomial z-tests with relative frequencies within 1e-5
// at 1e12 and 2^62 shots, where the counts add up to the shots exactly. The same seed gives
// the same counts.
func TestSampleCountsAgainstItsubaki(t *testing.T) {
	for name, c := range samplingCircuits() {
		t.Run(name, func(t *testing.T) {
			amps := runItsubaki(t, c)
			probs := make([]float64, len(amps))
			for i, a := range amps {
				probs[i] = real(a)*real(a) + imag(a)*imag(a)
			}
			res, err := Run(c, Options{})
			require.NoError(t, err)
			for _, shots := range []int{1_000_000, 1e12, MaxShots} {
				outs, err := res.State.SampleCounts(shots, NewRNG(uint64(shots)%1000+7))
				require.NoError(t, err)
				again, err := res.State.SampleCounts(shots, NewRNG(uint64(shots)%1000+7))
				require.NoError(t, err)
				require.Equal(t, outs, again, "same seed, same counts")
				counts := make([]float64, len(probs))
				total := 0
				for j, o := range outs {
					require.Positive(t, o.Count)
					if j > 0 {
						require.Greater(t, o.Index, outs[j-1].Index, "outcomes in index order")
					}
					counts[o.Index] = float64(o.Count)
					total += o.Count
				}
				require.Equal(t, shots, total, "counts add up to the shots")
				if shots <= 1_000_000 {
					exp := make([]float64, len(probs))
					for i, p := range probs {
						exp[i] = p * float64(shots)
					}
					assert.Greater(t, chiSquarePValue(t, counts, exp), 1e-4, "%d shots", shots)
					continue
				}
				n := float64(shots)
				for i, p := range probs {
					freq := counts[i] / n
					assert.InDelta(t, p, freq, 1e-5, "%d shots, outcome %d", shots, i)
					if p*n > 100 && (1-p)*n > 100 {
						z := (counts[i] - p*n) / math.Sqrt(n*p*(1-p))
						assert.Less(t, math.Abs(z), 5.5, "%d shots, outcome %d: z = %.2f", shots, i, z)
					} else if p < 1e-13 {
						assert.Less(t, counts[i], 100.0, "%d shots, outcome %d of probability %g", shots, i, p)
					}
				}
			}
		})
	}
}

// TestRunShotsMarginal: terminal measurements of some qubits only give the marginal
// distribution, keyed by classical bits; the counts sum to the shots.
func TestRunShotsMarginal(t *testing.T) {
	c := circuit.New(3).RY(0.7, 0).H(1).CX(1, 2).RY(1.9, 2)
	c.Measure(2, 0) // qubit 2 -> bit 0
	c.Measure(0, 1) // qubit 0 -> bit 1
	base := circuit.New(3).RY(0.7, 0).H(1).CX(1, 2).RY(1.9, 2)
	amps := runItsubaki(t, base)
	want := map[string]float64{}
	for i, a := range amps {
		key := string([]byte{byte('0' + i&1), byte('0' + i>>2&1)})
		want[key] += real(a)*real(a) + imag(a)*imag(a)
	}
	const shots int = 1e12
	res, err := Run(c, Options{Shots: shots, Seed: 9})
	require.NoError(t, err)
	require.Equal(t, shots, res.Shots)
	total := 0
	for key, n := range res.Counts {
		total += n
		assert.InDelta(t, want[key], float64(n)/float64(shots), 1e-5, key)
	}
	assert.Equal(t, shots, total)
}

// TestSamplingMemoryIndependentOfShots: drawing 2^62 shots allocates no more than drawing
// 1000 (within a few KiB): the sampler never holds anything per shot.
func TestSamplingMemoryIndependentOfShots(t *testing.T) {
	c := circuit.New(2).H(0).CX(0, 1).MeasureAll()
	allocated := func(shots int) uint64 {
		var a, b runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&a)
		res, err := Run(c, Options{Shots: shots, Seed: 1})
		runtime.ReadMemStats(&b)
		require.NoError(t, err)
		require.Equal(t, shots, res.Counts["00"]+res.Counts["11"])
		return b.TotalAlloc - a.TotalAlloc
	}
	small, huge := allocated(1000), allocated(MaxShots)
	assert.Less(t, huge, small+16<<10, "2^62 shots allocated %d bytes, 1000 shots %d", huge, small)
	_, err := Run(c, Options{Shots: MaxShots + 1})
	assert.ErrorContains(t, err, "2^62")
}

// TestRunShotsProgressAndStop: a per-shot simulation reports progress and stops between
// shots when its context is cancelled, returning the counts so far.
func TestRunShotsProgressAndStop(t *testing.T) {
	c := circuit.New(1).H(0).Measure(0, 0).H(0).Measure(0, 1)
	var calls []int
	res, err := Run(c, Options{Shots: 5000, Seed: 2, Progress: func(done, total int) {
		require.Equal(t, 5000, total)
		calls = append(calls, done)
	}})
	require.NoError(t, err)
	require.NotEmpty(t, calls)
	assert.Equal(t, 5000, calls[len(calls)-1])
	assert.LessOrEqual(t, len(calls), 1001)
	sum := 0
	for _, n := range res.Counts {
		sum += n
	}
	assert.Equal(t, 5000, sum)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err = Run(c, Options{Shots: 5000, Seed: 2, Context: ctx, Progress: func(done, total int) {
		if done >= 100 {
			cancel()
		}
	}})
	require.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, res, "the counts so far come back with the error")
	assert.GreaterOrEqual(t, res.Shots, 100)
	assert.Less(t, res.Shots, 5000)
	sum = 0
	for _, n := range res.Counts {
		sum += n
	}
	assert.Equal(t, res.Shots, sum)
}

// TestRunShotsDynamicDistribution: a circuit that measures before its last gate is
// simulated shot by shot (a mid-circuit collapse, then the trailing measurements drawn
// jointly); its counts match the exact distribution by a chi-square test: bit 0 ~
// Bernoulli(sin²(a/2)), bit 1 ~ Bernoulli(1/2) after the collapsed qubit goes through H, bit 2 ~
// Bernoulli(sin²(b/2)), independent.
func TestRunShotsDynamicDistribution(t *testing.T) {
	a, b := 1.1, 2.3
	c := circuit.New(2).RY(a, 0).Measure(0, 0).H(0).RY(b, 1).Measure(0, 1).Measure(1, 2)
	const shots = 20000
	res, err := Run(c, Options{Shots: shots, Seed: 4})
	require.NoError(t, err)
	p0, p2 := math.Pow(math.Sin(a/2), 2), math.Pow(math.Sin(b/2), 2)
	var obs, exp []float64
	for v := range 8 {
		key := string([]byte{byte('0' + v>>2&1), byte('0' + v>>1&1), byte('0' + v&1)})
		p := 0.5
		p *= map[bool]float64{true: p0, false: 1 - p0}[v&1 == 1]
		p *= map[bool]float64{true: p2, false: 1 - p2}[v>>2&1 == 1]
		obs = append(obs, float64(res.Counts[key]))
		exp = append(exp, p*shots)
	}
	assert.Greater(t, chiSquarePValue(t, obs, exp), 1e-4, "counts %v", res.Counts)
}
