package explain

import (
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine/iam"
)

func TestWhoMustAct(t *testing.T) {
	deny := func(sid, policy string) iam.Result {
		return iam.Result{Decision: iam.ExplicitlyDenied, Policy: policy, Statement: &iam.Statement{Sid: sid}}
	}
	obj := "arn:aws:s3:::data/warehouse/customers/*"
	key := "arn:aws:kms:us-east-1:123456789012:key/k1"
	tests := []struct {
		name    string
		gap     iam.Gap
		fixable bool
		who     []string // substrings of Who
		why     []string // substrings of Why
	}{
		{"an identity statement fixes it", iam.Gap{Requirement: iam.Requirement{Action: "s3:GetObject", Resource: obj}, DeniedBy: iam.PolicyIdentity},
			true, []string{"the administrator of role Reader", "add the statement"}, nil},
		{"identity Deny: the role's administrator", iam.Gap{Requirement: iam.Requirement{Action: "s3:GetObject", Resource: obj}, Result: deny("NoS3", "role/deny"), DeniedBy: iam.PolicyIdentity, Blocker: iam.PolicyIdentity},
			false, []string{"the administrator of role Reader", `remove or narrow statement "NoS3" of role/deny`}, []string{"no Allow overrides it"}},
		{"boundary: the role's administrator", iam.Gap{Requirement: iam.Requirement{Action: "glue:GetTable", Resource: "*"}, DeniedBy: iam.PolicyIdentity, Blocker: iam.PolicyBoundary},
			false, []string{"the administrator of role Reader", "permissions boundary"}, []string{"does not allow glue:GetTable"}},
		{"session policy: the Quilt admin", iam.Gap{Requirement: iam.Requirement{Action: "s3:GetObject", Resource: obj}, DeniedBy: iam.PolicySession, Blocker: iam.PolicySession},
			false, []string{"Quilt stack's administrator", "session policy"}, []string{"cannot widen a session policy"}},
		{"SCP: the organization's admin", iam.Gap{Requirement: iam.Requirement{Action: "s3:GetObject", Resource: obj}, DeniedBy: iam.PolicySCP, Blocker: iam.PolicySCP, SCPLevel: 1},
			false, []string{"AWS Organizations administrator", "1 level(s) below the organization's root"}, []string{"service control policy"}},
		{"bucket policy: the bucket's owner", iam.Gap{Requirement: iam.Requirement{Action: "s3:GetObject", Resource: obj}, Result: deny("NoCustomerData", "bucket data policy"), DeniedBy: iam.PolicyResource, Blocker: iam.PolicyResource},
			false, []string{"the owner of bucket data (its bucket policy)"}, []string{`denies s3:GetObject (statement "NoCustomerData" of bucket data policy)`}},
		{"key policy: the key's administrator", iam.Gap{Requirement: iam.Requirement{Action: "kms:Decrypt", Resource: key}, DeniedBy: iam.PolicyResource, Blocker: iam.PolicyResource},
			false, []string{"the administrator of KMS key " + key}, []string{"does not allow role Reader kms:Decrypt"}},
		{"another account: that account", iam.Gap{Requirement: iam.Requirement{Action: "s3:GetObject", Resource: "arn:aws:s3:::partner/x"}, DeniedBy: iam.PolicyIdentity, Blocker: iam.PolicyResource, CrossAccount: true, ResourceAccount: "444455556666"},
			false, []string{"account 444455556666, which owns bucket partner", "the owner of bucket partner"}, []string{"across accounts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := WhoMustAct(tt.gap, "role Reader")
			if r.Fixable != tt.fixable {
				t.Errorf("Fixable: got %v, want %v", r.Fixable, tt.fixable)
			}
			for _, w := range tt.who {
				if !strings.Contains(r.Who, w) {
					t.Errorf("Who: got %q, want it to contain %q", r.Who, w)
				}
			}
			for _, w := range tt.why {
				if !strings.Contains(r.Why, w) {
					t.Errorf("Why: got %q, want it to contain %q", r.Why, w)
				}
			}
		})
	}
}

