package session

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// grantCheck is the session's grant sources: the rules file, the Quilt
// role's buckets, and the known policy (built when first needed, since it
// needs the caller from STS), with the kind of each data catalog a query
// names, asked once.
type grantCheck struct {
	mu       sync.Mutex
	checker  grants.Checker // the rules file and the Quilt role
	policy   *grants.Policy // the known policy as a source; nil until built
	built    bool           // the policy source was tried
	catalogs map[string]bool
}

// rulesPath is the rules file to use: opts.GrantsFile, else grants.toml
// in the config dir when it exists. explicit says the user named it.
func (s *Session) rulesPath() (path string, explicit bool) {
	if s.opts.GrantsFile != "" {
		return s.opts.GrantsFile, true
	}
	if s.paths.ConfigDir == "" {
		return "", false
	}
	return filepath.Join(s.paths.ConfigDir, "grants.toml"), false
}

// localGrants is the grant check with the sources that need no login: the
// rules file. A rules file that does not parse is an error: a team's
// curation silently ignored would be a hole.
func (s *Session) localGrants() (*grantCheck, error) {
	gc := &grantCheck{catalogs: map[string]bool{}}
	path, explicit := s.rulesPath()
	if path == "" {
		return gc, nil
	}
	rules, err := grants.LoadRules(path)
	switch {
	case err == nil:
		gc.checker.Sources = append(gc.checker.Sources, rules)
	case errors.Is(err, fs.ErrNotExist) && !explicit:
	default:
		return nil, &engine.Error{Op: "read the grants rules file", Kind: engine.Invalid, Err: err}
	}
	return gc, nil
}

// addLogin adds the source a Quilt login gives: the role's buckets, read
// from the registry when a reference first needs them.
func (gc *grantCheck) addLogin(ctx context.Context, l *login) {
	if l == nil || l.registry == nil || l.quilt == nil {
		return
	}
	q := &grants.QuiltRole{Load: func() (string, []string, error) {
		token, err := l.quilt.AccessToken(ctx)
		if err != nil {
			return "", nil, err
		}
		return l.registry.RoleBuckets(ctx, token)
	}}
	if l.catalog != nil {
		q.TabulatorCatalog = l.catalog.TabulatorCatalog()
	}
	gc.checker.Sources = append(gc.checker.Sources, q)
}

// policySource is the known policy as a grant source, built once (it
// needs the caller from STS); nil when no policy is known or the caller
// cannot be read.
func (s *Session) policySource(ctx context.Context) *grants.Policy {
	gc := s.grants
	gc.mu.Lock()
	built := gc.built
	gc.mu.Unlock()
	if built {
		return gc.policy
	}
	known := s.Known()
	var p *grants.Policy
	if known != nil && s.client != nil {
		caller, err := s.Caller(ctx)
		if err != nil {
			s.warn("who you are could not be read from STS, so %s is not checked: %v", known.Source, err)
		} else {
			label := known.Source
			if known.Role != "" {
				label = "role " + known.Role + "'s policy"
			}
			p = &grants.Policy{Label: label, Policies: known.Documents, Caller: caller, Region: s.aws.Region, Others: known.all()}
			if arn, err := iam.ParseARN(caller.ARN); err == nil {
				p.Account = arn.Account
			}
		}
	}
	gc.mu.Lock()
	defer gc.mu.Unlock()
	if !gc.built {
		gc.built, gc.policy = true, p
	}
	return gc.policy
}

// sources are the grant sources, the known policy among them when
// withPolicy.
func (s *Session) sources(ctx context.Context, withPolicy bool) grants.Checker {
	gc := s.grants
	c := grants.Checker{Sources: append([]grants.Source(nil), gc.checker.Sources...)}
	if withPolicy {
		if p := s.policySource(ctx); p != nil {
			c.Sources = append(c.Sources, p)
		}
	}
	return c
}

// GrantsActive reports whether any grant source is configured (with
// withPolicy, the known policy counts).
func (s *Session) GrantsActive(ctx context.Context, withPolicy bool) bool {
	return len(s.sources(ctx, withPolicy).Sources) > 0
}

// refsOf extracts the references of one statement with the session's
// defaults (AwsDataCatalog and default when none is set, as Athena does).
func refsOf(sql, catalog, database string) ([]engine.Ref, error) {
	if catalog == "" {
		catalog = iam.DefaultCatalog
	}
	if database == "" {
		database = "default"
	}
	return sqlref.Extract(sql, sqlref.Defaults{Catalog: catalog, Database: database})
}

// Refs are the table references of one statement, with stmt's catalog and
// database (the session's when "", else AwsDataCatalog and default, as
// Athena does).
func (s *Session) Refs(stmt Statement) ([]engine.Ref, error) {
	stmt = s.defaults(stmt)
	return refsOf(stmt.SQL, stmt.Catalog, stmt.Database)
}

