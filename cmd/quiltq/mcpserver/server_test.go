package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/session"
)

// opLog records the AWS operations the sandbox served, from its request
// log.
type opLog struct {
	mu  sync.Mutex
	ops []string
}

func (l *opLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *opLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *opLog) WithGroup(string) slog.Handler            { return l }
func (l *opLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "op" {
			l.mu.Lock()
			l.ops = append(l.ops, a.Value.String())
			l.mu.Unlock()
		}
		return true
	})
	return nil
}

func (l *opLog) count(op string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, o := range l.ops {
		if o == op {
			n++
		}
	}
	return n
}

// fixture is a server over a session of one sandbox user, and a client
// connected to it over the SDK's in-memory transports.
type fixture struct {
	env    *sandboxtest.Env
	ops    *opLog
	user   sandbox.UserInfo
	sess   *session.Session
	srv    *Server
	client *mcp.ClientSession
	kill   func() // cuts the pipes, as a client process dying does
	served chan struct{}

	mu       sync.Mutex
	progress []string
	logs     []string
}

type setup struct {
	sandbox sandbox.Options
	grants  string // a rules file's text
	// unknownPolicies leaves the role's policies unknown, as against AWS
	// or `quiltq sandbox serve`: only AWS refuses then.
	unknownPolicies bool
	// http connects the client over streamable HTTP instead of in memory;
	// pipes over two pipes, as a process's stdio (f.kill cuts them).
	http, pipes bool
}

func start(t testing.TB, user string, o setup) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{ops: &opLog{}}
	o.sandbox.Log = slog.New(f.ops)
	if o.sandbox.BenchRows == 0 {
		o.sandbox.BenchRows = 1000
	}
	f.env = sandboxtest.Start(t, o.sandbox)
	f.user = f.env.User(t, user)
	dir := t.TempDir()
	env := map[string]string{"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "config"), "XDG_CACHE_HOME": filepath.Join(dir, "cache")}
	getenv := func(k string) string { return env[k] }
	settings, err := config.Load(getenv, "")
	if err != nil {
		t.Fatal(err)
	}
	opts := session.Options{
		Settings: settings, Getenv: getenv,
		Login:    &session.TokenLogin{CatalogURL: f.env.Info.CatalogURL, RefreshToken: f.user.RefreshToken, AWSEndpointURL: f.env.Info.AWSEndpointURL, Source: auth.SourceSandbox, Place: "test sandbox"},
		Policies: &session.Policies{Documents: f.env.Authorizer().Policies(f.user.Role), Role: f.user.Role, Source: "the sandbox's role " + f.user.Role},
		Roles:    f.env, // the sandbox changes its roles, as for --sandbox
	}
	if o.unknownPolicies {
		opts.Policies, opts.Roles = nil, nil
	}
	if o.grants != "" {
		opts.GrantsFile = filepath.Join(dir, "grants.toml")
		if err := os.WriteFile(opts.GrantsFile, []byte(o.grants), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f.sess, err = session.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = New(f.sess, Options{Version: "test", CanApplyFix: !o.unknownPolicies})
	var ct mcp.Transport
	wait := func() {}
	if o.http {
		hs := httptest.NewServer(f.srv.HTTPHandler())
		t.Cleanup(hs.Close)
		ct = &mcp.StreamableClientTransport{Endpoint: hs.URL, DisableStandaloneSSE: true}
	} else if o.pipes {
		toServer, fromClient := io.Pipe()
		toClient, fromServer := io.Pipe()
		f.served = make(chan struct{})
		go func() {
			f.srv.MCP().Run(ctx, &mcp.IOTransport{Reader: toServer, Writer: fromServer})
			close(f.served)
		}()
		ct = &mcp.IOTransport{Reader: toClient, Writer: fromClient}
		f.kill = func() { fromClient.Close(); toClient.Close() }
		wait = func() { <-f.served }
	} else {
		st, inMem := mcp.NewInMemoryTransports()
		ss, err := f.srv.MCP().Connect(ctx, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		ct, wait = inMem, func() { ss.Wait() }
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			f.mu.Lock()
			f.progress = append(f.progress, r.Params.Message)
			f.mu.Unlock()
		},
		LoggingMessageHandler: func(_ context.Context, r *mcp.LoggingMessageRequest) {
			f.mu.Lock()
			f.logs = append(f.logs, r.Params.Data.(string))
			f.mu.Unlock()
		},
	})
	f.client, err = c.Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.client.Close()
		wait()
		f.srv.Close(context.Background())
	})
	return f
}

