package main

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/ui/catalog"
	"github.com/quiltq/quiltq/ui/editor"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
	"github.com/quiltq/quiltq/ui/workbench"
)

const (
	icebergDB = "icebergdatabase-7c4m2x9q0hzt"
	userWG    = "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"
)

// otherBucketSQL reads another bucket's Iceberg table than the reader's.
const otherBucketSQL = `SELECT pkg_name, top_hash FROM "` + icebergDB + `"."nextflowtower_package_tag" WHERE tag_name = 'latest'`

// plainAWS points quiltq at env with user's credentials from the
// registry as plain AWS credentials (no Quilt login, so no grant check
// and no known policy: the query reaches Athena). The SDK reads them
// from the process environment.
func plainAWS(t *testing.T, env *sandboxtest.Env, user string) map[string]string {
	creds := env.Credentials(t, user)
	t.Setenv("AWS_ACCESS_KEY_ID", creds.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", creds.SessionToken)
	t.Setenv("AWS_REGION", env.Info.Region)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	return map[string]string{"AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_ENDPOINT_URL": env.Info.AWSEndpointURL}
}

// A managed user (the reader, whose Quilt role is granted
// quilt-sandbox-bucket) asks for another bucket's Iceberg package table.
// With a Quilt login the grant check refuses it before anything is sent;
// with the same credentials as plain AWS credentials Athena refuses it by
// the registry's session policy, in AWS's words, and quiltq, like `quiltq
// explain` on the pasted text, says that no identity statement helps and
// that the Quilt admin must grant the bucket to the role. Once the admin
// has, the same query runs.
func TestManagedUserIcebergRefusal(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	ctx := sandboxtest.Context(t)
	reader := envFor(t, env, "reader")
	reader["XDG_CACHE_HOME"] = t.TempDir()

	r := quiltq(t, ctx, reader, "", "-e", otherBucketSQL)
	if r.code != exitDenied || !strings.Contains(r.stderr, "Quilt role ReadOnlyQuilt") ||
		!strings.Contains(r.stderr, "the Iceberg package table belongs to bucket nextflowtower, which it does not grant") {
		t.Errorf("with a Quilt login: exit %d, stderr:\n%s\nwant the grant check's refusal", r.code, r.stderr)
	}

	r = quiltq(t, ctx, plainAWS(t, env, "reader"), "", "-w", userWG, "-e", otherBucketSQL)
	for _, want := range []string{
		"is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:table/" + icebergDB + "/nextflowtower_package_tag because no session policy allows the glue:GetTable action",
		"policy:    session (no statement allows it)",
		"who:       your Quilt admin: grant bucket nextflowtower to Quilt role ReadOnlyQuilt",
		"no identity-policy statement fixes this",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.code != exitDenied || strings.Contains(r.stderr, `"Statement"`) {
		t.Errorf("exit %d, want %d and no statement offered:\n%s", r.code, exitDenied, r.stderr)
	}

	// The refusal as Athena reports it, pasted into quiltq explain.
	reason := env.Failure(t, "reader", otherBucketSQL, userWG)
	r = quiltq(t, ctx, nil, reason, "explain", "--json")
	var x struct {
		Denied    bool     `json:"denied"`
		Actions   []string `json:"actions"`
		Policy    string   `json:"policy_type"`
		Explicit  *bool    `json:"explicit_deny"`
		Fix       any      `json:"fix"`
		WhoCanFix string   `json:"who_can_fix"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &x); err != nil {
		t.Fatalf("explain --json: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	if r.code != exitOK || !x.Denied || x.Policy != "session" || x.Explicit == nil || *x.Explicit || x.Fix != nil ||
		!slices.Equal(x.Actions, []string{"glue:GetTable"}) || !strings.HasPrefix(x.WhoCanFix, "your Quilt admin: grant bucket nextflowtower to Quilt role ReadOnlyQuilt") {
		t.Errorf("explain --json: exit %d, %+v", r.code, x)
	}

	// The Quilt admin grants the bucket: a new quiltq run (new
	// credentials, the role's buckets read anew) returns the rows.
	if err := env.GrantBucket("ReadOnlyQuilt", "nextflowtower"); err != nil {
		t.Fatal(err)
	}
	r = quiltq(t, ctx, reader, "", "-o", "csv", "-e", otherBucketSQL)
	if r.code != exitOK || strings.Count(r.stdout, "\n") != 4 {
		t.Errorf("after the grant: exit %d, stdout %q, stderr:\n%s; want the header and 3 rows", r.code, r.stdout, r.stderr)
	}
}

// icebergTables are the names of the Iceberg database's tables a listing
// shows.
func icebergTables(l engine.Listing) []string {
	var out []string
	for _, c := range l.Catalogs {
		for _, d := range c.Databases {
			if d.Name == icebergDB {
				for _, tb := range d.Tables {
					out = append(out, tb.Name)
				}
			}
		}
	}
	return out
}

// ls shows the Iceberg database with every bucket's tables to a user
// whose role has all buckets, and only its buckets' to a managed user;
// the workbench's tree and its completion, which are built from the
// same listing, show it too.
func TestIcebergDatabaseListed(t *testing.T) {
	r := quiltq(t, context.Background(), map[string]string{"XDG_CACHE_HOME": t.TempDir()}, "", "--sandbox", "--sandbox-user", "admin", "ls", "--json")
	if r.code != exitOK {
		t.Fatalf("admin ls: exit %d: %s", r.code, r.stderr)
	}
	l := decodeListing(t, r)
	want := []string{
		"nextflowtower_package_entry", "nextflowtower_package_manifest", "nextflowtower_package_revision", "nextflowtower_package_tag",
		"quilt-sandbox-bucket_package_entry", "quilt-sandbox-bucket_package_manifest", "quilt-sandbox-bucket_package_revision", "quilt-sandbox-bucket_package_tag",
	}
	if got := icebergTables(l); !slices.Equal(got, want) {
		t.Errorf("admin's Iceberg tables: %v, want %v", got, want)
	}
	if tb, ok := l.Find("AwsDataCatalog", icebergDB, "quilt-sandbox-bucket_package_entry"); !ok || len(tb.Columns) != 7 || tb.Columns[5].Name != "size" {
		t.Errorf("package_entry: %+v", tb)
	}

	r = quiltq(t, context.Background(), map[string]string{"XDG_CACHE_HOME": t.TempDir()}, "", "--sandbox", "--sandbox-user", "reader", "ls", "--json")
	if r.code != exitOK {
		t.Fatalf("reader ls: exit %d: %s", r.code, r.stderr)
	}
	reader := decodeListing(t, r)
	if got := icebergTables(reader); !slices.Equal(got, want[4:]) {
		t.Errorf("the managed reader's Iceberg tables: %v, want only its bucket's %v", got, want[4:])
	}

	// The workbench: its engine's listing feeds the tree and completion.
	env := sandboxtest.Start(t, sandbox.Options{})
	vars := envFor(t, env, "reader")
	vars["XDG_CACHE_HOME"], vars["XDG_CONFIG_HOME"] = t.TempDir(), t.TempDir()
	a := newApp(&globalFlags{fetch: "auto"}, streams{Out: io.Discard, Err: io.Discard}, func(k string) string { return vars[k] })
	t.Cleanup(a.close)
	ctx := sandboxtest.Context(t)
	sess, err := a.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, eng, err := workbench.Config(ctx, sess, a.getenv)
	if err != nil {
		t.Fatal(err)
	}
	wl, err := eng.Listing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	th := theme.New(theme.Options{NoColor: true})
	tree := catalog.New(keys.Default().Catalog, th)
	tree.SetSize(70, 30)
	tree.SetListing(wl, false, 0)
	tree.Focus()
	for _, k := range []tea.KeyPressMsg{{Code: '/', Text: "/"}} {
		tree, _ = tree.Update(k)
	}
	for _, ch := range "package_tag" {
		tree, _ = tree.Update(tea.KeyPressMsg{Code: ch, Text: string(ch)})
	}
	view := tree.View()
	if !strings.Contains(view, icebergDB) || !strings.Contains(view, "quilt-sandbox-bucket_package_tag") || strings.Contains(view, "nextflowtower_package_tag") {
		t.Errorf("the tree, filtered on package_tag, shows:\n%s\nwant the Iceberg database and the reader's bucket's table alone", view)
	}

	ed := editor.New(keys.Default().Editor, th)
	ed.SetSize(80, 10)
	ed.Focus()
	ed.SetIndex(editor.NewIndex(wl, "AwsDataCatalog", "default"))
	for _, ch := range "SELECT * FROM iceberg" {
		ed, _ = ed.Update(tea.KeyPressMsg{Code: ch, Text: string(ch)})
	}
	if got := ed.Popup(); !slices.Contains(got, `"`+icebergDB+`"`) {
		t.Errorf("completing iceberg offers %q, want the Iceberg database", got)
	}
	ed.SetIndex(editor.NewIndex(wl, "AwsDataCatalog", icebergDB))
	ed.SetValue("")
	for _, ch := range "SELECT * FROM quilt" {
		ed, _ = ed.Update(tea.KeyPressMsg{Code: ch, Text: string(ch)})
	}
	got := ed.Popup()
	if !slices.Contains(got, `"quilt-sandbox-bucket_package_tag"`) || slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "nextflowtower") }) {
		t.Errorf("completing quilt in the Iceberg database offers %q, want the reader's bucket's tables", got)
	}
}
