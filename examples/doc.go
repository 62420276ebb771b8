// Package examples holds qpeft's runnable example programs, one directory each (go run
// ./examples/NAME); its test builds and runs every one of them in short mode.
package examples
