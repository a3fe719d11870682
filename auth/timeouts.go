package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddle "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Timeouts bound every AWS call, so that an endpoint that accepts a
// connection and never answers, or stops answering in the middle of a
// reply, fails the call with a message instead of hanging it. The SDK
// sets none of these by default: its client waits as long as the
// connection stays open.
type Timeouts struct {
	// Connect bounds the TCP connection and, separately, the TLS
	// handshake.
	Connect time.Duration
	// FirstByte bounds each attempt from sending the request to the
	// reply's headers, the connection included.
	FirstByte time.Duration
	// SlowFirstByte is FirstByte for Athena's catalog calls (ListDatabases,
	// GetDatabase, ListTableMetadata, GetTableMetadata): for a federated
	// catalog, such as Quilt's Tabulator catalog, Athena answers them only
	// after invoking the catalog's Lambda connector, which may take longer.
	SlowFirstByte time.Duration
	// IdleRead bounds the wait for the next bytes of a reply's body: a
	// reply that sends nothing for this long is cut and the call fails (and
	// is retried). A slow reply that keeps coming is never cut.
	IdleRead time.Duration
	// RetryBudget bounds retrying: once calls to AWS have been failing for
	// this long with no call succeeding in between (throttling, 5xx,
	// connections refused, reset or timed out), the failing call is not
	// retried again, by the SDK or by quiltq's own loops.
	RetryBudget time.Duration
	// MaxAttempts bounds the SDK's attempts per call.
	MaxAttempts int
	// MaxBackoff bounds the SDK's wait between two attempts.
	MaxBackoff time.Duration
}

// DefaultTimeouts are quiltq's.
func DefaultTimeouts() Timeouts {
	return Timeouts{
		Connect:       10 * time.Second,
		FirstByte:     30 * time.Second,
		SlowFirstByte: 120 * time.Second,
		IdleRead:      30 * time.Second,
		RetryBudget:   30 * time.Second,
		MaxAttempts:   maxAttempts,
		MaxBackoff:    10 * time.Second,
	}
}

// withDefaults fills in what t leaves zero.
func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts()
	for _, f := range []struct{ v, def *time.Duration }{
		{&t.Connect, &d.Connect}, {&t.FirstByte, &d.FirstByte}, {&t.SlowFirstByte, &d.SlowFirstByte},
		{&t.IdleRead, &d.IdleRead}, {&t.RetryBudget, &d.RetryBudget}, {&t.MaxBackoff, &d.MaxBackoff},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if t.MaxAttempts <= 0 {
		t.MaxAttempts = d.MaxAttempts
	}
	return t
}

// CallBound is the longest a call takes to fail once the endpoint stops
// answering (accepts and never replies, refuses connections, or stalls
// in the middle of a reply): the retry budget, the longest wait before a
// last attempt, and that attempt's own bound. With DefaultTimeouts it is
// 70 s (160 s for Athena's catalog calls, SlowFirstByte).
func (t Timeouts) CallBound() time.Duration {
	t = t.withDefaults()
	return t.RetryBudget + t.MaxBackoff + max(t.FirstByte, t.IdleRead)
}

// slowOperation reports whether a call is one of the Athena operations
// that a federated catalog's Lambda connector answers.
func slowOperation(service, operation string) bool {
	if service != "Athena" {
		return false
	}
	switch operation {
	case "ListDatabases", "GetDatabase", "ListTableMetadata", "GetTableMetadata":
		return true
	}
	return false
}

// TimeoutError is an AWS call that got no answer in time. It is a
// timeout (Timeout is true), so the SDK's retryer and quiltq's own retry
// it, within the retry budget.
type TimeoutError struct {
	// Host is the endpoint, host:port.
	Host string
	// Phase is "connect", "reply" (waiting for the headers) or "body"
	// (the reply stalled in the middle).
	Phase string
	After time.Duration
}

func (e *TimeoutError) Error() string {
	switch e.Phase {
	case "connect":
		return fmt.Sprintf("could not connect to %s within %s", e.Host, e.After)
	case "body":
		return fmt.Sprintf("the reply from %s stopped in the middle: nothing came for %s", e.Host, e.After)
	}
	return fmt.Sprintf("no reply from %s within %s of sending the request", e.Host, e.After)
}

// Timeout reports true: the SDK retries timeouts.
func (e *TimeoutError) Timeout() bool { return true }

// GaveUpError is a call that failed after calls to AWS had been failing
// for longer than the retry budget: it is not retried again.
type GaveUpError struct {
	// Failing is how long calls had been failing, Budget the limit.
	Failing, Budget time.Duration
	Err             error
}

func (e *GaveUpError) Error() string {
	return fmt.Sprintf("gave up: calls to AWS have failed for %s, past quiltq's retry limit of %s: %v",
		roughly(e.Failing), e.Budget, e.Err)
}

