// Package pipe notices when the reader of a program's stdout goes away
// (`quiltq -e ... | head -1`), so that the program can stop at once and
// quietly: Watch ends a context with ErrClosed as its cause, which stops
// whatever runs under it (a running Athena query, as Ctrl-C does); Quiet
// drops what is then written on stderr, since the failures the closing
// causes are no news to anyone. The program then exits 141, as a shell
// reports a tool that SIGPIPE ended.
package pipe

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
)

// ErrClosed is the cause (context.Cause) of a context Watch ended.
var ErrClosed = errors.New("stdout was closed by its reader")

// Watch returns ctx, ended with ErrClosed as its cause when stdout's
// reader goes away, and the writer to print on stdout through.
// The end is seen either way: a write that fails with EPIPE, or (while
// nothing is written, as while a query runs) the pipe reporting its
// reader gone (pollClosed).
func Watch(ctx context.Context, stdout *os.File) (context.Context, io.Writer) {
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
	// The cancel function lives as long as the process: Watch is called
	// once, by main, which exits with the context.
	// The descriptor is read here, not in the goroutine: reading it there
	// would race a Close of stdout (by a test; main never closes it).
	fd := stdout.Fd()
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		if pollClosed(fd) {
			cancel(ErrClosed)
		}
	}()
	return ctx, pipeWriter{w: stdout, cancel: cancel}
}

// Closed reports whether ctx (or the context it came from) ended because
// stdout's reader left.
func Closed(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), ErrClosed)
}

// pipeWriter ends the run when a write finds the reader gone.
type pipeWriter struct {
	w      io.Writer
	cancel context.CancelCauseFunc
}

func (p pipeWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if errors.Is(err, syscall.EPIPE) {
		p.cancel(ErrClosed)
	}
	return n, err
}

// quietWriter drops what is written once stdout's reader has left.
type quietWriter struct {
	ctx context.Context
	w   io.Writer
}

// Quiet is w (stderr) until ctx ends with ErrClosed; after, it drops what
// is written: the failure the closing caused is no news to anyone.
func Quiet(ctx context.Context, w io.Writer) io.Writer { return quietWriter{ctx, w} }

func (q quietWriter) Write(b []byte) (int, error) {
	if Closed(q.ctx) {
		return len(b), nil
	}
	return q.w.Write(b)
}

// closedOut is stdout when it was closed before the program started: every
// write fails, so that results written nowhere are not a success.
type closedOut struct{}

func (closedOut) Write([]byte) (int, error) {
	return 0, &fs.PathError{Op: "write", Path: "/dev/stdout", Err: errors.New("stdout was closed before quiltq started")}
}
