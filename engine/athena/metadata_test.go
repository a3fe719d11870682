package athena

import (
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// A tiny protocol-buffers writer, to build metadata files by hand.
func pbKeyed(b []byte, field, wire int) []byte { return binary.AppendUvarint(b, uint64(field<<3|wire)) }

func pbText(b []byte, field int, s string) []byte {
	b = pbKeyed(b, field, 2)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func pbNumber(b []byte, field int, v uint64) []byte {
	return binary.AppendUvarint(pbKeyed(b, field, 0), v)
}

func metadataColumn(fields ...func([]byte) []byte) string {
	var b []byte
	for _, f := range fields {
		b = f(b)
	}
	return string(b)
}

func TestParseResultMetadata(t *testing.T) {
	name := func(s string) func([]byte) []byte { return func(b []byte) []byte { return pbText(b, 4, s) } }
	label := func(s string) func([]byte) []byte { return func(b []byte) []byte { return pbText(b, 5, s) } }
	typ := func(s string) func([]byte) []byte { return func(b []byte) []byte { return pbText(b, 6, s) } }
	num := func(f int, v uint64) func([]byte) []byte { return func(b []byte) []byte { return pbNumber(b, f, v) } }
	// Fields of every wire type the reader must skip.
	unknown := func(b []byte) []byte {
		b = pbNumber(b, 11, 300)
		b = append(pbKeyed(b, 12, 1), 1, 2, 3, 4, 5, 6, 7, 8)
		b = append(pbKeyed(b, 13, 5), 1, 2, 3, 4)
		return pbText(b, 14, "whatever")
	}
	file := func(cols ...string) []byte {
		b := pbText(nil, 1, "20240101_000000_00001_abcde")
		for _, c := range cols {
			b = pbText(b, 4, c)
		}
		return unknown(b)
	}
	tests := []struct {
		name string
		in   []byte
		want string
		err  string
	}{
		{"names and types", file(metadataColumn(name("id"), typ("bigint")), metadataColumn(name("s"), typ("varchar"), num(7, 2147483647))),
			"[{id bigint} {s varchar}]", ""},
		{"decimal keeps precision and scale", file(metadataColumn(name("d"), typ("decimal"), num(7, 10), num(8, 2))), "[{d decimal(10,2)}]", ""},
		{"label when no name", file(metadataColumn(label("l"), typ("double"))), "[{l double}]", ""},
		{"unknown fields skipped", file(metadataColumn(unknown, name("x"), unknown, typ("boolean"), unknown)), "[{x boolean}]", ""},
		{"no columns", file(), "", "no columns"},
		{"a column without a type", file(metadataColumn(name("x"))), "", `column "x" has no type`},
		{"truncated", file(metadataColumn(name("x"), typ("bigint")))[:20], "", "bad length"},
		{"wrong wire type", pbNumber(nil, 4, 1), "", "wire type 0"},
		{"group wire type", pbKeyed(nil, 3, 3), "", "unsupported wire type 3"},
		{"field zero", []byte{0x02, 0x00}, "", "bad field number 0"},
	}
	for _, tc := range tests {
		got, err := parseResultMetadata(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: got %v, %v; want an error saying %q", tc.name, got, err, tc.err)
		case tc.err == "" && (err != nil || fmt.Sprint(got) != tc.want):
			t.Errorf("%s: got %v, %v; want %s", tc.name, got, err, tc.want)
		}
	}
}

func FuzzResultMetadata(f *testing.F) {
	f.Add(pbText(pbText(nil, 1, "q"), 4, metadataColumn(func(b []byte) []byte { return pbText(pbText(b, 4, "a"), 6, "bigint") })))
	f.Add([]byte{0x22, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		cols, err := parseResultMetadata(data)
		if err == nil && len(cols) == 0 {
			t.Fatalf("%x: no error and no columns", data)
		}
	})
}

// callCounter counts the AWS calls an SDK client sends, by operation, on
// the way to the real sandbox.
type callCounter struct {
	next http.RoundTripper
	mu   sync.Mutex
	n    map[string]int
	seen []string // GetQueryResults MaxResults values, S3 ranges
}

// RoundTrip counts r unless it is the SDK's retry of a call already
// counted (its Amz-Sdk-Request header says attempt 2 or later): the counts
// are of calls quiltq makes, and loopback makes a retried transport race
// common (see sandboxtest.Retryer).
func (c *callCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(r.Header.Get("Amz-Sdk-Request"), "attempt=") && !strings.Contains(r.Header.Get("Amz-Sdk-Request"), "attempt=1;") && !strings.HasSuffix(r.Header.Get("Amz-Sdk-Request"), "attempt=1") {
		return c.next.RoundTrip(r)
	}
	op := r.Method + " " + r.URL.Path
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		op = strings.TrimPrefix(target, "AmazonAthena.")
	}
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[op]++
	if rng := r.Header.Get("Range"); rng != "" {
		c.seen = append(c.seen, rng)
	}
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

func (c *callCounter) count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

func (c *callCounter) ranges() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.seen...)
}

// countingConfig is adminConfig with its calls counted.
func countingConfig(t testing.TB, env *sandboxtest.Env) (*callCounter, aws.Config) {
	cfg := adminConfig(t, env)
	counter := &callCounter{next: cfg.HTTPClient.(*http.Client).Transport}
	cfg.HTTPClient = &http.Client{Transport: counter}
	return counter, cfg
}

// Column types come from the metadata file, with no Athena call; when it
// cannot be read, from one GetQueryResults of one row, with the same
// types.
func TestColumnsFromMetadataElseColumnInfo(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	counter, cfg := countingConfig(t, env)
	client := func() *Client { return New(cfg, Options{Sleep: instantSleep}) }
	x := runResultsQuery(t, adminConfig(t, env), "SELECT order_id, amount, region, order_date, quantity FROM sales.orders")
	want := []engine.Column{{Name: "order_id", Type: "bigint"}, {Name: "amount", Type: "double"}, {Name: "region", Type: "varchar"}, {Name: "order_date", Type: "date"}, {Name: "quantity", Type: "integer"}}

	f := mustFetchResult(t, client(), x)
	if fmt.Sprint(f.cols) != fmt.Sprint(want) {
		t.Errorf("from the metadata file: got %v, want %v", f.cols, want)
	}
	if n := counter.count("GetQueryResults"); n != 0 {
		t.Errorf("from the metadata file: got %d GetQueryResults calls, want none", n)
	}

	setAdminPolicies(t, env, allowAllPolicy, `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject",
		"Resource": "arn:aws:s3:::`+resultsBucket+`/athena-results/*.metadata"}]}`)
	f = mustFetchResult(t, client(), x)
	if fmt.Sprint(f.cols) != fmt.Sprint(want) || f.path.Via != "s3" {
		t.Errorf("from ColumnInfo: got %v via %s, want %v via s3", f.cols, f.path.Via, want)
	}
	if n := counter.count("GetQueryResults"); n != 1 {
		t.Errorf("from ColumnInfo: got %d GetQueryResults calls, want 1", n)
	}
	api := mustFetchResult(t, New(adminConfig(t, env), Options{NoS3: true}), x)
	if fmt.Sprint(api.cols) != fmt.Sprint(want) {
		t.Errorf("via the API: got %v, want %v", api.cols, want)
	}
}
