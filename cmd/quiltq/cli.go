package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"time"

	"github.com/agnivade/levenshtein"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/catalogcache"
	"github.com/quiltq/quiltq/ui/pipe"
)

// cli is one run of quiltq: its streams, its environment and the flags the
// command tree binds. The tree is built anew for every run, so that
// nothing outlives it.
type cli struct {
	ctx    context.Context
	st     streams
	getenv func(string) string
	g      globalFlags
}

// exitStatus is a command's exit code, carried through cobra as an error
// so that run can tell it from a usage error cobra found.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// exitErr is the error cobra carries for code: none for success.
func exitErr(code int) error {
	if code == exitOK {
		return nil
	}
	return exitStatus(code)
}

// run is the whole program: it parses args, runs the command they name and
// returns the exit code. getenv reads the environment.
func run(ctx context.Context, args []string, st streams, getenv func(string) string) int {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "version") {
		// The start-up goal (<= 10 ms) leaves no room for building the
		// command tree only to print a line.
		fmt.Fprintln(st.Out, "quiltq", versionString())
		return exitOK
	}
	// Everything on stderr is text for a terminal: control characters in
	// it (from SQL, names, AWS messages) are escaped, so that they can
	// neither move the cursor nor recolour or clear the screen. The
	// progress line alone writes its own control sequences (rawErr).
	esc := engine.NewEscapeWriter(st.Err)
	defer esc.Flush()
	st.rawErr, st.Err = st.Err, esc
	// A run whose output was lost (a full disk, a closed descriptor) is
	// no success. The workbench needs the terminal itself, unwrapped.
	out := &outWriter{w: st.Out}
	if !st.OutTTY {
		st.Out = out
	}
	code := runTree(ctx, args, st, getenv)
	if out.err != nil && !errors.Is(out.err, syscall.EPIPE) {
		fmt.Fprintf(st.Err, "quiltq: writing to stdout failed (%v): the output is incomplete; check where stdout goes (a full disk, a closed descriptor)\n", unwrapPath(out.err))
		if code == exitOK {
			code = exitFailed
		}
	}
	return code
}

// outWriter remembers the first write to stdout that failed.
type outWriter struct {
	w   io.Writer
	err error
}

func (o *outWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil && o.err == nil {
		o.err = err
	}
	return n, err
}

// runTree runs the command tree over args.
func runTree(ctx context.Context, args []string, st streams, getenv func(string) string) int {
	c := &cli{ctx: ctx, st: st, getenv: getenv}
	c.g.policies = listFlag{}
	root := c.root()
	if args == nil {
		args = []string{} // cobra would read os.Args otherwise
	}
	root.SetArgs(args)
	if st.In != nil {
		root.SetIn(st.In)
	}
	root.SetOut(st.Out)
	root.SetErr(st.Err)
	// cobra's completion command runs nothing itself: `quiltq completion
	// tcsh` printed its help and exited 0. Given a Run, an unknown shell
	// is a usage error (exit 2); with no shell it prints its help.
	// (After SetOut: cobra's shell commands take the writer as they are made.)
	root.InitDefaultCompletionCmd(args...)
	for _, sub := range root.Commands() {
		if sub.Name() == "completion" && sub.Run == nil && sub.RunE == nil {
			sub.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
	}
	cmd, err := root.ExecuteContextC(ctx)
	var es exitStatus
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &es):
		return int(es)
	}
	// Cobra's own errors are usage errors: an unknown command or flag, a
	// flag's bad value. They are said once, with the way to the help.
	path := "quiltq"
	if cmd != nil {
		path = cmd.CommandPath()
	}
	fmt.Fprintf(st.Err, "%s: %s\nRun '%s --help' for usage.\n", path, strings.TrimRight(err.Error(), "\n"), path)
	return exitUsage
}

