package iam

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const allowAllDoc = `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`

// writeFiles writes each named document into a new directory and returns
// the directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, doc := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"all.json":       allowAllDoc,
		"broken.json":    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},]\n}",
		"principal.json": `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}`,
		"huge.json":      `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "` + strings.Repeat("a", 20000) + `"}}`,
	})
	tests := []struct {
		name   string
		files  []string
		parse  func(string, []byte) (*Policy, error)
		policy int      // policies read, when no error
		errIn  []string // substrings of the error, in order
	}{
		{"two policies", []string{"all.json", "all.json"}, Parse, 2, nil},
		{"none", nil, Parse, 0, nil},
		{"missing file", []string{"nope.json"}, Parse, 0, []string{"--policy: ", "nope.json", "check the --policy path and that the file is readable"}},
		{"JSON syntax", []string{"all.json", "broken.json"}, Parse, 0, []string{"--policy: malformed policy: ", "broken.json: line 3, column 69: invalid JSON", "fix the JSON at that line and column"}},
		{"element", []string{"principal.json"}, Parse, 0, []string{"--policy: malformed policy: ", "Principal is not allowed in an identity policy", "fix that element of the policy"}},
		{"resource policy without Principal", []string{"all.json"}, ParseResource, 0, []string{"--policy: malformed policy: ", "needs a Principal", "fix that element"}},
		{"over IAM's size", []string{"huge.json"}, Parse, 0, []string{"--policy: ", "IAM stores no identity policy larger than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, f := range tt.files {
				paths = append(paths, filepath.Join(dir, f))
			}
			got, err := ReadFiles(context.Background(), "--policy", paths, tt.parse)
			if tt.errIn == nil {
				if err != nil || len(got) != tt.policy {
					t.Fatalf("got %d policies and %v, want %d and no error", len(got), err, tt.policy)
				}
				for i, p := range got {
					if p.Name != paths[i] {
						t.Errorf("policy %d: got name %q, want %q", i, p.Name, paths[i])
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("got %d policies and no error, want an error with %q", len(got), tt.errIn)
			}
			assertInOrder(t, err.Error(), tt.errIn)
		})
	}
}

func TestReadSCPs(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"two.json":      `[[` + allowAllDoc + `], [` + allowAllDoc + `, ` + allowAllDoc + `]]`,
		"object.json":   `{"Version": "2012-10-17"}`,
		"empty.json":    `[]`,
		"flat.json":     `[` + allowAllDoc + `]`,
		"nolevel.json":  `[[` + allowAllDoc + `], []]`,
		"bad.json":      `[[` + allowAllDoc + `, {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}]]`,
		"too-long.json": `[[` + strings.Repeat(allowAllDoc+",", 3000) + allowAllDoc + `]]`,
	})
	tests := []struct {
		file   string
		levels []int // SCPs per level, when no error
		errIn  []string
	}{
		{"two.json", []int{1, 2}, nil},
		{"nope.json", nil, []string{"--scps: ", "check the --scps path"}},
		{"object.json", nil, []string{"--scps: ", "object.json is not a JSON array of levels", "from the root to the account"}},
		{"empty.json", nil, []string{"--scps: ", "empty.json has no level", "leave --scps out for an account in no organization"}},
		{"flat.json", nil, []string{"--scps: ", "flat.json[0] is not an array of SCP documents", "even of one SCP"}},
		{"nolevel.json", nil, []string{"--scps: ", "nolevel.json[1] holds no SCP", "give FullAWSAccess"}},
		{"bad.json", nil, []string{"--scps: malformed policy: ", "bad.json[0][1]", "fix that element"}},
		{"too-long.json", nil, []string{"--scps: ", "at most seven levels"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			got, err := ReadSCPs(context.Background(), "--scps", path)
			if tt.errIn != nil {
				if err == nil {
					t.Fatalf("got %d levels and no error, want an error with %q", len(got), tt.errIn)
				}
				assertInOrder(t, err.Error(), tt.errIn)
				return
			}
			if err != nil || len(got) != len(tt.levels) {
				t.Fatalf("got %d levels and %v, want %d levels", len(got), err, len(tt.levels))
			}
			for i, n := range tt.levels {
				if len(got[i]) != n {
					t.Errorf("level %d: got %d SCPs, want %d", i, len(got[i]), n)
				}
			}
			if want := path + "[1][1]"; got[1][1].Name != want {
				t.Errorf("name: got %q, want %q", got[1][1].Name, want)
			}
		})
	}
}

func TestIsSession(t *testing.T) {
	tests := []struct {
		arn  string
		want bool
	}{
		{"arn:aws:sts::123456789012:assumed-role/R/alice", true},
		{"arn:aws:sts::123456789012:federated-user/bob", true},
		{"arn:aws:iam::123456789012:user/carol", false},
		{"arn:aws:iam::123456789012:role/R", false},
		{"arn:aws:iam::123456789012:root", false},
		{"", false},
		{"alice", false},
	}
	for _, tt := range tests {
		if got := IsSession(tt.arn); got != tt.want {
			t.Errorf("IsSession(%q): got %v, want %v", tt.arn, got, tt.want)
		}
	}
}

func TestIsAccountID(t *testing.T) {
	for s, want := range map[string]bool{"123456789012": true, "12345678901": false, "1234567890123": false, "partner": false, "12345678901a": false, "": false} {
		if got := IsAccountID(s); got != want {
			t.Errorf("IsAccountID(%q): got %v, want %v", s, got, want)
		}
	}
}

func TestContextValues(t *testing.T) {
	r := Request{Context: map[string][]string{"aws:CalledVia": {"athena.amazonaws.com"}}}
	if got := r.ContextValues("AWS:calledvia"); len(got) != 1 || got[0] != "athena.amazonaws.com" {
		t.Errorf("got %q, want [athena.amazonaws.com] whatever the key's case", got)
	}
	if got := r.ContextValues("aws:PrincipalArn"); got != nil {
		t.Errorf("got %q for a key not given, want nil", got)
	}
}

// assertInOrder fails unless s holds each of want, in that order.
func assertInOrder(t *testing.T, s string, want []string) {
	t.Helper()
	rest := s
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("got %q, want it to hold %q (after the parts before it)", s, w)
			return
		}
		rest = rest[i+len(w):]
	}
}
