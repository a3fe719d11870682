package s3srv

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// Conditional reads follow RFC 7232 as S3 documents it for GetObject and
// HeadObject (the IfMatch, IfNoneMatch, IfModifiedSince and
// IfUnmodifiedSince members of botocore's S3 model): If-Match that fails
// is 412 Precondition Failed, and so is If-Unmodified-Since, unless an
// If-Match is present and holds ("S3 returns 200 OK and the data
// requested"); If-None-Match that matches is 304 Not Modified, and so is
// If-Modified-Since, unless an If-None-Match is present and holds. The
// conditions are evaluated before a Range is: a ranged GET whose If-Match
// fails is refused whole. Dates that do not parse are ignored, as RFC 7232
// says.

// msgPrecondition is S3's wording, as raw bodies show it (versity/
// versitygw#2044: no final period, the failed header in <Condition>).
const msgPrecondition = "At least one of the pre-conditions you specified did not hold"

// preconditionFailed is S3's 412, naming the header that failed.
func preconditionFailed(header string) *wire.Error {
	e := wire.NewError(http.StatusPreconditionFailed, "PreconditionFailed", msgPrecondition)
	e.Details = []wire.Detail{{Name: "Condition", Value: header}}
	return e
}

// errNotModified marks a read answered 304.
var errNotModified = errors.New("not modified")

// checkRead evaluates a read's conditions against o: nil to go on,
// errNotModified for 304, or the 412 to answer.
func checkRead(h http.Header, o *objstore.Object) error {
	ifMatch, ifNone := h.Get("If-Match"), h.Get("If-None-Match")
	switch {
	case ifMatch != "":
		if !etagListMatches(ifMatch, o.ETag) {
			return preconditionFailed("If-Match")
		}
	case h.Get("If-Unmodified-Since") != "":
		if t, ok := httpDate(h.Get("If-Unmodified-Since")); ok && o.LastModified.After(t) {
			return preconditionFailed("If-Unmodified-Since")
		}
	}
	switch {
	case ifNone != "":
		if etagListMatches(ifNone, o.ETag) {
			return errNotModified
		}
	case h.Get("If-Modified-Since") != "":
		if t, ok := httpDate(h.Get("If-Modified-Since")); ok && !o.LastModified.After(t) {
			return errNotModified
		}
	}
	return nil
}

// writeCheck is the Check of a conditional write (PutObject and
// CompleteMultipartUpload with If-Match or If-None-Match, S3's conditional
// writes): If-None-Match "*" refuses to replace an object, If-Match
// replaces only the object with that ETag and answers 404 NoSuchKey when
// there is none, as the S3 user guide's "conditional writes" page says.
// S3 takes no other If-None-Match value on a write. Nil when the request
// has no condition.
func (q *req) writeCheck() (func(*objstore.Object) error, *wire.Error) {
	ifMatch, ifNone := q.r.Header.Get("If-Match"), q.r.Header.Get("If-None-Match")
	if ifNone != "" && strings.TrimSpace(ifNone) != "*" {
		e := wire.NewError(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented")
		e.Details = []wire.Detail{{Name: "Header", Value: "If-None-Match"}}
		return nil, e
	}
	if ifMatch == "" && ifNone == "" {
		return nil, nil
	}
	return func(cur *objstore.Object) error {
		switch {
		case ifNone != "" && cur != nil:
			return preconditionFailed("If-None-Match")
		case ifMatch != "" && cur == nil:
			return objstore.ErrNoSuchKey
		case ifMatch != "" && !etagListMatches(ifMatch, cur.ETag):
			return preconditionFailed("If-Match")
		}
		return nil
	}, nil
}

// etagListMatches reports whether a header's entity-tag list ("*", or
// quoted tags separated by commas) names etag. The comparison is strong:
// a weak tag (W/"...") never matches, as S3's ETags are strong.
func etagListMatches(list, etag string) bool {
	want := strings.Trim(etag, `"`)
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		if strings.HasPrefix(t, "W/") {
			continue
		}
		if strings.Trim(t, `"`) == want {
			return true
		}
	}
	return false
}

// httpDate reads an HTTP date (RFC 1123 and the two older forms).
func httpDate(s string) (time.Time, bool) {
	t, err := http.ParseTime(strings.TrimSpace(s))
	return t, err == nil
}
