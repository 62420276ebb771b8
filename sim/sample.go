package sim

import (
	"fmt"
	"math"
	"math/rand/v2"

	par "github.com/qpeft/qpeft/internal/parallel"
)

// MaxShots is the largest shot count Run and SampleCounts accept, 2^62.
const MaxShots = 1 << 62

// Outcome is a basis state and the number of shots that gave it.
type Outcome struct {
	Index int
	Count int
}

// sampleChunk is the number of basis states whose probabilities SampleCounts sums into one
// block of the two-level draw.
const sampleChunk = 1 << 12

// SampleCounts draws the outcomes of shots independent measurements of every qubit in the
// computational basis, without changing the state, as counts per basis state in index order
// (states that no shot gave are left out). The counts are drawn directly from the multinomial
// distribution over the basis states: first over blocks of 4096 consecutive states (sequential
// binomials, each with the mass of the blocks not yet drawn), then, inside each block that got
// shots, over its states. Time is O(2^n + outcomes) and memory O(outcomes) whatever the shot
// count (up to MaxShots); the counts always add up to shots, and the same rng state gives the
// same counts.
func (s *State) SampleCounts(shots int, rng *rand.Rand) ([]Outcome, error) {
	if shots < 0 || shots > MaxShots {
		return nil, fmt.Errorf("sim: %d shots: take 0 to 2^62", shots)
	}
	rows := 1 << s.n
	nb := (rows + sampleChunk - 1) / sampleChunk
	// mass[b]: the squared norm of blocks b.. (the suffix sums the sequential binomials
	// divide by).
	mass := make([]float64, 2*nb+1)
	bm := mass[nb+1:] // the mass of each block
	blockMass := func(b int) float64 { return s.sumSq(b*sampleChunk, min((b+1)*sampleChunk, rows)) }
	if nw := workers(rows); nw == 1 || nb == 1 {
		for b := range nb {
			bm[b] = blockMass(b)
		}
	} else {
		par.Split(nw, nb, func(lo, hi int) {
			for b := lo; b < hi; b++ {
				bm[b] = blockMass(b)
			}
		})
	}
	for b := nb - 1; b >= 0; b-- {
		mass[b] = bm[b] + mass[b+1]
	}
	if !(mass[0] > 0) || math.IsInf(mass[0], 0) {
		return nil, fmt.Errorf("sim: sample: the state has norm² %v", mass[0])
	}
	var out []Outcome
	var suffix [sampleChunk + 1]float64
	left := shots
	for b := 0; b < nb && left > 0; b++ {
		k := left
		if mass[b+1] > 0 {
			k = Binomial(rng, left, bm[b]/mass[b])
		}
		left -= k
		if k == 0 {
			continue
		}
		lo, hi := b*sampleChunk, min((b+1)*sampleChunk, rows)
		suffix[hi-lo] = 0
		for i := hi - 1; i >= lo; i-- {
			suffix[i-lo] = suffix[i-lo+1] + s.prob(i)
		}
		for i := lo; i < hi && k > 0; i++ {
			p := s.prob(i)
			if p == 0 && suffix[i-lo+1] > 0 {
				continue
			}
			c := k
			if suffix[i-lo+1] > 0 {
				c = Binomial(rng, k, p/suffix[i-lo])
			}
			if c > 0 {
				out = append(out, Outcome{Index: i, Count: c})
				k -= c
			}
		}
	}
	return out, nil
}

// Binomial draws from the binomial distribution of n trials (0 <= n <= MaxShots) with
// success probability p (clamped to [0, 1]): by inversion when the mean of the rarer outcome
// is at most 30, otherwise by the BTPE algorithm of Kachitvichyanukul and Schmeiser
// (Communications of the ACM 31(2), 1988), the pair numpy uses. Its running time does not grow
// with n.
func Binomial(rng *rand.Rand, n int, p float64) int {
	if n <= 0 || !(p > 0) {
		return 0
	}
	if p >= 1 {
		return n
	}
	if p > 0.5 {
		return n - Binomial(rng, n, 1-p)
	}
	if float64(n)*p <= 30 {
		return binomialInversion(rng, n, p)
	}
	return binomialBTPE(rng, n, p)
}

