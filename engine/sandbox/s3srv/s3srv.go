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
	"net/url"
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
	sub := subresource(v)
	switch {
	case bucket == "":
		if r.Method == http.MethodGet && sub == "" {
			q.listBuckets()
			return
		}
	case key == "":
		if q.serveBucket(sub) {
			return
		}
	default:
		if q.serveObject(sub) {
			return
		}
	}
	q.notImplemented(sub)
}

// serveBucket serves a request on a bucket; false when the sandbox does
// not serve it.
func (q *req) serveBucket(sub string) bool {
	v := q.r.URL.Query()
	switch q.r.Method {
	case http.MethodHead:
		if sub == "" {
			q.headBucket()
			return true
		}
	case http.MethodGet:
		switch sub {
		case "location":
			q.getBucketLocation()
		case "acl":
			q.getACL(true)
		case "versioning":
			q.getBucketVersioning()
		case "":
			q.listObjects(v.Get("list-type") == "2")
		default:
			return false
		}
		return true
	}
	return false
}

// serveObject serves a request on an object; false when the sandbox does
// not serve it. Every sub-resource is routed on its own, so that none
// falls through to the object itself: a PUT ?tagging never overwrites it.
func (q *req) serveObject(sub string) bool {
	v := q.r.URL.Query()
	switch q.r.Method {
	case http.MethodGet, http.MethodHead:
		head := q.r.Method == http.MethodHead
		switch {
		case sub == "":
			q.getObject(head)
		case head:
			return false
		case sub == "tagging":
			q.getObjectTagging()
		case sub == "acl":
			q.getACL(false)
		case sub == "attributes":
			q.getObjectAttributes()
		case sub == "uploadId":
			q.listParts()
		default:
			return false
		}
		return true
	case http.MethodPut:
		switch {
		case sub == "tagging":
			q.putObjectTagging()
		case sub == "acl":
			q.putObjectACL()
		case q.r.Header.Get("x-amz-copy-source") != "":
			return false // CopyObject and UploadPartCopy
		case sub == "uploadId" && v.Has("partNumber"):
			q.uploadPart()
		case sub == "":
			q.putObject()
		default:
			return false
		}
		return true
	case http.MethodPost:
		switch sub {
		case "uploads":
			q.createMultipartUpload()
		case "uploadId":
			q.completeMultipartUpload()
		default:
			return false
		}
		return true
	case http.MethodDelete:
		switch sub {
		case "tagging":
			q.deleteObjectTagging()
		case "uploadId":
			q.abortMultipartUpload()
		case "":
			q.deleteObject()
		default:
			return false
		}
		return true
	}
	return false
}

// subresources are the query keys that name an S3 sub-resource, from the
// request URIs of botocore's S3 model (data/s3/2006-03-01/service-2.json:
// "/{Bucket}/{Key+}?tagging", "/{Bucket}?versioning", ...) and the query
// members that select one (uploadId for ListParts, UploadPart and
// CompleteMultipartUpload). Other query keys (response-*, versionId,
// partNumber, x-id, the presigning X-Amz-*) qualify a plain object or
// bucket request, and keys S3 does not know are ignored, as S3 ignores
// them.
var subresources = []string{
	"abac", "accelerate", "acl", "analytics", "annotation", "attributes", "cors", "delete", "encryption",
	"intelligent-tiering", "inventory", "legal-hold", "lifecycle", "location", "logging",
	"metadataAnnotationTable", "metadataConfiguration", "metadataInventoryTable", "metadataJournalTable",
	"metadataTable", "metrics", "notification", "object-lock", "ownershipControls", "policy", "policyStatus",
	"publicAccessBlock", "renameObject", "replication", "requestPayment", "restore", "retention", "select",
	"session", "tagging", "torrent", "uploadId", "uploads", "versioning", "versions", "website",
}

// subresource is the sub-resource a request names, "" for none.
func subresource(v url.Values) string {
	for _, k := range subresources {
		if v.Has(k) {
			return k
		}
	}
	return ""
}

// notImplemented refuses what the sandbox does not serve as S3 refuses
// what it does not support: 501 NotImplemented.
func (q *req) notImplemented(sub string) {
	e := wire.NewError(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented")
	if sub == "" && q.r.Header.Get("x-amz-copy-source") != "" {
		e.Details = []wire.Detail{{Name: "Header", Value: "x-amz-copy-source"}}
	}
	q.fail(e)
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
