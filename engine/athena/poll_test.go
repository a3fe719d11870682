package athena

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// simulate polls a query that ends at t on the schedule, with the jitter
// drawn from rng (nil: none), and returns the detection lag and the calls
// made, the first at once.
func simulate(t time.Duration, rng *rand.Rand) (lag time.Duration, calls int) {
	var e time.Duration
	for {
		calls++
		if e >= t {
			return e - t, calls
		}
		u := 0.5 // no jitter
		if rng != nil {
			u = rng.Float64()
		}
		e += jitter(pollInterval(e), u)
	}
}

// lagOf simulates runs of Wait's schedule, with its jitter, against a
// query taking run (or, with spread, a run time drawn within ±spread of
// it, as BenchmarkCompletionLag draws them), and returns the median lag
// and the median, p90 and worst call counts.
func lagOf(run time.Duration, spread float64, runs int, rng *rand.Rand) (median time.Duration, calls [3]int) {
	lags := make([]float64, runs) // as a fraction of the run drawn
	counts := make([]int, runs)
	for i := range runs {
		t := time.Duration(float64(run) * (1 - spread + 2*spread*rng.Float64()))
		lag, n := simulate(t, rng)
		lags[i], counts[i] = float64(lag)/float64(t), n
	}
	slices.Sort(lags)
	slices.Sort(counts)
	return time.Duration(lags[runs/2] * float64(run)), [3]int{counts[runs/2], counts[runs*9/10], counts[runs-1]}
}

func TestPollSchedule(t *testing.T) {
	// Monotonic, never shorter than the fast interval, never longer than the cap.
	prev := time.Duration(0)
	for e := time.Duration(0); e <= 10*time.Minute; e += 10 * time.Millisecond {
		d := pollInterval(e)
		if d < prev {
			t.Fatalf("pollInterval(%v) = %v, shorter than %v before it", e, d, prev)
		}
		if d < fastPoll || d > maxPoll {
			t.Fatalf("pollInterval(%v) = %v, outside [%v, %v]", e, d, fastPoll, maxPoll)
		}
		prev = d
	}
	// The goals of issue 18 (a median lag of at most 100 ms under 3 s and
	// 5% of the run above, counting a round trip for the call itself), the
	// margin under them the schedule is held to (margin: the simulated
	// median lag, before the round trip), the calls without jitter as
	// pollInterval's comment documents them, and the fixed 1 s poller's
	// calls (one at once, then one a second) for the budget from 60 s on.
	//
	// The margin is there because BenchmarkCompletionLag measures the
	// median of 15 runs, whose spread at 60 s is about ±0.8% of the run:
	// a schedule whose true median is 4.3% (elapsed/11.5, the schedule
	// before, which fails the 60 s row here) measured 5.1% and 5.6%. The
	// rows from 3.1 to 4 s are where the step from the fast polls to the
	// slow ones used to fall at the same point every run (5.9% at 3.1 s).
	tests := []struct {
		run      time.Duration
		calls    int     // without jitter
		margin   float64 // median lag at most this fraction of run
		fixedOne int
	}{
		{300 * time.Millisecond, 3, 0.30, 2}, // 90 ms
		{time.Second, 8, 0.09, 2},
		{2900 * time.Millisecond, 21, 0.031, 4},
		{3100 * time.Millisecond, 22, 0.0475, 4},
		{3200 * time.Millisecond, 23, 0.0475, 5},
		{3400 * time.Millisecond, 24, 0.0475, 5},
		{4 * time.Second, 26, 0.0475, 5},
		{6 * time.Second, 32, 0.0475, 7},
		{10 * time.Second, 37, 0.0475, 11},
		{30 * time.Second, 51, 0.0425, 31},
		{60 * time.Second, 60, 0.0390, 61},
		{600 * time.Second, 92, 0.0300, 601},
	}
	const runs = 2001
	const roundTrip = 10 * time.Millisecond // allowance for the call itself
	for _, tt := range tests {
		_, calls := simulate(tt.run, nil)
		if calls != tt.calls {
			t.Errorf("%v: %d calls, want %d as documented", tt.run, calls, tt.calls)
		}
		goal := tt.run / 20
		if tt.run < fastPollUntil {
			goal = 100 * time.Millisecond
		}
		rng := rand.New(rand.NewPCG(1, uint64(tt.run)))
		median, counts := lagOf(tt.run, 0, runs, rng)
		worst := time.Duration(0)
		for range runs {
			lag, _ := simulate(tt.run, rng)
			worst = max(worst, lag)
		}
		t.Logf("%6v: median lag %5dms (%.2f%%), worst %5dms, calls median %2d, p90 %2d, worst %2d (fixed 1 s poller: %3d calls)",
			tt.run, median.Milliseconds(), 100*float64(median)/float64(tt.run), worst.Milliseconds(), counts[0], counts[1], counts[2], tt.fixedOne)
		if median+roundTrip > goal {
			t.Errorf("%v: median lag %v plus a round trip, want at most %v (issue 18's goal)", tt.run, median, goal)
		}
		if limit := time.Duration(tt.margin * float64(tt.run)); median > limit {
			t.Errorf("%v: median lag %v (%.2f%%), want at most %v (%.2f%%) to leave the benchmark room", tt.run, median, 100*float64(median)/float64(tt.run), limit, 100*tt.margin)
		}
		// At worst, the longest interval that can straddle the end.
		if limit := jitter(pollInterval(tt.run), 1); worst > limit {
			t.Errorf("%v: worst lag %v, want at most %v", tt.run, worst, limit)
		}
		if c := counts[0]; c < tt.calls-2 || c > tt.calls+2 {
			t.Errorf("%v: median %d calls with jitter, want about %d", tt.run, c, tt.calls)
		}
		// From 60 s on, no more calls than the fixed poller, nine runs in
		// ten; a 10-minute run at most 100 calls, every time.
		if tt.run >= time.Minute && counts[1] > tt.fixedOne {
			t.Errorf("%v: p90 %d calls, more than the fixed 1 s poller's %d", tt.run, counts[1], tt.fixedOne)
		}
		if tt.run >= 10*time.Minute && counts[2] > 100 {
			t.Errorf("%v: up to %d calls, want at most 100", tt.run, counts[2])
		}
	}
	// The runs as BenchmarkCompletionLag draws them, within ±10% of the
	// nominal length: the median lag it should measure.
	for _, tt := range []struct {
		run    time.Duration
		margin float64
	}{
		{3 * time.Second, 0.04},
		{10 * time.Second, 0.0475},
		{30 * time.Second, 0.0425},
		{60 * time.Second, 0.0390},
	} {
		median, _ := lagOf(tt.run, 0.1, runs, rand.New(rand.NewPCG(2, uint64(tt.run))))
		t.Logf("%6v ±10%%: median lag %5dms (%.2f%%)", tt.run, median.Milliseconds(), 100*float64(median)/float64(tt.run))
		if limit := time.Duration(tt.margin * float64(tt.run)); median > limit {
			t.Errorf("%v ±10%%: median lag %v, want at most %v (%.2f%%)", tt.run, median, limit, 100*tt.margin)
		}
	}
}