// binomialInversion walks the probability mass function from 0 (n·p <= 30, p <= 1/2).
func binomialInversion(rng *rand.Rand, n int, p float64) int {
	q := 1 - p
	qn := math.Exp(float64(n) * math.Log1p(-p))
	np := float64(n) * p
	bound := int(math.Min(float64(n), np+10*math.Sqrt(np*q+1)))
	for {
		x, px := 0, qn
		u := rng.Float64()
		for u > px {
			x++
			if x > bound {
				break
			}
			u -= px
			px *= float64(n-x+1) * p / (float64(x) * q)
		}
		if x <= bound {
			return x
		}
	}
}

// binomialBTPE is the triangle-parallelogram-exponential rejection sampler (n·p > 30,
// p <= 1/2), in float64 throughout so that n up to 2^62 works.
func binomialBTPE(rng *rand.Rand, n int, p float64) int {
	nf := float64(n)
	r := p
	q := 1 - r
	fm := nf*r + r
	m := math.Floor(fm)
	npq := nf * r * q
	p1 := math.Floor(2.195*math.Sqrt(npq)-4.6*q) + 0.5
	xm := m + 0.5
	xl := xm - p1
	xr := xm + p1
	c := 0.134 + 20.5/(15.3+m)
	a := (fm - xl) / (fm - xl*r)
	laml := a * (1 + a/2)
	a = (xr - fm) / (xr * q)
	lamr := a * (1 + a/2)
	p2 := p1 * (1 + 2*c)
	p3 := p2 + c/laml
	p4 := p3 + c/lamr
	for {
		u := rng.Float64() * p4
		v := rng.Float64()
		var y float64
		switch {
		case u <= p1: // the triangle: accept at once
			y = math.Floor(xm - p1*v + u)
			return int(y)
		case u <= p2: // the parallelograms
			x := xl + (u-p1)/c
			v = v*c + 1 - math.Abs(m-x+0.5)/p1
			if v > 1 {
				continue
			}
			y = math.Floor(x)
		case u <= p3: // the left exponential tail
			if v == 0 {
				continue
			}
			y = math.Floor(xl + math.Log(v)/laml)
			if y < 0 {
				continue
			}
			v *= (u - p2) * laml
		default: // the right exponential tail
			if v == 0 {
				continue
			}
			y = math.Floor(xr - math.Log(v)/lamr)
			if y > nf {
				continue
			}
			v *= (u - p3) * lamr
		}
		k := math.Abs(y - m)
		if k <= 20 || k >= npq/2-1 {
			// Evaluate f(y)/f(m) by the recursion of the probability mass function.
			s := r / q
			aa := s * (nf + 1)
			F := 1.0
			if m < y {
				for i := m + 1; i <= y; i++ {
					F *= aa/i - s
				}
			} else if m > y {
				for i := y + 1; i <= m; i++ {
					F /= aa/i - s
				}
			}
			if v <= F {
				return int(y)
			}
			continue
		}
		// Squeeze with the bounds on log f(y)/f(m), then the Stirling-series test.
		rho := (k / npq) * ((k*(k/3+0.625)+0.16666666666666666)/npq + 0.5)
		t := -k * k / (2 * npq)
		A := math.Log(v)
		if A < t-rho {
			return int(y)
		}
		if A > t+rho {
			continue
		}
		x1 := y + 1
		f1 := m + 1
		z := nf + 1 - m
		w := nf - y + 1
		x2, f2, z2, w2 := x1*x1, f1*f1, z*z, w*w
		st := func(v, v2 float64) float64 {
			return (13680 - (462-(132-(99-140/v2)/v2)/v2)/v2) / v / 166320
		}
		if A <= xm*math.Log(f1/x1)+(nf-m+0.5)*math.Log(z/w)+(y-m)*math.Log(w*r/(x1*q))+
			st(f1, f2)+st(z, z2)+st(x1, x2)+st(w, w2) {
			return int(y)
		}
	}
}

// sampleIndex draws one basis state from the Born distribution (two passes: the norm, then
// the cumulative sum up to the draw), without changing the state.
func (s *State) sampleIndex(rng *rand.Rand) (int, error) {
	rows := 1 << s.n
	total := reduce(rows, s.sumSq)
	if !(total > 0) || math.IsInf(total, 0) {
		return 0, fmt.Errorf("sim: sample: the state has norm² %v", total)
	}
	u := rng.Float64() * total
	cum, last := 0.0, 0
	for i := range rows {
		p := s.prob(i)
		if p == 0 {
			continue
		}
		cum += p
		last = i
		if u < cum {
			return i, nil
		}
	}
	return last, nil // rounding left the top of [0, total) uncovered
}
