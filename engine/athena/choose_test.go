package athena

import (
	"slices"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

func TestChooseTabulatorCatalog(t *testing.T) {
	two := []string{"AwsDataCatalog", "quilt-zz-tabulator", "lakehouse", "quilt-aa-tabulator"}
	tests := []struct {
		name              string
		confirmed         []string
		ours, from        string
		want              string
		why               []string // Why says each of these; none means Why is ""
		wantCandidatesLen int
	}{
		{name: "none", confirmed: []string{"AwsDataCatalog", "lakehouse"}},
		{name: "one", confirmed: []string{"AwsDataCatalog", "quilt-x-tabulator"}, want: "quilt-x-tabulator", wantCandidatesLen: 1},
		{name: "one, ours elsewhere", confirmed: []string{"quilt-x-tabulator"}, ours: "quilt-y-tabulator", want: "quilt-x-tabulator", wantCandidatesLen: 1},
		{name: "two, ours unknown: the first sorted, as the catalog", confirmed: two, want: "quilt-aa-tabulator", wantCandidatesLen: 2,
			why: []string{"quilt-aa-tabulator is the first of the 2 Tabulator catalogs (quilt-aa-tabulator, quilt-zz-tabulator) in sorted order, as the Quilt catalog chooses", "cannot be told"}},
		{name: "two, ours known", confirmed: two, ours: "QUILT-ZZ-TABULATOR", from: "stack zz", want: "quilt-zz-tabulator", wantCandidatesLen: 2,
			why: []string{"quilt-zz-tabulator of the 2 Tabulator catalogs (quilt-aa-tabulator, quilt-zz-tabulator) is this stack's (stack zz)"}},
		{name: "two, ours not confirmed", confirmed: two, ours: "quilt-mm-tabulator", want: "quilt-aa-tabulator", wantCandidatesLen: 2,
			why: []string{"first of the 2", "this stack's, quilt-mm-tabulator, is not among them"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ChooseTabulatorCatalog(tt.confirmed, tt.ours, tt.from)
			if c.Name != tt.want || len(c.Candidates) != tt.wantCandidatesLen {
				t.Errorf("got %q of %v, want %q of %d", c.Name, c.Candidates, tt.want, tt.wantCandidatesLen)
			}
			if len(tt.why) == 0 && c.Why != "" {
				t.Errorf("Why %q, want none", c.Why)
			}
			for _, w := range tt.why {
				if !strings.Contains(c.Why, w) {
					t.Errorf("Why %q does not say %q", c.Why, w)
				}
			}
		})
	}
}

func TestStackOfWorkgroup(t *testing.T) {
	for name, want := range map[string]string{
		"QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup": "sales-prod",
		"QuiltUserAthena-sales-prod-Scratch":                 "",
		"primary":                                            "",
	} {
		if got := StackOfWorkgroup(name); got != want {
			t.Errorf("StackOfWorkgroup(%q) = %q, want %q", name, got, want)
		}
	}
}

// twoStacks is the default stack in an account that holds a second Quilt
// stack, "alpha": its Tabulator catalog, whose name sorts before
// sales-prod's, and its user workgroup, which does too.
func twoStacks(t *testing.T) *stack.Stack {
	t.Helper()
	st, err := stack.Default()
	if err != nil {
		t.Fatal(err)
	}
	st.DataCatalogs = append(st.DataCatalogs, stack.DataCatalog{Name: "quilt-alpha-tabulator", Type: "LAMBDA",
		Description: "Quilt Tabulator tables of stack alpha",
		Parameters:  map[string]string{"function": "arn:aws:lambda:us-east-1:123456789012:function:quilt-alpha-tabulator"}})
	st.Workgroups = append(st.Workgroups, stack.Workgroup{Name: "QuiltUserAthena-alpha-NonManagedRoleWorkgroup", State: "ENABLED",
		OutputLocation: "s3://alpha-userathenaresultsbucket-0000/athena-results/"})
	return st
}

// TestCatalogChoicesTwoStacks: in an account with two Quilt stacks the
// choices are the Quilt catalog's (the first confirmed Tabulator catalog
// in sorted order, the first usable workgroup in sorted order), except
// that this stack's Tabulator catalog is taken when it can be told, and
// every choice among several says what it chose and why.
func TestCatalogChoicesTwoStacks(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Stack: twoStacks(t)})
	ctx := sandboxtest.Context(t)
	admin, _ := client(t, env, "admin", Options{})

	// This stack told by config.json's analyticsBucket: its catalog, and
	// its Tabulator tables read from the registry.
	l, err := admin.Browse(ctx, BrowseOptions{TabulatorCatalog: tabCatalog, TabulatorCatalogFrom: "stack sales-prod, told from config.json",
		Tabulator: tabulatorFor(t, env, "admin")})
	if err != nil {
		t.Fatal(err)
	}
	if l.TabulatorCatalog != tabCatalog || !strings.Contains(l.TabulatorChoice, "quilt-sales-prod-tabulator of the 2 Tabulator catalogs (quilt-alpha-tabulator, quilt-sales-prod-tabulator) is this stack's (stack sales-prod, told from config.json)") {
		t.Errorf("chose %q: %q; want this stack's, saying so", l.TabulatorCatalog, l.TabulatorChoice)
	}
	wantLines(t, tree(l), tabCatalog+"/nextflowtower/sail(tabulator)", "quilt-alpha-tabulator LAMBDA")
	if !slices.Contains(errorsOf(l), "quilt-alpha-tabulator athena:ListDatabases") {
		t.Errorf("errors %v: want alpha's catalog's databases reported as not listed", errorsOf(l))
	}

	// Plain AWS credentials: which stack is ours cannot be told, so the
	// first in sorted order, as the catalog, and said.
	l, err = admin.Browse(ctx, BrowseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.TabulatorCatalog != "quilt-alpha-tabulator" || !strings.Contains(l.TabulatorChoice, "first of the 2 Tabulator catalogs") || !strings.Contains(l.TabulatorChoice, "cannot be told") {
		t.Errorf("chose %q: %q; want quilt-alpha-tabulator, the first sorted, saying this stack's cannot be told", l.TabulatorCatalog, l.TabulatorChoice)
	}

	// The analyst may not GetDataCatalog alpha's: only sales-prod's is
	// confirmed, so it is the one, with nothing to say.
	analyst, _ := client(t, env, "analyst", Options{})
	l, err = analyst.Browse(ctx, BrowseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.TabulatorCatalog != tabCatalog || l.TabulatorChoice != "" {
		t.Errorf("analyst: chose %q (%q); want %s, the only confirmed one", l.TabulatorCatalog, l.TabulatorChoice, tabCatalog)
	}

	// Workgroups: both stacks' user workgroups are usable for the admin;
	// alpha's sorts first and is taken, saying so; a configured one wins.
	wg, err := admin.ChooseWorkgroup(ctx, "")
	if err != nil || wg.Name != "QuiltUserAthena-alpha-NonManagedRoleWorkgroup" ||
		!strings.Contains(wg.Fallback, "4 workgroups are usable (QuiltUserAthena-alpha-NonManagedRoleWorkgroup, QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup, primary, sales-prod-audit)") {
		t.Errorf("admin's workgroup: %q (%q), %v", wg.Name, wg.Fallback, err)
	}
	if wg, err := admin.ChooseWorkgroup(ctx, userWG); err != nil || wg.Name != userWG || wg.Fallback != "" {
		t.Errorf("configured workgroup: %q (%q), %v; want %s", wg.Name, wg.Fallback, err, userWG)
	}
	// The analyst may use only sales-prod's: no fallback to speak of.
	if wg, err := analyst.ChooseWorkgroup(ctx, ""); err != nil || wg.Name != userWG || wg.Fallback != "" {
		t.Errorf("analyst's workgroup: %q (%q), %v; want %s alone", wg.Name, wg.Fallback, err, userWG)
	}
}
