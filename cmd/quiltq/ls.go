package main

import (
	"context"
	"fmt"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/engine/sqlref"
	"github.com/quiltq/quiltq/ui/print"
)

// browseFlags are the flags ls and describe share.
type browseFlags struct {
	json    bool
	refresh bool
	maxAge  time.Duration
}

// runLs is `quiltq ls [CATALOG[.DATABASE]]`: the data catalogs, databases
// and tables the user can see, with their columns, and what could not be
// listed.
//
// Cache policy: the whole listing is cached per principal (STS caller ARN
// and region) under the cache directory. A cached listing younger than
// --max-age (default 1h) is printed at once; when it is older than a
// minute, ls then lists anew and rewrites the cache before it exits, so
// the next ls is current. --refresh (or --max-age 0) lists anew first.
// CATALOG[.DATABASE] narrows what is printed, not what is listed.
func runLs(ctx context.Context, g *globalFlags, bf browseFlags, pos []string, st streams, getenv func(string) string) int {
	var catalog, database string
	switch len(pos) {
	case 0:
	case 1:
		parts, err := sqlref.SplitName(pos[0], 2)
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq ls: %v\n", err)
			return exitUsage
		}
		catalog = parts[0]
		if len(parts) == 2 {
			database = parts[1]
		}
	default:
		fmt.Fprintf(st.Err, "quiltq ls: give at most one CATALOG[.DATABASE], not %d arguments\n", len(pos))
		return exitUsage
	}

	a := newApp(g, st, getenv)
	defer a.close()
	sess, err := a.open(ctx)
	if err != nil {
		return failed(st, "ls", err)
	}
	listed, err := sess.List(ctx, session.ListOptions{Refresh: bf.refresh, MaxAge: bf.maxAge})
	for _, w := range listed.Warnings {
		fmt.Fprintf(st.Err, "quiltq ls: %s\n", w)
	}
	if err != nil {
		return failed(st, "ls", err)
	}
	if listed.Cached {
		fmt.Fprintf(st.Err, "quiltq ls: from the cache, listed %s ago (--refresh lists anew)\n", listed.Age.Round(time.Second))
	}
	l := sess.FilterListing(ctx, listed.Listing)
	if catalog != "" {
		l = l.Narrow(catalog, database)
	}
	if l.TabulatorChoice != "" {
		fmt.Fprintf(st.Err, "quiltq ls: Tabulator catalog: %s\n", l.TabulatorChoice)
	}
	code := exitOK
	if bf.json {
		if err := print.JSON(st.Out, l); err != nil {
			fmt.Fprintf(st.Err, "quiltq ls: %v\n", err)
			code = exitFailed
		}
	} else {
		print.Tree(st.Out, l)
		print.ListErrors(st.Err, l)
		code = listingExit(l)
	}
	// The listing is printed before the refresh ends: wait for it only
	// now, so that the next start is current.
	if err := listed.Refreshed(); err != nil {
		fmt.Fprintf(st.Err, "quiltq ls: refreshing the cache: %v\n", err)
	}
	if code != exitOK {
		return code
	}
	return listingExit(l)
}

// failed reports err and returns its exit code.
func failed(st streams, name string, err error) int {
	if engine.KindOf(err) == engine.Canceled {
		// ls, describe and doctor run no query that could be stopped.
		fmt.Fprintf(st.Err, "quiltq %s: interrupted\n", name)
		return exitInterrupted
	}
	fmt.Fprintf(st.Err, "quiltq %s: %v\n", name, err)
	if hint := session.NextStep(err); hint != "" {
		fmt.Fprintf(st.Err, "  next:      %s\n", hint)
	}
	return exitCode(err)
}

// listingExit is ls's and describe's exit code: 0 when something was
// listed (its errors are in the output), else the kind of the first error.
func listingExit(l engine.Listing) int {
	if len(l.Catalogs) > 0 || len(l.Errors) == 0 {
		return exitOK
	}
	return exitOfKind(l.Errors[0].Kind)
}
