package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/session"
)

// The workbench and the MCP server start a query and Wait for it: the
// session's max_scan stops it there too, with the scan reported live
// until the stop.
func TestWaitStopsAtMaxScan(t *testing.T) {
	env, log := loggedSandbox(t)
	s := open(t, env, "admin")
	if err := s.Settings().Set("max_scan", "4KB", "test"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id, _, err := s.Start(ctx, session.Statement{SQL: "SELECT * FROM sales.orders -- sandbox: run=5s"})
	if err != nil {
		t.Fatal(err)
	}
	var seen []int64
	x, err := s.Wait(ctx, id, func(x athena.Execution) { seen = append(seen, x.DataScanned) })
	lim := session.ScanLimitOf(err)
	if lim == nil || lim.WorkgroupCutoff || lim.Limit != 4096 || !lim.Stopped || lim.Scanned != x.DataScanned || x.State != athena.Cancelled {
		t.Fatalf("Wait = %s, %v (%+v); want CANCELLED with quiltq's 4096-byte limit", x.State, err, lim)
	}
	if engine.KindOf(err) != engine.Failed {
		t.Errorf("kind %v, want Failed", engine.KindOf(err))
	}
	if len(seen) == 0 || seen[len(seen)-1] != x.DataScanned {
		t.Errorf("progress saw %v, ending not at the final %d", seen, x.DataScanned)
	}
	if n := strings.Count(strings.Join(log.ops(), " "), "StopQueryExecution"); n != 1 {
		t.Errorf("%d StopQueryExecution calls, want 1", n)
	}
	if live := s.StopLive(ctx); len(live) != 0 {
		t.Errorf("the stopped query is still live: %v", live)
	}
}

// A read_only profile's check refuses a write for every front end, and
// lets reads through.
func TestCheckRefusesWritesWhenReadOnly(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	s := open(t, env, "admin")
	if err := s.Settings().Set("read_only", "true", "test"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Check(context.Background(), session.Statement{SQL: "DROP TABLE sales.orders"})
	var ro *session.ReadOnlyRefusal
	if engine.KindOf(err) != engine.Denied || !errors.As(err, &ro) || !strings.Contains(ro.Change.What, "drops table sales.orders") {
		t.Errorf("check of a DROP = %v; want a read-only refusal naming the table", err)
	}
	var gr *grants.Refusal
	if errors.As(err, &gr) {
		t.Error("the read-only refusal reads as a grant refusal")
	}
	if _, err := s.Check(context.Background(), session.Statement{SQL: "SELECT 1"}); err != nil {
		t.Errorf("check of a read under read_only: %v", err)
	}
}

// A statement whose ? placeholders are not all given a value is refused
// before sending (the workbench, which has no values to give, says so);
// with them it runs.
func TestStartRefusesUnfilledPlaceholders(t *testing.T) {
	env, log := loggedSandbox(t)
	s := open(t, env, "admin")
	ctx := context.Background()
	_, _, err := s.Start(ctx, session.Statement{SQL: "SELECT count(*) FROM sales.orders WHERE region = ?"})
	if engine.KindOf(err) != engine.Invalid || !strings.Contains(err.Error(), "1 ? placeholders and 0 values") {
		t.Errorf("Start without values = %v; want an Invalid refusal counting both", err)
	}
	if n := strings.Count(strings.Join(log.ops(), " "), "StartQueryExecution"); n != 0 {
		t.Errorf("%d StartQueryExecution calls, want none", n)
	}
	x, err := s.Run(ctx, session.Statement{SQL: "SELECT ? + 1 AS n", Params: []string{"41"}}, nil)
	if err != nil || x.State != athena.Succeeded {
		t.Fatalf("Run with a value = %s, %v", x.State, err)
	}
	rows, err := s.Results(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if row, err := rows.Next(); err != nil || row[0].Text != "42" {
		t.Errorf("SELECT ? + 1 with 41 = %+v, %v; want 42", row, err)
	}
}
