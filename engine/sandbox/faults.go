package sandbox

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"

	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// Faults injects failures into a chosen fraction of AWS requests, so that
// clients can be tested against a bad network. Each field is a fraction
// from 0 to 1; their sum must not exceed 1.
type Faults struct {
	Throttle    float64 // answered with the service's throttling error
	ServerError float64 // answered with the service's 500
	Cut         float64 // the reply's body is cut in the middle and the connection closed
	// Seed makes the choice of requests repeatable.
	Seed uint64
}

type fault int

const (
	noFault fault = iota
	throttleFault
	serverFault
	cutFault
)

// faulter picks, for each request, whether and how it fails.
type faulter struct {
	cfg Faults
	mu  sync.Mutex
	rng *rand.Rand
}

func newFaulter(cfg Faults) *faulter {
	return &faulter{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
}

func (f *faulter) pick() fault {
	if f.cfg.Throttle+f.cfg.ServerError+f.cfg.Cut <= 0 {
		return noFault
	}
	f.mu.Lock()
	x := f.rng.Float64()
	f.mu.Unlock()
	switch {
	case x < f.cfg.Throttle:
		return throttleFault
	case x < f.cfg.Throttle+f.cfg.ServerError:
		return serverFault
	case x < f.cfg.Throttle+f.cfg.ServerError+f.cfg.Cut:
		return cutFault
	}
	return noFault
}

// inject applies fault f to the request. serve runs the real handler (a
// cut needs the real reply to cut). It reports whether it answered.
func (f *faulter) inject(ft fault, w http.ResponseWriter, r *http.Request, service string, serve func(http.ResponseWriter)) bool {
	switch ft {
	case throttleFault:
		writeError(w, r, service, throttleError(service))
		return true
	case serverFault:
		writeError(w, r, service, serverError(service))
		return true
	case cutFault:
		return cut(w, r, serve)
	}
	return false
}

// throttleError is each service's own throttling reply.
func throttleError(service string) *wire.Error {
	switch service {
	case "s3":
		return wire.NewError(http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
	case "sts":
		return wire.NewError(http.StatusBadRequest, "Throttling", "Rate exceeded")
	case "glue":
		return wire.NewError(http.StatusBadRequest, "ThrottlingException", "Rate exceeded.")
	default:
		return wire.NewError(http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
	}
}

// serverError is each service's own internal error.
func serverError(service string) *wire.Error {
	var e *wire.Error
	switch service {
	case "s3":
		e = wire.NewError(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
	case "sts":
		e = wire.NewError(http.StatusInternalServerError, "InternalFailure", "An internal error occurred.")
	case "glue":
		e = wire.NewError(http.StatusInternalServerError, "InternalServiceException", "An internal service error occurred.")
	default:
		e = wire.NewError(http.StatusInternalServerError, "InternalServerException", "An internal error occurred.")
	}
	e.Sender = false
	return e
}

// cut runs the handler into a buffer, then sends its status, headers and
// the first half of its body, announcing the full length, and closes the
// connection: the client sees a body that ends too soon.
func cut(w http.ResponseWriter, r *http.Request, serve func(http.ResponseWriter)) bool {
	buf := &bufferedWriter{header: http.Header{}}
	serve(buf)
	if buf.status == 0 {
		buf.status = http.StatusOK
	}
	body := buf.body.Bytes()
	if len(body) < 2 {
		return false // nothing to cut: let the request through untouched
	}
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(buf.status)
	_, _ = w.Write(body[:len(body)/2])
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	if conn, _, err := rc.Hijack(); err == nil {
		_ = conn.Close()
	} else {
		// Without hijacking (HTTP/2), aborting the handler breaks the stream.
		panic(http.ErrAbortHandler)
	}
	return true
}

// bufferedWriter captures a reply.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
