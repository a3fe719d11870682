package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/athenasrv"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

// runSandbox runs `quiltq sandbox ...`.
func runSandbox(ctx context.Context, args []string, st streams, getenv func(string) string) int {
	if len(args) == 0 || args[0] != "serve" {
		fmt.Fprintln(st.Err, "usage: quiltq sandbox serve [flags]  (run 'quiltq sandbox serve -h' for the flags)")
		return exitUsage
	}
	return runSandboxServe(ctx, args[1:], st)
}

// runSandboxServe starts the embedded stack on loopback, prints one JSON
// line describing it on stdout and serves until ctx ends (SIGINT, SIGTERM).
func runSandboxServe(ctx context.Context, args []string, st streams) int {
	fs := flag.NewFlagSet("quiltq sandbox serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks a free one)")
	stackFile := fs.String("stack", "", "stack `file` (YAML) describing the world to serve; default: the built-in one")
	var opts sandbox.Options
	fs.DurationVar(&opts.Latency, "latency", 0, "added `delay` before every AWS reply")
	fs.DurationVar(&opts.Queue, "queue", 0, "how long each query stays QUEUED")
	fs.DurationVar(&opts.Run, "run", 0, "how long each query stays RUNNING at least")
	fs.IntVar(&opts.BenchRows, "bench-rows", 0, "rows of benchmarks.numbers (default: the stack's, 1000000 in the built-in one)")
	fs.Float64Var(&opts.Faults.Throttle, "fault-throttle", 0, "`fraction` of AWS requests answered with throttling")
	fs.Float64Var(&opts.Faults.ServerError, "fault-500", 0, "`fraction` of AWS requests answered with a 500")
	fs.Float64Var(&opts.Faults.Cut, "fault-cut", 0, "`fraction` of AWS replies cut in the middle of their body")
	fs.Uint64Var(&opts.Faults.Seed, "fault-seed", 1, "`seed` choosing which requests fail")
	fs.Func("syntax-errors", "where SQL that does not parse is refused: `start` (StartQueryExecution, the default) or run (the query fails)", func(v string) (err error) {
		opts.SyntaxErrors, err = athenasrv.ParseSyntaxErrors(v)
		return err
	})
	verbose := fs.Bool("v", false, "log every AWS request on stderr")
	if code := parseFlags(fs, args, st); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(st.Err, "quiltq sandbox serve: unexpected argument %q\n", fs.Arg(0))
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
