package athena

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/quiltq/quiltq/engine"
)

// MaxQueryBytes is Athena's limit on the length of a query string.
const MaxQueryBytes = 262144

// Start submits req and returns the query execution ID. The catalog and
// database go in the QueryExecutionContext (only the parts that are set),
// never as a `USE` statement, which breaks on names with hyphens. A query
// longer than Athena accepts is refused before anything is sent.
//
// Start never leaves a query behind: if ctx ends while the request is in
// flight, Start asks again with the same idempotency token (which returns
// the same execution, or starts it if the first request never arrived)
// and stops what it gets.
func (c *Client) Start(ctx context.Context, req Request) (string, error) {
	const op = "start query"
	switch {
	case req.SQL == "":
		return "", &engine.Error{Op: op, Kind: engine.Invalid, Err: errors.New("the query is empty")}
	case len(req.SQL) > MaxQueryBytes:
		return "", &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf(
			"the query is %s bytes, over Athena's limit of %s bytes: shorten it (move long literal lists into a table)",
			commas(len(req.SQL)), commas(MaxQueryBytes))}
	case req.Workgroup == "":
		return "", &engine.Error{Op: op, Kind: engine.Invalid, Err: errors.New("no workgroup is set: name one, or let quiltq choose it")}
	}
	if err := ctx.Err(); err != nil {
		return "", translate(op, err)
	}
	in := &awsathena.StartQueryExecutionInput{
		QueryString:        aws.String(req.SQL),
		WorkGroup:          aws.String(req.Workgroup),
		ClientRequestToken: aws.String(requestToken()),
	}
	if req.Catalog != "" || req.Database != "" {
		qc := &types.QueryExecutionContext{}
		if req.Catalog != "" {
			qc.Catalog = aws.String(req.Catalog)
		}
		if req.Database != "" {
			qc.Database = aws.String(req.Database)
		}
		in.QueryExecutionContext = qc
	}
	if len(req.Params) > 0 {
		in.ExecutionParameters = req.Params
	}
	if req.ReuseMaxAge > 0 {
		minutes, err := ReuseMinutes(req.ReuseMaxAge)
		if err != nil {
			return "", &engine.Error{Op: op, Kind: engine.Invalid, Err: err}
		}
		in.ResultReuseConfiguration = &types.ResultReuseConfiguration{
			ResultReuseByAgeConfiguration: &types.ResultReuseByAgeConfiguration{Enabled: true, MaxAgeInMinutes: aws.Int32(minutes)},
		}
	}
	out, err := c.athena.StartQueryExecution(ctx, in, withErrorBody)
	if err != nil {
		if ctx.Err() != nil {
			c.recall(ctx, in)
		}
		return "", translate(op, err)
	}
	return aws.ToString(out.QueryExecutionId), nil
}

// recall finds and stops a query whose start was abandoned mid-flight.
// With the same ClientRequestToken, Athena returns the execution the first
// request created, so nothing is left running unseen.
func (c *Client) recall(ctx context.Context, in *awsathena.StartQueryExecutionInput) {
	fresh, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.StopTimeout)
	defer cancel()
	out, err := c.athena.StartQueryExecution(fresh, in, withErrorBody)
	if err != nil || aws.ToString(out.QueryExecutionId) == "" {
		return
	}
	_ = c.Stop(fresh, aws.ToString(out.QueryExecutionId))
}

// MaxReuseAge is the oldest stored result Athena may reuse: 10080
// minutes, seven days (botocore's athena model, the Age shape of
// ResultReuseByAgeConfiguration.MaxAgeInMinutes: min 0, max 10080).
const MaxReuseAge = 10080 * time.Minute

// ReuseMinutes is d as Athena's MaxAgeInMinutes: whole minutes, rounded
// up, from 1 to 10080. A shorter or longer d is an error saying so.
func ReuseMinutes(d time.Duration) (int32, error) {
	switch {
	case d < time.Minute:
		return 0, fmt.Errorf("a result reuse age of %v is under a minute: Athena counts it in whole minutes, from 1m to 168h (7 days)", d)
	case d > MaxReuseAge:
		return 0, fmt.Errorf("a result reuse age of %v is over Athena's limit of 168h (7 days, 10080 minutes)", d)
	}
	return int32((d + time.Minute - 1) / time.Minute), nil
}

