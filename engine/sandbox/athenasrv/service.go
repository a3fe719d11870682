package athenasrv

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/quiltq/quiltq/engine/sandbox/metastore"
	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/sqlrun"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// Config is what the Athena endpoint serves and how it behaves.
type Config struct {
	Stack *stack.Stack
	Store *objstore.Store
	Meta  *metastore.Store
	SQL   *sqlrun.Engine
	Authz *principal.Authorizer
	// Now is the clock of every timestamp (default time.Now).
	Now func() time.Time
	// Queue and Run are how long each query stays QUEUED, and at least
	// RUNNING; a query's "-- sandbox:" comment overrides them.
	Queue, Run time.Duration
	// Log receives one line per finished query (default: discarded).
	Log *slog.Logger
	// Workers bounds how many queries run their SQL at once (default 8);
	// the others wait, QUEUED.
	Workers int
	// SyntaxErrors says where a statement that does not parse is refused:
	// at StartQueryExecution (the default) or when the query runs.
	SyntaxErrors SyntaxErrors
}

// SyntaxErrors is where the sandbox's Athena refuses SQL that does not
// parse. Public reports show Athena answering StartQueryExecution with
// 400 InvalidRequestException "line 1:10: mismatched input ..."
// (guardian/athena-cli#39) and "Only one sql statement is allowed. Got:
// ..." (objectiv/objectiv-analytics#1311); clients must also meet the other
// path, a query that starts and then FAILS with SYNTAX_ERROR, so the
// sandbox can take either.
type SyntaxErrors int

const (
	// SyntaxAtStart refuses at StartQueryExecution (the default).
	SyntaxAtStart SyntaxErrors = iota
	// SyntaxAtRun starts the query and fails it with SYNTAX_ERROR.
	SyntaxAtRun
)

// ParseSyntaxErrors reads "start" or "run".
func ParseSyntaxErrors(s string) (SyntaxErrors, error) {
	switch s {
	case "start", "":
		return SyntaxAtStart, nil
	case "run":
		return SyntaxAtRun, nil
	}
	return 0, fmt.Errorf("syntax errors at %q: want start (refused by StartQueryExecution) or run (the query fails)", s)
}

// runner runs one query's SQL; *sqlrun.Engine is the real one, and tests
// put a controllable one in its place.
type runner interface {
	Run(ctx context.Context, q sqlrun.Query, cat sqlrun.Catalog, out sqlrun.Output) (sqlrun.Stats, error)
}

// Service serves Athena. It is safe for concurrent use.
type Service struct {
	cfg  Config
	sql  runner
	pool chan struct{}
	born time.Time // when the service started: its workgroups' CreationTime

	// base is the parent of every query's context; Close cancels it.
	base  context.Context
	close context.CancelFunc
	wg    sync.WaitGroup

	mu          sync.Mutex
	execs       map[string]*execution
	byWG        map[string][]*execution // per workgroup, in submission order
	tokens      map[string]*execution   // ClientRequestToken -> execution
	seq         int64
	named       []namedEntry      // saved queries, the stack's then created ones
	namedTokens map[string]string // CreateNamedQuery ClientRequestToken -> id
}

// New returns the Athena endpoint of cfg.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	s := &Service{
		cfg:         cfg,
		born:        cfg.Now(),
		pool:        make(chan struct{}, cfg.Workers),
		execs:       map[string]*execution{},
		byWG:        map[string][]*execution{},
		tokens:      map[string]*execution{},
		namedTokens: map[string]string{},
	}
	if cfg.Stack != nil {
		for _, nq := range cfg.Stack.NamedQueries {
			s.named = append(s.named, namedEntry{id: namedQueryID(nq), q: nq})
		}
	}
	if cfg.SQL != nil { // a nil *Engine in the interface would not be nil
		s.sql = cfg.SQL
	}
	s.base, s.close = context.WithCancel(context.Background())
	return s
}

// Close cancels every query still queued or running and waits for their
// goroutines to end.
func (s *Service) Close() {
	s.close()
	s.wg.Wait()
}

