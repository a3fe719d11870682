package workbench

import (
	"context"
	"testing"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui"
	"github.com/quiltq/quiltq/ui/results"
)

// Connected to the sandbox as its admin, the workbench's configuration
// names the user, role and workgroup, and its engine runs a query through
// the session: progress reports, the final state, and the rows, with how
// they were fetched.
func TestConnectRunsAQuery(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	vars := map[string]string{"XDG_CACHE_HOME": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir()}
	getenv := func(k string) string { return vars[k] }
	s, err := config.Load(getenv, "")
	if err != nil {
		t.Fatal(err)
	}
	u := env.User(t, "admin")
	opts := session.Options{Settings: s, Getenv: getenv,
		Login: &session.TokenLogin{CatalogURL: env.Info.CatalogURL, RefreshToken: u.RefreshToken, AWSEndpointURL: env.Info.AWSEndpointURL, Source: auth.SourceSandbox}}
	look, err := LookOf(s, true, false)
	if err != nil {
		t.Fatal(err)
	}
	w := New(opts, look)
	if w.Engine() != nil {
		t.Fatal("an engine before Connect")
	}
	ctx := sandboxtest.Context(t)
	cfg, err := w.Connect(ctx)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if cfg.Identity.User != "admin" || cfg.Identity.Role != u.Role || cfg.Identity.Workgroup == "" || cfg.History == nil || cfg.Check == nil {
		t.Errorf("config: identity %+v, history %v, check set %v; want admin in role %s, a workgroup, a history and a check", cfg.Identity, cfg.History != nil, cfg.Check != nil, u.Role)
	}
	eng, ok := cfg.Engine.(*Engine)
	if !ok || eng != w.Engine() {
		t.Fatalf("config's engine %T is not the one the workbench kept", cfg.Engine)
	}
	id, err := eng.Start(ctx, ui.Submission{SQL: "SELECT 1 AS one"})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	p, err := eng.Wait(ctx, id, func(ui.Progress) {})
	if err != nil || p.ID != id || p.State != "SUCCEEDED" {
		t.Fatalf("Wait: %+v, %v; want %s SUCCEEDED", p, err, id)
	}
	rows, err := eng.Open(ctx, id)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rows.Close()
	row, err := rows.Next()
	if err != nil || len(row) != 1 || row[0].Text != "1" || rows.Columns()[0].Name != "one" {
		t.Fatalf("rows: %v %v (%v); want one = 1", rows.Columns(), row, err)
	}
	if pr, ok := rows.(results.PathRows); !ok {
		t.Error("the rows do not say how they are fetched")
	} else if via, _ := pr.FetchPath(); via == "" {
		t.Error("the rows say no fetch path")
	}
	if stopped := eng.StopLive(context.Background()); len(stopped) != 0 {
		t.Errorf("StopLive stopped %v after the query ended; want none", stopped)
	}
}
