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
