package athenasrv

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/sqlrun"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// The states of a query execution.
const (
	stateQueued    = "QUEUED"
	stateRunning   = "RUNNING"
	stateSucceeded = "SUCCEEDED"
	stateFailed    = "FAILED"
	stateCancelled = "CANCELLED"
)

// maxQueryBytes is Athena's fixed limit on a query string.
const maxQueryBytes = 262144

// execution is one query execution. The fields above the line are fixed
// at submission; those below are guarded by Service.mu.
type execution struct {
	id, sql, workgroup string
	context            *queryExecutionContext // as the request gave it
	caller             principal.Caller
	fingerprint        string // the request, for ClientRequestToken checks
	bucket, prefix     string // the output location
	encryption         *encryptionConfiguration
	queue, run         time.Duration
	submitted          time.Time
	seq                int64
	cancel             context.CancelFunc
	done               chan struct{}
	params             []string                  // ExecutionParameters
	reuseConfig        *resultReuseConfiguration // as the request gave it
	reuseAge           time.Duration             // > 0: a stored result this young may serve
	cutoff             int64                     // the workgroup's BytesScannedCutoffPerQuery; 0 for none
	// read counts the bytes of table data the SQL has read so far; the
	// engine's loaders add to it while the query runs.
	read atomic.Int64

	state, reason  string
	athenaError    *athenaError
	statementType  string
	text           bool // results are <id>.txt lines rather than CSV
	started        time.Time
	engineDone     time.Time
	completed      time.Time
	scanned        int64
	columns        []engine.Column
	resultsWritten bool
	updateCount    int64 // rows a CTAS or INSERT wrote
	// resultID names the result object when it is another execution's: a
	// query that reused a stored result points at it.
	resultID                string
	reused                  bool
	outputRows, outputBytes int64
}

func (x *execution) terminal() bool {
	return x.state == stateSucceeded || x.state == stateFailed || x.state == stateCancelled
}

// resultKey is the key of the result object in the output bucket.
func (x *execution) resultKey() string {
	id := x.id
	if x.resultID != "" {
		id = x.resultID
	}
	if x.text {
		return x.prefix + id + ".txt"
	}
	return x.prefix + id + ".csv"
}

// scannedNow is DataScannedInBytes at now, with Service.mu held. A running
// query reports the bytes it has read, paced over its run time: the SQL
// engine reads the sandbox's small tables at once, while Athena's scan
// grows as the query runs, and a client that stops queries past a scan
// limit must see it grow. The figure never exceeds what was read; a
// query that ended keeps what it reported last (failed, cancelled) or
// its whole scan (succeeded).
func (x *execution) scannedNow(now time.Time) int64 {
	if x.state != stateRunning {
		return x.scanned
	}
	read := x.read.Load()
	if x.run <= 0 || x.started.IsZero() {
		return read
	}
	elapsed := now.Sub(x.started)
	if elapsed >= x.run {
		return read
	}
	if elapsed < 0 {
		return 0
	}
	return int64(float64(read) * float64(elapsed) / float64(x.run))
}

func (x *execution) resultURL() string { return "s3://" + x.bucket + "/" + x.resultKey() }

// newID returns a fresh query execution id, a random UUID as Athena's are.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// timingComment finds a query's "-- sandbox: queue=… run=…" comment.
var timingComment = regexp.MustCompile(`--[ \t]*sandbox:([^\r\n]*)`)

// timing returns a query's queue and run times: its comment's, else the
// service's.
func timing(sql string, queue, run time.Duration) (time.Duration, time.Duration, error) {
	m := timingComment.FindStringSubmatch(sql)
	if m == nil {
		return queue, run, nil
	}
	for _, f := range strings.Fields(m[1]) {
		k, v, ok := strings.Cut(f, "=")
		d, err := time.ParseDuration(v)
		if !ok || err != nil || d < 0 {
			return 0, 0, fmt.Errorf("sandbox: cannot read %q in the timing comment (want queue=<duration> run=<duration>)", f)
		}
		switch k {
		case "queue":
			queue = d
		case "run":
			run = d
		default:
			return 0, 0, fmt.Errorf("sandbox: unknown setting %q in the timing comment (want queue or run)", k)
		}
	}
	return queue, run, nil
}

