package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes, as ARCHITECTURE.md fixes them.
const (
	exitOK          = 0
	exitFailed      = 1   // the query (or the command) failed
	exitUsage       = 2   // bad flags, arguments or config
	exitDenied      = 3   // refused by AWS or by the local grant check
	exitCredentials = 4   // not logged in, or credentials refused
	exitInterrupted = 130 // stopped by the user; the Athena query was stopped
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// streams are the process's standard streams, passed in so that run can be
// tested in-process.
type streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// run is the whole program: it parses args, runs the command they name and
// returns the exit code. getenv reads the environment.
func run(ctx context.Context, args []string, st streams, getenv func(string) string) int {
	if len(args) > 0 {
		switch args[0] {
		case "--version", "-version", "version":
			fmt.Fprintln(st.Out, "quiltq", version)
			return exitOK
		case "-h", "--help", "-help", "help":
			usage(st.Out)
			return exitOK
		case "sandbox":
			return runSandbox(ctx, args[1:], st, getenv)
		case "policy":
			return runPolicy(ctx, args[1:], st)
		}
	}
	usage(st.Err)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, strings.TrimLeft(`
quiltq: a terminal query workbench for Amazon Athena behind Quilt.

Usage:
  quiltq sandbox serve [flags]   run the embedded Quilt stack on loopback
  quiltq policy eval [flags]     evaluate an IAM request against policy files
  quiltq --version               print the version

Run 'quiltq COMMAND -h' for a command's flags.
`, "\n"))
}

// parseFlags parses args with fs, printing errors and help to st.Err. It
// returns the exit code to stop with, or -1 to go on.
func parseFlags(fs *flag.FlagSet, args []string, st streams) int {
	fs.SetOutput(st.Err)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	return -1
}
