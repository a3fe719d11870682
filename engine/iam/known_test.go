package iam

import "testing"

func TestResourceOwner(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:s3:::bucket":                           "arn:aws:s3:::bucket",
		"arn:aws:s3:::bucket/a/b.csv":                   "arn:aws:s3:::bucket",
		"arn:aws:s3:::bucket/prefix/*":                  "arn:aws:s3:::bucket",
		"arn:aws-cn:s3:::bucket/k":                      "arn:aws-cn:s3:::bucket",
		"arn:aws:lambda:us-east-1:1:function:f":         "arn:aws:lambda:us-east-1:1:function:f",
		"arn:aws:lambda:us-east-1:1:function:f:$LATEST": "arn:aws:lambda:us-east-1:1:function:f",
		"arn:aws:kms:us-east-1:1:key/k":                 "arn:aws:kms:us-east-1:1:key/k",
		"arn:aws:glue:us-east-1:1:table/db/t":           "arn:aws:glue:us-east-1:1:table/db/t",
		"*":                                             "*",
	} {
		if got := ResourceOwner(in); got != want {
			t.Errorf("ResourceOwner(%s) = %s, want %s", in, got, want)
		}
	}
}

// Known.Missing says, for each pair it cannot allow, which policy type
// refused it and which one an identity statement cannot get past.
func TestKnownMissing(t *testing.T) {
	const (
		acct    = "123456789012"
		session = "arn:aws:sts::" + acct + ":assumed-role/Reader/alice"
		role    = "arn:aws:iam::" + acct + ":role/Reader"
		key     = "arn:aws:kms:us-east-1:" + acct + ":key/k1"
	)
	id := func(stmts string) []*Policy {
		return []*Policy{mustParse(t, "role", `{"Version":"2012-10-17","Statement":[`+stmts+`]}`)}
	}
	pol := func(name, stmts string) *Policy {
		return mustParse(t, name, `{"Version":"2012-10-17","Statement":[`+stmts+`]}`)
	}
	res := func(name, stmts string) *Policy {
		p, err := ParseResource(name, []byte(`{"Version":"2012-10-17","Statement":[`+stmts+`]}`))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	allS3 := `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`
	allowAllStmt := `{"Effect":"Allow","Action":"*","Resource":"*"}`
	get := Requirement{Action: "s3:GetObject", Resource: "arn:aws:s3:::data/warehouse/customers/*", Via: ViaAthena}
	caller := Caller{ARN: session, Context: map[string][]string{"aws:PrincipalArn": {role}}}

	tests := []struct {
		name  string
		known Known
		req   Requirement
		// want: no gap when allowed ("" DeniedBy); else the gap's fields.
		deniedBy, blocker PolicyType
		decision          Decision
		scpLevel          int
		cross             bool
		resourceAccount   string
	}{
		{"identity allows", Known{Identity: id(allS3)}, get, "", "", Allowed, 0, false, ""},
		// Rule 10: an identity Allow fixes an identity gap.
		{"identity lacks: a statement fixes it", Known{Identity: id(`{"Effect":"Allow","Action":"athena:*","Resource":"*"}`)}, get, PolicyIdentity, "", ImplicitlyDenied, 0, false, ""},
		// Rule 2: no Allow overrides a Deny.
		{"identity Deny", Known{Identity: id(allS3 + `,{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}`)}, get, PolicyIdentity, PolicyIdentity, ExplicitlyDenied, 0, false, ""},
		// Rule 10: the boundary must allow as well.
		{"identity and boundary lack: the boundary blocks", Known{Identity: id(`{"Effect":"Allow","Action":"athena:*","Resource":"*"}`), Boundary: pol("b", `{"Effect":"Allow","Action":"athena:*","Resource":"*"}`)}, get, PolicyIdentity, PolicyBoundary, ImplicitlyDenied, 0, false, ""},
		{"boundary lacks", Known{Identity: id(allS3), Boundary: pol("b", `{"Effect":"Allow","Action":"athena:*","Resource":"*"}`)}, get, PolicyBoundary, PolicyBoundary, ImplicitlyDenied, 0, false, ""},
		// Rule 11: a session policy limits the session.
		{"session policy lacks", Known{Identity: id(`{"Effect":"Allow","Action":"athena:*","Resource":"*"}`), Session: []*Policy{pol("s", `{"Effect":"Allow","Action":"athena:*","Resource":"*"}`)}}, get, PolicyIdentity, PolicySession, ImplicitlyDenied, 0, false, ""},
		{"session policy allows: a statement fixes it", Known{Identity: id(`{"Effect":"Allow","Action":"athena:*","Resource":"*"}`), Session: []*Policy{pol("s", allS3)}}, get, PolicyIdentity, "", ImplicitlyDenied, 0, false, ""},
		// Rule 3: every SCP level must allow.
		{"SCP level 1 lacks", Known{Identity: id(allS3), SCPs: [][]*Policy{{pol("root", allowAllStmt)}, {pol("ou", `{"Effect":"Allow","Action":"athena:*","Resource":"*"}`)}}}, get, PolicySCP, PolicySCP, ImplicitlyDenied, 1, false, ""},
		{"SCP allows, identity lacks", Known{Identity: id(`{"Effect":"Allow","Action":"athena:*","Resource":"*"}`), SCPs: [][]*Policy{{pol("root", allowAllStmt)}}}, get, PolicyIdentity, "", ImplicitlyDenied, 0, false, ""},
		// Rule 2: the bucket policy's Deny, found for an object prefix.
		{"bucket policy denies", Known{Identity: id(allS3), Resources: map[string]ResourcePolicy{"arn:aws:s3:::data": {Policy: res("bucket data", `{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/warehouse/customers/*"}`)}}}, get, PolicyResource, PolicyResource, ExplicitlyDenied, 0, false, ""},
		{"another bucket's policy does not apply", Known{Identity: id(allS3), Resources: map[string]ResourcePolicy{"arn:aws:s3:::other": {Policy: res("bucket other", `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}`)}}}, get, "", "", Allowed, 0, false, ""},
		// Rule 12: across accounts, the resource policy must allow too.
		{"another account's bucket, no policy", Known{Identity: id(`{"Effect":"Allow","Action":"athena:*","Resource":"*"}`), Resources: map[string]ResourcePolicy{"arn:aws:s3:::data": {Account: "444455556666"}}}, get, PolicyIdentity, PolicyResource, ImplicitlyDenied, 0, true, "444455556666"},
		{"another account's bucket allows the role: a statement fixes it", Known{Identity: id(`{"Effect":"Allow","Action":"athena:*","Resource":"*"}`), Entity: role, Resources: map[string]ResourcePolicy{"arn:aws:s3:::data": {Account: "444455556666", Policy: res("bucket data", `{"Effect":"Allow","Principal":{"AWS":"`+role+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}`)}}}, get, PolicyIdentity, "", ImplicitlyDenied, 0, true, "444455556666"},
		// Rule 9: a key policy must allow the caller or the account.
		{"key policy names another role", Known{Identity: id(allowAllStmt), Resources: map[string]ResourcePolicy{key: {Policy: res("key", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:role/KeyAdmin"},"Action":"kms:*","Resource":"*"}`)}}}, Requirement{Action: "kms:Decrypt", Resource: key}, PolicyResource, PolicyResource, ImplicitlyDenied, 0, false, ""},
		{"default key policy: a statement fixes it", Known{Identity: id(allS3)}, Requirement{Action: "kms:Decrypt", Resource: key}, PolicyIdentity, "", ImplicitlyDenied, 0, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gaps := tt.known.Missing([]Requirement{tt.req}, caller)
			if gaps == nil {
				t.Fatal("Missing returned nil, want an empty slice at least")
			}
			if tt.decision == Allowed {
				if len(gaps) != 0 {
					t.Fatalf("got gaps %+v, want none", gaps)
				}
				return
			}
			if len(gaps) != 1 {
				t.Fatalf("got %d gaps, want 1", len(gaps))
			}
			g := gaps[0]
			if g.DeniedBy != tt.deniedBy || g.Blocker != tt.blocker || g.Result.Decision != tt.decision || g.SCPLevel != tt.scpLevel || g.CrossAccount != tt.cross || g.ResourceAccount != tt.resourceAccount {
				t.Errorf("got denied_by %q blocker %q %s level %d cross %v account %q, want %q %q %s %d %v %q",
					g.DeniedBy, g.Blocker, g.Result.Decision, g.SCPLevel, g.CrossAccount, g.ResourceAccount,
					tt.deniedBy, tt.blocker, tt.decision, tt.scpLevel, tt.cross, tt.resourceAccount)
			}
		})
	}
}

// Missing over identity policies alone marks an explicit Deny as blocked
// by the identity policies, and a missing Allow as fixable.
func TestMissingMarksBlocker(t *testing.T) {
	p := mustParse(t, "role", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}`)
	gaps := Missing([]Requirement{{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}, {Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}}, Caller{}, p)
	if len(gaps) != 2 || gaps[0].Blocker != PolicyIdentity || gaps[1].Blocker != "" || gaps[0].DeniedBy != PolicyIdentity || gaps[1].DeniedBy != PolicyIdentity {
		t.Errorf("got %+v, want the Deny blocked by identity and the missing Allow fixable", gaps)
	}
}