// classify guesses a statement's type and result format from its first
// keyword, so that StatementType and OutputLocation are known while it is
// queued; the SQL engine's answer replaces the guess when it finishes.
func classify(sql string) (statementType string, text bool) {
	if w, _ := sqlrun.ParseWrite(sql, sqlrun.Query{}); w != nil {
		// CTAS is DML, though it starts with CREATE.
		return w.Kind.StatementType(), w.Kind.StatementType() == "DDL"
	}
	word := firstKeyword(sql)
	switch word {
	case "SHOW", "DESCRIBE", "DESC":
		return "UTILITY", true
	case "EXPLAIN":
		return "UTILITY", false
	case "CREATE", "DROP", "ALTER", "MSCK":
		return "DDL", true
	}
	return "DML", false
}

// firstKeyword is the first word of sql, past comments, blanks and
// parentheses, in upper case.
func firstKeyword(sql string) string {
	s := sql
	for {
		s = strings.TrimLeft(s, " \t\r\n(")
		switch {
		case strings.HasPrefix(s, "--"):
			_, s, _ = strings.Cut(s, "\n")
		case strings.HasPrefix(s, "/*"):
			_, s, _ = strings.Cut(s, "*/")
		default:
			end := strings.IndexFunc(s, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
			})
			if end < 0 {
				end = len(s)
			}
			return strings.ToUpper(s[:end])
		}
	}
}

func (q *call) startQueryExecution() (any, *wire.Error) {
	in := q.in
	if in.QueryString == nil {
		return nil, required("queryString")
	}
	sql := *in.QueryString
	if sql == "" {
		return nil, validation(sql, "queryString", "have length greater than or equal to 1")
	}
	if len(sql) > maxQueryBytes {
		return nil, validation(sql, "queryString", "have length less than or equal to 262144")
	}
	var token string
	if in.ClientRequestToken != nil {
		token = *in.ClientRequestToken
		if len(token) < 32 {
			return nil, validation(token, "clientRequestToken", "have length greater than or equal to 32")
		}
		if len(token) > 128 {
			return nil, validation(token, "clientRequestToken", "have length less than or equal to 128")
		}
	}
	// ExecutionParameter is 1..1024 characters, and the list is not empty
	// when given (botocore's athena model: ExecutionParameters min 1,
	// ExecutionParameter min 1 max 1024).
	if in.ExecutionParameters != nil && len(in.ExecutionParameters) == 0 {
		return nil, validation("[]", "executionParameters", "have length greater than or equal to 1")
	}
	for _, p := range in.ExecutionParameters {
		if len(p) < 1 || len(p) > 1024 {
			return nil, validation("["+strings.Join(in.ExecutionParameters, ", ")+"]", "executionParameters",
				"satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1]")
		}
	}
	reuseAge, werr := reuseAgeOf(in.ResultReuseConfiguration)
	if werr != nil {
		return nil, werr
	}
	name := q.workgroupName()
	if werr := q.authorize("athena:StartQueryExecution", workgroupARN(q.st(), name)); werr != nil {
		return nil, werr
	}
	s := q.svc
	fp, _ := json.Marshal([]any{sql, name, in.QueryExecutionContext, in.ResultConfiguration, in.ExecutionParameters, in.ResultReuseConfiguration})
	// The token is checked before anything else about the query, as
	// Athena returns the same id "even if the requester doesn't have
	// permission on the tables".
	if id, werr := s.replay(q.caller, token, string(fp)); id != "" || werr != nil {
		return startOutput(id), werr
	}
	wg, ok := lookupWorkgroup(q.st(), name)
	if !ok {
		return nil, workgroupNotFound(name)
	}
	if wgState(wg) == "DISABLED" {
		return nil, invalid("INVALID_INPUT", "WorkGroup "+name+" is disabled.")
	}
	location, enc := wg.OutputLocation, (*encryptionConfiguration)(nil)
	if wg.Encryption != "" {
		enc = &encryptionConfiguration{EncryptionOption: wg.Encryption, KmsKey: wg.KMSKey}
	}
	if rc := in.ResultConfiguration; rc != nil && !wg.Enforce {
		if rc.OutputLocation != "" {
			location = rc.OutputLocation
		}
		if rc.EncryptionConfiguration != nil {
			enc = rc.EncryptionConfiguration
		}
	}
	if location == "" {
		return nil, invalid("", "No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.")
	}
	bucket, prefix, err := objstore.ParseURI(location)
	if err != nil {
		return nil, invalid("", "The S3 location provided to save your query results is invalid. Please check your S3 location is correct and is in the same region and try again. If you continue to see the issue, contact customer support for further assistance.")
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	// Athena verifies the output bucket as the caller; a missing bucket
	// and a refused one read alike.
	if !s.cfg.Store.BucketExists(bucket) || q.authz().Authorize(q.caller, "s3:GetBucketLocation", "arn:aws:s3:::"+bucket, viaAthena()) != nil {
		return nil, invalid("", "Unable to verify/create output bucket "+bucket)
	}
	queue, run, err := timing(sql, s.cfg.Queue, s.cfg.Run)
	if err != nil {
		return nil, invalid("", err.Error())
	}
	if s.cfg.SyntaxErrors == SyntaxAtStart {
		if werr := syntaxRefusal(sql); werr != nil {
			return nil, werr
		}
	}
	stmt, text := classify(sql)
	x := &execution{
		id: newID(), sql: sql, workgroup: name, context: in.QueryExecutionContext, caller: q.caller,
		fingerprint: string(fp), bucket: bucket, prefix: prefix, encryption: enc,
		queue: queue, run: run, submitted: s.cfg.Now(), done: make(chan struct{}),
		state: stateQueued, statementType: stmt, text: text,
		params: in.ExecutionParameters, reuseConfig: in.ResultReuseConfiguration, reuseAge: reuseAge,
		cutoff: wg.BytesScannedCutoff,
	}
	id, werr := s.submit(x, token)
	return startOutput(id), werr
}

// syntaxRefusal is StartQueryExecution's answer to SQL that does not
// parse: 400 InvalidRequestException whose message is the position and
// the complaint alone, without the SYNTAX_ERROR name a failed query's
// reason carries ("line 1:8: mismatched input 'FORM'. Expecting: ...", as
// quoted in guardian/athena-cli#39), or "Only one sql statement is
// allowed. Got: <sql>" (objectiv/objectiv-analytics#1311). The refusal
// carries no AthenaErrorCode.
func syntaxRefusal(sql string) *wire.Error {
	err := sqlrun.CheckSyntax(sql)
	var se *sqlrun.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sqlrun.ErrMultipleStatements):
		return invalid("", "Only one sql statement is allowed. Got: "+sql)
	case errors.As(err, &se):
		return invalid("", strings.TrimPrefix(se.Message, se.Code()+": "))
	}
	return invalid("", err.Error())
}

