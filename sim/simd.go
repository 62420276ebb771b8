package sim

// pairBlocksGo is the portable loop of pairBlocksF64 and pairBlocksC128: blocks of 2R
// elements, the first R "a" and the next R "b".
func pairBlocksGo[T number](d []T, R int, m0, m1, m2, m3 T) {
	for s := 0; s+2*R <= len(d); s += 2 * R {
		a, b := d[s:s+R], d[s+R:s+2*R]
		for j := range a {
			x, y := a[j], b[j]
			a[j] = m0*x + m1*y
			b[j] = m2*x + m3*y
		}
	}
}
