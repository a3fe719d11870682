package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

type explainSQLOut struct {
	Workgroup string
	Policies  *string
	Required  []struct{ Action, Resource string }
	Missing   *[]struct{ Action, Resource, Decision string }
	Fix       json.RawMessage
	Notes     []string
}

func explainSQL(t *testing.T, env map[string]string, args ...string) (explainSQLOut, result) {
	t.Helper()
	r := quiltq(t, sandboxtest.Context(t), env, "", append([]string{"explain", "--json"}, args...)...)
	var out explainSQLOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("explain --sql --json: %v in %q (stderr %s)", err, r.stdout, r.stderr)
	}
	return out, r
}

func has(pairs []struct{ Action, Resource string }, action, resource string) bool {
	for _, p := range pairs {
		if p.Action == action && p.Resource == resource {
			return true
		}
	}
	return false
}

func TestExplainSQL(t *testing.T) {
	const sql = "SELECT dt, count(*) FROM sales.events GROUP BY dt"
	const eventsARN = "arn:aws:glue:us-east-1:123456789012:table/sales/events"

	// The analyst with the sandbox's policies known: the Glue pairs are
	// missing, and the statement covers them.
	out, r := explainSQL(t, nil, "--sandbox", "--sql", sql)
	if r.code != exitDenied {
		t.Errorf("analyst: exit %d, want %d", r.code, exitDenied)
	}
	if out.Workgroup != fixWG || !has(out.Required, "glue:GetPartitions", eventsARN) || !has(out.Required, "athena:StartQueryExecution", "arn:aws:athena:us-east-1:123456789012:workgroup/"+fixWG) {
		t.Errorf("analyst: workgroup %q, required %v", out.Workgroup, out.Required)
	}
	// 15 Glue pairs but the two the role's Iceberg statement allows on
	// the catalog (glue:GetDatabase and glue:GetTable, which every Quilt
	// role has for the Iceberg package tables).
	if out.Missing == nil || len(*out.Missing) != 13 {
		t.Fatalf("analyst: missing %v, want the 13 Glue pairs", out.Missing)
	}
	for _, m := range *out.Missing {
		if !strings.HasPrefix(m.Action, "glue:") || m.Decision != "ImplicitlyDenied" {
			t.Errorf("analyst: missing %+v, want only implicitly denied Glue pairs", m)
		}
	}
	if _, err := iam.Parse("fix", out.Fix); err != nil {
		t.Errorf("analyst: the fix %s: %v", out.Fix, err)
	}

	// The admin lacks nothing; knowing its table, no note either.
	out, r = explainSQL(t, nil, "--sandbox", "--sandbox-user", "admin", "--sql", sql)
	if r.code != exitOK || out.Missing == nil || len(*out.Missing) != 0 || string(out.Fix) != "null" || len(out.Notes) != 0 {
		t.Errorf("admin: exit %d, missing %v, fix %s, notes %v; want 0, [], null, []", r.code, out.Missing, out.Fix, out.Notes)
	}
	if !has(out.Required, "s3:GetObject", "arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/events/*") {
		t.Errorf("admin: the table's data is not required: %v", out.Required)
	}

	// Policies unknown (a separate sandbox): missing is null and the fix
	// allows everything required.
	env := sandboxtest.Start(t, sandbox.Options{})
	out, r = explainSQL(t, envFor(t, env, "analyst"), "--sql", sql)
	if r.code != exitOK || out.Missing != nil || out.Policies != nil {
		t.Errorf("unknown policies: exit %d, missing %v, policies %v; want 0, null, null", r.code, out.Missing, out.Policies)
	}
	fix, err := iam.Parse("fix", out.Fix)
	if err != nil {
		t.Fatalf("unknown policies: the fix %s: %v", out.Fix, err)
	}
	for _, p := range out.Required {
		req := iam.Request{Action: p.Action, Resource: p.Resource, Context: map[string][]string{"aws:CalledVia": {iam.ViaAthena}}}
		if strings.HasPrefix(p.Action, "s3:ListBucket") {
			req.Context["s3:prefix"] = []string{"athena-results/"}
		}
		if res := iam.Evaluate(req, fix); res.Decision != iam.Allowed {
			t.Errorf("the fix does not allow %s on %s", p.Action, p.Resource)
		}
	}

	// Usage.
	r = quiltq(t, sandboxtest.Context(t), nil, "", "explain", "--sql", "")
	if r.code != exitUsage || !strings.Contains(r.stderr, "no SQL") {
		t.Errorf("empty --sql: exit %d, %q", r.code, r.stderr)
	}
}
