package iam

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseForms(t *testing.T) {
	p := mustParse(t, "forms.json", `{
  "Version": "2012-10-17",
  "Id": "quilt-athena",
  "Statement": [
    {"Sid": "One", "Effect": "Allow", "Action": "athena:GetWorkGroup", "Resource": "*"},
    {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "NotResource": "arn:aws:s3:::b",
     "Condition": {"NumericLessThan": {"s3:max-keys": 10}, "Bool": {"aws:SecureTransport": false},
                   "ForAnyValue:StringLike": {"aws:CalledVia": ["athena.*", "glue.*"]}}}
  ]
}`)
	if p.Name != "forms.json" || p.Version != Version2012 || p.ID != "quilt-athena" || len(p.Statements) != 2 {
		t.Fatalf("policy: got %q %q %q with %d statements, want forms.json 2012-10-17 quilt-athena with 2", p.Name, p.Version, p.ID, len(p.Statements))
	}
	s0, s1 := p.Statements[0], p.Statements[1]
	if s0.Sid != "One" || s0.Effect != Allow || !reflect.DeepEqual(s0.Actions, []string{"athena:GetWorkGroup"}) || !reflect.DeepEqual(s0.Resources, []string{"*"}) {
		t.Errorf("Statement[0]: got %+v", s0)
	}
	if s1.Index != 1 || s1.Effect != Deny || !reflect.DeepEqual(s1.NotActions, []string{"iam:*", "sts:*"}) || !reflect.DeepEqual(s1.NotResources, []string{"arn:aws:s3:::b"}) {
		t.Errorf("Statement[1]: got %+v", s1)
	}
	wantConds := []Condition{
		{Operator: "NumericLessThan", Key: "s3:max-keys", Values: []string{"10"}},
		{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"false"}},
		{Operator: "ForAnyValue:StringLike", Key: "aws:CalledVia", Values: []string{"athena.*", "glue.*"}},
	}
	if !reflect.DeepEqual(s1.Conditions, wantConds) {
		t.Errorf("conditions: got %+v, want %+v", s1.Conditions, wantConds)
	}

	// A single statement object, no Version, a byte-order mark.
	q := mustParse(t, "single", "\ufeff"+`{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}`)
	if q.Version != "" || len(q.Statements) != 1 || q.Statements[0].Index != 0 {
		t.Errorf("single statement: got version %q and %d statements, want none and 1", q.Version, len(q.Statements))
	}
	if _, err := Parse("old", []byte(`{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`)); err != nil {
		t.Errorf("Version 2008-10-17: got %v, want no error", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // substrings of the error, location first
	}{
		{"syntax: trailing comma", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\"},]\n}",
			[]string{"p.json: line 3, column 37:", "invalid JSON", "no comma before a closing"}},
		{"syntax: unterminated", "{\"Version\": \"2012-10-17\",\n \"Statement\": [",
			[]string{"line 2, column 16:", "ends too early"}},
		{"syntax: bad token", "{\n\"Version\": 2012-10-17}",
			[]string{"line 2, column ", "invalid JSON"}},
		{"syntax: trailing data", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}} {}`,
			[]string{"line 1, column 68:", "after the end of the policy"}},
		{"not an object", `["Statement"]`, []string{"line 1, column 1:", "is a list; want a JSON object"}},
		{"duplicate key", "{\"Statement\": {\"Effect\": \"Allow\",\n \"Effect\": \"Deny\"}}", []string{"line 2, column 2:", `duplicate key "Effect"`}},
		{"bad version", `{"Version": "2012-10-18", "Statement": []}`, []string{"line 1, column 13:", "Version:", `"2012-10-18" is not a policy language version`, `use "2012-10-17"`}},
		{"unknown top-level key", `{"Version": "2012-10-17", "Statment": []}`, []string{"line 1, column 27:", `unknown element "Statment"; did you mean "Statement"?`}},
		{"wrong-case key", `{"version": "2012-10-17", "Statement": []}`, []string{"line 1, column 2:", `write "Version"`}},
		{"no statement", `{"Version": "2012-10-17"}`, []string{"line 1, column 1:", "has no Statement"}},
		{"empty statement list", `{"Version": "2012-10-17", "Statement": []}`, []string{"Statement: Statement is an empty list"}},
		{"statement not object", `{"Statement": ["Allow"]}`, []string{"Statement[0]: a statement is a string"}},
		{"bad effect", "{\"Statement\": [\n {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n {\"Effect\": \"Permit\", \"Action\": \"*\", \"Resource\": \"*\"},\n {}]}",
			[]string{"line 3, column 13:", "Statement[1].Effect: Effect is \"Permit\"; want \"Allow\" or \"Deny\""}},
		{"lower-case effect", `{"Statement": {"Effect": "allow", "Action": "*", "Resource": "*"}}`, []string{"Statement.Effect:", `"allow"`, "case-sensitive"}},
		{"no effect", `{"Statement": {"Action": "*", "Resource": "*"}}`, []string{"Statement: the statement has no Effect"}},
		{"action and notaction", `{"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "iam:*", "Resource": "*"}}`, []string{"both Action and NotAction; keep one"}},
		{"no action", `{"Statement": {"Effect": "Allow", "Resource": "*"}}`, []string{"has no Action"}},
		{"resource and notresource", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*"}}`, []string{"both Resource and NotResource"}},
		{"no resource", `{"Statement": {"Effect": "Allow", "Action": "*"}}`, []string{"has no Resource", `"Resource": "*"`}},
		{"principal", `{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*"}}`, []string{"Statement.Principal: Principal is not allowed in an identity policy", "remove it"}},
		{"notprincipal", `{"Statement": {"Effect": "Allow", "NotPrincipal": "*", "Action": "*", "Resource": "*"}}`, []string{"NotPrincipal is not allowed"}},
		{"unknown statement key", `{"Statement": {"Effect": "Allow", "Actions": "*", "Resource": "*"}}`, []string{`Statement.Actions: unknown element "Actions"; did you mean "Action"?`}},
		{"action type", `{"Statement": {"Effect": "Allow", "Action": 3, "Resource": "*"}}`, []string{"Statement.Action: Action is a number; want a string or a list of strings"}},
		{"action list element", `{"Statement": {"Effect": "Allow", "Action": ["s3:GetObject", true], "Resource": "*"}}`, []string{"Statement.Action[1]: an action is a boolean"}},
		{"empty action list", `{"Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}}`, []string{"Action is an empty list"}},
		{"action form", `{"Statement": {"Effect": "Allow", "Action": ["s3:GetObject", "s3GetObject"], "Resource": "*"}}`, []string{"line 1, column 62:", "Statement.Action[1]:", `"service:ActionName"`}},
		{"action service wildcard", `{"Statement": {"Effect": "Allow", "Action": "s3*:Get", "Resource": "*"}}`, []string{"no wildcards"}},
		{"resource not arn", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": ["*", "bucket"]}}`, []string{"Statement.Resource[1]: resource \"bucket\" is not an ARN"}},
		{"bad variable", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/${aws:username"}}`, []string{"Statement.Resource:", "no closing brace"}},
		{"empty variable", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/${}"}}`, []string{"empty policy variable"}},
		{"variable default unquoted", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/${aws:username, x}"}}`, []string{"single quotes"}},
		{"sid characters", `{"Statement": {"Sid": "read tables", "Effect": "Allow", "Action": "*", "Resource": "*"}}`, []string{"Statement.Sid:", "only letters and digits"}},
		{"duplicate sid", `{"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"}, {"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"}]}`, []string{"line 1, column 89:", "Statement[1].Sid:", "also used by Statement[0]"}},
		{"condition not object", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": []}}`, []string{"Statement.Condition: Condition is a list"}},
		{"unknown operator", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqual": {"aws:username": "a"}}}}`, []string{"Statement.Condition.StringEqual:", `unknown condition operator "StringEqual"; did you mean "StringEquals"?`}},
		{"unknown qualifier", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForSomeValues:StringEquals": {"aws:username": "a"}}}}`, []string{`Statement.Condition["ForSomeValues:StringEquals"]:`, "ForAnyValue: or ForAllValues:"}},
		{"null if exists", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NullIfExists": {"aws:username": "true"}}}}`, []string{"Null takes no IfExists"}},
		{"operator block not object", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": "a"}}}`, []string{"want an object of condition keys"}},
		{"condition key prefix", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"username": "a"}}}}`, []string{"Statement.Condition.StringEquals.username:", "no service prefix"}},
		{"condition value null", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": null}}}}`, []string{`Statement.Condition.StringEquals["aws:username"]: a condition value is null`}},
		{"condition empty list", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": []}}}}`, []string{"value list is empty"}},
		{"numeric value", "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\",\n \"Condition\": {\"NumericLessThan\": {\"s3:max-keys\": [\"1\", \"ten\"]}}}}",
			[]string{"line 2, column 57:", `Statement.Condition.NumericLessThan["s3:max-keys"][1]: NumericLessThan: value "ten" is not a number`}},
		{"numeric variable", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": "${aws:EpochTime}"}}}}`, []string{"policy variables are not supported"}},
		{"date value", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "next week"}}}}`, []string{"is not a date", "ISO 8601"}},
		{"ip value", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}}}`, []string{"not an IP address or CIDR block"}},
		{"bool value", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}}`, []string{`value "yes" is not true or false`}},
		{"null value", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Null": {"aws:TokenIssueTime": "maybe"}}}}`, []string{"is not true or false"}},
		{"binary value", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"BinaryEquals": {"s3:x": "!!"}}}}`, []string{"not base64"}},
		{"too deep", strings.Repeat("[", 100) + strings.Repeat("]", 100), []string{"nested more than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("p.json", []byte(tt.doc))
			if err == nil {
				t.Fatalf("got policy %+v, want an error containing %q", p, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %T, want *ParseError", err)
			}
			if pe.Line == 0 || pe.Column == 0 {
				t.Errorf("location: got line %d column %d, want both set", pe.Line, pe.Column)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err.Error(), w)
				}
			}
		})
	}
}
