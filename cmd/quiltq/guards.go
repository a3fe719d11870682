package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/quiltq/quiltq/engine/session"
)

// This file is query mode's guards on cost and safety (issue 18): the
// flags, asking before a destructive statement, and their exit code. The
// guards themselves are the session's (engine/session/guards.go), so the
// workbench and the MCP server get them too.

// exitScanLimit is the exit code of a query stopped for scanning too
// much: by quiltq for --max-scan (max_scan), or by Athena for the
// workgroup's BytesScannedCutoffPerQuery.
const exitScanLimit = 5

// guardFlags are query mode's guard flags.
type guardFlags struct {
	maxScan string   // --max-scan SIZE: the max_scan setting
	reuse   string   // --reuse DURATION: the reuse setting
	params  listFlag // --param VALUE, repeatable
	yes     bool     // --yes: run destructive statements without asking
}

// register adds the guard flags to query mode's flags.
func (f *guardFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.maxScan, "max-scan", "", "stop a query once it has scanned more than `SIZE` (10GB, 500MB; 1 MB = 2^20 bytes) and exit 5 (config: max_scan)")
	fs.StringVar(&f.reuse, "reuse", "", "let Athena answer with a stored result of the same query no older than `DURATION` (30m, 1h; up to 168h) (config: reuse)")
	fs.StringArrayVar((*[]string)(&f.params), "param", nil, "a `VALUE` for the next ? placeholder, as a SQL literal ('2024-01-01', 42) (repeatable, in order)")
	fs.BoolVar(&f.yes, "yes", false, "run destructive statements (DROP, DELETE, INSERT OVERWRITE, ...) without asking")
}

// settings are the guard flags as settings over the config's.
func (f *guardFlags) settings() []struct{ name, value, flag string } {
	return []struct{ name, value, flag string }{
		{"max_scan", f.maxScan, "--max-scan"},
		{"reuse", f.reuse, "--reuse"},
	}
}

// guardExit is the exit code of a guard's error: a query stopped for its
// scan.
func guardExit(err error) (int, bool) {
	if session.ScanLimitOf(err) != nil {
		return exitScanLimit, true
	}
	return 0, false
}

// guardStatements runs the guards before any statement of a script is
// sent: a read_only profile refuses every write (exit 3); a destructive
// statement runs only with --yes, or when the user, at a terminal, says
// so (else exit 2); the --param values are handed to the statements'
// placeholders (o.Params). It returns the exit code to stop with, or -1.
func guardStatements(sess *session.Session, g *globalFlags, stmts []string, o *queryOptions, st streams) int {
	for _, sql := range stmts {
		if err := sess.ReadOnlyCheck(session.Statement{SQL: sql}); err != nil {
			fmt.Fprintf(st.Err, "quiltq: %v\n", err)
			if len(stmts) > 1 {
				fmt.Fprintln(st.Err, "quiltq: no statement of the script was run")
			}
			return exitDenied
		}
	}
	params, err := session.BindParams(stmts, g.guards.params)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitUsage
	}
	o.Params = params
	if g.guards.yes {
		return -1
	}
	var destructive []string
	for _, sql := range stmts {
		if c := session.ChangeOf(sql); c.Destructive {
			destructive = append(destructive, c.What)
		}
	}
	if len(destructive) == 0 {
		return -1
	}
	if !st.InTTY || st.In == nil {
		fmt.Fprintf(st.Err, "quiltq: not run: this statement %s; give --yes to run it where no terminal can be asked\n", strings.Join(destructive, ", and this statement "))
		return exitUsage
	}
	if !confirm(st.In, st.Err, destructive) {
		fmt.Fprintln(st.Err, "quiltq: not run; nothing was sent to Athena")
		return exitUsage
	}
	return -1
}

// confirm asks at the terminal whether to run the destructive statements
// named; only y or yes runs them.
func confirm(in io.Reader, out io.Writer, what []string) bool {
	for _, w := range what {
		fmt.Fprintf(out, "quiltq: this statement %s\n", w)
	}
	fmt.Fprint(out, "quiltq: run it? [y/N] ")
	line, _ := bufio.NewReader(in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

// paramsOf are the --param values of statement i.
func (o queryOptions) paramsOf(i int) []string {
	if i < len(o.Params) {
		return o.Params[i]
	}
	return nil
}
