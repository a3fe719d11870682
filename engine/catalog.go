package engine

import (
	"slices"
	"sort"
	"strings"
)

// Table kinds in a Listing.
const (
	KindTable     = "table"     // a Glue (or other catalog's) table
	KindView      = "view"      // a view (Glue VIRTUAL_VIEW)
	KindTabulator = "tabulator" // a Quilt Tabulator table, defined in YAML per bucket
)

// Listing is what a user can see of the data they may query: data
// catalogs, their databases, their tables with columns, and everything that
// could not be listed, each with what was refused or failed. A listing is
// never partial without saying so: a gap in the tree has an entry in
// Errors. Its JSON form is quiltq's stable `ls --json` shape.
type Listing struct {
	Catalogs []ListedCatalog `json:"catalogs"`
	Errors   []ListError     `json:"errors"`
	// Hidden counts the items a Filter removed (catalogs, databases and
	// tables alike), so that a view can say "N hidden" rather than leave
	// a silent gap.
	Hidden int `json:"hidden,omitempty"`
	// TabulatorCatalog is the data catalog read as the stack's Tabulator
	// catalog ("" when none was found), and TabulatorChoice why it was
	// chosen when there were several (Quilt stacks sharing an account).
	// They are not part of the JSON shape: front ends say them aside.
	TabulatorCatalog string `json:"-"`
	TabulatorChoice  string `json:"-"`
}

// ListedCatalog is one Athena data catalog.
type ListedCatalog struct {
	Name string `json:"name"`
	// Type is Athena's: GLUE, LAMBDA, HIVE or FEDERATED ("" when unknown).
	Type      string           `json:"type"`
	Databases []ListedDatabase `json:"databases"`
}

// ListedDatabase is one database (for the Tabulator catalog: one bucket).
type ListedDatabase struct {
	Name   string        `json:"name"`
	Tables []ListedTable `json:"tables"`
}

