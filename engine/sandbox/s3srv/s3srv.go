// Package s3srv is the sandbox's Amazon S3 endpoint: S3's REST-XML
// protocol, path-style (/bucket/key), over the sandbox's object store. It
// serves what quiltq, Athena's result reader and the AWS CLI's `aws s3`
// commands use: objects (with ranges, aws-chunked uploads, checksums and
// multipart uploads), listings and bucket probes. Every operation is
// authorized as S3 authorizes it, and refusals are worded as S3 words a
// same-account 403.
package s3srv

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// Config is what the S3 endpoint serves and how it decides.
type Config struct {
	Store  *objstore.Store
	Authz  *principal.Authorizer
	Region string
}

// Service serves S3 requests. It is safe for concurrent use.
type Service struct {
	cfg     Config
	started time.Time // reported as every bucket's creation date

	mu        sync.Mutex
	uploads   map[string]*upload  // multipart uploads in progress, by upload id
	checksums map[string]checksum // by bucket/key, see remember
}

// New returns the S3 endpoint of cfg.
func New(cfg Config) *Service {
	return &Service{cfg: cfg, started: time.Now().UTC().Truncate(time.Second), uploads: map[string]*upload{}, checksums: map[string]checksum{}}
}

// s3NS is the namespace of S3's XML bodies.
const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// req is one request being answered.
type req struct {
	svc    *Service
	w      http.ResponseWriter
	r      *http.Request
	caller principal.Caller
	bucket string
	key    string
}

// ServeAWS serves one signed S3 request from c.
func (s *Service) ServeAWS(w http.ResponseWriter, r *http.Request, c principal.Caller) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := &req{svc: s, w: w, r: r, caller: c, bucket: bucket, key: key}
	w.Header().Set("x-amz-request-id", wire.RequestID())
	w.Header().Set("x-amz-id-2", "sandbox")
	v := r.URL.Query()
	switch {
	case bucket == "":
		if r.Method == http.MethodGet {
			q.listBuckets()
			return
		}
	case key == "":
		switch {
		case r.Method == http.MethodHead:
			q.headBucket()
			return
		case r.Method == http.MethodGet && v.Has("location"):
			q.getBucketLocation()
			return
		case r.Method == http.MethodGet && v.Get("list-type") == "2":
			q.listObjects(true)
			return
		case r.Method == http.MethodGet && len(v) == 0 || r.Method == http.MethodGet && onlyListParams(v):
			q.listObjects(false)
			return
		}
	default:
		switch r.Method {
		case http.MethodGet:
			q.getObject(false)
			return
		case http.MethodHead:
			q.getObject(true)
			return
		case http.MethodPut:
			if r.Header.Get("x-amz-copy-source") != "" {
				break
			}
			if v.Has("uploadId") {
				q.uploadPart()
			} else {
				q.putObject()
			}
			return
		case http.MethodPost:
			if v.Has("uploads") {
				q.createMultipartUpload()
				return
			}
			if v.Has("uploadId") {
				q.completeMultipartUpload()
				return
			}
		case http.MethodDelete:
			if v.Has("uploadId") {
				q.abortMultipartUpload()
			} else {
				q.deleteObject()
			}
			return
		}
	}
	q.fail(wire.NewError(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented"))
}

// onlyListParams reports whether v holds only ListObjects (v1) parameters.
func onlyListParams(v map[string][]string) bool {
	for k := range v {
		switch k {
		case "prefix", "delimiter", "marker", "max-keys", "encoding-type", "x-id":
		default:
			return false
		}
	}
	return true
}

// fail writes e as S3 does (no body for HEAD).
func (q *req) fail(e *wire.Error) { wire.S3Error(q.w, q.r, e) }

// authorize decides action on resource for a direct call, with extra
// condition keys ctx.
func (q *req) authorize(action, resource string, ctx map[string][]string) *principal.Denial {
	return q.svc.cfg.Authz.Authorize(q.caller, action, resource, principal.Call{SourceIP: sourceIP(q.r), Context: ctx})
}

// allow authorizes action and, on refusal, writes S3's 403; it reports
// whether the request may go on.
func (q *req) allow(action, resource string, ctx map[string][]string) bool {
	if d := q.authorize(action, resource, ctx); d != nil {
		q.fail(accessDenied(d))
		return false
	}
	return true
}

func accessDenied(d *principal.Denial) *wire.Error {
	return wire.NewError(http.StatusForbidden, "AccessDenied", d.S3Message())
}

func (q *req) bucketARN() string { return "arn:aws:s3:::" + q.bucket }
func (q *req) objectARN() string { return "arn:aws:s3:::" + q.bucket + "/" + q.key }

// noSuchBucket is S3's reply for a bucket that does not exist, after the
// caller was allowed to ask: S3 authorizes before it looks.
func (q *req) noSuchBucket() *wire.Error {
	e := wire.NewError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
	e.Resource = q.bucket
	return e
}

// missing words an objstore miss. A missing key is 404 NoSuchKey only when
// the caller may list the bucket; otherwise S3 answers 403, so that a
// caller without s3:ListBucket cannot learn which keys exist.
func (q *req) missing(err error) *wire.Error {
	switch {
	case errors.Is(err, objstore.ErrNoSuchBucket):
		return q.noSuchBucket()
	case errors.Is(err, objstore.ErrNoSuchKey):
		if d := q.authorize("s3:ListBucket", q.bucketARN(), nil); d != nil {
			return accessDenied(d)
		}
		e := wire.NewError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		e.Resource = q.key
		return e
	default:
		return wire.NewError(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
	}
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// httpTime formats t as S3's Last-Modified header; isoTime as its XML.
func httpTime(t time.Time) string { return t.UTC().Format(http.TimeFormat) }
func isoTime(t time.Time) string  { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
