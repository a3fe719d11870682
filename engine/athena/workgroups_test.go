package athena

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

func TestWorkgroupsDefaultStack(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	userGroup := Workgroup{
		Name: userWG, Description: "Quilt user workgroup for non-managed roles",
		OutputLocation: resultsURL, Enforced: true, Encryption: "SSE_S3",
	}
	denied := "access denied (athena:GetWorkGroup)"
	tests := []struct {
		user    string
		kept    []string
		skipped map[string]string // name → reason
	}{
		{"analyst", []string{userWG}, map[string]string{
			"QuiltUserAthena-sales-prod-Legacy":  "disabled",
			"QuiltUserAthena-sales-prod-Scratch": "no query result location (OutputLocation) is set",
			"primary":                            denied,
			"sales-prod-audit":                   denied,
		}},
		{"reader", []string{userWG}, map[string]string{
			"QuiltUserAthena-sales-prod-Legacy":  "disabled",
			"QuiltUserAthena-sales-prod-Scratch": "no query result location (OutputLocation) is set",
			"primary":                            denied,
			"sales-prod-audit":                   denied,
		}},
		{"admin", []string{userWG, "primary", "sales-prod-audit"}, map[string]string{
			"QuiltUserAthena-sales-prod-Legacy":  "disabled",
			"QuiltUserAthena-sales-prod-Scratch": "no query result location (OutputLocation) is set",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			c, rec := client(t, env, tt.user, Options{})
			kept, skipped, err := c.Workgroups(sandboxtest.Context(t))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, wg := range kept {
				names = append(names, wg.Name)
				if wg.Name == userWG && wg != userGroup {
					t.Errorf("got %+v, want %+v", wg, userGroup)
				}
			}
			// The order is part of the contract: sorted by name.
			if strings.Join(names, ",") != strings.Join(tt.kept, ",") {
				t.Errorf("kept: got %v, want %v", names, tt.kept)
			}
			if len(skipped) != len(tt.skipped) {
				t.Errorf("skipped: got %+v, want %v", skipped, tt.skipped)
			}
			for i, s := range skipped {
				if i > 0 && skipped[i-1].Name > s.Name {
					t.Errorf("skipped is not sorted: %s before %s", skipped[i-1].Name, s.Name)
				}
				if want, ok := tt.skipped[s.Name]; !ok || s.Reason != want {
					t.Errorf("skipped %s: got reason %q, want %q", s.Name, s.Reason, want)
				}
				if s.Reason == denied && engine.KindOf(s.Err) != engine.Denied {
					t.Errorf("skipped %s: got error %v, want kind denied", s.Name, s.Err)
				}
			}
			// A refusal costs exactly one call; a disabled workgroup none,
			// as the listing says so.
			for name, reason := range tt.skipped {
				want := 1
				if reason == "disabled" {
					want = 0
				}
				if got := rec.workgroups[name]; got != want {
					t.Errorf("GetWorkGroup %s: %d calls, want %d", name, got, want)
				}
			}
			if rec.n("ListWorkGroups") != 1 || rec.n("ListWorkGroups with MaxResults != 50") != 0 {
				t.Errorf("ListWorkGroups calls: %v, want 1 with MaxResults 50", rec.calls)
			}
		})
	}
}

// A stack with 60 more workgroups: two pages of ListWorkGroups, and never
// more than 10 GetWorkGroup calls at once.
func TestWorkgroupsPagedAndBounded(t *testing.T) {
	st, err := stack.Default()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		st.Workgroups = append(st.Workgroups, stack.Workgroup{
			Name:           fmt.Sprintf("QuiltUserAthena-sales-prod-Team%02d", i),
			OutputLocation: resultsURL + fmt.Sprintf("team%02d/", i),
		})
	}
	env := sandboxtest.Start(t, sandbox.Options{Stack: st, Latency: 5 * time.Millisecond})
	c, rec := client(t, env, "analyst", Options{})
	kept, skipped, err := c.Workgroups(sandboxtest.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 61 || len(skipped) != 4 {
		t.Errorf("got %d kept and %d skipped, want 61 and 4", len(kept), len(skipped))
	}
	if got := rec.n("ListWorkGroups"); got != 2 {
		t.Errorf("ListWorkGroups: %d calls, want 2 pages of at most 50", got)
	}
	if rec.maxInflight > describeParallel || rec.maxInflight < 1 {
		t.Errorf("GetWorkGroup calls at once: got %d, want 1 to %d", rec.maxInflight, describeParallel)
	}
}

// analystPolicy is the analyst's Athena policy without athena:ListWorkGroups.
const analystPolicy = `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["athena:GetWorkGroup", "athena:StartQueryExecution", "athena:GetQueryExecution"],
   "Resource": "arn:aws:athena:us-east-1:123456789012:workgroup/QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"}]}`

