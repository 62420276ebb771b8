package fashionsubset_test

import (
	"fmt"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/data/fashionsubset"
)

func ExampleLoad() {
	train, err := fashionsubset.Load(data.Train)
	if err != nil {
		fmt.Println(err)
		return
	}
	test, _ := fashionsubset.Load(data.Test)
	fmt.Println(train.N, test.N, train.Rows, train.Cols, data.FashionMNISTClasses[train.Labels[0]] != "")
	// Output: 6000 1000 28 28 true
}
