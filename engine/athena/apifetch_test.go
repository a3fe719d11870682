package athena

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// 4200 rows and the header are five pages of at most 1000: five calls,
// none for the column types (the first page carries them).
func TestAPIPagesThroughTheResult(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	counter, cfg := countingConfig(t, env)
	x := runResultsQuery(t, adminConfig(t, env), "SELECT * FROM sales.orders")
	f := mustFetchResult(t, New(cfg, Options{NoS3: true, Sleep: instantSleep}), x)
	if len(f.rows) != 4200 || f.path != (FetchPath{Via: "api", Fallback: "S3 reads are turned off (NoS3)"}) {
		t.Errorf("got %d rows via %+v, want 4200 via the API because of NoS3", len(f.rows), f.path)
	}
	if n := counter.count("GetQueryResults"); n != 5 {
		t.Errorf("got %d GetQueryResults calls, want 5", n)
	}
	file := "/" + resultsBucket + "/athena-results/" + x.ID + ".csv"
	if n := counter.count("GET " + file); n != 0 {
		t.Errorf("got %d GETs of the result file with NoS3, want none", n)
	}
	mustFetchResult(t, New(cfg, Options{Sleep: instantSleep}), x)
	if n := counter.count("GET " + file); n != 1 {
		t.Errorf("got %d GETs of the result file via S3, want 1 (it is smaller than a part)", n)
	}
	if n := counter.count("HEAD " + file); n != 0 {
		t.Errorf("got %d HeadObject calls via S3, want none: the first GET tells the size", n)
	}
}

func TestIsHeaderRow(t *testing.T) {
	info := []types.ColumnInfo{{Name: aws.String("a"), Label: aws.String("a")}, {Name: aws.String("b"), Label: aws.String("B")}}
	row := func(vs ...*string) types.Row {
		r := types.Row{}
		for _, v := range vs {
			r.Data = append(r.Data, types.Datum{VarCharValue: v})
		}
		return r
	}
	tests := []struct {
		row  types.Row
		want bool
	}{
		{row(aws.String("a"), aws.String("b")), true},
		{row(aws.String("a"), aws.String("B")), true},
		{row(aws.String("a"), nil), false},
		{row(aws.String("a"), aws.String("c")), false},
		{row(aws.String("a")), false},
	}
	for i, tc := range tests {
		if got := isHeaderRow(tc.row, info); got != tc.want {
			t.Errorf("row %d: got %v, want %v", i, got, tc.want)
		}
	}
}
