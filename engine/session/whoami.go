package session

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/engine"
)

// Identity is who the session acts as: `quiltq whoami --json` prints it.
type Identity struct {
	CatalogURL   string   `json:"catalog_url,omitempty"`
	RegistryURL  string   `json:"registry_url,omitempty"`
	User         string   `json:"user,omitempty"`
	Email        string   `json:"email,omitempty"`
	Admin        bool     `json:"admin"`
	Role         string   `json:"role,omitempty"`
	Roles        []string `json:"roles"`
	PrincipalARN string   `json:"principal_arn"`
	Account      string   `json:"account"`
	// TokenExpiresAt is the access token's expiry; null for an API key or
	// plain AWS credentials.
	TokenExpiresAt *time.Time `json:"token_expires_at"`
	// CredentialSource is env, keyring, file, sandbox or aws;
	// CredentialDetail says more ("env QUILTQ_TOKEN", "aws profile dev").
	CredentialSource string `json:"credential_source"`
	CredentialDetail string `json:"credential_detail"`
}

// sourceKind is the short name of a credential source.
func sourceKind(source string) string {
	switch {
	case source == auth.SourceEnv:
		return "env"
	case source == auth.SourceKeyring, source == auth.SourceFile, source == auth.SourceSandbox:
		return source
	case strings.HasPrefix(source, "aws "):
		return "aws"
	}
	return source
}

// WhoAmI says who the session acts as: the Quilt user and role (from the
// registry, with a Quilt login) and the AWS principal (from STS).
func (s *Session) WhoAmI(ctx context.Context) (Identity, error) {
	if err := s.ready(); err != nil {
		return Identity{}, err
	}
	l := s.login
	id := Identity{CredentialSource: sourceKind(l.source), CredentialDetail: l.source, Roles: []string{}}
	if l.quilt != nil {
		id.CatalogURL, id.RegistryURL = l.catalog.URL, l.registry.URL
		access, err := l.quilt.AccessToken(ctx)
		if err != nil {
			return id, err
		}
		me, err := l.registry.Me(ctx, access)
		if err != nil {
			return id, err
		}
		id.User, id.Email, id.Admin, id.Role = me.Name, me.Email, me.IsAdmin, me.Role
		if me.Roles != nil {
			id.Roles = me.Roles
		}
		if exp := l.quilt.Expiry(); !exp.IsZero() {
			exp = exp.UTC()
			id.TokenExpiresAt = &exp
		}
	}
	c, err := auth.CallerIdentity(ctx, s.aws)
	if err != nil {
		return id, err
	}
	id.PrincipalARN, id.Account = c.ARN, c.Account
	return id, nil
}

// errNotQuilt is the error of a Quilt-only call on plain AWS credentials.
func errNotQuilt() error {
	return &engine.Error{Op: "role", Kind: engine.Credentials, Err: errors.New("Quilt roles need a Quilt login, and these are plain AWS credentials: run `quiltq login`")}
}

// Roles are the Quilt roles the user may switch to, and the current one.
func (s *Session) Roles(ctx context.Context) (current string, roles []string, err error) {
	if err := s.ready(); err != nil {
		return "", nil, err
	}
	l := s.login
	if l.quilt == nil {
		return "", nil, errNotQuilt()
	}
	access, err := l.quilt.AccessToken(ctx)
	if err != nil {
		return "", nil, err
	}
	me, err := l.registry.Me(ctx, access)
	if err != nil {
		return "", nil, err
	}
	return me.Role, me.Roles, nil
}

// SwitchRole switches the Quilt user to role name and returns the role
// now held. The AWS credentials of the old role are dropped, so that the
// next AWS call acts in the new one.
func (s *Session) SwitchRole(ctx context.Context, name string) (string, error) {
	if err := s.ready(); err != nil {
		return "", err
	}
	l := s.login
	if l.quilt == nil {
		return "", errNotQuilt()
	}
	access, err := l.quilt.AccessToken(ctx)
	if err != nil {
		return "", err
	}
	me, err := l.registry.SwitchRole(ctx, access, name)
	if err != nil {
		return "", err
	}
	// Credentials issued before the switch keep the old role until they
	// expire: drop them (those kept in the store too), so the next AWS call
	// acts in the new role.
	s.dropCredentials()
	return me.Role, nil
}

// dropCredentials forgets every AWS credential the session holds, kept
// ones included, and what it learned with them (the principal, the
// workgroup).
func (s *Session) dropCredentials() {
	l := s.login
	l.quilt.DropCredentials()
	if c, ok := l.creds.(*aws.CredentialsCache); ok {
		c.Invalidate()
	}
	s.mu.Lock()
	s.callerARN, s.wg, s.wgCached = "", nil, false
	s.mu.Unlock()
}

// dropKept drops the credentials kept from an earlier run when AWS
// refused err for them, and reports whether it did (the call may then be
// made once more, with new ones). Credentials fetched in this run are
// not dropped: asking again would not change the answer.
func (s *Session) dropKept(err error) bool {
	l := s.login
	if engine.KindOf(CredentialsCause(err)) != engine.Credentials || l == nil || l.quilt == nil {
		return false
	}
	s.mu.Lock()
	kept := s.keptCreds
	s.keptCreds = false
	s.mu.Unlock()
	if !kept {
		return false
	}
	s.dropCredentials()
	return true
}

// failed is err, after dropping kept credentials AWS refused (see
// dropKept): the next run then asks the registry for new ones.
func (s *Session) failed(err error) error {
	s.dropKept(err)
	return err
}

// Principal is the AWS principal the session acts as (STS
// GetCallerIdentity), read once.
func (s *Session) Principal(ctx context.Context) (string, error) {
	if err := s.ready(); err != nil {
		return "", err
	}
	s.mu.Lock()
	arn := s.callerARN
	s.mu.Unlock()
	if arn != "" {
		return arn, nil
	}
	quilt := s.login.quilt
	if quilt != nil {
		// Learned by an earlier run, with the credentials it kept.
		arn = quilt.Principal()
	}
	if arn == "" {
		var err error
		if arn, err = s.client.CallerARN(ctx); err != nil {
			return "", s.failed(err)
		}
		if quilt != nil {
			quilt.SetPrincipal(arn)
		}
	}
	s.mu.Lock()
	s.callerARN = arn
	s.mu.Unlock()
	return arn, nil
}