// ServeAWS serves one signed Athena request from c.
func (s *Service) ServeAWS(w http.ResponseWriter, r *http.Request, c principal.Caller) {
	// A query string may be 262,144 bytes; leave room for the JSON
	// around it and for escapes, and refuse what is clearly larger.
	var in request
	op, werr := wire.ReadJSON(r, "AmazonAthena.", 4<<20, &in)
	if werr != nil {
		wire.JSONError(w, werr)
		return
	}
	q := &call{svc: s, caller: c, in: in, ctx: r.Context()}
	handlers := map[string]func() (any, *wire.Error){
		"StartQueryExecution":       q.startQueryExecution,
		"GetQueryExecution":         q.getQueryExecution,
		"GetQueryResults":           q.getQueryResults,
		"StopQueryExecution":        q.stopQueryExecution,
		"ListQueryExecutions":       q.listQueryExecutions,
		"BatchGetQueryExecution":    q.batchGetQueryExecution,
		"ListWorkGroups":            q.listWorkGroups,
		"GetWorkGroup":              q.getWorkGroup,
		"ListDataCatalogs":          q.listDataCatalogs,
		"GetDataCatalog":            q.getDataCatalog,
		"ListDatabases":             q.listDatabases,
		"GetDatabase":               q.getDatabase,
		"ListTableMetadata":         q.listTableMetadata,
		"GetTableMetadata":          q.getTableMetadata,
		"ListNamedQueries":          q.listNamedQueries,
		"BatchGetNamedQuery":        q.batchGetNamedQuery,
		"GetNamedQuery":             q.getNamedQuery,
		"CreateNamedQuery":          q.createNamedQuery,
		"ListEngineVersions":        q.listEngineVersions,
		"GetQueryRuntimeStatistics": q.getQueryRuntimeStatistics,
	}
	h, ok := handlers[op]
	if !ok {
		wire.JSONError(w, wire.NewError(http.StatusBadRequest, "UnknownOperationException", "the sandbox's Athena does not serve "+op))
		return
	}
	out, werr := h()
	if werr != nil {
		wire.JSONError(w, werr)
		return
	}
	wire.JSON(w, out)
}

// request holds the members of every served operation's input.
type request struct {
	QueryString           *string
	ClientRequestToken    *string
	QueryExecutionContext *queryExecutionContext
	ResultConfiguration   *resultConfiguration
	WorkGroup             string
	QueryExecutionID      string   `json:"QueryExecutionId"`
	QueryExecutionIDs     []string `json:"QueryExecutionIds"`
	NamedQueryIDs         []string `json:"NamedQueryIds"`
	MaxResults            *int
	NextToken             string
	Name                  *string
	CatalogName           *string
	DatabaseName          *string
	TableName             *string
	Expression            string
	// StartQueryExecution's further members.
	ExecutionParameters      []string
	ResultReuseConfiguration *resultReuseConfiguration
	// CreateNamedQuery's and GetNamedQuery's.
	Description  *string
	Database     *string
	NamedQueryID string `json:"NamedQueryId"`
}

// call is one request being answered.
type call struct {
	svc    *Service
	caller principal.Caller
	in     request
	ctx    context.Context
}

func (q *call) st() *stack.Stack             { return q.svc.cfg.Stack }
func (q *call) authz() *principal.Authorizer { return q.svc.cfg.Authz }

// authorize decides an athena:* action on resource for the caller,
// refusing as Athena's control plane does.
func (q *call) authorize(action, resource string) *wire.Error {
	if d := q.authz().Authorize(q.caller, action, resource, principal.Call{}); d != nil {
		return accessDenied(d)
	}
	return nil
}

// viaAthena is how Athena's own calls for the caller are authorized:
// with aws:CalledVia athena.amazonaws.com.
func viaAthena() principal.Call { return principal.Call{Via: "athena.amazonaws.com"} }

// workgroupARN is the ARN Athena authorizes query and workgroup calls on.
func workgroupARN(st *stack.Stack, name string) string {
	return fmt.Sprintf("arn:aws:athena:%s:%s:workgroup/%s", st.Region, st.AccountID, name)
}

// dataCatalogARN is the ARN Athena authorizes catalog calls on.
func dataCatalogARN(st *stack.Stack, name string) string {
	return fmt.Sprintf("arn:aws:athena:%s:%s:datacatalog/%s", st.Region, st.AccountID, name)
}

// Athena's errors.

func accessDenied(d *principal.Denial) *wire.Error {
	return wire.NewError(http.StatusBadRequest, "AccessDeniedException", d.AthenaMessage())
}

// invalid is InvalidRequestException; code is its AthenaErrorCode, which
// Athena sets on errors of its own reasoning but not on the request
// validation that precedes it ("" leaves it out).
func invalid(code, msg string) *wire.Error {
	e := wire.NewError(http.StatusBadRequest, "InvalidRequestException", msg)
	if code != "" {
		e.Fields = map[string]any{"AthenaErrorCode": code}
	}
	return e
}

func metadataError(msg string) *wire.Error {
	return wire.NewError(http.StatusBadRequest, "MetadataException", msg)
}

// validation words a request constraint violation as AWS's front end does.
func validation(value any, member, constraint string) *wire.Error {
	return invalid("", fmt.Sprintf("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: Member must %s", value, member, constraint))
}

// pageSize checks MaxResults against [lo, hi]; absent (or, where Athena
// allows it, zero) means hi.
func (q *call) pageSize(lo, hi int) (int, *wire.Error) {
	if q.in.MaxResults == nil || (*q.in.MaxResults == 0 && lo == 0) {
		return hi, nil
	}
	n := *q.in.MaxResults
	if n < lo {
		return 0, validation(n, "maxResults", fmt.Sprintf("have value greater than or equal to %d", lo))
	}
	if n > hi {
		return 0, validation(n, "maxResults", fmt.Sprintf("have value less than or equal to %d", hi))
	}
	return n, nil
}

// required refuses a missing member, as the front end does.
func required(member string) *wire.Error {
	return validation("null", member, "not be null")
}
