package gluesrv

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine/sandbox/metastore"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// Config is what the Glue endpoint serves and how it decides.
type Config struct {
	Meta      *metastore.Store
	Authz     *principal.Authorizer
	Region    string
	AccountID string
}

// Service serves Glue's catalog-reading operations.
type Service struct {
	cfg Config
}

// New returns the Glue endpoint of cfg.
func New(cfg Config) *Service { return &Service{cfg: cfg} }

// Page sizes: Glue's documented maximum of MaxResults per operation; a
// request without MaxResults gets the maximum.
const (
	maxDatabases  = 100
	maxTables     = 100
	maxPartitions = 1000
)

// ServeAWS serves one signed Glue request from c.
func (s *Service) ServeAWS(w http.ResponseWriter, r *http.Request, c principal.Caller) {
	var in request
	op, werr := wire.ReadJSON(r, "AWSGlue.", 1<<20, &in)
	if werr != nil {
		wire.JSONError(w, werr)
		return
	}
	q := &query{svc: s, caller: c, call: principal.Call{SourceIP: sourceIP(r)}, in: in}
	var out any
	switch op {
	case "GetDatabases":
		out, werr = q.getDatabases()
	case "GetDatabase":
		out, werr = q.getDatabase()
	case "GetTables":
		out, werr = q.getTables()
	case "GetTable":
		out, werr = q.getTable()
	case "GetPartitions":
		out, werr = q.getPartitions()
	default:
		werr = wire.NewError(http.StatusBadRequest, "UnknownOperationException", "the sandbox's Glue does not serve "+op)
	}
	if werr != nil {
		wire.JSONError(w, werr)
		return
	}
	wire.JSON(w, out)
}

// request holds the members of every served operation's input.
type request struct {
	CatalogID    string `json:"CatalogId"`
	DatabaseName string
	Name         string
	TableName    string
	Expression   string
	NextToken    string
	MaxResults   *int
}

// query is one request being answered.
type query struct {
	svc    *Service
	caller principal.Caller
	call   principal.Call
	in     request
}

// account is the catalog the request names: its CatalogId, else ours.
func (q *query) account() string {
	if q.in.CatalogID != "" {
		return q.in.CatalogID
	}
	return q.svc.cfg.AccountID
}

// foreign reports whether the request names a catalog the sandbox does
// not hold; after authorization, everything in it is not found.
func (q *query) foreign() bool { return q.account() != q.svc.cfg.AccountID }

func (q *query) authz() *principal.Authorizer { return q.svc.cfg.Authz }
func (q *query) region() string               { return q.svc.cfg.Region }

