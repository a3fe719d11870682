package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/report"
)

// checkFlags are the flags of check.
type checkFlags struct{ json, offline bool }

// runCheck is `quiltq check [SQL | -]`: the table references of SQL and
// the grants' verdict on each, without running anything. It needs no
// login: without one (or with --offline) only the rules file decides, and
// references no source rules on are "unknown". Exit 0 when nothing is
// denied, 3 when something is, 1 when the references cannot be told.
func runCheck(ctx context.Context, g *globalFlags, cf checkFlags, pos []string, st streams, getenv func(string) string) int {
	sql, code := checkInput(ctx, pos, st)
	if code >= 0 {
		return code
	}
	if strings.TrimSpace(sql) == "" {
		fmt.Fprintln(st.Err, "quiltq check: no SQL to check; give it as an argument, or '-' and the SQL on stdin")
		return exitUsage
	}
	// A statement -e would refuse for its size is refused here too.
	if stmts, err := session.SplitStatements(sql); err == nil {
		for _, stmt := range stmts {
			if err := engine.CheckStatement(stmt); err != nil {
				fmt.Fprintf(st.Err, "quiltq check: %v\n", err)
				return exitUsage
			}
		}
	}
	a := newApp(g, st, getenv)
	defer a.close()
	opts, err := a.options()
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq check: %v\n", err)
		return exitUsage
	}
	sess, err := session.Offline(opts)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq check: %v\n", err)
		return exitUsage
	}
	if !cf.offline && session.CanLogIn(opts) {
		if online, err := session.Open(ctx, opts); err != nil {
			fmt.Fprintf(st.Err, "quiltq check: not logged in, so only the rules file decides: %v\n", err)
		} else {
			sess = online
		}
	}
	rep := sess.CheckSQL(ctx, sql)
	if ctx.Err() != nil {
		return interrupted(st, "check")
	}
	if cf.json {
		if err := print.JSON(st.Out, rep); err != nil {
			fmt.Fprintf(st.Err, "quiltq check: %v\n", err)
			return exitFailed
		}
	} else if rep.Error == nil {
		report.Checked(st.Out, rep.Refs)
		if len(rep.Gaps) > 0 {
			fmt.Fprintf(st.Out, "\n%s lacks %d permissions the SQL needs (policies: %s):\n", sess.RoleName(), len(rep.Gaps), sess.Known().Source)
			report.Fix(st.Out, sess.RoleName(), rep.Needs, rep.Notes, rep.Gaps)
		} else {
			for _, n := range rep.Notes {
				fmt.Fprintf(st.Err, "quiltq check: note: %s\n", n)
			}
		}
	}
	switch {
	case rep.Error != nil:
		fmt.Fprintf(st.Err, "quiltq check: which tables this SQL uses cannot be told, so it would not be sent: %s\n", *rep.Error)
		return exitFailed
	case rep.Denied:
		return exitDenied
	}
	return exitOK
}

// checkInput is the SQL of check: the one argument, or stdin for "-" or
// no argument.
func checkInput(ctx context.Context, pos []string, st streams) (string, int) {
	switch {
	case len(pos) > 1:
		fmt.Fprintln(st.Err, "quiltq check: give the SQL as one argument (quote it), or on stdin")
		return "", exitUsage
	case len(pos) == 1 && pos[0] != "-":
		return pos[0], -1
	case st.In == nil || st.InTTY && len(pos) == 0:
		fmt.Fprintln(st.Err, "quiltq check: give SQL as an argument, or '-' and the SQL on stdin")
		return "", exitUsage
	}
	b, err := engine.ReadLimitedContext(ctx, st.In, "stdin", engine.SQLLimit())
	if engine.KindOf(err) == engine.Canceled {
		return "", interrupted(st, "check")
	}
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq check: %v\n", err)
		return "", exitUsage
	}
	return string(b), -1
}
