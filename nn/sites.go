package nn

import "strings"

// MapSite is a place in a network that holds a [LinearMap]: a LinearMap layer of a
// Sequential (e.g. a [Linear]) or the Map of a [Conv2D]. Adapters are injected by replacing
// the map at a site with a wrapper: site.Set(adapt(site.Map)).
type MapSite[T Float] struct {
	// Name identifies the site: the name of the map's first parameter without a ".weight"
	// suffix, e.g. "Convolution28" or "fc" (empty if the map has no parameters).
	Name string
	// Index is the position of the layer in Sequential.Layers.
	Index int
	// Conv is the convolution holding the map, or nil for a layer of the Sequential itself.
	Conv *Conv2D[T]
	// Map is the current map.
	Map LinearMap[T]
	// Set replaces the map at this site.
	Set func(LinearMap[T])
}

// MapSites lists the LinearMap sites of the Sequential in layer order (nested Sequentials
// are not searched).
func (s *Sequential[T]) MapSites() []MapSite[T] {
	var out []MapSite[T]
	for i, l := range s.Layers {
		switch l := l.(type) {
		case *Conv2D[T]:
			out = append(out, MapSite[T]{Name: siteName(l.Map), Index: i, Conv: l, Map: l.Map, Set: func(m LinearMap[T]) { l.Map = m }})
		case LinearMap[T]:
			out = append(out, MapSite[T]{Name: siteName(l), Index: i, Map: l, Set: func(m LinearMap[T]) { s.Layers[i] = m }})
		}
	}
	return out
}

func siteName[T Float](m LinearMap[T]) string {
	ps := m.Params()
	if len(ps) == 0 {
		return ""
	}
	return strings.TrimSuffix(ps[0].Name, ".weight")
}
