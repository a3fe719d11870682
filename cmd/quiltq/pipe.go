package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
)

// When the reader of stdout goes away (`quiltq -e ... | head -1`), quiltq
// stops at once and quietly: the context of the run ends with
// errStdoutClosed, which stops a running Athena query as Ctrl-C does,
// nothing more is written on stderr, and the exit code is 141, what a
// shell reports for a tool that SIGPIPE ended.
var errStdoutClosed = errors.New("stdout was closed by its reader")

// watchStdout returns ctx, ended with errStdoutClosed as its cause when
// stdout's reader goes away, and the writer to print on stdout through.
// The end is seen either way: a write that fails with EPIPE, or (while
// nothing is written, as while a query runs) the pipe reporting its
// reader gone (pollClosed).
func watchStdout(ctx context.Context, stdout *os.File) (context.Context, io.Writer) {
	// With SIGPIPE notified, a write to a closed pipe returns EPIPE instead
	// of ending the process before the query could be stopped.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	if wasClosed(stdout) {
		return ctx, closedOut{}
	}
	if fi, err := stdout.Stat(); err != nil || fi.Mode()&(os.ModeNamedPipe|os.ModeSocket) == 0 {
		// A terminal or a file has no reader to lose; the workbench needs
		// the terminal itself (*os.File) to size and drive it.
		return ctx, stdout
	}
	// The cancel function lives as long as the process: main exits with
	// the context.
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		if pollClosed(stdout) {
			cancel(errStdoutClosed)
		}
	}()
	return ctx, pipeWriter{w: stdout, cancel: cancel}
}

// stdoutClosed reports whether ctx ended because stdout's reader left.
func stdoutClosed(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), errStdoutClosed)
}

// pipeWriter ends the run when a write finds the reader gone.
type pipeWriter struct {
	w      io.Writer
	cancel context.CancelCauseFunc
}

func (p pipeWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if errors.Is(err, syscall.EPIPE) {
		p.cancel(errStdoutClosed)
	}
	return n, err
}

// quietWriter drops what is written once stdout's reader has left: the
// failure it caused is no news to anyone.
type quietWriter struct {
	ctx context.Context
	w   io.Writer
}

func quietAfterClose(ctx context.Context, w io.Writer) io.Writer { return quietWriter{ctx, w} }

func (q quietWriter) Write(b []byte) (int, error) {
	if stdoutClosed(q.ctx) {
		return len(b), nil
	}
	return q.w.Write(b)
}

// closedOut is stdout when it was closed before quiltq started: every
// write fails, so that results written nowhere are not a success.
type closedOut struct{}

func (closedOut) Write([]byte) (int, error) {
	return 0, &fs.PathError{Op: "write", Path: "/dev/stdout", Err: errors.New("stdout was closed before quiltq started")}
}