// call calls tool with args and decodes its structured content into out.
func (f *fixture) call(t *testing.T, ctx context.Context, tool string, args map[string]any, out any) *mcp.CallToolResult {
	t.Helper()
	return f.callMeta(t, ctx, tool, args, nil, out)
}

// callMeta is call with the request's _meta.
func (f *fixture) callMeta(t *testing.T, ctx context.Context, tool string, args map[string]any, meta mcp.Meta, out any) *mcp.CallToolResult {
	t.Helper()
	res, err := f.client.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args, Meta: meta})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	if strings.Contains(text(res), f.user.RefreshToken) {
		t.Fatalf("%s: the result holds the user's refresh token", tool)
	}
	if out != nil && res.StructuredContent != nil {
		b, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: structured content %s: %v", tool, b, err)
		}
	}
	return res
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

func TestToolsHaveSchemas(t *testing.T) {
	f := start(t, "admin", setup{})
	want := []string{"athena_check", "athena_query", "catalogs_list", "databases_list", "explain_error", "permissions_doctor",
		"query_history", "query_results", "sandbox_apply_fix", "table_describe", "tables_list", "whoami", "workgroups_list"}
	var got []string
	for tool, err := range f.client.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tool.Name)
		if tool.Description == "" || tool.InputSchema == nil || tool.OutputSchema == nil {
			t.Errorf("%s: description %q, input schema %v, output schema %v: want all three", tool.Name, tool.Description, tool.InputSchema != nil, tool.OutputSchema != nil)
		}
		if tool.Name == "athena_query" {
			b, _ := json.Marshal(tool.InputSchema)
			var s struct {
				Required   []string       `json:"required"`
				Properties map[string]any `json:"properties"`
			}
			json.Unmarshal(b, &s)
			if !slices.Equal(s.Required, []string{"sql"}) {
				t.Errorf("athena_query requires %v, want [sql]", s.Required)
			}
			for _, p := range []string{"catalog", "database", "workgroup", "max_rows", "max_scan"} {
				if s.Properties[p] == nil {
					t.Errorf("athena_query has no input %q", p)
				}
			}
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("tools %v, want %v", got, want)
	}
}

func TestAdminQueryRowsAndPages(t *testing.T) {
	f := start(t, "admin", setup{})
	ctx := context.Background()
	var out QueryOutput
	res := f.call(t, ctx, "athena_query", map[string]any{"sql": "SELECT count(*) AS n FROM sales.orders"}, &out)
	if res.IsError {
		t.Fatalf("admin's query failed: %s", text(res))
	}
	if out.State != "SUCCEEDED" || len(out.Rows) != 1 || out.Rows[0][0] != float64(4200) {
		t.Fatalf("got state %s rows %v, want SUCCEEDED [[4200]]", out.State, out.Rows)
	}
	if out.Stats == nil || out.Stats.QueryID == "" || out.Stats.QueryID != out.QueryID || out.Stats.Cost == "" || out.Stats.Workgroup == "" {
		t.Errorf("stats %+v: want the query ID, workgroup and cost", out.Stats)
	}
	if txt := text(res); !strings.Contains(txt, "4200") || !strings.Contains(txt, out.QueryID) {
		t.Errorf("text %q: want the table with 4200 and the query ID", txt)
	}

	// max_rows truncates, says so, and query_results pages on.
	const sql = "SELECT order_id FROM sales.orders ORDER BY order_id"
	var all, first, next QueryOutput
	f.call(t, ctx, "athena_query", map[string]any{"sql": sql, "max_rows": 5}, &all)
	f.call(t, ctx, "athena_query", map[string]any{"sql": sql, "max_rows": 3}, &first)
	if !first.Truncated || first.RowCount != 3 || !strings.Contains(first.Note, "query_results") {
		t.Fatalf("max_rows 3: truncated %v, %d rows, note %q: want truncated, 3 rows, a note naming query_results", first.Truncated, first.RowCount, first.Note)
	}
	f.call(t, ctx, "query_results", map[string]any{"query_id": first.QueryID, "offset": 3, "max_rows": 2}, &next)
	if next.Offset != 3 || len(next.Rows) != 2 || next.Rows[0][0] != all.Rows[3][0] || next.Rows[1][0] != all.Rows[4][0] {
		t.Errorf("query_results offset 3: rows %v, want %v", next.Rows, all.Rows[3:5])
	}
	var hist HistoryOutput
	f.call(t, ctx, "query_history", map[string]any{"max": 10}, &hist)
	if len(hist.Queries) < 3 || hist.Queries[0].QueryID != first.QueryID || hist.Queries[0].State != "SUCCEEDED" {
		t.Errorf("query_history %+v: want the last query first, SUCCEEDED", hist.Queries)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.logs) != 0 {
		t.Errorf("log messages %v before the client set a level: want none", f.logs)
	}
}

