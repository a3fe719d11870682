package iam

import "testing"

func TestMatchAction(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"*", "athena:StartQueryExecution", true},
		{"athena:*", "athena:StartQueryExecution", true},
		{"athena:*", "glue:GetTable", false},
		{"ATHENA:startqueryexecution", "athena:StartQueryExecution", true}, // case-insensitive
		{"glue:Get*", "glue:GetTables", true},
		{"glue:Get*", "glue:CreateTable", false},
		{"glue:GetTable?", "glue:GetTables", true},
		{"glue:GetTable?", "glue:GetTable", false},
		{"glue:*Partition*", "glue:BatchGetPartition", true},
		{"s3:*Object", "s3:GetObjectTagging", false},
		{"s3:GetObject", "s3:GetObjectAcl", false},
	}
	for _, tt := range tests {
		if got := MatchAction(tt.pattern, tt.action); got != tt.want {
			t.Errorf("MatchAction(%q, %q): got %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
}

func TestMatchResource(t *testing.T) {
	tests := []struct {
		pattern, resource string
		want              bool
	}{
		{"*", "arn:aws:s3:::bucket", true},
		{"*", "*", true},
		{"arn:aws:s3:::bucket", "arn:aws:s3:::bucket", true},
		{"arn:aws:s3:::bucket", "arn:aws:s3:::Bucket", false}, // case-sensitive
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c.csv", true},
		{"arn:aws:s3:::bucket*", "arn:aws:s3:::bucket/a", true},
		{"arn:aws:s3:::res-?", "arn:aws:s3:::res-1", true},
		{"arn:aws:s3:::res-?", "arn:aws:s3:::res-12", false},
		// * within a segment does not run into the next one...
		{"arn:aws:glue:*:123456789012:table/db/*", "arn:aws:glue:us-east-1:123456789012:table/db/t", true},
		{"arn:aws:glue:us-*:*:catalog", "arn:aws:glue:us-east-1:123456789012:catalog", true},
		{"arn:aws:glue:us-*:*:catalog", "arn:aws:glue:eu-west-1:123456789012:catalog", false},
		{"arn:aws:glue:*:*:database/*", "arn:aws:glue:us-east-1:123456789012:table/db/t", false},
		// ...but the resource segment keeps its colons.
		{"arn:aws:lambda:*:*:function:conn*", "arn:aws:lambda:us-east-1:1:function:conn:prod", true},
		// A pattern cut short with a trailing * runs past the colons.
		{"arn:aws:s3:*", "arn:aws:s3:::bucket/key", true},
		{"arn:aws:*", "arn:aws:athena:us-east-1:1:workgroup/wg", true},
		{"arn:aws:athena:*", "arn:aws:glue:us-east-1:1:catalog", false},
		// ...while one without a trailing * must cover the whole ARN.
		{"arn:aws:s3", "arn:aws:s3:::bucket", false},
		{"arn:aws:s3:a*b", "arn:aws:s3:a:b", false},
		// An empty region and account match only empty or *.
		{"arn:aws:s3:us-east-1::bucket", "arn:aws:s3:::bucket", false},
		{"arn:aws:s3:*:*:bucket", "arn:aws:s3:::bucket", true},
		// A resource of "*" (an action with no resource type) needs "*".
		{"arn:aws:athena:*:*:workgroup/*", "*", false},
		{"arn:*", "*", false},
	}
	for _, tt := range tests {
		if got := MatchResource(tt.pattern, tt.resource); got != tt.want {
			t.Errorf("MatchResource(%q, %q): got %v, want %v", tt.pattern, tt.resource, got, tt.want)
		}
	}
}

func TestGlobPathological(t *testing.T) {
	// One backtrack point keeps this linear-ish; a naive recursive matcher
	// would take exponential time here.
	p, _ := compilePattern("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", true, false)
	s := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	if glob(p.parts, s) {
		t.Errorf("glob: got true, want false")
	}
	if !glob(p.parts, s+"b") {
		t.Errorf("glob: got false, want true")
	}
}

func TestGlobUnicode(t *testing.T) {
	p, _ := compilePattern("caf?-*", true, false)
	if !glob(p.parts, "café-x") {
		t.Errorf("glob(caf?-*, café-x): got false, want true (? is one character, not one byte)")
	}
}

func TestParseARN(t *testing.T) {
	a, err := ParseARN("arn:aws:lambda:us-east-1:123456789012:function:conn:prod")
	if err != nil {
		t.Fatal(err)
	}
	want := ARN{Partition: "aws", Service: "lambda", Region: "us-east-1", Account: "123456789012", Resource: "function:conn:prod"}
	if a != want {
		t.Errorf("ParseARN: got %+v, want %+v", a, want)
	}
	if got := a.String(); got != "arn:aws:lambda:us-east-1:123456789012:function:conn:prod" {
		t.Errorf("String: got %q, want the input back", got)
	}
	s3, err := ParseARN("arn:aws:s3:::bucket/key")
	if err != nil || s3.Region != "" || s3.Account != "" || s3.Resource != "bucket/key" {
		t.Errorf("ParseARN(s3): got %+v, %v, want empty region and account, resource bucket/key", s3, err)
	}
	for _, bad := range []string{"", "*", "arn:aws:s3", "arn::s3:::b", "nra:aws:s3:::b", "arn:aws::r:a:x"} {
		if _, err := ParseARN(bad); err == nil {
			t.Errorf("ParseARN(%q): got no error, want one", bad)
		}
	}
}
