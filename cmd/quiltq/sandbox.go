package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

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

// syntaxErrorsUsage is the help of --syntax-errors, on sandbox serve and
// beside --sandbox.
const syntaxErrorsUsage = "where SQL that does not parse is refused: `start` (StartQueryExecution) or run (the query fails)"

// syntaxErrorsFlag is --syntax-errors beside --sandbox: read by
// athenasrv.ParseSyntaxErrors, as serve's is, and known to be given.
type syntaxErrorsFlag struct {
	at    athenasrv.SyntaxErrors
	given bool
}

func (f *syntaxErrorsFlag) String() string {
	if f.at == athenasrv.SyntaxAtRun {
		return "run"
	}
	return "start"
}

func (f *syntaxErrorsFlag) Set(s string) error {
	at, err := athenasrv.ParseSyntaxErrors(s)
	if err != nil {
		return err
	}
	f.at, f.given = at, true
	return nil
}

func (f *syntaxErrorsFlag) Type() string { return "string" }

// runSandboxServe starts the embedded stack on loopback, prints one JSON
// line describing it on stdout and serves until ctx ends (SIGINT, SIGTERM).
func runSandboxServe(ctx context.Context, sf serveFlags, st streams) int {
	opts, stackFile, addr, verbose := sf.opts, &sf.stack, &sf.addr, &sf.verbose
	var err error
	if opts.SyntaxErrors, err = athenasrv.ParseSyntaxErrors(sf.syntaxErrors); err != nil {
		fmt.Fprintf(st.Err, "quiltq sandbox serve: --syntax-errors: %v\n", err)
		return exitUsage
	}
	if msg := checkServeFlags(opts); msg != "" {
		fmt.Fprintf(st.Err, "quiltq sandbox serve: %s\n", msg)
		return exitUsage
	}
	if *stackFile != "" {
		if opts.Stack, err = stack.LoadFile(*stackFile); err != nil {
			// The stack is read relative to its directory: name the whole path.
			abs, _ := filepath.Abs(*stackFile)
			fmt.Fprintf(st.Err, "quiltq sandbox serve: --stack %s: %v; give the path of a stack YAML file\n", abs, unwrapPath(err))
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

// checkServeFlags says what is wrong with serve's numbers, or "".
func checkServeFlags(o sandbox.Options) string {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"--latency", o.Latency}, {"--queue", o.Queue}, {"--run", o.Run}} {
		if d.v < 0 {
			return fmt.Sprintf("%s %s: give a duration of 0 or more", d.name, d.v)
		}
	}
	if o.BenchRows < 0 {
		return fmt.Sprintf("--bench-rows %d: give a number of rows of 0 or more (0: the stack's)", o.BenchRows)
	}
	f := o.Faults
	for _, x := range []struct {
		name string
		v    float64
	}{{"--fault-throttle", f.Throttle}, {"--fault-500", f.ServerError}, {"--fault-cut", f.Cut}} {
		// Written so that NaN fails too.
		if !(x.v >= 0 && x.v <= 1) {
			return fmt.Sprintf("%s %v: fault fractions are between 0 and 1", x.name, x.v)
		}
	}
	if f.Throttle+f.ServerError+f.Cut > 1 {
		return fmt.Sprintf("--fault-throttle, --fault-500 and --fault-cut add up to %v: together they must be at most 1", f.Throttle+f.ServerError+f.Cut)
	}
	return ""
}

// unwrapPath drops the *fs.PathError around err: the path is said once.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
