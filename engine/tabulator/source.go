package tabulator

import (
	"context"
	"fmt"
	"sort"

	"github.com/quiltq/quiltq/engine"
)

// bucketTablesQuery is the query quilt3 and the Quilt catalog use to list
// a bucket's Tabulator tables.
const bucketTablesQuery = `query bucketTabulatorTablesList($bucket: String!) { bucketConfig(name: $bucket) { name tabulatorTables { name config } } }`

// RegistrySource reads the Tabulator tables a bucket defines from the Quilt
// registry, as the signed-in user. It is what catalog browsing lists as the
// tables of the Tabulator catalog's database of the same name.
type RegistrySource struct {
	// Registry runs GraphQL queries (an *auth.Registry). It is an
	// interface so that this package, which the sandbox imports, does not
	// import auth, whose tests import the sandbox.
	Registry interface {
		GraphQL(ctx context.Context, accessToken, query string, vars map[string]any, out any) error
	}
	// AccessToken gives a current registry access token (a Session's
	// AccessToken).
	AccessToken func(ctx context.Context) (string, error)
}

// BucketTables lists bucket's Tabulator tables by name, each with the
// columns its configuration gives (see Config.Columns), or, when the
// configuration does not parse, no columns and the parse error. A bucket
// the registry does not show the user (bucketConfig is null) is an error
// of kind NotFound.
func (s *RegistrySource) BucketTables(ctx context.Context, bucket string) ([]engine.ListedTable, error) {
	token, err := s.AccessToken(ctx)
	if err != nil {
		return nil, err
	}
	var out struct {
		BucketConfig *struct {
			TabulatorTables []struct {
				Name   string `json:"name"`
				Config string `json:"config"`
			} `json:"tabulatorTables"`
		} `json:"bucketConfig"`
	}
	if err := s.Registry.GraphQL(ctx, token, bucketTablesQuery, map[string]any{"bucket": bucket}, &out); err != nil {
		return nil, err
	}
	if out.BucketConfig == nil {
		return nil, &engine.Error{Op: "list Tabulator tables", Kind: engine.NotFound, Err: fmt.Errorf(
			"the Quilt registry has no bucket %s, or does not show it to your role (bucketConfig is null)", bucket)}
	}
	tables := make([]engine.ListedTable, 0, len(out.BucketConfig.TabulatorTables))
	for _, t := range out.BucketConfig.TabulatorTables {
		tables = append(tables, Listed(t.Name, t.Config))
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
	return tables, nil
}

// Listed is the listing of one Tabulator table from its name and YAML
// configuration: its columns and the configuration's warnings, or its
// parse error and no columns.
func Listed(name, config string) engine.ListedTable {
	t := engine.ListedTable{Name: name, Kind: engine.KindTabulator, Columns: []engine.Column{}}
	c, err := Parse(config)
	if err != nil {
		t.Error = err.Error()
		return t
	}
	t.Columns = c.Columns()
	for _, w := range c.Warnings {
		t.Warnings = append(t.Warnings, w.Error())
	}
	return t
}