// requestToken is a fresh idempotency token (Athena wants 32 to 128
// characters).
func requestToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "quiltq-" + hex.EncodeToString(b)
}

// Stop asks Athena to stop the query. Stopping a finished query is not an
// error.
func (c *Client) Stop(ctx context.Context, id string) error {
	_, err := c.athena.StopQueryExecution(ctx, &awsathena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}, withErrorBody)
	return translate("stop query "+id, err)
}

// Run starts req and waits for it (see Start and Wait). A query that
// FAILED or was CANCELLED returns its Execution with the error.
func (c *Client) Run(ctx context.Context, req Request, progress func(Execution)) (Execution, error) {
	id, err := c.Start(ctx, req)
	if err != nil {
		return Execution{}, err
	}
	return c.Wait(ctx, id, progress)
}

// QueryError is a query that ended FAILED or CANCELLED. Its text is
// Athena's StateChangeReason, whole: it carries the permission messages
// that engine/explain reads.
type QueryError struct {
	ID            string
	State         State
	Reason        string
	ErrorType     int
	ErrorCategory int
}

func (e *QueryError) Error() string {
	switch {
	case e.Reason != "":
		return e.Reason
	case e.State == Cancelled:
		return "query " + e.ID + " was cancelled"
	}
	return "query " + e.ID + " failed, and Athena gave no reason"
}

// Athena's ErrorType values that mean a refusal: permission (1500), S3
// permission (1501), writing results to S3 (401, 402), Lake Formation (234).
var deniedErrorTypes = map[int]bool{1500: true, 1501: true, 401: true, 402: true, 234: true}

// outcome is the error for a final Execution, nil when it SUCCEEDED.
func outcome(ex Execution) error {
	qe := &QueryError{ID: ex.ID, State: ex.State, Reason: ex.Reason, ErrorType: ex.ErrorType, ErrorCategory: ex.ErrorCategory}
	switch ex.State {
	case Failed:
		kind := engine.Failed
		if deniedErrorTypes[ex.ErrorType] || isRefusal(ex.Reason) {
			kind = engine.Denied
		}
		return &engine.Error{Kind: kind, Err: qe}
	case Cancelled:
		return &engine.Error{Kind: engine.Canceled, Err: qe}
	}
	return nil
}

// executionOf reads Athena's description of a query execution.
func executionOf(q *types.QueryExecution) Execution {
	if q == nil {
		return Execution{}
	}
	ex := Execution{
		ID:            aws.ToString(q.QueryExecutionId),
		SQL:           aws.ToString(q.Query),
		StatementType: string(q.StatementType),
		Workgroup:     aws.ToString(q.WorkGroup),
	}
	if qc := q.QueryExecutionContext; qc != nil {
		ex.Catalog, ex.Database = aws.ToString(qc.Catalog), aws.ToString(qc.Database)
	}
	if rc := q.ResultConfiguration; rc != nil {
		ex.OutputLocation = aws.ToString(rc.OutputLocation)
	}
	if st := q.Status; st != nil {
		ex.State = State(st.State)
		ex.Reason = aws.ToString(st.StateChangeReason)
		ex.Submitted = aws.ToTime(st.SubmissionDateTime)
		ex.Completed = aws.ToTime(st.CompletionDateTime)
		if ae := st.AthenaError; ae != nil {
			ex.ErrorType = int(aws.ToInt32(ae.ErrorType))
			ex.ErrorCategory = int(aws.ToInt32(ae.ErrorCategory))
			if ex.Reason == "" {
				ex.Reason = aws.ToString(ae.ErrorMessage)
			}
		}
	}
	if s := q.Statistics; s != nil {
		ex.DataScanned = aws.ToInt64(s.DataScannedInBytes)
		ex.EngineTime = millis(s.EngineExecutionTimeInMillis)
		ex.QueueTime = millis(s.QueryQueueTimeInMillis)
		ex.TotalTime = millis(s.TotalExecutionTimeInMillis)
		if ri := s.ResultReuseInformation; ri != nil {
			ex.Reused = ri.ReusedPreviousResult
		}
	}
	return ex
}

func millis(p *int64) time.Duration { return time.Duration(aws.ToInt64(p)) * time.Millisecond }

// commas writes n with thousands separators: 262,144.
func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
