package data_test

import (
	"fmt"

	"github.com/qpeft/qpeft/data"
)

// Deterministic mini-batches: the same seed and epoch always give the same batches.
func ExampleEpochBatches() {
	for _, b := range data.EpochBatches(10, 4, 42, 0, false) {
		fmt.Println(len(b))
	}
	fmt.Println(fmt.Sprint(data.EpochBatches(10, 4, 42, 0, false)) == fmt.Sprint(data.EpochBatches(10, 4, 42, 0, false)))
	// Output:
	// 4
	// 4
	// 2
	// true
}

func ExampleBatch() {
	d := &data.Dataset{N: 2, Rows: 2, Cols: 2, Classes: 10, Images: []byte{0, 255, 255, 0, 1, 2, 3, 4}, Labels: []byte{3, 7}}
	x, labels := data.Batch[float32](d, []int{1, 0}, 1.0/255)
	fmt.Println(x.Shape, labels, x.Data[4:])
	// Output: [2 1 2 2] [7 3] [0 1 1 0]
}
