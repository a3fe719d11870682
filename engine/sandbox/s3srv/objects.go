package s3srv

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// maxObject bounds what one request may upload, to keep a runaway client
// from exhausting the sandbox's memory (S3's own limit is 5 GiB).
const maxObject = 1 << 30

// getObject serves GetObject, or HeadObject when head is set: the whole
// object, a Range of it or one part (partNumber), under the request's
// conditions, with the response-* headers it asks for.
func (q *req) getObject(head bool) {
	v := q.r.URL.Query()
	action := "s3:GetObject"
	if v.Has("versionId") {
		if werr := checkVersionID(v); werr != nil {
			q.fail(werr)
			return
		}
		action = "s3:GetObjectVersion"
	}
	if !q.allow(action, q.objectARN(), nil) {
		return
	}
	o, err := q.svc.cfg.Store.Get(q.bucket, q.key)
	if err != nil {
		q.fail(q.missing(err))
		return
	}
	h := q.w.Header()
	if err := checkRead(q.r.Header, o); err != nil {
		if errors.Is(err, errNotModified) {
			// RFC 7232: a 304 carries the validators, and no body.
			h.Set("ETag", o.ETag)
			h.Set("Last-Modified", httpTime(o.LastModified))
			q.w.WriteHeader(http.StatusNotModified)
			return
		}
		q.fail(err.(*wire.Error))
		return
	}
	size := o.Size()
	var (
		start, end int64
		ranged     bool
		werr       *wire.Error
	)
	if v.Has("partNumber") {
		start, end, werr = partRange(q.r, v.Get("partNumber"), o)
		ranged = werr == nil
		if len(o.Parts) > 0 {
			h.Set("x-amz-mp-parts-count", strconv.Itoa(len(o.Parts)))
		}
	} else {
		start, end, ranged, werr = parseRange(q.r.Header.Get("Range"), size)
	}
	if werr != nil {
		if werr.Code == "InvalidRange" {
			h.Set("Content-Range", fmt.Sprintf("bytes */%d", size))
		}
		q.fail(werr)
		return
	}
	h.Set("Last-Modified", httpTime(o.LastModified))
	h.Set("ETag", o.ETag)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Type", o.ContentType)
	h.Set("Content-Length", strconv.FormatInt(end-start, 10))
	h.Set("x-amz-server-side-encryption", "AES256")
	if len(o.Tags) > 0 {
		h.Set("x-amz-tagging-count", strconv.Itoa(len(o.Tags)))
	}
	if v.Get("versionId") == "null" {
		h.Set("x-amz-version-id", "null")
	}
	status := http.StatusOK
	if ranged {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end-1, size))
	} else if strings.EqualFold(q.r.Header.Get("x-amz-checksum-mode"), "ENABLED") {
		// A checksum describes the whole object, so S3 sends it only
		// when the whole object is sent.
		if c, ok := q.svc.recalled(q.bucket, o); ok {
			h.Set(c.header(), c.value)
			h.Set("x-amz-checksum-type", c.kind)
		}
	}
	overrideHeaders(h, v)
	q.w.WriteHeader(status)
	if !head {
		_, _ = q.w.Write(o.Data[start:end])
	}
}

// responseOverrides are GetObject's and HeadObject's response-* query
// members (botocore's S3 model: ResponseContentType is the querystring
// "response-content-type", ...) and the headers they set.
var responseOverrides = [][2]string{
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
	{"response-content-language", "Content-Language"},
	{"response-content-type", "Content-Type"},
	{"response-expires", "Expires"},
}

// overrideHeaders sets the headers a signed request's response-*
// parameters ask for.
func overrideHeaders(h http.Header, v url.Values) {
	for _, o := range responseOverrides {
		if v.Has(o[0]) {
			h.Set(o[1], v.Get(o[0]))
		}
	}
}

