package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine/iam"
)

const explainAlice = "arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/alice"

func runExplainText(t *testing.T, text string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	st := streams{In: strings.NewReader(text), Out: &out, Err: &errb}
	code = run(context.Background(), append([]string{"explain"}, args...), st, func(string) string { return "" })
	return code, out.String(), errb.String()
}

func TestExplainJSON(t *testing.T) {
	glueDenial := "Insufficient permissions to execute the query. User: " + explainAlice + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:table/sales/orders because no identity-based policy allows the glue:GetTable action"
	tests := []struct {
		name string
		in   string
		args []string
		code int
		want map[string]any // top-level members to compare (JSON-decoded)
		fix  bool           // a fix statement is expected
	}{
		{
			name: "identity refusal: fix given",
			in:   glueDenial, code: exitOK, fix: true,
			want: map[string]any{"denied": true, "category": "permission", "actions": []any{"glue:GetTable"},
				"resources": []any{"arn:aws:glue:us-east-1:123456789012:table/sales/orders"}, "principal": explainAlice,
				"policy_type": "identity", "explicit_deny": false, "service": "glue"},
		},
		{
			name: "explicit deny: no fix, who says what to change",
			in:   "User: " + explainAlice + " is not authorized to perform: athena:StartQueryExecution on resource: arn:aws:athena:us-east-1:123456789012:workgroup/primary with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/DenyPrimary",
			code: exitOK,
			want: map[string]any{"denied": true, "policy_type": "identity", "explicit_deny": true, "fix": nil},
		},
		{
			name: "SCP: no fix",
			in:   "An error occurred (AccessDeniedException) when calling the GetDatabases operation: User: " + explainAlice + " is not authorized to perform: glue:GetDatabases on resource: arn:aws:glue:us-east-1:123456789012:catalog with an explicit deny in a service control policy",
			code: exitOK,
			want: map[string]any{"denied": true, "policy_type": "scp", "explicit_deny": true, "fix": nil},
		},
		{
			name: "expired token: credentials, never a policy",
			in:   `{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}`,
			code: exitOK,
			want: map[string]any{"denied": false, "category": "credentials", "actions": nil, "resources": nil, "principal": nil,
				"policy_type": nil, "explicit_deny": nil, "service": nil, "fix": nil},
		},
		{
			name: "opaque S3 403: nulls where the text says nothing",
			in:   "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
			code: exitOK,
			want: map[string]any{"denied": true, "category": "permission", "actions": nil, "principal": nil, "policy_type": nil,
				"explicit_deny": nil, "service": "s3", "fix": nil},
		},
		{
			name: "Athena's short denial with the workgroup given",
			in:   "You are not authorized to perform: athena:GetWorkGroup on the resource. After your AWS administrator or you have updated your permissions, please try again.",
			args: []string{"-w", "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup", "--region", "us-east-1", "--account", "123456789012"},
			code: exitOK, fix: true,
			want: map[string]any{"denied": true, "actions": []any{"athena:GetWorkGroup"}, "resources": nil, "explicit_deny": nil},
		},
		{
			name: "results write: the action is implied, not named",
			in:   "Access denied when writing output to url: s3://quilt-athena-results/athena/1b2c.csv . Please ensure you are allowed to access the S3 bucket.",
			code: exitOK, fix: true,
			want: map[string]any{"denied": true, "actions": nil, "implied_actions": []any{"s3:PutObject"}, "explicit_deny": nil, "decode_command": nil},
		},
		{
			name: "Lake Formation: explicit deny unknown, not false",
			in:   "Insufficient Lake Formation permission(s): Required Select on orders",
			code: exitOK,
			want: map[string]any{"denied": true, "policy_type": "lakeformation", "explicit_deny": nil, "fix": nil},
		},
		{
			name: "encoded authorization message: the command that reads it",
			in:   "API: ec2:RunInstances You are not authorized to perform this operation. Encoded authorization failure message: rHU-pVHMSckD0OAc5l3r9-gKN1XZ",
			code: exitOK, fix: true,
			want: map[string]any{"denied": true, "actions": []any{"ec2:RunInstances"}, "explicit_deny": nil,
				"decode_command": "aws sts decode-authorization-message --encoded-message rHU-pVHMSckD0OAc5l3r9-gKN1XZ --query DecodedMessage --output text"},
		},
		{
			name: "nothing recognizable",
			in:   "the build broke again, see attached",
			code: exitFailed,
			want: map[string]any{"denied": false, "category": "other", "fix": nil, "who_can_fix": nil},
		},
	}
	keys := []string{"denied", "category", "actions", "implied_actions", "resources", "principal", "policy_type", "explicit_deny", "service", "decode_command", "fix", "who_can_fix"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runExplainText(t, tt.in, append([]string{"--json"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			for _, k := range keys {
				if _, ok := got[k]; !ok {
					t.Errorf("member %q missing from %s", k, out)
				}
			}
			if len(got) != len(keys) {
				t.Errorf("%d members, want exactly %d: %s", len(got), len(keys), out)
			}
			for k, want := range tt.want {
				g, _ := json.Marshal(got[k])
				w, _ := json.Marshal(want)
				if string(g) != string(w) {
					t.Errorf("%s = %s, want %s", k, g, w)
				}
			}
			if (got["fix"] != nil) != tt.fix {
				t.Fatalf("fix = %v, want a fix: %v", got["fix"], tt.fix)
			}
			if tt.fix {
				doc, _ := json.Marshal(got["fix"])
				if _, err := iam.Parse("fix", doc); err != nil {
					t.Errorf("fix is not a policy IAM reads: %v\n%s", err, doc)
				}
				if got["who_can_fix"] == nil {
					t.Error("who_can_fix is null for a refusal")
				}
			}
		})
	}
}

// The fix printed for the Glue refusal allows the refused call through
// Athena, on the table and its ancestors.
func TestExplainFixAllows(t *testing.T) {
	in := "Insufficient permissions to execute the query. User: " + explainAlice + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:table/sales/orders because no identity-based policy allows the glue:GetTable action"
	_, out, _ := runExplainText(t, in, "--json")
	var got struct{ Fix json.RawMessage }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	p, err := iam.Parse("fix", got.Fix)
	if err != nil {
		t.Fatalf("fix: %v\n%s", err, got.Fix)
	}
	for _, r := range []string{"catalog", "database/sales", "table/sales/orders"} {
		req := iam.Requirement{Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:123456789012:" + r, Via: iam.ViaAthena}
		if d := iam.Evaluate(req.Request(iam.Caller{ARN: explainAlice}), p).Decision; d != iam.Allowed {
			t.Errorf("glue:GetTable on %s through Athena: %v", r, d)
		}
	}
}

func TestExplainText(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "err.txt")
	scp := "User: " + explainAlice + " is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::quilt-sandbox-bucket/x\" with an explicit deny in a service control policy"
	if err := os.WriteFile(file, []byte(scp), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		in     string
		args   []string
		code   int
		outIn  []string
		outOut []string
	}{
		{"identity refusal", "User: " + explainAlice + " is not authorized to perform: glue:GetDatabases on resource: arn:aws:glue:us-east-1:123456789012:catalog because no identity-based policy allows the glue:GetDatabases action",
			nil, exitOK, []string{"refused: no statement in an identity-based policy allows it", "glue:GetDatabases", "role ReadWriteQuiltV2-sales-prod", `"Effect": "Allow"`}, nil},
		{"SCP from a file", "", []string{file}, exitOK,
			[]string{"refused: explicitly denied by a service control policy", "Organizations administrator", "no statement in the role's own policies can override it", "no identity-policy statement fixes this"},
			[]string{`"Effect"`}},
		{"credentials", "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.",
			nil, exitOK, []string{"not a refusal: credentials", "quiltq login", "no policy change helps"}, []string{`"Effect"`}},
		{"throttling", "ThrottlingException: Rate exceeded", nil, exitOK, []string{"not a refusal: throttling"}, []string{"who:"}},
		{"unrecognized", "hello", nil, exitFailed, []string{"not recognized"}, nil},
		{"output bucket: both readings and how to tell", "InvalidRequestException: Unable to verify/create output bucket quilt-athena-results", nil, exitOK,
			[]string{"possibly a refusal", "aws s3api get-bucket-location --bucket quilt-athena-results", "NoSuchBucket", "AccessDenied"}, []string{`"Effect"`}},
		{"encoded message: the decode command", "API: ec2:RunInstances You are not authorized to perform this operation. Encoded authorization failure message: rHU-pVHMSckD0OAc5l3r9-gKN1XZ", nil, exitOK,
			[]string{"ec2:RunInstances", "decode:", "aws sts decode-authorization-message --encoded-message rHU-pVHMSckD0OAc5l3r9-gKN1XZ"}, nil},
		{"implied action", "Access denied when writing output to url: s3://quilt-athena-results/athena/1.csv . Please ensure you are allowed to access the S3 bucket.", nil, exitOK,
			[]string{"implied:", "s3:PutObject", `"Effect": "Allow"`}, []string{"actions:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runExplainText(t, tt.in, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			for _, s := range tt.outIn {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tt.outOut {
				if strings.Contains(out, s) {
					t.Errorf("output has %q:\n%s", s, out)
				}
			}
		})
	}
}

func TestExplainUsage(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		tty    bool
		args   []string
		errSub string
	}{
		{"empty text", "  \n", false, nil, "no text to explain"},
		{"terminal stdin and no file", "", true, nil, "give a FILE, or pipe"},
		{"missing file", "", false, []string{"/nonexistent/err.txt"}, "give a readable FILE"},
		{"two files", "", false, []string{"a", "b"}, "give one FILE"},
		{"bad flag", "", false, []string{"--nope"}, "unknown flag: --nope"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		st := streams{In: strings.NewReader(tt.in), InTTY: tt.tty, Out: &out, Err: &errb}
		code := run(context.Background(), append([]string{"explain"}, tt.args...), st, func(string) string { return "" })
		if code != exitUsage || !strings.Contains(errb.String(), tt.errSub) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, code, errb.String(), exitUsage, tt.errSub)
		}
	}
}
