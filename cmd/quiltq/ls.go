package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/catalogcache"
	"github.com/quiltq/quiltq/engine/sqlref"
	"github.com/quiltq/quiltq/engine/tabulator"
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
func runLs(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
	fs := flag.NewFlagSet("quiltq ls", flag.ContinueOnError)
	connectionFlags(fs, g)
	var bf browseFlags
	fs.BoolVar(&bf.json, "json", false, `print JSON: {"catalogs": [{"name", "type", "databases": [{"name", "tables": [{"name", "kind", "columns": [{"name", "type"}]}]}]}], "errors": [{"item", "action", "message"}]}`)
	fs.BoolVar(&bf.refresh, "refresh", false, "list anew instead of printing the cached listing")
	fs.DurationVar(&bf.maxAge, "max-age", catalogcache.DefaultPolicy().MaxAge, "print the cached listing when it is younger than this `duration` (0: never)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: quiltq ls [CATALOG[.DATABASE]] [--json] [--refresh] [--max-age D]")
		fmt.Fprintln(fs.Output(), "\nList the data catalogs, databases and tables you can query, with what could not be listed.")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	pos, code := parseInterspersed(fs, args, st)
	if code >= 0 {
		return code
	}
	var catalog, database string
	switch len(pos) {
	case 0:
	case 1:
		parts, err := splitName(pos[0], 2)
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
	b, code := newBrowser(ctx, a, st, "ls")
	if code >= 0 {
		return code
	}
	l, code := b.listing(ctx, bf)
	if code >= 0 {
		return code
	}
	gc, err := a.localGrants()
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq ls: %v\n", err)
		return exitUsage
	}
	a.sessionGrants(ctx, gc, b.qs, true)
	l = gc.listingFilter(l)
	if catalog != "" {
		l = narrow(l, catalog, database)
	}
	if l.TabulatorChoice != "" {
		fmt.Fprintf(st.Err, "quiltq ls: Tabulator catalog: %s\n", l.TabulatorChoice)
	}
	if bf.json {
		code = printJSON(st, "ls", l)
	} else {
		printTree(st.Out, l)
		printErrors(st.Err, l)
		code = listingExit(l)
	}
	if b.afterPrint != nil {
		b.afterPrint()
	}
	if code != exitOK {
		return code
	}
	return listingExit(l)
}