// root is the command tree: quiltq itself (the workbench and query mode)
// and its subcommands.
func (c *cli) root() *cobra.Command {
	g := &c.g
	root := &cobra.Command{
		Use:   "quiltq [flags]",
		Short: "A terminal query workbench for Amazon Athena behind Quilt",
		Long: `quiltq runs SQL on Amazon Athena with a Quilt login. With no SQL, in a
terminal, it opens the interactive workbench; with -e, -f or SQL on stdin it
runs the SQL and prints its rows (data on stdout, narration on stderr).

Logging in: 'quiltq login CATALOG_URL' once (the login lives in the OS
keyring); or QUILTQ_CATALOG_URL and QUILTQ_TOKEN (a Quilt refresh token) in
the environment, which come first; or --aws-profile for plain AWS
credentials. AWS_ENDPOINT_URL points the AWS calls elsewhere (as at a
running 'quiltq sandbox serve').

Exit codes: 0 ok, 1 query failed, 2 usage or config, 3 denied,
4 not logged in or credentials refused, 5 stopped at a scan limit
(--max-scan or the workgroup's), 130 interrupted (query stopped),
141 stdout closed by its reader (as by 'head'; the query is stopped).`,
		Example: `  quiltq                                   # the workbench, in a terminal
  quiltq -e 'SELECT * FROM sales.orders LIMIT 10'
  quiltq -o json -f report.sql > report.json
  quiltq --results 3f1c0a52-0000-4000-8000-000000000000
  quiltq --sandbox -e 'SELECT 1'           # the embedded sandbox stack`,
		Version:           versionString(),
		Args:              nil, // cobra's own check: unknown commands, with suggestions
		SilenceErrors:     true,
		SilenceUsage:      true,
		ValidArgsFunction: cobra.NoFileCompletions,
		// Run before every command (sandbox serve has a --syntax-errors of
		// its own, which this does not see).
		PersistentPreRunE: func(*cobra.Command, []string) error {
			if g.syntaxErrors.given && !g.sandbox {
				return errors.New("--syntax-errors chooses how the embedded sandbox refuses SQL: give it with --sandbox (for a served sandbox, give it to 'quiltq sandbox serve')")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("limit") && g.limit <= 0 {
				return fmt.Errorf("--limit %d: give the most rows to print, 1 or more (leave --limit out to print them all)", g.limit)
			}
			return exitErr(runQueryMode(cmd.Context(), g, c.st, c.getenv))
		},
	}
	root.SetVersionTemplate("quiltq {{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	root.CompletionOptions.HiddenDefaultCmd = false

	pf := root.PersistentFlags()
	pf.StringVarP(&g.profile, "profile", "P", "", "config `profile` to use (default: the config's default_profile)")
	pf.BoolVar(&g.sandbox, "sandbox", false, "run against the embedded sandbox stack, started in-process on loopback")
	pf.StringVar(&g.sandboxUser, "sandbox-user", "analyst", "sandbox `user` to log in as (analyst, reader, admin)")
	pf.Var(&g.syntaxErrors, "syntax-errors", syntaxErrorsUsage)
	pf.StringVar(&g.awsProfile, "aws-profile", "", "use plain AWS credentials from this shared-config `profile` instead of a Quilt login")

	f := root.Flags()
	f.StringVarP(&g.exec, "execute", "e", "", "run this `SQL` (several statements run in order) and exit")
	f.StringVarP(&g.file, "file", "f", "", "run the SQL in this `file` ('-' for stdin) and exit")
	f.StringVarP(&g.format, "output", "o", "", "output `format`: table, csv, tsv, json, jsonl, markdown (default: table on a terminal, csv otherwise)")
	f.BoolVar(&g.noHeader, "no-header", false, "print no header row")
	f.Var(&g.nullString, "null-string", "print NULL as this `string` (default: empty; table shows NULL)")
	f.Int64Var(&g.limit, "limit", 0, "print at most `N` rows (announced on stderr when more exist)")
	f.BoolVar(&g.continueOnError, "continue-on-error", false, "run every statement even after one fails")
	f.BoolVar(&g.stats, "stats", false, "print one JSON object of statistics per statement on stderr")
	f.BoolVar(&g.mouse, "mouse", false, "the workbench takes clicks and the wheel (config: mouse = true)")
	f.StringVar(&g.fetch, "fetch", "auto", "how to read results: auto (the S3 file when allowed), s3, api (`mode`)")
	f.StringVar(&g.results, "results", "", "print the results of an earlier query `ID` (waiting if it still runs) instead of running SQL")
	queryFlags(f, g)
	policyFlag(f, g, "the role's identity policy JSON `FILE` (repeatable): check every permission a query needs before sending it")
	g.guards.register(f)

	root.AddCommand(c.lsCmd(), c.describeCmd(), c.checkCmd(), c.configCmd(), c.loginCmd(), c.logoutCmd(),
		c.whoamiCmd(), c.roleCmd(), c.doctorCmd(), c.explainCmd(), c.policyCmd(), c.sandboxCmd(), c.mcpCmd(), c.versionCmd())
	c.completions(root)
	// Every help starts with the command's one-line summary, then its
	// description.
	var summarize func(*cobra.Command)
	summarize = func(cmd *cobra.Command) {
		if cmd.Long != "" && cmd.Short != "" {
			cmd.Long = cmd.Short + ".\n\n" + cmd.Long
		}
		for _, sub := range cmd.Commands() {
			summarize(sub)
		}
	}
	summarize(root)
	return root
}

// queryFlags are the flags that say where a query runs, for the commands
// that run or check one: -c, -d, -w and --grants.
func queryFlags(f *pflag.FlagSet, g *globalFlags) {
	f.StringVarP(&g.catalog, "catalog", "c", "", "default data `catalog` of the query")
	f.StringVarP(&g.database, "database", "d", "", "default `database` of the query")
	f.StringVarP(&g.workgroup, "workgroup", "w", "", "Athena `workgroup` (default: the config's, else the one you may use)")
	f.StringVar(&g.grants, "grants", "", "check table references against this rules `file` (default: grants.toml in the config dir, when it exists)")
}

// policyFlag is --policy, the role's identity policies, repeatable.
func policyFlag(f *pflag.FlagSet, g *globalFlags, usage string) {
	f.StringArrayVar((*[]string)(&g.policies), "policy", nil, usage)
}

// flagError is a flag's error with the nearest flag the command has when
// the flag is unknown. Cobra suggests only commands
// (SuggestionsMinimumDistance), not flags (spf13/cobra#2207, open), so
// the nearest flag is found here, by Levenshtein distance.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if _, arg, short := strings.Cut(msg, "unknown shorthand flag: "); short {
		// -json: a long flag written with one dash, as Go's flag package
		// took it.
		if _, long, ok := strings.Cut(arg, " in -"); ok && len(long) > 1 && cmd.Flags().Lookup(strings.SplitN(long, "=", 2)[0]) != nil {
			return fmt.Errorf("%s\n\nLong flags take two dashes: --%s", msg, long)
		}
	}
	if !ok {
		return err
	}
	best, bestD := "", 3
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := levenshtein.ComputeDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = f.Name, d
		}
	})
	if best == "" {
		return err
	}
	return fmt.Errorf("%s\n\nDid you mean this?\n\t--%s", msg, best)
}

