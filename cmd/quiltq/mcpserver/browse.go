package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// listingMaxAge is how old a cached listing may be and still be served;
// refresh=true lists anew.
const listingMaxAge = 10 * time.Minute

func (s *Server) addBrowseTools() {
	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:  "catalogs_list",
		Title: "Data catalogs",
		Description: `List the Athena data catalogs the user can query, with how many databases each holds. The Quilt stack's Tabulator tables are in the catalog whose name ends in -tabulator (type LAMBDA).
Only what the user's grants allow is listed; hidden says how many items the grants hid, and errors say what could not be listed and which action was refused.`,
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}, s.catalogsList)
	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:  "databases_list",
		Title: "Databases of a catalog",
		Description: `List the databases of one data catalog, with how many tables each holds (for the Tabulator catalog a database is a Quilt bucket).
Only what the grants allow is listed; hidden counts what they hid in this catalog; errors say what was refused.`,
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}, s.databasesList)
	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:  "tables_list",
		Title: "Tables of a database",
		Description: `List the tables of one database: name, kind (table, view, or tabulator for Quilt Tabulator tables) and column count; a Tabulator table whose YAML configuration does not parse is listed with its error.
Only what the grants allow is listed; hidden counts what they hid in this database.`,
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}, s.tablesList)
	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:  "table_describe",
		Title: "A table's columns",
		Description: `The columns of one table with their types. For a Quilt Tabulator table they come from its YAML configuration: the schema's columns, the named capture groups of package_name and logical_key, then $pkg_name, $logical_key, $physical_key, $top_hash and $issue (quote $ columns in SQL: "$logical_key").
table is named as in SQL (t, db.t or catalog.db.t); catalog and database fill in the parts left out.`,
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}, s.tableDescribe)
	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:        "workgroups_list",
		Title:       "Athena workgroups",
		Description: `The Athena workgroups the user may run queries in (enabled, with a result location), which one is in use, and those set aside with why.`,
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}, s.workgroupsList)
}

// ListInput is the input of the listing tools.
type ListInput struct {
	Catalog  string `json:"catalog,omitempty" jsonschema:"the data catalog (databases_list and tables_list need it)"`
	Database string `json:"database,omitempty" jsonschema:"the database (tables_list needs it)"`
	Refresh  bool   `json:"refresh,omitempty" jsonschema:"list anew instead of using the listing cached in the last 10 minutes"`
}

// CatalogsOutput is catalogs_list's output.
type CatalogsOutput struct {
	Catalogs []CatalogItem      `json:"catalogs"`
	Hidden   int                `json:"hidden" jsonschema:"items (catalogs, databases, tables) the grants hid"`
	Errors   []engine.ListError `json:"errors" jsonschema:"what could not be listed: item, refused action, AWS's message"`
	Cached   string             `json:"cached,omitempty" jsonschema:"when the listing came from the cache, how old it is"`
}

// CatalogItem is one data catalog.
type CatalogItem struct {
	Name      string `json:"name"`
	Type      string `json:"type" jsonschema:"GLUE, LAMBDA, HIVE or FEDERATED"`
	Tabulator bool   `json:"tabulator" jsonschema:"the Quilt stack's Tabulator catalog"`
	Databases int    `json:"databases"`
}

// DatabasesOutput is databases_list's output.
type DatabasesOutput struct {
	Catalog   string             `json:"catalog"`
	Databases []DatabaseItem     `json:"databases"`
	Hidden    int                `json:"hidden" jsonschema:"databases and tables of this catalog the grants hid"`
	Errors    []engine.ListError `json:"errors"`
}

// DatabaseItem is one database.
type DatabaseItem struct {
	Name   string `json:"name"`
	Tables int    `json:"tables"`
}

// TablesOutput is tables_list's output.
type TablesOutput struct {
	Catalog  string             `json:"catalog"`
	Database string             `json:"database"`
	Tables   []TableItem        `json:"tables"`
	Hidden   int                `json:"hidden" jsonschema:"tables of this database the grants hid"`
	Errors   []engine.ListError `json:"errors"`
}

// TableItem is one table.
type TableItem struct {
	Name    string `json:"name"`
	Kind    string `json:"kind" jsonschema:"table, view or tabulator"`
	Columns int    `json:"columns"`
	Error   string `json:"error,omitempty" jsonschema:"why the columns are not known (a Tabulator configuration that does not parse)"`
}

// listing is the whole listing, as listed and as the grants filter it.
func (s *Server) listing(ctx context.Context, refresh bool) (raw, filtered engine.Listing, age time.Duration, err error) {
	l, err := s.sess.List(ctx, session.ListOptions{Refresh: refresh, MaxAge: listingMaxAge})
	if err != nil {
		return engine.Listing{}, engine.Listing{}, 0, failure(err)
	}
	if l.Cached {
		// The refresh of an old cached listing runs on; Close waits.
		s.refreshes.Add(1)
		go func() { defer s.refreshes.Done(); _ = l.Refreshed() }()
		age = l.Age
	}
	return l.Listing, s.sess.FilterListing(ctx, l.Listing), age, nil
}

