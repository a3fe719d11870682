package athena

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/quiltq/quiltq/engine"
)

// The poll schedule (see pollInterval).
const (
	fastPoll      = 150 * time.Millisecond
	fastPollUntil = 3 * time.Second
	// After fastPollUntil the interval is elapsed/D, where D runs linearly
	// in ln(elapsed) from divisorStart at fastPollUntil down to divisorLow
	// at divisorLowAt, then up to divisorHigh at divisorHighAt, and stays.
	divisorStart  = 17.0
	divisorLow    = 10.5
	divisorLowAt  = 6 * time.Second
	divisorHigh   = 13.0
	divisorHighAt = 50 * time.Second
	maxPoll       = 30 * time.Second
	// maxPollFailures is how many polls in a row may fail transiently
	// (throttled, 5xx, a cut connection) before Wait gives up.
	maxPollFailures = 8
	// stopPoll is the interval while waiting for a stopped query to say
	// CANCELLED.
	stopPoll = 100 * time.Millisecond
	// maxFailureWait bounds the back-off after a failed poll.
	maxFailureWait = 10 * time.Second
)

// pollInterval is the wait before the next GetQueryExecution, given how
// long the query has been waited for.
//
// The goals (issue 18, restating issue 3's): a median completion-detection
// lag of at most 100 ms for queries under 3 s and at most 5% of the run
// time above; for runs of 60 s and longer, no more calls than a fixed 1 s
// poller makes; at most 100 calls for a 10-minute run. A query ends at a
// moment unrelated to the poll times, so it ends uniformly within an
// interval d (Wait jitters each interval by ±25% so that this holds run
// after run) and is seen, in the median, d/2 later; at worst d later.
// (Uneven intervals do not beat this: with intervals d_i, a median lag m
// needs Σ min(m, d_i) ≥ Σ d_i / 2, so at least one call per 2m.)
//
//   - Under 3 s: d = 150 ms, a median lag of 75 ms (plus one round trip),
//     21 calls by 3 s.
//   - From 3 s: d = elapsed/D. A query ending at t is then seen about
//     t/(2D) late, and each poll multiplies elapsed by 1 + 1/D, so the
//     calls from 3 s to t are about ∫ D d(ln elapsed).
//   - D starts at 17 (176 ms, next to the fast 150 ms): a jump straight
//     to elapsed/11.5 (the schedule before) made the first slow polls
//     fall at the same point after 3 s in every run, and a query of 3.1 to
//     3.4 s was seen 5.6 to 5.9% late in the median. D falls to 10.5 by
//     6 s (a lag near 4.5% of a few seconds, a quarter of a second), then
//     rises with ln(elapsed) to 13 at 50 s (3.7%) and stays there: the
//     goal is the same fraction at every length, but a fraction of a long
//     run is a longer wait, so the calls the 60 s budget leaves go where a
//     percent is seconds.
//   - From 390 s the interval stays at 30 s (a median lag of 15 s, 2.5%
//     of 600 s).
//
// The budget is tight: a 5% median lag needs d ≤ 0.1·t near the end,
// which costs at least 21 + 10·ln(60/3) ≈ 51 calls by 60 s, against the
// fixed poller's 61; this schedule makes about 60, and about 92 by 600 s.
// TestPollSchedule simulates it with Wait's jitter and checks the lag and
// the calls at run lengths from 0.3 s to 600 s.
//
// What others do, for comparison: botocore's only Athena waiter
// (QuerySucceeded, data/athena/2017-05-18/waiters-2.json) polls
// GetQueryExecution every 5 s, at most 30 times; PyAthena polls every
// poll_interval, 1 s unless set (pyathena/connection.py); awswrangler
// (aws-sdk-pandas) every athena_query_wait_polling_delay, 1 s by default
// (0.25 s in its older releases; awswrangler/athena/_utils.py); the Simba
// Athena JDBC driver polls 5 ms after the start and grows the interval
// exponentially up to MaxQueryExecutionPollingInterval, 100 ms by default
// (its install guide, as quoted in laughingman7743/PyAthenaJDBC#5). All
// are fixed or capped near one value: none keeps the lag a fraction of
// the run. BENCHMARKS.md has this schedule measured beside a fixed 1 s
// poller.
//
// The scan limit (max_scan) is checked at each poll, so a query may scan
// on for one interval past it: at a steady scan rate, at most about 12%
// more than it had scanned when the limit was passed.
func pollInterval(elapsed time.Duration) time.Duration {
	if elapsed < fastPollUntil {
		return fastPoll
	}
	return min(time.Duration(float64(elapsed)/pollDivisor(elapsed)), maxPoll)
}

// pollDivisor is D in pollInterval's elapsed/D, for elapsed ≥
// fastPollUntil: linear in ln(elapsed) between the knots.
func pollDivisor(elapsed time.Duration) float64 {
	between := func(from, to time.Duration, a, b float64) float64 {
		x := math.Log(float64(elapsed)/float64(from)) / math.Log(float64(to)/float64(from))
		return a + (b-a)*x
	}
	switch {
	case elapsed <= fastPollUntil:
		return divisorStart
	case elapsed <= divisorLowAt:
		return between(fastPollUntil, divisorLowAt, divisorStart, divisorLow)
	case elapsed <= divisorHighAt:
		return between(divisorLowAt, divisorHighAt, divisorLow, divisorHigh)
	default:
		return divisorHigh
	}
}

// jitter spreads d over [0.75·d, 1.25·d) by u in [0, 1): without it, a
// query that always takes the same time would always end at the same
// point of an interval, and its lag would be that point, not d/2.
func jitter(d time.Duration, u float64) time.Duration {
	return time.Duration(float64(d) * (0.75 + 0.5*u))
}

