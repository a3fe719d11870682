package main

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/quiltq/quiltq/engine"
)

// Exit codes, as ARCHITECTURE.md fixes them.
const (
	exitOK          = 0
	exitFailed      = 1   // the query (or the command) failed
	exitUsage       = 2   // bad flags, arguments or config
	exitDenied      = 3   // refused by AWS or by the local grant check
	exitCredentials = 4   // not logged in, or credentials refused
	exitInterrupted = 130 // stopped by the user; the Athena query was stopped
	exitPipe        = 141 // stdout closed by its reader; as a tool SIGPIPE ends (128+13)
)

// streams are the process's standard streams, passed in so that run can be
// tested in-process, with whether each is a terminal.
type streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer

	InTTY, OutTTY, ErrTTY bool

	// rawErr is stderr without the escaping of Err, for the progress
	// line's own control sequences; nil means Err.
	rawErr io.Writer
}

// progressOut is where the progress line goes.
func (st streams) progressOut() io.Writer {
	if st.rawErr != nil {
		return st.rawErr
	}
	return st.Err
}

// globalFlags are the flags of quiltq itself (query mode and the
// workbench), and those its subcommands share (bound in cli.go).
type globalFlags struct {
	profile         string
	exec, file      string
	format          string
	noHeader        bool
	nullString      optionalString
	limit           int64
	continueOnError bool
	stats           bool
	catalog         string
	database        string
	workgroup       string
	sandbox         bool
	sandboxUser     string
	syntaxErrors    syntaxErrorsFlag // --syntax-errors: the embedded sandbox's
	awsProfile      string
	fetch           string
	mouse           bool
	results         string
	grants          string
	policies        listFlag // --policy: the role's identity policies, when known
	guards          guardFlags
}

// listFlag collects a flag given several times.
type listFlag []string

// optionalString is a string flag that knows whether it was given.
type optionalString struct{ s *string }

func (o *optionalString) String() string {
	if o.s == nil {
		return ""
	}
	return *o.s
}

func (o *optionalString) Set(v string) error { o.s = &v; return nil }

// Type names the value in help, as pflag asks.
func (o *optionalString) Type() string { return "string" }

// readSQL finds the SQL of query mode: -e, -f, or stdin when it is not a
// terminal. ok is false when there is none (the TUI's case).
func readSQL(ctx context.Context, g *globalFlags, st streams) (sql string, ok bool, err error) {
	switch {
	case g.exec != "" && g.file != "":
		return "", false, errors.New("give -e or -f, not both")
	case g.exec != "":
		return g.exec, true, nil
	case g.file == "-":
		b, err := engine.ReadLimitedContext(ctx, st.In, "stdin", engine.SQLLimit())
		return string(b), true, err
	case g.file != "":
		b, err := engine.ReadFileLimitedContext(ctx, g.file, engine.SQLLimit())
		if err != nil {
			return "", false, err
		}
		return string(b), true, nil
	case !st.InTTY && st.In != nil:
		// Bounded while reading: a pipe that never ends fails at the
		// limit instead of filling memory.
		b, err := engine.ReadLimitedContext(ctx, st.In, "stdin", engine.SQLLimit())
		if err != nil {
			return "", false, err
		}
		if strings.TrimSpace(string(b)) == "" {
			return "", false, nil
		}
		return string(b), true, nil
	}
	return "", false, nil
}
