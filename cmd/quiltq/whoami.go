package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/engine"
)

// identity is what `quiltq whoami --json` prints.
type identity struct {
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

// runWhoami is `quiltq whoami [--json]`.
func runWhoami(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
	fs := flag.NewFlagSet("quiltq whoami", flag.ContinueOnError)
	connectionFlags(fs, g)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if code := parseFlags(fs, args, st); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(st.Err, "quiltq whoami: takes no arguments")
		return exitUsage
	}
	a := newApp(g, st, getenv)
	defer a.close()
	qs, err := a.session(ctx, false)
	if err == nil {
		var id identity
		if id, err = whoami(ctx, qs); err == nil {
			if *asJSON {
				enc := json.NewEncoder(st.Out)
				enc.SetIndent("", "  ")
				_ = enc.Encode(id)
			} else {
				printIdentity(st, id)
			}
			return exitOK
		}
	}
	err = credentialsCause(err)
	fmt.Fprintf(st.Err, "quiltq whoami: %v\n", err)
	return exitCode(err)
}

func whoami(ctx context.Context, qs *querySession) (identity, error) {
	l := qs.login
	id := identity{CredentialSource: sourceKind(l.source), CredentialDetail: l.source, Roles: []string{}}
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
	c, err := auth.CallerIdentity(ctx, qs.aws)
	if err != nil {
		return id, err
	}
	id.PrincipalARN, id.Account = c.ARN, c.Account
	return id, nil
}

func printIdentity(st streams, id identity) {
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(st.Out, "%-18s %s\n", k+":", v)
		}
	}
	if id.User != "" {
		row("user", id.User+" <"+id.Email+">")
	}
	row("role", id.Role)
	if len(id.Roles) > 0 {
		row("roles", strings.Join(id.Roles, ", "))
	}
	row("AWS principal", id.PrincipalARN)
	row("catalog", id.CatalogURL)
	if id.TokenExpiresAt != nil {
		row("token expires", id.TokenExpiresAt.Format(time.RFC3339))
	}
	row("credential source", id.CredentialDetail)
}

// dropCredentials forgets every AWS credential the login cached, so that
// the next call fetches credentials for the current Quilt role.
func (l *login) dropCredentials() {
	if c, ok := l.creds.(*aws.CredentialsCache); ok {
		c.Invalidate()
	}
}

// runRole is `quiltq role [NAME]`: list the Quilt roles, or switch.
func runRole(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
	fs := flag.NewFlagSet("quiltq role", flag.ContinueOnError)
	connectionFlags(fs, g)
	pos, code := parseInterspersed(fs, args, st)
	if code >= 0 {
		return code
	}
	if len(pos) > 1 {
		fmt.Fprintln(st.Err, "quiltq role: give at most one role name")
		return exitUsage
	}
	name := ""
	if len(pos) == 1 {
		name = pos[0]
	}
	a := newApp(g, st, getenv)
	defer a.close()
	err := a.role(ctx, name)
	if err != nil {
		err = credentialsCause(err)
		fmt.Fprintf(st.Err, "quiltq role: %v\n", err)
		return exitCode(err)
	}
	return exitOK
}

func (a *app) role(ctx context.Context, name string) error {
	qs, err := a.session(ctx, false)
	if err != nil {
		return err
	}
	l := qs.login
	if l.quilt == nil {
		return &engine.Error{Op: "role", Kind: engine.Credentials, Err: errors.New("Quilt roles need a Quilt login, and these are plain AWS credentials: run `quiltq login`")}
	}
	access, err := l.quilt.AccessToken(ctx)
	if err != nil {
		return err
	}
	if name == "" {
		me, err := l.registry.Me(ctx, access)
		if err != nil {
			return err
		}
		for _, r := range me.Roles {
			mark := "  "
			if r == me.Role {
				mark = "* "
			}
			fmt.Fprintln(a.st.Out, mark+r)
		}
		return nil
	}
	me, err := l.registry.SwitchRole(ctx, access, name)
	if err != nil {
		return err
	}
	// Credentials issued before the switch keep the old role until they
	// expire: drop them, so the next AWS call acts in the new role.
	l.dropCredentials()
	fmt.Fprintf(a.st.Out, "Switched to role %s\n", me.Role)
	if c, err := auth.CallerIdentity(ctx, qs.aws); err == nil {
		fmt.Fprintf(a.st.Out, "AWS principal: %s\n", c.ARN)
	} else {
		fmt.Fprintf(a.st.Err, "quiltq role: the switch is made, but STS could not say who you are now: %v\n", err)
	}
	return nil
}
