// Package athena is quiltq's Athena engine: it finds the workgroup a Quilt
// user may use, starts queries with their catalog and database in the
// QueryExecutionContext, polls them adaptively, stops them when the user
// gives up, and streams their results, from the result CSV in S3 when the
// caller may read it, from GetQueryResults pages otherwise. AWS errors are
// translated here, once, into engine.Error.
//
// It knows nothing of terminals: `quiltq -e` and the TUI are two faces on it.
package athena

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/quiltq/quiltq/engine"
)

// athenaAPI is the Athena surface this package uses.
type athenaAPI interface {
	StartQueryExecution(context.Context, *awsathena.StartQueryExecutionInput, ...func(*awsathena.Options)) (*awsathena.StartQueryExecutionOutput, error)
	GetQueryExecution(context.Context, *awsathena.GetQueryExecutionInput, ...func(*awsathena.Options)) (*awsathena.GetQueryExecutionOutput, error)
	GetQueryResults(context.Context, *awsathena.GetQueryResultsInput, ...func(*awsathena.Options)) (*awsathena.GetQueryResultsOutput, error)
	StopQueryExecution(context.Context, *awsathena.StopQueryExecutionInput, ...func(*awsathena.Options)) (*awsathena.StopQueryExecutionOutput, error)
	ListQueryExecutions(context.Context, *awsathena.ListQueryExecutionsInput, ...func(*awsathena.Options)) (*awsathena.ListQueryExecutionsOutput, error)
	BatchGetQueryExecution(context.Context, *awsathena.BatchGetQueryExecutionInput, ...func(*awsathena.Options)) (*awsathena.BatchGetQueryExecutionOutput, error)
	ListNamedQueries(context.Context, *awsathena.ListNamedQueriesInput, ...func(*awsathena.Options)) (*awsathena.ListNamedQueriesOutput, error)
	BatchGetNamedQuery(context.Context, *awsathena.BatchGetNamedQueryInput, ...func(*awsathena.Options)) (*awsathena.BatchGetNamedQueryOutput, error)
	ListWorkGroups(context.Context, *awsathena.ListWorkGroupsInput, ...func(*awsathena.Options)) (*awsathena.ListWorkGroupsOutput, error)
	GetWorkGroup(context.Context, *awsathena.GetWorkGroupInput, ...func(*awsathena.Options)) (*awsathena.GetWorkGroupOutput, error)

	// Catalog browsing: Athena's metadata calls, never Glue's.
	ListDataCatalogs(context.Context, *awsathena.ListDataCatalogsInput, ...func(*awsathena.Options)) (*awsathena.ListDataCatalogsOutput, error)
	GetDataCatalog(context.Context, *awsathena.GetDataCatalogInput, ...func(*awsathena.Options)) (*awsathena.GetDataCatalogOutput, error)
	ListDatabases(context.Context, *awsathena.ListDatabasesInput, ...func(*awsathena.Options)) (*awsathena.ListDatabasesOutput, error)
	ListTableMetadata(context.Context, *awsathena.ListTableMetadataInput, ...func(*awsathena.Options)) (*awsathena.ListTableMetadataOutput, error)
	GetTableMetadata(context.Context, *awsathena.GetTableMetadataInput, ...func(*awsathena.Options)) (*awsathena.GetTableMetadataOutput, error)
}

// stsAPI is the STS surface this package uses (who the caller is, which
// keys the metadata cache).
type stsAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// s3API is the S3 surface this package uses (the result file).
type s3API interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

var (
	_ athenaAPI = (*awsathena.Client)(nil)
	_ s3API     = (*s3.Client)(nil)
	_ stsAPI    = (*sts.Client)(nil)
)

// Options tune a Client.
type Options struct {
	// Now is the clock (default time.Now); Sleep waits (default: a timer
	// honouring ctx). Tests inject both.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// S3Concurrency is how many parts of the result file are received or
	// held at once (default 4), S3PartSize their size in bytes (default
	// 4 MiB): together they bound the memory a result stream takes.
	// S3ReadAhead is how many more ranged GETs are sent ahead of a free
	// buffer (default 8; negative for none), so that their round trips
	// overlap the transfers.
	S3Concurrency int
	S3PartSize    int64
	S3ReadAhead   int
	// NoS3 forces the GetQueryResults path (for comparison and tests).
	NoS3 bool
	// StopTimeout bounds the wait for CANCELLED after a stop (default 10 s).
	StopTimeout time.Duration
}

