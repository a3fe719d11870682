package sqlref

import (
	"slices"
	"testing"
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
