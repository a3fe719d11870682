package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/catalogcache"
	engexplain "github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/results"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

// fakeEngine is a pane-level stand-in; whole flows run on the real
// engine in cmd/quiltq's tests.
type fakeEngine struct{}

func (fakeEngine) Start(context.Context, string) (string, error) { return "id", nil }
func (fakeEngine) Wait(context.Context, string, func(Progress)) (Progress, error) {
	return Progress{}, nil
}
func (fakeEngine) Open(context.Context, string) (results.Rows, error) { return nil, nil }
func (fakeEngine) Listing(context.Context) (engine.Listing, error)    { return engine.Listing{}, nil }
func (fakeEngine) History(context.Context) ([]history.Entry, error)   { return nil, nil }
func (fakeEngine) FixContext() engexplain.Context                     { return engexplain.Context{} }
func (fakeEngine) QueryFix(context.Context, string, error) (string, []string, error) {
	return `{"Statement": "whole"}`, []string{"a note"}, nil
}

func newModel(l *engine.Listing) Model {
	m := New(Config{Engine: fakeEngine{}, Keys: keys.Default(), Theme: theme.New(theme.Options{NoColor: true}),
		Identity: status.Identity{User: "ana", Role: "r", Workgroup: "wg", Catalog: "AwsDataCatalog"}, Listing: l})
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	return mm.(Model)
}

func TestStaleRepliesAreDropped(t *testing.T) {
	m := newModel(nil)
	mm, _ := m.startRun("SELECT 1")
	m = mm.(Model)
	mm, _ = m.startRun("SELECT 2")
	m = mm.(Model)
	mm, cmd := m.Update(QueryStartedMsg{Run: m.run - 1, ID: "old"})
	m = mm.(Model)
	if cmd != nil || m.QueryID() == "old" {
		t.Fatalf("a reply of the previous run was taken: query %q, cmd %v", m.QueryID(), cmd != nil)
	}
	mm, cmd = m.Update(QueryStartedMsg{Run: m.run, ID: "new"})
	m = mm.(Model)
	if cmd == nil || m.QueryID() != "new" {
		t.Fatalf("the current run's reply was dropped: query %q", m.QueryID())
	}
}

func TestHelpIsGeneratedFromTheKeymap(t *testing.T) {
	m := newModel(nil)
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	mm, _ = mm.Update(tea.KeyPressMsg{Code: tea.KeyF1})
	v := ansi.Strip(mm.(Model).Render())
	for _, want := range []string{"ctrl+enter/f5/ctrl+r", "run the query", "esc/ctrl+c"} {
		if !strings.Contains(v, want) {
			t.Errorf("help lacks %q:\n%s", want, v)
		}
	}
}

func TestResizeKeepsTheScreenInBounds(t *testing.T) {
	m := newModel(nil)
	for _, size := range [][2]int{{60, 15}, {200, 60}, {80, 24}} {
		mm, _ := m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		lines := strings.Split(ansi.Strip(mm.(Model).Render()), "\n")
		if len(lines) != size[1] {
			t.Errorf("at %dx%d the screen has %d lines", size[0], size[1], len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > size[0] {
				t.Errorf("at %dx%d line %d is %d wide", size[0], size[1], i, w)
			}
		}
	}
}

func bigListing() engine.Listing {
	var dbs []engine.ListedDatabase
	for d := 0; d < 100; d++ {
		var ts []engine.ListedTable
		for i := 0; i < 100; i++ {
			ts = append(ts, engine.ListedTable{Name: fmt.Sprintf("table_%03d", i), Kind: "table",
				Columns: []engine.Column{{Name: "id", Type: "bigint"}, {Name: "name", Type: "varchar"}, {Name: "at", Type: "timestamp"}}})
		}
		dbs = append(dbs, engine.ListedDatabase{Name: fmt.Sprintf("db_%03d", d), Tables: ts})
	}
	return engine.Listing{Catalogs: []engine.ListedCatalog{{Name: "AwsDataCatalog", Type: "GLUE", Databases: dbs}}, Errors: []engine.ListError{}}
}

// BenchmarkFirstFrame is the start of the workbench with a cached catalog
// of 100 databases and 10,000 tables: reading the cache file, building the
// model, sizing it and rendering the first screen. Goal: at most 50 ms.
func BenchmarkFirstFrame(b *testing.B) {
	cache := &catalogcache.Cache{Dir: b.TempDir()}
	key := catalogcache.Key{Principal: "arn:aws:sts::1:assumed-role/r/u", Region: "us-east-1"}
	if _, err := cache.Store(key, bigListing()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, ok, err := cache.Load(key)
		if !ok || err != nil {
			b.Fatal(ok, err)
		}
		m := New(Config{Engine: fakeEngine{}, Keys: keys.Default(), Theme: theme.New(theme.Options{Dark: true}),
			Listing: &e.Listing, Age: time.Minute, Identity: status.Identity{User: "u", Catalog: "AwsDataCatalog"}})
		mm, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
		if mm.(Model).View().Content == "" {
			b.Fatal("empty first frame")
		}
	}
}

// A refusal's whole-query fix replaces the statement read from the text
// once it arrives, unless it belongs to an earlier run.
func TestQueryFixReachesThePanel(t *testing.T) {
	m := newModel(nil)
	refusal := &engine.Error{Op: "grant check", Kind: engine.Denied, Err: errors.New("refused before sending")}
	m.cfg.Check = func(string) error { return refusal }
	mm, cmd := m.startRun("SELECT * FROM t")
	m = mm.(Model)
	if cmd == nil {
		t.Fatal("a local refusal asked for no whole-query fix")
	}
	msg, ok := cmd().(QueryFixMsg)
	if !ok || msg.Run != m.run || msg.Fix == "" {
		t.Fatalf("got %#v, want the QueryFixMsg of run %d", msg, m.run)
	}
	stale := msg
	stale.Run, stale.Fix = m.run-1, `{"Statement": "stale"}`
	mm, _ = m.Update(stale)
	m = mm.(Model)
	if strings.Contains(m.explain.Fix(), "stale") {
		t.Errorf("a fix of an earlier run reached the panel: %s", m.explain.Fix())
	}
	mm, _ = m.Update(msg)
	m = mm.(Model)
	if got := m.explain.Fix(); got != msg.Fix {
		t.Errorf("panel fix %q, want %q", got, msg.Fix)
	}
	text := strings.Join(m.explain.Lines(), "\n")
	for _, want := range []string{"fixes the whole query", "note: a note", "The grant check said:"} {
		if !strings.Contains(text, want) {
			t.Errorf("the panel lacks %q:\n%s", want, text)
		}
	}
}
