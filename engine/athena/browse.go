package athena

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/quiltq/quiltq/engine"
)

// GlueCatalog is the name of the Glue Data Catalog in Athena.
const GlueCatalog = "AwsDataCatalog"

// browseParallel bounds the databases listed at once: enough to hide the
// round trips of a catalog of hundreds of databases, few enough to stay
// under Athena's metadata call rates (throttles are retried anyway).
const browseParallel = 16

// TabulatorSource reads the Tabulator tables Quilt defines on a bucket
// (GraphQL bucketConfig.tabulatorTables), each with the columns its YAML
// configuration gives, or with the error that keeps it from parsing.
// engine/tabulator implements it against the Quilt registry.
type TabulatorSource interface {
	BucketTables(ctx context.Context, bucket string) ([]engine.ListedTable, error)
}

// BrowseOptions narrow and complete a listing.
type BrowseOptions struct {
	// Catalog and Database, when set, list only that data catalog, or only
	// that database of it (compared case-insensitively).
	Catalog, Database string
	// TabulatorCatalog is this stack's Tabulator catalog when it can be
	// told (quilt-<stack>-tabulator, the stack named by the Quilt
	// catalog's config.json), and TabulatorCatalogFrom where that came
	// from. Among several confirmed Tabulator catalogs (several Quilt
	// stacks in one account) it is the one chosen; when the data catalogs
	// cannot be listed it is the one probed. See ChooseTabulatorCatalog.
	TabulatorCatalog     string
	TabulatorCatalogFrom string
	// Tabulator reads the Tabulator catalog's tables from the registry.
	// When nil (plain AWS credentials) they are listed from Athena's
	// metadata instead, without their configurations, and Errors says so.
	Tabulator TabulatorSource
	// Parallel bounds the databases listed at once (default 8).
	Parallel int
}