// The seed story: the analyst's query is refused before anything is sent,
// with the statement that fixes the whole query; once it is applied to the
// sandbox's role, the same call returns rows.
func TestAnalystRefusedThenFixed(t *testing.T) {
	f := start(t, "analyst", setup{})
	ctx := context.Background()
	// Log messages at info and above: protocol 2026-07-28 asks for them in
	// each request's _meta (SEP-2575), earlier ones with logging/setLevel.
	if err := f.client.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: "info"}); err != nil {
		t.Fatal(err)
	}
	info := mcp.Meta{mcp.MetaKeyLogLevel: "info"}
	args := map[string]any{"sql": "SELECT count(*) AS n FROM sales.orders"}
	var out QueryOutput
	res := f.callMeta(t, ctx, "athena_query", args, info, &out)
	if !res.IsError {
		t.Fatalf("the analyst's query was not refused: %s", text(res))
	}
	r := out.Refusal
	if r == nil {
		t.Fatalf("no refusal in the structured content: %s", text(res))
	}
	if r.Sent || r.Stage != "policy" || out.QueryID != "" || f.ops.count("StartQueryExecution") != 0 {
		t.Errorf("refusal sent %v stage %q query %q, %d StartQueryExecution: want nothing sent", r.Sent, r.Stage, out.QueryID, f.ops.count("StartQueryExecution"))
	}
	if !slices.Contains(r.MissingActions, "glue:GetTable") || !strings.Contains(r.Principal, "/analyst") || r.PolicyType != "identity" ||
		!strings.Contains(r.WhoMustAct, "administrator") || r.FixStatement == nil || len(r.Missing) == 0 {
		t.Fatalf("refusal %+v: want glue:GetTable missing, the analyst's principal, identity policy, who acts and the fix", r)
	}
	if !slices.Contains(r.Resources, "arn:aws:glue:us-east-1:123456789012:table/sales/orders") {
		t.Errorf("resources %v: want the table's ARN", r.Resources)
	}
	if txt := text(res); !strings.Contains(txt, "glue:GetTable") || !strings.Contains(txt, `"Effect": "Allow"`) {
		t.Errorf("text %q: want the missing actions and the statement", txt)
	}

	var applied ApplyFixOutput
	if res := f.call(t, ctx, "sandbox_apply_fix", map[string]any{"fix_statement": r.FixStatement}, &applied); res.IsError {
		t.Fatalf("sandbox_apply_fix: %s", text(res))
	}
	var after QueryOutput
	if res := f.callMeta(t, ctx, "athena_query", args, info, &after); res.IsError {
		t.Fatalf("after the fix the query failed: %s", text(res))
	}
	if after.State != "SUCCEEDED" || len(after.Rows) != 1 || after.Rows[0][0] != float64(4200) {
		t.Errorf("after the fix: state %s rows %v, want SUCCEEDED [[4200]]", after.State, after.Rows)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.ContainsFunc(f.logs, func(s string) bool { return strings.Contains(s, "refused before sending") }) ||
		!slices.ContainsFunc(f.logs, func(s string) bool { return strings.Contains(s, after.QueryID+" started") }) {
		t.Errorf("log messages %q: want the refusal and the start", f.logs)
	}
}