// checkVersionID accepts the one version ID an object of an unversioned
// bucket has, "null" (the S3 user guide: objects stored before versioning
// "have a version ID of null"); any other is 400 InvalidArgument, as S3
// answers for an unversioned bucket (s3gw-tech/s3gw#577, the AWS replies
// in Seagate/cortx-s3server#1724), and an empty one is refused with S3's
// own text (noobaa/noobaa-core#7970).
func checkVersionID(v url.Values) *wire.Error {
	id := v.Get("versionId")
	switch id {
	case "null":
		return nil
	case "":
		return wire.NewError(http.StatusBadRequest, "InvalidArgument", "Version id cannot be the empty string")
	}
	e := wire.NewError(http.StatusBadRequest, "InvalidArgument", "Invalid version id specified")
	e.Details = []wire.Detail{{Name: "ArgumentName", Value: "versionId"}, {Name: "ArgumentValue", Value: id}}
	return e
}

// partRange is the byte span [start, end) of part n of o. An object
// stored whole is one part (partNumber=1 reads all of it, as S3 answers;
// getmoto/moto#7850 checked against AWS). A Range beside partNumber is
// refused as S3 refuses it (the AWS reply quoted in ceph/ceph#66780).
func partRange(r *http.Request, n string, o *objstore.Object) (int64, int64, *wire.Error) {
	if r.Header.Get("Range") != "" {
		return 0, 0, wire.NewError(http.StatusBadRequest, "InvalidRequest", "Cannot specify both Range header and partNumber query parameter")
	}
	part, err := strconv.Atoi(n)
	if err != nil || part < 1 || part > 10000 {
		return 0, 0, wire.NewError(http.StatusBadRequest, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
	}
	parts := o.Parts
	if len(parts) == 0 {
		parts = []int64{o.Size()}
	}
	if part > len(parts) {
		return 0, 0, wire.NewError(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber", "The requested partnumber is not satisfiable")
	}
	var start int64
	for _, p := range parts[:part-1] {
		start += p
	}
	return start, start + parts[part-1], nil
}

// parseRange reads a Range header for an object of size bytes and
// returns the half-open span [start, end) to send. A header S3 does not
// understand (several ranges, another unit, bad syntax) is ignored, as
// HTTP allows and S3 does: the whole object is sent. A range that starts
// past the end is refused with 416 InvalidRange.
func parseRange(h string, size int64) (start, end int64, ranged bool, werr *wire.Error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, size, false, nil
	}
	first, last, ok := strings.Cut(spec, "-")
	if !ok {
		return 0, size, false, nil
	}
	unsatisfiable := func() (int64, int64, bool, *wire.Error) {
		e := wire.NewError(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
		return 0, 0, false, e
	}
	if first == "" { // bytes=-n: the last n bytes
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return 0, size, false, nil
		}
		if n == 0 || size == 0 {
			return unsatisfiable()
		}
		return max(size-n, 0), size, true, nil
	}
	a, err := strconv.ParseInt(first, 10, 64)
	if err != nil || a < 0 {
		return 0, size, false, nil
	}
	b := size - 1
	if last != "" {
		if b, err = strconv.ParseInt(last, 10, 64); err != nil || b < a {
			return 0, size, false, nil
		}
	}
	if a >= size {
		return unsatisfiable()
	}
	return a, min(b, size-1) + 1, true, nil
}

func (q *req) putObject() {
	if !q.allow("s3:PutObject", q.objectARN(), nil) {
		return
	}
	tags, werr := taggingHeader(q.r.Header.Get("x-amz-tagging"))
	if werr != nil {
		q.fail(werr)
		return
	}
	// Tags set with the object need their own permission too (the S3 API
	// reference for PutObject: "you must have the s3:PutObjectTagging
	// permission" to use x-amz-tagging).
	if tags != nil && !q.allow("s3:PutObjectTagging", q.objectARN(), nil) {
		return
	}
	check, werr := q.writeCheck()
	if werr != nil {
		q.fail(werr)
		return
	}
	if !q.exists() {
		return
	}
	data, sum, werr := q.readBody()
	if werr != nil {
		q.fail(werr)
		return
	}
	ct := q.r.Header.Get("Content-Type")
	if ct == "" {
		ct = "binary/octet-stream"
	}
	o, err := q.svc.cfg.Store.PutWith(q.bucket, q.key, data, objstore.PutOptions{ContentType: ct, Tags: tags, Check: check})
	if err != nil {
		q.fail(q.writeFailure(err))
		return
	}
	q.svc.remember(q.bucket, o, sum)
	h := q.w.Header()
	h.Set("ETag", o.ETag)
	h.Set("x-amz-server-side-encryption", "AES256")
	if sum.alg != "" {
		h.Set(sum.header(), sum.value)
		h.Set("x-amz-checksum-type", sum.kind)
	}
	q.w.WriteHeader(http.StatusOK)
}

// writeFailure words why a store write was refused: its precondition's
// 412, or a missing bucket or key.
func (q *req) writeFailure(err error) *wire.Error {
	var werr *wire.Error
	if errors.As(err, &werr) {
		return werr
	}
	if errors.Is(err, objstore.ErrNoSuchKey) {
		// A conditional write's If-Match on a key that is not there.
		e := wire.NewError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		e.Resource = q.key
		return e
	}
	return q.missing(err)
}

func (q *req) deleteObject() {
	if !q.allow("s3:DeleteObject", q.objectARN(), nil) {
		return
	}
	if err := q.svc.cfg.Store.Delete(q.bucket, q.key); err != nil {
		q.fail(q.missing(err))
		return
	}
	q.w.WriteHeader(http.StatusNoContent)
}

// readBody reads an upload's payload, plain or aws-chunked, and checks
// it against the Content-MD5 and x-amz-checksum-* the client sent (in
// headers or in the aws-chunked trailer). It returns the payload and the
// checksum to echo (zero when the client sent none).
func (q *req) readBody() ([]byte, checksum, *wire.Error) {
	r := q.r
	var (
		data     []byte
		trailers http.Header
		err      error
	)
	if isChunked(r) {
		data, trailers, err = decodeChunked(io.LimitReader(r.Body, maxObject+1<<20))
		if err != nil {
			return nil, checksum{}, wire.NewError(http.StatusBadRequest, "IncompleteBody", "The request body is not valid aws-chunked encoding: "+err.Error())
		}
		if dl := r.Header.Get("X-Amz-Decoded-Content-Length"); dl != "" && dl != strconv.Itoa(len(data)) {
			return nil, checksum{}, wire.NewError(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header")
		}
	} else {
		data, err = io.ReadAll(io.LimitReader(r.Body, maxObject+1))
		if err != nil {
			return nil, checksum{}, wire.NewError(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header")
		}
	}
	if len(data) > maxObject {
		return nil, checksum{}, wire.NewError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.")
	}
	if werr := checkMD5(r.Header.Get("Content-MD5"), data); werr != nil {
		return nil, checksum{}, werr
	}
	sum, werr := verifyChecksum(r.Header, trailers, data)
	return data, sum, werr
}

// isChunked reports whether r's body is in aws-chunked encoding: the SDKs
// say so with a STREAMING-* payload hash and Content-Encoding aws-chunked.
func isChunked(r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		return true
	}
	for _, v := range r.Header.Values("Content-Encoding") {
		for _, e := range strings.Split(v, ",") {
			if strings.TrimSpace(e) == "aws-chunked" {
				return true
			}
		}
	}
	return false
}

// recalled is the checksum remembered for o, if o is still the object it
// was computed for.
func (s *Service) recalled(bucket string, o *objstore.Object) (checksum, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checksums[bucket+"/"+o.Key]
	return c, ok && c.etag == o.ETag
}

// remember keeps the checksum an upload was verified with, for GetObject
// with checksum mode. The object store has no place for it, and others
// (Athena's result writer) replace objects behind the endpoint's back, so
// the checksum is tied to the ETag it was computed with.
func (s *Service) remember(bucket string, o *objstore.Object, c checksum) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.alg == "" {
		delete(s.checksums, bucket+"/"+o.Key)
		return
	}
	c.etag = o.ETag
	s.checksums[bucket+"/"+o.Key] = c
}