func TestWorkgroupsListRefused(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	pol, err := iam.Parse("NoList", []byte(analystPolicy))
	if err != nil {
		t.Fatal(err)
	}
	env.Authorizer().SetPolicies("ReadWriteQuiltV2-sales-prod", []*iam.Policy{pol})
	c, rec := client(t, env, "analyst", Options{})
	ctx := sandboxtest.Context(t)
	_, _, err = c.Workgroups(ctx)
	if engine.KindOf(err) != engine.Denied || !strings.Contains(err.Error(), "athena:ListWorkGroups") || !strings.HasPrefix(err.Error(), "list workgroups: ") {
		t.Fatalf("got %v (%s), want a denied ListWorkGroups", err, engine.KindOf(err))
	}
	if rec.n("ListWorkGroups") != 1 {
		t.Errorf("a refusal was sent %d times, want once", rec.n("ListWorkGroups"))
	}
	// Named, the workgroup is still found: describing it is allowed. (Only
	// its exact name: matching case needs the listing.)
	wg, err := c.ChooseWorkgroup(ctx, userWG)
	if err != nil || wg.Name != userWG {
		t.Errorf("ChooseWorkgroup by name without the listing: got %+v, %v; want %s", wg, err, userWG)
	}
	_, err = c.ChooseWorkgroup(ctx, "primary")
	if engine.KindOf(err) != engine.Denied || !strings.Contains(err.Error(), "workgroup primary cannot be used: access denied") {
		t.Errorf("ChooseWorkgroup(primary): got %v, want denied", err)
	}
	_, err = c.ChooseWorkgroup(ctx, "")
	if engine.KindOf(err) != engine.Denied {
		t.Errorf("ChooseWorkgroup without a name: got %v, want the listing's refusal", err)
	}
}

func TestWorkgroupsThrottled(t *testing.T) {
	t.Run("always", func(t *testing.T) {
		env := sandboxtest.Start(t, sandbox.Options{Faults: sandbox.Faults{Throttle: 1}})
		sl := &sleepLog{}
		c, rec := client(t, env, "analyst", Options{Sleep: sl.Sleep})
		_, _, err := c.Workgroups(sandboxtest.Context(t))
		if engine.KindOf(err) != engine.Throttled {
			t.Fatalf("got %v, want kind throttled", err)
		}
		if got := rec.n("ListWorkGroups"); got != discoveryAttempts {
			t.Errorf("ListWorkGroups: %d attempts, want %d", got, discoveryAttempts)
		}
		waits := sl.all()
		if len(waits) != discoveryAttempts-1 {
			t.Fatalf("waits: got %v, want %d", waits, discoveryAttempts-1)
		}
		for n, d := range waits {
			lo := backoffBase << n
			if d < lo || d >= lo+lo/2 {
				t.Errorf("wait %d: got %v, want 200ms·2^%d plus under half again: [%v, %v)", n, d, n, lo, lo+lo/2)
			}
		}
	})
	t.Run("half the time", func(t *testing.T) {
		throttles := 0
		for seed := range uint64(5) {
			env := sandboxtest.Start(t, sandbox.Options{Faults: sandbox.Faults{Throttle: 0.5, Seed: seed}})
			sl := &sleepLog{}
			c, rec := client(t, env, "analyst", Options{Sleep: sl.Sleep})
			kept, skipped, err := c.Workgroups(sandboxtest.Context(t))
			lists := rec.n("ListWorkGroups")
			if lists > discoveryAttempts {
				t.Errorf("seed %d: ListWorkGroups sent %d times, want at most %d", seed, lists, discoveryAttempts)
			}
			if err != nil {
				if engine.KindOf(err) != engine.Throttled || lists != discoveryAttempts {
					t.Errorf("seed %d: got %v after %d lists, want only a throttled error after %d", seed, err, lists, discoveryAttempts)
				}
				throttles += lists
				continue
			}
			throttles += lists - 1
			for name, n := range rec.workgroups {
				if n < 1 || n > discoveryAttempts {
					t.Errorf("seed %d: GetWorkGroup %s sent %d times, want 1 to %d", seed, name, n, discoveryAttempts)
				}
			}
			found := len(kept) == 1 && kept[0].Name == userWG
			for _, s := range skipped {
				if s.Name == userWG {
					found = strings.HasPrefix(s.Reason, "throttled 3 times in a row") && rec.workgroups[userWG] == discoveryAttempts
				}
			}
			if !found {
				t.Errorf("seed %d: kept %+v, skipped %+v: want %s kept, or skipped as throttled after 3 attempts", seed, kept, skipped, userWG)
			}
			// Every retry slept first; a refusal is never retried.
			retries := rec.n("GetWorkGroup") + lists - len(rec.workgroups) - 1
			if len(sl.all()) != retries {
				t.Errorf("seed %d: %d waits for %d retries", seed, len(sl.all()), retries)
			}
			throttles += retries
		}
		if throttles == 0 {
			t.Errorf("no request was throttled in five runs: the test tested nothing")
		}
	})
}

