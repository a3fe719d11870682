package athena

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"

	"github.com/quiltq/quiltq/auth"
)

// TestWaitGivesUpOnDeadEndpoint: an endpoint killed while a query is
// being polled fails the wait once the AWS configuration's retry budget
// is spent, announced while it retries; the poll loop's own retries do
// not stretch it (they stop at the first *auth.GaveUpError).
func TestWaitGivesUpOnDeadEndpoint(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonAthena.")
		mu.Lock()
		calls[op]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch op {
		case "GetQueryExecution":
			fmt.Fprint(w, `{"QueryExecution": {"QueryExecutionId": "q-1", "Status": {"State": "RUNNING"}}}`)
		default:
			fmt.Fprint(w, `{}`)
		}
	}))
	var retried []string
	var rmu sync.Mutex
	cfg, err := auth.AWSConfig(context.Background(), auth.AWSParams{
		Region: "us-east-1", Endpoint: srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session"),
		Timeouts:    auth.Timeouts{FirstByte: 300 * time.Millisecond, IdleRead: 300 * time.Millisecond, RetryBudget: time.Second, MaxBackoff: 50 * time.Millisecond},
		OnRetry: func(r auth.Retry) {
			rmu.Lock()
			retried = append(retried, r.String())
			rmu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := New(cfg, Options{StopTimeout: 500 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard only
	defer cancel()
	polls := 0
	ex, err := c.Wait(ctx, "q-1", func(Execution) {
		polls++
		if polls == 2 {
			srv.Close() // the endpoint dies mid-poll: connections are refused from now on
		}
	})
	if ctx.Err() != nil {
		t.Fatal("Wait hung until the guard")
	}
	var gu *auth.GaveUpError
	if !errors.As(err, &gu) || !strings.Contains(err.Error(), "gave up: calls to AWS have failed for") {
		t.Fatalf("Wait = %v; want it to give up", err)
	}
	// Each failed poll the loop retries makes another SDK call; once the
	// budget is spent the first of them ends the wait, well before the
	// loop's own limit of maxPollFailures.
	if ex.Polls-2 >= maxPollFailures {
		t.Errorf("%d polls after the endpoint died; want the loop to stop at the budget, before %d", ex.Polls-2, maxPollFailures)
	}
	rmu.Lock()
	defer rmu.Unlock()
	refused := false
	for _, r := range retried {
		refused = refused || strings.HasPrefix(r, "Athena GetQueryExecution: ") && strings.Contains(r, "connection refused; retrying (attempt 2 of 6")
	}
	if !refused {
		t.Errorf("no retry announced for the refused polls: %q", retried)
	}
}

// TestRetryLoopsHonourGivingUp: the engine's own retry loops (polling,
// the S3 reader, workgroup discovery) treat a call the AWS configuration
// gave up on as final, whatever failure it wraps.
func TestRetryLoopsHonourGivingUp(t *testing.T) {
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	for _, inner := range []error{io.ErrUnexpectedEOF, &auth.TimeoutError{Phase: "reply"}, bodyError{io.ErrUnexpectedEOF}, throttled} {
		if !fetchRetryable(inner) {
			t.Errorf("%v alone: fetchRetryable false, want true (the test's premise)", inner)
		}
		gave := &auth.GaveUpError{Failing: 31 * time.Second, Budget: 30 * time.Second, Err: inner}
		if transient(gave) || fetchRetryable(gave) {
			t.Errorf("given up on %v: transient %v, fetchRetryable %v; want both false", inner, transient(gave), fetchRetryable(gave))
		}
	}
}
