package session

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// Statement is SQL to check or run, with its default catalog and
// database and the workgroup to run it in. Each part left "" is the
// session's: the settings' catalog and database, the chosen workgroup.
type Statement struct {
	SQL       string
	Catalog   string
	Database  string
	Workgroup string
	// Params fill the ? placeholders of SQL in order (ExecutionParameters;
	// see BindParams). The table names stay in SQL, so the check before
	// sending still sees them.
	Params []string
	// MaxScan is a scan limit of this run in bytes, which can only
	// tighten the session's (max_scan): the smaller applies; 0 (or less)
	// takes the session's alone.
	MaxScan int64
	// Reuse is how old a stored result Athena may answer with: 0 takes
	// the session's (reuse), negative none.
	Reuse time.Duration
}

// defaults fills stmt's catalog and database from the settings.
func (s *Session) defaults(stmt Statement) Statement {
	if stmt.Catalog == "" {
		stmt.Catalog = s.settings.Catalog()
	}
	if stmt.Database == "" {
		stmt.Database = s.settings.Database()
	}
	return stmt
}

// request is stmt as Athena is asked to run it; with workgroup, the
// session's workgroup is chosen now when stmt names none.
func (s *Session) request(ctx context.Context, stmt Statement, workgroup bool) (athena.Request, error) {
	stmt = s.defaults(stmt)
	req := athena.Request{SQL: stmt.SQL, Catalog: stmt.Catalog, Database: stmt.Database, Workgroup: stmt.Workgroup, Params: stmt.Params}
	switch {
	case stmt.Reuse > 0:
		req.ReuseMaxAge = stmt.Reuse
	case stmt.Reuse == 0:
		req.ReuseMaxAge = s.Reuse()
	}
	if req.Workgroup == "" && workgroup {
		wg, err := s.Workgroup(ctx)
		if err != nil {
			return req, err
		}
		req.Workgroup = wg.Name
	}
	return req, nil
}

// Workgroup is the workgroup the session runs queries in: the configured
// one (checked), else the one the user may use, chosen once, and kept for
// the principal (WorkgroupTTL) so that the next start need not choose.
func (s *Session) Workgroup(ctx context.Context) (athena.Workgroup, error) {
	if err := s.ready(); err != nil {
		return athena.Workgroup{}, err
	}
	s.mu.Lock()
	wg := s.wg
	s.mu.Unlock()
	if wg != nil {
		return *wg, nil
	}
	if wg, ok := s.cachedChoice(ctx); ok {
		s.mu.Lock()
		s.wg, s.wgCached = &wg, true
		s.mu.Unlock()
		s.sayFallback(wg)
		return wg, nil
	}
	chosen, err := s.client.ChooseWorkgroup(ctx, s.settings.Workgroup())
	if err != nil {
		return athena.Workgroup{}, s.failed(err)
	}
	s.mu.Lock()
	s.wg, s.wgCached = &chosen, false
	s.mu.Unlock()
	s.keepChoice(ctx, chosen)
	s.sayFallback(chosen)
	return chosen, nil
}

// sayFallback warns, once a session, that wg was taken as the Quilt
// catalog's fallback (several usable and none configured), so that a user
// who meant another knows to name it. A cached choice keeps its Fallback,
// so a warm start says it too.
func (s *Session) sayFallback(wg athena.Workgroup) {
	if wg.Fallback != "" {
		s.warn("workgroup %s: %s", wg.Name, wg.Fallback)
	}
}

// WorkgroupName is the chosen workgroup's name, "" before one is chosen.
func (s *Session) WorkgroupName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wg == nil {
		return ""
	}
	return s.wg.Name
}

// Workgroups are the workgroups the user may use, and those set aside
// with why, as the Quilt catalog discovers them.
func (s *Session) Workgroups(ctx context.Context) ([]athena.Workgroup, []athena.Skipped, error) {
	if err := s.ready(); err != nil {
		return nil, nil, err
	}
	return s.client.Workgroups(ctx)
}

