package athenasrv

import (
	"encoding/base64"
	"sort"
	"strings"

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
			BytesScannedCutoffPerQuery:      wg.BytesScannedCutoff,
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