func TestJitter(t *testing.T) {
	for _, u := range []float64{0, 0.25, 0.5, 0.999} {
		got := jitter(time.Second, u)
		if got < 750*time.Millisecond || got >= 1250*time.Millisecond {
			t.Errorf("jitter(1s, %v) = %v, want within [750ms, 1.25s)", u, got)
		}
	}
	if jitter(time.Second, 0.5) != time.Second {
		t.Errorf("jitter(1s, 0.5) = %v, want 1s: the jitter must average out", jitter(time.Second, 0.5))
	}
}

// Ctrl-C while waiting: the query is stopped with a context of its own,
// followed until CANCELLED, and the error is of kind Canceled.
func TestWaitCancelStopsTheQuery(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	c, rec := client(t, env, "analyst", Options{})
	ctx, cancel := context.WithCancel(sandboxtest.Context(t))
	defer cancel()
	var reports []State
	ex, err := c.Run(ctx, Request{SQL: "-- sandbox: run=60s\nSELECT 1", Workgroup: userWG}, func(e Execution) {
		reports = append(reports, e.State)
		if len(reports) == 1 {
			cancel() // the user gives up at the first report
		}
	})
	if engine.KindOf(err) != engine.Canceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v (%s), want kind canceled wrapping context.Canceled", err, engine.KindOf(err))
	}
	if ex.State != Cancelled || reports[len(reports)-1] != Cancelled {
		t.Errorf("state: got %s (reports %v), want CANCELLED", ex.State, reports)
	}
	if rec.n("StopQueryExecution") != 1 {
		t.Errorf("StopQueryExecution: %d calls, want 1", rec.n("StopQueryExecution"))
	}
	if ex.Polls != rec.n("GetQueryExecution") {
		t.Errorf("Polls %d, want every call counted (%d)", ex.Polls, rec.n("GetQueryExecution"))
	}
	other, _ := client(t, env, "analyst", Options{})
	seen, err := other.describe(sandboxtest.Context(t), ex.ID)
	if err != nil || seen.State != Cancelled {
		t.Errorf("another client sees %s, %v; want CANCELLED", seen.State, err)
	}
}

