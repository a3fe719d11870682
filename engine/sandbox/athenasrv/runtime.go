package athenasrv

import (
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// listEngineVersions answers ListEngineVersions: the versions a workgroup
// may select, "including the Auto option" (botocore's athena model,
// ListEngineVersions and EngineVersion.SelectedEngineVersion). The
// sandbox's engine is Trino-flavoured like engine version 3, the only one
// Athena still runs. ListEngineVersions takes no resource
// (athena:ListEngineVersions on "*", Service Authorization Reference).
func (q *call) listEngineVersions() (any, *wire.Error) {
	size, werr := q.pageSize(1, 10)
	if werr != nil {
		return nil, werr
	}
	after, werr := decodeAfter(q.in.NextToken)
	if werr != nil {
		return nil, werr
	}
	if werr := q.authorize("athena:ListEngineVersions", "*"); werr != nil {
		return nil, werr
	}
	all := []engineVersion{
		{SelectedEngineVersion: "AUTO", EffectiveEngineVersion: "Athena engine version 3"},
		{SelectedEngineVersion: "Athena engine version 3", EffectiveEngineVersion: "Athena engine version 3"},
	}
	type output struct {
		EngineVersions []engineVersion `json:"EngineVersions"`
		NextToken      string          `json:"NextToken,omitempty"`
	}
	out := output{EngineVersions: []engineVersion{}}
	skip := after != ""
	for _, v := range all {
		if skip {
			skip = v.SelectedEngineVersion != after
			continue
		}
		if len(out.EngineVersions) == size {
			out.NextToken = encodeAfter(out.EngineVersions[size-1].SelectedEngineVersion)
			break
		}
		out.EngineVersions = append(out.EngineVersions, v)
	}
	return out, nil
}

// getQueryRuntimeStatistics answers GetQueryRuntimeStatistics, authorized
// on the query's workgroup as GetQueryExecution is. The timeline is
// GetQueryExecution's. Rows.InputBytes is the scan so far, growing while
// the query runs as DataScannedInBytes does (the sandbox reports it at
// every state; Athena documents its non-timeline figures as updated
// asynchronously, botocore's GetQueryRuntimeStatistics documentation).
// Output rows and bytes, and the output stage, come once the result is
// written; a query that reused a stored result read nothing.
func (q *call) getQueryRuntimeStatistics() (any, *wire.Error) {
	id := q.in.QueryExecutionID
	if id == "" {
		return nil, required("queryExecutionId")
	}
	x := q.svc.lookup(id)
	if x == nil {
		return nil, notFoundExecution(id)
	}
	if werr := q.authorize("athena:GetQueryRuntimeStatistics", workgroupARN(q.st(), x.workgroup)); werr != nil {
		return nil, werr
	}
	qe := q.svc.view(x)
	st := qe.Statistics
	out := queryRuntimeStatistics{
		Timeline: queryRuntimeTimeline{
			QueryQueueTimeInMillis:           st.QueryQueueTimeInMillis,
			ServicePreProcessingTimeInMillis: st.ServicePreProcessingTimeInMillis,
			QueryPlanningTimeInMillis:        st.QueryPlanningTimeInMillis,
			EngineExecutionTimeInMillis:      st.EngineExecutionTimeInMillis,
			ServiceProcessingTimeInMillis:    st.ServiceProcessingTimeInMillis,
			TotalExecutionTimeInMillis:       st.TotalExecutionTimeInMillis,
		},
		Rows: queryRuntimeRows{InputBytes: st.DataScannedInBytes},
	}
	s := q.svc
	s.mu.Lock()
	if x.resultsWritten {
		rows, bytes := x.outputRows, x.outputBytes
		out.Rows.OutputRows, out.Rows.OutputBytes = &rows, &bytes
		out.OutputStage = &queryStage{
			StageID: 0, State: "FINISHED", OutputRows: rows, OutputBytes: bytes,
			InputBytes: st.DataScannedInBytes, ExecutionTime: st.EngineExecutionTimeInMillis,
		}
	}
	s.mu.Unlock()
	return struct {
		QueryRuntimeStatistics queryRuntimeStatistics `json:"QueryRuntimeStatistics"`
	}{out}, nil
}
