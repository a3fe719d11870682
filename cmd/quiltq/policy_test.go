package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyEval(t *testing.T) {
	// policyFiles are written to a temporary directory that the test runs in,
	// so outputs name them by their relative paths.
	policyFiles := map[string]string{
		"role.json": `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "AthenaList", "Effect": "Allow", "Action": "athena:ListWorkGroups", "Resource": "*"},
	    {"Sid": "AthenaWorkgroup", "Effect": "Allow", "Action": "athena:*",
	     "Resource": "arn:aws:athena:us-east-1:123456789012:workgroup/*"},
	    {"Effect": "Allow", "Action": "glue:GetTable", "Resource": "arn:aws:glue:us-east-1:123456789012:table/*/*",
	     "Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}},
	    {"Sid": "OwnResults", "Effect": "Allow", "Action": "s3:GetObject",
	     "Resource": "arn:aws:s3:::results/${aws:PrincipalArn}/*"}
	  ]
	}`,
		"deny.json": `{"Version": "2012-10-17", "Statement": [
	  {"Sid": "NoPrimary", "Effect": "Deny", "Action": "athena:*", "Resource": "arn:aws:athena:*:*:workgroup/primary"}]}`,
		"broken.json":    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},]\n}",
		"principal.json": `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}`,
	}

	dir := t.TempDir()
	for name, doc := range policyFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)

	wg := "arn:aws:athena:us-east-1:123456789012:workgroup/"
	table := "arn:aws:glue:us-east-1:123456789012:table/sales/orders"
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string
		stderrIn []string // substrings of stderr
	}{
		{"allowed", []string{"--policy", "role.json", "--action", "athena:StartQueryExecution", "--resource", wg + "quilt"}, exitOK,
			`Allowed by the identity-based policy: Statement[1] (Sid "AthenaWorkgroup") of role.json allows athena:StartQueryExecution on ` + wg + "quilt\n", nil},
		{"explicit deny wins", []string{"--policy", "role.json", "--policy", "deny.json", "--action", "athena:StartQueryExecution", "--resource", wg + "primary"}, exitOK,
			`ExplicitlyDenied by the identity-based policy: Statement[0] (Sid "NoPrimary") of deny.json explicitly denies athena:StartQueryExecution on ` + wg + "primary\n", nil},
		{"implicit deny", []string{"--policy", "role.json", "--policy", "deny.json", "--action", "s3:PutObject", "--resource", "arn:aws:s3:::b/k"}, exitOK,
			"ImplicitlyDenied by the identity-based policy: no statement in role.json, deny.json allows s3:PutObject on arn:aws:s3:::b/k\n", nil},
		{"statement without Sid", []string{"--policy", "role.json", "--action", "glue:GetTable", "--resource", table, "--context", "aws:CalledVia=athena.amazonaws.com"}, exitOK,
			"Allowed by the identity-based policy: Statement[2] of role.json allows glue:GetTable on " + table + "\n", nil},
		{"direct Glue call is denied", []string{"--policy", "role.json", "--action", "glue:GetTable", "--resource", table}, exitOK,
			"ImplicitlyDenied by the identity-based policy: no statement in role.json allows glue:GetTable on " + table + "\n", nil},
		{"repeated --context is multivalued", []string{"--policy", "role.json", "--action", "glue:GetTable", "--resource", table,
			"--context", "aws:CalledVia=glue.amazonaws.com", "--context", "aws:CalledVia=athena.amazonaws.com", "--json"}, exitOK,
			`{"decision":"Allowed","denied_by":"none","allowed_by":"identity","scp_level":null,"cross_account":false,"statement":{"policy":"role.json","sid":"","index":2}}` + "\n", nil},
		{"--principal feeds aws:PrincipalArn", []string{"--policy", "role.json", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::results/arn:aws:sts::1:assumed-role/Q/al/q.csv",
			"--principal", "arn:aws:sts::1:assumed-role/Q/al", "--json"}, exitOK,
			`{"decision":"Allowed","denied_by":"none","allowed_by":"identity","scp_level":null,"cross_account":false,"statement":{"policy":"role.json","sid":"OwnResults","index":3}}` + "\n", nil},
		{"json explicit deny", []string{"--json", "--policy", "deny.json", "--policy", "role.json", "--action", "athena:GetWorkGroup", "--resource", wg + "primary"}, exitOK,
			`{"decision":"ExplicitlyDenied","denied_by":"identity","allowed_by":"none","scp_level":null,"cross_account":false,"statement":{"policy":"deny.json","sid":"NoPrimary","index":0}}` + "\n", nil},
		{"json implicit deny", []string{"--json", "--policy", "deny.json", "--action", "athena:GetWorkGroup", "--resource", wg + "quilt"}, exitOK,
			`{"decision":"ImplicitlyDenied","denied_by":"identity","allowed_by":"none","scp_level":null,"cross_account":false,"statement":null}` + "\n", nil},
		{"help", []string{"-h"}, exitOK, "", nil},
		{"missing flags", []string{"--policy", "role.json"}, exitUsage, "", []string{"missing --action, --resource", "quiltq policy eval -h"}},
		{"no flags", nil, exitUsage, "", []string{"missing --policy, --action, --resource"}},
		{"bad flag", []string{"--polcy", "role.json"}, exitUsage, "", []string{"unknown flag: --polcy", "--policy"}},
		{"bad context", []string{"--policy", "role.json", "--action", "s3:GetObject", "--resource", "*", "--context", "aws:CalledVia"}, exitUsage, "", []string{`--context "aws:CalledVia" is not KEY=VALUE`}},
		{"stray argument", []string{"--policy", "role.json", "--action", "s3:GetObject", "--resource", "*", "deny.json"}, exitUsage, "", []string{`unexpected argument "deny.json"`}},
		{"unreadable file", []string{"--policy", "nope.json", "--action", "s3:GetObject", "--resource", "*"}, exitUsage, "", []string{"nope.json", "check the --policy path"}},
		{"JSON syntax error", []string{"--policy", "role.json", "--policy", "broken.json", "--action", "s3:GetObject", "--resource", "*"}, exitUsage, "",
			[]string{"--policy: malformed policy: broken.json: line 3, column 69: invalid JSON", "fix the JSON at that line and column"}},
		{"semantic error", []string{"--policy", "principal.json", "--action", "s3:GetObject", "--resource", "*"}, exitUsage, "",
			[]string{"--policy: malformed policy: principal.json: line 1, column 60: Statement.Principal: Principal is not allowed in an identity policy", "fix that element"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"policy", "eval"}, tt.args...)
			code := run(context.Background(), args, streams{In: strings.NewReader(""), Out: &out, Err: &errb}, func(string) string { return "" })
			if code != tt.code {
				t.Errorf("exit code: got %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			if tt.name == "help" {
				if !strings.Contains(out.String(), "quiltq policy eval --policy FILE") || !strings.Contains(out.String(), "--context") {
					t.Errorf("help: got %q, want the usage on stdout", out.String())
				}
			} else if out.String() != tt.stdout {
				t.Errorf("stdout:\ngot  %q\nwant %q", out.String(), tt.stdout)
			}
			for _, w := range tt.stderrIn {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr: got %q, want it to contain %q", errb.String(), w)
				}
			}
			if tt.code == exitOK && tt.stderrIn == nil && errb.Len() > 0 {
				t.Errorf("stderr: got %q, want nothing", errb.String())
			}
		})
	}
}

func TestPolicySubcommand(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"policy"}, exitUsage, "usage: quiltq policy eval"},
		{[]string{"policy", "check"}, exitUsage, `unknown subcommand "check"`},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(context.Background(), tt.args, streams{Out: &out, Err: &errb}, func(string) string { return "" })
		if code != tt.code || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%v: got %d and %q, want %d and a message containing %q", tt.args, code, errb.String(), tt.code, tt.want)
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"policy", "--help"}, streams{Out: &out, Err: io.Discard}, func(string) string { return "" }); code != exitOK || !strings.Contains(out.String(), "quiltq policy eval") {
		t.Errorf("policy --help: got %d and %q on stdout, want 0 and the usage", code, out.String())
	}
}
