// Command quiltq is a terminal query workbench for Amazon Athena behind the
// Quilt data platform.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/quiltq/quiltq/ui/pipe"
)

func main() {
	// SIGHUP (the terminal closed) stops what quiltq started as Ctrl-C
	// and SIGTERM do.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	// After the first signal (which stops the Athena query), give signals
	// back their default action, so that a second one ends quiltq at once.
	go func() { <-ctx.Done(); stop() }()
	ctx, out := pipe.Watch(ctx, os.Stdout)
	st := streams{
		In: os.Stdin, Out: out, Err: pipe.Quiet(ctx, os.Stderr),
		InTTY: isTerminal(os.Stdin), OutTTY: isTerminal(os.Stdout), ErrTTY: isTerminal(os.Stderr),
	}
	code := run(ctx, os.Args[1:], st, os.Getenv)
	if pipe.Closed(ctx) {
		code = exitPipe
	}
	stop()
	os.Exit(code)
}

// isTerminal reports whether f is a terminal, to choose table output and
// live progress, and to ask before a destructive statement only where
// someone can answer. /dev/null and /dev/full are character devices but
// no terminal: output written there is data, and its failure is seen.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