func (q *query) pageSize(max int) (int, *wire.Error) {
	if q.in.MaxResults == nil {
		return max, nil
	}
	n := *q.in.MaxResults
	if n < 1 || n > max {
		return 0, invalidInput(fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", n, max))
	}
	return n, nil
}

func (q *query) getDatabases() (any, *wire.Error) {
	size, werr := q.pageSize(maxDatabases)
	if werr != nil {
		return nil, werr
	}
	after, werr := decodeToken(q.in.NextToken)
	if werr != nil {
		return nil, werr
	}
	const action = "glue:GetDatabases"
	if d := AuthorizeCatalog(q.authz(), q.caller, q.call, q.region(), q.account(), action); d != nil {
		return nil, denied(d)
	}
	var dbs []metastore.Database
	if !q.foreign() {
		dbs = q.svc.cfg.Meta.Databases()
	}
	// Glue filters a listing by the caller's rights on each entry rather
	// than refusing the whole call (the Glue developer guide's "Filter
	// tables by GetTables permission"); the sandbox does the same for
	// databases, so a role granted database/a but not database/b sees a.
	out := getDatabasesOutput{DatabaseList: []database{}}
	for _, db := range dbs {
		if db.Name <= after {
			continue
		}
		if q.authz().Authorize(q.caller, action, DatabaseARN(q.region(), q.account(), db.Name), q.call) != nil {
			continue
		}
		if len(out.DatabaseList) == size {
			out.NextToken = encodeToken(out.DatabaseList[size-1].Name)
			break
		}
		out.DatabaseList = append(out.DatabaseList, q.database(db))
	}
	return out, nil
}

func (q *query) getDatabase() (any, *wire.Error) {
	if q.in.Name == "" {
		return nil, invalidInput("Name is required")
	}
	if d := AuthorizeDatabase(q.authz(), q.caller, q.call, q.region(), q.account(), "glue:GetDatabase", q.in.Name); d != nil {
		return nil, denied(d)
	}
	db, werr := q.lookupDatabase(q.in.Name)
	if werr != nil {
		return nil, werr
	}
	return getDatabaseOutput{Database: q.database(db)}, nil
}

func (q *query) getTables() (any, *wire.Error) {
	if q.in.DatabaseName == "" {
		return nil, invalidInput("DatabaseName is required")
	}
	size, werr := q.pageSize(maxTables)
	if werr != nil {
		return nil, werr
	}
	after, werr := decodeToken(q.in.NextToken)
	if werr != nil {
		return nil, werr
	}
	match, err := TablePattern(q.in.Expression)
	if err != nil {
		return nil, invalidInput("Invalid Expression: " + q.in.Expression)
	}
	const action = "glue:GetTables"
	if d := AuthorizeDatabase(q.authz(), q.caller, q.call, q.region(), q.account(), action, q.in.DatabaseName); d != nil {
		return nil, denied(d)
	}
	if _, werr := q.lookupDatabase(q.in.DatabaseName); werr != nil {
		return nil, werr
	}
	tables, err := q.svc.cfg.Meta.Tables(q.in.DatabaseName)
	if err != nil {
		return nil, notFound(err, q.in.DatabaseName, "")
	}
	// Tables the caller may not GetTables are left out, not refused: the
	// documented behaviour of Glue's GetTables.
	out := getTablesOutput{TableList: []table{}}
	for _, t := range tables {
		if t.Name <= after || !match(t.Name) {
			continue
		}
		if q.authz().Authorize(q.caller, action, TableARN(q.region(), q.account(), t.Database, t.Name), q.call) != nil {
			continue
		}
		if len(out.TableList) == size {
			out.NextToken = encodeToken(out.TableList[size-1].Name)
			break
		}
		out.TableList = append(out.TableList, q.table(t))
	}
	return out, nil
}

func (q *query) getTable() (any, *wire.Error) {
	if q.in.DatabaseName == "" || q.in.Name == "" {
		return nil, invalidInput("DatabaseName and Name are required")
	}
	if d := AuthorizeTable(q.authz(), q.caller, q.call, q.region(), q.account(), "glue:GetTable", q.in.DatabaseName, q.in.Name); d != nil {
		return nil, denied(d)
	}
	t, werr := q.lookupTable(q.in.DatabaseName, q.in.Name)
	if werr != nil {
		return nil, werr
	}
	return getTableOutput{Table: q.table(t)}, nil
}

func (q *query) getPartitions() (any, *wire.Error) {
	if q.in.DatabaseName == "" || q.in.TableName == "" {
		return nil, invalidInput("DatabaseName and TableName are required")
	}
	size, werr := q.pageSize(maxPartitions)
	if werr != nil {
		return nil, werr
	}
	start, werr := decodeOffset(q.in.NextToken)
	if werr != nil {
		return nil, werr
	}
	if d := AuthorizeTable(q.authz(), q.caller, q.call, q.region(), q.account(), "glue:GetPartitions", q.in.DatabaseName, q.in.TableName); d != nil {
		return nil, denied(d)
	}
	t, werr := q.lookupTable(q.in.DatabaseName, q.in.TableName)
	if werr != nil {
		return nil, werr
	}
	keep, werr := partitionFilter(q.in.Expression, t.PartitionKeys)
	if werr != nil {
		return nil, werr
	}
	out := getPartitionsOutput{Partitions: []partition{}}
	for i := start; i < len(t.Partitions); i++ {
		p := t.Partitions[i]
		if !keep(p.Values) {
			continue
		}
		if len(out.Partitions) == size {
			out.NextToken = encodeOffset(i)
			break
		}
		out.Partitions = append(out.Partitions, q.partition(t, p))
	}
	return out, nil
}

func (q *query) lookupDatabase(name string) (metastore.Database, *wire.Error) {
	if q.foreign() {
		return metastore.Database{}, entityNotFound("Database " + name + " not found.")
	}
	db, err := q.svc.cfg.Meta.Database(name)
	if err != nil {
		return metastore.Database{}, notFound(err, name, "")
	}
	return db, nil
}

func (q *query) lookupTable(db, name string) (metastore.Table, *wire.Error) {
	if _, werr := q.lookupDatabase(db); werr != nil {
		return metastore.Table{}, werr
	}
	t, err := q.svc.cfg.Meta.Table(db, name)
	if err != nil {
		return metastore.Table{}, notFound(err, db, name)
	}
	return t, nil
}

// notFound words a metastore miss as Glue does; table may be "".
func notFound(err error, db, table string) *wire.Error {
	if !errors.Is(err, metastore.ErrNotFound) {
		return wire.NewError(http.StatusInternalServerError, "InternalServiceException", err.Error())
	}
	if table != "" {
		return entityNotFound("Table " + table + " not found.")
	}
	return entityNotFound("Database " + db + " not found.")
}

func entityNotFound(msg string) *wire.Error {
	return wire.NewError(http.StatusBadRequest, "EntityNotFoundException", msg)
}

func invalidInput(msg string) *wire.Error {
	return wire.NewError(http.StatusBadRequest, "InvalidInputException", msg)
}

// denied is Glue's refusal: HTTP 400 AccessDeniedException in IAM's
// grammar, naming the first resource found denied.
func denied(d *principal.Denial) *wire.Error {
	return wire.NewError(http.StatusBadRequest, "AccessDeniedException", d.Error())
}

// Tokens are opaque to clients; the sandbox's hold the last name returned
// (for name-ordered listings) or the next offset (for partitions).
func encodeToken(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("n:" + last))
}

