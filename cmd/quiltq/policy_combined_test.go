package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestPolicyEvalCombined runs `quiltq policy eval` with every policy type's
// flag: which type decides, the JSON fields that say so, and the errors of
// bad files and of flags that cannot apply.
func TestPolicyEvalCombined(t *testing.T) {
	const (
		session = "arn:aws:sts::123456789012:assumed-role/Reader/alice"
		user    = "arn:aws:iam::123456789012:user/bob"
		object  = "arn:aws:s3:::data/warehouse/customers/part-0.csv"
		other   = "arn:aws:s3:::partner/share.csv"
	)
	files := map[string]string{
		"all.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`,
		"session.json": `{"Version": "2012-10-17", "Statement": [
			{"Effect": "Allow", "Action": "athena:*", "Resource": "*"},
			{"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}`,
		"boundary.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["athena:*", "s3:*"], "Resource": "*"}]}`,
		"scps.json": `[
			[{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}],
			[{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
			 {"Version": "2012-10-17", "Statement": [{"Sid": "NoGlueDeletes", "Effect": "Deny", "Action": "glue:Delete*", "Resource": "*"}]}]]`,
		"scps-athena-only.json": `[[{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "athena:*", "Resource": "*"}]}]]`,
		"bucket.json": `{"Version": "2012-10-17", "Statement": [
			{"Sid": "NoCustomerData", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/warehouse/customers/*"}]}`,
		"bucket-alice.json": `{"Version": "2012-10-17", "Statement": [
			{"Sid": "Alice", "Effect": "Allow", "Principal": {"AWS": "` + session + `"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`,
		"partner.json": `{"Version": "2012-10-17", "Statement": [
			{"Sid": "ReaderRole", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/Reader"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::partner/*"}]}`,
		"no-principal.json":  `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`,
		"scps-object.json":   `{"Version": "2012-10-17", "Statement": []}`,
		"scps-flat.json":     `[{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]`,
		"scps-empty.json":    `[[]]`,
		"scps-none.json":     `[]`,
		"scps-broken.json":   `[[{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}]]`,
		"huge.json":          `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::` + strings.Repeat("x", 11000) + `"}]}`,
		"huge-in-scps.json":  `[[{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "` + strings.Repeat("x", 180000) + `"}]}]]`,
		"identity-deny.json": `{"Version": "2012-10-17", "Statement": [{"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}`,
	}
	dir := t.TempDir()
	for name, doc := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)

	get := func(resource string) []string { return []string{"--action", "s3:GetObject", "--resource", resource} }
	args := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	as := func(p string) []string { return []string{"--principal", p} }
	js := []string{"--json"}

	tests := []struct {
		name string
		args []string
		code int
		// want is the --json line, or a substring of the text line.
		want     string
		stderrIn []string
	}{
		// Session policies (rule 11).
		{"session policy lacks an Allow", args([]string{"--policy", "all.json", "--session-policy", "session.json"}, as(session), get(object), js), exitOK,
			`{"decision":"ImplicitlyDenied","denied_by":"session","allowed_by":"none","scp_level":null,"cross_account":false,"statement":null}`, nil},
		{"session policy denies", args([]string{"--policy", "all.json", "--session-policy", "session.json"}, as(session), []string{"--action", "s3:DeleteObject", "--resource", object}), exitOK,
			`ExplicitlyDenied by the session policy: Statement[1] (Sid "NoDeletes") of session.json explicitly denies s3:DeleteObject on ` + object, nil},
		{"session policy allows within the role", args([]string{"--policy", "all.json", "--session-policy", "session.json"}, as(session), []string{"--action", "athena:GetWorkGroup", "--resource", "*"}, js), exitOK,
			`{"decision":"Allowed","denied_by":"none","allowed_by":"identity","scp_level":null,"cross_account":false,"statement":{"policy":"all.json","sid":"","index":0}}`, nil},
		// Permissions boundary (rule 10).
		{"boundary lacks an Allow", args([]string{"--policy", "all.json", "--boundary", "boundary.json"}, as(session), []string{"--action", "glue:GetTable", "--resource", "arn:aws:glue:us-east-1:123456789012:table/sales/orders"}), exitOK,
			"ImplicitlyDenied by the permissions boundary: no statement in boundary.json allows glue:GetTable", nil},
		{"boundary json", args([]string{"--policy", "all.json", "--boundary", "boundary.json"}, as(user), []string{"--action", "glue:GetTable", "--resource", "*"}, js), exitOK,
			`{"decision":"ImplicitlyDenied","denied_by":"boundary","allowed_by":"none","scp_level":null,"cross_account":false,"statement":null}`, nil},
		// SCPs, level by level (rule 3).
		{"SCP denies at level 1", args([]string{"--policy", "all.json", "--scps", "scps.json"}, as(session), []string{"--action", "glue:DeleteTable", "--resource", "*"}, js), exitOK,
			`{"decision":"ExplicitlyDenied","denied_by":"scp","allowed_by":"none","scp_level":1,"cross_account":false,"statement":{"policy":"scps.json[1][1]","sid":"NoGlueDeletes","index":0}}`, nil},
		{"SCP at the root lacks an Allow", args([]string{"--policy", "all.json", "--scps", "scps-athena-only.json"}, as(session), get(object)), exitOK,
			"ImplicitlyDenied by the service control policy at level 0: no statement in scps-athena-only.json[0][0] allows s3:GetObject", nil},
		{"SCPs allow", args([]string{"--policy", "all.json", "--scps", "scps.json"}, as(session), get(object), js), exitOK,
			`{"decision":"Allowed","denied_by":"none","allowed_by":"identity","scp_level":null,"cross_account":false,"statement":{"policy":"all.json","sid":"","index":0}}`, nil},
		// Resource policies (rules 2, 4, 5, 12).
		{"bucket policy denies", args([]string{"--policy", "all.json", "--resource-policy", "bucket.json"}, as(session), get(object), js), exitOK,
			`{"decision":"ExplicitlyDenied","denied_by":"resource","allowed_by":"none","scp_level":null,"cross_account":false,"statement":{"policy":"bucket.json","sid":"NoCustomerData","index":0}}`, nil},
		{"bucket policy denies, text", args([]string{"--policy", "all.json", "--resource-policy", "bucket.json"}, as(session), get(object)), exitOK,
			`ExplicitlyDenied by the resource-based policy: Statement[0] (Sid "NoCustomerData") of bucket.json explicitly denies s3:GetObject`, nil},
		{"bucket policy alone grants the session", args([]string{"--resource-policy", "bucket-alice.json"}, as(session), get(object), js), exitOK,
			`{"decision":"Allowed","denied_by":"none","allowed_by":"resource","scp_level":null,"cross_account":false,"statement":{"policy":"bucket-alice.json","sid":"Alice","index":0}}`, nil},
		{"another account's bucket allows the role", args([]string{"--policy", "all.json", "--resource-policy", "partner.json", "--resource-account", "444455556666"}, as(session), get(other), js), exitOK,
			`{"decision":"Allowed","denied_by":"none","allowed_by":"resource","scp_level":null,"cross_account":true,"statement":{"policy":"partner.json","sid":"ReaderRole","index":0}}`, nil},
		{"another account's bucket without a policy", args([]string{"--policy", "all.json", "--resource-account", "444455556666"}, as(session), get(other)), exitOK,
			"ImplicitlyDenied by the resource-based policy, across accounts: the resource is another account's and no resource-based policy was given (--resource-policy)", nil},
		{"across accounts the identity side must allow too", args([]string{"--policy", "session.json", "--resource-policy", "partner.json", "--resource-account", "444455556666"}, as(session), get(other), js), exitOK,
			`{"decision":"ImplicitlyDenied","denied_by":"identity","allowed_by":"none","scp_level":null,"cross_account":true,"statement":null}`, nil},
		{"an explicit Deny in the identity policy beats the bucket's Allow", args([]string{"--policy", "identity-deny.json", "--resource-policy", "bucket-alice.json"}, as(session), get(object), js), exitOK,
			`{"decision":"ExplicitlyDenied","denied_by":"identity","allowed_by":"none","scp_level":null,"cross_account":false,"statement":{"policy":"identity-deny.json","sid":"NoS3","index":0}}`, nil},

		// Bad input.
		{"session policy without a session principal", args([]string{"--policy", "all.json", "--session-policy", "session.json"}, get(object)), exitUsage, "",
			[]string{"--session-policy needs --principal to be a session"}},
		{"session policy on an IAM user", args([]string{"--policy", "all.json", "--session-policy", "session.json"}, as(user), get(object)), exitUsage, "",
			[]string{"session policies limit only sessions"}},
		{"principal not an ARN", args([]string{"--policy", "all.json"}, as("alice"), get(object)), exitUsage, "", []string{"--principal:", "is not an ARN"}},
		{"resource account not an id", args([]string{"--policy", "all.json", "--resource-account", "partner"}, as(session), get(other)), exitUsage, "",
			[]string{`--resource-account "partner" is not a 12-digit AWS account id`}},
		{"resource account without principal", args([]string{"--policy", "all.json", "--resource-account", "444455556666"}, get(other)), exitUsage, "",
			[]string{"--resource-account needs --principal"}},
		{"resource policy without Principal", args([]string{"--policy", "all.json", "--resource-policy", "no-principal.json"}, as(session), get(object)), exitUsage, "",
			[]string{"--resource-policy: malformed policy: no-principal.json", "needs a Principal", "fix that element"}},
		{"unreadable boundary", args([]string{"--policy", "all.json", "--boundary", "nope.json"}, as(session), get(object)), exitUsage, "",
			[]string{"--boundary: read nope.json", "check the --boundary path"}},
		{"policy over IAM's size", args([]string{"--policy", "huge.json"}, get(object)), exitUsage, "",
			[]string{"--policy:", "huge.json holds 11,", "10,240"}},
		{"SCPs not an array", args([]string{"--policy", "all.json", "--scps", "scps-object.json"}, get(object)), exitUsage, "",
			[]string{"scps-object.json is not a JSON array of levels", "from the root to the account"}},
		{"SCP level not an array", args([]string{"--policy", "all.json", "--scps", "scps-flat.json"}, get(object)), exitUsage, "",
			[]string{"scps-flat.json[0] is not an array of SCP documents"}},
		{"SCP level empty", args([]string{"--policy", "all.json", "--scps", "scps-empty.json"}, get(object)), exitUsage, "",
			[]string{"scps-empty.json[0] holds no SCP"}},
		{"SCPs without a level", args([]string{"--policy", "all.json", "--scps", "scps-none.json"}, get(object)), exitUsage, "",
			[]string{"scps-none.json has no level", "leave --scps out"}},
		{"SCP malformed", args([]string{"--policy", "all.json", "--scps", "scps-broken.json"}, get(object)), exitUsage, "",
			[]string{"--scps: malformed policy: scps-broken.json[0][0]"}},
		{"SCPs over Organizations' sizes", args([]string{"--policy", "all.json", "--scps", "huge-in-scps.json"}, get(object)), exitUsage, "",
			[]string{"--scps:", "179,200", "5,120 characters"}},
		{"neither identity nor resource policy", args(as(session), get(object)), exitUsage, "", []string{"missing --policy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"policy", "eval"}, tt.args...), streams{In: strings.NewReader(""), Out: &out, Err: &errb}, func(string) string { return "" })
			if code != tt.code {
				t.Fatalf("exit code: got %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			got := strings.TrimSuffix(out.String(), "\n")
			switch {
			case tt.code != exitOK:
				if got != "" {
					t.Errorf("stdout: got %q, want nothing", got)
				}
			case strings.HasPrefix(tt.want, "{"):
				if got != tt.want {
					t.Errorf("stdout:\ngot  %s\nwant %s", got, tt.want)
				}
			case !strings.Contains(got, tt.want):
				t.Errorf("stdout: got %q, want it to contain %q", got, tt.want)
			}
			for _, w := range tt.stderrIn {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr: got %q, want it to contain %q", errb.String(), w)
				}
			}
		})
	}
}

// The --json line always has the same fields, whatever decided, so that a
// script can read denied_by without testing for it.
func TestPolicyEvalJSONShape(t *testing.T) {
	dir := t.TempDir()
	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`
	if err := os.WriteFile(filepath.Join(dir, "p.json"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	want := []string{"allowed_by", "cross_account", "decision", "denied_by", "scp_level", "statement"}
	for _, action := range []string{"s3:GetObject", "s3:PutObject"} {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"policy", "eval", "--json", "--policy", filepath.Join(dir, "p.json"), "--action", action, "--resource", "*"},
			streams{Out: &out, Err: &errb}, func(string) string { return "" })
		if code != exitOK {
			t.Fatalf("%s: exit %d, stderr %q", action, code, errb.String())
		}
		var m map[string]any
		if err := json.Unmarshal(out.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v in %q", action, err, out.String())
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !reflect.DeepEqual(keys, want) {
			t.Errorf("%s: keys %v, want %v", action, keys, want)
		}
		if by, _ := m["denied_by"].(string); (action == "s3:GetObject") != (by == "none") {
			t.Errorf("%s: denied_by %q", action, by)
		}
	}
}
