package sandbox_test

import (
	"testing"

	"github.com/quiltq/quiltq/engine/sandbox"
)

// BenchmarkStart measures what `quiltq sandbox serve` does before it
// prints its line: load the default stack, populate S3 and Glue, open the
// SQL engine, listen.
func BenchmarkStart(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		run, err := sandbox.Start("127.0.0.1:0", sandbox.Options{ScratchDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		if err := run.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
