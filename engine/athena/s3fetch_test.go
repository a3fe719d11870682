package athena

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

func TestParseS3URL(t *testing.T) {
	for in, want := range map[string]string{
		"s3://bucket/a/b/id.csv": "bucket|a/b/id.csv",
		"s3://bucket/id.txt":     "bucket|id.txt",
		"s3://bucket/":           "error",
		"s3://bucket":            "error",
		"https://bucket/id.csv":  "error",
		"":                       "error",
	} {
		obj, err := parseS3URL(in)
		got := obj.Bucket + "|" + obj.Key
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("parseS3URL(%q) = %s, want %s", in, got, want)
		}
	}
}

// The pipeline never runs ahead of its budgets: while the reader is in
// part k, no part past k+S3Concurrency+S3ReadAhead-1 has been asked for,
// and no more than S3Concurrency part buffers are ever made. Every GET is
// counted on its way to the sandbox; the reader reads one row at a time,
// checking the bound each time, so a dispatcher that ran ahead would be
// caught whatever the timing.
func TestPartsInMemoryAreBounded(t *testing.T) {
	const partSize, concurrency, readAhead = 1024, 3, 5
	env := sandboxtest.Start(t, sandbox.Options{})
	x := putResult(t, env, "athena-results/bounded.csv", sampleResultCSV(3000))
	size := int64(len(sampleResultCSV(3000)))
	parts := int((size + partSize - 1) / partSize)
	counter, cfg := countingConfig(t, env)
	c := New(cfg, Options{S3Concurrency: concurrency, S3PartSize: partSize, S3ReadAhead: readAhead, Sleep: instantSleep})
	rows, err := c.Results(sandboxtest.Context(t), x)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	body := rows.(*s3Rows).body
	n := 0
	for {
		_, err := rows.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		current := int((body.read - 1) / partSize) // the part being read
		asked := len(partRanges(counter.ranges(), partSize))
		if max := current + concurrency + readAhead; asked > max {
			t.Fatalf("row %d: reading part %d, %d parts asked for; want at most %d", n, current, asked, max)
		}
	}
	if n != 3000 {
		t.Errorf("got %d rows, want 3000", n)
	}
	rows.Close()
	if body.allocs > concurrency {
		t.Errorf("%d part buffers made, want at most %d", body.allocs, concurrency)
	}
	if got := partRanges(counter.ranges(), partSize); len(got) != parts {
		t.Errorf("got %d parts fetched, want %d: %v", len(got), parts, got)
	}
}

// partRanges are the distinct parts the ranges start, by part index.
func partRanges(ranges []string, partSize int64) map[int64]bool {
	out := map[int64]bool{}
	for _, r := range ranges {
		var from, to int64
		if _, err := fmt.Sscanf(r, "bytes=%d-%d", &from, &to); err == nil && from%partSize == 0 {
			out[from/partSize] = true
		}
	}
	return out
}

// Parts fetched out of order still reach the reader in order, whatever
// the concurrency and part size, down to parts of one byte.
func TestPartsArriveInOrder(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	data := sampleResultCSV(40)
	x := putResult(t, env, "athena-results/order.csv", data)
	cfg := adminConfig(t, env)
	for _, opts := range []Options{
		{S3Concurrency: 8, S3PartSize: 1},
		{S3Concurrency: 5, S3PartSize: 7},
		{S3Concurrency: 2, S3PartSize: int64(len(data)) - 1},
		{S3Concurrency: 16, S3PartSize: int64(len(data)) * 2},
	} {
		opts.Sleep = instantSleep
		f := mustFetchResult(t, New(cfg, opts), x)
		if got := renderResult(f); string(got) != string(data) {
			t.Errorf("concurrency %d, parts of %d: %s", opts.S3Concurrency, opts.S3PartSize, bytesDiff(got, data))
		}
	}
	// An empty text result is no rows, and no GET.
	empty := putResult(t, env, "athena-results/empty.txt", nil)
	empty.StatementType = "UTILITY"
	f := mustFetchResult(t, New(cfg, Options{Sleep: instantSleep}), empty)
	if len(f.rows) != 0 || len(f.cols) != 1 || !strings.Contains(f.path.Via, "s3") {
		t.Errorf("empty text result: got %d rows, columns %v, path %+v; want none, one column, s3", len(f.rows), f.cols, f.path)
	}
}