func decodeToken(tok string) (string, *wire.Error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	last, ok := strings.CutPrefix(string(b), "n:")
	if err != nil || !ok {
		return "", invalidInput("Invalid NextToken")
	}
	return last, nil
}

func encodeOffset(i int) string { return encodeToken(fmt.Sprint(i)) }

func decodeOffset(tok string) (int, *wire.Error) {
	s, werr := decodeToken(tok)
	if werr != nil || s == "" {
		return 0, werr
	}
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n < 0 {
		return 0, invalidInput("Invalid NextToken")
	}
	return n, nil
}

// TablePattern compiles the Expression of Glue's GetTables (and of
// Athena's ListTableMetadata, which hands it to Glue). Glue documents it as
// a regular expression, but in practice it is Hive's table pattern: "*"
// matches any run of characters and "|" separates alternatives; matching
// ignores case and covers the whole name. Other characters are literal.
func TablePattern(expr string) (func(string) bool, error) {
	if strings.TrimSpace(expr) == "" {
		return func(string) bool { return true }, nil
	}
	alts := strings.Split(expr, "|")
	for i, a := range alts {
		parts := strings.Split(strings.TrimSpace(a), "*")
		for j, p := range parts {
			parts[j] = regexp.QuoteMeta(p)
		}
		alts[i] = strings.Join(parts, ".*")
	}
	re, err := regexp.Compile("(?i)^(?:" + strings.Join(alts, "|") + ")$")
	if err != nil {
		return nil, fmt.Errorf("invalid expression %q: %w", expr, err)
	}
	return re.MatchString, nil
}

// partitionComparison is one "key = 'value'" term of a partition filter.
var partitionComparison = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'([^']*)'|([0-9]+))\s*$`)

// andSeparator splits a partition filter into its conjuncts.
var andSeparator = regexp.MustCompile(`(?i)\s+and\s+`)

// partitionFilter compiles GetPartitions' Expression. The sandbox reads
// the common subset, conjunctions of equalities on partition keys
// ("year = '2024' AND month = 1"), and refuses the rest rather than
// answer with partitions the client did not ask for.
func partitionFilter(expr string, keys []stack.Column) (func([]string) bool, *wire.Error) {
	if strings.TrimSpace(expr) == "" {
		return func([]string) bool { return true }, nil
	}
	want := map[int]string{}
	for _, term := range andSeparator.Split(strings.TrimSpace(expr), -1) {
		m := partitionComparison.FindStringSubmatch(term)
		if m == nil {
			return nil, invalidInput("Unsupported expression in the sandbox: " + expr)
		}
		idx := -1
		for i, k := range keys {
			if strings.EqualFold(k.Name, m[1]) {
				idx = i
			}
		}
		if idx < 0 {
			return nil, invalidInput("Unknown column '" + m[1] + "'")
		}
		want[idx] = m[2] + m[3]
	}
	return func(values []string) bool {
		for i, v := range want {
			if i >= len(values) || values[i] != v {
				return false
			}
		}
		return true
	}, nil
}

// sourceIP is the client address of r, for aws:SourceIp.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// epoch is a Glue timestamp: seconds since the epoch, as JSON 1.1 sends.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