func (s *Server) catalogsList(ctx context.Context, _ *mcp.CallToolRequest, in ListInput) (*mcp.CallToolResult, CatalogsOutput, error) {
	out := CatalogsOutput{Catalogs: []CatalogItem{}, Errors: []engine.ListError{}}
	_, l, age, err := s.listing(ctx, in.Refresh)
	if err != nil {
		return nil, out, err
	}
	for _, c := range l.Catalogs {
		out.Catalogs = append(out.Catalogs, CatalogItem{Name: c.Name, Type: c.Type, Tabulator: strings.EqualFold(c.Name, s.sess.TabulatorCatalog()) || strings.HasSuffix(strings.ToLower(c.Name), "-tabulator"), Databases: len(c.Databases)})
	}
	out.Hidden, out.Errors = l.Hidden, nonNil(l.Errors)
	if age > 0 {
		out.Cached = age.Round(time.Second).String()
	}
	return nil, out, nil
}

func (s *Server) databasesList(ctx context.Context, _ *mcp.CallToolRequest, in ListInput) (*mcp.CallToolResult, DatabasesOutput, error) {
	out := DatabasesOutput{Catalog: in.Catalog, Databases: []DatabaseItem{}, Errors: []engine.ListError{}}
	if in.Catalog == "" {
		return nil, out, fmt.Errorf("catalog is required: catalogs_list names them")
	}
	raw, l, _, err := s.listing(ctx, in.Refresh)
	if err != nil {
		return nil, out, err
	}
	n := l.Narrow(in.Catalog, "")
	for _, c := range n.Catalogs {
		out.Catalog = c.Name
		for _, d := range c.Databases {
			out.Databases = append(out.Databases, DatabaseItem{Name: d.Name, Tables: len(d.Tables)})
		}
	}
	out.Hidden = items(raw.Narrow(in.Catalog, "")) - items(n)
	out.Errors = nonNil(n.Errors)
	return nil, out, nil
}

func (s *Server) tablesList(ctx context.Context, _ *mcp.CallToolRequest, in ListInput) (*mcp.CallToolResult, TablesOutput, error) {
	out := TablesOutput{Catalog: in.Catalog, Database: in.Database, Tables: []TableItem{}, Errors: []engine.ListError{}}
	if in.Catalog == "" || in.Database == "" {
		return nil, out, fmt.Errorf("catalog and database are required: catalogs_list and databases_list name them")
	}
	raw, l, _, err := s.listing(ctx, in.Refresh)
	if err != nil {
		return nil, out, err
	}
	n := l.Narrow(in.Catalog, in.Database)
	for _, c := range n.Catalogs {
		for _, d := range c.Databases {
			out.Catalog, out.Database = c.Name, d.Name
			for _, t := range d.Tables {
				out.Tables = append(out.Tables, TableItem{Name: t.Name, Kind: t.Kind, Columns: len(t.Columns), Error: t.Error})
			}
		}
	}
	out.Hidden = items(raw.Narrow(in.Catalog, in.Database)) - items(n)
	out.Errors = nonNil(n.Errors)
	return nil, out, nil
}

// items counts the databases and tables of a narrowed listing.
func items(l engine.Listing) int {
	n := 0
	for _, c := range l.Catalogs {
		n += len(c.Databases)
		for _, d := range c.Databases {
			n += len(d.Tables)
		}
	}
	return n
}

// DescribeInput is table_describe's input.
type DescribeInput struct {
	Table    string `json:"table" jsonschema:"the table as named in SQL: t, db.t or catalog.db.t (quote names with hyphens: \"quilt-sales-prod-tabulator\".\"bucket\".\"t\")"`
	Catalog  string `json:"catalog,omitempty" jsonschema:"the data catalog when table does not name it"`
	Database string `json:"database,omitempty" jsonschema:"the database when table does not name it"`
}

// DescribeOutput is table_describe's output.
type DescribeOutput struct {
	Catalog  string             `json:"catalog"`
	Database string             `json:"database"`
	Name     string             `json:"name"`
	Kind     string             `json:"kind" jsonschema:"table, view or tabulator"`
	Columns  []engine.Column    `json:"columns"`
	Error    string             `json:"error,omitempty" jsonschema:"why the columns are not known"`
	Errors   []engine.ListError `json:"errors"`
}

func (s *Server) tableDescribe(ctx context.Context, _ *mcp.CallToolRequest, in DescribeInput) (*mcp.CallToolResult, DescribeOutput, error) {
	out := DescribeOutput{Columns: []engine.Column{}, Errors: []engine.ListError{}}
	ref, err := sqlref.SplitTable(in.Table)
	if err != nil {
		return nil, out, fmt.Errorf("table %q: %v", in.Table, err)
	}
	if ref.Catalog == "" {
		ref.Catalog = in.Catalog
	}
	if ref.Database == "" {
		ref.Database = in.Database
	}
	return s.describe(ctx, ref.Catalog, ref.Database, ref.Table, out)
}

