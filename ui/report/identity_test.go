package report

import (
	"strings"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine/session"
)

// whoami's text: a line for each thing known, aligned, in a fixed order;
// nothing for what is not known (plain AWS credentials have no user,
// role or token).
func TestIdentity(t *testing.T) {
	expires := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		name string
		id   session.Identity
		want string
	}{
		{"quilt login", session.Identity{User: "alice", Email: "alice@example.com", Role: "R", Roles: []string{"R", "S"},
			PrincipalARN: "arn:aws:sts::1:assumed-role/R/alice", CatalogURL: "https://c.example.com", TokenExpiresAt: &expires, CredentialDetail: "keyring"},
			"user:              alice <alice@example.com>\n" +
				"role:              R\n" +
				"roles:             R, S\n" +
				"AWS principal:     arn:aws:sts::1:assumed-role/R/alice\n" +
				"catalog:           https://c.example.com\n" +
				"token expires:     2026-01-02T03:04:05Z\n" +
				"credential source: keyring\n"},
		{"plain AWS", session.Identity{PrincipalARN: "arn:aws:iam::1:user/bob", CredentialDetail: "aws profile dev"},
			"AWS principal:     arn:aws:iam::1:user/bob\n" +
				"credential source: aws profile dev\n"},
	} {
		var b strings.Builder
		Identity(&b, tt.id)
		if b.String() != tt.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tt.name, b.String(), tt.want)
		}
	}
}

// login's text: who, where, as which role and principal, kept where.
func TestLoggedIn(t *testing.T) {
	var b strings.Builder
	LoggedIn(&b, session.LoggedIn{CatalogURL: "https://catalog.example.com", Name: "alice", Email: "alice@example.com",
		Role: "ReadQuiltV2", Principal: "arn:aws:sts::123456789012:assumed-role/ReadQuiltV2/alice", Where: "the OS keyring"})
	want := `Logged in to https://catalog.example.com as alice <alice@example.com>
  role:          ReadQuiltV2
  AWS principal: arn:aws:sts::123456789012:assumed-role/ReadQuiltV2/alice
  stored in:     the OS keyring
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
