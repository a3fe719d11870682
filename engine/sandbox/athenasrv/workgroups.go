package athenasrv

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// primary is the workgroup every account has, and the one a request
// without WorkGroup uses.
const primary = "primary"

// workgroups lists the stack's workgroups in name order, with primary
// added (without an output location) when the stack does not define it.
func workgroups(st *stack.Stack) []stack.Workgroup {
	out := append([]stack.Workgroup(nil), st.Workgroups...)
	has := false
	for _, wg := range out {
		has = has || wg.Name == primary
	}
	if !has {
		out = append(out, stack.Workgroup{Name: primary})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// lookupWorkgroup finds a workgroup by its exact name.
func lookupWorkgroup(st *stack.Stack, name string) (stack.Workgroup, bool) {
	for _, wg := range workgroups(st) {
		if wg.Name == name {
			return wg, true
		}
	}
	return stack.Workgroup{}, false
}

func wgState(wg stack.Workgroup) string {
	if strings.EqualFold(wg.State, "DISABLED") {
		return "DISABLED"
	}
	return "ENABLED"
}

func workgroupNotFound(name string) *wire.Error {
	return invalid("INVALID_INPUT", "WorkGroup "+name+" is not found.")
}

// workgroupName is the request's WorkGroup, primary when absent.
func (q *call) workgroupName() string {
	if q.in.WorkGroup == "" {
		return primary
	}
	return q.in.WorkGroup
}

// pageAfter is one page of a name-ordered listing: up to size items whose
// name sorts after the token's name and that keep accepts (nil keeps all),
// and the token of the next page ("" when this is the last).
func pageAfter[T any](items []T, name func(T) string, after string, size int, keep func(T) bool) ([]T, string) {
	page := []T{}
	for _, it := range items {
		if name(it) <= after || (keep != nil && !keep(it)) {
			continue
		}
		if len(page) == size {
			return page, encodeAfter(name(page[size-1]))
		}
		page = append(page, it)
	}
	return page, ""
}

// Name-ordered listings page with the last name returned.
func encodeAfter(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("n:" + last))
}

func decodeAfter(tok string) (string, *wire.Error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	last, ok := strings.CutPrefix(string(b), "n:")
	if err != nil || !ok {
		return "", invalid("INVALID_INPUT", "Invalid NextToken")
	}
	return last, nil
}

func (q *call) listWorkGroups() (any, *wire.Error) {
	size, werr := q.pageSize(1, 50)
	if werr != nil {
		return nil, werr
	}
	after, werr := decodeAfter(q.in.NextToken)
	if werr != nil {
		return nil, werr
	}
	if werr := q.authorize("athena:ListWorkGroups", "*"); werr != nil {
		return nil, werr
	}
	type output struct {
		WorkGroups []workGroupSummary `json:"WorkGroups"`
		NextToken  string             `json:"NextToken,omitempty"`
	}
	page, next := pageAfter(workgroups(q.st()), func(wg stack.Workgroup) string { return wg.Name }, after, size, nil)
	out := output{WorkGroups: []workGroupSummary{}, NextToken: next}
	for _, wg := range page {
		out.WorkGroups = append(out.WorkGroups, workGroupSummary{
			Name: wg.Name, State: wgState(wg), Description: wg.Description,
			CreationTime: stamp(q.svc.born), EngineVersion: athenaEngine(),
		})
	}
	return out, nil
}

func (q *call) getWorkGroup() (any, *wire.Error) {
	if q.in.WorkGroup == "" {
		return nil, required("workGroup")
	}
	if werr := q.authorize("athena:GetWorkGroup", workgroupARN(q.st(), q.in.WorkGroup)); werr != nil {
		return nil, werr
	}
	wg, ok := lookupWorkgroup(q.st(), q.in.WorkGroup)
	if !ok {
		return nil, workgroupNotFound(q.in.WorkGroup)
	}
	out := workGroup{
		Name: wg.Name, State: wgState(wg), Description: wg.Description, CreationTime: stamp(q.svc.born),
		Configuration: workGroupConfiguration{
			EnforceWorkGroupConfiguration:   wg.Enforce,
			PublishCloudWatchMetricsEnabled: true,
			EngineVersion:                   athenaEngine(),
		},
	}
	if wg.OutputLocation != "" || wg.Encryption != "" {
		rc := &resultConfiguration{OutputLocation: wg.OutputLocation}
		if wg.Encryption != "" {
			rc.EncryptionConfiguration = &encryptionConfiguration{EncryptionOption: wg.Encryption, KmsKey: wg.KMSKey}
		}
		out.Configuration.ResultConfiguration = rc
	}
	return struct {
		WorkGroup workGroup `json:"WorkGroup"`
	}{out}, nil
}

// namedQueryID derives a stable, UUID-shaped id for a saved query.
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
	for _, nq := range q.st().NamedQueries {
		if namedQueryWorkgroup(nq) == name {
			ids = append(ids, namedQueryID(nq))
		}
	}
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
	byID := map[string]stack.NamedQuery{}
	for _, nq := range q.st().NamedQueries {
		byID[namedQueryID(nq)] = nq
	}
	type output struct {
		NamedQueries             []namedQuery              `json:"NamedQueries"`
		UnprocessedNamedQueryIDs []unprocessedNamedQueryID `json:"UnprocessedNamedQueryIds"`
	}
	out := output{NamedQueries: []namedQuery{}, UnprocessedNamedQueryIDs: []unprocessedNamedQueryID{}}
	for _, id := range ids {
		nq, ok := byID[id]
		if !ok {
			out.UnprocessedNamedQueryIDs = append(out.UnprocessedNamedQueryIDs, unprocessedNamedQueryID{
				NamedQueryID: id, ErrorCode: "INVALID_INPUT", ErrorMessage: "NamedQuery " + id + " was not found",
			})
			continue
		}
		wg := namedQueryWorkgroup(nq)
		if d := q.authz().Authorize(q.caller, "athena:BatchGetNamedQuery", workgroupARN(q.st(), wg), principal.Call{}); d != nil {
			out.UnprocessedNamedQueryIDs = append(out.UnprocessedNamedQueryIDs, unprocessedNamedQueryID{
				NamedQueryID: id, ErrorCode: "AccessDeniedException", ErrorMessage: d.AthenaMessage(),
			})
			continue
		}
		out.NamedQueries = append(out.NamedQueries, namedQuery{
			Name: nq.Name, Description: nq.Description, Database: nq.Database,
			QueryString: nq.SQL, NamedQueryID: id, WorkGroup: wg,
		})
	}
	return out, nil
}
