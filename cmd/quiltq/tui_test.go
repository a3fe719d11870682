package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/ui"
	"github.com/quiltq/quiltq/ui/theme"
	"github.com/quiltq/quiltq/ui/workbench"
)

// screen wraps the workbench so that a test can read what it shows after
// each update (teatest's output holds the renderer's diffs, not screens).
type screen struct {
	m    ui.Model
	last *atomic.Pointer[string]
	id   *atomic.Pointer[string]
	fix  *atomic.Pointer[string]
	esc  *atomic.Pointer[string] // the screen drawn for the last esc
	busy *atomic.Bool            // a run is under way (ui.Model.Running)
}

func (s screen) Init() tea.Cmd { return s.m.Init() }

func (s screen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := s.m.Update(msg)
	s.m = m.(ui.Model)
	text := ansi.Strip(s.m.Render())
	s.last.Store(&text)
	if k, ok := msg.(tea.KeyPressMsg); ok && k.Code == tea.KeyEscape {
		s.esc.Store(&text)
	}
	id := s.m.QueryID()
	s.id.Store(&id)
	fix := s.m.Fix()
	s.fix.Store(&fix)
	s.busy.Store(s.m.Running())
	return s, cmd
}

func (s screen) View() tea.View { return s.m.View() }

// tuiDriver is the TUI on the real engine against env, as user, driven by
// teatest at 120×35.
type tuiDriver struct {
	t    *testing.T
	tm   *teatest.TestModel
	last *atomic.Pointer[string]
	id   *atomic.Pointer[string]
	fix  *atomic.Pointer[string]
	esc  *atomic.Pointer[string]
	busy *atomic.Bool
}

// withGrants installs the grant check runTUI builds. A nil env runs the
// sandbox in-process, as `quiltq --sandbox --sandbox-user user` does.
func startWorkbench(t *testing.T, env *sandboxtest.Env, user string, withGrants bool, flags ...func(*globalFlags)) *tuiDriver {
	t.Helper()
	g := &globalFlags{fetch: "auto", sandboxUser: "analyst"}
	for _, f := range flags {
		f(g)
	}
	vars := map[string]string{}
	if env != nil {
		vars = envFor(t, env, user)
	} else {
		g.sandbox, g.sandboxUser = true, user
	}
	vars["XDG_CACHE_HOME"] = t.TempDir()
	vars["XDG_CONFIG_HOME"] = t.TempDir()
	a := newApp(g, streams{Out: io.Discard, Err: io.Discard}, func(k string) string { return vars[k] })
	t.Cleanup(a.close)
	ctx := context.Background()
	sess, err := a.open(ctx)
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	if _, err := sess.Workgroup(ctx); err != nil {
		t.Fatalf("workgroup: %v", err)
	}
	cfg, _, err := workbench.Config(ctx, sess, a.getenv)
	if err != nil {
		t.Fatalf("workbench.Config: %v", err)
	}
	cfg.Theme = theme.New(theme.Options{NoColor: true})
	if withGrants {
		cfg.Check = workbench.Check(ctx, sess)
	}
	w := &tuiDriver{t: t, last: &atomic.Pointer[string]{}, id: &atomic.Pointer[string]{}, fix: &atomic.Pointer[string]{}, esc: &atomic.Pointer[string]{}, busy: &atomic.Bool{}}
	w.tm = teatest.NewTestModel(t, screen{m: ui.New(cfg), last: w.last, id: w.id, fix: w.fix, esc: w.esc, busy: w.busy}, teatest.WithInitialTermSize(120, 35))
	t.Cleanup(func() { w.tm.Quit() })
	return w
}

