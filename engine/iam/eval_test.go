package iam

import (
	"fmt"
	"testing"
)

type ctxMap = map[string][]string

// mustParse parses doc or fails the test.
func mustParse(t testing.TB, name, doc string) *Policy {
	t.Helper()
	p, err := Parse(name, []byte(doc))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return p
}

// condHolds reports whether a one-statement Allow with the given Condition
// block allows a request carrying ctx.
func condHolds(t *testing.T, version, condition string, ctx ctxMap) bool {
	t.Helper()
	doc := fmt.Sprintf(`{"Version": %q, "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": %s}}`, version, condition)
	p := mustParse(t, "p", doc)
	return Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx}, p).Decision == Allowed
}

func TestConditions(t *testing.T) {
	athena := ctxMap{"aws:CalledVia": {"athena.amazonaws.com"}}
	two := ctxMap{"aws:CalledVia": {"athena.amazonaws.com", "glue.amazonaws.com"}}
	none := ctxMap{}
	empty := ctxMap{"aws:TagKeys": {}}
	tags := ctxMap{"aws:TagKeys": {"Dept", "Owner"}}
	ip4 := ctxMap{"aws:SourceIp": {"203.0.113.7"}}
	ip6 := ctxMap{"aws:SourceIp": {"2001:db8::1"}}
	now := ctxMap{"aws:CurrentTime": {"2026-03-01T12:00:00Z"}, "aws:EpochTime": {"1772366400"}}
	tests := []struct {
		name, cond string
		ctx        ctxMap
		want       bool
	}{
		// String operators.
		{"StringEquals match", `{"StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}`, athena, true},
		{"StringEquals case-sensitive value", `{"StringEquals": {"aws:CalledVia": "Athena.amazonaws.com"}}`, athena, false},
		{"StringEquals key case-insensitive", `{"StringEquals": {"AWS:CALLEDVIA": "athena.amazonaws.com"}}`, athena, true},
		{"StringEquals values are ORed", `{"StringEquals": {"aws:CalledVia": ["glue.amazonaws.com", "athena.amazonaws.com"]}}`, athena, true},
		{"StringEquals * is literal", `{"StringEquals": {"aws:CalledVia": "*"}}`, athena, false},
		{"StringEquals missing key", `{"StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}`, none, false},
		{"StringNotEquals differs", `{"StringNotEquals": {"aws:CalledVia": "glue.amazonaws.com"}}`, athena, true},
		{"StringNotEquals equal", `{"StringNotEquals": {"aws:CalledVia": "athena.amazonaws.com"}}`, athena, false},
		{"StringNotEquals is not-any", `{"StringNotEquals": {"aws:CalledVia": ["glue.amazonaws.com", "athena.amazonaws.com"]}}`, athena, false},
		{"StringNotEquals missing key holds", `{"StringNotEquals": {"aws:CalledVia": "athena.amazonaws.com"}}`, none, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase": {"aws:CalledVia": "ATHENA.amazonaws.com"}}`, athena, true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase": {"aws:CalledVia": "ATHENA.amazonaws.com"}}`, athena, false},
		{"StringLike *", `{"StringLike": {"aws:CalledVia": "athena.*"}}`, athena, true},
		{"StringLike ?", `{"StringLike": {"aws:CalledVia": "athen?.amazonaws.com"}}`, athena, true},
		{"StringLike no match", `{"StringLike": {"aws:CalledVia": "glue.*"}}`, athena, false},
		{"StringLike case-sensitive", `{"StringLike": {"aws:CalledVia": "ATHENA.*"}}`, athena, false},
		{"StringNotLike", `{"StringNotLike": {"aws:CalledVia": "glue.*"}}`, athena, true},
		{"StringNotLike missing key holds", `{"StringNotLike": {"aws:CalledVia": "glue.*"}}`, none, true},

		// IfExists.
		{"IfExists missing key holds", `{"StringEqualsIfExists": {"aws:CalledVia": "glue.amazonaws.com"}}`, none, true},
		{"IfExists present key is tested", `{"StringEqualsIfExists": {"aws:CalledVia": "glue.amazonaws.com"}}`, athena, false},
		{"IfExists present key matches", `{"StringLikeIfExists": {"aws:CalledVia": "athena.*"}}`, athena, true},
		{"NotEqualsIfExists present", `{"StringNotEqualsIfExists": {"aws:CalledVia": "athena.amazonaws.com"}}`, athena, false},

		// Set qualifiers.
		{"ForAnyValue one matches", `{"ForAnyValue:StringEquals": {"aws:CalledVia": "glue.amazonaws.com"}}`, two, true},
		{"ForAnyValue none matches", `{"ForAnyValue:StringEquals": {"aws:CalledVia": "s3.amazonaws.com"}}`, two, false},
		{"ForAnyValue missing key", `{"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}`, none, false},
		{"ForAnyValue empty key", `{"ForAnyValue:StringEquals": {"aws:TagKeys": "Dept"}}`, empty, false},
		{"ForAnyValue:StringNotEquals one differs", `{"ForAnyValue:StringNotEquals": {"aws:TagKeys": "Dept"}}`, tags, true},
		{"ForAnyValue:StringNotEquals all listed", `{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["Dept", "Owner"]}}`, tags, false},
		{"ForAnyValue:StringNotEquals missing key", `{"ForAnyValue:StringNotEquals": {"aws:TagKeys": "Dept"}}`, none, false},
		{"ForAllValues all listed", `{"ForAllValues:StringEquals": {"aws:TagKeys": ["Dept", "Owner", "Cost"]}}`, tags, true},
		{"ForAllValues one unlisted", `{"ForAllValues:StringEquals": {"aws:TagKeys": ["Dept"]}}`, tags, false},
		{"ForAllValues missing key holds", `{"ForAllValues:StringEquals": {"aws:TagKeys": ["Dept"]}}`, none, true},
		{"ForAllValues empty key holds", `{"ForAllValues:StringEquals": {"aws:TagKeys": ["Dept"]}}`, empty, true},
		{"ForAllValues:StringLike", `{"ForAllValues:StringLike": {"aws:TagKeys": ["D*", "O*"]}}`, tags, true},
		{"ForAllValues:StringNotEquals none listed", `{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["Cost"]}}`, tags, true},
		{"ForAllValues:StringNotEquals one listed", `{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["Dept"]}}`, tags, false},
		{"ForAllValues:StringNotEquals missing key", `{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["Dept"]}}`, none, true},
		{"ForAnyValue IfExists missing", `{"ForAnyValue:StringEqualsIfExists": {"aws:CalledVia": "x"}}`, none, true},
		{"qualifier case-insensitive", `{"foranyvalue:stringequals": {"aws:CalledVia": "glue.amazonaws.com"}}`, two, true},

		// A single-valued operator against a multivalued key matches nothing.
		{"bare StringEquals on two values", `{"StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}`, two, false},
		{"bare StringNotEquals on two values", `{"StringNotEquals": {"aws:CalledVia": "s3.amazonaws.com"}}`, two, false},
		{"bare StringEquals on one of a multivalued key", `{"StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}`, athena, true},

		// Several keys and operators are ANDed.
		{"two keys both hold", `{"StringEquals": {"aws:CalledVia": "athena.amazonaws.com", "aws:username": "al"}}`, ctxMap{"aws:CalledVia": {"athena.amazonaws.com"}, "aws:username": {"al"}}, true},
		{"two keys one fails", `{"StringEquals": {"aws:CalledVia": "athena.amazonaws.com", "aws:username": "bo"}}`, ctxMap{"aws:CalledVia": {"athena.amazonaws.com"}, "aws:username": {"al"}}, false},
		{"two operators both hold", `{"StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}, "Bool": {"aws:SecureTransport": "true"}}`, ctxMap{"aws:CalledVia": {"athena.amazonaws.com"}, "aws:SecureTransport": {"true"}}, true},
		{"two operators one fails", `{"StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}, "Bool": {"aws:SecureTransport": "true"}}`, ctxMap{"aws:CalledVia": {"athena.amazonaws.com"}, "aws:SecureTransport": {"false"}}, false},

		// Null.
		{"Null true, key missing", `{"Null": {"aws:TokenIssueTime": "true"}}`, none, true},
		{"Null true, key present", `{"Null": {"aws:TokenIssueTime": "true"}}`, ctxMap{"aws:TokenIssueTime": {"2026-01-01T00:00:00Z"}}, false},
		{"Null false, key present", `{"Null": {"aws:TokenIssueTime": "false"}}`, ctxMap{"aws:TokenIssueTime": {"2026-01-01T00:00:00Z"}}, true},
		{"Null false, key missing", `{"Null": {"aws:TokenIssueTime": false}}`, none, false},
		{"Null false, key empty", `{"Null": {"aws:TagKeys": "false"}}`, empty, false},

		// Bool.
		{"Bool true", `{"Bool": {"aws:SecureTransport": "true"}}`, ctxMap{"aws:SecureTransport": {"true"}}, true},
		{"Bool JSON true", `{"Bool": {"aws:SecureTransport": true}}`, ctxMap{"aws:SecureTransport": {"true"}}, true},
		{"Bool false vs true", `{"Bool": {"aws:SecureTransport": "false"}}`, ctxMap{"aws:SecureTransport": {"true"}}, false},
		{"Bool case-insensitive", `{"Bool": {"aws:SecureTransport": "TRUE"}}`, ctxMap{"aws:SecureTransport": {"true"}}, true},
		{"Bool missing", `{"Bool": {"aws:SecureTransport": "false"}}`, none, false},
		{"BoolIfExists missing", `{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}`, none, true},

		// Numeric.
		{"NumericEquals", `{"NumericEquals": {"s3:max-keys": "10"}}`, ctxMap{"s3:max-keys": {"10"}}, true},
		{"NumericEquals float", `{"NumericEquals": {"s3:max-keys": 10.0}}`, ctxMap{"s3:max-keys": {"10"}}, true},
		{"NumericNotEquals", `{"NumericNotEquals": {"s3:max-keys": 10}}`, ctxMap{"s3:max-keys": {"11"}}, true},
		{"NumericNotEquals missing", `{"NumericNotEquals": {"s3:max-keys": 10}}`, none, true},
		{"NumericLessThan yes", `{"NumericLessThan": {"s3:max-keys": 10}}`, ctxMap{"s3:max-keys": {"9"}}, true},
		{"NumericLessThan equal", `{"NumericLessThan": {"s3:max-keys": 10}}`, ctxMap{"s3:max-keys": {"10"}}, false},
		{"NumericLessThanEquals equal", `{"NumericLessThanEquals": {"s3:max-keys": 10}}`, ctxMap{"s3:max-keys": {"10"}}, true},
		{"NumericGreaterThan", `{"NumericGreaterThan": {"s3:max-keys": 10}}`, ctxMap{"s3:max-keys": {"10.5"}}, true},
		{"NumericGreaterThan equal", `{"NumericGreaterThan": {"s3:max-keys": 10}}`, ctxMap{"s3:max-keys": {"10"}}, false},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals": {"s3:max-keys": 10}}`, ctxMap{"s3:max-keys": {"10"}}, true},
		{"Numeric request not a number", `{"NumericLessThan": {"s3:max-keys": 10}}`, ctxMap{"s3:max-keys": {"ten"}}, false},
		{"Numeric missing", `{"NumericLessThan": {"s3:max-keys": 10}}`, none, false},

		// Date: ISO 8601 and epoch, on either side.
		{"DateLessThan ISO", `{"DateLessThan": {"aws:CurrentTime": "2026-12-31T23:59:59Z"}}`, now, true},
		{"DateLessThan past", `{"DateLessThan": {"aws:CurrentTime": "2026-01-01"}}`, now, false},
		{"DateGreaterThan epoch policy", `{"DateGreaterThan": {"aws:CurrentTime": "1767225600"}}`, now, true},
		{"DateGreaterThan epoch request", `{"DateGreaterThan": {"aws:EpochTime": "2026-01-01T00:00:00Z"}}`, now, true},
		{"DateEquals with offset", `{"DateEquals": {"aws:CurrentTime": "2026-03-01T13:00:00+01:00"}}`, now, true},
		{"DateNotEquals", `{"DateNotEquals": {"aws:CurrentTime": "2026-03-01T12:00:01Z"}}`, now, true},
		{"DateLessThanEquals equal", `{"DateLessThanEquals": {"aws:CurrentTime": "2026-03-01T12:00:00Z"}}`, now, true},
		{"DateGreaterThanEquals equal", `{"DateGreaterThanEquals": {"aws:EpochTime": 1772366400}}`, now, true},
		{"DateGreaterThan missing", `{"DateGreaterThan": {"aws:TokenIssueTime": "2026-01-01"}}`, none, false},

		// IP addresses.
		{"IpAddress v4 in", `{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`, ip4, true},
		{"IpAddress v4 out", `{"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}}`, ip4, false},
		{"IpAddress single", `{"IpAddress": {"aws:SourceIp": "203.0.113.7"}}`, ip4, true},
		{"IpAddress list", `{"IpAddress": {"aws:SourceIp": ["198.51.100.0/24", "203.0.0.0/16"]}}`, ip4, true},
		{"IpAddress v6 in", `{"IpAddress": {"aws:SourceIp": "2001:DB8::/32"}}`, ip6, true},
		{"IpAddress v6 vs v4 block", `{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`, ip6, false},
		{"NotIpAddress out", `{"NotIpAddress": {"aws:SourceIp": "198.51.100.0/24"}}`, ip4, true},
		{"NotIpAddress in", `{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`, ip4, false},
		{"NotIpAddress missing", `{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`, none, true},
		{"IpAddress missing", `{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}`, none, false},

		// ARN operators.
		{"ArnLike", `{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Quilt*"}}`, ctxMap{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/QuiltUser"}}, true},
		{"ArnEquals takes wildcards too", `{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/QuiltUser"}}`, ctxMap{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/QuiltUser"}}, true},
		{"ArnLike account segment", `{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::999*:role/*"}}`, ctxMap{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/QuiltUser"}}, false},
		{"ArnLike case-sensitive", `{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/quilt*"}}`, ctxMap{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/QuiltUser"}}, false},
		{"ArnNotLike", `{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}`, ctxMap{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/QuiltUser"}}, true},
		{"ArnNotEquals missing", `{"ArnNotEquals": {"aws:SourceArn": "arn:aws:iam::*:role/Admin"}}`, none, true},
		{"ArnLike not an ARN", `{"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}`, ctxMap{"aws:SourceArn": {"bucket"}}, false},

		// Binary.
		{"BinaryEquals", `{"BinaryEquals": {"dynamodb:Key": "QmluYXJ5VmFsdWU="}}`, ctxMap{"dynamodb:Key": {"QmluYXJ5VmFsdWU="}}, true},
		{"BinaryEquals differs", `{"BinaryEquals": {"dynamodb:Key": "QmluYXJ5VmFsdWU="}}`, ctxMap{"dynamodb:Key": {"T3RoZXI="}}, false},
		{"BinaryEquals request not base64", `{"BinaryEquals": {"dynamodb:Key": "QmluYXJ5VmFsdWU="}}`, ctxMap{"dynamodb:Key": {"not base64!"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := condHolds(t, Version2012, tt.cond, tt.ctx); got != tt.want {
				t.Errorf("%s with %v: got %v, want %v", tt.cond, tt.ctx, got, tt.want)
			}
		})
	}
}

func TestPolicyVariables(t *testing.T) {
	ctx := ctxMap{
		"aws:username":          {"alice"},
		"aws:PrincipalTag/team": {"sales"},
		"aws:CalledVia":         {"athena.amazonaws.com", "glue.amazonaws.com"},
	}
	tests := []struct {
		name, version, resource, reqResource string
		want                                 bool
	}{
		{"username in resource", Version2012, "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/x", true},
		{"username other user", Version2012, "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/x", false},
		{"key name case-insensitive", Version2012, "arn:aws:s3:::home/${AWS:UserName}/*", "arn:aws:s3:::home/alice/x", true},
		{"principal tag", Version2012, "arn:aws:glue:*:*:database/${aws:PrincipalTag/team}", "arn:aws:glue:us-east-1:1:database/sales", true},
		{"missing variable matches nothing", Version2012, "arn:aws:s3:::home/${aws:PrincipalTag/dept}/*", "arn:aws:s3:::home/${aws:PrincipalTag/dept}/x", false},
		{"default used when missing", Version2012, "arn:aws:s3:::home/${aws:PrincipalTag/dept, 'shared'}/*", "arn:aws:s3:::home/shared/x", true},
		{"default ignored when present", Version2012, "arn:aws:s3:::home/${aws:username, 'shared'}/*", "arn:aws:s3:::home/shared/x", false},
		{"multivalued key is no variable", Version2012, "arn:aws:s3:::b/${aws:CalledVia}", "arn:aws:s3:::b/athena.amazonaws.com", false},
		{"${*} is a literal star", Version2012, "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", true},
		{"${*} is not a wildcard", Version2012, "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/anything", false},
		{"${?} is a literal question mark", Version2012, "arn:aws:s3:::b/a${?}", "arn:aws:s3:::b/a?", true},
		{"${?} is not a wildcard", Version2012, "arn:aws:s3:::b/a${?}", "arn:aws:s3:::b/ab", false},
		{"${$} is a dollar", Version2012, "arn:aws:s3:::b/${$}{x}", "arn:aws:s3:::b/${x}", true},
		{"2008-10-17 leaves variables alone", Version2008, "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/x", false},
		{"2008-10-17 text is literal", Version2008, "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/${aws:username}/x", true},
		{"no Version means 2008-10-17", "", "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			version := ""
			if tt.version != "" {
				version = fmt.Sprintf(`"Version": %q, `, tt.version)
			}
			p := mustParse(t, "p", fmt.Sprintf(`{%s"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": %q}}`, version, tt.resource))
			got := Evaluate(Request{Action: "s3:GetObject", Resource: tt.reqResource, Context: ctx}, p).Decision == Allowed
			if got != tt.want {
				t.Errorf("Resource %q vs %q: got %v, want %v", tt.resource, tt.reqResource, got, tt.want)
			}
		})
	}

	// In condition values.
	conds := []struct {
		cond string
		want bool
	}{
		{`{"StringEquals": {"s3:prefix": "home/${aws:username}"}}`, true},
		{`{"StringLike": {"s3:prefix": "home/${aws:username}*"}}`, true},
		{`{"StringLike": {"s3:prefix": "home/${aws:PrincipalTag/dept}*"}}`, false},
		{`{"StringNotEquals": {"s3:prefix": "home/${aws:PrincipalTag/dept}"}}`, true}, // an unresolvable value equals nothing
		{`{"StringEquals": {"s3:prefix": "home/${aws:PrincipalTag/dept, 'alice'}"}}`, true},
		{`{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/${aws:PrincipalTag/team}-*"}}`, true},
	}
	cctx := ctxMap{"aws:username": {"alice"}, "s3:prefix": {"home/alice"}, "aws:PrincipalTag/team": {"sales"}, "aws:PrincipalArn": {"arn:aws:iam::1:role/sales-analyst"}}
	for _, c := range conds {
		if got := condHolds(t, Version2012, c.cond, cctx); got != c.want {
			t.Errorf("%s: got %v, want %v", c.cond, got, c.want)
		}
	}
}

func TestEvaluatePrecedence(t *testing.T) {
	allowAll := mustParse(t, "allow.json", `{"Version": "2012-10-17", "Statement": [
		{"Sid": "Other", "Effect": "Allow", "Action": "glue:GetTable", "Resource": "*"},
		{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"},
		{"Sid": "Athena", "Effect": "Allow", "Action": "athena:*", "Resource": "*"}]}`)
	denyWG := mustParse(t, "deny.json", `{"Version": "2012-10-17", "Statement": [
		{"Sid": "NotThis", "Effect": "Deny", "Action": "s3:*", "Resource": "*"},
		{"Sid": "Primary", "Effect": "Deny", "Action": "athena:*", "Resource": "arn:aws:athena:*:*:workgroup/primary"},
		{"Sid": "Again", "Effect": "Deny", "Action": "athena:Start*", "Resource": "*"}]}`)
	start := func(wg string) Request {
		return Request{Action: "athena:StartQueryExecution", Resource: "arn:aws:athena:us-east-1:1:workgroup/" + wg}
	}
	tests := []struct {
		name     string
		req      Request
		policies []*Policy
		want     Decision
		policy   string
		sid      string
		index    int
	}{
		{"no policies", start("quilt"), nil, ImplicitlyDenied, "", "", 0},
		{"nil policy skipped", start("quilt"), []*Policy{nil, allowAll}, Allowed, "allow.json", "All", 1},
		{"first matching Allow decides", start("quilt"), []*Policy{allowAll}, Allowed, "allow.json", "All", 1},
		{"explicit deny beats allow", start("primary"), []*Policy{allowAll, denyWG}, ExplicitlyDenied, "deny.json", "Primary", 1},
		{"deny wins whatever the order", start("primary"), []*Policy{denyWG, allowAll}, ExplicitlyDenied, "deny.json", "Primary", 1},
		{"first matching Deny decides", start("primary"), []*Policy{denyWG}, ExplicitlyDenied, "deny.json", "Primary", 1},
		{"deny not matching leaves allow", Request{Action: "glue:GetTable", Resource: "*"}, []*Policy{denyWG, allowAll}, Allowed, "allow.json", "Other", 0},
		{"deny alone is implicit deny when it does not match", Request{Action: "glue:GetTable", Resource: "*"}, []*Policy{denyWG}, ImplicitlyDenied, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate(tt.req, tt.policies...)
			if r.Decision != tt.want || r.Policy != tt.policy {
				t.Fatalf("got %v by %q, want %v by %q", r.Decision, r.Policy, tt.want, tt.policy)
			}
			if tt.want == ImplicitlyDenied {
				if r.Statement != nil {
					t.Errorf("statement: got %+v, want nil", r.Statement)
				}
				return
			}
			if r.Statement == nil || r.Statement.Sid != tt.sid || r.Statement.Index != tt.index {
				t.Errorf("statement: got %+v, want Sid %q index %d", r.Statement, tt.sid, tt.index)
			}
		})
	}
}

func TestNotActionNotResource(t *testing.T) {
	p := mustParse(t, "p", `{"Version": "2012-10-17", "Statement": [
		{"Sid": "AllButIAM", "Effect": "Allow", "NotAction": ["iam:*", "sts:AssumeRole"], "Resource": "*"},
		{"Sid": "DenyOutsideBucket", "Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::quilt-data", "arn:aws:s3:::quilt-data/*"]}]}`)
	tests := []struct {
		action, resource string
		want             Decision
		sid              string
	}{
		{"athena:StartQueryExecution", "arn:aws:athena:us-east-1:1:workgroup/q", Allowed, "AllButIAM"},
		{"iam:CreateUser", "*", ImplicitlyDenied, ""},
		{"IAM:createuser", "*", ImplicitlyDenied, ""}, // NotAction is case-insensitive too
		{"sts:AssumeRole", "*", ImplicitlyDenied, ""},
		{"sts:GetCallerIdentity", "*", Allowed, "AllButIAM"},
		{"s3:GetObject", "arn:aws:s3:::quilt-data/k", Allowed, "AllButIAM"},
		{"s3:ListBucket", "arn:aws:s3:::quilt-data", Allowed, "AllButIAM"},
		{"s3:GetObject", "arn:aws:s3:::other/k", ExplicitlyDenied, "DenyOutsideBucket"},
		{"s3:ListAllMyBuckets", "*", ExplicitlyDenied, "DenyOutsideBucket"},
	}
	for _, tt := range tests {
		r := Evaluate(Request{Action: tt.action, Resource: tt.resource}, p)
		sid := ""
		if r.Statement != nil {
			sid = r.Statement.Sid
		}
		if r.Decision != tt.want || sid != tt.sid {
			t.Errorf("%s on %s: got %v (%q), want %v (%q)", tt.action, tt.resource, r.Decision, sid, tt.want, tt.sid)
		}
	}
}

// The Quilt enterprise shape: Glue only through Athena.
func TestCalledViaPolicy(t *testing.T) {
	p := mustParse(t, "quilt", `{"Version": "2012-10-17", "Statement": [
		{"Sid": "GlueViaAthena", "Effect": "Allow", "Action": ["glue:GetDatabase", "glue:GetTable"],
		 "Resource": ["arn:aws:glue:us-east-1:123456789012:catalog", "arn:aws:glue:us-east-1:123456789012:database/*", "arn:aws:glue:us-east-1:123456789012:table/*/*"],
		 "Condition": {"StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}}]}`)
	req := Request{Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:123456789012:table/sales/orders"}
	if got := Evaluate(req, p).Decision; got != ImplicitlyDenied {
		t.Errorf("direct call: got %v, want ImplicitlyDenied", got)
	}
	req.Context = ctxMap{"aws:CalledVia": {"athena.amazonaws.com"}}
	if got := Evaluate(req, p).Decision; got != Allowed {
		t.Errorf("via Athena: got %v, want Allowed", got)
	}
}

func TestHandBuiltPolicy(t *testing.T) {
	p := &Policy{Name: "hand", Version: Version2012, Statements: []Statement{{
		Effect: Allow, Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/${aws:username}/*"},
		Conditions: []Condition{{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"true"}}},
	}}}
	req := Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/al/k", Context: ctxMap{"aws:username": {"al"}, "aws:SecureTransport": {"true"}}}
	if got := Evaluate(req, p).Decision; got != Allowed {
		t.Errorf("uncompiled: got %v, want Allowed", got)
	}
	if err := p.Compile(); err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if got := Evaluate(req, p).Decision; got != Allowed {
		t.Errorf("compiled: got %v, want Allowed", got)
	}
	// Editing a parsed statement takes effect after Compile.
	p.Statements[0].Effect = Deny
	p.Statements[0].Conditions[0].Operator = "StringEqual"
	if err := p.Compile(); err == nil {
		t.Errorf("Compile with a bad operator: got nil, want an error")
	}
	if got := Evaluate(req, p).Decision; got != ImplicitlyDenied {
		t.Errorf("a condition that cannot compile never holds: got %v, want ImplicitlyDenied", got)
	}
}
