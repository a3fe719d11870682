package main

import (
	"context"
	"fmt"
)

// runPolicy runs `quiltq policy ...`. (Built by the engine/iam work.)
func runPolicy(ctx context.Context, args []string, st streams) int {
	fmt.Fprintln(st.Err, "quiltq policy: not built yet")
	return exitUsage
}
