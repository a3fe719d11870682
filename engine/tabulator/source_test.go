package tabulator

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/engine"
)

func TestListed(t *testing.T) {
	good := Listed("sail", sail)
	if good.Kind != engine.KindTabulator || good.Error != "" || len(good.Columns) != 10 || good.Columns[3].Name != "run_date" {
		t.Errorf("got %+v", good)
	}
	bad := Listed("broken", "schema: [{name: x, type: STRING}]\nsource: {type: quilt-packages, package_name: a, logical_key: b}\nparser: {format: tsv}\n")
	if !strings.Contains(bad.Error, `line 3: parser.format: "tsv" is not a format`) || bad.Columns == nil || len(bad.Columns) != 0 {
		t.Errorf("got %+v, want the parse error with its line and no columns", bad)
	}
}

func TestBucketTables(t *testing.T) {
	var gotBucket, gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		gotBucket, _ = req.Variables["bucket"].(string)
		gotAuth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		if gotBucket == "hidden" {
			w.Write([]byte(`{"data":{"bucketConfig":null}}`))
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"bucketConfig": map[string]any{"name": gotBucket,
			"tabulatorTables": []any{map[string]any{"name": "z_sail", "config": sail}, map[string]any{"name": "a_bad", "config": "schema: ["}}}}})
	}))
	defer srv.Close()
	s := &RegistrySource{Registry: &auth.Registry{URL: srv.URL}, AccessToken: func(context.Context) (string, error) { return "tok", nil }}
	tables, err := s.BucketTables(context.Background(), "nextflowtower")
	if err != nil {
		t.Fatal(err)
	}
	if gotBucket != "nextflowtower" || gotAuth != "Bearer tok" {
		t.Errorf("asked for %q with %q", gotBucket, gotAuth)
	}
	if len(tables) != 2 || tables[0].Name != "a_bad" || tables[0].Error == "" || tables[1].Name != "z_sail" || len(tables[1].Columns) != 10 {
		t.Errorf("got %+v, want both tables by name, the bad one with its error", tables)
	}
	_, err = s.BucketTables(context.Background(), "hidden")
	if engine.KindOf(err) != engine.NotFound || !strings.Contains(err.Error(), "hidden") {
		t.Errorf("got %v, want NotFound naming the bucket", err)
	}
}