// A cancelled call stops the query on Athena: StopQueryExecution reaches
// the sandbox, and the query ends CANCELLED.
func TestCancelledCallStopsQuery(t *testing.T) {
	for _, http := range []bool{false, true} {
		t.Run(map[bool]string{false: "in memory", true: "streamable HTTP"}[http], func(t *testing.T) {
			testCancelStopsQuery(t, start(t, "admin", setup{sandbox: sandbox.Options{Run: 2 * time.Minute}, http: http}))
		})
	}
}

func testCancelStopsQuery(t *testing.T, f *fixture) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := f.client.CallTool(ctx, &mcp.CallToolParams{Name: "athena_query", Arguments: map[string]any{"sql": "SELECT count(*) FROM sales.orders"}, Meta: mcp.Meta{"progressToken": "q1"}})
		done <- err
	}()
	id := waitProgress(t, f)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled call returned %v, want context.Canceled", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		x, err := f.sess.Execution(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if x.State == "CANCELLED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s is %s 30 s after the call was cancelled, want CANCELLED", id, x.State)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := f.ops.count("StopQueryExecution"); n == 0 {
		t.Errorf("the sandbox served no StopQueryExecution")
	}
	if live := f.srv.Close(context.Background()); len(live) != 0 {
		t.Errorf("queries left live after the cancel: %v", live)
	}
}

var queryIDInProgress = regexp.MustCompile(`query ([0-9a-f-]{36}) `)

// waitProgress waits for a progress notification of a running query and
// returns its ID.
func waitProgress(t *testing.T, f *fixture) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		for _, p := range f.progress {
			if m := queryIDInProgress.FindStringSubmatch(p); m != nil {
				f.mu.Unlock()
				return m[1]
			}
		}
		f.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no progress notification naming a query within 60 s")
	return ""
}

func TestMaxScanStopsQuery(t *testing.T) {
	f := start(t, "admin", setup{sandbox: sandbox.Options{Run: 20 * time.Second}})
	var out QueryOutput
	res := f.call(t, context.Background(), "athena_query", map[string]any{"sql": "SELECT * FROM sales.orders", "max_scan": "1KB"}, &out)
	if !res.IsError || out.State != "CANCELLED" || !strings.Contains(out.Reason, "max_scan") || out.Stats == nil || out.Stats.BytesScanned <= 1000 {
		t.Fatalf("max_scan 1KB: error %v state %s reason %q stats %+v: want the query stopped past 1 KB", res.IsError, out.State, out.Reason, out.Stats)
	}
	if f.ops.count("StopQueryExecution") == 0 {
		t.Errorf("the sandbox served no StopQueryExecution")
	}
	res = f.call(t, context.Background(), "athena_query", map[string]any{"sql": "SELECT 1", "max_scan": "lots"}, nil)
	if !res.IsError || !strings.Contains(text(res), "500MB") {
		t.Errorf("max_scan lots: %q, want an error saying how to write it", text(res))
	}
}

// A statement over Athena's size is refused before anything is sent,
// with the words -e and check use (engine.CheckStatement).
func TestQueryOverAthenasSizeRefused(t *testing.T) {
	f := start(t, "admin", setup{})
	sql := "SELECT '" + strings.Repeat("x", 262145) + "'"
	res := f.call(t, context.Background(), "athena_query", map[string]any{"sql": sql}, nil)
	if !res.IsError || !strings.Contains(text(res), "Athena takes at most 262,144 bytes") {
		t.Errorf("a %d-byte statement: error %v, %q; want it refused for Athena's limit", len(sql), res.IsError, text(res))
	}
	if n := f.ops.count("StartQueryExecution"); n != 0 {
		t.Errorf("the sandbox served %d StartQueryExecution, want none", n)
	}
}