// reuseAgeOf reads ResultReuseConfiguration: the age a stored result may
// have to be reused, or 0 when reuse is off. MaxAgeInMinutes is 0..10080
// and defaults to 60 (botocore's athena model, ResultReuseByAgeConfiguration
// and its Age shape).
func reuseAgeOf(c *resultReuseConfiguration) (time.Duration, *wire.Error) {
	if c == nil || c.ResultReuseByAgeConfiguration == nil || !c.ResultReuseByAgeConfiguration.Enabled {
		return 0, nil
	}
	minutes := 60
	if m := c.ResultReuseByAgeConfiguration.MaxAgeInMinutes; m != nil {
		minutes = *m
	}
	if minutes < 0 {
		return 0, validation(minutes, "resultReuseConfiguration.resultReuseByAgeConfiguration.maxAgeInMinutes", "have value greater than or equal to 0")
	}
	if minutes > 10080 {
		return 0, validation(minutes, "resultReuseConfiguration.resultReuseByAgeConfiguration.maxAgeInMinutes", "have value less than or equal to 10080")
	}
	return time.Duration(minutes) * time.Minute, nil
}

func startOutput(id string) any {
	if id == "" {
		return nil
	}
	return struct {
		QueryExecutionID string `json:"QueryExecutionId"`
	}{id}
}

func tokenKey(c principal.Caller, token string) string { return c.AccountID + "/" + token }

