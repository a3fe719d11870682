// Command quiltq is a terminal query workbench for Amazon Athena behind the
// Quilt data platform.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
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

// isTerminal reports whether f is a terminal. A character device is not
// enough: /dev/null is one, and quiltq asks before a destructive statement
// only where someone can answer.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