// noArgs is cobra.NoArgs with quiltq's words: what to do instead.
func noArgs(hint string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("unexpected argument %q; %s", args[0], hint)
		}
		return nil
	}
}

func (c *cli) lsCmd() *cobra.Command {
	var bf browseFlags
	cmd := &cobra.Command{
		Use:   "ls [CATALOG[.DATABASE]]",
		Short: "List catalogs, databases and tables, and what could not be listed",
		Long: `List the data catalogs, databases and tables you can query, with their
columns, and what could not be listed. The listing is cached per principal:
a cached listing younger than --max-age is printed at once and refreshed
after when older than a minute. CATALOG[.DATABASE] narrows what is printed.

Exit 0 when something was listed (its errors are in the output), else the
exit code of the first error.`,
		Example: `  quiltq ls
  quiltq ls awsdatacatalog.sales --json
  quiltq ls --refresh`,
		ValidArgsFunction: c.completeNames(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if bf.maxAge < 0 {
				return fmt.Errorf("--max-age %s: give an age of 0 or more (0 lists anew)", bf.maxAge)
			}
			return c.text(func(st streams) int { return runLs(cmd.Context(), &c.g, bf, args, st, c.getenv) })
		},
	}
	f := cmd.Flags()
	queryFlags(f, &c.g)
	f.BoolVar(&bf.json, "json", false, `print JSON: {"catalogs": [{"name", "type", "databases": [{"name", "tables": [{"name", "kind", "columns": [{"name", "type"}]}]}]}], "errors": [{"item", "action", "message"}]}`)
	f.BoolVar(&bf.refresh, "refresh", false, "list anew instead of printing the cached listing")
	f.DurationVar(&bf.maxAge, "max-age", catalogcache.DefaultPolicy().MaxAge, "print the cached listing when it is younger than this `duration` (0: never)")
	return cmd
}

