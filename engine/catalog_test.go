package engine

import (
	"encoding/json"
	"slices"
	"testing"
)

func sample() Listing {
	return Listing{
		Catalogs: []ListedCatalog{
			{Name: "AwsDataCatalog", Type: "GLUE", Databases: []ListedDatabase{
				{Name: "sales", Tables: []ListedTable{{Name: "orders", Kind: KindTable, Columns: []Column{{"id", "bigint"}}}, {Name: "customers", Kind: KindTable}}},
				{Name: "hr", Tables: []ListedTable{{Name: "people", Kind: KindTable}}},
			}},
			{Name: "quilt-x-tabulator", Type: "LAMBDA", Databases: []ListedDatabase{{Name: "b", Tables: []ListedTable{{Name: "t", Kind: KindTabulator}}}}},
		},
		Errors: []ListError{{Item: "AwsDataCatalog.secret", Action: "glue:GetTables", Message: "no", Kind: Denied}},
	}
}

func TestListingFilterCountsHidden(t *testing.T) {
	l := sample()
	f := l.Filter(func(c, d, tb string) bool {
		return c != "quilt-x-tabulator" && d != "hr" && tb != "customers"
	})
	// Hidden: the tabulator catalog (1 + 1 database + 1 table), hr (1 + 1 table), customers.
	if f.Hidden != 6 {
		t.Errorf("hidden %d, want 6", f.Hidden)
	}
	if f.Tables() != 1 || len(f.Catalogs) != 1 || len(f.Catalogs[0].Databases) != 1 || len(f.Errors) != 1 {
		t.Errorf("filtered listing %+v", f)
	}
	if l.Tables() != 4 {
		t.Errorf("Filter changed its receiver: %d tables", l.Tables())
	}
	if _, ok := f.Find("awsdatacatalog", "SALES", "Orders"); !ok {
		t.Error("Find does not fold case")
	}
}

// The JSON shape is quiltq's stable `ls --json` contract.
func TestListingJSONShape(t *testing.T) {
	l := sample()
	l.Catalogs = l.Catalogs[1:]
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"catalogs":[{"name":"quilt-x-tabulator","type":"LAMBDA","databases":[{"name":"b","tables":[{"name":"t","kind":"tabulator","columns":null}]}]}],` +
		`"errors":[{"item":"AwsDataCatalog.secret","action":"glue:GetTables","message":"no"}]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

// Narrow keeps what was asked for and the errors about it, and turns
// what is neither listed nor explained into an error of its own.
func TestListingNarrow(t *testing.T) {
	l := Listing{
		Catalogs: []ListedCatalog{
			{Name: "AwsDataCatalog", Databases: []ListedDatabase{{Name: "sales"}, {Name: "hr"}}},
			{Name: "quilt-x-tabulator", Databases: []ListedDatabase{}},
		},
		Errors: []ListError{
			{Item: "quilt-x-tabulator", Action: "lambda:InvokeFunction", Kind: Denied},
			{Item: "AwsDataCatalog.hr", Action: "glue:GetTables", Kind: Denied},
		},
	}
	tests := []struct {
		catalog, database string
		dbs               []string
		errs              []string
	}{
		{"awsdatacatalog", "", []string{"sales", "hr"}, []string{"AwsDataCatalog.hr"}},
		{"AwsDataCatalog", "sales", []string{"sales"}, nil},
		{"AwsDataCatalog", "hr", []string{"hr"}, []string{"AwsDataCatalog.hr"}},
		{"quilt-x-tabulator", "", nil, []string{"quilt-x-tabulator"}},
		{"AwsDataCatalog", "nope", nil, []string{"AwsDataCatalog.nope"}},
		{"other", "", nil, []string{"other"}},
	}
	for _, tc := range tests {
		got := l.Narrow(tc.catalog, tc.database)
		var dbs, errs []string
		for _, c := range got.Catalogs {
			for _, d := range c.Databases {
				dbs = append(dbs, d.Name)
			}
		}
		for _, e := range got.Errors {
			errs = append(errs, e.Item)
		}
		if !slices.Equal(dbs, tc.dbs) || !slices.Equal(errs, tc.errs) {
			t.Errorf("Narrow(%q, %q): databases %q, errors %q; want %q, %q", tc.catalog, tc.database, dbs, errs, tc.dbs, tc.errs)
		}
	}
}

// Names are the names ls (depth 2) and describe (depth 3) take, a name
// that goes on offered with "." too, sorted and each once.
func TestListingNames(t *testing.T) {
	l := sample()
	l.Catalogs = append(l.Catalogs, ListedCatalog{Name: "empty"})
	for _, tc := range []struct {
		depth int
		want  []string
	}{
		{2, []string{
			"AwsDataCatalog", "AwsDataCatalog.", "AwsDataCatalog.hr", "AwsDataCatalog.sales",
			"empty",
			"quilt-x-tabulator", "quilt-x-tabulator.", "quilt-x-tabulator.b",
		}},
		{3, []string{
			"AwsDataCatalog", "AwsDataCatalog.", "AwsDataCatalog.hr", "AwsDataCatalog.hr.", "AwsDataCatalog.hr.people",
			"AwsDataCatalog.sales", "AwsDataCatalog.sales.", "AwsDataCatalog.sales.customers", "AwsDataCatalog.sales.orders",
			"b", "b.", "b.t", "empty", "hr", "hr.", "hr.people",
			"quilt-x-tabulator", "quilt-x-tabulator.", "quilt-x-tabulator.b", "quilt-x-tabulator.b.", "quilt-x-tabulator.b.t",
			"sales", "sales.", "sales.customers", "sales.orders",
		}},
	} {
		if got := l.Names(tc.depth); !slices.Equal(got, tc.want) {
			t.Errorf("Names(%d) =\n%q\nwant\n%q", tc.depth, got, tc.want)
		}
	}
}