// replay answers a repeated ClientRequestToken: the first request's id
// when the parameters match, an error when they do not, "" when the token
// is new.
func (s *Service) replay(c principal.Caller, token, fingerprint string) (string, *wire.Error) {
	if token == "" {
		return "", nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.tokens[tokenKey(c, token)]
	switch {
	case x == nil:
		return "", nil
	case x.fingerprint != fingerprint:
		return "", invalid("", "Idempotent parameters do not match")
	default:
		return x.id, nil
	}
}

// submit registers x and starts it, unless a request with the same token
// won the race to register first.
func (s *Service) submit(x *execution, token string) (string, *wire.Error) {
	s.mu.Lock()
	if token != "" {
		if prev := s.tokens[tokenKey(x.caller, token)]; prev != nil {
			s.mu.Unlock()
			if prev.fingerprint != x.fingerprint {
				return "", invalid("", "Idempotent parameters do not match")
			}
			return prev.id, nil
		}
		s.tokens[tokenKey(x.caller, token)] = x
	}
	s.seq++
	x.seq = s.seq
	s.execs[x.id] = x
	s.byWG[x.workgroup] = append(s.byWG[x.workgroup], x)
	ctx, cancel := context.WithCancel(s.base)
	x.cancel = cancel
	s.wg.Add(1)
	s.mu.Unlock()
	go s.execute(ctx, x)
	return x.id, nil
}

// sleep waits d, or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// execute carries x through its life: queued, running, done.
func (s *Service) execute(ctx context.Context, x *execution) {
	defer s.wg.Done()
	defer close(x.done)
	defer x.cancel()
	if !sleep(ctx, x.queue) {
		s.finish(x, stateCancelled, nil)
		return
	}
	// Waiting for a worker is queueing too.
	select {
	case s.pool <- struct{}{}:
	case <-ctx.Done():
		s.finish(x, stateCancelled, nil)
		return
	}
	defer func() { <-s.pool }()
	if !s.begin(x) {
		return
	}
	if s.reuse(ctx, x) {
		s.finish(x, stateSucceeded, nil)
		return
	}
	began := time.Now()
	out := &resultWriter{}
	stats, err := s.runSQL(ctx, x, out)
	if read := x.read.Load(); x.cutoff > 0 && read > x.cutoff {
		// The scan, paced over the run time, passes the workgroup's
		// cutoff at cutoff/read of it: Athena cancels the query then
		// ("If any query that runs in the workgroup exceeds the limit, it
		// is canceled", Athena User Guide, "Configure per-query and
		// per-workgroup data usage controls"), at the cutoff (CutoffReason).
		at := time.Duration(float64(x.run) * float64(x.cutoff) / float64(read))
		if !sleep(ctx, at-time.Since(began)) || ctx.Err() != nil {
			s.finish(x, stateCancelled, nil)
			return
		}
		s.finish(x, stateCancelled, &failure{reason: CutoffReason, reasonOnly: true, scanned: x.cutoff})
		return
	}
	if !sleep(ctx, x.run-time.Since(began)) || ctx.Err() != nil {
		s.finish(x, stateCancelled, nil)
		return
	}
	s.mu.Lock()
	x.engineDone = s.cfg.Now()
	x.scanned = x.scannedNow(x.engineDone)
	if err == nil {
		x.scanned = stats.DataScannedBytes
	}
	if stats.StatementType != "" {
		x.statementType = stats.StatementType
		x.text = stats.Text
	}
	x.columns = out.columns
	s.mu.Unlock()
	if err != nil {
		s.finish(x, stateFailed, failureOf(err))
		return
	}
	if f := s.writeResults(x, out); f != nil {
		s.finish(x, stateFailed, f)
		return
	}
	s.finish(x, stateSucceeded, nil)
}

// begin moves x to RUNNING, unless it was stopped meanwhile.
func (s *Service) begin(x *execution) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x.terminal() {
		return false
	}
	x.state, x.started = stateRunning, s.cfg.Now()
	return true
}

// finish marks x done, stamping the moment; a query already done (a
// stopped one, say) keeps its first ending.
func (s *Service) finish(x *execution, state string, f *failure) {
	s.mu.Lock()
	if x.terminal() {
		s.mu.Unlock()
		return
	}
	now := s.cfg.Now()
	if x.state == stateRunning && x.engineDone.IsZero() {
		x.scanned = x.scannedNow(now) // stopped while running: what it had reported
	}
	x.state = state
	x.completed = now.Truncate(time.Millisecond)
	if f != nil && f.reasonOnly {
		x.reason = f.reason
		if f.scanned > 0 {
			x.scanned = f.scanned
		}
	} else if f != nil {
		x.reason = f.reason
		x.athenaError = &athenaError{ErrorCategory: f.category, ErrorType: f.typ, Retryable: f.retryable, ErrorMessage: f.reason}
	}
	s.mu.Unlock()
	s.cfg.Log.Info("athena query", "id", x.id, "workgroup", x.workgroup, "caller", x.caller.ARN(), "state", state)
}