// Start submits stmt and returns Athena's query execution ID. The query
// counts as live until Wait sees it final (see StopLive). x is what is
// known of the query when Start fails, to explain the failure with.
func (s *Session) Start(ctx context.Context, stmt Statement) (id string, x athena.Execution, err error) {
	if err := paramsMatch(stmt); err != nil {
		return "", withRequest(athena.Execution{}, athena.Request{SQL: stmt.SQL}), err
	}
	req, err := s.request(ctx, stmt, true)
	if err != nil {
		return "", withRequest(athena.Execution{}, req), err
	}
	id, err = s.client.Start(ctx, req)
	if err != nil && stmt.Workgroup == "" && refusesWorkgroup(err) {
		// The workgroup the cache gave may be gone: choose anew, and when
		// the choice differs, start there.
		if wg, cerr := s.rechoose(ctx, req.Workgroup); cerr == nil {
			req.Workgroup = wg.Name
			id, err = s.client.Start(ctx, req)
		}
	}
	if err != nil && s.dropKept(err) {
		// The credentials kept from an earlier run were refused: once more
		// with new ones from the registry.
		id, err = s.client.Start(ctx, req)
	}
	if err != nil {
		return "", withRequest(athena.Execution{}, req), err
	}
	s.live.add(id)
	return id, withRequest(athena.Execution{ID: id}, req), nil
}

// Run starts stmt and waits for it, reporting each poll to progress
// (which may be nil). A query that FAILED or was CANCELLED returns its
// Execution with the error; a query that could not start returns what
// was asked (SQL, workgroup, catalog, database), to explain it with.
func (s *Session) Run(ctx context.Context, stmt Statement, progress func(athena.Execution)) (athena.Execution, error) {
	id, x, err := s.Start(ctx, stmt)
	if err != nil {
		return x, err
	}
	got, err := s.wait(ctx, id, s.within(stmt.MaxScan), progress)
	return Asked(got, x), err
}

// Asked fills what a wait does not say of a query (its SQL, workgroup,
// catalog, database) from asked, the Execution Start returned, so that a
// refusal can be explained against the statement that was sent.
func Asked(got, asked athena.Execution) athena.Execution {
	return withRequest(got, athena.Request{SQL: asked.SQL, Workgroup: asked.Workgroup, Catalog: asked.Catalog, Database: asked.Database})
}

// Wait follows query id until it is final, reporting each poll to
// progress (which may be nil). When ctx ends it stops the query on Athena
// and returns an error of kind engine.Canceled; the query then stays
// live, for StopLive to report, unless the caller Forgets it (a stop the
// user asked for). A query that scans more than the session's max_scan
// is stopped, and one Athena cancels for its workgroup's cutoff comes
// back so explained: both with a *ScanLimitError.
func (s *Session) Wait(ctx context.Context, id string, progress func(athena.Execution)) (athena.Execution, error) {
	return s.wait(ctx, id, s.MaxScan(), progress)
}

// WaitWithin is Wait with a scan limit of the caller's own (bytes, 0 for
// none) for this query: the smaller of it and the session's max_scan
// applies, so that a front end taking a limit per request (an MCP tool
// call) can only tighten the profile's.
func (s *Session) WaitWithin(ctx context.Context, id string, limit int64, progress func(athena.Execution)) (athena.Execution, error) {
	return s.wait(ctx, id, s.within(limit), progress)
}

// within is the scan limit of a run that asks for limit (bytes; 0 or less
// for none of its own): the smaller of it and the session's max_scan, so
// that a run's own limit can only tighten the profile's.
func (s *Session) within(limit int64) int64 {
	if m := s.MaxScan(); m > 0 && (limit <= 0 || m < limit) {
		return m
	}
	return max(limit, 0)
}

func (s *Session) wait(ctx context.Context, id string, limit int64, progress func(athena.Execution)) (athena.Execution, error) {
	if err := s.ready(); err != nil {
		return athena.Execution{ID: id}, err
	}
	x, err := s.waitGuarded(ctx, id, limit, progress)
	if x.State.Done() && ctx.Err() == nil {
		s.live.remove(id)
	}
	return x, err
}

