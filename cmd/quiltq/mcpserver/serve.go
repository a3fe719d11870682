package mcpserver

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/quiltq/quiltq/engine"
)

// This file serves a Server on its two transports: stdio, and streamable
// HTTP on loopback.

// ServeStdio serves the protocol on in and out until the client closes
// the connection (nil) or ctx ends (nil). When in is a ReadCloser, such as
// the process's stdin, it is closed when ctx ends, ending a pending read;
// out is never closed.
func (s *Server) ServeStdio(ctx context.Context, in io.Reader, out io.Writer) error {
	rc, ok := in.(io.ReadCloser)
	if !ok {
		rc = io.NopCloser(in)
	}
	err := s.mcp.Run(ctx, &mcp.IOTransport{Reader: rc, Writer: nopCloser{out}})
	if err != nil && ctx.Err() == nil && !errors.Is(err, mcp.ErrConnectionClosed) && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// nopCloser is a writer the transport may close without closing stdout.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// ServeLoopback serves the streamable HTTP transport at /mcp on listen, an
// address LoopbackAddr accepted, until ctx ends; then it shuts down,
// giving requests under way 5 s. ready is called with the URL once the
// address is listened on. An address that cannot be listened on (in use,
// not this machine's) is an engine.Invalid error.
func (s *Server) ServeLoopback(ctx context.Context, listen string, ready func(url string)) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return &engine.Error{Kind: engine.Invalid, Err: err}
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", s.HTTPHandler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ready("http://" + ln.Addr().String() + "/mcp")
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(stop)
		err = <-done
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