func (c *cli) describeCmd() *cobra.Command {
	var bf browseFlags
	cmd := &cobra.Command{
		Use:   "describe TABLE",
		Short: "Print one table's columns",
		Long: `Print one table's columns. TABLE is written as in SQL: table,
database.table or catalog.database.table, each part quoted or not; -c and -d
(or the profile) supply what is left out, else AwsDataCatalog and default.`,
		Example: `  quiltq describe sales.orders
  quiltq describe '"quilt-stack-tabulator"."my-bucket"."my_table"' --json`,
		ValidArgsFunction: c.completeNames(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.text(func(st streams) int { return runDescribe(cmd.Context(), &c.g, bf, args, st, c.getenv) })
		},
	}
	f := cmd.Flags()
	queryFlags(f, &c.g)
	f.BoolVar(&bf.json, "json", false, "print JSON: the ls shape, holding the one table")
	return cmd
}

func (c *cli) checkCmd() *cobra.Command {
	var cf checkFlags
	cmd := &cobra.Command{
		Use:   "check [SQL | -]",
		Short: "The tables SQL uses and whether your grants allow each; nothing runs",
		Long: `Print the tables SQL reads, writes or describes, and whether your grants
allow each. Nothing is run. It needs no login: without one (or with
--offline) only the rules file decides, and references no source rules on
are "unknown". The SQL is the argument, or stdin for '-' or none.

Exit 0 when nothing is denied, 3 when something is, 1 when the tables cannot
be told.`,
		Example: `  quiltq check 'SELECT * FROM sales.orders'
  quiltq check --json - < report.sql
  quiltq check --offline --grants team.toml 'SELECT 1'`,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.text(func(st streams) int { return runCheck(cmd.Context(), &c.g, cf, args, st, c.getenv) })
		},
	}
	f := cmd.Flags()
	queryFlags(f, &c.g)
	f.BoolVar(&cf.json, "json", false, `print JSON: {"refs": [{"catalog", "database", "table", "access", "verdict", "reason"}], "error": null | "...", "missing": null | [{"action", "resource", "via", "why"}], "fix": null | {...}}`)
	f.BoolVar(&cf.offline, "offline", false, "do not log in: decide with the rules file alone")
	return cmd
}

func (c *cli) configCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective settings and where each came from",
		Long: `Print the effective settings of a profile and where each one came from
(default, config file, environment, flag), so that you can see why quiltq
talks to the catalog or workgroup it does. A bad config file exits 2 with
the error. No setting is a secret.`,
		Example: `  quiltq config
  quiltq config -P prod --json`,
		Args: noArgs("config takes no arguments; choose the profile with -P"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.text(func(st streams) int { return runConfig(cmd.Context(), &c.g, asJSON, st, c.getenv) })
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: {profile, path, settings: [{name, value, source}]}")
	return cmd
}

func (c *cli) loginCmd() *cobra.Command {
	var lf loginFlags
	cmd := &cobra.Command{
		Use:   "login [CATALOG_URL]",
		Short: "Log in to a Quilt catalog; the login goes to the OS keyring",
		Long: `Log in to a Quilt catalog. quiltq opens the catalog's login page, asks
for the code it shows, exchanges it, checks the credentials with AWS and
only then saves the login in the OS keyring (or, with --insecure-storage,
a 0600 file in the config dir). CATALOG_URL defaults to the profile's
catalog_url.`,
		Example: `  quiltq login https://catalog.example.com
  quiltq login --api-key < key.txt
  quiltq login --from-quilt3`,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.text(func(st streams) int { return runLogin(cmd.Context(), &c.g, lf, args, st, c.getenv) })
		},
	}
	f := cmd.Flags()
	f.BoolVar(&lf.tokenStdin, "token-stdin", false, "read the login code (or an API key) from stdin instead of asking for it")
	f.BoolVar(&lf.apiKey, "api-key", false, "log in with a Quilt API key (qk_...) read from stdin; it is used as is, never refreshed")
	f.BoolVar(&lf.fromQuilt3, "from-quilt3", false, "import quilt3's login to this catalog (its config.yml and auth.json)")
	f.BoolVar(&lf.insecure, "insecure-storage", false, "keep the login in a plain 0600 file in the config dir instead of the OS keyring")
	return cmd
}

