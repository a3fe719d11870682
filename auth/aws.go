package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/middleware"

	"github.com/quiltq/quiltq/engine"
)

// AWSParams say how to build the AWS SDK configuration of queries.
type AWSParams struct {
	// Region is the AWS region: the catalog's, or the profile's override.
	// With no Credentials, "" lets the SDK find one (AWS_REGION, the
	// shared config).
	Region string
	// Endpoint, when set, sends every AWS call there (the sandbox).
	Endpoint string
	// Credentials, usually a Session, sign the calls. When nil the SDK's
	// default chain finds credentials, with AWSProfile as the shared
	// config profile: that is for users outside Quilt.
	Credentials aws.CredentialsProvider
	AWSProfile  string
	// HTTPClient sends the calls (nil: NewHTTPClient(Timeouts)).
	HTTPClient *http.Client
	// Timeouts bound the calls and their retrying (zero fields:
	// DefaultTimeouts').
	Timeouts Timeouts
	// OnRetry, when set, is called as each retry of a call starts, so that
	// a front end can say what is being retried ("Athena
	// GetQueryExecution: no reply ...; retrying (attempt 2 of 6 ...)"). It
	// is called on the goroutine making the call, and must not block.
	OnRetry func(Retry)
}

// Source names where the credentials come from: the Session's source,
// "aws profile NAME" or "aws default chain".
func (p AWSParams) Source() string {
	switch c := p.Credentials.(type) {
	case nil:
		if p.AWSProfile != "" {
			return "aws profile " + p.AWSProfile
		}
		return "aws default chain"
	case interface{ Source() string }:
		return c.Source()
	default:
		return fmt.Sprintf("%T", c)
	}
}

// AWSConfig builds the SDK configuration that queries run with. With
// Credentials it is built from p alone, so that the user's ~/.aws files
// and AWS_* variables cannot change which account a Quilt login reaches;
// the credentials are wrapped in NewCredentialsCache unless they are a
// cache already. Without, it is the SDK's LoadDefaultConfig with
// AWSProfile. Either way calls use the SDK's standard retryer: throttling
// and transient errors are retried with exponential backoff and jitter.
//
// Every call is bounded (p.Timeouts): the connection, the wait for the
// reply's headers, each wait for more of its body, and the retrying, which
// stops once calls have been failing for RetryBudget; a call to an
// endpoint that stops answering fails within Timeouts.CallBound with a
// *TimeoutError or *GaveUpError in its chain. p.OnRetry hears of each
// retry as it starts.
func AWSConfig(ctx context.Context, p AWSParams) (aws.Config, error) {
	const op = "configure AWS"
	t := p.Timeouts.withDefaults()
	h := &health{}
	standard := func() aws.Retryer {
		return &hookedRetryer{RetryerV2: newRetryer(t), onRetry: p.OnRetry, health: h, budget: t.RetryBudget}
	}
	bounds := &attemptBounds{t: t, health: h}
	var hc aws.HTTPClient = NewHTTPClient(t)
	if p.HTTPClient != nil {
		hc = p.HTTPClient
	}
	var cfg aws.Config
	if p.Credentials != nil {
		creds := p.Credentials
		if _, cached := creds.(*aws.CredentialsCache); !cached {
			creds = NewCredentialsCache(creds)
		}
		cfg = aws.Config{Region: p.Region, Credentials: creds, Retryer: standard, HTTPClient: hc,
			APIOptions: []func(*middleware.Stack) error{bounds.add}}
		if p.Endpoint != "" {
			cfg.BaseEndpoint = aws.String(p.Endpoint)
		}
	} else {
		opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRetryer(standard), awsconfig.WithHTTPClient(hc),
			awsconfig.WithAPIOptions([]func(*middleware.Stack) error{bounds.add})}
		if p.AWSProfile != "" {
			opts = append(opts, awsconfig.WithSharedConfigProfile(p.AWSProfile))
		}
		if p.Region != "" {
			opts = append(opts, awsconfig.WithRegion(p.Region))
		}
		if p.Endpoint != "" {
			opts = append(opts, awsconfig.WithBaseEndpoint(p.Endpoint))
		}
		var err error
		if cfg, err = awsconfig.LoadDefaultConfig(ctx, opts...); err != nil {
			return aws.Config{}, &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("reading the AWS configuration (%s): %w", p.Source(), err)}
		}
	}
	if cfg.Region == "" {
		return aws.Config{}, &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("no AWS region: set region in the quiltq profile, or AWS_REGION")}
	}
	return cfg, nil
}

// maxAttempts bounds the SDK's attempts per call. The SDK's default of 3
// leaves a call on a network that cuts one reply in five failing about
// once in 125 calls, and a query makes dozens; 6 leaves one in 15,625.
const maxAttempts = 6

// newRetryer is the SDK's standard retryer (throttling and 5xx retried
// with backoff and jitter, at most t.MaxAttempts attempts, at most
// t.MaxBackoff apart), also retrying a reply whose body was cut short:
// the SDK does not retry a 200 whose body ends early, yet every call
// quiltq makes is safe to repeat (reads, StopQueryExecution, and
// StartQueryExecution, whose ClientRequestToken makes a repeat return the
// same query). A *GaveUpError is never retried.
func newRetryer(t Timeouts) aws.RetryerV2 {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = t.MaxAttempts
		o.MaxBackoff = t.MaxBackoff
		o.Retryables = append(o.Retryables, retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return aws.TrueTernary
			}
			return aws.UnknownTernary
		}))
	})
}