// roughly rounds d for a message: to a tenth of a second under ten
// seconds, else to the second.
func roughly(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

func (e *GaveUpError) Unwrap() error { return e.Err }

// RetryableError reports false, which both the SDK's retryer and the
// engine's loops honour.
func (e *GaveUpError) RetryableError() bool { return false }

// Retry describes one retry as it starts, for a front end to say what is
// being retried while it retries (AWSParams.OnRetry).
type Retry struct {
	// Service and Operation name the call: "Athena", "GetQueryExecution".
	Service, Operation string
	// Attempt is the attempt that failed (1 for the first), MaxAttempts
	// the SDK's bound.
	Attempt, MaxAttempts int
	// Err is why it failed.
	Err error
	// Failing is how long calls to AWS have been failing; Budget is when
	// quiltq gives up.
	Failing, Budget time.Duration
}

// String says it in one line: "Athena GetQueryExecution: no reply from
// 127.0.0.1:4566 within 30s of sending the request; retrying (attempt 2
// of 6; failing for 31s, giving up at 30s)".
func (r Retry) String() string {
	return fmt.Sprintf("%s %s: %s; retrying (attempt %d of %d; failing for %s, giving up at %s)",
		r.Service, r.Operation, reason(r.Err), r.Attempt+1, r.MaxAttempts, roughly(r.Failing), r.Budget)
}

// reason is err without the layers that repeat the method and URL.
func reason(err error) string {
	var te *TimeoutError
	if errors.As(err, &te) {
		return te.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	if err == nil {
		return "failed"
	}
	return err.Error()
}

// NewHTTPClient is the HTTP client of AWS calls: the SDK's own (its
// connection pool and TLS settings, and what the SDK's configuration
// adds to it, such as AWS_CA_BUNDLE's roots) with the TCP connection and
// the TLS handshake each bounded by t.Connect. The wait for a reply and
// for each part of its body is bounded by the middleware AWSConfig adds
// (see attemptBounds), which knows which call an attempt belongs to.
func NewHTTPClient(t Timeouts) *awshttp.BuildableClient {
	t = t.withDefaults()
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = t.Connect }).
		WithTransportOptions(func(tr *http.Transport) { tr.TLSHandshakeTimeout = t.Connect })
}

// errFirstByte and errIdle are the causes an attempt is cancelled with
// when it times out, told apart from the caller's own cancelling.
var (
	errFirstByte = errors.New("quiltq: first-byte timeout")
	errIdle      = errors.New("quiltq: idle-read timeout")
)

// attemptTimer is one attempt's clock: its first-byte timer, and the
// cancel of the context its request (and reply body) runs under.
type attemptTimer struct {
	cancel context.CancelCauseFunc
	timer  *time.Timer
	wait   time.Duration
}

type attemptTimerKey struct{}

// replyArrived is the innermost deserialize step: it runs as the
// transport returns, stops the attempt's first-byte timer and bounds the
// reading of the body.
func replyArrived(t Timeouts) middleware.DeserializeMiddleware {
	return middleware.DeserializeMiddlewareFunc("quiltq.ReplyArrived", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleDeserialize(ctx, in)
		at, ok := ctx.Value(attemptTimerKey{}).(*attemptTimer)
		if !ok {
			return out, md, err
		}
		at.timer.Stop()
		resp, ok := out.RawResponse.(*smithyhttp.Response)
		if err != nil || !ok || resp.Body == nil {
			return out, md, err
		}
		if context.Cause(ctx) == errFirstByte {
			// The headers came as the timer fired: the attempt failed.
			resp.Body.Close()
			return out, md, context.Cause(ctx)
		}
		host := ""
		if req, ok := in.Request.(*smithyhttp.Request); ok {
			host = req.URL.Host
		}
		resp.Body = &idleBody{ReadCloser: resp.Body, idle: t.IdleRead, cancel: at.cancel, host: host}
		return out, md, nil
	})
}

// idleBody cuts a reply body that sends nothing for idle, by cancelling
// its request's context. The clock runs only while a Read waits: a caller
// that is slow to read is not cut. Close releases the context.
type idleBody struct {
	io.ReadCloser
	idle   time.Duration
	cancel context.CancelCauseFunc
	host   string

	mu    sync.Mutex // guards timer between Read and Close
	timer *time.Timer
	fired atomic.Bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	if b.timer == nil {
		b.timer = time.AfterFunc(b.idle, b.expire)
	} else {
		b.timer.Reset(b.idle)
	}
	b.mu.Unlock()
	n, err := b.ReadCloser.Read(p)
	b.mu.Lock()
	b.timer.Stop()
	b.mu.Unlock()
	if err != nil && err != io.EOF && b.fired.Load() {
		return n, &TimeoutError{Host: b.host, Phase: "body", After: b.idle}
	}
	return n, err
}

func (b *idleBody) expire() {
	b.fired.Store(true)
	b.cancel(errIdle)
}

func (b *idleBody) Close() error {
	b.mu.Lock()
	if b.timer != nil {
		b.timer.Stop()
	}
	b.mu.Unlock()
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}

