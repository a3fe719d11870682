package engine

import (
	"encoding/json"
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
