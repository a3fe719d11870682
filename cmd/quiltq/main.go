// Command quiltq is a terminal query workbench for Amazon Athena behind the
// Quilt data platform.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first Ctrl-C (which stops the Athena query), give signals
	// back their default action, so that a second one ends quiltq at once.
	go func() { <-ctx.Done(); stop() }()
	st := streams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTTY: isTerminal(os.Stdin), OutTTY: isTerminal(os.Stdout), ErrTTY: isTerminal(os.Stderr),
	}
	code := run(ctx, os.Args[1:], st, os.Getenv)
	stop()
	os.Exit(code)
}

// isTerminal reports whether f is a character device (a terminal), without
// any dependency: good enough to choose table output and live progress.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
