package athena

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/athenasrv"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// The default stack's names.
const (
	userWG     = "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"
	sailTable  = `"quilt-sales-prod-tabulator"."nextflowtower"."sail"`
	resultsURL = "s3://sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/"
)

// recorder wraps the real SDK client to count and log the calls a Client
// makes; every call still goes to the sandbox.
type recorder struct {
	athenaAPI
	mu          sync.Mutex
	calls       map[string]int
	workgroups  map[string]int // GetWorkGroup calls by name
	inflight    int
	maxInflight int
	events      []string // polls and sleeps, in order
	// afterStart, when set, replaces the reply of StartQueryExecution.
	afterStart func(ctx context.Context, out *awsathena.StartQueryExecutionOutput, err error) (*awsathena.StartQueryExecutionOutput, error)
}

func (r *recorder) count(op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[op]++
}

func (r *recorder) n(op string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[op]
}

func (r *recorder) event(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, s)
}

func (r *recorder) StartQueryExecution(ctx context.Context, in *awsathena.StartQueryExecutionInput, o ...func(*awsathena.Options)) (*awsathena.StartQueryExecutionOutput, error) {
	r.count("StartQueryExecution")
	out, err := r.athenaAPI.StartQueryExecution(ctx, in, o...)
	if r.afterStart != nil {
		return r.afterStart(ctx, out, err)
	}
	return out, err
}

func (r *recorder) GetQueryExecution(ctx context.Context, in *awsathena.GetQueryExecutionInput, o ...func(*awsathena.Options)) (*awsathena.GetQueryExecutionOutput, error) {
	r.count("GetQueryExecution")
	out, err := r.athenaAPI.GetQueryExecution(ctx, in, o...)
	if err != nil {
		r.event("poll error " + engine.KindOf(translate("", err)).String())
	} else {
		r.event("poll " + string(out.QueryExecution.Status.State))
	}
	return out, err
}

func (r *recorder) StopQueryExecution(ctx context.Context, in *awsathena.StopQueryExecutionInput, o ...func(*awsathena.Options)) (*awsathena.StopQueryExecutionOutput, error) {
	r.count("StopQueryExecution")
	return r.athenaAPI.StopQueryExecution(ctx, in, o...)
}

func (r *recorder) ListWorkGroups(ctx context.Context, in *awsathena.ListWorkGroupsInput, o ...func(*awsathena.Options)) (*awsathena.ListWorkGroupsOutput, error) {
	r.count("ListWorkGroups")
	if aws.ToInt32(in.MaxResults) != listPageSize {
		r.count("ListWorkGroups with MaxResults != 50")
	}
	return r.athenaAPI.ListWorkGroups(ctx, in, o...)
}

func (r *recorder) GetWorkGroup(ctx context.Context, in *awsathena.GetWorkGroupInput, o ...func(*awsathena.Options)) (*awsathena.GetWorkGroupOutput, error) {
	r.mu.Lock()
	if r.workgroups == nil {
		r.workgroups = map[string]int{}
	}
	r.workgroups[aws.ToString(in.WorkGroup)]++
	r.inflight++
	r.maxInflight = max(r.maxInflight, r.inflight)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inflight--
		r.mu.Unlock()
	}()
	r.count("GetWorkGroup")
	return r.athenaAPI.GetWorkGroup(ctx, in, o...)
}

// client is a Client acting as user on env, with its calls recorded.
func client(t *testing.T, env *sandboxtest.Env, user string, opts Options) (*Client, *recorder) {
	t.Helper()
	cfg := env.AWSConfig(t, user)
	// Parallel calls make the transport dial connections it may never use;
	// the server counts those as busy for 5 s when it shuts down, so close
	// them first (cleanups run before the sandbox's, which was registered
	// earlier).
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	cfg.HTTPClient = &http.Client{Transport: tr}
	c := New(cfg, opts)
	rec := &recorder{athenaAPI: c.athena}
	c.athena = rec
	return c, rec
}

// sleepLog records the waits it is asked for and returns at once, so that
// retries cost no time.
type sleepLog struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepLog) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepLog) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

