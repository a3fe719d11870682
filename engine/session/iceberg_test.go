package session_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/session"
)

const (
	icebergDB = "icebergdatabase-7c4m2x9q0hzt"
	userWG    = "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"
	// otherBucketSQL reads the Iceberg table of a bucket the reader's
	// managed role is not granted.
	otherBucketSQL = `SELECT pkg_name, top_hash FROM "` + icebergDB + `"."nextflowtower_package_tag" WHERE tag_name = 'latest'`
)

// warnings collects what a session says through Options.Warn.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) add(s string) { w.mu.Lock(); defer w.mu.Unlock(); w.list = append(w.list, s) }
func (w *warnings) all() string  { w.mu.Lock(); defer w.mu.Unlock(); return strings.Join(w.list, "\n") }

// openWith opens a session on env as user through the environment's
// login (QUILTQ_TOKEN, as a script gives it: unlike a login handed in,
// its workgroup choice is kept in the cache), with the environment vars
// (the XDG dirs) and, unless "", the workgroup set as -w sets it, its
// warnings collected in w.
func openWith(t *testing.T, env *sandboxtest.Env, user string, vars map[string]string, workgroup string, w *warnings) *session.Session {
	t.Helper()
	all := map[string]string{"QUILTQ_CATALOG_URL": env.Info.CatalogURL, "QUILTQ_TOKEN": env.User(t, user).RefreshToken, "AWS_ENDPOINT_URL": env.Info.AWSEndpointURL}
	for k, v := range vars {
		all[k] = v
	}
	getenv := func(k string) string { return all[k] }
	st, err := config.Load(getenv, "")
	if err != nil {
		t.Fatal(err)
	}
	if workgroup != "" {
		if err := st.Set("workgroup", workgroup, "-w"); err != nil {
			t.Fatal(err)
		}
	}
	s, err := session.Open(context.Background(), session.Options{Settings: st, Getenv: getenv, Warn: w.add})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

// A managed user's query of another bucket's Iceberg table: the session's
// check refuses it by the Quilt role before any AWS call, and its fix is
// the Quilt admin's; Athena's own refusal of it (the registry's session
// policy) is explained with no identity statement and the admin's grant;
// once the admin grants the bucket, a new session runs it.
func TestManagedUserIcebergTableThroughTheSession(t *testing.T) {
	env, log := loggedSandbox(t)
	ctx := context.Background()
	s := open(t, env, "reader")
	stmt := session.Statement{SQL: otherBucketSQL, Workgroup: userWG}
	_, err := s.Check(ctx, stmt)
	var g *grants.Refusal
	if !errors.As(err, &g) || g.ByIAM() || !strings.Contains(err.Error(), "the Iceberg package table belongs to bucket nextflowtower") {
		t.Fatalf("check: %v, want the Quilt role's refusal of bucket nextflowtower", err)
	}
	if ops := log.ops(); len(ops) != 0 {
		t.Errorf("the Quilt role's refusal made AWS calls: %v", ops)
	}
	fix, notes, err := s.QueryFix(ctx, stmt, err)
	if fix != "" || err != nil || len(notes) == 0 || !strings.Contains(notes[0], "Quilt admin") {
		t.Errorf("query fix: %q %q %v, want no statement and the Quilt admin", fix, notes, err)
	}

	// Athena's refusal, with the reader's own credentials.
	reason := env.Failure(t, "reader", otherBucketSQL, userWG)
	if !strings.Contains(reason, "because no session policy allows the glue:GetTable action") {
		t.Fatalf("Athena's refusal: %q, want the session policy's words", reason)
	}
	x := s.Explain(ctx, athena.Execution{SQL: otherBucketSQL, Workgroup: userWG},
		&engine.Error{Op: "query", Kind: engine.Denied, Err: errors.New(reason)})
	if !x.NoStatement || x.Whole != nil || x.TextFix != nil ||
		!strings.HasPrefix(x.Remedy.Who, "your Quilt admin: grant bucket nextflowtower to Quilt role ReadOnlyQuilt") {
		t.Errorf("explanation: no statement %v, whole %v, text fix %v, who %q", x.NoStatement, x.Whole, x.TextFix, x.Remedy.Who)
	}

	if err := env.GrantBucket("ReadOnlyQuilt", "nextflowtower"); err != nil {
		t.Fatal(err)
	}
	s = open(t, env, "reader")
	if _, err := s.Check(ctx, stmt); err != nil {
		t.Fatalf("after the grant, the check: %v", err)
	}
	if n := rowCount(t, s, stmt, "after the grant"); n != 3 {
		t.Errorf("after the grant: %d rows, want 3", n)
	}
}

// rowCount runs stmt on s and counts the rows of its result; when is what
// a failure is said to come after.
func rowCount(t *testing.T, s *session.Session, stmt session.Statement, when string) int {
	t.Helper()
	ctx := context.Background()
	x, err := s.Run(ctx, stmt, nil)
	if err != nil {
		t.Fatalf("%s, AWS refuses the run: %v", when, err)
	}
	rows, err := s.Results(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for {
		if _, err := rows.Next(); err != nil {
			return n
		}
		n++
	}
}

// In an account with a second Quilt stack ("alpha", whose Tabulator
// catalog and workgroup sort first), the session makes the Quilt
// catalog's choices: its listing reads this stack's Tabulator catalog
// and says why; with no workgroup configured it takes the first usable
// in sorted order and warns, again when the choice comes from the cache;
// a configured workgroup is taken without a word.
func TestCatalogChoicesInATwoStackAccount(t *testing.T) {
	st := sandboxtest.TwoStacks(t)
	env := sandboxtest.Start(t, sandbox.Options{Stack: st})
	ctx := context.Background()
	vars := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir()}

	var w warnings
	s := openWith(t, env, "admin", vars, "", &w)
	listed, err := s.List(ctx, session.ListOptions{Refresh: true})
	if err != nil {
		t.Fatal(err)
	}
	l := listed.Listing
	if l.TabulatorCatalog != "quilt-sales-prod-tabulator" || !strings.Contains(l.TabulatorChoice, "is this stack's (stack sales-prod") ||
		!strings.Contains(l.TabulatorChoice, "quilt-alpha-tabulator") {
		t.Errorf("Tabulator catalog %q, why %q; want this stack's, naming the other", l.TabulatorCatalog, l.TabulatorChoice)
	}
	if n := l.Narrow("quilt-sales-prod-tabulator", ""); n.TabulatorChoice != l.TabulatorChoice {
		t.Errorf("Narrow dropped the choice: %q", n.TabulatorChoice)
	}
	if _, ok := l.Find("quilt-sales-prod-tabulator", "nextflowtower", "sail"); !ok {
		t.Errorf("this stack's Tabulator table sail is not listed")
	}

	wantWarn := "workgroup QuiltUserAthena-alpha-NonManagedRoleWorkgroup: 4 workgroups are usable"
	wg, err := s.Workgroup(ctx)
	if err != nil || wg.Name != "QuiltUserAthena-alpha-NonManagedRoleWorkgroup" || !strings.Contains(w.all(), wantWarn) {
		t.Fatalf("workgroup %q (%v), warnings %q; want the first in sorted order, said", wg.Name, err, w.all())
	}
	// The next session takes the choice from the cache and says it again.
	var again warnings
	s = openWith(t, env, "admin", vars, "", &again)
	if wg, err := s.Workgroup(ctx); err != nil || wg.Name != "QuiltUserAthena-alpha-NonManagedRoleWorkgroup" || !strings.Contains(again.all(), wantWarn) {
		t.Errorf("cached workgroup %q (%v), warnings %q; want the same choice, said again", wg.Name, err, again.all())
	}

	// The doctor says both choices in its probes' details.
	rep, err := openWith(t, env, "admin", map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir()}, "", &warnings{}).Doctor(ctx, session.DoctorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	details := map[string]string{}
	for _, p := range rep.Checks {
		details[p.Check] = p.Detail
	}
	if !strings.Contains(details["workgroups"], "none is configured: QuiltUserAthena-alpha-NonManagedRoleWorkgroup is the first in sorted order") ||
		!strings.Contains(details["data catalogs"], "Tabulator catalog: quilt-sales-prod-tabulator of the 2 Tabulator catalogs") {
		t.Errorf("doctor: workgroups %q, data catalogs %q; want both choices said", details["workgroups"], details["data catalogs"])
	}

	var quiet warnings
	s = openWith(t, env, "admin", map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir()}, userWG, &quiet)
	if wg, err := s.Workgroup(ctx); err != nil || wg.Name != userWG || quiet.all() != "" {
		t.Errorf("configured workgroup: %q (%v), warnings %q; want %s and nothing said", wg.Name, err, quiet.all(), userWG)
	}
}