// Decide checks refs of a statement of kind against the grant sources
// (the known policy among them when withPolicy), first describing to the
// policy the data catalogs they name (a Lambda catalog's function decides
// access to it).
func (s *Session) Decide(ctx context.Context, refs []engine.Ref, kind iam.StatementKind, withPolicy bool) []grants.Decision {
	c := s.sources(ctx, withPolicy)
	gc := s.grants
	if withPolicy && s.client != nil {
		gc.mu.Lock()
		p := gc.policy
		gc.mu.Unlock()
		for _, r := range refs {
			if p == nil {
				break
			}
			name := strings.ToLower(r.Catalog)
			gc.mu.Lock()
			done := name == strings.ToLower(iam.DefaultCatalog) || gc.catalogs[name]
			gc.catalogs[name] = true
			gc.mu.Unlock()
			if done {
				continue
			}
			if dc, err := s.client.DescribeDataCatalog(ctx, r.Catalog); err == nil {
				gc.mu.Lock()
				p.Catalogs = append(p.Catalogs, iam.DataCatalog{Name: r.Catalog, Type: dc.Type, Function: dc.Function()})
				gc.mu.Unlock()
			}
		}
	}
	gc.mu.Lock()
	defer gc.mu.Unlock()
	return c.Check(refs, kind)
}

// StatementKind is what a statement does, as far as permissions go; a
// statement it cannot classify is decided as a SELECT for its reads (its
// write references keep the kind the grants give them).
func StatementKind(sql string) iam.StatementKind {
	k, err := explain.StatementKind(sql)
	if err != nil {
		return iam.Select
	}
	return k
}

// PreloadGrants reads what the sources need from the network (the Quilt
// role's buckets, the caller for a known policy) now, at start-up, rather
// than on the first query.
func (s *Session) PreloadGrants(ctx context.Context) {
	for _, src := range s.sources(ctx, true).Sources {
		if q, ok := src.(*grants.QuiltRole); ok {
			q.Preload()
		}
	}
}

// FilterListing hides from a listing what the grants deny (the known
// policy among them): a table whose read is denied, a database whose
// tables are all hidden (or which is denied itself when it has none).
func (s *Session) FilterListing(ctx context.Context, l engine.Listing) engine.Listing {
	c := s.sources(ctx, true)
	if len(c.Sources) == 0 {
		return l
	}
	gc := s.grants
	gc.mu.Lock()
	defer gc.mu.Unlock()
	denied := func(r engine.Ref) bool {
		return c.Check([]engine.Ref{r}, iam.Select)[0].Verdict == grants.Denied
	}
	keepTable := map[[3]string]bool{}
	keepDB := map[[2]string]bool{}
	for _, c := range l.Catalogs {
		for _, d := range c.Databases {
			any := false
			for _, t := range d.Tables {
				if !denied(engine.Ref{Catalog: strings.ToLower(c.Name), Database: strings.ToLower(d.Name), Table: strings.ToLower(t.Name), Access: engine.Read}) {
					keepTable[[3]string{c.Name, d.Name, t.Name}] = true
					any = true
				}
			}
			if any || len(d.Tables) == 0 && !denied(engine.Ref{Catalog: strings.ToLower(c.Name), Database: strings.ToLower(d.Name), Table: "*", Access: engine.Metadata}) {
				keepDB[[2]string{c.Name, d.Name}] = true
			}
		}
	}
	return l.Filter(func(c, d, t string) bool {
		switch {
		case d == "":
			return true
		case t == "":
			return keepDB[[2]string{c, d}]
		}
		return keepTable[[3]string{c, d, t}]
	})
}

// trinoStatement reports whether word starts a Trino statement that the
// reference check does not read (Trino's SqlBase.g4, rule `statement`):
// SQL starting with one is valid SQL whose tables cannot be told, not a
// syntax error.
func trinoStatement(word string) bool {
	switch strings.ToLower(word) {
	case "use", "truncate", "comment", "analyze", "refresh", "call", "grant", "revoke", "deny",
		"set", "reset", "start", "commit", "rollback":
		return true
	}
	return false
}

// syntaxOf is the syntax error a failure of the reference check is: SQL
// that does not lex or parse, as Athena would refuse it too. It is nil
// when err is nil or is the check's own limit (a statement or construct it
// cannot read, a prepared statement, no default database): that SQL may
// be valid, and is only not sent.
func syntaxOf(err error) *engine.SyntaxError {
	var se *sqlref.Error
	if !errors.As(err, &se) {
		return nil
	}
	msg := se.Msg
	if rest, ok := strings.CutPrefix(msg, "unsupported statement "); ok {
		word, _, _ := strings.Cut(rest, ":")
		if strings.Contains(word, " ") || trinoStatement(word) {
			return nil // CREATE FUNCTION, CALL, ...: valid, not readable
		}
		return &engine.SyntaxError{Line: se.Line, Column: se.Col, Message: fmt.Sprintf("%s does not start a statement (SELECT, WITH, INSERT, CREATE, SHOW, DESCRIBE, ...)", word)}
	}
	for _, limit := range []string{"cannot tell", "not supported by the reference check", "prepared statement", "no default", "nesting deeper"} {
		if strings.Contains(msg, limit) {
			return nil
		}
	}
	return &engine.SyntaxError{Line: se.Line, Column: se.Col, Message: msg}
}