// Wait polls the query until it is final, calling progress (when not nil)
// after every successful poll, and returns the final Execution, with Polls
// the number of GetQueryExecution calls made. A query that FAILED or was
// CANCELLED comes back with an *engine.Error whose text is Athena's
// reason: Kind Denied for a permission refusal, Failed otherwise, Canceled
// for a query stopped elsewhere.
//
// TotalTime in a progress report is Athena's figure, or, before Athena
// gives one, the time Wait has waited.
//
// When ctx ends (the user pressed Ctrl-C), Wait stops the query with a
// context of its own, bounded by Options.StopTimeout, waits for Athena to
// report it final, and returns an error of Kind Canceled: quiltq never
// leaves a query running. A poll error that will not pass (expired
// credentials, a refusal) also stops the query, as far as it can.
func (c *Client) Wait(ctx context.Context, id string, progress func(Execution)) (Execution, error) {
	return c.wait(ctx, id, progress, true)
}

// Follow is Wait for a query the caller did not start (a viewer of an
// earlier query, `quiltq --results ID`): when ctx ends, or a poll fails
// for good, it detaches and leaves the query as it is, returning an error
// of Kind Canceled that says so. Stopping someone else's query is not a
// viewer's business.
func (c *Client) Follow(ctx context.Context, id string, progress func(Execution)) (Execution, error) {
	return c.wait(ctx, id, progress, false)
}

func (c *Client) wait(ctx context.Context, id string, progress func(Execution), stop bool) (Execution, error) {
	const op = "wait for query"
	abandon := c.abandon
	if !stop {
		abandon = detach
	}
	start := c.opts.Now()
	last := Execution{ID: id}
	polls, failures := 0, 0
	for {
		if ctx.Err() != nil {
			return abandon(ctx, id, last, polls, progress)
		}
		ex, err := c.describe(ctx, id)
		polls++
		var wait time.Duration
		switch {
		case err != nil && ctx.Err() != nil:
			return abandon(ctx, id, last, polls, progress)
		case err != nil && transient(err) && failures < maxPollFailures:
			// Throttled or a passing failure: back off, then poll again.
			wait = max(backoff(failures), pollInterval(c.opts.Now().Sub(start)))
			wait = min(wait, maxFailureWait)
			failures++
		case err != nil:
			if stop {
				c.stopQuietly(ctx, id)
			}
			last.Polls = polls
			return last, translate(op, err)
		default:
			failures = 0
			ex.Polls = polls
			elapsed := c.opts.Now().Sub(start)
			if ex.TotalTime == 0 && !ex.State.Done() {
				ex.TotalTime = elapsed
			}
			last = ex
			if progress != nil {
				progress(ex)
			}
			if ex.State.Done() {
				return ex, outcome(ex)
			}
			wait = jitter(pollInterval(elapsed), rand.Float64())
		}
		if err := c.opts.Sleep(ctx, wait); err != nil {
			return abandon(ctx, id, last, polls, progress)
		}
	}
}

// describe is one GetQueryExecution.
func (c *Client) describe(ctx context.Context, id string) (Execution, error) {
	out, err := c.athena.GetQueryExecution(ctx, &awsathena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)}, withErrorBody)
	if err != nil {
		return Execution{}, err
	}
	return executionOf(out.QueryExecution), nil
}

// abandon stops a query whose waiter gave up (ctx ended) and waits,
// within Options.StopTimeout, for Athena to call it final. ctx is already
// done, so the calls use a context of their own that keeps ctx's values.
func (c *Client) abandon(ctx context.Context, id string, last Execution, polls int, progress func(Execution)) (Execution, error) {
	cause := ctx.Err()
	fresh, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.StopTimeout)
	defer cancel()
	stopErr := c.Stop(fresh, id)
	for !last.State.Done() && fresh.Err() == nil {
		ex, err := c.describe(fresh, id)
		polls++
		if err == nil {
			ex.Polls = polls
			last = ex
			if progress != nil {
				progress(ex)
			}
			if ex.State.Done() {
				break
			}
		}
		if c.opts.Sleep(fresh, stopPoll) != nil {
			break
		}
	}
	last.Polls = polls
	var err error
	switch {
	case stopErr != nil:
		err = fmt.Errorf("stopping query %s: %w (it may still be running: stop it in the Athena console)", id, errors.Join(stopErr, cause))
	case !last.State.Done():
		err = fmt.Errorf("query %s was asked to stop, but Athena still called it %s after %v: %w", id, last.State, c.opts.StopTimeout, cause)
	default:
		err = fmt.Errorf("query %s stopped (%s): %w", id, last.State, cause)
	}
	return last, &engine.Error{Op: "wait for query", Kind: engine.Canceled, Err: err}
}

// detach is how Follow ends when ctx does: the query is left running.
func detach(ctx context.Context, id string, last Execution, polls int, _ func(Execution)) (Execution, error) {
	last.Polls = polls
	err := fmt.Errorf("stopped following query %s, which was left as it is (%s when last seen): %w", id, stateOr(last.State), ctx.Err())
	return last, &engine.Error{Op: "follow query", Kind: engine.Canceled, Err: err}
}

// stateOr is s, or "not seen yet".
func stateOr(s State) string {
	if s == "" {
		return "not seen yet"
	}
	return string(s)
}

// stopQuietly makes a best effort to stop a query that Wait can no longer
// follow.
func (c *Client) stopQuietly(ctx context.Context, id string) {
	fresh, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.StopTimeout)
	defer cancel()
	_ = c.Stop(fresh, id)
}