// An unmanaged role without Quilt's Iceberg statements: the session's
// check refuses an Iceberg package table's query before sending it, with
// the statement that fixes it; once the statements quiltq prints are on
// the role, the same query runs and returns the table's rows. While the
// role may not read the table's metadata its location is unknown (the
// Iceberg bucket is no output a client can read), so the first statement
// grants the Glue pairs, with no partition actions, and a note says the S3
// pairs on the table's files are not listed; the next check, the location
// now read, names exactly those, scoped to the table's own files.
func TestIcebergTableFixedByThePrintedStatements(t *testing.T) {
	st, err := stack.Default()
	if err != nil {
		t.Fatal(err)
	}
	analyst := -1
	for i, r := range st.Roles {
		if r.Name == "ReadWriteQuiltV2-sales-prod" {
			analyst = i
		}
	}
	if analyst < 0 {
		t.Fatal("the default stack has no ReadWriteQuiltV2-sales-prod role")
	}
	r := &st.Roles[analyst]
	kept := r.Policies[:0]
	for _, p := range r.Policies {
		if p.Name != "QuiltIcebergTables" {
			kept = append(kept, p)
		}
	}
	if len(kept) == len(r.Policies) {
		t.Fatal("the analyst's role has no QuiltIcebergTables policy to take away")
	}
	r.Policies = kept
	env := sandboxtest.Start(t, sandbox.Options{Stack: st})
	ctx := context.Background()
	s := open(t, env, "analyst")
	const table = "nextflowtower_package_tag"
	stmt := session.Statement{SQL: `SELECT pkg_name, top_hash FROM "` + icebergDB + `"."` + table + `" WHERE tag_name = 'latest'`, Workgroup: userWG}

	refusal := func(round int) *session.Refusal {
		_, err := s.Check(ctx, stmt)
		var ref *session.Refusal
		if !errors.As(err, &ref) || ref.Fix.Policy == nil {
			t.Fatalf("round %d: check: %v, want a refusal with the statement that fixes it", round, err)
		}
		if fix := ref.Fix.Policy.JSON(); strings.Contains(fix, "Partition") {
			t.Errorf("round %d: the fix asks for Glue partition actions, which an Iceberg table does not need:\n%s", round, fix)
		}
		return ref
	}
	first := refusal(1)
	fix := first.Fix.Policy.JSON()
	if !strings.Contains(fix, "table/"+icebergDB+"/"+table) || !strings.Contains(strings.Join(first.Needs.Notes, "\n"), "the S3 permissions on its data are not listed") {
		t.Errorf("first fix:\n%s\nnotes %q; want the table's Glue pairs and a note that its files' S3 pairs are not listed", fix, first.Needs.Notes)
	}
	if _, err := s.ApplyFix(ctx, fix); err != nil {
		t.Fatal(err)
	}
	second := refusal(2)
	var actions []string
	for _, g := range second.Gaps {
		actions = append(actions, g.Action+" "+g.Resource)
		if !strings.HasPrefix(g.Action, "s3:") || !strings.Contains(g.Resource, "sales-prod-icebergbucket-2w8d5n1k7r3f") {
			t.Errorf("second round: missing %s on %s, want only S3 pairs on the Iceberg bucket", g.Action, g.Resource)
		}
	}
	if fix := second.Fix.Policy.JSON(); !strings.Contains(fix, "arn:aws:s3:::sales-prod-icebergbucket-2w8d5n1k7r3f/"+table+"/") {
		t.Errorf("second fix:\n%s\nwant the table's own files", fix)
	}
	if _, err := s.ApplyFix(ctx, second.Fix.Policy.JSON()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx, stmt); err != nil {
		t.Fatalf("after the fixes (%v), the check: %v", actions, err)
	}
	if n := rowCount(t, s, stmt, "after the fixes"); n != 3 {
		t.Errorf("after the fixes: %d rows, want nextflowtower's 3 packages", n)
	}
}
