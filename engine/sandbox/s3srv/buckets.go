package s3srv

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

type listAllMyBucketsResult struct {
	XMLName xml.Name    `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	Owner   owner       `xml:"Owner"`
	Buckets []bucketXML `xml:"Buckets>Bucket"`
}

type bucketXML struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

// sandboxOwner is the canonical user every bucket and object belongs to.
func (q *req) owner() owner {
	return owner{ID: strings.Repeat("5a", 32), DisplayName: "sandbox"}
}

func (q *req) listBuckets() {
	if !q.allow("s3:ListAllMyBuckets", "*", nil) {
		return
	}
	out := listAllMyBucketsResult{Owner: q.owner(), Buckets: []bucketXML{}}
	for _, b := range q.svc.cfg.Store.Buckets() {
		out.Buckets = append(out.Buckets, bucketXML{Name: b, CreationDate: isoTime(q.svc.started), BucketRegion: q.svc.cfg.Region})
	}
	wire.XML(q.w, out)
}

func (q *req) headBucket() {
	if !q.allow("s3:ListBucket", q.bucketARN(), nil) {
		return
	}
	if !q.svc.cfg.Store.BucketExists(q.bucket) {
		q.fail(q.noSuchBucket())
		return
	}
	q.w.Header().Set("x-amz-bucket-region", q.svc.cfg.Region)
	q.w.WriteHeader(http.StatusOK)
}

type locationConstraint struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LocationConstraint"`
	Region  string   `xml:",chardata"`
}

func (q *req) getBucketLocation() {
	if !q.allow("s3:GetBucketLocation", q.bucketARN(), nil) {
		return
	}
	if !q.svc.cfg.Store.BucketExists(q.bucket) {
		q.fail(q.noSuchBucket())
		return
	}
	// For historical reasons S3 reports us-east-1 as an empty constraint.
	region := q.svc.cfg.Region
	if region == "us-east-1" {
		region = ""
	}
	wire.XML(q.w, locationConstraint{Region: region})
}

// listBucketResult is the reply of both ListObjects versions; members of
// the other version are left empty and omitted.
type listBucketResult struct {
	XMLName               xml.Name       `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Marker                *string        `xml:"Marker"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	KeyCount              *int           `xml:"KeyCount"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []contentXML   `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

type contentXML struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	Owner        *owner `xml:"Owner,omitempty"`
	StorageClass string `xml:"StorageClass"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// maxKeys is S3's page limit, and the default.
const maxKeys = 1000

// listObjects serves ListObjectsV2 (v2) and ListObjects.
func (q *req) listObjects(v2 bool) {
	v := q.r.URL.Query()
	prefix, delim := v.Get("prefix"), v.Get("delimiter")
	ctx := map[string][]string{}
	for param, key := range map[string]string{"prefix": "s3:prefix", "delimiter": "s3:delimiter", "max-keys": "s3:max-keys"} {
		if v.Has(param) {
			ctx[key] = []string{v.Get(param)}
		}
	}
	if !q.allow("s3:ListBucket", q.bucketARN(), ctx) {
		return
	}
	limit := maxKeys
	if v.Has("max-keys") {
		n, err := strconv.Atoi(v.Get("max-keys"))
		if err != nil || n < 0 {
			q.fail(wire.NewError(http.StatusBadRequest, "InvalidArgument", "Provided max-keys not an integer or within integer range"))
			return
		}
		limit = min(n, maxKeys)
	}
	enc := v.Get("encoding-type")
	if enc != "" && enc != "url" {
		q.fail(wire.NewError(http.StatusBadRequest, "InvalidArgument", "Invalid Encoding Method specified in Request"))
		return
	}
	encode := func(s string) string { return s }
	if enc == "url" {
		encode = urlEncode
	}

	// after is where the listing resumes: past this key, and past every
	// key under skip (a common prefix already returned).
	var after, skip string
	out := listBucketResult{Name: q.bucket, Prefix: encode(prefix), MaxKeys: limit, Delimiter: encode(delim), EncodingType: enc}
	if v2 {
		after = v.Get("start-after")
		out.StartAfter = encode(after)
		if tok := v.Get("continuation-token"); tok != "" {
			last, ok := decodeToken(tok)
			if !ok {
				q.fail(wire.NewError(http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect"))
				return
			}
			out.ContinuationToken = tok
			after, skip = last, ""
			if delim != "" && strings.HasSuffix(last, delim) && strings.HasPrefix(last, prefix) {
				skip = last
			}
		}
	} else {
		after = v.Get("marker")
		m := encode(after)
		out.Marker = &m
		if delim != "" && strings.HasSuffix(after, delim) {
			skip = after
		}
	}

	objs, err := q.svc.cfg.Store.List(q.bucket, prefix, after)
	if err != nil {
		q.fail(q.missing(err))
		return
	}
	count, last := 0, ""
	for _, o := range objs {
		if skip != "" && strings.HasPrefix(o.Key, skip) {
			continue
		}
		cp := ""
		if delim != "" {
			if i := strings.Index(o.Key[len(prefix):], delim); i >= 0 {
				cp = o.Key[:len(prefix)+i+len(delim)]
			}
		}
		if cp != "" && cp == last {
			continue // already reported as a common prefix
		}
		if count == limit {
			out.IsTruncated = true
			break
		}
		count++
		if cp != "" {
			out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: encode(cp)})
			last = cp
			continue
		}
		c := contentXML{Key: encode(o.Key), LastModified: isoTime(o.LastModified), ETag: o.ETag, Size: o.Size(), StorageClass: "STANDARD"}
		if !v2 || v.Get("fetch-owner") == "true" {
			ow := q.owner()
			c.Owner = &ow
		}
		out.Contents = append(out.Contents, c)
		last = o.Key
	}
	if v2 {
		out.KeyCount = &count
		if out.IsTruncated {
			out.NextContinuationToken = encodeToken(last)
		}
	} else if out.IsTruncated && delim != "" {
		// S3 sends NextMarker only with a delimiter; without one, clients
		// resume from the last key.
		out.NextMarker = encode(last)
	}
	wire.XML(q.w, out)
}

// urlEncode encodes a key as S3 does for encoding-type=url: as a form
// value, which the SDKs and the AWS CLI decode.
func urlEncode(s string) string { return url.QueryEscape(s) }

// Continuation tokens are opaque to clients; the sandbox's hold the last
// key or common prefix returned.
func encodeToken(last string) string { return base64.StdEncoding.EncodeToString([]byte("k:" + last)) }

func decodeToken(tok string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(b), "k:")
}

// exists reports whether the request's bucket exists, answering
// NoSuchBucket when it does not.
func (q *req) exists() bool {
	if !q.svc.cfg.Store.BucketExists(q.bucket) {
		q.fail(q.noSuchBucket())
		return false
	}
	return true
}
