package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
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
// tested in-process, with whether each is a terminal.
type streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer

	InTTY, OutTTY, ErrTTY bool
}

// globalFlags are the flags of quiltq itself (query mode), parsed before
// any subcommand.
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
	awsProfile      string
	fetch           string
	mouse           bool
	results         string
	grants          string
	policies        listFlag // --policy: the role's identity policies, when known
	guards          guardFlags
}

// optionalString is a string flag that knows whether it was given.
type optionalString struct{ s *string }

func (o *optionalString) String() string {
	if o.s == nil {
		return ""
	}
	return *o.s
}

func (o *optionalString) Set(v string) error { o.s = &v; return nil }

func newGlobalFlags(g *globalFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("quiltq", flag.ContinueOnError)
	fs.StringVar(&g.profile, "P", "", "config `profile` to use (default: the config's default_profile)")
	fs.StringVar(&g.exec, "e", "", "run this `SQL` (several statements run in order) and exit")
	fs.StringVar(&g.file, "f", "", "run the SQL in this `file` ('-' for stdin) and exit")
	fs.StringVar(&g.format, "o", "", "output `format`: table, csv, tsv, json, jsonl, markdown (default: table on a terminal, csv otherwise)")
	fs.BoolVar(&g.noHeader, "no-header", false, "print no header row")
	fs.Var(&g.nullString, "null-string", "print NULL as this `string` (default: empty; table shows NULL)")
	fs.Int64Var(&g.limit, "limit", 0, "print at most `N` rows (announced on stderr when more exist)")
	fs.BoolVar(&g.continueOnError, "continue-on-error", false, "run every statement even after one fails")
	fs.BoolVar(&g.stats, "stats", false, "print one JSON object of statistics per statement on stderr")
	fs.StringVar(&g.catalog, "c", "", "default data `catalog` of the query")
	fs.StringVar(&g.database, "d", "", "default `database` of the query")
	fs.StringVar(&g.workgroup, "w", "", "Athena `workgroup` (default: the config's, else the one you may use)")
	fs.BoolVar(&g.sandbox, "sandbox", false, "run against the embedded sandbox stack, started in-process on loopback")
	fs.StringVar(&g.sandboxUser, "sandbox-user", "analyst", "sandbox `user` to log in as (analyst, reader, admin)")
	fs.StringVar(&g.awsProfile, "aws-profile", "", "use plain AWS credentials from this shared-config `profile` instead of a Quilt login")
	fs.BoolVar(&g.mouse, "mouse", false, "the workbench takes clicks and the wheel (config: mouse = true)")
	fs.StringVar(&g.fetch, "fetch", "auto", "how to read results: auto (the S3 file when allowed), s3, api (`mode`)")
	fs.StringVar(&g.grants, "grants", "", "check table references against this rules `file` (default: grants.toml in the config dir, when it exists)")
	fs.StringVar(&g.results, "results", "", "print the results of an earlier query `ID` (waiting if it still runs) instead of running SQL")
	fs.Var(&g.policies, "policy", "the role's identity policy JSON `FILE` (repeatable): check every permission a query needs before sending it")
	g.guards.register(fs)
	return fs
}

// command is one subcommand. g holds the global flags given before the
// command's name; args are the arguments after it.
type command func(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int

// subcommand finds the command called name.
func subcommand(name string) (command, bool) {
	switch name {
	case "sandbox":
		return func(ctx context.Context, _ *globalFlags, args []string, st streams, getenv func(string) string) int {
			return runSandbox(ctx, args, st, getenv)
		}, true
	case "policy":
		return func(ctx context.Context, _ *globalFlags, args []string, st streams, _ func(string) string) int {
			return runPolicy(ctx, args, st)
		}, true
	case "explain":
		return func(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
			if wantsSQL(args) {
				return runExplainSQL(ctx, g, args, st, getenv)
			}
			return runExplain(ctx, g, args, st)
		}, true
	case "check":
		return runCheck, true
	case "ls":
		return runLs, true
	case "describe":
		return runDescribe, true
	case "config":
		return func(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
			if g.profile != "" {
				// -P before the command means the same as after it.
				args = append([]string{"-P", g.profile}, args...)
			}
			return runConfig(ctx, args, st, getenv)
		}, true
	case "login":
		return runLogin, true
	case "logout":
		return runLogout, true
	case "whoami":
		return runWhoami, true
	case "role":
		return runRole, true
	case "doctor":
		return runDoctor, true
	case "mcp":
		return runMCP, true
	}
	return nil, false
}

// connectionFlags registers, on a subcommand's flag set, the global flags
// that say where to connect and as whom, bound to the same fields as the
// global ones, so that `quiltq --sandbox ls` and `quiltq ls --sandbox`
// mean the same.
func connectionFlags(fs *flag.FlagSet, g *globalFlags) {
	fs.StringVar(&g.profile, "P", g.profile, "config `profile` to use")
	fs.StringVar(&g.catalog, "c", g.catalog, "default data `catalog`")
	fs.StringVar(&g.database, "d", g.database, "default `database`")
	fs.StringVar(&g.workgroup, "w", g.workgroup, "Athena `workgroup`")
	fs.BoolVar(&g.sandbox, "sandbox", g.sandbox, "run against the embedded sandbox stack")
	fs.StringVar(&g.sandboxUser, "sandbox-user", g.sandboxUser, "sandbox `user` to log in as (analyst, reader, admin)")
	fs.StringVar(&g.awsProfile, "aws-profile", g.awsProfile, "use plain AWS credentials from this shared-config `profile`")
	fs.StringVar(&g.grants, "grants", g.grants, "check table references against this rules `file`")
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
		}
	}
	var g globalFlags
	fs := newGlobalFlags(&g)
	fs.Usage = func() { usage(st.Err) }
	if code := parseFlags(fs, args, st); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		cmd, ok := subcommand(fs.Arg(0))
		if !ok {
			fmt.Fprintf(st.Err, "quiltq: unknown command %q (run 'quiltq -h')\n", fs.Arg(0))
			return exitUsage
		}
		return cmd(ctx, &g, fs.Args()[1:], st, getenv)
	}
	return runQueryMode(ctx, &g, st, getenv)
}

