package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/quiltq/quiltq/cmd/quiltq/mcpserver"
	"github.com/quiltq/quiltq/engine"
)

// mcpEnv is an environment of its own for a quiltq process: no config,
// no keyring login, caches in a temporary directory.
func mcpEnv(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	env := []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"), "XDG_CACHE_HOME=" + filepath.Join(dir, "cache"), "PATH=" + os.Getenv("PATH")}
	return env
}

// stdioClient starts the built quiltq with args as an MCP server over its
// stdio and connects the Go SDK's client to it.
func stdioClient(t *testing.T, bin string, progress func(string), args ...string) *mcp.ClientSession {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = mcpEnv(t)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	c := mcp.NewClient(&mcp.Implementation{Name: "quiltq-test", Version: "1"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			if progress != nil {
				progress(r.Params.Message)
			}
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cs, err := c.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connecting to quiltq %v: %v\nstderr: %s", args, err, stderr.String())
	}
	t.Cleanup(func() {
		cs.Close()
		if t.Failed() {
			t.Logf("quiltq %v stderr:\n%s", args, stderr.String())
		}
	})
	return cs
}

// callTool calls tool and decodes the structured content into out.
func callTool(t *testing.T, ctx context.Context, cs *mcp.ClientSession, tool string, args map[string]any, out any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	if out != nil {
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %s: %v", tool, b, err)
		}
	}
	return res
}

func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// TestMCPStdio drives the built quiltq over its stdio, with the Go SDK's
// client and with the reference TypeScript SDK's.
func TestMCPStdio(t *testing.T) {
	bin := buildQuiltq(t, "")
	t.Run("seed story", func(t *testing.T) { testMCPStdioSeedStory(t, bin) })
	t.Run("cancel stops the query", func(t *testing.T) { testMCPStdioCancel(t, bin) })
	t.Run("TypeScript client", func(t *testing.T) { testMCPTypeScriptClient(t, bin) })
}

// The seed story over the command's stdio, as an agent meets it: list the
// Tabulator tables, query one, be refused before sending with the
// statement that fixes the whole query, apply it (the sandbox only), and
// succeed.
func testMCPStdioSeedStory(t *testing.T, bin string) {
	cs := stdioClient(t, bin, nil, "mcp", "--sandbox")
	ctx := context.Background()

	// The analyst may not invoke the Tabulator connector, so Athena cannot
	// list the Tabulator tables for them: the listing says so, and the
	// registry still gives a table's columns from its YAML.
	listTab := map[string]any{"catalog": "quilt-sales-prod-tabulator", "database": "nextflowtower", "refresh": true}
	var tables mcpserver.TablesOutput
	callTool(t, ctx, cs, "tables_list", listTab, &tables)
	if len(tables.Tables) != 0 || !slices.ContainsFunc(tables.Errors, func(e engine.ListError) bool { return e.Action == "lambda:InvokeFunction" }) {
		t.Fatalf("the analyst's Tabulator tables %+v, errors %+v: want none, and the lambda:InvokeFunction refusal", tables.Tables, tables.Errors)
	}
	var sail mcpserver.DescribeOutput
	if res := callTool(t, ctx, cs, "table_describe", map[string]any{"table": `"quilt-sales-prod-tabulator".nextflowtower.sail`}, &sail); res.IsError || sail.Kind != "tabulator" {
		t.Fatalf("table_describe sail: %s", resultText(res))
	}
	args := map[string]any{"sql": `SELECT count(*) AS n FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail"`}
	var refused mcpserver.QueryOutput
	res := callTool(t, ctx, cs, "athena_query", args, &refused)
	r := refused.Refusal
	if !res.IsError || r == nil || r.Sent || !slices.Contains(r.MissingActions, "lambda:InvokeFunction") || r.FixStatement == nil || !strings.HasSuffix(r.Principal, "/analyst") {
		t.Fatalf("the analyst's Tabulator query: %s\nwant refused before sending for lambda:InvokeFunction, with the fix", resultText(res))
	}
	if res := callTool(t, ctx, cs, "sandbox_apply_fix", map[string]any{"fix_statement": r.FixStatement}, nil); res.IsError {
		t.Fatalf("sandbox_apply_fix: %s", resultText(res))
	}
	var after mcpserver.QueryOutput
	res = callTool(t, ctx, cs, "athena_query", args, &after)
	if res.IsError || after.State != "SUCCEEDED" || len(after.Rows) != 1 {
		t.Fatalf("after the fix: %s", resultText(res))
	}
	if n, ok := after.Rows[0][0].(float64); !ok || n <= 0 {
		t.Errorf("count of sail: %v, want a positive number", after.Rows[0][0])
	}
	callTool(t, ctx, cs, "tables_list", listTab, &tables)
	if !slices.ContainsFunc(tables.Tables, func(x mcpserver.TableItem) bool { return x.Name == "sail" && x.Kind == "tabulator" }) {
		t.Errorf("after the fix, the Tabulator tables %+v (errors %+v): want sail", tables.Tables, tables.Errors)
	}
}

