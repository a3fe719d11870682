package stack

import (
	"embed"
	"fmt"
	"io/fs"
)

// defaultFiles is the built-in world: default/stack.yaml and the data
// files it names. (An embed.FS is read-only, so this is no mutable state.)
//
//go:embed default
var defaultFiles embed.FS

// Default loads the built-in stack: sales-prod, with the users analyst,
// reader and admin (see default/stack.yaml for the story it tells). Each
// call returns a new Stack that the caller may change.
func Default() (*Stack, error) {
	sub, err := fs.Sub(defaultFiles, "default")
	if err != nil {
		return nil, fmt.Errorf("stack: default: %w", err)
	}
	return Load(sub, "stack.yaml")
}
