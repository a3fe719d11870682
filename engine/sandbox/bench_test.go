package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// BenchmarkStart measures what `quiltq sandbox serve` does before it
// prints its line: load the default stack, populate S3 and Glue, open the
// SQL engine, listen.
func BenchmarkStart(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		run, err := sandbox.Start("127.0.0.1:0", sandbox.Options{ScratchDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		if err := run.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueryNumbers runs SELECT * over benchmarks.numbers (1,000,000
// rows) and waits for SUCCEEDED: the
// sandbox's own cost of producing a result file that clients then fetch.
// The first iteration includes generating the data and loading it into the
// SQL engine; later ones reuse the loaded table.
func BenchmarkQueryNumbers(b *testing.B) {
	env := sandboxtest.Start(b, sandbox.Options{BenchRows: 1_000_000})
	client := athena.NewFromConfig(env.AWSConfig(b, "admin"))
	ctx := context.Background()
	for b.Loop() {
		start, err := client.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
			QueryString: aws.String("SELECT * FROM benchmarks.numbers"), WorkGroup: aws.String(workgroup),
		})
		if err != nil {
			b.Fatal(err)
		}
		for {
			out, err := client.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: start.QueryExecutionId})
			if err != nil {
				b.Fatal(err)
			}
			st := out.QueryExecution.Status
			if st.State == athenatypes.QueryExecutionStateSucceeded {
				b.ReportMetric(float64(aws.ToInt64(out.QueryExecution.Statistics.DataScannedInBytes))/1e6, "MB-scanned")
				break
			}
			if st.State != athenatypes.QueryExecutionStateQueued && st.State != athenatypes.QueryExecutionStateRunning {
				b.Fatalf("query ended %s: %s", st.State, aws.ToString(st.StateChangeReason))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