var runningQueryID = regexp.MustCompile(`query ([0-9a-f-]{36}) RUNNING`)

// A cancelled tools/call over stdio stops the query on the sandbox the
// process runs: its history then shows it CANCELLED.
func testMCPStdioCancel(t *testing.T, bin string) {
	ids := make(chan string, 100)
	cs := stdioClient(t, bin, func(msg string) {
		if m := runningQueryID.FindStringSubmatch(msg); m != nil {
			ids <- m[1]
		}
	}, "mcp", "--sandbox", "--sandbox-user", "admin")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		// A join of a million rows with itself runs until it is stopped.
		_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "athena_query", Meta: mcp.Meta{"progressToken": 7},
			Arguments: map[string]any{"sql": "SELECT count(*) FROM benchmarks.numbers a CROSS JOIN benchmarks.numbers b"}})
		done <- err
	}()
	var id string
	select {
	case id = <-ids:
	case err := <-done:
		t.Fatalf("the call ended before the query ran: %v", err)
	case <-time.After(90 * time.Second):
		t.Fatal("no progress notification of a RUNNING query within 90 s")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled call returned %v, want context.Canceled", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var hist mcpserver.HistoryOutput
		callTool(t, context.Background(), cs, "query_history", nil, &hist)
		i := slices.IndexFunc(hist.Queries, func(e mcpserver.HistoryEntry) bool { return e.QueryID == id })
		if i >= 0 && hist.Queries[i].State == "CANCELLED" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s not CANCELLED 60 s after the call was cancelled: %+v", id, hist.Queries)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// `quiltq mcp --http` serves the streamable HTTP transport on loopback,
// in-process through run.
func TestMCPHTTP(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	env := map[string]string{}
	for _, kv := range mcpEnv(t) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"mcp", "--sandbox", "--sandbox-user", "admin", "--http", "127.0.0.1:0"}, streams{In: strings.NewReader(""), Out: io.Discard, Err: pw}, func(k string) string { return env[k] })
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	url := ""
	for url == "" && sc.Scan() {
		if _, after, ok := strings.Cut(sc.Text(), "serving streamable HTTP at "); ok {
			url, _, _ = strings.Cut(after, " ")
		}
	}
	if url == "" {
		t.Fatalf("quiltq mcp --http never said where it serves (exit %d)", <-code)
	}
	go io.Copy(io.Discard, pr)
	c := mcp.NewClient(&mcp.Implementation{Name: "http-test", Version: "1"}, nil)
	cs, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: url, DisableStandaloneSSE: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out mcpserver.QueryOutput
	res := callTool(t, ctx, cs, "athena_query", map[string]any{"sql": "SELECT count(*) AS n FROM sales.orders"}, &out)
	if res.IsError || len(out.Rows) != 1 || out.Rows[0][0] != float64(4200) {
		t.Errorf("over HTTP: %s, want 4200", resultText(res))
	}
	cs.Close()
	cancel()
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("quiltq mcp --http exited %d after the interrupt, want 0", c)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("quiltq mcp --http did not stop within 30 s of the interrupt")
	}
}

func TestMCPHTTPLoopbackOnly(t *testing.T) {
	var errb strings.Builder
	if c := run(context.Background(), []string{"mcp", "--http", "0.0.0.0:8765"}, streams{Out: io.Discard, Err: &errb}, func(string) string { return "" }); c != exitUsage || !strings.Contains(errb.String(), "loopback") {
		t.Errorf("--http 0.0.0.0:8765: exit %d, %q; want 2 and why", c, errb.String())
	}
}

// needNodeClient is the directory of the node client script with the
// reference TypeScript SDK installed (by .ci/run), or skips the test
// when node or the package is missing (fails with QUILTQ_REQUIRE_TOOLS=1).
func needNodeClient(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "mcpclient"))
	if err != nil {
		t.Fatal(err)
	}
	why := ""
	if _, err := exec.LookPath("node"); err != nil {
		why = "node is not installed"
	} else if _, err := os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk", "package.json")); err != nil {
		why = "@modelcontextprotocol/sdk is not installed (npm ci --prefix cmd/quiltq/testdata/mcpclient)"
	}
	if why != "" {
		if os.Getenv("QUILTQ_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s and QUILTQ_REQUIRE_TOOLS=1", why)
		}
		t.Skipf("%s: skipping the TypeScript client test (QUILTQ_REQUIRE_TOOLS=1 makes this fail)", why)
	}
	return dir
}