// Browse lists what the caller can see through Athena's metadata API:
// ListDataCatalogs (then GetDataCatalog on each catalog but
// AwsDataCatalog, as the console and the Quilt catalog probe them),
// ListDatabases, and ListTableMetadata, every listing paged and the
// databases listed at most Parallel at a time. Athena reaches Glue and the
// Tabulator Lambda as the caller (aws:CalledVia), which Quilt's policies
// allow where a direct Glue call is refused, so Glue is never called, and
// no query is run. Throttling and server errors are retried.
//
// Whatever is refused or fails is an entry in Errors naming the item and
// the action, and the rest is still listed: the error return is only for
// a cancelled context.
func (c *Client) Browse(ctx context.Context, o BrowseOptions) (engine.Listing, error) {
	if o.Parallel <= 0 {
		o.Parallel = browseParallel
	}
	l := engine.Listing{Catalogs: []engine.ListedCatalog{}, Errors: []engine.ListError{}}
	var mu sync.Mutex // guards l.Errors
	fail := func(e engine.ListError) {
		mu.Lock()
		l.Errors = append(l.Errors, e)
		mu.Unlock()
	}

	cats, err := c.listDataCatalogs(ctx)
	if err != nil {
		if engine.KindOf(err) == engine.Canceled {
			return engine.Listing{}, err
		}
		fail(listError("data catalogs", "athena:ListDataCatalogs", err))
		// Without the list, the catalogs every Quilt user has.
		cats = []engine.ListedCatalog{{Name: GlueCatalog, Type: "GLUE"}}
		if o.TabulatorCatalog != "" {
			cats = append(cats, engine.ListedCatalog{Name: o.TabulatorCatalog})
		}
	}
	if o.Catalog != "" {
		cats = pickCatalog(cats, o.Catalog)
	}

	// Probe every catalog but Glue's: a catalog the caller may not get
	// cannot be queried either.
	keep := make([]bool, len(cats))
	c.each(ctx, len(cats), o.Parallel, func(ctx context.Context, i int) {
		keep[i] = true
		if strings.EqualFold(cats[i].Name, GlueCatalog) {
			return
		}
		dc, err := c.getDataCatalog(ctx, cats[i].Name)
		if err != nil {
			fail(listError(cats[i].Name, "athena:GetDataCatalog", err))
			switch engine.KindOf(err) {
			case engine.Denied, engine.NotFound, engine.Invalid:
				keep[i] = false
			}
			return
		}
		if cats[i].Type == "" {
			cats[i].Type = string(dc.Type)
		}
	})
	if err := ctx.Err(); err != nil {
		return engine.Listing{}, translate("list data catalogs", err)
	}
	var confirmed []string
	for i, cat := range cats {
		if keep[i] {
			confirmed = append(confirmed, cat.Name)
		}
	}
	choice := ChooseTabulatorCatalog(confirmed, o.TabulatorCatalog, o.TabulatorCatalogFrom)
	tabulator := choice.Name
	l.TabulatorCatalog, l.TabulatorChoice = choice.Name, choice.Why

	// Databases of each kept catalog.
	type job struct{ cat, db int }
	var jobs []job
	for i := range cats {
		if !keep[i] {
			continue
		}
		cat := &cats[i]
		names, err := c.listDatabases(ctx, cat.Name)
		if err != nil {
			if engine.KindOf(err) == engine.Canceled {
				return engine.Listing{}, err
			}
			fail(listError(cat.Name, "athena:ListDatabases", err))
			if o.Database != "" {
				// A role may list a database's tables without listing
				// databases: try the one asked for.
				names = []string{o.Database}
			}
		} else if o.Database != "" {
			names = pickDatabase(names, o.Database)
			if len(names) == 0 {
				fail(engine.ListError{Item: cat.Name + "." + o.Database, Action: "athena:ListDatabases", Kind: engine.NotFound,
					Message: fmt.Sprintf("catalog %s has no database %s", cat.Name, o.Database)})
			}
		}
		cat.Databases = make([]engine.ListedDatabase, len(names))
		for j, n := range names {
			cat.Databases[j] = engine.ListedDatabase{Name: n, Tables: []engine.ListedTable{}}
			jobs = append(jobs, job{i, j})
		}
		if cat.Name == tabulator && o.Tabulator == nil && len(names) > 0 {
			fail(engine.ListError{Item: cat.Name, Action: "graphql:bucketConfig", Kind: engine.Credentials,
				Message: "Tabulator configurations come from the Quilt registry and this session has no Quilt login (plain AWS credentials): tables are listed from Athena's metadata"})
		}
	}

	// Tables of each database, Parallel databases at a time.
	c.each(ctx, len(jobs), o.Parallel, func(ctx context.Context, k int) {
		cat := &cats[jobs[k].cat]
		db := &cat.Databases[jobs[k].db]
		item := cat.Name + "." + db.Name
		var tables []engine.ListedTable
		var err error
		action := "athena:ListTableMetadata"
		if cat.Name == tabulator && o.Tabulator != nil {
			action = "graphql:bucketConfig"
			tables, err = o.Tabulator.BucketTables(ctx, db.Name)
		} else {
			tables, err = c.listTables(ctx, cat.Name, db.Name, cat.Name == tabulator)
		}
		if err != nil {
			fail(listError(item, action, err))
			return
		}
		db.Tables = tables
		for _, t := range tables {
			if t.Error != "" {
				fail(engine.ListError{Item: item + "." + t.Name, Action: "tabulator:config", Kind: engine.Invalid,
					Message: "the table's configuration does not parse: " + t.Error})
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return engine.Listing{}, translate("list tables", err)
	}
	for i := range cats {
		if keep[i] {
			if cats[i].Databases == nil {
				cats[i].Databases = []engine.ListedDatabase{}
			}
			l.Catalogs = append(l.Catalogs, cats[i])
		}
	}
	l.Sort()
	return l, nil
}

// DescribeOptions name one table and say where Tabulator tables come from.
type DescribeOptions struct {
	Catalog, Database, Table string
	// TabulatorCatalog and Tabulator are as in BrowseOptions: this
	// stack's Tabulator catalog (when it is known; else any catalog whose
	// name ends in "-tabulator") is read through Tabulator when it is set.
	TabulatorCatalog string
	Tabulator        TabulatorSource
}

// Describe lists one table, in a Listing of one catalog, one database and
// one table, from GetTableMetadata (or, for a Tabulator table, from its
// configuration). A table that cannot be described leaves the Listing's
// catalogs empty and says why in Errors; the error return is only for a
// cancelled context.
func (c *Client) Describe(ctx context.Context, o DescribeOptions) (engine.Listing, error) {
	l := engine.Listing{Catalogs: []engine.ListedCatalog{}, Errors: []engine.ListError{}}
	cat := engine.ListedCatalog{Name: o.Catalog}
	item := o.Catalog + "." + o.Database + "." + o.Table
	if strings.EqualFold(o.Catalog, GlueCatalog) {
		cat.Name, cat.Type = GlueCatalog, "GLUE"
	} else {
		dc, err := c.getDataCatalog(ctx, o.Catalog)
		if err != nil {
			if engine.KindOf(err) == engine.Canceled {
				return engine.Listing{}, err
			}
			l.Errors = append(l.Errors, listError(o.Catalog, "athena:GetDataCatalog", err))
			return l, nil
		}
		cat.Name, cat.Type = aws.ToString(dc.Name), string(dc.Type)
		if cat.Name == "" {
			cat.Name = o.Catalog
		}
	}
	// Another stack's Tabulator catalog is not this registry's to
	// describe: Athena's metadata describes it.
	tabulator := IsTabulatorCatalog(cat.Name) && (o.TabulatorCatalog == "" || strings.EqualFold(cat.Name, o.TabulatorCatalog))
	var table engine.ListedTable
	if tabulator && o.Tabulator != nil {
		tables, err := o.Tabulator.BucketTables(ctx, o.Database)
		if err != nil {
			if engine.KindOf(err) == engine.Canceled {
				return engine.Listing{}, err
			}
			l.Errors = append(l.Errors, listError(cat.Name+"."+o.Database, "graphql:bucketConfig", err))
			return l, nil
		}
		found := false
		for _, t := range tables {
			if strings.EqualFold(t.Name, o.Table) {
				table, found = t, true
			}
		}
		if !found {
			l.Errors = append(l.Errors, engine.ListError{Item: item, Action: "graphql:bucketConfig", Kind: engine.NotFound,
				Message: fmt.Sprintf("bucket %s defines no Tabulator table %s", o.Database, o.Table)})
			return l, nil
		}
		if table.Error != "" {
			l.Errors = append(l.Errors, engine.ListError{Item: item, Action: "tabulator:config", Kind: engine.Invalid,
				Message: "the table's configuration does not parse: " + table.Error})
		}
	} else {
		var out *awsathena.GetTableMetadataOutput
		err := c.retry(ctx, "get table metadata "+item, func(ctx context.Context) error {
			var err error
			out, err = c.athena.GetTableMetadata(ctx, &awsathena.GetTableMetadataInput{
				CatalogName: aws.String(cat.Name), DatabaseName: aws.String(o.Database), TableName: aws.String(o.Table),
			}, withErrorBody)
			return err
		})
		if err != nil {
			if engine.KindOf(err) == engine.Canceled {
				return engine.Listing{}, err
			}
			l.Errors = append(l.Errors, listError(item, "athena:GetTableMetadata", err))
			return l, nil
		}
		if out.TableMetadata == nil {
			l.Errors = append(l.Errors, engine.ListError{Item: item, Action: "athena:GetTableMetadata", Kind: engine.Invalid, Message: "Athena returned no table metadata"})
			return l, nil
		}
		table = tableOf(*out.TableMetadata, tabulator)
	}
	cat.Databases = []engine.ListedDatabase{{Name: o.Database, Tables: []engine.ListedTable{table}}}
	l.Catalogs = append(l.Catalogs, cat)
	return l, nil
}

// CallerARN is the ARN STS gives the caller (GetCallerIdentity, which
// needs no permission): for a Quilt login
// arn:aws:sts::<account>:assumed-role/<role>/<user>, so it names the user
// and the role at once.
func (c *Client) CallerARN(ctx context.Context) (string, error) {
	out, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", translate("get caller identity", err)
	}
	arn := aws.ToString(out.Arn)
	if arn == "" {
		return "", &engine.Error{Op: "get caller identity", Kind: engine.Invalid, Err: errors.New("STS returned no ARN")}
	}
	return arn, nil
}

// each runs f(ctx, i) for i in [0, n), at most parallel at once, and
// returns when all have returned. It stops starting new calls once ctx
// is done.
func (c *Client) each(ctx context.Context, n, parallel int, f func(context.Context, int)) {
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(ctx, i)
		}()
	}
	wg.Wait()
}

