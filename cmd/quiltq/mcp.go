package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

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
		if listen, err = mcpserver.LoopbackAddr(*addr); err != nil {
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
		// ctx ends.
		err = srv.ServeStdio(ctx, st.In, st.Out)
	} else {
		err = srv.ServeLoopback(ctx, listen, func(url string) {
			fmt.Fprintf(st.Err, "quiltq mcp: serving streamable HTTP at %s (Ctrl-C to stop)\n", url)
		})
	}
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq mcp: %v\n", err)
		return exitCode(err)
	}
	return exitOK
}