func (s *Server) describe(ctx context.Context, cat, db, table string, out DescribeOutput) (*mcp.CallToolResult, DescribeOutput, error) {
	l, err := s.sess.Describe(ctx, cat, db, table)
	if err != nil && len(l.Catalogs) == 0 {
		return nil, out, failure(err)
	}
	f := s.sess.FilterListing(ctx, l)
	out.Errors = nonNil(f.Errors)
	for _, c := range f.Catalogs {
		for _, d := range c.Databases {
			for _, t := range d.Tables {
				out.Catalog, out.Database, out.Name, out.Kind, out.Columns, out.Error = c.Name, d.Name, t.Name, t.Kind, nonNil(t.Columns), t.Error
				return nil, out, nil
			}
		}
	}
	if f.Hidden > 0 {
		return nil, out, fmt.Errorf("the grants do not allow reading %s.%s.%s, so it is not described (athena_check says why)", cat, db, table)
	}
	var msgs []string
	for _, e := range f.Errors {
		msgs = append(msgs, e.Item+": "+e.Action+": "+e.Message)
	}
	if len(msgs) == 0 {
		msgs = append(msgs, "no such table")
	}
	return nil, out, fmt.Errorf("table %s could not be described: %s", table, strings.Join(msgs, "; "))
}

// WorkgroupsOutput is workgroups_list's output.
type WorkgroupsOutput struct {
	InUse      string          `json:"in_use,omitempty" jsonschema:"the workgroup queries run in"`
	Workgroups []WorkgroupItem `json:"workgroups"`
	Skipped    []SkippedItem   `json:"skipped" jsonschema:"workgroups seen and set aside, with why"`
}

// WorkgroupItem is one usable workgroup.
type WorkgroupItem struct {
	Name           string `json:"name"`
	Description    string `json:"description,omitempty"`
	OutputLocation string `json:"output_location" jsonschema:"where results are written"`
	Enforced       bool   `json:"enforced" jsonschema:"the workgroup's settings override the client's"`
}

// SkippedItem is a workgroup set aside.
type SkippedItem struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

func (s *Server) workgroupsList(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, WorkgroupsOutput, error) {
	out := WorkgroupsOutput{Workgroups: []WorkgroupItem{}, Skipped: []SkippedItem{}}
	wgs, skipped, err := s.sess.Workgroups(ctx)
	if err != nil {
		return nil, out, failure(err)
	}
	for _, w := range wgs {
		out.Workgroups = append(out.Workgroups, WorkgroupItem{Name: w.Name, Description: w.Description, OutputLocation: w.OutputLocation, Enforced: w.Enforced})
	}
	for _, k := range skipped {
		out.Skipped = append(out.Skipped, SkippedItem{Name: k.Name, Reason: k.Reason})
	}
	if wg, err := s.sess.Workgroup(ctx); err == nil {
		out.InUse = wg.Name
	}
	return nil, out, nil
}

// The resources: the catalog tree, and each table's schema.
const (
	catalogURI    = "quiltq://catalog"
	tableTemplate = "quiltq://table/{catalog}/{database}/{table}"
)

func (s *Server) addResources() {
	s.mcp.AddResource(&mcp.Resource{
		URI: catalogURI, Name: "catalog", Title: "The catalog tree", MIMEType: "application/json",
		Description: "Every data catalog, database and table the user's grants allow, with columns, how many items the grants hid, and what could not be listed (the shape of `quiltq ls --json`). Table schemas are also at quiltq://table/{catalog}/{database}/{table}.",
	}, s.readCatalog)
	s.mcp.AddResourceTemplate(&mcp.ResourceTemplate{
		URITemplate: tableTemplate, Name: "table", Title: "A table's schema", MIMEType: "application/json",
		Description: "One table's columns and types (for a Tabulator table, from its YAML configuration), as table_describe gives them. Percent-encode names that are not plain.",
	}, s.readTable)
}

func (s *Server) readCatalog(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	_, l, _, err := s.listing(ctx, false)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(l, "", " ")
	if err != nil {
		return nil, err
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, MIMEType: "application/json", Text: string(b)}}}, nil
}

func (s *Server) readTable(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	u, err := url.Parse(req.Params.URI)
	if err != nil || u.Scheme != "quiltq" || u.Host != "table" {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	parts := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	if len(parts) != 3 {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	for i, p := range parts {
		if parts[i], err = url.PathUnescape(p); err != nil || parts[i] == "" {
			return nil, mcp.ResourceNotFoundError(req.Params.URI)
		}
	}
	_, d, err := s.describe(ctx, parts[0], parts[1], parts[2], DescribeOutput{Columns: []engine.Column{}, Errors: []engine.ListError{}})
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(d, "", " ")
	if err != nil {
		return nil, err
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, MIMEType: "application/json", Text: string(b)}}}, nil
}
