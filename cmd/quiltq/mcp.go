package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/quiltq/quiltq/cmd/quiltq/mcpserver"
	"github.com/quiltq/quiltq/engine/session"
)

// mcpFlags are the flags of quiltq mcp.
type mcpFlags struct {
	http    string // --http ADDR: streamable HTTP on loopback instead of stdio
	verbose bool   // -v: info-level lines on stderr
}

// runMCP is `quiltq mcp [--http ADDR]`: the Model Context Protocol server
// over one session, on stdio (the default) or streamable HTTP on
// loopback. stdout belongs to the protocol; everything quiltq says goes to
// stderr.
func runMCP(ctx context.Context, g *globalFlags, mf mcpFlags, st streams, getenv func(string) string) int {
	addr, verbose := &mf.http, &mf.verbose
	listen := ""
	if *addr != "" {
		var err error
		if listen, err = loopbackAddr(*addr); err != nil {
			fmt.Fprintf(st.Err, "quiltq mcp: --http %s\n", err)
			return exitUsage
		}
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(st.Err, &slog.HandlerOptions{Level: level}))

	a := newApp(g, st, getenv)
	defer a.close()
	sess, err := a.open(ctx)
	if errors.Is(err, session.ErrNotLoggedIn) {
		// An MCP client shows a server that exits as merely gone: serve,
		// and let every tool that needs AWS say how to log in.
		fmt.Fprintf(st.Err, "quiltq mcp: %v\nquiltq mcp: serving anyway; the tools say so until you log in and the client restarts the server\n", err)
		var o session.Options
		if o, err = a.options(); err == nil {
			sess, err = session.Offline(o)
		}
	}
	if err != nil {
		return failed(st, "mcp", err)
	}
	srv := mcpserver.New(sess, mcpserver.Options{Version: versionString(), CanApplyFix: g.sandbox, Log: logger})
	defer func() {
		if ids := srv.Close(context.WithoutCancel(ctx)); len(ids) > 0 {
			fmt.Fprintf(st.Err, "quiltq mcp: stopped %d query(ies) left running: %v\n", len(ids), ids)
		}
	}()
	if listen == "" {
		// Closing the process's stdin (an *os.File) ends a pending read when
		// ctx ends; another reader is left open.
		in, ok := st.In.(io.ReadCloser)
		if !ok {
			in = io.NopCloser(st.In)
		}
		err = srv.MCP().Run(ctx, &mcp.IOTransport{Reader: in, Writer: nopCloser{st.Out}})
		if err != nil && ctx.Err() == nil && !errors.Is(err, mcp.ErrConnectionClosed) && !errors.Is(err, io.EOF) {
			fmt.Fprintf(st.Err, "quiltq mcp: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	return serveMCPHTTP(ctx, srv, listen, st)
}

// serveMCPHTTP serves the streamable HTTP transport on listen until ctx
// ends.
func serveMCPHTTP(ctx context.Context, srv *mcpserver.Server, listen string, st streams) int {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq mcp: %v\n", err)
		return exitUsage
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", srv.HTTPHandler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(st.Err, "quiltq mcp: serving streamable HTTP at http://%s/mcp (Ctrl-C to stop)\n", ln.Addr())
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
		fmt.Fprintf(st.Err, "quiltq mcp: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// loopbackAddr is addr to listen on, which must be on loopback: a port
// alone means 127.0.0.1. The server acts as the logged-in user for whoever
// reaches it and asks for no credentials, so it is never served beyond
// this machine.
func loopbackAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		if _, perr := net.LookupPort("tcp", addr); perr != nil {
			return "", fmt.Errorf("%q is not an address: give HOST:PORT on loopback (127.0.0.1:8765) or a port", addr)
		}
		host, port = "", addr
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("%q is not a loopback address: quiltq mcp serves your login to whoever connects, so it listens on 127.0.0.1, ::1 or localhost only", addr)
	}
	return net.JoinHostPort(host, port), nil
}

// nopCloser is a writer the transport may close without closing stdout.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