// Follow follows query id, one this session did not start (an earlier
// query shown again), until it is final. When ctx ends it detaches and
// leaves the query running: an error of kind engine.Canceled says so.
func (s *Session) Follow(ctx context.Context, id string, progress func(athena.Execution)) (athena.Execution, error) {
	if err := s.ready(); err != nil {
		return athena.Execution{ID: id}, err
	}
	return s.client.Follow(ctx, id, progress)
}

// Stop asks Athena to stop query id.
func (s *Session) Stop(ctx context.Context, id string) error {
	if err := s.ready(); err != nil {
		return err
	}
	return s.client.Stop(ctx, id)
}

// Forget takes id off the live queries (one the user stopped on purpose).
func (s *Session) Forget(id string) { s.live.remove(id) }

// StopLive stops on Athena every query the session started that is not
// known to be final, and returns their IDs: however a front end ends (a
// quit, a signal, a panic), none is left running.
func (s *Session) StopLive(ctx context.Context) []string {
	ids := s.live.list()
	if len(ids) == 0 || s.client == nil {
		return nil
	}
	stop, done := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer done()
	for _, id := range ids {
		_ = s.client.Stop(stop, id)
	}
	return ids
}

// Execution is what Athena says of query id now.
func (s *Session) Execution(ctx context.Context, id string) (athena.Execution, error) {
	if err := s.ready(); err != nil {
		return athena.Execution{}, err
	}
	return s.client.Execution(ctx, id)
}

// Results streams the rows of the finished query x.
func (s *Session) Results(ctx context.Context, x athena.Execution) (athena.Rows, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	return s.client.Results(ctx, x)
}

// ResultsOf streams the rows of the earlier query id, which must have
// SUCCEEDED.
func (s *Session) ResultsOf(ctx context.Context, id string) (athena.Rows, error) {
	x, err := s.Execution(ctx, id)
	if err != nil {
		return nil, err
	}
	if x.State != athena.Succeeded {
		return nil, &engine.Error{Op: "results of query " + id, Kind: engine.Invalid, Err: fmt.Errorf("the query is %s, not SUCCEEDED: it has no results", x.State)}
	}
	return s.client.Results(ctx, x)
}

// ResultFile is the result file of x as Athena wrote it (CSV), for a
// front end that passes it through; an error of kind Denied or Invalid
// means it cannot be read that way (then Results reads the rows).
func (s *Session) ResultFile(ctx context.Context, x athena.Execution) (io.ReadCloser, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	return s.client.ResultFile(ctx, x)
}

// Recent is the workgroup's recent queries, newest first, at most max.
func (s *Session) Recent(ctx context.Context, max int) ([]athena.Execution, error) {
	wg, err := s.Workgroup(ctx)
	if err != nil {
		return nil, err
	}
	return s.client.Recent(ctx, wg.Name, max)
}

// Saved is the workgroup's saved (named) queries, at most max, and how
// many of them Athena would not show.
func (s *Session) Saved(ctx context.Context, max int) ([]athena.NamedQuery, int, error) {
	wg, err := s.Workgroup(ctx)
	if err != nil {
		return nil, 0, err
	}
	return s.client.Saved(ctx, wg.Name, max)
}

// withRequest fills what a failed Start leaves empty in x from the request,
// so that the refusal can be explained against the statement that was sent.
func withRequest(x athena.Execution, req athena.Request) athena.Execution {
	if x.SQL == "" {
		x.SQL = req.SQL
	}
	if x.Workgroup == "" {
		x.Workgroup = req.Workgroup
	}
	if x.Catalog == "" {
		x.Catalog = req.Catalog
	}
	if x.Database == "" {
		x.Database = req.Database
	}
	return x
}