// failure is why a query failed, as AthenaError and StateChangeReason
// carry it. The sandbox's catalog returns one for refusals, and sqlrun
// hands it back unchanged.
type failure struct {
	category, typ int
	retryable     bool
	reason        string
	reasonOnly    bool  // a StateChangeReason without an AthenaError (a cancellation)
	scanned       int64 // with reasonOnly, when > 0: the scan the query ends with
}

// CutoffReason is the StateChangeReason of a query cancelled for passing
// its workgroup's BytesScannedCutoffPerQuery. The guide does not quote
// it; Athena users report the query CANCELLED with this reason, its
// DataScannedInBytes the cutoff exactly ("cancelled at exactly 5.00 GiB").
const CutoffReason = "Bytes scanned limit was exceeded"

func (f *failure) Error() string { return f.reason }

// failureOf turns what Run returned into a failure.
func failureOf(err error) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	var se *sqlrun.Error
	if errors.As(err, &se) {
		return &failure{category: se.Category, typ: se.Type, reason: se.Message}
	}
	return &failure{category: sqlrun.CategorySystem, typ: 200, reason: "GENERIC_INTERNAL_ERROR: " + err.Error()}
}

// runSQL runs x's SQL on the engine, turning a panic into a failure so
// that one bad query cannot take the sandbox down.
func (s *Service) runSQL(ctx context.Context, x *execution, out *resultWriter) (stats sqlrun.Stats, err error) {
	if s.sql == nil {
		return stats, &failure{category: sqlrun.CategorySystem, typ: 100, reason: "sandbox: no SQL engine is configured"}
	}
	defer func() {
		if p := recover(); p != nil {
			err = &failure{category: sqlrun.CategorySystem, typ: 200, reason: fmt.Sprintf("GENERIC_INTERNAL_ERROR: %v", p)}
		}
	}()
	q := x.query()
	w, err := sqlrun.ParseWrite(x.sql, q)
	if err != nil {
		return stats, err
	}
	if w != nil {
		res, err := s.runWrite(ctx, x, w)
		s.mu.Lock()
		x.updateCount = res.updateCount
		s.mu.Unlock()
		return sqlrun.Stats{StatementType: res.statementType, Text: res.text, DataScannedBytes: res.scanned}, err
	}
	return s.sql.Run(ctx, q, &queryCatalog{svc: s, caller: x.caller}, out)
}

// query is x's SQL as the engine takes it.
func (x *execution) query() sqlrun.Query {
	q := sqlrun.Query{SQL: x.sql, Params: x.params, Progress: func(n int64) { x.read.Add(n) }}
	if x.context != nil {
		q.Catalog, q.Database = x.context.Catalog, x.context.Database
	}
	return q
}

// analyzer is the part of the SQL engine that result reuse needs.
type analyzer interface {
	Analyze(ctx context.Context, q sqlrun.Query, cat sqlrun.Catalog) error
}

// reuse serves x from a stored result when its ResultReuseConfiguration
// allows and Athena's conditions hold ("Reuse query results in Athena",
// Athena User Guide): a previous execution in the same workgroup with the
// same query string, catalog and database (and, in the sandbox, the same
// ExecutionParameters), its result configuration the same, succeeded no
// longer ago than the maximum age; the caller may read every table the
// query names and the stored result object. The newest such result is
// reused; x then points at it, scans nothing and says so in
// ResultReuseInformation. It reports whether x was served.
func (s *Service) reuse(ctx context.Context, x *execution) bool {
	a, ok := s.sql.(analyzer)
	if x.reuseAge <= 0 || !ok {
		return false
	}
	now := s.cfg.Now()
	s.mu.Lock()
	var prev *execution
	list := s.byWG[x.workgroup]
	for i := len(list) - 1; i >= 0; i-- {
		p := list[i]
		if p != x && p.state == stateSucceeded && p.resultsWritten && sameQuery(p, x) && now.Sub(p.completed) <= x.reuseAge {
			prev = p
			break
		}
	}
	var key, bucket, resultID, stmt string
	var text bool
	var cols []engine.Column
	if prev != nil {
		key, bucket, text, cols, stmt = prev.resultKey(), prev.bucket, prev.text, prev.columns, prev.statementType
		resultID = prev.id
		if prev.resultID != "" {
			resultID = prev.resultID
		}
	}
	s.mu.Unlock()
	if prev == nil || stmt != "DML" {
		return false
	}
	if a.Analyze(ctx, x.query(), &queryCatalog{svc: s, caller: x.caller}) != nil {
		return false
	}
	if s.cfg.Authz.Authorize(x.caller, "s3:GetObject", "arn:aws:s3:::"+bucket+"/"+key, viaAthena()) != nil {
		return false
	}
	obj, err := s.cfg.Store.Get(bucket, key)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x.resultID, x.text, x.columns, x.statementType = resultID, text, cols, stmt
	x.reused, x.resultsWritten, x.scanned = true, true, 0
	x.engineDone = s.cfg.Now()
	x.outputRows, x.outputBytes = prev.outputRows, int64(len(obj.Data))
	return true
}