func (c *cli) logoutCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Forget the profile's stored login",
		Long: `Remove every secret quiltq stored for the profile's catalog: the login in
the OS keyring and in the plain file of --insecure-storage, whichever
exist, and say what was removed. QUILTQ_TOKEN in the environment is never
stored, so it is not removed.`,
		Example: `  quiltq logout
  quiltq logout -P prod`,
		Args: noArgs("logout takes no arguments (choose the login with -P)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.text(func(st streams) int { return runLogout(cmd.Context(), &c.g, st, c.getenv) })
		},
	}
}

func (c *cli) whoamiCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Who you are: the Quilt user, role and AWS principal",
		Long: `Print who you are: the Quilt user, the role and the roles you may switch
to, the AWS principal, the catalog, when the token expires and where the
credentials came from.`,
		Example: `  quiltq whoami
  quiltq whoami --json`,
		Args: noArgs("whoami takes no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.text(func(st streams) int { return runWhoami(cmd.Context(), &c.g, asJSON, st, c.getenv) })
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

func (c *cli) roleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "role [NAME]",
		Short: "List the Quilt roles you may use, or switch to one",
		Long: `With no NAME, list the Quilt roles you may use, the current one marked
with *. With NAME, switch to that role and print the AWS principal it
gives.`,
		Example: `  quiltq role
  quiltq role ReadOnlyQuilt`,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.text(func(st streams) int { return runRole(cmd.Context(), &c.g, args, st, c.getenv) })
		},
	}
}

func (c *cli) doctorCmd() *cobra.Command {
	var df doctorFlags
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Probe identity, registry, workgroups, catalogs and a query; say what is missing",
		Long: `Probe what a Quilt user needs, in order: who you are (STS), the Quilt
registry, the workgroups, the data catalogs, their databases and tables, a
table's metadata, a trivial query, and reading its results from S3 and
through Athena. Print what works and what is refused, the missing actions,
and one statement that fixes every refusal.

Exit 0 when every check passed, 3 when something was refused, 1 when
something failed, 4 when the credentials were refused.`,
		Example: `  quiltq doctor
  quiltq doctor --json --table sales.orders`,
		Args: noArgs("name a table with --table"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.text(func(st streams) int { return runDoctor(cmd.Context(), &c.g, df, st, c.getenv) })
		},
	}
	f := cmd.Flags()
	queryFlags(f, &c.g)
	f.BoolVar(&df.json, "json", false, "print one JSON object instead of the table")
	f.StringVar(&df.table, "table", "", "the `table` whose metadata to read, as DATABASE.TABLE or CATALOG.DATABASE.TABLE (default: the first one listed)")
	policyFlag(f, &c.g, "the role's identity policy JSON `FILE` (repeatable), to list exactly what is missing")
	f.StringVar(&c.g.guards.maxScan, "max-scan", "", "the scan limit to report beside the workgroup's, as query mode's --max-scan `SIZE` (config: max_scan)")
	return cmd
}