// Fix never offers an identity statement for a gap another policy type
// would still refuse: it goes to Blocked.
func TestFixBlocksWhatIdentityCannotFix(t *testing.T) {
	fixable := iam.Gap{Requirement: iam.Requirement{Action: "athena:GetWorkGroup", Resource: "arn:aws:athena:us-east-1:1:workgroup/q", Purpose: iam.PurposeWorkgroup}, DeniedBy: iam.PolicyIdentity}
	byBoundary := iam.Gap{Requirement: iam.Requirement{Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:1:table/d/t", Purpose: iam.PurposeMetadata}, DeniedBy: iam.PolicyIdentity, Blocker: iam.PolicyBoundary}
	res := Fix(nil, []iam.Gap{fixable, byBoundary})
	if len(res.Blocked) != 1 || res.Blocked[0].Action != "glue:GetTable" {
		t.Errorf("Blocked: got %+v, want the boundary's pair", res.Blocked)
	}
	if res.Policy == nil || strings.Contains(res.Policy.JSON(), "glue:") || !strings.Contains(res.Policy.JSON(), "athena:GetWorkGroup") {
		t.Errorf("Policy: got %v, want athena:GetWorkGroup only", res.Policy)
	}
	if res := Fix(nil, []iam.Gap{byBoundary}); res.Policy != nil {
		t.Errorf("only blocked gaps: got statement %s, want none", res.Policy.JSON())
	}
}

// The statement Fix offers makes every gap it covers allowed under every
// policy type known, and leaves every blocked gap refused: one round fixes
// what an identity statement can, and nothing it cannot is promised.
func TestFixIsOneRoundWithEveryPolicyType(t *testing.T) {
	const (
		acct = "123456789012"
		role = "arn:aws:iam::" + acct + ":role/Reader"
	)
	parse := func(name, doc string) *iam.Policy {
		p, err := iam.Parse(name, []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	resource := func(name, doc string) *iam.Policy {
		p, err := iam.ParseResource(name, []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	known := iam.Known{
		Identity: []*iam.Policy{parse("role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"athena:GetWorkGroup","Resource":"*"}]}`)},
		Session:  []*iam.Policy{parse("session", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["athena:*","glue:*","s3:*","kms:*"],"Resource":"*"},{"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::scratch/*"}]}`)},
		Boundary: parse("boundary", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["athena:*","s3:*","kms:*","glue:GetTable","glue:GetDatabase"],"Resource":"*"}]}`),
		SCPs: [][]*iam.Policy{
			{parse("root", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)},
			{parse("ou", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"athena:DeleteWorkGroup","Resource":"*"}]}`)},
		},
		Entity: role,
		Resources: map[string]iam.ResourcePolicy{
			"arn:aws:s3:::data":                        {Policy: resource("bucket data", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/private/*"}]}`)},
			"arn:aws:s3:::partner":                     {Account: "444455556666", Policy: resource("bucket partner", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+role+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::partner/*"}]}`)},
			"arn:aws:s3:::closed":                      {Account: "444455556666"},
			"arn:aws:kms:us-east-1:" + acct + ":key/k": {Policy: resource("key", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"kms:*","Resource":"*"}]}`)},
		},
	}
	reqs := []iam.Requirement{
		{Action: "athena:StartQueryExecution", Resource: "arn:aws:athena:us-east-1:" + acct + ":workgroup/q", Purpose: iam.PurposeWorkgroup},
		{Action: "athena:DeleteWorkGroup", Resource: "arn:aws:athena:us-east-1:" + acct + ":workgroup/q", Purpose: iam.PurposeWorkgroup},
		{Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:" + acct + ":table/d/t", Via: iam.ViaAthena, Purpose: iam.PurposeMetadata},
		{Action: "glue:GetPartitions", Resource: "arn:aws:glue:us-east-1:" + acct + ":table/d/t", Via: iam.ViaAthena, Purpose: iam.PurposeMetadata},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::data/public/*", Via: iam.ViaAthena, Purpose: iam.PurposeData},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::data/private/*", Via: iam.ViaAthena, Purpose: iam.PurposeData},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::partner/share/*", Via: iam.ViaAthena, Purpose: iam.PurposeData},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::closed/share/*", Via: iam.ViaAthena, Purpose: iam.PurposeData},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::scratch/*", Via: iam.ViaAthena, Purpose: iam.PurposeResults},
		{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:" + acct + ":key/k", Purpose: iam.PurposeKey},
	}
	caller := iam.Caller{ARN: "arn:aws:sts::" + acct + ":assumed-role/Reader/alice", Context: map[string][]string{"aws:PrincipalArn": {role}}}
	gaps := known.Missing(reqs, caller)
	fix := Fix(reqs, gaps)
	if fix.Policy == nil || len(fix.Blocked) == 0 {
		t.Fatalf("want both a statement and blocked pairs, got %+v", fix)
	}
	wantBlocked := map[string]iam.PolicyType{
		"athena:DeleteWorkGroup":      iam.PolicySCP,
		"glue:GetPartitions":          iam.PolicyBoundary,
		"arn:aws:s3:::data/private/*": iam.PolicyResource,
		"arn:aws:s3:::closed/share/*": iam.PolicyResource,
		"arn:aws:s3:::scratch/*":      iam.PolicySession,
	}
	for _, g := range fix.Blocked {
		want, ok := wantBlocked[g.Action]
		if !ok {
			want, ok = wantBlocked[g.Resource]
		}
		if !ok || g.Blocker != want {
			t.Errorf("blocked %s on %s by %q, want it blocked by %q (listed: %v)", g.Action, g.Resource, g.Blocker, want, ok)
		}
	}
	if len(fix.Blocked) != len(wantBlocked) {
		t.Errorf("blocked %d pairs, want %d", len(fix.Blocked), len(wantBlocked))
	}

	applied := known
	applied.Identity = append(append([]*iam.Policy(nil), known.Identity...), parse("fix", fix.Policy.JSON()))
	after := applied.Missing(reqs, caller)
	if len(after) != len(fix.Blocked) {
		t.Errorf("after the fix %d gaps remain, want only the %d blocked: %+v", len(after), len(fix.Blocked), after)
	}
	for _, g := range after {
		if g.Blocker == "" {
			t.Errorf("after the fix %s on %s is still refused (by %s) with no blocker", g.Action, g.Resource, g.DeniedBy)
		}
	}
}
