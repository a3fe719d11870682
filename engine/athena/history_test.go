package athena

import (
	"context"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

func TestRecentReopensWithoutRunning(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	c, rec := client(t, env, "admin", Options{Sleep: (&sleepLog{}).Sleep})
	ctx := context.Background()
	var ids []string
	for _, sql := range []string{"SELECT 1", "SELECT 2 AS two"} {
		x, err := c.Run(ctx, Request{SQL: sql, Workgroup: userWG}, nil)
		if err != nil {
			t.Fatalf("run %q: %v", sql, err)
		}
		ids = append(ids, x.ID)
	}
	xs, err := c.Recent(ctx, userWG, 10)
	if err != nil {
		t.Fatalf("Recent: %v", err)
	}
	found := map[string]Execution{}
	for _, x := range xs {
		found[x.ID] = x
	}
	for _, id := range ids {
		if x, ok := found[id]; !ok || x.State != Succeeded || x.SQL == "" {
			t.Fatalf("Recent has %+v for %s, want it SUCCEEDED with its SQL (got %d executions)", x, id, len(xs))
		}
	}
	starts := rec.n("StartQueryExecution")
	x, err := c.Execution(ctx, ids[1])
	if err != nil {
		t.Fatalf("Execution: %v", err)
	}
	rows, err := c.Results(ctx, x)
	if err != nil {
		t.Fatalf("Results of a past query: %v", err)
	}
	defer rows.Close()
	r, err := rows.Next()
	if err != nil || len(r) != 1 || r[0].Text != "2" {
		t.Fatalf("first row = %v, %v; want [2]", r, err)
	}
	if got := rec.n("StartQueryExecution"); got != starts {
		t.Fatalf("reopening started %d queries, want none", got-starts)
	}
}

func TestSavedListsTheWorkgroupsNamedQueries(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	c, rec := client(t, env, "analyst", Options{Sleep: (&sleepLog{}).Sleep})
	qs, skipped, err := c.Saved(context.Background(), userWG, 0)
	if err != nil {
		t.Fatalf("Saved: %v", err)
	}
	var names []string
	for _, q := range qs {
		names = append(names, q.Name)
		if q.SQL == "" || q.ID == "" || q.Workgroup != userWG {
			t.Errorf("saved query %+v lacks its SQL, ID or workgroup", q)
		}
	}
	// Sorted by name; the primary workgroup's query is not among them.
	want := []string{"Latest package revisions", "Revenue by region", "Salmon TPM by sample"}
	if strings.Join(names, "|") != strings.Join(want, "|") || skipped != 0 {
		t.Fatalf("Saved = %q (skipped %d), want %q", names, skipped, want)
	}
	if rec.n("StartQueryExecution") != 0 {
		t.Error("listing saved queries started a query")
	}
	if _, _, err := c.Saved(context.Background(), "no-such-workgroup", 0); err == nil {
		t.Error("Saved of a workgroup that does not exist succeeded")
	}
}
