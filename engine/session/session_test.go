package session_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/session"
)

// requestLog collects the sandbox's request log.
type requestLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *requestLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// ops are the AWS operations logged so far, in order.
func (l *requestLog) ops() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.buf.String(), "\n") {
		if !strings.Contains(line, "msg=aws") {
			continue
		}
		_, op, _ := strings.Cut(line, " op=")
		if strings.HasPrefix(op, `"`) {
			op, _, _ = strings.Cut(op[1:], `"`)
		} else {
			op, _, _ = strings.Cut(op, " ")
		}
		out = append(out, op)
	}
	return out
}

// open opens a session on env as user, as `quiltq --sandbox` does: the
// user's login handed in, the role's policies known and changeable.
func open(t *testing.T, env *sandboxtest.Env, user string) *session.Session {
	t.Helper()
	return openAs(t, env, user, func(role string) *session.Policies {
		return &session.Policies{Documents: env.Authorizer().Policies(role), Role: role, Source: "the sandbox's role " + role}
	})
}

// openAs opens a session on env as user with the policies known of the
// user's role, changeable, as `quiltq --sandbox` does.
func openAs(t *testing.T, env *sandboxtest.Env, user string, policies func(role string) *session.Policies) *session.Session {
	t.Helper()
	vars := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir()}
	getenv := func(k string) string { return vars[k] }
	st, err := config.Load(getenv, "")
	if err != nil {
		t.Fatal(err)
	}
	u := env.User(t, user)
	s, err := session.Open(context.Background(), session.Options{
		Settings: st, Getenv: getenv,
		Login:    &session.TokenLogin{CatalogURL: env.Info.CatalogURL, RefreshToken: u.RefreshToken, AWSEndpointURL: env.Info.AWSEndpointURL, Source: auth.SourceSandbox},
		Policies: policies(u.Role),
		Roles:    env, // the sandbox changes its roles, as for --sandbox
	})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func loggedSandbox(t *testing.T) (*sandboxtest.Env, *requestLog) {
	log := &requestLog{}
	env := sandboxtest.Start(t, sandbox.Options{Log: slog.New(slog.NewTextHandler(log, nil))})
	return env, log
}

