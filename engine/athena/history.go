package athena

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
)

// Recent lists up to max of the workgroup's most recent query executions
// (ListQueryExecutions, then BatchGetQueryExecution 50 at a time), newest
// first. Their results can then be read with Results without running the
// queries again. Executions Athena names as unprocessed (refused or gone)
// are left out.
func (c *Client) Recent(ctx context.Context, workgroup string, max int) ([]Execution, error) {
	if max <= 0 {
		max = 50
	}
	var ids []string
	var token *string
	for len(ids) < max {
		var out *awsathena.ListQueryExecutionsOutput
		err := c.retry(ctx, "list query executions of "+workgroup, func(ctx context.Context) error {
			var err error
			out, err = c.athena.ListQueryExecutions(ctx, &awsathena.ListQueryExecutionsInput{
				WorkGroup: aws.String(workgroup), NextToken: token, MaxResults: aws.Int32(int32(min(50, max-len(ids)))),
			}, withErrorBody)
			return err
		})
		if err != nil {
			return nil, err
		}
		ids = append(ids, out.QueryExecutionIds...)
		if token = out.NextToken; token == nil || len(out.QueryExecutionIds) == 0 {
			break
		}
	}
	var xs []Execution
	for i := 0; i < len(ids); i += 50 {
		batch := ids[i:min(i+50, len(ids))]
		var out *awsathena.BatchGetQueryExecutionOutput
		err := c.retry(ctx, "describe query executions", func(ctx context.Context) error {
			var err error
			out, err = c.athena.BatchGetQueryExecution(ctx, &awsathena.BatchGetQueryExecutionInput{QueryExecutionIds: batch}, withErrorBody)
			return err
		})
		if err != nil {
			return nil, err
		}
		for j := range out.QueryExecutions {
			xs = append(xs, executionOf(&out.QueryExecutions[j]))
		}
	}
	sort.SliceStable(xs, func(a, b int) bool { return xs[a].Submitted.After(xs[b].Submitted) })
	return xs, nil
}

// Execution returns what Athena says of query id now (one
// GetQueryExecution), without waiting.
func (c *Client) Execution(ctx context.Context, id string) (Execution, error) {
	x, err := c.describe(ctx, id)
	return x, translate("describe query "+id, err)
}

// NamedQuery is one of a workgroup's saved queries.
type NamedQuery struct {
	ID, Name, Description string
	Workgroup, Database   string
	SQL                   string
}

// Saved lists up to max of the workgroup's saved (named) queries
// (ListNamedQueries, then BatchGetNamedQuery 50 at a time), sorted by
// name. Queries Athena names as unprocessed (refused or gone) are left
// out; skipped counts them, so that the caller can say that some are
// hidden.
func (c *Client) Saved(ctx context.Context, workgroup string, max int) (qs []NamedQuery, skipped int, err error) {
	if max <= 0 {
		max = 200
	}
	var ids []string
	var token *string
	for len(ids) < max {
		var out *awsathena.ListNamedQueriesOutput
		err := c.retry(ctx, "list the saved queries of "+workgroup, func(ctx context.Context) error {
			var err error
			out, err = c.athena.ListNamedQueries(ctx, &awsathena.ListNamedQueriesInput{
				WorkGroup: aws.String(workgroup), NextToken: token, MaxResults: aws.Int32(int32(min(50, max-len(ids)))),
			}, withErrorBody)
			return err
		})
		if err != nil {
			return nil, 0, err
		}
		ids = append(ids, out.NamedQueryIds...)
		if token = out.NextToken; token == nil || len(out.NamedQueryIds) == 0 {
			break
		}
	}
	for i := 0; i < len(ids); i += 50 {
		batch := ids[i:min(i+50, len(ids))]
		var out *awsathena.BatchGetNamedQueryOutput
		err := c.retry(ctx, "read the saved queries of "+workgroup, func(ctx context.Context) error {
			var err error
			out, err = c.athena.BatchGetNamedQuery(ctx, &awsathena.BatchGetNamedQueryInput{NamedQueryIds: batch}, withErrorBody)
			return err
		})
		if err != nil {
			return nil, 0, err
		}
		skipped += len(out.UnprocessedNamedQueryIds)
		for _, nq := range out.NamedQueries {
			qs = append(qs, NamedQuery{
				ID: aws.ToString(nq.NamedQueryId), Name: aws.ToString(nq.Name), Description: aws.ToString(nq.Description),
				Workgroup: aws.ToString(nq.WorkGroup), Database: aws.ToString(nq.Database), SQL: aws.ToString(nq.QueryString),
			})
		}
	}
	sort.SliceStable(qs, func(a, b int) bool { return qs[a].Name < qs[b].Name })
	return qs, skipped, nil
}