// drain calls page with each NextToken until there is none, retrying
// each page's transient failures. A token seen before ends the paging
// (it would page forever).
func drain[T any](ctx context.Context, c *Client, op string, page func(ctx context.Context, token *string) ([]T, *string, error)) ([]T, error) {
	var all []T
	var token *string
	seen := map[string]bool{}
	for {
		var items []T
		var next *string
		err := c.retry(ctx, op, func(ctx context.Context) error {
			var err error
			items, next, err = page(ctx, token)
			return err
		})
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		n := aws.ToString(next)
		if n == "" || seen[n] {
			return all, nil
		}
		seen[n] = true
		token = next
	}
}

// listDataCatalogs drains ListDataCatalogs.
func (c *Client) listDataCatalogs(ctx context.Context) ([]engine.ListedCatalog, error) {
	sums, err := drain(ctx, c, "list data catalogs", func(ctx context.Context, token *string) ([]types.DataCatalogSummary, *string, error) {
		out, err := c.athena.ListDataCatalogs(ctx, &awsathena.ListDataCatalogsInput{MaxResults: aws.Int32(listPageSize), NextToken: token}, withErrorBody)
		if err != nil {
			return nil, nil, err
		}
		return out.DataCatalogsSummary, out.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	cats := make([]engine.ListedCatalog, 0, len(sums))
	for _, s := range sums {
		cats = append(cats, engine.ListedCatalog{Name: aws.ToString(s.CatalogName), Type: string(s.Type)})
	}
	return cats, nil
}

// pickCatalog keeps the catalog named name; when the list does not have
// it (or could not be read) the name is tried as given, so that the probe
// says whether it exists.
func pickCatalog(cats []engine.ListedCatalog, name string) []engine.ListedCatalog {
	for _, c := range cats {
		if strings.EqualFold(c.Name, name) {
			return []engine.ListedCatalog{c}
		}
	}
	if strings.EqualFold(name, GlueCatalog) {
		return []engine.ListedCatalog{{Name: GlueCatalog, Type: "GLUE"}}
	}
	return []engine.ListedCatalog{{Name: name}}
}

func pickDatabase(names []string, name string) []string {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return []string{n}
		}
	}
	return nil
}