func TestListingsHideWhatGrantsDeny(t *testing.T) {
	f := start(t, "admin", setup{grants: "[[deny]]\ndatabase = \"sales\"\ntable = \"cust*\"\nreason = \"personal data\"\n"})
	ctx := context.Background()
	var cats CatalogsOutput
	f.call(t, ctx, "catalogs_list", nil, &cats)
	var tab string
	for _, c := range cats.Catalogs {
		if c.Tabulator {
			tab = c.Name
		}
	}
	if tab != "quilt-sales-prod-tabulator" || cats.Hidden == 0 {
		t.Fatalf("catalogs %+v hidden %d: want the Tabulator catalog marked and something hidden", cats.Catalogs, cats.Hidden)
	}
	var tables TablesOutput
	f.call(t, ctx, "tables_list", map[string]any{"catalog": "AwsDataCatalog", "database": "sales"}, &tables)
	var names []string
	for _, tb := range tables.Tables {
		names = append(names, tb.Name)
	}
	if slices.Contains(names, "customers") || !slices.Contains(names, "orders") || tables.Hidden != 1 {
		t.Errorf("sales tables %v hidden %d: want orders listed, customers hidden (1)", names, tables.Hidden)
	}
	var dbs DatabasesOutput
	f.call(t, ctx, "databases_list", map[string]any{"catalog": tab}, &dbs)
	if !slices.ContainsFunc(dbs.Databases, func(d DatabaseItem) bool { return d.Name == "nextflowtower" && d.Tables > 0 }) {
		t.Errorf("databases of %s: %+v, want nextflowtower with tables", tab, dbs.Databases)
	}
	var tt TablesOutput
	f.call(t, ctx, "tables_list", map[string]any{"catalog": tab, "database": "nextflowtower"}, &tt)
	if !slices.ContainsFunc(tt.Tables, func(x TableItem) bool { return x.Name == "sail" && x.Kind == "tabulator" }) {
		t.Errorf("Tabulator tables %+v: want sail, kind tabulator", tt.Tables)
	}
	var d DescribeOutput
	if res := f.call(t, ctx, "table_describe", map[string]any{"table": `"quilt-sales-prod-tabulator".nextflowtower.sail`}, &d); res.IsError {
		t.Fatal(text(res))
	}
	if d.Kind != "tabulator" || !slices.ContainsFunc(d.Columns, func(c engine.Column) bool { return c.Name == "$logical_key" }) {
		t.Errorf("sail: kind %s columns %v, want a tabulator table with $logical_key", d.Kind, d.Columns)
	}
	res := f.call(t, ctx, "table_describe", map[string]any{"table": "sales.customers"}, nil)
	if !res.IsError || !strings.Contains(text(res), "grants do not allow") {
		t.Errorf("describe of a denied table: %q, want refused by the grants", text(res))
	}
	var q QueryOutput
	res = f.call(t, ctx, "athena_query", map[string]any{"sql": "SELECT * FROM sales.customers"}, &q)
	if !res.IsError || q.Refusal == nil || q.Refusal.Stage != "grants" || len(q.Refusal.DeniedTables) != 1 || !strings.Contains(q.Refusal.DeniedTables[0].Reason, "personal data") {
		t.Errorf("query of a denied table: %s, want a grants refusal naming personal data", text(res))
	}
}