// Client runs queries on Athena.
type Client struct {
	athena athenaAPI
	s3     s3API
	sts    stsAPI
	opts   Options
}

// New returns a Client using cfg's credentials, region and endpoint. S3 is
// addressed path-style when cfg has a custom endpoint (the sandbox), as
// virtual-hosted names cannot resolve there.
func New(cfg aws.Config, opts Options) *Client {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.S3Concurrency <= 0 {
		opts.S3Concurrency = 4
	}
	if opts.S3PartSize <= 0 {
		opts.S3PartSize = 4 << 20
	}
	switch {
	case opts.S3ReadAhead == 0:
		opts.S3ReadAhead = 8
	case opts.S3ReadAhead < 0:
		opts.S3ReadAhead = 0
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 10 * time.Second
	}
	pathStyle := cfg.BaseEndpoint != nil
	return &Client{
		athena: awsathena.NewFromConfig(cfg),
		s3:     s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle }),
		sts:    sts.NewFromConfig(cfg),
		opts:   opts,
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Request is one query to run.
type Request struct {
	SQL       string
	Catalog   string // QueryExecutionContext.Catalog; "" leaves it to Athena
	Database  string // QueryExecutionContext.Database; "" leaves it to Athena
	Workgroup string // required: see Workgroups and ChooseWorkgroup
	// Params are the ExecutionParameters: one value for each ? of SQL, in
	// order ("applied sequentially to the parameters in the query in the
	// order in which the parameters occur", the SDK's
	// StartQueryExecutionInput.ExecutionParameters). Each is a SQL literal
	// as Athena reads it: '2024-01-01' for a string, 42 for a number.
	Params []string
	// ReuseMaxAge, when positive, lets Athena answer with a stored result
	// of the same query no older than it (ResultReuseConfiguration,
	// ResultReuseByAgeConfiguration.MaxAgeInMinutes, whole minutes from 1
	// to 10080: see ReuseMinutes).
	ReuseMaxAge time.Duration
}

// State is a query's state, as Athena names it.
type State string

// The states a query passes through.
const (
	Queued    State = "QUEUED"
	Running   State = "RUNNING"
	Succeeded State = "SUCCEEDED"
	Failed    State = "FAILED"
	Cancelled State = "CANCELLED"
)

// Done reports whether s is final.
func (s State) Done() bool { return s == Succeeded || s == Failed || s == Cancelled }

// Execution is what Athena says of one query execution.
type Execution struct {
	ID            string
	SQL           string
	State         State
	Reason        string // StateChangeReason, whole
	ErrorType     int    // AthenaError.ErrorType; 0 when none
	ErrorCategory int
	StatementType string // DML, DDL, UTILITY
	Workgroup     string
	Catalog       string
	Database      string
	// OutputLocation is the result file, s3://bucket/prefix/<id>.csv (or .txt).
	OutputLocation string
	Submitted      time.Time
	Completed      time.Time
	DataScanned    int64 // bytes
	EngineTime     time.Duration
	QueueTime      time.Duration
	TotalTime      time.Duration
	// Reused says Athena answered with a stored result
	// (Statistics.ResultReuseInformation.ReusedPreviousResult): nothing
	// was scanned, nothing is billed.
	Reused bool
	// Polls counts the GetQueryExecution calls made while waiting.
	Polls int
}

// Rows streams a query's results. Next returns io.EOF after the last row.
// Rows are never all held in memory.
type Rows interface {
	// Columns are the result's columns with their Athena types.
	Columns() []engine.Column
	Next() (engine.Row, error)
	// Path says how the rows are fetched: "s3" (the result file) or "api"
	// (GetQueryResults pages), and, when the fast path was refused, why.
	Path() FetchPath
	Close() error
}

// FetchPath says which path served a result.
type FetchPath struct {
	Via      string // "s3" or "api"
	Fallback string // why the S3 path was not used, when it was not
}
