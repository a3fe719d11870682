package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/athenasrv"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

// serveFlags are the flags of sandbox serve.
type serveFlags struct {
	addr, stack, syntaxErrors string
	opts                      sandbox.Options
	verbose                   bool
}

// runSandboxServe starts the embedded stack on loopback, prints one JSON
// line describing it on stdout and serves until ctx ends (SIGINT, SIGTERM).
func runSandboxServe(ctx context.Context, sf serveFlags, st streams) int {
	opts, stackFile, addr, verbose := sf.opts, &sf.stack, &sf.addr, &sf.verbose
	var err error
	if opts.SyntaxErrors, err = athenasrv.ParseSyntaxErrors(sf.syntaxErrors); err != nil {
		fmt.Fprintf(st.Err, "quiltq sandbox serve: --syntax-errors: %v\n", err)
		return exitUsage
	}
	if f := opts.Faults; f.Throttle < 0 || f.ServerError < 0 || f.Cut < 0 || f.Throttle+f.ServerError+f.Cut > 1 {
		fmt.Fprintln(st.Err, "quiltq sandbox serve: fault fractions must be between 0 and 1 and add up to at most 1")
		return exitUsage
	}
	if *stackFile != "" {
		abs, err := filepath.Abs(*stackFile)
		if err == nil {
			opts.Stack, err = stack.Load(os.DirFS(filepath.Dir(abs)), filepath.Base(abs))
		}
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq sandbox serve: %v\n", err)
			return exitUsage
		}
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	opts.Log = slog.New(slog.NewTextHandler(st.Err, &slog.HandlerOptions{Level: level}))

	run, err := sandbox.Start(*addr, opts)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq sandbox serve: %v\n", err)
		return exitUsage
	}
	line, err := json.Marshal(run.Info)
	if err != nil {
		run.Close()
		fmt.Fprintf(st.Err, "quiltq sandbox serve: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(st.Out, "%s\n", line)
	fmt.Fprintf(st.Err, "quiltq sandbox: serving stack %s at %s (Ctrl-C to stop)\n", run.Stack().Name, run.Info.CatalogURL)
	<-ctx.Done()
	if err := run.Close(); err != nil {
		fmt.Fprintf(st.Err, "quiltq sandbox serve: stopping: %v\n", err)
		return exitFailed
	}
	fmt.Fprintln(st.Err, "quiltq sandbox: stopped")
	return exitOK
}
