// Command gen rewrites the generated part of docs/architecture.md from `go list` of the
// module and the layering of package layering: a Mermaid diagram of the layers and the
// imports between them, the packages of each layer, and the known exceptions.
//
//	go generate ./internal/layering   (or: go run ./internal/layering/gen -doc docs/architecture.md)
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/internal/layering"
)

func main() {
	doc := flag.String("doc", "docs/architecture.md", "the Markdown file whose generated section to rewrite")
	flag.Parse()
	graph, err := layering.GoList(".")
	if err != nil {
		log.Fatal(err)
	}
	old, err := os.ReadFile(*doc)
	if err != nil {
		log.Fatal(err)
	}
	out, err := layering.Splice(old, layering.Markdown(graph))
	if err != nil {
		log.Fatalf("%s: %v", *doc, err)
	}
	if err := atomicfile.WriteFile(*doc, out, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote", *doc)
}
