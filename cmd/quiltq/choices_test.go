package main

import (
	"context"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// In an account with a second Quilt stack ("alpha", whose Tabulator
// catalog and user workgroup sort first), quiltq makes the catalog's
// choices and says them: ls reads this stack's Tabulator catalog, told
// from config.json, and names the other; -e takes the first usable
// workgroup in sorted order when none is configured, saying so on
// stderr, and a configured one silently.
func TestChoicesInATwoStackAccount(t *testing.T) {
	st := sandboxtest.TwoStacks(t)
	env := sandboxtest.Start(t, sandbox.Options{Stack: st})
	ctx := context.Background()
	vars := envFor(t, env, "admin")
	vars["XDG_CACHE_HOME"] = t.TempDir()

	r := quiltq(t, ctx, vars, "", "ls", "--refresh")
	want := "quiltq ls: Tabulator catalog: quilt-sales-prod-tabulator of the 2 Tabulator catalogs (quilt-alpha-tabulator, quilt-sales-prod-tabulator) is this stack's " +
		"(stack sales-prod, told from the catalog's config.json analyticsBucket sales-prod-analyticsbucket-0o2h8f5nq4ve)"
	if r.code != exitOK || !strings.Contains(r.stderr, want) {
		t.Errorf("ls: exit %d, stderr:\n%s\nwant it to say %q", r.code, r.stderr, want)
	}
	if !strings.Contains(r.stdout, "sail") {
		t.Errorf("ls did not read this stack's Tabulator tables:\n%s", r.stdout)
	}

	r = quiltq(t, ctx, vars, "", "-o", "csv", "-e", "SELECT 1 AS one")
	want = "quiltq: workgroup QuiltUserAthena-alpha-NonManagedRoleWorkgroup: 4 workgroups are usable (QuiltUserAthena-alpha-NonManagedRoleWorkgroup, " +
		"QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup, primary, sales-prod-audit) and none is configured: QuiltUserAthena-alpha-NonManagedRoleWorkgroup is the first in sorted order"
	if r.code != exitOK || r.stdout != "\"one\"\n\"1\"\n" || !strings.Contains(r.stderr, want) {
		t.Errorf("-e without a workgroup: exit %d, stdout %q, stderr:\n%s\nwant the rows and %q", r.code, r.stdout, r.stderr, want)
	}
	r = quiltq(t, ctx, vars, "", "-o", "csv", "-w", "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup", "-e", "SELECT 1 AS one")
	if r.code != exitOK || strings.Contains(r.stderr, "workgroup") {
		t.Errorf("-e with -w: exit %d, stderr:\n%s\nwant nothing said of the workgroup", r.code, r.stderr)
	}
}
