package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/session"
)

type doctorOut struct {
	Principal string `json:"principal"`
	Policies  *string
	Checks    []struct {
		Check, Status, Detail string
		Missing               []string
	}
	Missing []string
	Fix     json.RawMessage
}

func (d doctorOut) status(check string) string {
	for _, c := range d.Checks {
		if c.Check == check {
			return c.Status
		}
	}
	return "absent"
}

func runDoctorJSON(t *testing.T, env map[string]string, args ...string) (doctorOut, result) {
	t.Helper()
	r := quiltq(t, sandboxtest.Context(t), env, "", append([]string{"doctor", "--json"}, args...)...)
	var out doctorOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("doctor --json: %v in %q (stderr %s)", err, r.stdout, r.stderr)
	}
	return out, r
}

// The analyst's report is the seed report: identity, registry, workgroup,
// catalogs, a query and its results work; Glue through Athena and the
// Tabulator Lambda do not; one statement fixes both.
func TestDoctorAnalystStory(t *testing.T) {
	out, r := runDoctorJSON(t, nil, "--sandbox")
	if r.code != exitDenied {
		t.Errorf("exit %d, want %d (something refused)", r.code, exitDenied)
	}
	want := map[string]string{
		"identity": session.ProbeOK, "registry": session.ProbeOK, "workgroups": session.ProbeOK, "data catalogs": session.ProbeOK,
		"databases of AwsDataCatalog": session.ProbeRefused, "databases of quilt-sales-prod-tabulator": session.ProbeRefused,
		"query (SELECT 1)": session.ProbeOK, "results from S3 (fast path)": session.ProbeOK, "results from GetQueryResults": session.ProbeOK,
	}
	for check, status := range want {
		if got := out.status(check); got != status {
			t.Errorf("check %q: %s, want %s", check, got, status)
		}
	}
	for _, act := range []string{"glue:GetDatabases", "lambda:InvokeFunction"} {
		if !strings.Contains(strings.Join(out.Missing, " "), act) {
			t.Errorf("missing %v lacks %s", out.Missing, act)
		}
	}
	if out.Policies == nil || !strings.Contains(*out.Policies, "ReadWriteQuiltV2-sales-prod") {
		t.Errorf("policies %v: want the sandbox role's", out.Policies)
	}
	p, err := iam.Parse("fix", out.Fix)
	if err != nil {
		t.Fatalf("the statement does not parse: %v: %s", err, out.Fix)
	}
	if len(p.Statements) == 0 {
		t.Fatal("no statement")
	}
	text := quiltq(t, sandboxtest.Context(t), nil, "", "doctor", "--sandbox")
	for _, w := range []string{"CHECK", "refused", "statement that fixes every refusal above", `"lambda:InvokeFunction"`} {
		if !strings.Contains(text.stdout, w) {
			t.Errorf("the table lacks %q:\n%s", w, text.stdout)
		}
	}
}

// The doctor's statement, applied to the role, makes the refused checks
// pass on the next run.
func TestDoctorFixApplies(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	out, _ := runDoctorJSON(t, envFor(t, env, "analyst"))
	if out.Policies != nil {
		t.Errorf("policies %q: want null against a separate sandbox", *out.Policies)
	}
	if out.status("databases of AwsDataCatalog") != session.ProbeRefused {
		t.Fatalf("databases of AwsDataCatalog: %s, want refused", out.status("databases of AwsDataCatalog"))
	}
	fix, err := iam.Parse("doctor-fix", out.Fix)
	if err != nil {
		t.Fatalf("the statement: %v: %s", err, out.Fix)
	}
	az := env.Authorizer()
	az.SetPolicies(fixRole, append(az.Policies(fixRole), fix))
	out, r := runDoctorJSON(t, envFor(t, env, "analyst"))
	// One round: every check passes after the one statement, the probes
	// that could not see a database or table before included.
	for _, c := range out.Checks {
		if c.Status != session.ProbeOK {
			t.Errorf("after the fix, %q: %s (%s), want ok", c.Check, c.Status, c.Detail)
		}
	}
	if r.code != exitOK || len(out.Checks) < 10 {
		t.Errorf("after the fix: exit %d with %d checks, want 0 and every probe run", r.code, len(out.Checks))
	}
}

func TestDoctorAdminAllOK(t *testing.T) {
	out, r := runDoctorJSON(t, nil, "--sandbox", "--sandbox-user", "admin", "--table", "sales.events")
	if r.code != exitOK {
		t.Errorf("exit %d, want 0; checks %+v", r.code, out.Checks)
	}
	for _, c := range out.Checks {
		if c.Status != session.ProbeOK {
			t.Errorf("check %q: %s (%s), want ok", c.Check, c.Status, c.Detail)
		}
	}
	if out.status("table metadata of sales.events") != session.ProbeOK || string(out.Fix) != "null" {
		t.Errorf("table metadata: %s, fix %s; want ok and null", out.status("table metadata of sales.events"), out.Fix)
	}
}

func TestDoctorUsage(t *testing.T) {
	r := quiltq(t, context.Background(), nil, "", "doctor", "extra")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--table") {
		t.Errorf("an argument: exit %d, %q; want %d and how to name a table", r.code, r.stderr, exitUsage)
	}
	r = quiltq(t, context.Background(), nil, "", "doctor")
	if r.code != exitCredentials {
		t.Errorf("not logged in: exit %d, want %d", r.code, exitCredentials)
	}
}

// BenchmarkDoctorSandbox is the whole of `quiltq doctor --sandbox` for the
// analyst, the sandbox's start and stop included.
func BenchmarkDoctorSandbox(b *testing.B) {
	env := func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return b.TempDir()
		}
		return ""
	}
	for b.Loop() {
		var out bytes.Buffer
		code := run(context.Background(), []string{"doctor", "--sandbox", "--json"}, streams{In: strings.NewReader(""), Out: &out, Err: io.Discard, InTTY: true}, env)
		if code != exitDenied {
			b.Fatalf("exit %d, want %d", code, exitDenied)
		}
	}
}