// sameQuery reports whether x may reuse p's result, by the request
// members that shape the result.
func sameQuery(p, x *execution) bool {
	ctxKey := func(c *queryExecutionContext) string {
		if c == nil {
			return sqlrun.DefaultCatalog + "." + sqlrun.DefaultDatabase
		}
		cat, db := strings.ToLower(c.Catalog), strings.ToLower(c.Database)
		if cat == "" {
			cat = sqlrun.DefaultCatalog
		}
		if db == "" {
			db = sqlrun.DefaultDatabase
		}
		return cat + "." + db
	}
	encKey := func(e *encryptionConfiguration) string {
		if e == nil {
			return ""
		}
		return e.EncryptionOption + "/" + e.KmsKey
	}
	return p.sql == x.sql && ctxKey(p.context) == ctxKey(x.context) &&
		strings.Join(p.params, "\x00") == strings.Join(x.params, "\x00") && len(p.params) == len(x.params) &&
		p.bucket == x.bucket && p.prefix == x.prefix && encKey(p.encryption) == encKey(x.encryption)
}

// lookup finds an execution by id.
func (s *Service) lookup(id string) *execution {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.execs[id]
}

func notFoundExecution(id string) *wire.Error {
	return invalid("INVALID_INPUT", "QueryExecution "+id+" was not found")
}

// view is x as GetQueryExecution shows it.
func (s *Service) view(x *execution) queryExecution {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	qe := queryExecution{
		QueryExecutionID: x.id, Query: x.sql, StatementType: x.statementType, WorkGroup: x.workgroup,
		ResultConfiguration:   &resultConfiguration{OutputLocation: x.resultURL(), EncryptionConfiguration: x.encryption},
		QueryExecutionContext: x.context,
		Status: queryExecutionStatus{
			State: x.state, StateChangeReason: x.reason, AthenaError: x.athenaError,
			SubmissionDateTime: stamp(x.submitted), CompletionDateTime: stamp(x.completed),
		},
		EngineVersion:       athenaEngine(),
		ExecutionParameters: x.params, ResultReuseConfiguration: x.reuseConfig,
	}
	if qe.QueryExecutionContext == nil {
		qe.QueryExecutionContext = &queryExecutionContext{}
	}
	ms := func(from, to time.Time) int64 {
		if from.IsZero() || to.Before(from) {
			return 0
		}
		return to.Sub(from).Milliseconds()
	}
	end := now
	if x.terminal() {
		end = x.completed
	}
	st := &queryExecutionStatistics{DataScannedInBytes: x.scannedNow(now), TotalExecutionTimeInMillis: ms(x.submitted, end)}
	st.ResultReuseInformation.ReusedPreviousResult = x.reused
	if x.started.IsZero() {
		st.QueryQueueTimeInMillis = ms(x.submitted, end)
	} else {
		st.QueryQueueTimeInMillis = ms(x.submitted, x.started)
		engineEnd := end
		if !x.engineDone.IsZero() {
			engineEnd = x.engineDone
			st.ServiceProcessingTimeInMillis = ms(x.engineDone, end)
		}
		st.EngineExecutionTimeInMillis = ms(x.started, engineEnd)
	}
	qe.Statistics = st
	return qe
}

func (q *call) getQueryExecution() (any, *wire.Error) {
	if q.in.QueryExecutionID == "" {
		return nil, required("queryExecutionId")
	}
	x := q.svc.lookup(q.in.QueryExecutionID)
	if x == nil {
		return nil, notFoundExecution(q.in.QueryExecutionID)
	}
	if werr := q.authorize("athena:GetQueryExecution", workgroupARN(q.st(), x.workgroup)); werr != nil {
		return nil, werr
	}
	return struct {
		QueryExecution queryExecution `json:"QueryExecution"`
	}{q.svc.view(x)}, nil
}