// health is whether calls to AWS are passing, shared by every client of
// one configuration: when the first of a run of failures began, or zero
// when the last call passed.
type health struct {
	mu           sync.Mutex
	failingSince time.Time
}

// record notes an attempt that started at start and ended with err, and
// returns how long calls have been failing (0 when it passed).
func (h *health) record(start time.Time, err error) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !endpointFailure(err) {
		h.failingSince = time.Time{}
		return 0
	}
	if h.failingSince.IsZero() {
		h.failingSince = start
	}
	return time.Since(h.failingSince)
}

// endpointFailure reports whether err says the endpoint is not working
// (what the SDK retries: throttling, 5xx, broken or timed-out
// connections, a reply cut short), as opposed to an answer, even a
// refusal, which shows it is.
func endpointFailure(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// callState is one call's count of attempts, for the retry hook.
type callState struct{ attempts atomic.Int32 }

type callStateKey struct{}

// attemptBounds is the middleware AWSConfig adds to every call: an
// initialize step that gives each call its callState; a finalize step
// inside the SDK's retry loop (attempt) that keeps health and turns a
// failure past the retry budget into a *GaveUpError; the last finalize
// step (sendBounded), after signing, which runs the request under its
// first-byte timer; and the innermost deserialize step (replyArrived).
type attemptBounds struct {
	t      Timeouts
	health *health
}

func (ab *attemptBounds) add(stack *middleware.Stack) error {
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("quiltq.CallState",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(context.WithValue(ctx, callStateKey{}, &callState{}), in)
		}), middleware.Before); err != nil {
		return err
	}
	if err := stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("quiltq.RetryBudget", ab.attempt), "Retry", middleware.After); err != nil {
		return err
	}
	if err := stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("quiltq.FirstByte", ab.sendBounded), middleware.After); err != nil {
		return err
	}
	return stack.Deserialize.Add(replyArrived(ab.t), middleware.After)
}

// attempt sees each attempt whole (signing included).
func (ab *attemptBounds) attempt(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	start := time.Now()
	out, md, err := next.HandleFinalize(ctx, in)
	if st, ok := ctx.Value(callStateKey{}).(*callState); ok {
		st.attempts.Add(1)
	}
	failing := ab.health.record(start, err)
	if err != nil && failing >= ab.t.RetryBudget && endpointFailure(err) {
		err = &GaveUpError{Failing: failing, Budget: ab.t.RetryBudget, Err: err}
	}
	return out, md, err
}

// sendBounded runs the signed request under a context the attempt's
// first-byte timer cancels; the reply body, when there is one, keeps the
// context until it is closed. A request that timed out fails with a
// *TimeoutError rather than the SDK's wrapping of a cancelled request.
func (ab *attemptBounds) sendBounded(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	wait := ab.t.FirstByte
	if slowOperation(awsmiddle.GetServiceID(ctx), awsmiddle.GetOperationName(ctx)) {
		wait = ab.t.SlowFirstByte
	}
	actx, cancel := context.WithCancelCause(ctx)
	at := &attemptTimer{cancel: cancel, wait: wait, timer: time.AfterFunc(wait, func() { cancel(errFirstByte) })}
	out, md, err := next.HandleFinalize(context.WithValue(actx, attemptTimerKey{}, at), in)
	at.timer.Stop()
	if err == nil {
		return out, md, nil
	}
	// A failed attempt leaves no body to read (the SDK closes it).
	timedOut := context.Cause(actx) == errFirstByte
	cancel(nil)
	host := ""
	if req, ok := in.Request.(*smithyhttp.Request); ok {
		host = req.URL.Host
	}
	var op *net.OpError
	switch {
	case timedOut && ctx.Err() == nil:
		return out, md, &TimeoutError{Host: host, Phase: "reply", After: wait}
	case errors.As(err, &op) && op.Op == "dial" && op.Timeout() && ctx.Err() == nil:
		return out, md, &TimeoutError{Host: host, Phase: "connect", After: ab.t.Connect}
	}
	return out, md, err
}

// hookedRetryer is the SDK's retryer, calling onRetry as each retry
// starts.
type hookedRetryer struct {
	aws.RetryerV2
	onRetry func(Retry)
	health  *health
	budget  time.Duration
}

func (r *hookedRetryer) GetRetryToken(ctx context.Context, err error) (func(error) error, error) {
	release, terr := r.RetryerV2.GetRetryToken(ctx, err)
	if terr == nil && r.onRetry != nil {
		attempt := 1
		if st, ok := ctx.Value(callStateKey{}).(*callState); ok {
			attempt = int(st.attempts.Load())
		}
		r.health.mu.Lock()
		failing := time.Duration(0)
		if !r.health.failingSince.IsZero() {
			failing = time.Since(r.health.failingSince)
		}
		r.health.mu.Unlock()
		r.onRetry(Retry{Service: awsmiddle.GetServiceID(ctx), Operation: awsmiddle.GetOperationName(ctx),
			Attempt: attempt, MaxAttempts: r.MaxAttempts(), Err: err, Failing: failing, Budget: r.budget})
	}
	return release, terr
}