// Cancelling the context ends the stream with Canceled, never with a
// clean end, on either path.
func TestResultsStopWithTheirContext(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	cfg := adminConfig(t, env)
	x := runResultsQuery(t, cfg, "SELECT * FROM sales.orders")
	for _, opts := range []Options{{S3Concurrency: 1, S3PartSize: 1024}, {NoS3: true}} {
		opts.Sleep = instantSleep
		ctx, cancel := context.WithCancel(sandboxtest.Context(t))
		rows, err := New(cfg, opts).Results(ctx, x)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rows.Next(); err != nil {
			t.Fatal(err)
		}
		cancel()
		n := 1
		for err == nil {
			_, err = rows.Next()
			n++
		}
		if err == io.EOF || engine.KindOf(err) != engine.Canceled || n > 4200 {
			t.Errorf("%s: after %d rows got %v (kind %v), want a cancellation before the end", rows.Path().Via, n, err, engine.KindOf(err))
		}
		if err := rows.Close(); err != nil {
			t.Errorf("%s: Close: %v", rows.Path().Via, err)
		}
	}
}

// A result file replaced while it is read is never mixed with its new
// version: every GET after the first carries If-Match with the first
// reply's ETag, the sandbox's S3 answers 412 PreconditionFailed once the
// object is replaced, and the read fails loudly (Failed, "run the query
// again") after delivering only rows of the first version.
func TestResultReplacedMidReadFailsLoudly(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	version := func(tag string) []byte {
		var b strings.Builder
		b.WriteString("\"n\",\"v\"\n")
		for i := range 200 {
			fmt.Fprintf(&b, "\"%d\",\"%s-%03d\"\n", i, tag, i)
		}
		return []byte(b.String())
	}
	const key = "athena-results/replaced.csv"
	x := putResult(t, env, key, version("old"))
	counter, cfg := countingConfig(t, env)
	// One part in flight and none ahead: part 1 is asked for only once
	// part 0 has been read, so the replacement below comes between them.
	c := New(cfg, Options{S3Concurrency: 1, S3PartSize: 256, S3ReadAhead: 0, Sleep: instantSleep})
	rows, err := c.Results(sandboxtest.Context(t), x)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	first, err := rows.Next()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store().Put(resultsBucket, key, version("new"), "text/csv"); err != nil {
		t.Fatal(err)
	}
	got := []engine.Row{first}
	for {
		r, err := rows.Next()
		if err == io.EOF {
			t.Fatalf("read %d rows to the end of a file replaced mid-read; want a failure", len(got))
		}
		if err != nil {
			if engine.KindOf(err) != engine.Failed || !strings.Contains(err.Error(), "S3 refused If-Match") || !strings.Contains(err.Error(), "run the query again") {
				t.Errorf("got %v (kind %v), want a Failed error from S3's 412 saying to run the query again", err, engine.KindOf(err))
			}
			break
		}
		got = append(got, r)
	}
	for _, r := range got {
		if !strings.HasPrefix(r[1].Text, "old-") {
			t.Fatalf("row %v comes from the new version; rows %v", r, got)
		}
	}
	if len(got) >= 200 {
		t.Errorf("read %d rows before failing, want the rows of part 0 only", len(got))
	}
	// Every GET after the first one asked with If-Match.
	if n := len(counter.ranges()); n < 2 {
		t.Errorf("%d ranged GETs, want at least 2", n)
	}
}