func (q *call) stopQueryExecution() (any, *wire.Error) {
	if q.in.QueryExecutionID == "" {
		return nil, required("queryExecutionId")
	}
	x := q.svc.lookup(q.in.QueryExecutionID)
	if x == nil {
		return nil, notFoundExecution(q.in.QueryExecutionID)
	}
	if werr := q.authorize("athena:StopQueryExecution", workgroupARN(q.st(), x.workgroup)); werr != nil {
		return nil, werr
	}
	// The state changes at once; the SQL learns of it through its
	// context. Stopping a finished query changes nothing.
	q.svc.finish(x, stateCancelled, nil)
	x.cancel()
	return struct{}{}, nil
}

// Executions are listed newest first; a page token holds the sequence
// number of the last one returned.
func encodeSeq(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("q:" + strconv.FormatInt(seq, 10)))
}

func decodeSeq(tok string) (int64, *wire.Error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	s, ok := strings.CutPrefix(string(b), "q:")
	n, perr := strconv.ParseInt(s, 10, 64)
	if err != nil || !ok || perr != nil || n <= 0 {
		return 0, invalid("INVALID_INPUT", "Invalid NextToken")
	}
	return n, nil
}

func (q *call) listQueryExecutions() (any, *wire.Error) {
	size, werr := q.pageSize(0, 50)
	if werr != nil {
		return nil, werr
	}
	before, werr := decodeSeq(q.in.NextToken)
	if werr != nil {
		return nil, werr
	}
	name := q.workgroupName()
	if werr := q.authorize("athena:ListQueryExecutions", workgroupARN(q.st(), name)); werr != nil {
		return nil, werr
	}
	if _, ok := lookupWorkgroup(q.st(), name); !ok {
		return nil, workgroupNotFound(name)
	}
	type output struct {
		QueryExecutionIDs []string `json:"QueryExecutionIds"`
		NextToken         string   `json:"NextToken,omitempty"`
	}
	out := output{QueryExecutionIDs: []string{}}
	s := q.svc
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.byWG[name]
	var last int64
	for i := len(list) - 1; i >= 0; i-- {
		x := list[i]
		if before != 0 && x.seq >= before {
			continue
		}
		if len(out.QueryExecutionIDs) == size {
			out.NextToken = encodeSeq(last)
			break
		}
		out.QueryExecutionIDs = append(out.QueryExecutionIDs, x.id)
		last = x.seq
	}
	return out, nil
}

func (q *call) batchGetQueryExecution() (any, *wire.Error) {
	ids := q.in.QueryExecutionIDs
	if len(ids) == 0 {
		return nil, validation("[]", "queryExecutionIds", "have length greater than or equal to 1")
	}
	if len(ids) > 50 {
		return nil, validation("["+strings.Join(ids, ", ")+"]", "queryExecutionIds", "have length less than or equal to 50")
	}
	type output struct {
		QueryExecutions              []queryExecution              `json:"QueryExecutions"`
		UnprocessedQueryExecutionIDs []unprocessedQueryExecutionID `json:"UnprocessedQueryExecutionIds"`
	}
	out := output{QueryExecutions: []queryExecution{}, UnprocessedQueryExecutionIDs: []unprocessedQueryExecutionID{}}
	for _, id := range ids {
		x := q.svc.lookup(id)
		if x == nil {
			out.UnprocessedQueryExecutionIDs = append(out.UnprocessedQueryExecutionIDs, unprocessedQueryExecutionID{
				QueryExecutionID: id, ErrorCode: "INVALID_INPUT", ErrorMessage: "QueryExecution " + id + " was not found",
			})
			continue
		}
		// A query in a workgroup the caller may not read is reported, not
		// refused: the documented behaviour of BatchGetQueryExecution.
		if d := q.authz().Authorize(q.caller, "athena:BatchGetQueryExecution", workgroupARN(q.st(), x.workgroup), principal.Call{}); d != nil {
			out.UnprocessedQueryExecutionIDs = append(out.UnprocessedQueryExecutionIDs, unprocessedQueryExecutionID{
				QueryExecutionID: id, ErrorCode: "AccessDeniedException", ErrorMessage: d.AthenaMessage(),
			})
			continue
		}
		out.QueryExecutions = append(out.QueryExecutions, q.svc.view(x))
	}
	return out, nil
}