// waitFor waits until the screen contains all of want. The wait is
// long: under -race on a machine shared by many builds, the sandbox may
// take tens of seconds to run one query.
func (w *tuiDriver) waitFor(want ...string) string {
	w.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		s := ""
		if p := w.last.Load(); p != nil {
			s = *p
		}
		ok := true
		for _, x := range want {
			ok = ok && strings.Contains(s, x)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("the screen never showed %q; it shows:\n%s", want, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitIdle waits until no run is under way: a screen with a run's rows on
// it may still wait for the stream's end.
func (w *tuiDriver) waitIdle() {
	w.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for w.busy.Load() {
		if time.Now().After(deadline) {
			s := ""
			if p := w.last.Load(); p != nil {
				s = *p
			}
			w.t.Fatalf("the run never ended; the screen shows:\n%s", s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (w *tuiDriver) key(code rune, mod tea.KeyMod) {
	w.tm.Send(tea.KeyPressMsg{Code: code, Mod: mod})
}

func (w *tuiDriver) queryID() string {
	if p := w.id.Load(); p != nil {
		return *p
	}
	return ""
}

func athenaClient(t *testing.T, env *sandboxtest.Env) *awsathena.Client {
	return awsathena.NewFromConfig(env.AWSConfig(t, "admin"))
}

func started(t *testing.T, c *awsathena.Client) int {
	out, err := c.ListQueryExecutions(context.Background(), &awsathena.ListQueryExecutionsInput{WorkGroup: aws.String("QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup")})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.QueryExecutionIds)
}

// Type a query, run it (F5), page through the rows, then reopen it from
// the history without running it again.
func TestWorkbenchRunPageReopen(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	w := startWorkbench(t, env, "admin", false)
	w.tm.Type("SELECT order_id, region FROM sales.orders ORDER BY order_id")
	w.key(tea.KeyF5, 0)
	w.waitFor("row 1/4,200", "SUCCEEDED", "order_id")
	w.key(tea.KeyF4, 0)
	w.key(tea.KeyPgDown, 0)
	w.waitFor("row 15/4,200", "100015") // a page is the grid's 14 rows, under the statistics line
	w.tm.Type("G")
	w.waitFor("row 4,200/4,200")
	id := w.queryID()
	athena := athenaClient(t, env)
	before := started(t, athena)

	w.key(tea.KeyF7, 0)
	w.waitFor("your queries", "SELECT order_id, region FROM sales.orders")
	w.key(tea.KeyEnter, 0)
	s := w.waitFor("Results · "+id, "row 1/4,200")
	if !strings.Contains(s, "reopened, not run again") {
		t.Errorf("the reopened result does not say it was not run again:\n%s", s)
	}
	if after := started(t, athena); after != before {
		t.Errorf("reopening ran %d new queries, want none", after-before)
	}
}

// Esc while the query runs stops it on Athena.
func TestWorkbenchCancelStopsTheQuery(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	w := startWorkbench(t, env, "admin", false)
	w.tm.Type("-- sandbox: run=60s")
	w.key(tea.KeyEnter, 0)
	w.tm.Type("SELECT count(*) FROM sales.orders")
	w.key('r', tea.ModCtrl)
	w.waitFor("RUNNING")
	id := w.queryID()
	w.key(tea.KeyEscape, 0)
	w.waitFor("CANCELLED", "stopped on Athena")
	out, err := athenaClient(t, env).GetQueryExecution(context.Background(), &awsathena.GetQueryExecutionInput{QueryExecutionId: &id})
	if err != nil {
		t.Fatal(err)
	}
	if s := out.QueryExecution.Status.State; s != "CANCELLED" {
		t.Errorf("the Athena query %s is %s after esc, want CANCELLED", id, s)
	}
}

// A query AWS refuses is explained, with the statement that fixes it.
func TestWorkbenchExplainsAnAWSRefusal(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	w := startWorkbench(t, env, "analyst", false)
	w.tm.Type("SELECT * FROM sales.orders LIMIT 5")
	w.key(tea.KeyF5, 0)
	w.waitFor("Refused by AWS", "glue:GetTable", "ReadWriteQuiltV2-sales-prod", "AWS said:")
	// Below the text, once worked out: the statement for the whole query,
	// the partition actions AWS has not asked for yet included.
	// The statement y copies covers the whole query: the workgroup and the
	// partitions too, where the text alone names only glue:GetTable.
	deadline := time.Now().Add(30 * time.Second)
	for {
		fix := ""
		if p := w.fix.Load(); p != nil {
			fix = *p
		}
		if strings.Contains(fix, "athena:StartQueryExecution") && strings.Contains(fix, "glue:GetPartitions") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the panel's statement never covered the whole query: %s", fix)
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.key(tea.KeyPgDown, 0)
	w.waitFor("QuiltqAthenaWorkgroup")
}

// A query the local grant check refuses is never sent: the reader's Quilt
// role does not grant bucket nextflowtower.
func TestWorkbenchLocalRefusalSendsNothing(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	w := startWorkbench(t, env, "reader", true)
	before := started(t, athenaClient(t, env))
	w.tm.Type(`SELECT * FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail"`)
	w.key(tea.KeyF5, 0)
	w.waitFor("Refused by the local grant check", "does not grant bucket nextflowtower", "REFUSED")
	// The catalog tree shows only what the grants allow, and counts the rest.
	w.key(tea.KeyF2, 0)
	tree := w.waitFor("hidden")
	if strings.Contains(tree, "▸ nextflowtower") || strings.Contains(tree, "nextflowtower_packages") {
		t.Errorf("the reader's catalog tree shows what the role does not grant:\n%s", tree)
	}
	if after := started(t, athenaClient(t, env)); after != before {
		t.Errorf("a locally refused query reached Athena (%d started)", after-before)
	}
}

// The TUI in a real terminal (tmux), as README's story goes for the
// analyst: start `quiltq --sandbox`; the catalog tree is empty because
// listing is refused and says so, and enter explains the refusal; a
// query without tables runs and its row is read off the screen; a query
// of sales.orders is refused before sending with the statement that
// fixes the whole query, which `a` applies; it then runs; the history
// has both outcomes; in the tree, d runs the doctor and `a` applies its
// statement, after which the tree lists the databases.
func TestWorkbenchInTmux(t *testing.T) {
	needTmux(t)
	bin := buildQuiltq(t, "")
	dir := t.TempDir()
	tt := startTerm(t, "env -i PATH="+os.Getenv("PATH")+" HOME="+dir+" XDG_CACHE_HOME="+dir+"/cache XDG_CONFIG_HOME="+dir+"/config TERM=xterm-256color "+bin+" --sandbox")
	tt.waitFor("Catalog", "Query", "wg QuiltUserAthena")
	tt.keys("F2")
	tt.waitFor("Nothing to browse: AWS", "✗ glue:GetDatabases", "d doctor")
	tt.keys("Down", "Enter")
	tt.waitFor("listing AwsDataCatalog (glue:GetDatabases)", "y copy the statement")
	tt.keys("F3")
	tt.text("SELECT 7 AS seven, 'hi' AS greeting")
	tt.keys("F5")
	s := tt.waitFor("seven", "greeting", "SUCCEEDED")
	if !strings.Contains(s, "7 ") || !strings.Contains(s, "hi") {
		t.Errorf("the row is not on the screen:\n%s", s)
	}
	tt.keys("C-a", "C-k")
	tt.text("SELECT * FROM sales.orders")
	tt.keys("C-r")
	// The sandbox knows the role's policy: refused before sending, with
	// the statement that fixes the whole query.
	tt.waitFor("Refused by the local grant check", "glue:GetTable", "REFUSED", "fixes the whole query")
	tt.keys("a")
	tt.waitFor("added policy quiltq-fix-1 to the sandbox's role")
	tt.keys("F3", "F5")
	tt.waitFor("SUCCEEDED", "order_id")
	tt.keys("F7")
	tt.waitFor("your queries", "REFUSED", "SUCCEEDED")
	tt.keys("F7") // closes the history (esc would merge with the next key's escape sequence)
	tt.keys("F2", "d")
	tt.waitFor("Doctor (d/f6 runs it again)", "databases of AwsDataCatalog")
	tt.keys("a")
	tt.waitFor("added policy quiltq-fix-2 to the sandbox's role")
	tt.keys("F2")
	s = tt.waitFor("▸ AwsDataCatalog", "listed just now")
	if strings.Contains(s, "Nothing to browse") {
		t.Errorf("after the doctor's statement the tree still lists nothing:\n%s", s)
	}
	tt.keys("Home", "l")
	tt.waitFor("▾ AwsDataCatalog", "sales")
	tt.keys("C-q")
}

// The workgroup's saved queries (ListNamedQueries, BatchGetNamedQuery)
// open into the editor and run; the doctor runs from the explanation
// panel on the session's own engine.
func TestWorkbenchSavedQueryAndDoctor(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	w := startWorkbench(t, env, "admin", false)
	w.key(tea.KeyF7, 0)
	w.key(tea.KeyTab, 0)
	w.key(tea.KeyTab, 0)
	w.waitFor("[saved]", "Revenue by region", "Latest package revisions")
	w.tm.Type("revenue")
	w.waitFor("search: revenue")
	w.key(tea.KeyEnter, 0)
	w.waitFor("Query", "FROM sales.orders", "GROUP BY region")
	w.key(tea.KeyF5, 0)
	w.waitFor("SUCCEEDED", "region")

	w.key(tea.KeyF8, 0)
	w.waitFor("runs `quiltq doctor`'s probes")
	w.tm.Type("d")
	w.waitFor("Doctor (d/f6 runs it again)", "CHECK", "identity", "quiltq doctor: arn:aws:sts::")
}

// The README's story in the workbench: the analyst's query is refused
// before sending, the statement that fixes the whole query is applied to
// the sandbox's role with one key, and the same query then runs.
func TestWorkbenchAppliesTheFixInTheSandbox(t *testing.T) {
	w := startWorkbench(t, nil, "analyst", true)
	w.tm.Type("SELECT count(*) AS n FROM sales.orders")
	w.key(tea.KeyF5, 0)
	w.waitFor("Refused by the local grant check", "glue:GetTable")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if p := w.fix.Load(); p != nil && strings.Contains(*p, "glue:GetTable") && strings.Contains(*p, "glue:GetPartitions") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the whole-query statement never reached the panel")
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.tm.Type("a")
	w.waitFor("added policy quiltq-fix-1 to the sandbox's role ReadWriteQuiltV2-sales-prod")
	w.key(tea.KeyF3, 0)
	w.key(tea.KeyF5, 0)
	w.waitFor("SUCCEEDED", "4200")
}

// After doctor's statement is applied in the workbench, a query whose
// table data the role may still not read is refused before sending, naming
// the pair `explain --sql` lists (s3:ListBucket on the table's bucket),
// rather than let through for AWS to refuse. The workbench's check and the
// pre-send check of -e and explain --sql are one.
func TestWorkbenchCheckAfterDoctorFix(t *testing.T) {
	w := startWorkbench(t, nil, "analyst", true)
	w.key(tea.KeyF8, 0)
	w.waitFor("runs `quiltq doctor`'s probes")
	w.tm.Type("d")
	w.waitFor("Doctor (d/f6 runs it again)", "CHECK", "the doctor's report is in the explanation panel")
	w.tm.Type("a")
	w.waitFor("added policy quiltq-fix-1 to the sandbox's role ReadWriteQuiltV2-sales-prod")
	w.key(tea.KeyF3, 0)
	w.tm.Type("SELECT * FROM benchmarks.numbers LIMIT 5")
	w.key(tea.KeyF5, 0)
	s := w.waitFor("REFUSED")
	if !strings.Contains(s, "s3:ListBucket") {
		t.Errorf("the local refusal does not name s3:ListBucket on the table's data:\n%s", s)
	}
	if strings.Contains(s, "Refused by AWS") {
		t.Errorf("the query reached AWS and was refused there:\n%s", s)
	}
}

// Esc while the rows of a finished query stream in (GetQueryResults
// pages, each 200 ms away) stops the fetch at once: the screen drawn for
// the esc itself says "fetch stopped, N rows kept", awaiting no reply of
// the stream; it is neither CANCELLING nor a failed fetch.
func TestWorkbenchEscStopsTheFetch(t *testing.T) {
	// 30,000 rows in pages of 1,000, each 200 ms away: six seconds of
	// streaming at least, for the esc to arrive in, at little CPU.
	env := sandboxtest.Start(t, sandbox.Options{Latency: 200 * time.Millisecond, BenchRows: 30000})
	w := startWorkbench(t, env, "admin", false, func(g *globalFlags) { g.fetch = "api" })
	w.tm.Type("SELECT id FROM benchmarks.numbers")
	w.key(tea.KeyF5, 0)
	w.waitFor("SUCCEEDED", "receiving…", "rows")
	w.key(tea.KeyEscape, 0)
	w.waitFor("fetch stopped,", "rows kept")
	s := ""
	if p := w.esc.Load(); p != nil {
		s = *p
	}
	if !strings.Contains(s, "fetch stopped,") || !strings.Contains(s, "rows kept") || strings.Contains(s, "CANCELLING") || strings.Contains(s, "fetch failed") {
		t.Fatalf("the screen drawn for esc:\n%s", s)
	}
}

// A syntax error is a syntax error: the analyst's grant check parses
// SELEC 1 and says where it is wrong (nothing is sent); Athena's
// SYNTAX_ERROR for a query it parsed as admin gets the same state; a
// buffer of comments runs nothing; all of it is in the history.
func TestWorkbenchSyntaxErrors(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	athena := athenaClient(t, env)
	w := startWorkbench(t, env, "analyst", true)
	before := started(t, athena)
	w.tm.Type("SELEC 1")
	w.key(tea.KeyF5, 0)
	s := w.waitFor("SYNTAX ERROR", "line 1:1: SELEC does not start a statement", "Syntax error at line 1, column 1", "1 │ SELEC 1")
	if strings.Contains(s, "REFUSED") {
		t.Errorf("a syntax error is shown as a refusal:\n%s", s)
	}
	w.key('a', tea.ModCtrl)
	w.key('k', tea.ModCtrl)
	w.tm.Type("-- only a comment")
	w.key(tea.KeyF5, 0)
	w.waitFor("nothing to run: the editor holds only comments")
	if after := started(t, athena); after != before {
		t.Errorf("%d queries reached Athena, want none", after-before)
	}
	w.key(tea.KeyF7, 0)
	w.waitFor("SYNTAX ERROR", "SELEC 1", "not sent to Athena · syntax error at line 1:1")

	a := startWorkbench(t, env, "admin", false)
	a.tm.Type("SELECT * FORM sales.orders")
	a.key(tea.KeyF5, 0)
	a.waitFor("SYNTAX ERROR", "line 1:10: mismatched input 'FORM'", "Syntax error at line 1, column 10")
}

// The README's story with browsing: the analyst may list no database, so
// the tree says so and offers the doctor; enter on the refusal explains
// it; d runs the doctor, a applies its statement to the sandbox's role,
// the tree lists anew and shows the databases, and the query runs.
func TestWorkbenchBrowsesAfterTheDoctorsFix(t *testing.T) {
	w := startWorkbench(t, nil, "analyst", true)
	w.key(tea.KeyF2, 0)
	w.waitFor("Nothing to browse: AWS", "d runs the", "✗ glue:GetDatabases")
	w.key(tea.KeyDown, 0)
	w.key(tea.KeyEnter, 0)
	w.waitFor("listing AwsDataCatalog (glue:GetDatabases)", "missing    glue:GetDatabases")
	w.key(tea.KeyF2, 0)
	w.tm.Type("d")
	w.waitFor("Doctor (d/f6 runs it again)", "databases of AwsDataCatalog")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if p := w.fix.Load(); p != nil && strings.Contains(*p, "glue:GetDatabases") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the doctor's statement never reached the panel")
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.tm.Type("a")
	w.waitFor("added policy quiltq-fix-1 to the sandbox's role ReadWriteQuiltV2-sales-prod")
	w.key(tea.KeyF2, 0)
	s := w.waitFor("▸ AwsDataCatalog", "listed just now")
	if strings.Contains(s, "Nothing to browse") {
		t.Fatalf("the tree still says nothing can be browsed:\n%s", s)
	}
	w.key(tea.KeyUp, 0)
	w.key(tea.KeyUp, 0)
	w.tm.Type("l")
	w.waitFor("▾ AwsDataCatalog", "sales")
	w.key(tea.KeyF3, 0)
	w.tm.Type("SELECT count(*) AS n FROM sales.orders")
	w.key(tea.KeyF5, 0)
	w.waitFor("SUCCEEDED", "4200")
}

// A DROP in the workbench waits for a yes naming the table: n sends
// nothing (no StartQueryExecution reaches the sandbox) and the table
// stays; y sends it, and the table is gone.
func TestWorkbenchAsksBeforeADrop(t *testing.T) {
	log := &awsLog{}
	env := sandboxtest.Start(t, sandbox.Options{Log: slog.New(slog.NewTextHandler(log, nil))})
	w := startWorkbench(t, env, "admin", true)
	w.tm.Type("DROP TABLE sales.customers")
	w.key(tea.KeyF5, 0)
	w.waitFor("this statement drops table sales.customers: run it? y/n")
	w.tm.Type("n")
	w.waitFor("NOT RUN", "you said no to this statement, which drops table sales.customers; nothing was sent to Athena")
	if n := log.callsOf("StartQueryExecution"); n != 0 {
		t.Fatalf("%d StartQueryExecution calls after n, want none", n)
	}
	exists := func() bool {
		r := quiltqAt(t, envFor(t, env, "admin"), "", false, "-e", "SELECT count(*) FROM sales.customers")
		return r.code == exitOK
	}
	if !exists() {
		t.Fatal("sales.customers is gone after n")
	}
	before := log.callsOf("StartQueryExecution")
	w.key(tea.KeyF5, 0)
	w.waitFor("drops table sales.customers: run it? y/n")
	w.tm.Type("y")
	w.waitFor("SUCCEEDED")
	if n := log.callsOf("StartQueryExecution") - before; n != 1 {
		t.Errorf("%d StartQueryExecution calls after y, want the DROP's one", n)
	}
	if exists() {
		t.Error("sales.customers is still there after y")
	}
}

// On the sandbox: a ? placeholder query asks for its value and runs with
// it (ExecutionParameters), counting what the literal query counts; with
// reuse turned on (alt+u) a repeat is answered from the stored result,
// shown as reused at no cost.
func TestWorkbenchParamsAndReuse(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	literal := quiltqAt(t, envFor(t, env, "admin"), "", false, "-e", "SELECT count(*) AS n FROM sales.orders WHERE region = 'us-east'")
	want := strings.Trim(strings.Split(strings.TrimSpace(literal.stdout), "\n")[1], `"`)
	w := startWorkbench(t, env, "admin", true)
	w.tm.Type("SELECT count(*) AS n FROM sales.orders WHERE region = ?")
	w.key(tea.KeyF5, 0)
	w.waitFor("? value 1 of 1")
	w.tm.Type("'us-east'")
	w.key(tea.KeyEnter, 0)
	if want == "0" || want == "" {
		t.Fatalf("the literal query counts %q: the test needs rows", want)
	}
	s := w.waitFor("SUCCEEDED", "1 row")
	if !gridHas(s, want) {
		t.Fatalf("the grid does not hold the literal query's count %s:\n%s", want, s)
	}

	w.key('a', tea.ModCtrl)
	w.tm.Type("SELECT count(*) AS n FROM sales.orders")
	w.key('u', tea.ModAlt)
	w.waitFor(" reuse ≤1h · ", "result reuse on")
	first := w.runToEnd()
	if strings.Contains(first, "reused result") || !strings.Contains(first, "SUCCEEDED") {
		t.Fatalf("the first run did not succeed, or is shown as reused:\n%s", first)
	}
	again := w.runToEnd()
	if !strings.Contains(again, "SUCCEEDED") || !strings.Contains(again, "reused result, $0.00") {
		t.Fatalf("the repeat is not shown as a reused result:\n%s", again)
	}
}

// gridHas reports whether a cell of the screen's panes holds exactly v.
func gridHas(screen, v string) bool {
	for _, line := range strings.Split(screen, "\n") {
		for _, cell := range strings.Split(line, "│") {
			if strings.TrimSpace(cell) == v {
				return true
			}
		}
	}
	return false
}

// runToEnd runs the statement under the cursor (F5) and waits until its
// query (a new one) has ended and its rows are all in (the footer no
// longer offers to cancel); it returns the screen.
func (w *tuiDriver) runToEnd() string {
	w.t.Helper()
	prev := w.queryID()
	w.key(tea.KeyF5, 0)
	deadline := time.Now().Add(90 * time.Second)
	for {
		s := ""
		if p := w.last.Load(); p != nil {
			s = *p
		}
		lines := strings.Split(s, "\n")
		if id := w.queryID(); id != "" && id != prev && len(lines) > 2 && !strings.Contains(lines[len(lines)-2], "esc cancel") {
			return s
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("the run never ended; the screen shows:\n%s", s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