func TestChooseWorkgroup(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	ctx := sandboxtest.Context(t)
	tests := []struct {
		user, name string
		want       string
		kind       engine.Kind
		text       []string
	}{
		{user: "analyst", want: userWG},
		{user: "admin", want: userWG}, // three usable: the first in sorted order (upper case sorts first)
		{user: "analyst", name: "quiltuserathena-sales-prod-nonmanagedroleworkgroup", want: userWG},
		{user: "admin", name: "PRIMARY", want: "primary"},
		{user: "analyst", name: "primary", kind: engine.Denied, text: []string{
			"workgroup primary cannot be used: access denied (athena:GetWorkGroup); usable: " + userWG}},
		{user: "analyst", name: "QuiltUserAthena-sales-prod-Scratch", kind: engine.Invalid, text: []string{
			"cannot be used: no query result location (OutputLocation) is set"}},
		{user: "analyst", name: "quiltuserathena-sales-prod-legacy", kind: engine.Invalid, text: []string{
			"workgroup QuiltUserAthena-sales-prod-Legacy cannot be used: disabled"}},
		{user: "analyst", name: "nope", kind: engine.NotFound, text: []string{`no workgroup "nope"`, "usable: " + userWG}},
	}
	for _, tt := range tests {
		t.Run(tt.user+"/"+tt.name, func(t *testing.T) {
			c, _ := client(t, env, tt.user, Options{})
			wg, err := c.ChooseWorkgroup(ctx, tt.name)
			if tt.want != "" {
				if err != nil || wg.Name != tt.want {
					t.Fatalf("got %q, %v; want %q", wg.Name, err, tt.want)
				}
				// Only an unnamed choice among several is a fallback.
				if fallback := tt.user == "admin" && tt.name == ""; (wg.Fallback != "") != fallback {
					t.Errorf("Fallback %q, want one: %v", wg.Fallback, fallback)
				}
				return
			}
			if engine.KindOf(err) != tt.kind {
				t.Fatalf("got %+v, %v (%s); want kind %s", wg, err, engine.KindOf(err), tt.kind)
			}
			for _, s := range tt.text {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

// Without Quilt's user workgroup, the analyst has nothing usable: the error
// lists every workgroup seen, why it was set aside, and the next step. The
// admin has two usable ones and takes the first in sorted order, as the
// Quilt catalog does, saying so; a configured one wins.
func TestChooseWorkgroupNoneOrSeveral(t *testing.T) {
	st, err := stack.Default()
	if err != nil {
		t.Fatal(err)
	}
	var wgs []stack.Workgroup
	for _, w := range st.Workgroups {
		if w.Name != userWG {
			wgs = append(wgs, w)
		}
	}
	st.Workgroups = wgs
	env := sandboxtest.Start(t, sandbox.Options{Stack: st})
	ctx := sandboxtest.Context(t)

	c, _ := client(t, env, "analyst", Options{})
	_, err = c.ChooseWorkgroup(ctx, "")
	if engine.KindOf(err) != engine.NotFound {
		t.Errorf("kind: got %s, want not found (two of four were not refusals)", engine.KindOf(err))
	}
	want := "choose workgroup: none of the 4 workgroups this role can see is usable:\n" +
		"  QuiltUserAthena-sales-prod-Legacy: disabled\n" +
		"  QuiltUserAthena-sales-prod-Scratch: no query result location (OutputLocation) is set\n" +
		"  primary: access denied (athena:GetWorkGroup)\n" +
		"  sales-prod-audit: access denied (athena:GetWorkGroup)\n" +
		"next step: ask your AWS administrator"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got\n%v\nwant it to start with\n%s", err, want)
	}

	admin, _ := client(t, env, "admin", Options{})
	wg, err := admin.ChooseWorkgroup(ctx, "")
	want = "2 workgroups are usable (primary, sales-prod-audit) and none is configured: primary is the first in sorted order, as the Quilt catalog chooses; name another with -w"
	if err != nil || wg.Name != "primary" || !strings.HasPrefix(wg.Fallback, want) {
		t.Errorf("admin: got %q (%q), %v; want primary and a fallback saying %q", wg.Name, wg.Fallback, err, want)
	}
	wg, err = admin.ChooseWorkgroup(ctx, "sales-prod-audit")
	if err != nil || wg.Name != "sales-prod-audit" || wg.Fallback != "" {
		t.Errorf("admin, configured: got %q (%q), %v; want sales-prod-audit, no fallback", wg.Name, wg.Fallback, err)
	}
}

func TestNoneUsableAllDenied(t *testing.T) {
	err := noneUsable("choose workgroup", []Skipped{
		{Name: "a", Reason: "access denied (athena:GetWorkGroup)", Err: &engine.Error{Kind: engine.Denied}},
	})
	if engine.KindOf(err) != engine.Denied {
		t.Errorf("every workgroup refused: got kind %s, want denied", engine.KindOf(err))
	}
	err = noneUsable("choose workgroup", nil)
	if engine.KindOf(err) != engine.NotFound || !strings.Contains(err.Error(), "no Athena workgroup is visible") {
		t.Errorf("no workgroups: got %v, want not found", err)
	}
}
