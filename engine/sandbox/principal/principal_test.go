package principal

import (
	"strings"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine/iam"
)

var analyst = Caller{User: "analyst", Email: "analyst@example.com", Role: "ReadWriteQuiltV2-sales-prod", AccountID: "123456789012"}

func mustParse(t *testing.T, doc string) *iam.Policy {
	t.Helper()
	p, err := iam.Parse("test", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCallerARNs(t *testing.T) {
	if got, want := analyst.ARN(), "arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst"; got != want {
		t.Errorf("ARN() = %s, want %s", got, want)
	}
	if got, want := analyst.RoleARN(), "arn:aws:iam::123456789012:role/ReadWriteQuiltV2-sales-prod"; got != want {
		t.Errorf("RoleARN() = %s, want %s", got, want)
	}
	id := analyst.UserID()
	if !strings.HasPrefix(id, "AROA") || !strings.HasSuffix(id, ":analyst") || len(id) != 21+len(":analyst") {
		t.Errorf("UserID() = %s, want AROA + 17 characters + :analyst", id)
	}
	if other := (Caller{User: "analyst", Role: "ReadOnlyQuilt"}).UserID(); other == id {
		t.Errorf("two roles share the role id %s", other)
	}
}

func TestKeysIssueLookupExpire(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	keys := NewKeys(time.Hour, func() time.Time { return now })
	a, b := keys.Issue(analyst), keys.Issue(analyst)
	if a.AccessKeyID == b.AccessKeyID || a.SecretAccessKey == b.SecretAccessKey {
		t.Error("two issues gave the same key or secret")
	}
	if !strings.HasPrefix(a.AccessKeyID, "ASIA") || len(a.AccessKeyID) != 20 || len(a.SecretAccessKey) != 40 {
		t.Errorf("key %q / secret of %d characters are not AWS-shaped", a.AccessKeyID, len(a.SecretAccessKey))
	}
	got, ok := keys.Lookup(a.AccessKeyID)
	if !ok || got.Caller != analyst || got.SecretAccessKey != a.SecretAccessKey {
		t.Fatalf("Lookup(%s) = %+v, %v", a.AccessKeyID, got, ok)
	}
	if _, ok := keys.Lookup("ASIANOSUCHKEY0000000"); ok {
		t.Error("Lookup found a key never issued")
	}
	if keys.Expired(a) {
		t.Error("fresh credentials are expired")
	}
	now = now.Add(time.Hour)
	if !keys.Expired(a) {
		t.Error("credentials are not expired at their Expiration")
	}
}

func TestAuthorizeWordsDenialsAsAWS(t *testing.T) {
	a := NewAuthorizer("us-east-1", time.Now)
	a.SetPolicies(analyst.Role, []*iam.Policy{mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"glue:GetTable","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:CalledVia":"athena.amazonaws.com"}}},
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
		{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/secret/*"}]}`)})

	if d := a.Authorize(analyst, "glue:GetTable", "arn:aws:glue:us-east-1:123456789012:catalog", Call{Via: "athena.amazonaws.com"}); d != nil {
		t.Errorf("via Athena: %v, want allowed", d)
	}
	d := a.Authorize(analyst, "glue:GetTable", "arn:aws:glue:us-east-1:123456789012:catalog", Call{})
	want := "User: arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog because no identity-based policy allows the glue:GetTable action"
	if d == nil || d.Error() != want {
		t.Errorf("direct call: got %v\nwant %s", d, want)
	}

	d = a.Authorize(analyst, "s3:GetObject", "arn:aws:s3:::b/secret/x", Call{})
	wantS3 := `User: arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/secret/x" with an explicit deny in an identity-based policy`
	if d == nil || d.S3Message() != wantS3 {
		t.Errorf("explicit deny: got %v\nwant %s", d, wantS3)
	}
	if d != nil && d.Result.Decision != iam.ExplicitlyDenied {
		t.Errorf("decision %v, want ExplicitlyDenied", d.Result.Decision)
	}

	d = a.Authorize(analyst, "athena:StartQueryExecution", "arn:aws:athena:us-east-1:123456789012:workgroup/primary", Call{})
	wantAthena := "You are not authorized to perform: athena:StartQueryExecution on the resource. After your AWS administrator or you have updated your permissions, please try again."
	if d == nil || d.AthenaMessage() != wantAthena {
		t.Errorf("athena: got %v, want %s", d, wantAthena)
	}

	// A role with no policies is denied everything.
	if d := a.Authorize(Caller{Role: "nobody"}, "s3:GetObject", "arn:aws:s3:::b/k", Call{}); d == nil {
		t.Error("a role without policies was allowed")
	}
}

func TestAuthorizeContextKeys(t *testing.T) {
	a := NewAuthorizer("eu-west-1", time.Now)
	a.SetPolicies(analyst.Role, []*iam.Policy{mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{
		"StringEquals":{"aws:RequestedRegion":"eu-west-1","aws:PrincipalAccount":"123456789012","aws:username":"analyst","s3:prefix":"data/"},
		"Bool":{"aws:ViaAWSService":"false"},
		"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}]}`)})
	call := Call{SourceIP: "127.0.0.1", Context: map[string][]string{"s3:prefix": {"data/"}}}
	if d := a.Authorize(analyst, "s3:ListBucket", "arn:aws:s3:::b", call); d != nil {
		t.Errorf("all context keys match, got %v", d)
	}
	call.Context["s3:prefix"] = []string{"other/"}
	if d := a.Authorize(analyst, "s3:ListBucket", "arn:aws:s3:::b", call); d == nil {
		t.Error("a different s3:prefix was allowed")
	}
	if d := a.Authorize(analyst, "s3:ListBucket", "arn:aws:s3:::b", Call{Via: "athena.amazonaws.com", Context: map[string][]string{"s3:prefix": {"data/"}}}); d == nil {
		t.Error("a call via Athena (aws:ViaAWSService true, no source IP) was allowed")
	}
}

func mustResource(t *testing.T, doc string) *iam.Policy {
	t.Helper()
	p, err := iam.ParseResource("resource", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAuthorizeEveryPolicyType checks each policy type the authorizer
// weighs and the clause AWS words each refusal with ("Troubleshoot access
// denied error messages", IAM User Guide: "with an explicit deny in a TYPE
// policy", "because no TYPE policy allows the ACTION action"; an SCP
// always "with an explicit deny in a service control policy").
func TestAuthorizeEveryPolicyType(t *testing.T) {
	const object = "arn:aws:s3:::data/k"
	allowAll := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	onlyGlue := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"glue:*","Resource":"*"}]}`)
	denyS3 := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)
	managed := analyst
	managed.Session = &Session{Policies: []*iam.Policy{onlyGlue}}
	denyingSession := analyst
	denyingSession.Session = &Session{Policies: []*iam.Policy{denyS3}}

	prefix := "User: " + analyst.ARN() + " is not authorized to perform: s3:GetObject on resource: \"" + object + "\" "
	tests := []struct {
		name   string
		caller Caller
		setup  func(a *Authorizer)
		want   string // the S3 message; "" when allowed
	}{
		{"identity allows", analyst, func(a *Authorizer) {}, ""},
		{"session policy without an Allow", managed, func(a *Authorizer) {}, prefix + "because no session policy allows the s3:GetObject action"},
		{"session policy Deny", denyingSession, func(a *Authorizer) {}, prefix + "with an explicit deny in a session policy"},
		{"credentials of the same role without the session policy", analyst, func(a *Authorizer) {}, ""},
		{"boundary without an Allow", analyst, func(a *Authorizer) { a.SetBoundary(analyst.Role, onlyGlue) }, prefix + "because no permissions boundary allows the s3:GetObject action"},
		{"boundary Deny", analyst, func(a *Authorizer) { a.SetBoundary(analyst.Role, denyS3) }, prefix + "with an explicit deny in a permissions boundary"},
		{"bucket policy Deny", analyst, func(a *Authorizer) {
			a.SetResource("arn:aws:s3:::data", Resource{Policy: mustResource(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`)})
		}, prefix + "with an explicit deny in a resource-based policy"},
		{"bucket policy of another bucket", analyst, func(a *Authorizer) {
			a.SetResource("arn:aws:s3:::dat", Resource{Policy: mustResource(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`)})
		}, ""},
		{"SCP without an Allow", analyst, func(a *Authorizer) { a.SetSCPs([][]*iam.Policy{{allowAll}, {onlyGlue}}) }, prefix + "with an explicit deny in a service control policy"},
		{"SCP Deny", analyst, func(a *Authorizer) { a.SetSCPs([][]*iam.Policy{{denyS3}}) }, prefix + "with an explicit deny in a service control policy"},
		{"bucket of another account without a policy", analyst, func(a *Authorizer) { a.SetResource("arn:aws:s3:::data", Resource{AccountID: "444455556666"}) }, "Access Denied"},
		{"bucket of another account whose policy lets the role in", analyst, func(a *Authorizer) {
			a.SetResource("arn:aws:s3:::data", Resource{AccountID: "444455556666", Policy: mustResource(t,
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+analyst.RoleARN()+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`)})
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAuthorizer("us-east-1", time.Now)
			a.SetPolicies(analyst.Role, []*iam.Policy{allowAll})
			tt.setup(a)
			d := a.Authorize(tt.caller, "s3:GetObject", object, Call{})
			switch {
			case tt.want == "" && d != nil:
				t.Errorf("got %q, want allowed", d.S3Message())
			case tt.want != "" && d == nil:
				t.Errorf("allowed, want %q", tt.want)
			case d != nil && d.S3Message() != tt.want:
				t.Errorf("got  %q\nwant %q", d.S3Message(), tt.want)
			}
		})
	}
}

// TestAuthorizeFunctionAndKeyPolicies: a Lambda function's policy covers
// its qualified ARNs, and a KMS key policy that does not let the account's
// IAM policies decide refuses even what they allow.
func TestAuthorizeFunctionAndKeyPolicies(t *testing.T) {
	a := NewAuthorizer("us-east-1", time.Now)
	a.SetPolicies(analyst.Role, []*iam.Policy{mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:InvokeFunction","kms:*"],"Resource":"*"}]}`)})
	fn := "arn:aws:lambda:us-east-1:123456789012:function:tabulator"
	a.SetResource(fn, Resource{Policy: mustResource(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"123456789012"},"Action":"lambda:InvokeFunction","Resource":"*"}]}`)})
	for _, arn := range []string{fn, fn + ":live"} {
		d := a.Authorize(analyst, "lambda:InvokeFunction", arn, Call{Via: "athena.amazonaws.com"})
		if d == nil || d.Result.DeniedBy != iam.PolicyResource || !strings.HasSuffix(d.Error(), "with an explicit deny in a resource-based policy") {
			t.Errorf("%s: got %v, want the function policy's explicit deny", arn, d)
		}
	}
	key := "arn:aws:kms:us-east-1:123456789012:key/k1"
	if d := a.Authorize(analyst, "kms:Decrypt", key, Call{}); d != nil {
		t.Errorf("a key without a key policy (the default one): got %v, want allowed", d)
	}
	a.SetResource(key, Resource{Policy: mustResource(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/KeyAdmin"},"Action":"kms:*","Resource":"*"}]}`)})
	want := "User: " + analyst.ARN() + " is not authorized to perform: kms:Decrypt on resource: " + key + " because no resource-based policy allows the kms:Decrypt action"
	if d := a.Authorize(analyst, "kms:Decrypt", key, Call{}); d == nil || d.Error() != want {
		t.Errorf("key policy naming another role: got %v\nwant %s", d, want)
	}
}
