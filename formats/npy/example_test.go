package npy_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/qpeft/qpeft/formats/npy"
)

func Example() {
	var buf bytes.Buffer
	// A 2x3 float64 matrix, row-major.
	if err := npy.Write(&buf, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6}); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", buf.Bytes()[:10])
	fmt.Println("data starts at byte", buf.Len()-6*8)

	a, err := npy.Read(&buf)
	if err != nil {
		log.Fatal(err)
	}
	m, err := npy.As[float64](a)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.DType, a.Shape, m)
	// Output:
	// "\x93NUMPY\x01\x00v\x00"
	// data starts at byte 128
	// <f8 [2 3] [1 2 3 4 5 6]
}
