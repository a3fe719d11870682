package auth

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// testTimeouts are small enough for a test; the logic is the same as
// with DefaultTimeouts.
func testTimeouts() Timeouts {
	return Timeouts{
		Connect: time.Second, FirstByte: 300 * time.Millisecond, SlowFirstByte: 300 * time.Millisecond,
		IdleRead: 300 * time.Millisecond, RetryBudget: time.Second, MaxAttempts: 6, MaxBackoff: 50 * time.Millisecond,
	}
}

// retries records what OnRetry hears.
type retries struct {
	mu  sync.Mutex
	got []Retry
}

func (r *retries) add(x Retry) { r.mu.Lock(); r.got = append(r.got, x); r.mu.Unlock() }
func (r *retries) list() []Retry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Retry(nil), r.got...)
}

func boundedConfig(t *testing.T, endpoint string, rs *retries) aws.Config {
	t.Helper()
	cfg, err := AWSConfig(context.Background(), AWSParams{
		Region: "us-east-1", Endpoint: endpoint,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session"),
		Timeouts:    testTimeouts(), OnRetry: rs.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// guard bounds a call that must not hang, so that a regression fails the
// test instead of stalling the run; it asserts nothing about speed.
func guard(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// silentListener accepts connections and never writes a byte, as a wedged
// endpoint or a black-holing proxy does.
func silentListener(t *testing.T) (addr string, accepted func() int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String(), func() int { mu.Lock(); defer mu.Unlock(); return len(conns) }
}

// TestCallToSilentEndpointFails: an endpoint that accepts and never
// answers fails the call (no hang) with a timeout, retried while the
// budget lasts, each retry announced, then given up on.
func TestCallToSilentEndpointFails(t *testing.T) {
	addr, accepted := silentListener(t)
	var rs retries
	client := awsathena.NewFromConfig(boundedConfig(t, "http://"+addr, &rs))
	ctx := guard(t)
	_, err := client.GetQueryExecution(ctx, &awsathena.GetQueryExecutionInput{QueryExecutionId: aws.String("q-1")})
	if ctx.Err() != nil {
		t.Fatal("the call hung until the guard")
	}
	var te *TimeoutError
	var gu *GaveUpError
	if !errors.As(err, &te) || te.Phase != "reply" || !errors.As(err, &gu) {
		t.Fatalf("got %v; want a reply timeout, given up", err)
	}
	for _, want := range []string{"GetQueryExecution", "no reply from " + addr + " within 300ms", "gave up: calls to AWS have failed for", "retry limit of 1s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	got := rs.list()
	// Every attempt waits the first-byte bound, so the 1 s budget is spent
	// before the SDK's 6 attempts are: the budget, not the count, ended it.
	if len(got) < 1 || len(got) >= 5 || accepted() != len(got)+1 {
		t.Fatalf("%d retries announced, %d connections; want between 1 and 4 retries, one connection each attempt", len(got), accepted())
	}
	for i, r := range got {
		if r.Service != "Athena" || r.Operation != "GetQueryExecution" || r.Attempt != i+1 || r.MaxAttempts != 6 || r.Budget != time.Second {
			t.Errorf("retry %d: %+v", i, r)
		}
		want := "Athena GetQueryExecution: no reply from " + addr + " within 300ms of sending the request; retrying (attempt "
		if s := r.String(); !strings.HasPrefix(s, want) || !strings.Contains(s, "giving up at 1s") {
			t.Errorf("retry %d says %q, want it to start %q", i, s, want)
		}
	}
}

// TestCallWhoseReplyStallsFails: a reply whose headers come and whose
// body stops in the middle is cut after the idle bound and retried,
// each retry announced; one whose connection dies in the middle too.
// Either ends in an error, never a hang.
//
// (On loopback a reply can also fail at once, before its body is read:
// the SDK closes the request body as soon as the headers arrive, which
// races with the transport finishing the request, and the transport then
// drops the connection. The SDK retries that like any broken connection,
// so this test does not count attempts.)
func TestCallWhoseReplyStallsFails(t *testing.T) {
	for _, tc := range []struct {
		name string
		die  bool
		want string
	}{
		{"stalls", false, "stopped in the middle: nothing came for 300ms"},
		{"dies", true, "unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				conn, buf, err := w.(http.Hijacker).Hijack()
				if err != nil {
					return
				}
				defer conn.Close()
				buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 200\r\n\r\n{\"QueryExecution\": {\"QueryExecutionId\": \"q-")
				buf.Flush()
				if !tc.die {
					<-release
				}
			}))
			t.Cleanup(func() { close(release); srv.Close() })
			var rs retries
			client := awsathena.NewFromConfig(boundedConfig(t, srv.URL, &rs))
			ctx := guard(t)
			_, err := client.GetQueryExecution(ctx, &awsathena.GetQueryExecutionInput{QueryExecutionId: aws.String("q-1")})
			if ctx.Err() != nil {
				t.Fatal("the call hung until the guard")
			}
			if err == nil {
				t.Fatal("the call passed on a reply cut in the middle")
			}
			said := false
			for _, r := range rs.list() {
				said = said || strings.Contains(r.String(), tc.want)
			}
			if !said {
				t.Errorf("no retry announced as %q; final error %v", tc.want, err)
			}
		})
	}
}

// TestStreamedBodyBounds: a result file read after the call returned
// (S3 GetObject) is cut when it stalls, but never while it keeps coming,
// however slowly, nor while the caller is slow to read.
func TestStreamedBodyBounds(t *testing.T) {
	const size = 10
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		w.WriteHeader(http.StatusOK)
		f := w.(http.Flusher)
		switch r.URL.Path {
		case "/b/stall":
			w.Write([]byte("abc"))
			f.Flush()
			<-r.Context().Done()
		case "/b/trickle": // 10 bytes, 300 ms apart: 3 s in all, against a 2 s idle bound
			for i := 0; i < size; i++ {
				w.Write([]byte{'a' + byte(i)})
				f.Flush()
				time.Sleep(300 * time.Millisecond)
			}
		default:
			w.Write([]byte("abcdefghij"))
		}
	}))
	t.Cleanup(srv.Close)
	// A wider idle bound than the other tests': the trickle's 300 ms gaps
	// must stay far inside it however busy the machine is.
	tm := testTimeouts()
	tm.IdleRead = 2 * time.Second
	cfg, err := AWSConfig(context.Background(), AWSParams{
		Region: "us-east-1", Endpoint: srv.URL, Timeouts: tm,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session"),
	})
	if err != nil {
		t.Fatal(err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	get := func(key string) io.ReadCloser {
		t.Helper()
		out, err := client.GetObject(guard(t), &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject %s: %v", key, err)
		}
		t.Cleanup(func() { out.Body.Close() })
		return out.Body
	}

	_, err = io.ReadAll(get("stall"))
	var te *TimeoutError
	if !errors.As(err, &te) || te.Phase != "body" {
		t.Errorf("stalled body: got %v, want a body timeout", err)
	}
	if b, err := io.ReadAll(get("trickle")); err != nil || string(b) != "abcdefghij" {
		t.Errorf("a slow body that keeps coming was cut: %q, %v", b, err)
	}
	body := bufio.NewReaderSize(get("whole"), 16)
	first, _ := body.ReadByte()
	time.Sleep(2500 * time.Millisecond) // the caller pauses longer than the idle bound: no Read is waiting
	rest, err := io.ReadAll(body)
	if err != nil || string(first)+string(rest) != "abcdefghij" {
		t.Errorf("a body read slowly by its caller was cut: %q, %v", rest, err)
	}
}

// TestHealth: the budget counts a run of failures of any call, from the
// start of the first; an answer, even a refusal, ends the run.
func TestHealth(t *testing.T) {
	var h health
	timeout := &TimeoutError{Phase: "reply"}
	start := time.Now().Add(-5 * time.Second)
	if f := h.record(start, timeout); f < 5*time.Second {
		t.Errorf("first failure: failing %v, want from its start (5s ago)", f)
	}
	if f := h.record(time.Now(), timeout); f < 5*time.Second {
		t.Errorf("second failure: failing %v, want counted from the first", f)
	}
	if f := h.record(time.Now(), errors.New("AccessDeniedException: not authorized")); f != 0 {
		t.Errorf("an answer: failing %v, want 0", f)
	}
	if f := h.record(time.Now(), timeout); f > time.Second {
		t.Errorf("a failure after an answer: failing %v, want a new run", f)
	}
	if f := h.record(time.Now(), context.Canceled); f != 0 {
		t.Errorf("cancelled by the caller: failing %v, want 0", f)
	}
}

func TestCallBound(t *testing.T) {
	if got := DefaultTimeouts().CallBound(); got != 70*time.Second {
		t.Errorf("default CallBound = %v, want 70s (as the README says)", got)
	}
	if got := (Timeouts{}).CallBound(); got != 70*time.Second {
		t.Errorf("zero Timeouts: CallBound = %v, want the default's", got)
	}
}

// TestConcurrentCalls: calls from many goroutines share the health of
// one configuration; with half the replies 500s (the first attempt of
// every call), each call passes after its retry, and a passing call ends
// the run of failures, so none is given up on. (Failing every other
// reply across all goroutines instead let one call meet six 500s in a
// row when the others took the good replies: a flaky test, not a bug.)
func TestConcurrentCalls(t *testing.T) {
	var mu sync.Mutex
	failed := map[string]bool{} // by amz-sdk-invocation-id, the same on every attempt of a call
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("Amz-Sdk-Invocation-Id")
		mu.Lock()
		fail := id == "" || !failed[id]
		failed[id] = true
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if fail {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"__type": "InternalServerException", "message": "try again"}`))
			return
		}
		w.Write([]byte(`{"QueryExecution": {"QueryExecutionId": "q-1", "Status": {"State": "RUNNING"}}}`))
	}))
	t.Cleanup(srv.Close)
	var rs retries
	client := awsathena.NewFromConfig(boundedConfig(t, srv.URL, &rs))
	ctx := guard(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				_, err := client.GetQueryExecution(ctx, &awsathena.GetQueryExecutionInput{QueryExecutionId: aws.String("q-1")})
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a call failed: %v", err)
		}
	}
	if len(rs.list()) == 0 {
		t.Error("no retry was announced, yet half the replies were 500s")
	}
}
