package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/session"
)

// Stats writes one line of JSON a script can read back.
func TestStats(t *testing.T) {
	rows := int64(4)
	var b strings.Builder
	Stats(&b, session.Stats{QueryID: "q1", State: "SUCCEEDED", BytesScanned: 10, Rows: &rows, FetchPath: "s3"})
	if strings.Count(b.String(), "\n") != 1 || !strings.HasSuffix(b.String(), "\n") {
		t.Fatalf("not one line: %q", b.String())
	}
	var got session.Stats
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil || got.QueryID != "q1" || got.Rows == nil || *got.Rows != 4 || got.FetchPath != "s3" {
		t.Errorf("read back %+v (%v) from %q", got, err, b.String())
	}
}

// The progress line is rewritten in place at most every 100 ms while the
// query runs, at once when it ends, cleared by Done, and never written
// where no terminal is.
func TestProgress(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := start
	now := func() time.Time { return clock }
	cost := func(athena.Execution) float64 { return 0.000048 }
	running := athena.Execution{State: athena.Running, Submitted: start, DataScanned: 1536}

	var b strings.Builder
	p := NewProgress(&b, cost, now)
	clock = start.Add(1234 * time.Millisecond)
	p.Update(running)
	if want := "\r\x1b[KRUNNING 1.2s · 1.5 KiB scanned · $0.000048"; b.String() != want {
		t.Fatalf("first update wrote %q, want %q", b.String(), want)
	}
	clock = clock.Add(50 * time.Millisecond)
	p.Update(running)
	if strings.Count(b.String(), "\r") != 1 {
		t.Errorf("an update 50 ms later was written: %q", b.String())
	}
	p.Update(athena.Execution{State: athena.Succeeded, Submitted: start, DataScanned: 2048})
	if !strings.HasSuffix(b.String(), "\r\x1b[KSUCCEEDED 1.2s · 2.0 KiB scanned · $0.000048") {
		t.Errorf("the end was not shown at once: %q", b.String())
	}
	p.Done()
	if !strings.HasSuffix(b.String(), "$0.000048\r\x1b[K") {
		t.Errorf("Done did not clear the line: %q", b.String())
	}

	quiet := NewProgress(nil, cost, now)
	quiet.Update(running)
	quiet.Done() // writes nowhere, and does not panic
}
