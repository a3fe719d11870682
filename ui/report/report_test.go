package report

import (
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/session"
)

func TestFix(t *testing.T) {
	reqs := []iam.Requirement{
		{Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:1:table/sales/orders", Via: iam.ViaAthena, Purpose: iam.PurposeMetadata, Why: "read of sales.orders"},
		{Action: "s3:ListBucket", Resource: "arn:aws:s3:::data", Via: iam.ViaAthena, Purpose: iam.PurposeData, Why: "the data of sales.orders"},
	}
	gaps := []iam.Gap{{Requirement: reqs[0]}, {Requirement: reqs[1]}}
	var b strings.Builder
	Fix(&b, "role R", reqs, []string{"a note"}, gaps)
	out := b.String()
	for _, want := range []string{
		"  missing:   glue:GetTable, s3:ListBucket\n",
		"glue:GetTable  arn:aws:glue:us-east-1:1:table/sales/orders  (read of sales.orders, through Athena)",
		"  note:      a note\n",
		"statement that fixes the whole query (add it to role R's identity policies):",
		`"s3:ListBucket"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Fix output lacks %q:\n%s", want, out)
		}
	}
}

// Fix lists what no identity statement fixes apart, by who must act, and
// leaves it out of the statement.
func TestFixBlocked(t *testing.T) {
	fixable := iam.Requirement{Action: "athena:GetWorkGroup", Resource: "arn:aws:athena:us-east-1:1:workgroup/q", Purpose: iam.PurposeWorkgroup, Why: "the workgroup"}
	byBucket := iam.Requirement{Action: "s3:GetObject", Resource: "arn:aws:s3:::data/customers/*", Via: iam.ViaAthena, Purpose: iam.PurposeData, Why: "the data of sales.customers"}
	bySession := iam.Requirement{Action: "s3:PutObject", Resource: "arn:aws:s3:::results/q/*", Via: iam.ViaAthena, Purpose: iam.PurposeResults, Why: "the results"}
	deny := iam.Result{Decision: iam.ExplicitlyDenied, Policy: "bucket data policy", Statement: &iam.Statement{Sid: "NoCustomers"}}
	tests := []struct {
		name     string
		gaps     []iam.Gap
		want     []string
		dontWant []string
	}{
		{"only blocked", []iam.Gap{
			{Requirement: byBucket, Result: deny, DeniedBy: iam.PolicyResource, Blocker: iam.PolicyResource},
			{Requirement: bySession, DeniedBy: iam.PolicyIdentity, Blocker: iam.PolicySession},
		}, []string{
			"  blocked:   refused by an explicit Deny in the resource-based policy; no identity statement fixes these:\n",
			"  denied_by: resource\n",
			"  who:       the owner of bucket data (its bucket policy)\n",
			"  denied_by: identity; blocked_by: session (an identity statement alone is not enough)\n",
			"  who:       the Quilt stack's administrator",
			"no identity-policy statement fixes this",
		}, []string{"statement that fixes", `"Statement"`, "  missing:"}},
		{"blocked and fixable", []iam.Gap{
			{Requirement: fixable, DeniedBy: iam.PolicyIdentity},
			{Requirement: byBucket, Result: deny, DeniedBy: iam.PolicyResource, Blocker: iam.PolicyResource},
		}, []string{
			"  missing:   athena:GetWorkGroup\n",
			"  denied_by: resource\n",
			"once those are changed, the query also needs this statement (add it to role R's identity policies):",
			`"athena:GetWorkGroup"`,
		}, []string{`"s3:GetObject"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			Fix(&b, "role R", []iam.Requirement{fixable, byBucket, bySession}, nil, tt.gaps)
			out := b.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.dontWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestExplanation(t *testing.T) {
	tests := []struct {
		name string
		e    session.Explanation
		want []string
		not  []string
	}{
		{"credentials", session.Explanation{Credentials: true, Remedy: explain.Remedy{Who: "you", Why: "expired"}},
			[]string{"  who:       you\n", "  why:       expired\n"}, []string{"policy:", "statement"}},
		{"an explicit deny", session.Explanation{NoStatement: true, Denial: explain.Denial{Actions: []string{"s3:GetObject"}, ExplicitDeny: true, PolicyType: "scp"}, Remedy: explain.Remedy{Who: "your organization's administrator"}, Principal: "arn:p", PrincipalFromSTS: true},
			[]string{"  missing:   s3:GetObject\n", "  principal: arn:p (from STS)\n", "  policy:    scp (an explicit deny)\n", "no identity-policy statement fixes this"}, []string{"statement that"}},
		// A refusal that implies its action without naming it (Athena's
		// results write) still says what is missing.
		{"an implied action", session.Explanation{NoStatement: true, Denial: explain.Denial{ImpliedActions: []string{"s3:PutObject"}, Denied: true}},
			[]string{"  missing:   s3:PutObject\n"}, nil},
	}
	for _, tc := range tests {
		var b strings.Builder
		Explanation(&b, tc.e)
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: lacks %q:\n%s", tc.name, w, b.String())
			}
		}
		for _, w := range tc.not {
			if strings.Contains(b.String(), w) {
				t.Errorf("%s: has %q:\n%s", tc.name, w, b.String())
			}
		}
	}
}

// The doctor's table says which policy type stands in the way of a
// refused check.
func TestDoctorDeniedBy(t *testing.T) {
	who := "the administrator of role R, who sets its permissions boundary"
	rep := session.Report{Principal: "arn:aws:sts::1:assumed-role/R/ann", Checks: []session.Probe{
		{Check: "identity", Status: session.ProbeOK},
		{Check: "databases of AwsDataCatalog", Status: session.ProbeRefused, Detail: "missing: glue:GetDatabases", DeniedBy: "boundary"},
	}, Missing: []string{"glue:GetDatabases"}, WhoCanFix: &who}
	var b strings.Builder
	Doctor(&b, rep, "role R")
	for _, w := range []string{"missing: glue:GetDatabases (denied_by boundary)", "who must act: " + who} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("doctor output lacks %q:\n%s", w, b.String())
		}
	}
	if strings.Contains(b.String(), "statement that fixes") {
		t.Errorf("doctor output offers a statement with none given:\n%s", b.String())
	}
}

// A refusal before sending: who was refused, the missing pairs with the
// statement that fixes them, then the next step, last.
func TestRefusal(t *testing.T) {
	req := iam.Requirement{Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:1:table/sales/orders", Via: iam.ViaAthena, Purpose: iam.PurposeMetadata, Why: "read of sales.orders"}
	r := &session.Refusal{Role: "role R", Principal: "arn:aws:sts::1:assumed-role/R/alice", Needs: session.Needs{Requirements: []iam.Requirement{req}}, Gaps: []iam.Gap{{Requirement: req}}}
	var b strings.Builder
	Refusal(&b, "role R", r)
	out := b.String()
	if !strings.HasPrefix(out, "  principal: arn:aws:sts::1:assumed-role/R/alice\n") || !strings.Contains(out, "  missing:   glue:GetTable\n") ||
		!strings.HasSuffix(out, "  next:      "+r.Next()+"\n") {
		t.Errorf("got:\n%s", out)
	}
}