// ListedTable is one table, view or Tabulator table with its columns
// (partition keys last). Error, when set, says why the columns are not
// known: a Tabulator configuration that does not parse is listed with its
// error rather than dropped. Warnings say what is doubtful about a table
// that is listed with its columns: a Tabulator configuration that Quilt's
// schema rejects in part, or whose pattern quiltq cannot evaluate.
type ListedTable struct {
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Columns  []Column `json:"columns"`
	Error    string   `json:"error,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// ListError is one item that could not be listed: Item names it
// (catalog, catalog.database or catalog.database.table), Action is the
// refused or failed action (athena:ListDatabases, glue:GetDatabases,
// graphql:bucketConfig, ...), Message what AWS or the registry said.
type ListError struct {
	Item    string `json:"item"`
	Action  string `json:"action"`
	Message string `json:"message"`
	// Kind classifies the failure (not part of the JSON shape).
	Kind Kind `json:"-"`
}

// Refused reports whether the item was refused (by AWS or the registry),
// rather than failing otherwise (a Tabulator config that does not parse,
// throttling that outlived the retries).
func (e ListError) Refused() bool { return e.Kind == Denied || e.Kind == Credentials }

// Sort orders catalogs as given (Athena lists AwsDataCatalog first), and
// databases and tables by name, so that two listings of the same data
// compare equal.
func (l *Listing) Sort() {
	for i := range l.Catalogs {
		c := &l.Catalogs[i]
		sort.Slice(c.Databases, func(a, b int) bool { return c.Databases[a].Name < c.Databases[b].Name })
		for j := range c.Databases {
			d := &c.Databases[j]
			sort.Slice(d.Tables, func(a, b int) bool { return d.Tables[a].Name < d.Tables[b].Name })
		}
	}
	sort.SliceStable(l.Errors, func(a, b int) bool { return l.Errors[a].Item < l.Errors[b].Item })
}

// Filter returns the listing with only what keep accepts, adding what it
// removed to Hidden. keep is asked about each catalog (database and table
// ""), each database (table "") and each table; refusing a catalog or a
// database removes what is under it, counted once per item removed.
// Errors are kept. The listing l is not changed.
func (l Listing) Filter(keep func(catalog, database, table string) bool) Listing {
	out := Listing{Errors: append([]ListError(nil), l.Errors...), Hidden: l.Hidden,
		TabulatorCatalog: l.TabulatorCatalog, TabulatorChoice: l.TabulatorChoice}
	for _, c := range l.Catalogs {
		if !keep(c.Name, "", "") {
			out.Hidden += 1 + c.count()
			continue
		}
		nc := ListedCatalog{Name: c.Name, Type: c.Type, Databases: []ListedDatabase{}}
		for _, d := range c.Databases {
			if !keep(c.Name, d.Name, "") {
				out.Hidden += 1 + len(d.Tables)
				continue
			}
			nd := ListedDatabase{Name: d.Name, Tables: []ListedTable{}}
			for _, t := range d.Tables {
				if keep(c.Name, d.Name, t.Name) {
					nd.Tables = append(nd.Tables, t)
				} else {
					out.Hidden++
				}
			}
			nc.Databases = append(nc.Databases, nd)
		}
		out.Catalogs = append(out.Catalogs, nc)
	}
	if out.Catalogs == nil {
		out.Catalogs = []ListedCatalog{}
	}
	return out
}

// count is how many databases and tables c holds.
func (c ListedCatalog) count() int {
	n := len(c.Databases)
	for _, d := range c.Databases {
		n += len(d.Tables)
	}
	return n
}

// Tables counts the tables of the listing.
func (l Listing) Tables() int {
	n := 0
	for _, c := range l.Catalogs {
		n += c.count() - len(c.Databases)
	}
	return n
}

// Find returns the table catalog.database.table, names compared as Athena
// compares them (case-insensitively).
func (l Listing) Find(catalog, database, table string) (ListedTable, bool) {
	for _, c := range l.Catalogs {
		if !strings.EqualFold(c.Name, catalog) {
			continue
		}
		for _, d := range c.Databases {
			if !strings.EqualFold(d.Name, database) {
				continue
			}
			for _, t := range d.Tables {
				if strings.EqualFold(t.Name, table) {
					return t, true
				}
			}
		}
	}
	return ListedTable{}, false
}

// Names are the names a command's argument may be, written as ls (depth
// 2: CATALOG[.DATABASE]) and describe (depth 3: up to
// CATALOG.DATABASE.TABLE) take them: catalogs, catalog.database, and at
// depth 3 database, database.table and catalog.database.table. A name
// that goes on deeper is also given with a "." after it, so that shell
// completion can complete a part at a time. Sorted, each once.
func (l Listing) Names(depth int) []string {
	var out []string
	add := func(name string, more bool) {
		out = append(out, name)
		if more {
			out = append(out, name+".")
		}
	}
	for _, cat := range l.Catalogs {
		add(cat.Name, len(cat.Databases) > 0)
		for _, db := range cat.Databases {
			add(cat.Name+"."+db.Name, depth > 2 && len(db.Tables) > 0)
			if depth < 3 {
				continue
			}
			add(db.Name, len(db.Tables) > 0)
			for _, t := range db.Tables {
				out = append(out, db.Name+"."+t.Name, cat.Name+"."+db.Name+"."+t.Name)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Narrow keeps the catalog (and database) asked for, and the errors that
// concern them. What is asked for and neither listed nor explained by an
// error becomes an error of its own: never a silent empty answer.
func (l Listing) Narrow(catalog, database string) Listing {
	out := Listing{Catalogs: []ListedCatalog{}, Errors: []ListError{}, Hidden: l.Hidden,
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
				nc.Databases = []ListedDatabase{}
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
		out.Errors = append(out.Errors, ListError{Item: item, Action: "list", Kind: NotFound,
			Message: "there is no " + what + " among what you can list (quiltq ls shows them all)"})
	}
	return out
}
