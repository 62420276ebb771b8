package data

import (
	"fmt"
	"strings"
)

// The kinds of user image datasets [LoadUser] reads.
const (
	KindIDX    = "idx"    // a directory in the MNIST file layout ([LoadIDXFolder])
	KindNPZ    = "npz"    // a NumPy .npz archive ([LoadNPZ])
	KindImages = "images" // a directory of class sub-directories of PNG images ([LoadImageFolder])
)

// UserKinds lists the kinds [LoadUser] accepts, in the order help texts show them.
var UserKinds = []string{KindIDX, KindNPZ, KindImages}

// LoadUser reads a user's image classification dataset of the given kind (idx, npz or
// images) from path; seed drives the stratified split of a dataset that comes as one set.
func LoadUser(kind, path string, seed uint64) (*Splits, error) {
	if path == "" {
		return nil, fmt.Errorf("data: %s: no path given (write %s:PATH)", kind, kind)
	}
	switch kind {
	case KindIDX:
		return LoadIDXFolder(path, seed)
	case KindNPZ:
		return LoadNPZ(path, seed)
	case KindImages:
		return LoadImageFolder(path, seed)
	}
	return nil, fmt.Errorf("data: unknown dataset kind %q; want %s", kind, strings.Join(UserKinds, ", "))
}