// SplitStatements cuts a script into statements at the semicolons that
// are not inside strings, quoted names or comments. Empty statements (a
// trailing ";") are dropped.
func SplitStatements(sql string) ([]string, error) {
	toks, err := sqlref.Lex(sql)
	if err != nil {
		return nil, err
	}
	var out []string
	start := 0
	// code says the statement under way holds more than comments; it is
	// read off the script's tokens (lexing each statement again doubled
	// the time of a large script).
	code := false
	flush := func(end int) {
		if s := strings.TrimSpace(sql[start:end]); s != "" && code {
			out = append(out, s)
		}
	}
	for _, t := range toks {
		if t.Kind == sqlref.Op && t.Text == ";" {
			flush(t.Pos)
			start, code = t.Pos+1, false
			continue
		}
		code = code || t.Kind != sqlref.Comment
	}
	flush(len(sql))
	return out, nil
}

// liveQueries are the queries the session started that are not final
// yet.
type liveQueries struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (l *liveQueries) add(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ids == nil {
		l.ids = map[string]bool{}
	}
	l.ids[id] = true
}

func (l *liveQueries) remove(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.ids, id)
}

func (l *liveQueries) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.ids))
	for id := range l.ids {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Stats are what a finished (or failed) query cost and how its rows were
// read: `quiltq -e --stats` prints them, one JSON object per statement.
// The fields are in the order of their names, as the object has always
// printed.
type Stats struct {
	BytesScanned  int64   `json:"bytes_scanned"`
	Completed     string  `json:"completed,omitempty"`
	CostUSD       float64 `json:"cost_usd"`
	Credentials   string  `json:"credentials"`
	EngineMs      int64   `json:"engine_ms"`
	FetchFallback string  `json:"fetch_fallback,omitempty"`
	FetchPath     string  `json:"fetch_path,omitempty"`
	MaxScan       int64   `json:"max_scan,omitempty"`
	Polls         int     `json:"polls"`
	QueryID       string  `json:"query_id"`
	QueueMs       int64   `json:"queue_ms"`
	Reused        bool    `json:"reused"`
	Rows          *int64  `json:"rows,omitempty"`
	State         string  `json:"state"`
	Statement     string  `json:"statement"`
	Submitted     string  `json:"submitted,omitempty"`
	TotalMs       int64   `json:"total_ms"`
	Workgroup     string  `json:"workgroup"`
	// WorkgroupCutoff is the workgroup's BytesScannedCutoffPerQuery, when
	// it has one; MaxScan quiltq's own limit (max_scan), when set.
	WorkgroupCutoff int64 `json:"workgroup_scan_cutoff,omitempty"`
}

// CostOf is what x costs (or would, were it to succeed) at the session's
// price: nothing when Athena answered it with a stored result, which
// scans nothing and costs nothing (Athena's ResultReuseInformation; the
// 10 MB minimum is per query run).
func (s *Session) CostOf(x athena.Execution) float64 {
	if x.Reused {
		return 0
	}
	return engine.Cost(x.DataScanned, s.PricePerTB())
}

// StatsOf are x's stats; rows and path say how many rows were read and
// how, when they were (rows nil otherwise).
func (s *Session) StatsOf(x athena.Execution, rows *int64, path athena.FetchPath) Stats {
	st := Stats{
		QueryID: x.ID, State: string(x.State), Workgroup: x.Workgroup, Statement: x.StatementType,
		QueueMs: x.QueueTime.Milliseconds(), EngineMs: x.EngineTime.Milliseconds(), TotalMs: x.TotalTime.Milliseconds(),
		BytesScanned: x.DataScanned, CostUSD: s.CostOf(x), Polls: x.Polls, Credentials: s.Source(),
	}
	st.Reused, st.MaxScan = x.Reused, s.MaxScan()
	if c := s.ScanCutoff(); c > 0 && strings.EqualFold(s.WorkgroupName(), x.Workgroup) {
		st.WorkgroupCutoff = c
	}
	if !x.Submitted.IsZero() {
		st.Submitted = x.Submitted.UTC().Format(time.RFC3339Nano)
	}
	if !x.Completed.IsZero() {
		st.Completed = x.Completed.UTC().Format(time.RFC3339Nano)
	}
	if rows != nil {
		st.Rows, st.FetchPath, st.FetchFallback = rows, path.Via, path.Fallback
	}
	return st
}
