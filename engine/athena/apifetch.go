package athena

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/quiltq/quiltq/engine"
)

// apiPageSize is GetQueryResults' largest page.
const apiPageSize = 1000

// resultsPage fetches one GetQueryResults page, retrying throttling,
// server errors and broken replies. The same NextToken asks for the same
// page again, so a retry can neither skip nor repeat rows.
func (c *Client) resultsPage(ctx context.Context, id string, token *string, size int32) (*awsathena.GetQueryResultsOutput, error) {
	in := &awsathena.GetQueryResultsInput{QueryExecutionId: aws.String(id), NextToken: token, MaxResults: aws.Int32(size)}
	for attempt := 1; ; attempt++ {
		out, err := c.athena.GetQueryResults(ctx, in, withErrorBody)
		if err == nil {
			if out.ResultSet == nil {
				return nil, &engine.Error{Op: "GetQueryResults " + id, Kind: engine.Invalid, Err: fmt.Errorf("Athena sent no ResultSet")}
			}
			return out, nil
		}
		if ctx.Err() != nil || !fetchRetryable(err) || attempt == fetchMaxAttempts {
			if attempt > 1 && fetchRetryable(err) {
				err = fmt.Errorf("gave up after %d attempts: %w", attempt, err)
			}
			return nil, resultErr("GetQueryResults "+id, err)
		}
		if err := c.fetchPause(ctx, attempt); err != nil {
			return nil, resultErr("GetQueryResults "+id, err)
		}
	}
}

// resultSetColumns reads ColumnInfo as engine columns.
func resultSetColumns(rs *types.ResultSet) []engine.Column {
	if rs == nil || rs.ResultSetMetadata == nil || len(rs.ResultSetMetadata.ColumnInfo) == 0 {
		return nil
	}
	cols := make([]engine.Column, len(rs.ResultSetMetadata.ColumnInfo))
	for i, ci := range rs.ResultSetMetadata.ColumnInfo {
		cols[i] = engine.Column{Name: aws.ToString(ci.Name), Type: columnType(aws.ToString(ci.Type), uint64(max(ci.Precision, 0)), uint64(max(ci.Scale, 0)))}
	}
	return cols
}

// apiResults opens the GetQueryResults path, fetching the first page
// before it returns so that a refusal is an error of Results.
func (c *Client) apiResults(ctx context.Context, x Execution, text bool, fallback string) (Rows, error) {
	out, err := c.resultsPage(ctx, x.ID, nil, apiPageSize)
	if err != nil {
		return nil, err
	}
	cols := resultSetColumns(out.ResultSet)
	if len(cols) == 0 && len(out.ResultSet.Rows) > 0 {
		return nil, &engine.Error{Op: "GetQueryResults " + x.ID, Kind: engine.Invalid, Err: fmt.Errorf("Athena sent rows without ColumnInfo")}
	}
	r := &apiRows{c: c, ctx: ctx, id: x.ID, text: text, path: FetchPath{Via: "api", Fallback: fallback}, raw: cols}
	r.cols = cols
	if text {
		r.cols = textColumn(cols)
	}
	page := out.ResultSet.Rows
	// Athena puts the header row first on the first page of a CSV result.
	// The row is dropped only when it is that header, in case a result
	// comes without one.
	if !text && len(page) > 0 && isHeaderRow(page[0], out.ResultSet.ResultSetMetadata.ColumnInfo) {
		page = page[1:]
	}
	r.page, r.next = page, out.NextToken
	return r, nil
}

func isHeaderRow(row types.Row, info []types.ColumnInfo) bool {
	if len(row.Data) != len(info) {
		return false
	}
	for i, d := range row.Data {
		v := aws.ToString(d.VarCharValue)
		if d.VarCharValue == nil || (v != aws.ToString(info[i].Name) && v != aws.ToString(info[i].Label)) {
			return false
		}
	}
	return true
}

// apiRows streams GetQueryResults pages, holding one page at a time.
type apiRows struct {
	c    *Client
	ctx  context.Context
	id   string
	text bool
	raw  []engine.Column // as Athena describes them
	cols []engine.Column // as Rows shows them
	path FetchPath

	page   []types.Row
	next   *string
	err    error
	closed bool
}

func (r *apiRows) Columns() []engine.Column { return r.cols }
func (r *apiRows) Path() FetchPath          { return r.path }

func (r *apiRows) Close() error {
	r.closed, r.page = true, nil
	return nil
}

func (r *apiRows) Next() (engine.Row, error) {
	for r.err == nil && len(r.page) == 0 {
		switch {
		case r.closed:
			r.err = fmt.Errorf("results of query %s: Next after Close", r.id)
		case r.next == nil || *r.next == "":
			r.err = io.EOF
		default:
			out, err := r.c.resultsPage(r.ctx, r.id, r.next, apiPageSize)
			if err != nil {
				r.err = err
				break
			}
			// A page with no rows but a token is legal; keep going.
			r.page, r.next = out.ResultSet.Rows, out.NextToken
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	row := r.page[0]
	r.page = r.page[1:]
	if r.text {
		// A text line comes as one value, or as its tab-separated parts.
		parts := make([]string, len(row.Data))
		for i, d := range row.Data {
			parts[i] = aws.ToString(d.VarCharValue)
		}
		return engine.Row{{Text: strings.Join(parts, "\t")}}, nil
	}
	if len(row.Data) != len(r.raw) {
		r.err = &engine.Error{Op: "GetQueryResults " + r.id, Kind: engine.Invalid,
			Err: fmt.Errorf("a row of %d values, want %d", len(row.Data), len(r.raw))}
		return nil, r.err
	}
	out := make(engine.Row, len(row.Data))
	for i, d := range row.Data {
		if d.VarCharValue == nil {
			out[i].Null = true
		} else {
			out[i].Text = *d.VarCharValue
		}
	}
	return out, nil
}
