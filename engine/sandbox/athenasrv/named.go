package athenasrv

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// namedEntry is one saved query: the stack's, or one CreateNamedQuery
// made while the sandbox runs.
type namedEntry struct {
	id string
	q  stack.NamedQuery
}

func (e namedEntry) workgroup() string { return namedQueryWorkgroup(e.q) }

func (e namedEntry) shape() namedQuery {
	return namedQuery{
		Name: e.q.Name, Description: e.q.Description, Database: e.q.Database,
		QueryString: e.q.SQL, NamedQueryID: e.id, WorkGroup: e.workgroup(),
	}
}

// namedQueryID derives a stable, UUID-shaped id for a stack's saved query.
func namedQueryID(nq stack.NamedQuery) string {
	sum := sha1.Sum([]byte(nq.Workgroup + "\x00" + nq.Name))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// namedQueryWorkgroup is the workgroup a saved query belongs to.
func namedQueryWorkgroup(nq stack.NamedQuery) string {
	if nq.Workgroup == "" {
		return primary
	}
	return nq.Workgroup
}

// namedByID finds a saved query.
func (s *Service) namedByID(id string) (namedEntry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.named {
		if e.id == id {
			return e, true
		}
	}
	return namedEntry{}, false
}

func namedNotFound(id string) *wire.Error {
	return invalid("INVALID_INPUT", "NamedQuery "+id+" was not found")
}

func (q *call) listNamedQueries() (any, *wire.Error) {
	size, werr := q.pageSize(0, 50)
	if werr != nil {
		return nil, werr
	}
	after, werr := decodeAfter(q.in.NextToken)
	if werr != nil {
		return nil, werr
	}
	name := q.workgroupName()
	if werr := q.authorize("athena:ListNamedQueries", workgroupARN(q.st(), name)); werr != nil {
		return nil, werr
	}
	if _, ok := lookupWorkgroup(q.st(), name); !ok {
		return nil, workgroupNotFound(name)
	}
	var ids []string
	q.svc.mu.Lock()
	for _, e := range q.svc.named {
		if e.workgroup() == name {
			ids = append(ids, e.id)
		}
	}
	q.svc.mu.Unlock()
	sort.Strings(ids)
	type output struct {
		NamedQueryIDs []string `json:"NamedQueryIds"`
		NextToken     string   `json:"NextToken,omitempty"`
	}
	out := output{NamedQueryIDs: []string{}}
	for _, id := range ids {
		if id <= after {
			continue
		}
		if len(out.NamedQueryIDs) == size {
			out.NextToken = encodeAfter(out.NamedQueryIDs[size-1])
			break
		}
		out.NamedQueryIDs = append(out.NamedQueryIDs, id)
	}
	return out, nil
}

func (q *call) batchGetNamedQuery() (any, *wire.Error) {
	ids := q.in.NamedQueryIDs
	if len(ids) == 0 {
		return nil, validation("[]", "namedQueryIds", "have length greater than or equal to 1")
	}
	if len(ids) > 50 {
		return nil, validation("["+strings.Join(ids, ", ")+"]", "namedQueryIds", "have length less than or equal to 50")
	}
	type output struct {
		NamedQueries             []namedQuery              `json:"NamedQueries"`
		UnprocessedNamedQueryIDs []unprocessedNamedQueryID `json:"UnprocessedNamedQueryIds"`
	}
	out := output{NamedQueries: []namedQuery{}, UnprocessedNamedQueryIDs: []unprocessedNamedQueryID{}}
	for _, id := range ids {
		e, ok := q.svc.namedByID(id)
		if !ok {
			out.UnprocessedNamedQueryIDs = append(out.UnprocessedNamedQueryIDs, unprocessedNamedQueryID{
				NamedQueryID: id, ErrorCode: "INVALID_INPUT", ErrorMessage: "NamedQuery " + id + " was not found",
			})
			continue
		}
		if d := q.authz().Authorize(q.caller, "athena:BatchGetNamedQuery", workgroupARN(q.st(), e.workgroup()), principal.Call{}); d != nil {
			out.UnprocessedNamedQueryIDs = append(out.UnprocessedNamedQueryIDs, unprocessedNamedQueryID{
				NamedQueryID: id, ErrorCode: "AccessDeniedException", ErrorMessage: d.AthenaMessage(),
			})
			continue
		}
		out.NamedQueries = append(out.NamedQueries, e.shape())
	}
	return out, nil
}

// getNamedQuery answers GetNamedQuery. Athena authorizes it on the saved
// query's workgroup (Service Authorization Reference, "Actions defined by
// Amazon Athena": GetNamedQuery on the workgroup resource).
func (q *call) getNamedQuery() (any, *wire.Error) {
	id := q.in.NamedQueryID
	if id == "" {
		return nil, required("namedQueryId")
	}
	if len(id) > 128 {
		return nil, validation(id, "namedQueryId", "have length less than or equal to 128")
	}
	e, ok := q.svc.namedByID(id)
	if !ok {
		return nil, namedNotFound(id)
	}
	if werr := q.authorize("athena:GetNamedQuery", workgroupARN(q.st(), e.workgroup())); werr != nil {
		return nil, werr
	}
	return struct {
		NamedQuery namedQuery `json:"NamedQuery"`
	}{e.shape()}, nil
}

// createNamedQuery answers CreateNamedQuery, with the member limits of
// botocore's athena model (CreateNamedQueryInput: Name 1..128, Description
// 1..1024, Database 1..255, QueryString 1..262144, ClientRequestToken
// 32..128) and the token's idempotence as StartQueryExecution has it.
func (q *call) createNamedQuery() (any, *wire.Error) {
	in := q.in
	switch {
	case in.Name == nil:
		return nil, required("name")
	case in.Database == nil:
		return nil, required("database")
	case in.QueryString == nil:
		return nil, required("queryString")
	}
	checks := []struct {
		member, value string
		lo, hi        int
		present       bool
	}{
		{"name", *in.Name, 1, 128, true},
		{"database", *in.Database, 1, 255, true},
		{"queryString", *in.QueryString, 1, maxQueryBytes, true},
		{"description", deref(in.Description), 1, 1024, in.Description != nil},
		{"clientRequestToken", deref(in.ClientRequestToken), 32, 128, in.ClientRequestToken != nil},
	}
	for _, c := range checks {
		if !c.present {
			continue
		}
		if len(c.value) < c.lo {
			return nil, validation(c.value, c.member, "have length greater than or equal to "+strconv.Itoa(c.lo))
		}
		if len(c.value) > c.hi {
			return nil, validation(c.value, c.member, "have length less than or equal to "+strconv.Itoa(c.hi))
		}
	}
	name := q.workgroupName()
	if werr := q.authorize("athena:CreateNamedQuery", workgroupARN(q.st(), name)); werr != nil {
		return nil, werr
	}
	if _, ok := lookupWorkgroup(q.st(), name); !ok {
		return nil, workgroupNotFound(name)
	}
	nq := stack.NamedQuery{Name: *in.Name, Description: deref(in.Description), Workgroup: name, Database: *in.Database, SQL: *in.QueryString}
	fp, _ := json.Marshal(nq)
	s := q.svc
	s.mu.Lock()
	defer s.mu.Unlock()
	key := ""
	if in.ClientRequestToken != nil {
		key = tokenKey(q.caller, *in.ClientRequestToken)
		if prev, ok := s.namedTokens[key]; ok {
			for _, e := range s.named {
				if e.id != prev {
					continue
				}
				if old, _ := json.Marshal(e.q); string(old) != string(fp) {
					return nil, invalid("", "Idempotent parameters do not match")
				}
			}
			return namedOutput(prev), nil
		}
	}
	id := newID()
	s.named = append(s.named, namedEntry{id: id, q: nq})
	if key != "" {
		s.namedTokens[key] = id
	}
	return namedOutput(id), nil
}

func namedOutput(id string) any {
	return struct {
		NamedQueryID string `json:"NamedQueryId"`
	}{id}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
