package sqlref

import (
	"slices"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
)

func TestSplitName(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"orders", []string{"orders"}, false},
		{"Sales.Orders", []string{"sales", "orders"}, false},
		{`"Mixed Case"."x"`, []string{"Mixed Case", "x"}, false},
		{`"a""b".c`, []string{`a"b`, "c"}, false},
		{"quilt-x-tabulator.my-bucket", []string{"quilt-x-tabulator", "my-bucket"}, false},
		{`"quilt-x-tabulator"."my-bucket"."t"`, []string{"quilt-x-tabulator", "my-bucket", "t"}, false},
		{"a..b", nil, true},
		{`"a".`, nil, true},
		{"a.b.c.d", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		got, err := SplitName(tt.in, 3)
		if (err != nil) != tt.err || !slices.Equal(got, tt.want) {
			t.Errorf("SplitName(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestSplitTable(t *testing.T) {
	tests := []struct {
		in   string
		want engine.Ref
		err  string // a substring of the error
	}{
		{"orders", engine.Ref{Table: "orders"}, ""},
		{"Sales.Orders", engine.Ref{Database: "sales", Table: "orders"}, ""},
		{`"quilt-x-tabulator"."my-bucket"."My_Table"`, engine.Ref{Catalog: "quilt-x-tabulator", Database: "my-bucket", Table: "My_Table"}, ""},
		{"a.b.c.d", engine.Ref{}, "at most 3"},
		{"sales..orders", engine.Ref{}, "empty part"},
		{" ", engine.Ref{}, "not a name"},
	}
	for _, tt := range tests {
		got, err := SplitTable(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("SplitTable(%q): got %+v, %v, want an error with %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("SplitTable(%q): got %+v, %v, want %+v", tt.in, got, err, tt.want)
		}
	}
}