func TestRunStates(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	tests := []struct {
		name       string
		user       string
		req        Request
		wantState  State
		wantKind   engine.Kind
		wantReason string // in the error text, which is the whole reason
	}{
		{
			name:      "succeeded with a database only",
			user:      "admin",
			req:       Request{SQL: "SELECT count(*) FROM orders", Database: "sales", Workgroup: userWG},
			wantState: Succeeded,
		},
		{
			name:      "succeeded with catalog and database",
			user:      "admin",
			req:       Request{SQL: "SELECT count(*) FROM orders", Catalog: "AwsDataCatalog", Database: "sales", Workgroup: userWG},
			wantState: Succeeded,
		},
		{
			name:      "succeeded with no context",
			user:      "analyst",
			req:       Request{SQL: "SELECT 1", Workgroup: userWG},
			wantState: Succeeded,
		},
		{
			name:       "the analyst's Tabulator query is refused",
			user:       "analyst",
			req:        Request{SQL: "SELECT * FROM " + sailTable + " LIMIT 5", Workgroup: userWG},
			wantState:  Failed,
			wantKind:   engine.Denied,
			wantReason: "lambda:InvokeFunction",
		},
		{
			name:       "the analyst's Glue table is refused",
			user:       "analyst",
			req:        Request{SQL: "SELECT * FROM orders LIMIT 5", Database: "sales", Workgroup: userWG},
			wantState:  Failed,
			wantKind:   engine.Denied,
			wantReason: "glue:",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := client(t, env, tt.user, Options{})
			var reports []Execution
			ex, err := c.Run(sandboxtest.Context(t), tt.req, func(e Execution) { reports = append(reports, e) })
			if ex.State != tt.wantState {
				t.Fatalf("state: got %s (%v), want %s", ex.State, err, tt.wantState)
			}
			if ex.SQL != tt.req.SQL {
				t.Errorf("Athena ran %q, want exactly the request's SQL %q (no USE)", ex.SQL, tt.req.SQL)
			}
			if ex.Catalog != tt.req.Catalog || ex.Database != tt.req.Database {
				t.Errorf("context: got catalog %q database %q, want %q %q", ex.Catalog, ex.Database, tt.req.Catalog, tt.req.Database)
			}
			if ex.Workgroup != userWG {
				t.Errorf("workgroup: got %q, want %q", ex.Workgroup, userWG)
			}
			if got := rec.n("GetQueryExecution"); ex.Polls != got || len(reports) != got {
				t.Errorf("Polls %d, progress reports %d, GetQueryExecution calls %d: want all equal", ex.Polls, len(reports), got)
			}
			if last := reports[len(reports)-1]; last.State != tt.wantState {
				t.Errorf("last progress report: got %s, want %s", last.State, tt.wantState)
			}
			if tt.wantState == Succeeded {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if !strings.HasPrefix(ex.OutputLocation, resultsURL) || !strings.HasSuffix(ex.OutputLocation, ex.ID+".csv") {
					t.Errorf("output location: got %q, want %s<id>.csv", ex.OutputLocation, resultsURL)
				}
				if ex.Completed.IsZero() || ex.Submitted.IsZero() {
					t.Errorf("times: got submitted %v completed %v, want both set", ex.Submitted, ex.Completed)
				}
				return
			}
			if got := engine.KindOf(err); got != tt.wantKind {
				t.Errorf("kind: got %s (%v), want %s", got, err, tt.wantKind)
			}
			if err == nil || err.Error() != ex.Reason || ex.Reason == "" {
				t.Errorf("error text: got %v, want the whole reason %q", err, ex.Reason)
			}
			if !strings.Contains(ex.Reason, tt.wantReason) {
				t.Errorf("reason: got %q, want it to mention %q", ex.Reason, tt.wantReason)
			}
			var qe *QueryError
			if !errors.As(err, &qe) || qe.ID != ex.ID || qe.ErrorType != ex.ErrorType {
				t.Errorf("got %#v, want a QueryError for %s with ErrorType %d", qe, ex.ID, ex.ErrorType)
			}
		})
	}
}

