package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	in := `{"id": "a", "sql": "SELECT * FROM T", "default_catalog": "C", "default_database": "D", "refs": []}

{"id": "b", "sql": "EXECUTE q", "default_catalog": "C", "default_database": "D"}
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	want := `{"id":"a","parsed":true,"refs":[{"catalog":"c","database":"d","table":"t","access":"read"}],"error":""}
{"id":"b","parsed":false,"refs":[],"error":"line 1:1: EXECUTE runs a prepared statement whose tables are not in this text; run its SQL instead"}
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestRunBadLine(t *testing.T) {
	var out strings.Builder
	err := run(strings.NewReader("{\"id\": \"a\", \"sql\": \"SELECT 1\"}\nnot json\n"), &out)
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("got error %v, want one naming line 2", err)
	}
}