func (c *cli) explainCmd() *cobra.Command {
	var ef explainFlags
	cmd := &cobra.Command{
		Use:   "explain [FILE | -]",
		Short: "Explain an AWS error text, or what a query needs (--sql)",
		Long: `Explain an AWS error text pasted from anywhere (quiltq, the AWS CLI, an
SDK, a JDBC driver, Athena's console): whether it is a refusal, which
actions on which resources for which principal, which kind of policy
refused, who can fix it and, when a statement on the caller's role fixes
it, that statement. The text comes from FILE, or stdin when FILE is '-' or
absent. Exit 0 when the text was explained, 1 when nothing in it was
recognizable, 2 on bad usage or no text.

With --sql, say what the SQL needs instead: every IAM action on every
resource that Athena checks on your credentials to run it in the workgroup
and read its results. With the role's policies (--policy, or --sandbox) it
lists exactly what is missing, and prints the one statement that fixes the
whole query. Nothing is run. Exit 0 when explained, 3 when the known
policies lack something, 4 when not logged in.`,
		Example: `  quiltq explain --json error.txt
  pbpaste | quiltq explain
  quiltq explain --sql 'SELECT * FROM sales.orders' --policy role.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("sql") {
				return c.text(func(st streams) int { return runExplainSQL(cmd.Context(), &c.g, ef, args, st, c.getenv) })
			}
			return c.text(func(st streams) int { return runExplain(cmd.Context(), &c.g, ef, args, st) })
		},
	}
	f := cmd.Flags()
	queryFlags(f, &c.g)
	f.BoolVar(&ef.json, "json", false, "print one JSON object instead of text")
	f.StringVar(&ef.sql, "sql", "", "explain what this `SQL` needs (one or several statements) instead of an error text")
	f.StringVar(&ef.ctx.Region, "region", "", "the AWS `region` of the request, when the text names none")
	f.StringVar(&ef.ctx.Account, "account", "", "the AWS `account` ID of the request, when the text names none")
	f.StringVar(&ef.ctx.DataCatalog, "data-catalog", "", "the Athena data `catalog` of the request, when the text names none (default: -c)")
	policyFlag(f, &c.g, "the role's identity policy JSON `FILE` (repeatable; with --sql); without it, --sandbox uses the sandbox role's")
	return cmd
}

func (c *cli) policyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy eval [flags]",
		Short: "Evaluate an IAM request against policy files",
		Long:  "Evaluate IAM requests against policy files of every type (identity, session, boundary, SCPs, resource), with AWS's logic. The one subcommand is eval.",
		Example: `  quiltq policy eval --policy role.json --action glue:GetTable \
    --resource arn:aws:glue:us-east-1:123456789012:table/sales/orders`,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			return exitErr(unknownSubcommand(c.st, "policy", "eval", args))
		},
	}
	var pf policyFlags
	eval := &cobra.Command{
		Use:   "eval --policy FILE --action ACTION --resource ARN",
		Short: "Evaluate one request against policy files of every type",
		Long: `Evaluate the request against every policy given with AWS's logic
(identity, session, boundary, SCPs, resource policy; the resource in the
caller's account or another) and say which policy type and statement
decided it. Exit 0 when it evaluated (whatever the decision), 2 on bad
input.`,
		Example: `  quiltq policy eval --policy role.json --action s3:GetObject --resource 'arn:aws:s3:::bucket/key'
  quiltq policy eval --policy role.json --action glue:GetTable --resource '*' \
    --context aws:CalledVia=athena.amazonaws.com --json
  quiltq policy eval --policy role.json --resource-policy bucket.json --resource-account 444455556666 \
    --principal arn:aws:sts::123456789012:assumed-role/R/alice --action s3:GetObject --resource 'arn:aws:s3:::b/k'`,
		Args: noArgs("give policy files with --policy"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.text(func(st streams) int { return runPolicyEval(cmd.Context(), pf, st) })
		},
	}
	f := eval.Flags()
	f.StringArrayVar(&pf.policies, "policy", nil, "identity policy JSON `FILE` (repeat for several)")
	f.StringArrayVar(&pf.sessionPolicies, "session-policy", nil, "session policy JSON `FILE` the caller's credentials carry (repeat for several; needs a session --principal)")
	f.StringVar(&pf.boundary, "boundary", "", "the permissions boundary JSON `FILE` of the caller's role or user")
	f.StringVar(&pf.scps, "scps", "", "SCPs `FILE`: a JSON array with one entry per level from the organization's root to the account, each an array of SCP documents")
	f.StringVar(&pf.resourcePolicy, "resource-policy", "", "the resource's resource-based policy JSON `FILE` (bucket, key, function policy)")
	f.StringVar(&pf.resourceAccount, "resource-account", "", "the 12-digit `ID` of the account that owns the resource, when not the caller's (needs --principal)")
	f.StringVar(&pf.action, "action", "", "the `ACTION` to test, as in athena:StartQueryExecution")
	f.StringVar(&pf.resource, "resource", "", "the resource `ARN`, or * for actions without a resource type")
	f.StringArrayVar(&pf.contexts, "context", nil, "a condition key `KEY=VALUE` (repeat a key for a multivalued key such as aws:CalledVia)")
	f.StringVar(&pf.principal, "principal", "", "the caller's `ARN`; also sets aws:PrincipalArn unless --context gives it")
	f.BoolVar(&pf.json, "json", false, "print one JSON line instead of text")
	cmd.AddCommand(eval)
	return cmd
}

func (c *cli) sandboxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox serve [flags]",
		Short: "Run the embedded Quilt stack on loopback",
		Long:  "Run the embedded sandbox stack, which speaks the AWS and Quilt wire protocols on loopback. The one subcommand is serve.",
		Example: `  quiltq sandbox serve
  quiltq sandbox serve --latency 20ms --fault-throttle 0.1`,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			return exitErr(unknownSubcommand(c.st, "sandbox", "serve", args))
		},
	}
	var sf serveFlags
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve the stack until interrupted; print one JSON line describing it",
		Long: `Start the embedded stack on loopback, print one JSON line describing it
(its URLs and users with their refresh tokens) on stdout, and serve until
SIGINT or SIGTERM.`,
		Example: `  quiltq sandbox serve --addr 127.0.0.1:8080
  quiltq sandbox serve --stack world.yaml --run 5s -v`,
		Args: noArgs("serve takes only flags"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return exitErr(runSandboxServe(cmd.Context(), sf, c.st))
		},
	}
	f := serve.Flags()
	f.StringVar(&sf.addr, "addr", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks a free one)")
	f.StringVar(&sf.stack, "stack", "", "stack `file` (YAML) describing the world to serve; default: the built-in one")
	f.DurationVar(&sf.opts.Latency, "latency", 0, "added `delay` before every AWS reply")
	f.DurationVar(&sf.opts.Queue, "queue", 0, "how long each query stays QUEUED")
	f.DurationVar(&sf.opts.Run, "run", 0, "how long each query stays RUNNING at least")
	f.IntVar(&sf.opts.BenchRows, "bench-rows", 0, "rows of benchmarks.numbers (default: the stack's, 1000000 in the built-in one)")
	f.Float64Var(&sf.opts.Faults.Throttle, "fault-throttle", 0, "`fraction` of AWS requests answered with throttling")
	f.Float64Var(&sf.opts.Faults.ServerError, "fault-500", 0, "`fraction` of AWS requests answered with a 500")
	f.Float64Var(&sf.opts.Faults.Cut, "fault-cut", 0, "`fraction` of AWS replies cut in the middle of their body")
	f.Uint64Var(&sf.opts.Faults.Seed, "fault-seed", 1, "`seed` choosing which requests fail")
	f.StringVar(&sf.syntaxErrors, "syntax-errors", "start", syntaxErrorsUsage)
	f.BoolVarP(&sf.verbose, "verbose", "v", false, "log every AWS request on stderr")
	cmd.AddCommand(serve)
	return cmd
}

func (c *cli) mcpCmd() *cobra.Command {
	var mf mcpFlags
	cmd := &cobra.Command{
		Use:   "mcp [--http ADDR]",
		Short: "Serve quiltq's tools to AI agents over the Model Context Protocol",
		Long: `Serve quiltq's tools (athena_query, athena_check, catalogs_list,
databases_list, tables_list, table_describe, workgroups_list, query_history,
query_results, explain_error, permissions_doctor, whoami) and the quiltq://
resources to an MCP client, as the user quiltq is logged in as (the
keyring's login, QUILTQ_TOKEN, --aws-profile, or --sandbox). Over stdio by
default: the client starts 'quiltq mcp' and talks on its stdin and stdout,
which belong to the protocol (everything quiltq says goes to stderr).
--http serves the streamable HTTP transport at http://ADDR/mcp, on loopback
only: whoever reaches it acts as you.

Exit 0 when the client closes or on an interrupt (queries still running are
stopped first), 2 on bad usage, 1 when the transport fails.`,
		Example: `  quiltq mcp
  quiltq mcp --sandbox --sandbox-user admin
  quiltq mcp --http 127.0.0.1:8765 -P prod`,
		Args: noArgs("mcp takes only flags"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return exitErr(runMCP(cmd.Context(), &c.g, mf, c.st, c.getenv))
		},
	}
	f := cmd.Flags()
	queryFlags(f, &c.g)
	f.StringVar(&mf.http, "http", "", "serve streamable HTTP on this loopback `address` (127.0.0.1:8765, or a port) at /mcp, instead of stdio")
	f.BoolVarP(&mf.verbose, "verbose", "v", false, "log each tool call's progress on stderr")
	return cmd
}

func (c *cli) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version (as --version does)",
		Long:    "Print quiltq's version: the module version, or the VCS revision and time it was built from.",
		Example: "  quiltq version",
		Args:    noArgs("version takes no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(c.st.Out, "quiltq", versionString())
			return nil
		},
	}
}

// text runs a command whose stdout is text for a terminal (listings,
// reports, explanations): names, values and AWS messages in it have their
// control characters escaped, as stderr's have (see run). JSON passes
// unchanged: it holds no raw control character.
func (c *cli) text(f func(st streams) int) error {
	st := c.st
	w := engine.NewEscapeWriter(st.Out)
	st.Out = w
	// After a signal, what the command says of its failures is the
	// signal's doing ("context canceled"): only "interrupted" is said.
	st.Err = silentAfterSignal{c.ctx, st.Err}
	code, ok := untilInterrupted(c.ctx, func() int { return f(st) })
	if !ok {
		// The command did not end within interruptGrace of the signal:
		// work that never looks at ctx. Its output so far is dropped.
		fmt.Fprintln(c.st.Err, "quiltq: interrupted")
		return exitErr(exitInterrupted)
	}
	if err := w.Flush(); err != nil && code == exitOK {
		code = exitFailed
	}
	// An interrupted command exits 130 whatever it was doing when the
	// signal came (reading, computing, waiting for AWS).
	if c.ctx.Err() != nil && !pipe.Closed(c.ctx) {
		fmt.Fprintln(c.st.Err, "quiltq: interrupted")
		code = exitInterrupted
	}
	return exitErr(code)
}

// silentAfterSignal drops what is written to w once ctx has ended.
type silentAfterSignal struct {
	ctx context.Context
	w   io.Writer
}

func (s silentAfterSignal) Write(b []byte) (int, error) {
	if s.ctx.Err() != nil {
		return len(b), nil
	}
	return s.w.Write(b)
}

// interruptGrace is how long a command has, after the first signal, to
// stop what it started and say so before quiltq exits 130 without it.
const interruptGrace = time.Second

// untilInterrupted runs f and returns its exit code; when ctx ends first,
// it waits at most interruptGrace more for f, and reports ok false when f
// is still running (it goes on in the background; quiltq is exiting).
func untilInterrupted(ctx context.Context, f func() int) (code int, ok bool) {
	done := make(chan int, 1)
	go func() { done <- f() }()
	select {
	case code := <-done:
		return code, true
	case <-ctx.Done():
	}
	t := time.NewTimer(interruptGrace)
	defer t.Stop()
	select {
	case code := <-done:
		return code, true
	case <-t.C:
		return exitInterrupted, false
	}
}

// interrupted says that a signal ended the command named (none for query
// mode) and returns its exit code.
func interrupted(st streams, command string) int {
	if command != "" {
		command = " " + command
	}
	fmt.Fprintf(st.Err, "quiltq%s: interrupted\n", command)
	return exitInterrupted
}

// unknownSubcommand is the exit of `quiltq policy` or `quiltq sandbox`
// without their one subcommand.
func unknownSubcommand(st streams, parent, only string, args []string) int {
	fmt.Fprintf(st.Err, "usage: quiltq %s %s [flags]  (run 'quiltq %s %s --help' for the flags)\n", parent, only, parent, only)
	if len(args) > 0 {
		fmt.Fprintf(st.Err, "quiltq %s: unknown subcommand %q; the only one is %q\n", parent, args[0], only)
	}
	return exitUsage
}