// runDescribe is `quiltq describe TABLE`: one table's columns. TABLE is
// written as in SQL: table, database.table or catalog.database.table,
// each part quoted or not; -c and -d (or the profile) supply what is left
// out, else AwsDataCatalog and default.
func runDescribe(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
	fs := flag.NewFlagSet("quiltq describe", flag.ContinueOnError)
	connectionFlags(fs, g)
	var asJSON bool
	fs.BoolVar(&asJSON, "json", false, "print JSON: the ls shape, holding the one table")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: quiltq describe TABLE [--json]    (TABLE: t, db.t or catalog.db.t; quote names with "..." as in SQL)`)
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	pos, code := parseInterspersed(fs, args, st)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(st.Err, `quiltq describe: give one TABLE, such as sales.orders or '"quilt-stack-tabulator"."my-bucket"."my_table"'`)
		return exitUsage
	}
	parts, err := splitName(pos[0], 3)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq describe: %v\n", err)
		return exitUsage
	}
	a := newApp(g, st, getenv)
	defer a.close()
	s, err := a.loadSettings()
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq describe: %v\n", err)
		return exitUsage
	}
	o := athena.DescribeOptions{Catalog: s.Catalog(), Database: s.Database(), Table: parts[len(parts)-1]}
	if len(parts) >= 2 {
		o.Database = parts[len(parts)-2]
	}
	if len(parts) == 3 {
		o.Catalog = parts[0]
	}
	if o.Catalog == "" {
		o.Catalog = athena.GlueCatalog
	}
	if o.Database == "" {
		o.Database = "default"
	}
	b, code := newBrowser(ctx, a, st, "describe")
	if code >= 0 {
		return code
	}
	o.TabulatorCatalog, o.Tabulator = b.opts.TabulatorCatalog, b.opts.Tabulator
	l, err := b.client.Describe(ctx, o)
	if err != nil {
		return failed(st, "describe", err)
	}
	if asJSON {
		if code := printJSON(st, "describe", l); code != exitOK {
			return code
		}
	} else {
		printColumns(st.Out, l)
		printErrors(st.Err, l)
	}
	return listingExit(l)
}

// browser is what ls and describe need: the engine, where Tabulator
// tables come from, and the cache.
type browser struct {
	client *athena.Client
	qs     *querySession
	opts   athena.BrowseOptions
	region string
	cache  *catalogcache.Cache // nil when no cache directory can be told
	st     streams
	name   string
	// afterPrint, when set, waits for the background refresh of a cached
	// listing; ls calls it once the listing is printed.
	afterPrint func()
}

func newBrowser(ctx context.Context, a *app, st streams, name string) (*browser, int) {
	qs, err := a.session(ctx, false)
	if err != nil {
		return nil, failed(st, name, err)
	}
	b := &browser{client: qs.client, qs: qs, region: qs.aws.Region, st: st, name: name}
	if l := qs.login; l != nil {
		if l.catalog != nil {
			b.opts.TabulatorCatalog, b.opts.TabulatorCatalogFrom = l.catalog.TabulatorCatalog(), l.catalog.TabulatorCatalogFrom()
		}
		if l.registry != nil && l.quilt != nil {
			b.opts.Tabulator = &tabulator.RegistrySource{Registry: l.registry, AccessToken: l.quilt.AccessToken}
		}
	}
	if p, err := config.PathsFrom(a.getenv); err == nil && p.CacheDir != "" {
		b.cache = &catalogcache.Cache{Dir: filepath.Join(p.CacheDir, "catalog")}
	} else {
		fmt.Fprintf(st.Err, "quiltq %s: listing without a cache: %v\n", name, err)
	}
	return b, -1
}

// listing is the whole listing, from the cache or anew, by the policy
// runLs documents.
func (b *browser) listing(ctx context.Context, bf browseFlags) (engine.Listing, int) {
	fetch := func(ctx context.Context) (engine.Listing, error) { return b.client.Browse(ctx, b.opts) }
	if b.cache == nil {
		l, err := fetch(ctx)
		if err != nil {
			return l, failed(b.st, b.name, err)
		}
		return l, -1
	}
	arn, err := b.client.CallerARN(ctx)
	if err != nil {
		return engine.Listing{}, failed(b.st, b.name, err)
	}
	key := catalogcache.Key{Principal: arn, Region: b.region}
	if bf.refresh || bf.maxAge <= 0 {
		l, err := fetch(ctx)
		if err != nil {
			return l, failed(b.st, b.name, err)
		}
		if _, err := b.cache.Store(key, l); err != nil {
			fmt.Fprintf(b.st.Err, "quiltq %s: %v\n", b.name, err)
		}
		return l, -1
	}
	policy := catalogcache.DefaultPolicy()
	policy.MaxAge = bf.maxAge
	e, served, refresh, warn := b.cache.Serve(ctx, key, policy, fetch)
	if warn != nil {
		fmt.Fprintf(b.st.Err, "quiltq %s: %v\n", b.name, warn)
	}
	if served {
		age := e.Age(time.Now()).Round(time.Second)
		fmt.Fprintf(b.st.Err, "quiltq %s: from the cache, listed %s ago (--refresh lists anew)\n", b.name, age)
		// The listing is printed before the refresh ends: wait for it
		// only after, so that the next start is current.
		b.afterPrint = func() {
			if r, ok := <-refresh; ok && r.Err != nil && engine.KindOf(r.Err) != engine.Canceled {
				fmt.Fprintf(b.st.Err, "quiltq %s: refreshing the cache: %v\n", b.name, r.Err)
			}
		}
		return e.Listing, -1
	}
	r := <-refresh
	if r.Err != nil && r.Entry.Listing.Catalogs == nil {
		return engine.Listing{}, failed(b.st, b.name, r.Err)
	}
	if r.Err != nil {
		fmt.Fprintf(b.st.Err, "quiltq %s: %v\n", b.name, r.Err)
	}
	return r.Entry.Listing, -1
}

// failed reports err and returns its exit code.
func failed(st streams, name string, err error) int {
	fmt.Fprintf(st.Err, "quiltq %s: %v\n", name, err)
	if hint := athena.Hint(err); hint != "" {
		fmt.Fprintf(st.Err, "  next:      %s\n", hint)
	}
	return exitCode(err)
}

// splitName reads a dotted name as SQL writes it (`sales.orders`,
// `"quilt-x-tabulator"."my-bucket"."t"`), at most max parts. Unquoted
// parts are lower-cased, as Athena folds them. A name without quotes
// that is not valid SQL (hyphens: quilt-x-tabulator) is split at its
// dots, as a user typing a catalog name means it.
func splitName(s string, max int) ([]string, error) {
	toks, err := sqlref.Lex(s)
	var parts []string
	ok := err == nil
	if ok {
		toks = sqlref.Significant(toks)
		for i, t := range toks {
			switch {
			case i%2 == 0 && (t.Kind == sqlref.Word || t.Kind == sqlref.QuotedIdent || t.Kind == sqlref.BacktickIdent):
				v := t.Value
				if t.Kind == sqlref.Word {
					v = strings.ToLower(v)
				}
				parts = append(parts, v)
			case i%2 == 1 && t.IsOp("."):
			default:
				ok = false
			}
		}
		ok = ok && len(toks)%2 == 1
	}
	if !ok {
		if strings.ContainsAny(s, "\"`") || strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("%q is not a name as SQL writes it: parts separated by dots, each a word or in double quotes", s)
		}
		parts = strings.Split(strings.ToLower(strings.TrimSpace(s)), ".")
	}
	for _, p := range parts {
		if p == "" {
			return nil, fmt.Errorf("%q has an empty part", s)
		}
	}
	if len(parts) > max {
		return nil, fmt.Errorf("%q has %d parts; at most %d are allowed here", s, len(parts), max)
	}
	return parts, nil
}