// TestSyntaxErrorsBothPaths meets SQL that does not parse on both of
// Athena's paths: refused by StartQueryExecution (400
// InvalidRequestException "line 1:10: mismatched input ...", no query id),
// and started, then FAILED with SYNTAX_ERROR. Either way the error reads as
// a syntax error with its position, through engine.SyntaxOf.
func TestSyntaxErrorsBothPaths(t *testing.T) {
	const sql = "SELECT * FORM orders"
	tests := []struct {
		name      string
		at        sandbox.Options
		wantState State
		wantKind  engine.Kind
		wantText  string
	}{
		{"refused at start", sandbox.Options{}, "", engine.Invalid, "InvalidRequestException: line 1:10: mismatched input 'FORM'"},
		{"failed when run", sandbox.Options{SyntaxErrors: athenasrv.SyntaxAtRun}, Failed, engine.Failed, "SYNTAX_ERROR: line 1:10: mismatched input 'FORM'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := sandboxtest.Start(t, tt.at)
			c, rec := client(t, env, "admin", Options{})
			ex, err := c.Run(sandboxtest.Context(t), Request{SQL: sql, Workgroup: userWG}, nil)
			if ex.State != tt.wantState {
				t.Fatalf("state: got %q (%v), want %q", ex.State, err, tt.wantState)
			}
			if got := engine.KindOf(err); got != tt.wantKind {
				t.Errorf("kind: got %s (%v), want %s", got, err, tt.wantKind)
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("error: got %v, want it to hold %q", err, tt.wantText)
			}
			se := engine.SyntaxOf(err)
			if se == nil || se.Line != 1 || se.Column != 10 || !strings.HasPrefix(se.Message, "mismatched input 'FORM'") {
				t.Errorf("SyntaxOf: got %+v, want line 1 column 10 and the parser's complaint", se)
			}
			if tt.wantState == "" && (ex.ID != "" || rec.n("GetQueryExecution") != 0) {
				t.Errorf("refused at start: got id %q and %d polls, want no query", ex.ID, rec.n("GetQueryExecution"))
			}
			if h := Hint(err); !strings.Contains(h, "line 1, column 10") {
				t.Errorf("hint: got %q, want it to point at line 1, column 10", h)
			}
		})
	}
}