// The admin's query passes the check and returns its rows, with no code
// of package main: what an MCP server does with one Session.
func TestHeadlessAdminQueryReturnsRows(t *testing.T) {
	env, _ := loggedSandbox(t)
	s := open(t, env, "admin")
	ctx := context.Background()
	stmt := session.Statement{SQL: "SELECT region, count(*) AS n FROM sales.orders GROUP BY region ORDER BY region"}
	if _, err := s.Check(ctx, stmt); err != nil {
		t.Fatalf("check: %v", err)
	}
	x, err := s.Run(ctx, stmt, nil)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	rows, err := s.Results(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if cols := rows.Columns(); len(cols) != 2 || cols[0].Name != "region" || cols[1].Name != "n" {
		t.Fatalf("columns %+v, want region and n", cols)
	}
	n := 0
	for {
		r, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if r[0].Null || r[1].Text == "" {
			t.Errorf("row %d: %+v", n, r)
		}
		n++
	}
	if n == 0 {
		t.Error("no rows")
	}
	if live := s.StopLive(ctx); len(live) != 0 {
		t.Errorf("a finished query is still live: %v", live)
	}
}

// The analyst's query is refused before anything reaches Athena's query
// API, with every missing pair and the one statement that fixes them;
// after the statement is applied to the role, the same query runs.
func TestHeadlessAnalystRefusedBeforeSending(t *testing.T) {
	env, log := loggedSandbox(t)
	s := open(t, env, "analyst")
	ctx := context.Background()
	stmt := session.Statement{SQL: "SELECT count(*) AS n FROM sales.orders"}
	_, err := s.Check(ctx, stmt)
	var r *session.Refusal
	if !errors.As(err, &r) || engine.KindOf(err) != engine.Denied {
		t.Fatalf("check: %v, want a *session.Refusal of kind Denied", err)
	}
	if r.Fix.Policy == nil || !strings.Contains(r.Fix.Policy.JSON(), "glue:GetTable") || !strings.Contains(r.Fix.Policy.JSON(), "glue:GetPartitions") {
		t.Fatalf("the fix does not cover the whole query: %v", r.Fix.Policy)
	}
	if !strings.HasSuffix(r.Principal, ":assumed-role/ReadWriteQuiltV2-sales-prod/analyst") {
		t.Errorf("principal %q", r.Principal)
	}
	for _, op := range log.ops() {
		if op == "StartQueryExecution" {
			t.Fatalf("a refused query was sent: %v", log.ops())
		}
	}
	note, err := s.ApplyFix(ctx, r.Fix.Policy.JSON())
	if err != nil || !strings.Contains(note, "quiltq-fix-1") {
		t.Fatalf("apply: %q, %v", note, err)
	}
	if _, err := s.Check(ctx, stmt); err != nil {
		t.Fatalf("after the fix, the check still refuses: %v", err)
	}
	if _, err := s.Run(ctx, stmt, nil); err != nil {
		t.Fatalf("after the fix, AWS refuses: %v", err)
	}
}

// The check before sending and `explain --sql` are one: after doctor's
// statement is applied, the check refuses exactly when the policies lack
// a pair the statement needs, and names the pairs Needs and Missing list
// (s3:ListBucket on the table's data among them). Before, the workbench's
// check looked only at the Glue and Lambda actions of the tables and let
// through a query AWS then refused.
func TestCheckIsExplainSQL(t *testing.T) {
	env, _ := loggedSandbox(t)
	s := open(t, env, "analyst")
	ctx := context.Background()
	rep, err := s.Doctor(ctx, session.DoctorOptions{})
	if err != nil || rep.Fix == nil {
		t.Fatalf("doctor: %v, fix %v", err, rep.Fix)
	}
	if _, err := s.ApplyFix(ctx, rep.Fix.JSON()); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		"SELECT * FROM benchmarks.numbers LIMIT 5", // data in a bucket the role may not list
		"SELECT * FROM sales.orders LIMIT 5",       // data in the role's own bucket
		"SELECT 1",
	} {
		stmt := session.Statement{SQL: sql}
		n, err := s.Needs(ctx, stmt)
		if err != nil {
			t.Fatalf("%s: needs: %v", sql, err)
		}
		gaps, known := s.Missing(n)
		if !known {
			t.Fatal("the sandbox's policies are not known")
		}
		essential := 0
		for _, g := range gaps {
			if !session.FastPath(g) {
				essential++
			}
		}
		_, cerr := s.Check(ctx, stmt)
		var r *session.Refusal
		refused := errors.As(cerr, &r)
		if refused != (essential > 0) {
			t.Errorf("%s: check refused %v (%v), explain --sql lists %d missing pairs: %+v", sql, refused, cerr, essential, gaps)
			continue
		}
		if refused && len(r.Gaps) != len(gaps) {
			t.Errorf("%s: the check names %d pairs, explain --sql %d", sql, len(r.Gaps), len(gaps))
		}
		if strings.Contains(sql, "benchmarks") {
			named := false
			for _, g := range gapsOf(r) {
				named = named || g.Action == "s3:ListBucket" && g.Resource == "arn:aws:s3:::sales-prod-analyticsbucket-0o2h8f5nq4ve"
			}
			if !named || !strings.Contains(cerr.Error(), "s3:ListBucket") {
				t.Errorf("%s: the refusal does not name s3:ListBucket on the table's bucket: %v", sql, cerr)
			}
		}
	}
}

// A table a grant source refuses is refused by the same check, before any
// AWS call, as a *grants.Refusal that no IAM statement fixes.
func TestCheckGrantsRefuseFirst(t *testing.T) {
	env, log := loggedSandbox(t)
	s := open(t, env, "reader")
	ctx := context.Background()
	_, err := s.Check(ctx, session.Statement{SQL: `SELECT * FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail"`})
	var g *grants.Refusal
	if !errors.As(err, &g) || g.ByIAM() {
		t.Fatalf("check: %v, want the Quilt role's refusal", err)
	}
	if ops := log.ops(); len(ops) != 0 {
		t.Errorf("a refusal by the grants made AWS calls: %v", ops)
	}
	fix, notes, err := s.QueryFix(ctx, session.Statement{SQL: "SELECT 1"}, err)
	if fix != "" || err != nil || len(notes) == 0 || !strings.Contains(notes[0], "Quilt admin") {
		t.Errorf("query fix of a bucket refusal: %q %q %v", fix, notes, err)
	}
}

func gapsOf(r *session.Refusal) []iam.Gap {
	if r == nil {
		return nil
	}
	return r.Gaps
}