func usage(w io.Writer) {
	fmt.Fprint(w, strings.TrimLeft(`
quiltq: a terminal query workbench for Amazon Athena behind Quilt.

Usage:
  quiltq [flags]                   open the interactive workbench (in a terminal)
  quiltq [flags] -e 'SQL'          run SQL and print its rows (data on stdout, narration on stderr)
  quiltq [flags] -f FILE           run the SQL in FILE ('-' for stdin)
  quiltq [flags] < script.sql      run SQL from stdin
  quiltq [flags] --results ID      print the results of an earlier query again
  quiltq --sandbox -e 'SQL'        the same against the embedded sandbox stack
  quiltq ls [CATALOG[.DATABASE]]   list catalogs, databases, tables and what could not be listed
  quiltq check [--json] [SQL | -]  the tables SQL uses and whether your grants allow each (nothing runs)
  quiltq describe TABLE            print one table's columns
  quiltq config                    print the effective settings and where each came from
  quiltq login [CATALOG_URL]       log in to a Quilt catalog; the login goes to the OS keyring
  quiltq logout | whoami | role    forget the login | who you are (--json) | list or switch Quilt roles
  quiltq sandbox serve [flags]     run the embedded Quilt stack on loopback
  quiltq policy eval [flags]       evaluate an IAM request against policy files
  quiltq explain [--json] [FILE]   explain a pasted AWS error: what was refused, who can fix it, the statement
  quiltq explain --sql SQL         what a query needs, what the role lacks (--policy FILE), the one statement
  quiltq doctor [--json]           probe identity, registry, workgroups, catalogs, a query; what is missing
  quiltq mcp [--http ADDR]         serve the tools to AI agents over the Model Context Protocol (stdio)
  quiltq --version                 print the version

Logging in: 'quiltq login CATALOG_URL' once (the login lives in the OS
keyring); or QUILTQ_CATALOG_URL and QUILTQ_TOKEN (a Quilt refresh token) in
the environment, which come first; or --aws-profile for plain AWS
credentials. AWS_ENDPOINT_URL points the AWS calls elsewhere (as at a
running 'quiltq sandbox serve').

Exit codes: 0 ok, 1 query failed, 2 usage or config (or a destructive
statement not confirmed), 3 denied, 4 not logged in or credentials refused,
5 stopped at a scan limit (--max-scan or the workgroup's), 130 interrupted
(query stopped).

Flags:
`, "\n"))
	var g globalFlags
	fs := newGlobalFlags(&g)
	fs.SetOutput(w)
	fs.PrintDefaults()
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

// parseInterspersed parses args with fs, letting flags come after the
// positional arguments too (`quiltq ls sales --json`), which the
// flag package alone stops at. It returns the positional arguments, and
// an exit code to stop with or -1.
func parseInterspersed(fs *flag.FlagSet, args []string, st streams) ([]string, int) {
	var pos []string
	for {
		if code := parseFlags(fs, args, st); code >= 0 {
			return nil, code
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, -1
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), -1
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// readSQL finds the SQL of query mode: -e, -f, or stdin when it is not a
// terminal. ok is false when there is none (the TUI's case).
func readSQL(g *globalFlags, st streams) (sql string, ok bool, err error) {
	switch {
	case g.exec != "" && g.file != "":
		return "", false, errors.New("give -e or -f, not both")
	case g.exec != "":
		return g.exec, true, nil
	case g.file == "-":
		b, err := io.ReadAll(st.In)
		return string(b), true, err
	case g.file != "":
		b, err := os.ReadFile(g.file)
		if err != nil {
			return "", false, err
		}
		return string(b), true, nil
	case !st.InTTY && st.In != nil:
		b, err := io.ReadAll(st.In)
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