func (c *Client) getDataCatalog(ctx context.Context, name string) (*types.DataCatalog, error) {
	var out *awsathena.GetDataCatalogOutput
	err := c.retry(ctx, "get data catalog "+name, func(ctx context.Context) error {
		var err error
		out, err = c.athena.GetDataCatalog(ctx, &awsathena.GetDataCatalogInput{Name: aws.String(name)}, withErrorBody)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.DataCatalog == nil {
		return &types.DataCatalog{Name: aws.String(name)}, nil
	}
	return out.DataCatalog, nil
}

func (c *Client) listDatabases(ctx context.Context, catalog string) ([]string, error) {
	dbs, err := drain(ctx, c, "list databases of "+catalog, func(ctx context.Context, token *string) ([]types.Database, *string, error) {
		out, err := c.athena.ListDatabases(ctx, &awsathena.ListDatabasesInput{
			CatalogName: aws.String(catalog), MaxResults: aws.Int32(listPageSize), NextToken: token,
		}, withErrorBody)
		if err != nil {
			return nil, nil, err
		}
		return out.DatabaseList, out.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(dbs))
	for _, d := range dbs {
		names = append(names, aws.ToString(d.Name))
	}
	return names, nil
}

func (c *Client) listTables(ctx context.Context, catalog, db string, tabulator bool) ([]engine.ListedTable, error) {
	metas, err := drain(ctx, c, "list tables of "+catalog+"."+db, func(ctx context.Context, token *string) ([]types.TableMetadata, *string, error) {
		out, err := c.athena.ListTableMetadata(ctx, &awsathena.ListTableMetadataInput{
			CatalogName: aws.String(catalog), DatabaseName: aws.String(db), MaxResults: aws.Int32(listPageSize), NextToken: token,
		}, withErrorBody)
		if err != nil {
			return nil, nil, err
		}
		return out.TableMetadataList, out.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	tables := make([]engine.ListedTable, len(metas))
	for i, m := range metas {
		tables[i] = tableOf(m, tabulator)
	}
	return tables, nil
}

// tableOf is a table as Athena's metadata describes it: its columns, then
// its partition keys.
func tableOf(m types.TableMetadata, tabulator bool) engine.ListedTable {
	t := engine.ListedTable{Name: aws.ToString(m.Name), Kind: engine.KindTable, Columns: make([]engine.Column, 0, len(m.Columns)+len(m.PartitionKeys))}
	switch {
	case tabulator:
		t.Kind = engine.KindTabulator
	case strings.EqualFold(aws.ToString(m.TableType), "VIRTUAL_VIEW"):
		t.Kind = engine.KindView
	}
	for _, col := range append(m.Columns, m.PartitionKeys...) {
		t.Columns = append(t.Columns, engine.Column{Name: aws.ToString(col.Name), Type: aws.ToString(col.Type)})
	}
	return t
}

// refusedAction finds the action a refusal names: IAM's "... is not
// authorized to perform: glue:GetDatabases on resource ...", which Athena
// passes on inside a MetadataException, or Athena's own "You are not
// authorized to perform: athena:ListDatabases on the resource".
var refusedAction = regexp.MustCompile(`not authorized to perform: ([A-Za-z0-9-]+:[A-Za-z0-9*]+)`)

// listError is the entry for an item that could not be listed. Action is
// the refused action when the refusal names one (glue:GetTables behind
// athena:ListTableMetadata, say), else the call that failed.
func listError(item, call string, err error) engine.ListError {
	msg := errorMessage(err)
	e := engine.ListError{Item: item, Action: call, Message: msg, Kind: engine.KindOf(err)}
	if e.Kind == engine.Throttled {
		e.Message = fmt.Sprintf("throttled on every attempt: %s", msg)
	}
	if m := refusedAction.FindStringSubmatch(msg); m != nil {
		e.Action = m[1]
		if e.Kind == engine.Other {
			e.Kind = engine.Denied
		}
	}
	return e
}