func TestExplainCheckWhoamiAndResources(t *testing.T) {
	f := start(t, "analyst", setup{})
	ctx := context.Background()
	const pasted = `An error occurred (AccessDeniedException) when calling the GetDatabases operation: User: arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst is not authorized to perform: glue:GetDatabases on resource: arn:aws:glue:us-east-1:123456789012:catalog because no identity-based policy allows the glue:GetDatabases action`
	var e ExplainOutput
	f.call(t, ctx, "explain_error", map[string]any{"text": pasted}, &e)
	if !e.Denied || !slices.Equal(e.Actions, []string{"glue:GetDatabases"}) || e.PolicyType != "identity" || e.Principal == "" || e.FixStatement == nil || e.ExplicitDeny == nil || *e.ExplicitDeny {
		t.Errorf("explain_error: %+v, want glue:GetDatabases refused by no identity Allow, with a fix", e)
	}
	var c CheckOutput
	f.call(t, ctx, "athena_check", map[string]any{"sql": "SELECT * FROM sales.orders"}, &c)
	if c.Allowed || c.Refusal == nil || len(c.Missing) == 0 || c.FixStatement == nil || len(c.Refs) != 1 || f.ops.count("StartQueryExecution") != 0 {
		t.Errorf("athena_check: %+v, want not allowed, missing pairs, a fix, one ref, nothing run", c)
	}
	var w WhoamiOutput
	f.call(t, ctx, "whoami", nil, &w)
	if !strings.HasSuffix(w.PrincipalARN, "/analyst") || w.CredentialSource != "sandbox" || w.User == "" || w.Policies == "" {
		t.Errorf("whoami: %+v, want the analyst's principal from the sandbox", w)
	}
	var found bool
	for r, err := range f.client.Resources(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		found = found || r.URI == catalogURI
	}
	if !found {
		t.Errorf("resources do not list %s", catalogURI)
	}
	// A Tabulator table's columns come from its YAML configuration in the
	// registry, which the analyst may read though Athena refuses them the
	// table's connector.
	rr, err := f.client.ReadResource(ctx, &mcp.ReadResourceParams{URI: "quiltq://table/quilt-sales-prod-tabulator/nextflowtower/sail"})
	if err != nil {
		t.Fatal(err)
	}
	var sail DescribeOutput
	if err := json.Unmarshal([]byte(rr.Contents[0].Text), &sail); err != nil || sail.Kind != "tabulator" || !slices.ContainsFunc(sail.Columns, func(c engine.Column) bool { return c.Name == "$logical_key" }) {
		t.Errorf("sail's schema: %s (%v), want a tabulator table with $logical_key", rr.Contents[0].Text, err)
	}
	fs := start(t, "admin", setup{})
	rr, err = fs.client.ReadResource(ctx, &mcp.ReadResourceParams{URI: "quiltq://table/AwsDataCatalog/sales/orders"})
	if err != nil {
		t.Fatal(err)
	}
	var d DescribeOutput
	if err := json.Unmarshal([]byte(rr.Contents[0].Text), &d); err != nil || d.Name != "orders" || len(d.Columns) != 10 {
		t.Errorf("quiltq://table/AwsDataCatalog/sales/orders: %s (%v), want orders' 10 columns", rr.Contents[0].Text, err)
	}
	rr, err = fs.client.ReadResource(ctx, &mcp.ReadResourceParams{URI: catalogURI})
	if err != nil || !strings.Contains(rr.Contents[0].Text, `"sail"`) {
		t.Errorf("%s: %v, want the tree with sail", catalogURI, err)
	}
}

// With the role's policies unknown (AWS itself, `quiltq sandbox serve`),
// the query is sent and AWS's refusal is explained, with the statement
// that fixes the whole query.
func TestAWSRefusalExplained(t *testing.T) {
	f := start(t, "analyst", setup{unknownPolicies: true})
	ctx := context.Background()
	var out QueryOutput
	res := f.call(t, ctx, "athena_query", map[string]any{"sql": "SELECT count(*) FROM sales.orders"}, &out)
	r := out.Refusal
	if !res.IsError || r == nil || r.Stage != "aws" || !r.Sent || out.QueryID == "" {
		t.Fatalf("refused by AWS: %s, want a refusal of stage aws, sent, with the query ID", text(res))
	}
	if !slices.Contains(r.MissingActions, "glue:GetTable") || !strings.HasSuffix(r.Principal, "/analyst") || r.PolicyType != "identity" || r.FixStatement == nil || r.WhoMustAct == "" {
		t.Errorf("refusal %+v: want glue:GetTable, the analyst, identity policy, who acts and a fix", r)
	}
	if n := f.ops.count("StartQueryExecution"); n != 1 {
		t.Errorf("%d StartQueryExecution, want 1", n)
	}
	var w WorkgroupsOutput
	f.call(t, ctx, "workgroups_list", nil, &w)
	if w.InUse == "" || !slices.ContainsFunc(w.Workgroups, func(x WorkgroupItem) bool { return x.Name == w.InUse && x.OutputLocation != "" }) {
		t.Errorf("workgroups_list %+v: want the one in use among those listed, with its result location", w)
	}
	var rep session.Report
	f.call(t, ctx, "permissions_doctor", nil, &rep)
	refused := slices.ContainsFunc(rep.Checks, func(p session.Probe) bool { return p.Status == session.ProbeRefused })
	if !refused || rep.Fix == nil || !slices.Contains(rep.Missing, "glue:GetDatabases") {
		t.Errorf("permissions_doctor: %+v, want refused checks, glue:GetDatabases missing and one fix", rep)
	}
}