// Throttled polls back off and the wait carries on.
func TestWaitThrottledBacksOff(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Faults: sandbox.Faults{Throttle: 0.4, Seed: 7}})
	c, rec := client(t, env, "admin", Options{})
	c.opts.Sleep = func(ctx context.Context, d time.Duration) error {
		rec.event("sleep " + d.String())
		return sleep(ctx, d)
	}
	ctx := sandboxtest.Context(t)
	var id string
	for range 20 { // Start is not retried here: the SDK's retries are off
		var err error
		if id, err = c.Start(ctx, Request{SQL: "-- sandbox: run=1s\nSELECT 1", Workgroup: userWG}); err == nil {
			break
		}
	}
	if id == "" {
		t.Fatal("no start got through")
	}
	ex, err := c.Wait(ctx, id, nil)
	if err != nil || ex.State != Succeeded {
		t.Fatalf("got %s, %v; want SUCCEEDED despite throttling", ex.State, err)
	}
	throttled := 0
	for i, e := range rec.events {
		if e != "poll error throttled" {
			continue
		}
		throttled++
		next := rec.events[i+1]
		d, perr := time.ParseDuration(strings.TrimPrefix(next, "sleep "))
		if perr != nil || d < backoffBase {
			t.Errorf("after a throttled poll came %q, want a sleep of at least %v", next, backoffBase)
		}
	}
	if throttled == 0 {
		t.Errorf("no poll was throttled (%v): the test tested nothing", rec.events)
	}
}

// Polls that never get through are bounded, and the query is then stopped
// as far as that is possible.
func TestWaitGivesUpOnEndlessThrottling(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Faults: sandbox.Faults{Throttle: 1}})
	sl := &sleepLog{}
	c, rec := client(t, env, "analyst", Options{Sleep: sl.Sleep})
	ex, err := c.Wait(sandboxtest.Context(t), "c0ffee00-0000-4000-8000-000000000000", nil)
	if engine.KindOf(err) != engine.Throttled {
		t.Fatalf("got %v, want kind throttled", err)
	}
	if ex.Polls != maxPollFailures+1 || rec.n("GetQueryExecution") != maxPollFailures+1 {
		t.Errorf("polls: got %d (%d calls), want %d", ex.Polls, rec.n("GetQueryExecution"), maxPollFailures+1)
	}
	if rec.n("StopQueryExecution") != 1 {
		t.Errorf("StopQueryExecution: %d calls, want 1 attempt", rec.n("StopQueryExecution"))
	}
	for i, d := range sl.all() {
		if d > maxFailureWait || d < backoffBase {
			t.Errorf("wait %d: %v, want within [%v, %v]", i, d, backoffBase, maxFailureWait)
		}
	}
}

// Credentials that expire mid-query end the wait at once, as a
// credentials error, not a refusal or a loop.
func TestWaitCredentialsExpire(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{CredentialTTL: 10 * time.Minute})
	sl := &sleepLog{}
	c, rec := client(t, env, "analyst", Options{Sleep: sl.Sleep})
	ctx := sandboxtest.Context(t)
	id, err := c.Start(ctx, Request{SQL: "-- sandbox: run=60s\nSELECT 1", Workgroup: userWG})
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(11 * time.Minute) // past the credentials, within the 15 min of skew
	_, err = c.Wait(ctx, id, nil)
	if engine.KindOf(err) != engine.Credentials {
		t.Fatalf("got %v (%s), want kind credentials", err, engine.KindOf(err))
	}
	if n := rec.n("GetQueryExecution"); n != 1 {
		t.Errorf("GetQueryExecution: %d calls, want 1: expired credentials are not retried", n)
	}
	if !strings.Contains(Hint(err), "quiltq login") {
		t.Errorf("hint: got %q, want it to say how to log in again", Hint(err))
	}
}
