package main

import (
	"context"
	"fmt"
)

// runSandbox runs `quiltq sandbox ...`.
func runSandbox(ctx context.Context, args []string, st streams, getenv func(string) string) int {
	fmt.Fprintln(st.Err, "quiltq sandbox: not built yet")
	return exitUsage
}