func TestStartRefusesBeforeSending(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	c, rec := client(t, env, "analyst", Options{})
	ctx := sandboxtest.Context(t)
	pad := func(n int) string { return "SELECT 1 --" + strings.Repeat("x", n-len("SELECT 1 --")) }
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		req  Request
		kind engine.Kind
		text []string
	}{
		{"one byte too long", ctx, Request{SQL: pad(MaxQueryBytes + 1), Workgroup: userWG}, engine.Invalid, []string{"262,145 bytes", "262,144"}},
		{"empty", ctx, Request{Workgroup: userWG}, engine.Invalid, []string{"empty"}},
		{"no workgroup", ctx, Request{SQL: "SELECT 1"}, engine.Invalid, []string{"workgroup"}},
		{"already cancelled", cancelled, Request{SQL: "SELECT 1", Workgroup: userWG}, engine.Canceled, []string{"canceled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := c.Start(tt.ctx, tt.req)
			if id != "" || engine.KindOf(err) != tt.kind {
				t.Fatalf("got %q, %v; want kind %s", id, err, tt.kind)
			}
			for _, s := range tt.text {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
	if n := rec.n("StartQueryExecution"); n != 0 {
		t.Fatalf("StartQueryExecution was called %d times, want 0", n)
	}
	// At the limit exactly, the query goes.
	ex, err := c.Run(ctx, Request{SQL: pad(MaxQueryBytes), Workgroup: userWG}, nil)
	if err != nil || ex.State != Succeeded || len(ex.SQL) != MaxQueryBytes {
		t.Fatalf("a query of exactly %d bytes: got %s, %d bytes, %v; want SUCCEEDED", MaxQueryBytes, ex.State, len(ex.SQL), err)
	}
}

func TestStartRefusedByAthena(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	c, _ := client(t, env, "analyst", Options{})
	ctx := sandboxtest.Context(t)
	tests := []struct {
		workgroup string
		kind      engine.Kind
		text      string
	}{
		{"sales-prod-audit", engine.Denied, "athena:StartQueryExecution"},
		{"no-such-workgroup", engine.Denied, "athena:StartQueryExecution"}, // refused before it is looked up
	}
	for _, tt := range tests {
		_, err := c.Start(ctx, Request{SQL: "SELECT 1", Workgroup: tt.workgroup})
		if engine.KindOf(err) != tt.kind || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("start in %s: got %v (%s), want %s mentioning %q", tt.workgroup, err, engine.KindOf(err), tt.kind, tt.text)
		}
	}
	admin, _ := client(t, env, "admin", Options{})
	_, err := admin.Start(ctx, Request{SQL: "SELECT 1", Workgroup: "no-such-workgroup"})
	if engine.KindOf(err) != engine.NotFound {
		t.Errorf("admin, unknown workgroup: got %v (%s), want not found", err, engine.KindOf(err))
	}
	_, err = admin.Start(ctx, Request{SQL: "SELECT 1", Workgroup: "QuiltUserAthena-sales-prod-Scratch"})
	if engine.KindOf(err) != engine.Invalid || !strings.Contains(err.Error(), "No output location provided") {
		t.Errorf("workgroup without output location: got %v (%s), want invalid", err, engine.KindOf(err))
	}
}

// When the reply to StartQueryExecution is lost because ctx ended, the
// query Athena started must be found and stopped.
func TestStartCancelledInFlightStopsTheQuery(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	c, rec := client(t, env, "analyst", Options{})
	ctx, cancel := context.WithCancel(sandboxtest.Context(t))
	var started string
	rec.afterStart = func(_ context.Context, out *awsathena.StartQueryExecutionOutput, err error) (*awsathena.StartQueryExecutionOutput, error) {
		if started == "" && err == nil {
			// The first reply arrives as the user presses Ctrl-C.
			started = aws.ToString(out.QueryExecutionId)
			cancel()
			return nil, context.Canceled
		}
		return out, err
	}
	_, err := c.Start(ctx, Request{SQL: "-- sandbox: run=60s\nSELECT 1", Workgroup: userWG})
	if engine.KindOf(err) != engine.Canceled {
		t.Fatalf("got %v, want kind canceled", err)
	}
	if rec.n("StartQueryExecution") != 2 || rec.n("StopQueryExecution") != 1 {
		t.Fatalf("calls: %v, want 2 starts (the second with the same token) and 1 stop", rec.calls)
	}
	other, _ := client(t, env, "analyst", Options{})
	ex, err := other.describe(sandboxtest.Context(t), started)
	if err != nil || ex.State != Cancelled {
		t.Fatalf("the query Athena started: got %s, %v; want CANCELLED", ex.State, err)
	}
}

func TestRunCancelledElsewhere(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	c, rec := client(t, env, "analyst", Options{})
	other, _ := client(t, env, "analyst", Options{})
	ctx := sandboxtest.Context(t)
	stopped := false
	ex, err := c.Run(ctx, Request{SQL: "-- sandbox: run=60s\nSELECT 1", Workgroup: userWG}, func(e Execution) {
		if !stopped {
			stopped = true
			if err := other.Stop(ctx, e.ID); err != nil {
				t.Errorf("stopping from another client: %v", err)
			}
		}
	})
	if ex.State != Cancelled || engine.KindOf(err) != engine.Canceled {
		t.Fatalf("got %s, %v; want CANCELLED and kind canceled", ex.State, err)
	}
	if rec.n("StopQueryExecution") != 0 {
		t.Errorf("the waiter sent %d stops, want 0: the query was stopped elsewhere", rec.n("StopQueryExecution"))
	}
}

func TestCommas(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 262144: "262,144", 1234567: "1,234,567"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d): got %q, want %q", n, got, want)
		}
	}
}