// A client written by others: the reference TypeScript SDK lists the
// tools and calls athena_query and explain_error over `quiltq mcp
// --sandbox`'s stdio.
func testMCPTypeScriptClient(t *testing.T, bin string) {
	dir := needNodeClient(t)
	cmd := exec.Command("node", filepath.Join(dir, "client.mjs"), bin)
	cmd.Env = append(mcpEnv(t), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node client.mjs: %v\nstdout: %s\nstderr: %s", err, out, stderr.String())
	}
	var got struct {
		Tools []string `json:"tools"`
		Admin struct {
			IsError    bool `json:"isError"`
			Structured struct {
				Rows [][]any `json:"rows"`
			} `json:"structured"`
		} `json:"admin"`
		Analyst struct {
			IsError    bool `json:"isError"`
			Structured struct {
				Refusal struct {
					MissingActions []string        `json:"missing_actions"`
					FixStatement   json.RawMessage `json:"fix_statement"`
				} `json:"refusal"`
			} `json:"structured"`
		} `json:"analyst"`
		Explain struct {
			Structured struct {
				Denied  bool     `json:"denied"`
				Actions []string `json:"actions"`
			} `json:"structured"`
		} `json:"explain"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("the client's output %s: %v", out, err)
	}
	for _, name := range []string{"athena_query", "athena_check", "explain_error", "tables_list", "whoami"} {
		if !slices.Contains(got.Tools, name) {
			t.Errorf("tools %v: want %s", got.Tools, name)
		}
	}
	if got.Admin.IsError || len(got.Admin.Structured.Rows) != 1 || got.Admin.Structured.Rows[0][0] != float64(4200) {
		t.Errorf("admin's athena_query through the TypeScript client: %+v, want [[4200]]", got.Admin)
	}
	if !got.Analyst.IsError || !slices.Contains(got.Analyst.Structured.Refusal.MissingActions, "glue:GetTable") || len(got.Analyst.Structured.Refusal.FixStatement) < 10 {
		t.Errorf("analyst's athena_query through the TypeScript client: %+v, want refused with glue:GetTable and a fix", got.Analyst)
	}
	if !got.Explain.Structured.Denied || !slices.Equal(got.Explain.Structured.Actions, []string{"glue:GetDatabases"}) {
		t.Errorf("explain_error through the TypeScript client: %+v, want glue:GetDatabases refused", got.Explain)
	}
}

// With no login at all, `quiltq mcp` still serves (in-process, on the
// streams run is given), and every tool that needs AWS says how to log
// in, rather than the server vanishing from the client.
func TestMCPNotLoggedIn(t *testing.T) {
	toServer, fromClient := io.Pipe()
	toClient, fromServer := io.Pipe()
	var errb syncBuffer
	env := map[string]string{}
	for _, kv := range mcpEnv(t) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	code := make(chan int, 1)
	go func() {
		code <- run(context.Background(), []string{"mcp"}, streams{In: toServer, Out: fromServer, Err: &errb}, func(k string) string { return env[k] })
		fromServer.Close()
	}()
	c := mcp.NewClient(&mcp.Implementation{Name: "nologin-test", Version: "1"}, nil)
	cs, err := c.Connect(context.Background(), &mcp.IOTransport{Reader: toClient, Writer: fromClient}, nil)
	if err != nil {
		t.Fatalf("connect: %v\nstderr: %s", err, errb.String())
	}
	ctx := context.Background()
	for tool, args := range map[string]map[string]any{"athena_query": {"sql": "SELECT 1"}, "whoami": nil, "catalogs_list": nil} {
		res := callTool(t, ctx, cs, tool, args, nil)
		if !res.IsError || !strings.Contains(resultText(res), "quiltq login") {
			t.Errorf("%s without a login: %q, want an error saying to run quiltq login", tool, resultText(res))
		}
	}
	cs.Close()
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("quiltq mcp exited %d when the client closed, want 0; stderr: %s", c, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("quiltq mcp did not exit within 30 s of the client closing")
	}
	if !strings.Contains(errb.String(), "not logged in") {
		t.Errorf("stderr %q: want it to say no one is logged in", errb.String())
	}
}