// A client that goes away mid-query (its process dies: the pipes break)
// leaves nothing running: the query is stopped by the time the server,
// which then stops serving, is closed.
func TestClientGoneStopsQuery(t *testing.T) {
	f := start(t, "admin", setup{sandbox: sandbox.Options{Run: 2 * time.Minute}, pipes: true})
	go f.client.CallTool(context.Background(), &mcp.CallToolParams{Name: "athena_query", Arguments: map[string]any{"sql": "SELECT count(*) FROM sales.orders"}, Meta: mcp.Meta{"progressToken": "gone"}})
	id := waitProgress(t, f)
	f.kill()
	select {
	case <-f.served:
	case <-time.After(30 * time.Second):
		t.Fatal("the server still serves 30 s after its client's pipes broke")
	}
	f.srv.Close(context.Background())
	x, err := f.sess.Execution(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if x.State != "CANCELLED" {
		t.Errorf("query %s is %s once the server closed after its client went away, want CANCELLED", id, x.State)
	}
}

// The HTTP transport refuses what would let a web page drive the user's
// login: a request naming another Host (DNS rebinding) and a cross-origin
// POST from a browser.
func TestHTTPRefusesOtherHostsAndOrigins(t *testing.T) {
	f := start(t, "admin", setup{})
	hs := httptest.NewServer(f.srv.HTTPHandler())
	defer hs.Close()
	const body = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
	for _, tc := range []struct {
		name    string
		headers map[string]string
		refused bool
	}{
		{"same host", nil, false},
		{"another Host", map[string]string{"Host": "attacker.example"}, true},
		{"cross-site browser POST", map[string]string{"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"}, true},
	} {
		req, err := http.NewRequest(http.MethodPost, hs.URL, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		for k, v := range tc.headers {
			if k == "Host" {
				req.Host = v
			} else {
				req.Header.Set(k, v)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.StatusCode == http.StatusForbidden; got != tc.refused {
			t.Errorf("%s: status %d, want refused (403) %v", tc.name, resp.StatusCode, tc.refused)
		}
	}
}

// Only a loopback address is served: a port alone means 127.0.0.1, and
// any other host is refused with why.
func TestLoopbackAddr(t *testing.T) {
	for _, tc := range []struct {
		addr, want string
	}{
		{"8765", "127.0.0.1:8765"},
		{":8765", "127.0.0.1:8765"},
		{"127.0.0.1:0", "127.0.0.1:0"},
		{"[::1]:9000", "[::1]:9000"},
		{"localhost:9000", "localhost:9000"},
		{"0.0.0.0:8765", ""},
		{"192.168.1.4:8765", ""},
		{"example.com:80", ""},
		{"nonsense", ""},
	} {
		got, err := LoopbackAddr(tc.addr)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("LoopbackAddr(%q) = %q, %v; want %q", tc.addr, got, err, tc.want)
		}
	}
}

// ServeLoopback says where it serves once it listens, answers the
// protocol at /mcp, refuses an address in use as bad input, and returns
// nil when ctx ends.
func TestServeLoopback(t *testing.T) {
	f := start(t, "admin", setup{})
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- f.srv.ServeLoopback(ctx, "127.0.0.1:0", func(url string) { urls <- url }) }()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("ServeLoopback returned %v before it served", err)
	}
	const body = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("initialize at %s: status %d, want 200", url, resp.StatusCode)
	}

	inUse := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/mcp")
	err = f.srv.ServeLoopback(context.Background(), inUse, func(string) { t.Error("ready called for an address in use") })
	if engine.KindOf(err) != engine.Invalid {
		t.Errorf("serving on %s again: %v (kind %v), want an Invalid error", inUse, err, engine.KindOf(err))
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("after ctx ended: %v, want nil", err)
	}
}
