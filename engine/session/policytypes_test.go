package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/session"
)

// These tests give the session every policy the sandbox enforces (its
// administrator's view: Server.Known), as `quiltq --sandbox` does, and
// check that the check before sending refuses what a bucket policy, an SCP
// or a session policy would refuse, before anything reaches Athena, saying
// which policy type stands in the way and who must act, and never offering
// an identity statement for it.

const (
	managedRole = "ReadQuiltV2-sales-prod-managed"
	boundedRole = "BoundedAdmin-sales-prod"
)

// policyTypesStack is the default stack with: a bucket policy on
// quilt-sandbox-bucket denying everyone the customers table's objects; an
// SCP at the account's OU denying glue:GetPartitions on the events table;
// a managed role (the admin's identity policy) whose credentials carry a
// session policy that leaves out the results bucket; and a role with the
// admin's identity policy under a permissions boundary that allows no Glue
// action.
func policyTypesStack(t *testing.T) *stack.Stack {
	t.Helper()
	st, err := stack.Default()
	if err != nil {
		t.Fatal(err)
	}
	var admin stack.Role
	for _, r := range st.Roles {
		if r.Name == "QuiltAdmin-sales-prod" {
			admin = r
		}
	}
	st.Roles = append(st.Roles, stack.Role{
		Name: managedRole, Buckets: []string{"quilt-sandbox-bucket"}, Policies: admin.Policies,
		SessionPolicies: []stack.Policy{{Name: "quilt-managed-buckets", Document: stack.Document(`{"Version": "2012-10-17", "Statement": [
			{"Effect": "Allow", "Action": ["athena:*", "glue:*", "lambda:InvokeFunction", "sts:GetCallerIdentity"], "Resource": "*"},
			{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::quilt-sandbox-bucket", "arn:aws:s3:::quilt-sandbox-bucket/*"]}]}`)}},
	})
	st.Roles = append(st.Roles, stack.Role{
		Name: boundedRole, Buckets: []string{"quilt-sandbox-bucket"}, Policies: admin.Policies,
		PermissionsBoundary: &stack.Policy{Name: "NoGlueBoundary", Document: stack.Document(`{"Version": "2012-10-17", "Statement": [
			{"Effect": "Allow", "Action": ["athena:*", "s3:*", "lambda:*", "sts:*"], "Resource": "*"}]}`)},
	})
	st.Users = append(st.Users,
		stack.User{Name: "managed", Email: "managed@example.com", Role: managedRole, Roles: []string{managedRole}},
		stack.User{Name: "bounded", Email: "bounded@example.com", Role: boundedRole, Roles: []string{boundedRole}})
	for i := range st.Buckets {
		if st.Buckets[i].Name == "quilt-sandbox-bucket" {
			st.Buckets[i].Policy = stack.Document(`{"Version": "2012-10-17", "Statement": [
				{"Sid": "NoCustomerData", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
				 "Resource": "arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/customers/*"}]}`)
		}
	}
	full := stack.Policy{Name: "FullAWSAccess", Document: stack.Document(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`)}
	st.SCPs = []stack.SCPLevel{
		{Level: "root", Policies: []stack.Policy{full}},
		{Level: "ou-data", Policies: []stack.Policy{full, {Name: "NoEventPartitions", Document: stack.Document(`{"Version": "2012-10-17", "Statement": [
			{"Sid": "NoEventPartitions", "Effect": "Deny", "Action": "glue:GetPartitions", "Resource": "arn:aws:glue:us-east-1:123456789012:table/sales/events"}]}`)}}},
		{Level: "account", Policies: []stack.Policy{full}},
	}
	if err := st.Validate(); err != nil {
		t.Fatal(err)
	}
	return st
}

// openKnown opens a session as user with every policy the sandbox knows
// of the user's role.
func openKnown(t *testing.T, env *sandboxtest.Env, user string) *session.Session {
	t.Helper()
	return openAs(t, env, user, func(role string) *session.Policies {
		return session.PoliciesOf(env.Known(role), role, "the sandbox's role "+role)
	})
}

func TestCheckRefusesWhatOtherPolicyTypesRefuse(t *testing.T) {
	log := &requestLog{}
	env := sandboxtest.Start(t, sandbox.Options{Stack: policyTypesStack(t), Log: slog.New(slog.NewTextHandler(log, nil))})
	tests := []struct {
		name, user, sql string
		// the refused pair, the policy type that stands in its way, and
		// who must act (a substring).
		action, resource string
		blocker          iam.PolicyType
		who              string
	}{
		{"bucket policy", "admin", "SELECT * FROM sales.customers",
			"s3:GetObject", "arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/customers/*", iam.PolicyResource, "the owner of bucket quilt-sandbox-bucket (its bucket policy)"},
		{"SCP", "admin", "SELECT count(*) FROM sales.events",
			"glue:GetPartitions", "arn:aws:glue:us-east-1:123456789012:table/sales/events", iam.PolicySCP, "your AWS Organizations administrator (an SCP 1 level(s) below the organization's root)"},
		{"session policy", "managed", "SELECT count(*) FROM sales.orders",
			"s3:PutObject", "arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/*", iam.PolicySession, "the Quilt stack's administrator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openKnown(t, env, tt.user)
			ctx := context.Background()
			before := len(log.ops())
			_, err := s.Check(ctx, session.Statement{SQL: tt.sql})
			var r *session.Refusal
			if !errors.As(err, &r) || engine.KindOf(err) != engine.Denied {
				t.Fatalf("check: got %v, want a refusal of the role's policies", err)
			}
			if ops := log.ops()[before:]; slices.Contains(ops, "StartQueryExecution") {
				t.Errorf("the check sent the query: %v", ops)
			}
			var found *iam.Gap
			for i, g := range r.Gaps {
				if g.Action == tt.action && g.Resource == tt.resource {
					found = &r.Gaps[i]
				}
			}
			if found == nil {
				t.Fatalf("gaps %+v: want %s on %s", r.Gaps, tt.action, tt.resource)
			}
			if found.Blocker != tt.blocker {
				t.Errorf("blocker of %s: got %q, want %q (denied_by %q)", tt.action, found.Blocker, tt.blocker, found.DeniedBy)
			}
			if pair := session.PairOf(*found); pair.DeniedBy != string(found.DeniedBy) || pair.BlockedBy != string(tt.blocker) || !strings.Contains(pair.WhoMustAct, strings.SplitN(tt.who, " (", 2)[0]) {
				t.Errorf("pair: got denied_by %q blocked_by %q who %q, want %q, %q and %q", pair.DeniedBy, pair.BlockedBy, pair.WhoMustAct, found.DeniedBy, tt.blocker, tt.who)
			}
			var who []string
			for _, b := range r.Blocks() {
				who = append(who, b.Remedy.Who)
			}
			if !slices.ContainsFunc(who, func(w string) bool { return strings.Contains(w, tt.who) }) {
				t.Errorf("who must act: got %q, want one containing %q", who, tt.who)
			}
			// The admin lacks nothing else: no statement is offered.
			if r.Fix.Policy != nil {
				t.Errorf("fix: got %s, want no identity statement for what %s refuses", r.Fix.Policy.JSON(), tt.blocker)
			}
			for _, w := range []string{"by " + session.RefusedBy(tt.blocker, found.Result.Decision == iam.ExplicitlyDenied), tt.who} {
				if !strings.Contains(r.Error(), w) {
					t.Errorf("refusal text %q: want %q", r.Error(), w)
				}
			}
			if next := r.Next(); !strings.Contains(next, "no statement on the role fixes this") || !strings.Contains(next, tt.who) {
				t.Errorf("next: got %q", next)
			}

			t.Logf("refusal:\n%s\nnext: %s", r.Error(), r.Next())
			// The sandbox refuses the same query when sent, and the
			// explanation of its refusal offers no identity statement.
			x, err := s.Run(ctx, session.Statement{SQL: tt.sql}, nil)
			if err == nil {
				t.Fatalf("the sandbox ran %q: the check refused what AWS would allow", tt.sql)
			}
			e := s.Explain(ctx, x, err)
			t.Logf("sent: %v\nexplained: who %q no-statement %v", err, e.Remedy.Who, e.NoStatement)
			if !e.NoStatement && (e.Whole == nil || e.Whole.Fix.Policy != nil) {
				t.Errorf("explanation of %v offers a statement: %+v", err, e.Whole)
			}
			// Who must act: from the refusal's text when it names the
			// policy type, else from the known policies' gaps.
			who = []string{e.Remedy.Who}
			if e.Whole != nil {
				for _, b := range session.Blocks(e.Whole.Gaps, s.RoleName()) {
					who = append(who, b.Remedy.Who)
				}
			}
			short := strings.SplitN(tt.who, " (", 2)[0]
			if !slices.ContainsFunc(who, func(w string) bool { return strings.Contains(w, short) }) {
				t.Errorf("explanation's who must act: got %q, want one containing %q", who, short)
			}
		})
	}
}

// The doctor says which policy type stands in the way of each refused
// probe, names who must act on it, and offers no statement for it.
func TestDoctorNamesThePolicyTypeInTheWay(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Stack: policyTypesStack(t)})
	s := openKnown(t, env, "bounded")
	rep, err := s.Doctor(context.Background(), session.DoctorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := json.MarshalIndent(rep, "", " "); err == nil {
		t.Logf("%s", b)
	}
	var refused []session.Probe
	for _, c := range rep.Checks {
		if c.Status == session.ProbeRefused {
			refused = append(refused, c)
		}
	}
	if len(refused) == 0 {
		t.Fatalf("no probe refused: %+v", rep.Checks)
	}
	for _, c := range refused {
		if c.DeniedBy != string(iam.PolicyBoundary) {
			t.Errorf("probe %q: denied_by %q, want boundary (%s)", c.Check, c.DeniedBy, c.Detail)
		}
	}
	if rep.WhoCanFix == nil || !strings.Contains(*rep.WhoCanFix, "the administrator of role "+boundedRole+", who sets its permissions boundary") {
		t.Errorf("who can fix: got %v, want the role's administrator and its boundary", rep.WhoCanFix)
	}
	if rep.Fix != nil && strings.Contains(rep.Fix.JSON(), "glue:") {
		t.Errorf("fix offers Glue statements the boundary refuses: %s", rep.Fix.JSON())
	}
	if len(rep.Blocked) == 0 {
		t.Error("blocked: got none, want the Glue pairs the boundary refuses")
	}
	for _, p := range rep.Blocked {
		if p.WhoMustAct == "" || p.DeniedBy == "" {
			t.Errorf("blocked pair %+v: want denied_by and who_must_act", p)
		}
	}
}
