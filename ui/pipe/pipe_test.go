package pipe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// ended waits (at most a while) for ctx to end and reports whether it did.
func ended(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	case <-time.After(10 * time.Second):
		return false
	}
}

// watchedPipe is a pipe whose writing end Watch watches, and its reading
// end, for the test to close.
func watchedPipe(t *testing.T) (*os.File, context.Context, io.Writer) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	ctx, out := Watch(context.Background(), w)
	return r, ctx, out
}

func TestWatchSeesTheReaderGoWhileNothingIsWritten(t *testing.T) {
	r, ctx, out := watchedPipe(t)
	if out == nil || ctx.Err() != nil {
		t.Fatalf("got writer %v and context error %v at the start, want a writer and a live context", out, ctx.Err())
	}
	if _, err := out.Write([]byte("row\n")); err != nil {
		t.Fatalf("writing while the reader is there: %v", err)
	}
	r.Close()
	if !pollable() {
		t.Skip("this platform cannot poll a pipe: the end is seen at the next write only")
	}
	if !ended(ctx) {
		t.Fatal("the context did not end after the reader closed the pipe")
	}
	if !Closed(ctx) || !errors.Is(context.Cause(ctx), ErrClosed) {
		t.Errorf("got cause %v, want ErrClosed", context.Cause(ctx))
	}
}

func TestWatchSeesAFailedWrite(t *testing.T) {
	r, ctx, out := watchedPipe(t)
	r.Close()
	// The write may race the poll: either way the write fails (SIGPIPE
	// does not end the test binary: Watch asked for it) and the context
	// ends with ErrClosed.
	if _, err := out.Write([]byte("row\n")); err == nil {
		t.Error("a write to a pipe whose reader left succeeded")
	}
	if !ended(ctx) || !Closed(ctx) {
		t.Errorf("got cause %v, want ErrClosed", context.Cause(ctx))
	}
}

// brokenPipe fails every write as a pipe whose reader left does.
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) {
	return 0, &os.PathError{Op: "write", Path: "|1", Err: syscall.EPIPE}
}

// A write that finds the reader gone ends the run by itself, where the
// pipe cannot be polled.
func TestPipeWriterEndsTheRunOnEPIPE(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	w := pipeWriter{w: brokenPipe{}, cancel: cancel}
	if _, err := w.Write([]byte("row\n")); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("got %v, want the write's EPIPE passed on", err)
	}
	if !Closed(ctx) {
		t.Errorf("got cause %v, want ErrClosed", context.Cause(ctx))
	}
}

func TestWatchLeavesFilesAlone(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	base := context.Background()
	ctx, out := Watch(base, f)
	if ctx != base {
		t.Error("a file has no reader to lose, but Watch made a new context for it")
	}
	if out != f {
		t.Errorf("got writer %T, want the file itself (the workbench needs the *os.File)", out)
	}
}

func TestQuiet(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	var errb bytes.Buffer
	w := Quiet(ctx, &errb)
	w.Write([]byte("before\n"))
	cancel(errors.New("an interrupt"))
	w.Write([]byte("after an interrupt\n"))
	if got, want := errb.String(), "before\nafter an interrupt\n"; got != want {
		t.Fatalf("got %q, want %q: only the reader leaving silences", got, want)
	}
	ctx, cancel = context.WithCancelCause(context.Background())
	errb.Reset()
	w = Quiet(ctx, &errb)
	cancel(ErrClosed)
	if n, err := w.Write([]byte("write failed: broken pipe\n")); n != 26 || err != nil {
		t.Errorf("got %d, %v, want the write taken whole and no error", n, err)
	}
	if errb.Len() != 0 {
		t.Errorf("got %q on stderr after the reader left, want nothing", errb.String())
	}
}

func TestClosedOutFails(t *testing.T) {
	if n, err := (closedOut{}).Write([]byte("x")); n != 0 || err == nil {
		t.Errorf("got %d, %v, want 0 and an error: results written nowhere are no success", n, err)
	}
}