// narrow keeps the catalog (and database) asked for, and the errors that
// concern them. What is asked for and neither listed nor explained by an
// error becomes an error of its own: never a silent empty answer.
func narrow(l engine.Listing, catalog, database string) engine.Listing {
	out := engine.Listing{Catalogs: []engine.ListedCatalog{}, Errors: []engine.ListError{}, Hidden: l.Hidden,
		TabulatorCatalog: l.TabulatorCatalog, TabulatorChoice: l.TabulatorChoice}
	item := catalog
	if database != "" {
		item += "." + database
	}
	found := false
	for _, c := range l.Catalogs {
		if !strings.EqualFold(c.Name, catalog) {
			continue
		}
		if database != "" {
			nc := c
			nc.Databases = nil
			for _, d := range c.Databases {
				if strings.EqualFold(d.Name, database) {
					nc.Databases = append(nc.Databases, d)
					found = true
				}
			}
			if nc.Databases == nil {
				nc.Databases = []engine.ListedDatabase{}
			}
			c = nc
		} else {
			found = true
		}
		out.Catalogs = append(out.Catalogs, c)
	}
	explained := false
	for _, e := range l.Errors {
		it := strings.ToLower(e.Item)
		c := strings.ToLower(catalog)
		if e.Item == "data catalogs" || it == c || strings.HasPrefix(it, c+".") && (database == "" || it == strings.ToLower(item) || strings.HasPrefix(it, strings.ToLower(item)+".")) {
			out.Errors = append(out.Errors, e)
			explained = explained || it == c || it == strings.ToLower(item)
		}
	}
	if !found && !explained {
		what := "data catalog " + catalog
		if database != "" {
			what = "database " + database + " in data catalog " + catalog
		}
		out.Errors = append(out.Errors, engine.ListError{Item: item, Action: "list", Kind: engine.NotFound,
			Message: "there is no " + what + " among what you can list (quiltq ls shows them all)"})
	}
	return out
}

// listingExit is ls's and describe's exit code: 0 when something was
// listed (its errors are in the output), else the kind of the first error.
func listingExit(l engine.Listing) int {
	if len(l.Catalogs) > 0 || len(l.Errors) == 0 {
		return exitOK
	}
	switch l.Errors[0].Kind {
	case engine.Denied:
		return exitDenied
	case engine.Credentials:
		return exitCredentials
	case engine.Invalid:
		return exitUsage
	}
	return exitFailed
}

func printJSON(st streams, name string, l engine.Listing) int {
	enc := json.NewEncoder(st.Out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(l); err != nil {
		fmt.Fprintf(st.Err, "quiltq %s: %v\n", name, err)
		return exitFailed
	}
	return exitOK
}

// printTree prints catalogs, databases and tables as an indented tree,
// each table with its kind and column count (or its error).
func printTree(w io.Writer, l engine.Listing) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range l.Catalogs {
		fmt.Fprintf(tw, "%s\t%s\t\n", c.Name, c.Type)
		for _, d := range c.Databases {
			fmt.Fprintf(tw, "  %s\t\t\n", d.Name)
			for _, t := range d.Tables {
				detail := fmt.Sprintf("%d columns", len(t.Columns))
				if t.Error != "" {
					detail = "error: " + t.Error
				}
				for _, warning := range t.Warnings {
					detail += "; warning: " + warning
				}
				fmt.Fprintf(tw, "    %s\t%s\t%s\n", t.Name, t.Kind, detail)
			}
		}
	}
	tw.Flush()
	if l.Hidden > 0 {
		fmt.Fprintf(w, "(%d hidden by your grants)\n", l.Hidden)
	}
}

// printColumns prints each table's quoted name, kind and columns.
func printColumns(w io.Writer, l engine.Listing) {
	for _, c := range l.Catalogs {
		for _, d := range c.Databases {
			for _, t := range d.Tables {
				fmt.Fprintf(w, "%s.%s.%s (%s)\n", quoteName(c.Name), quoteName(d.Name), quoteName(t.Name), t.Kind)
				if t.Error != "" {
					fmt.Fprintf(w, "  error: %s\n", t.Error)
				}
				for _, warning := range t.Warnings {
					fmt.Fprintf(w, "  warning: %s\n", warning)
				}
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				for _, col := range t.Columns {
					fmt.Fprintf(tw, "  %s\t%s\n", col.Name, col.Type)
				}
				tw.Flush()
			}
		}
	}
}

func quoteName(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// printErrors prints what could not be listed, one line each.
func printErrors(w io.Writer, l engine.Listing) {
	if len(l.Errors) == 0 {
		return
	}
	fmt.Fprintf(w, "quiltq: %d item(s) could not be listed:\n", len(l.Errors))
	for _, e := range l.Errors {
		fmt.Fprintf(w, "  %s: %s: %s\n", e.Item, e.Action, e.Message)
	}
}
