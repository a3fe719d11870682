package stack

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

// policyStackYAML uses every policy field of the stack format, documents
// both as YAML mappings and as JSON strings.
const policyStackYAML = `
stack: s
region: us-east-1
account_id: "123456789012"
users:
  - {name: m, email: m@example.com, role: Managed}
roles:
  - name: Managed
    policies:
      - name: all
        document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    session_policies:
      - name: buckets
        document: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}'
    permissions_boundary:
      name: boundary
      document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
buckets:
  - name: b
    policy: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/*"}]}
  - name: partner
    account_id: "444455556666"
kms_keys:
  - id: k1
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::123456789012:root"}, Action: "kms:*", Resource: "*"}]}
functions:
  - name: tabulator
scps:
  - level: root
    policies:
      - name: FullAWSAccess
        document: {Version: "2012-10-17", Statement: {Effect: Allow, Action: "*", Resource: "*"}}
`

func TestLoadPolicyFields(t *testing.T) {
	st, err := Load(fstest.MapFS{"s.yaml": {Data: []byte(policyStackYAML)}}, "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := st.Roles[0]
	if len(r.SessionPolicies) != 1 || !json.Valid(r.SessionPolicies[0].Document) || r.PermissionsBoundary == nil || r.PermissionsBoundary.Name != "boundary" {
		t.Errorf("role: got session policies %+v, boundary %+v", r.SessionPolicies, r.PermissionsBoundary)
	}
	if !strings.Contains(string(st.Buckets[0].Policy), `"Principal":"*"`) || st.Buckets[1].AccountID != "444455556666" {
		t.Errorf("buckets: got policy %s, account %q", st.Buckets[0].Policy, st.Buckets[1].AccountID)
	}
	if got, want := st.KMSKeyARN(st.KMSKeys[0].ID), "arn:aws:kms:us-east-1:123456789012:key/k1"; got != want {
		t.Errorf("key ARN: got %s, want %s", got, want)
	}
	if got, want := st.FunctionARN(st.Functions[0].Name), "arn:aws:lambda:us-east-1:123456789012:function:tabulator"; got != want || len(st.Functions[0].Policy) != 0 {
		t.Errorf("function: got %s (policy %q), want %s and no policy", got, st.Functions[0].Policy, want)
	}
	if len(st.SCPs) != 1 || st.SCPs[0].Level != "root" || len(st.SCPs[0].Policies) != 1 {
		t.Errorf("scps: got %+v", st.SCPs)
	}
}

func TestValidatePolicyFields(t *testing.T) {
	tests := []struct{ name, from, to, want string }{
		{"session policy not JSON", `document: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}'`, `document: '{not json'`, "session policy buckets is not valid JSON"},
		{"bucket owner not an account", `account_id: "444455556666"`, `account_id: "partner"`, `account_id "partner" is not a 12-digit account id`},
		{"key twice", "functions:", "  - id: k1\nfunctions:", `every key needs an id, once ("k1")`},
		{"function without a name", "  - name: tabulator", "  - policy: {}", `every function needs a name, once ("")`},
	}
	for _, tt := range tests {
		doc := strings.Replace(policyStackYAML, tt.from, tt.to, 1)
		if doc == policyStackYAML {
			t.Fatalf("%s: %q not in the stack", tt.name, tt.from)
		}
		_, err := Load(fstest.MapFS{"s.yaml": {Data: []byte(doc)}}, "s.yaml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
