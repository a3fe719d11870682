package s3srv

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// The sub-resources the sandbox serves: an object's tagging, its ACL (read;
// writes refused as a bucket with ACLs disabled refuses them), its
// attributes, a multipart upload's parts, and a bucket's ACL and
// versioning. The rest are refused with 501 (see notImplemented).

type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type tagging struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ Tagging"`
	TagSet  []tag    `xml:"TagSet>Tag"`
}

// taggingIn reads a PutObjectTagging body, whatever its namespace.
type taggingIn struct {
	TagSet []tag `xml:"TagSet>Tag"`
}

// The object tag limits of the S3 user guide ("Categorizing your storage
// using tags": up to 10 tags, keys of up to 128 Unicode characters, values
// of up to 256), refused with S3's codes and texts: BadRequest "Object
// tags cannot be greater than 10" (boto/boto3#1213), InvalidTag for the
// lengths (versity/versitygw#246) and for a repeated key
// (versity/versitygw#1214).
const (
	maxTags        = 10
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

func checkTags(tags []tag) (map[string]string, *wire.Error) {
	if len(tags) > maxTags {
		return nil, wire.NewError(http.StatusBadRequest, "BadRequest", "Object tags cannot be greater than 10")
	}
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		switch {
		case t.Key == "" || utf8.RuneCountInString(t.Key) > maxTagKeyLen:
			return nil, wire.NewError(http.StatusBadRequest, "InvalidTag", "The TagKey you have provided is invalid")
		case utf8.RuneCountInString(t.Value) > maxTagValueLen:
			return nil, wire.NewError(http.StatusBadRequest, "InvalidTag", "The TagValue you have provided is too long, max 256")
		}
		if _, dup := out[t.Key]; dup {
			return nil, wire.NewError(http.StatusBadRequest, "InvalidTag", "Cannot provide multiple Tags with the same key")
		}
		out[t.Key] = t.Value
	}
	return out, nil
}

// taggingHeader reads PutObject's x-amz-tagging, "k1=v1&k2=v2" (URL query
// form, as botocore's S3 model documents the Tagging member); nil when the
// header is absent.
func taggingHeader(h string) (map[string]string, *wire.Error) {
	if h == "" {
		return nil, nil
	}
	v, err := url.ParseQuery(h)
	if err != nil {
		return nil, wire.NewError(http.StatusBadRequest, "InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	var tags []tag
	for k, vals := range v {
		for _, val := range vals {
			tags = append(tags, tag{Key: k, Value: val})
		}
	}
	return checkTags(tags)
}

// versionedObjectARN checks a request's versionId (see checkVersionID) and
// picks the action to authorize: the Version form when one is given.
func (q *req) versioned(action, versionAction string) (string, bool) {
	v := q.r.URL.Query()
	if !v.Has("versionId") {
		return action, true
	}
	if werr := checkVersionID(v); werr != nil {
		q.fail(werr)
		return "", false
	}
	return versionAction, true
}

// object fetches the request's object after authorization, answering the
// miss when there is none.
func (q *req) object() (*objstore.Object, bool) {
	o, err := q.svc.cfg.Store.Get(q.bucket, q.key)
	if err != nil {
		q.fail(q.missing(err))
		return nil, false
	}
	return o, true
}

func (q *req) getObjectTagging() {
	action, ok := q.versioned("s3:GetObjectTagging", "s3:GetObjectVersionTagging")
	if !ok || !q.allow(action, q.objectARN(), nil) {
		return
	}
	o, ok := q.object()
	if !ok {
		return
	}
	out := tagging{TagSet: []tag{}}
	for k, v := range o.Tags {
		out.TagSet = append(out.TagSet, tag{Key: k, Value: v})
	}
	sort.Slice(out.TagSet, func(i, j int) bool { return out.TagSet[i].Key < out.TagSet[j].Key })
	wire.XML(q.w, out)
}

// putObjectTagging replaces the object's tags, and nothing else: its
// data, ETag and dates stay.
func (q *req) putObjectTagging() {
	action, ok := q.versioned("s3:PutObjectTagging", "s3:PutObjectVersionTagging")
	if !ok || !q.allow(action, q.objectARN(), nil) {
		return
	}
	body, err := io.ReadAll(io.LimitReader(q.r.Body, 1<<20))
	var in taggingIn
	if err == nil {
		err = xml.Unmarshal(body, &in)
	}
	if err != nil {
		q.fail(malformedXML())
		return
	}
	if werr := checkMD5(q.r.Header.Get("Content-MD5"), body); werr != nil {
		q.fail(werr)
		return
	}
	tags, werr := checkTags(in.TagSet)
	if werr != nil {
		q.fail(werr)
		return
	}
	if _, err := q.svc.cfg.Store.Retag(q.bucket, q.key, tags); err != nil {
		q.fail(q.missing(err))
		return
	}
	q.w.WriteHeader(http.StatusOK)
}

func (q *req) deleteObjectTagging() {
	action, ok := q.versioned("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging")
	if !ok || !q.allow(action, q.objectARN(), nil) {
		return
	}
	if _, err := q.svc.cfg.Store.Retag(q.bucket, q.key, nil); err != nil {
		q.fail(q.missing(err))
		return
	}
	q.w.WriteHeader(http.StatusNoContent)
}

func malformedXML() *wire.Error {
	return wire.NewError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

type grantee struct {
	XMLNSXSI    string `xml:"xmlns:xsi,attr"`
	Type        string `xml:"xsi:type,attr"`
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

type grant struct {
	Grantee    grantee `xml:"Grantee"`
	Permission string  `xml:"Permission"`
}

type accessControlPolicy struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ AccessControlPolicy"`
	Owner   owner    `xml:"Owner"`
	Grants  []grant  `xml:"AccessControlList>Grant"`
}

// getACL serves GetObjectAcl or GetBucketAcl. The sandbox's buckets are
// as new buckets are since April 2023: Object Ownership "bucket owner
// enforced", ACLs disabled, so every ACL reads as the owner's full control
// (the S3 API reference, PutObjectAcl: with ACLs disabled "requests to read
// ACLs are still supported").
func (q *req) getACL(bucket bool) {
	if bucket {
		if !q.allow("s3:GetBucketAcl", q.bucketARN(), nil) || !q.exists() {
			return
		}
	} else {
		action, ok := q.versioned("s3:GetObjectAcl", "s3:GetObjectVersionAcl")
		if !ok || !q.allow(action, q.objectARN(), nil) {
			return
		}
		if _, ok := q.object(); !ok {
			return
		}
	}
	ow := q.owner()
	wire.XML(q.w, accessControlPolicy{Owner: ow, Grants: []grant{{
		Grantee:    grantee{XMLNSXSI: "http://www.w3.org/2001/XMLSchema-instance", Type: "CanonicalUser", ID: ow.ID, DisplayName: ow.DisplayName},
		Permission: "FULL_CONTROL",
	}}})
}

// putObjectACL refuses, after authorization, as a bucket with ACLs
// disabled refuses: "Requests to set ACLs or update ACLs fail and return
// the AccessControlListNotSupported error code" (botocore's S3 model,
// PutObjectAcl). The bucket-owner-full-control canned ACL, which such a
// bucket accepts, changes nothing and succeeds.
func (q *req) putObjectACL() {
	action, ok := q.versioned("s3:PutObjectAcl", "s3:PutObjectVersionAcl")
	if !ok || !q.allow(action, q.objectARN(), nil) {
		return
	}
	if _, ok := q.object(); !ok {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(q.r.Body, 1<<20))
	if q.r.Header.Get("x-amz-acl") == "bucket-owner-full-control" && len(strings.TrimSpace(string(body))) == 0 {
		q.w.WriteHeader(http.StatusOK)
		return
	}
	q.fail(wire.NewError(http.StatusBadRequest, "AccessControlListNotSupported", "The bucket does not allow ACLs"))
}

type versioningConfiguration struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ VersioningConfiguration"`
}

// getBucketVersioning says the bucket was never versioned: an empty
// configuration, as S3 answers for such a bucket.
func (q *req) getBucketVersioning() {
	if !q.allow("s3:GetBucketVersioning", q.bucketARN(), nil) || !q.exists() {
		return
	}
	wire.XML(q.w, versioningConfiguration{})
}

type objectPartXML struct {
	PartNumber int   `xml:"PartNumber"`
	Size       int64 `xml:"Size"`
}

type checksumXML struct {
	CRC32        string `xml:"ChecksumCRC32,omitempty"`
	CRC32C       string `xml:"ChecksumCRC32C,omitempty"`
	CRC64NVME    string `xml:"ChecksumCRC64NVME,omitempty"`
	SHA1         string `xml:"ChecksumSHA1,omitempty"`
	SHA256       string `xml:"ChecksumSHA256,omitempty"`
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

type objectPartsXML struct {
	TotalPartsCount      int             `xml:"PartsCount"` // TotalPartsCount's wire name in botocore's model
	PartNumberMarker     int             `xml:"PartNumberMarker"`
	NextPartNumberMarker int             `xml:"NextPartNumberMarker"`
	MaxParts             int             `xml:"MaxParts"`
	IsTruncated          bool            `xml:"IsTruncated"`
	Parts                []objectPartXML `xml:"Part"`
}

type objectAttributes struct {
	XMLName      xml.Name        `xml:"http://s3.amazonaws.com/doc/2006-03-01/ GetObjectAttributesResponse"`
	ETag         string          `xml:"ETag,omitempty"`
	Checksum     *checksumXML    `xml:"Checksum"`
	ObjectParts  *objectPartsXML `xml:"ObjectParts"`
	StorageClass string          `xml:"StorageClass,omitempty"`
	ObjectSize   *int64          `xml:"ObjectSize"`
}

// objectAttributeNames are the values x-amz-object-attributes may list
// (botocore's S3 model, enum ObjectAttributes).
var objectAttributeNames = map[string]bool{"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true}

// getObjectAttributes serves GetObjectAttributes, which needs
// s3:GetObject and s3:GetObjectAttributes (or their Version forms when a
// version is named), per its API reference.
func (q *req) getObjectAttributes() {
	get, ok := q.versioned("s3:GetObject", "s3:GetObjectVersion")
	if !ok || !q.allow(get, q.objectARN(), nil) {
		return
	}
	attrs, _ := q.versioned("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes")
	if !q.allow(attrs, q.objectARN(), nil) {
		return
	}
	want := map[string]bool{}
	for _, h := range q.r.Header.Values("x-amz-object-attributes") {
		for _, a := range strings.Split(h, ",") {
			a = strings.TrimSpace(a)
			if !objectAttributeNames[a] {
				q.fail(wire.NewError(http.StatusBadRequest, "InvalidArgument", "Invalid attribute name specified."))
				return
			}
			want[a] = true
		}
	}
	if len(want) == 0 {
		q.fail(wire.NewError(http.StatusBadRequest, "InvalidArgument", "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty"))
		return
	}
	o, ok := q.object()
	if !ok {
		return
	}
	var out objectAttributes
	if want["ETag"] {
		out.ETag = strings.Trim(o.ETag, `"`) // unquoted in this reply, as the API reference's example shows
	}
	if want["StorageClass"] {
		out.StorageClass = "STANDARD"
	}
	if want["ObjectSize"] {
		n := o.Size()
		out.ObjectSize = &n
	}
	if want["Checksum"] {
		if c, ok := q.svc.recalled(q.bucket, o); ok {
			out.Checksum = &checksumXML{ChecksumType: c.kind}
			switch c.alg {
			case "CRC32":
				out.Checksum.CRC32 = c.value
			case "CRC32C":
				out.Checksum.CRC32C = c.value
			case "CRC64NVME":
				out.Checksum.CRC64NVME = c.value
			case "SHA1":
				out.Checksum.SHA1 = c.value
			case "SHA256":
				out.Checksum.SHA256 = c.value
			}
		}
	}
	if want["ObjectParts"] && len(o.Parts) > 0 {
		out.ObjectParts = &objectPartsXML{TotalPartsCount: len(o.Parts), MaxParts: 1000}
		for i, n := range o.Parts {
			out.ObjectParts.Parts = append(out.ObjectParts.Parts, objectPartXML{PartNumber: i + 1, Size: n})
		}
		out.ObjectParts.NextPartNumberMarker = len(o.Parts)
	}
	q.w.Header().Set("Last-Modified", httpTime(o.LastModified))
	wire.XML(q.w, out)
}

type partXML struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
}

type listPartsResult struct {
	XMLName              xml.Name  `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListPartsResult"`
	Bucket               string    `xml:"Bucket"`
	Key                  string    `xml:"Key"`
	UploadID             string    `xml:"UploadId"`
	PartNumberMarker     int       `xml:"PartNumberMarker"`
	NextPartNumberMarker int       `xml:"NextPartNumberMarker"`
	MaxParts             int       `xml:"MaxParts"`
	IsTruncated          bool      `xml:"IsTruncated"`
	Parts                []partXML `xml:"Part"`
	Initiator            owner     `xml:"Initiator"`
	Owner                owner     `xml:"Owner"`
	StorageClass         string    `xml:"StorageClass"`
	ChecksumAlgorithm    string    `xml:"ChecksumAlgorithm,omitempty"`
}

// listParts serves ListParts (s3:ListMultipartUploadParts on the object),
// paged by max-parts (at most 1000) and part-number-marker.
func (q *req) listParts() {
	if !q.allow("s3:ListMultipartUploadParts", q.objectARN(), nil) {
		return
	}
	id, u, ok := q.findUpload()
	if !ok {
		return
	}
	v := q.r.URL.Query()
	limit := 1000
	if v.Has("max-parts") {
		n, err := strconv.Atoi(v.Get("max-parts"))
		if err != nil || n < 0 {
			q.fail(wire.NewError(http.StatusBadRequest, "InvalidArgument", "Provided max-parts not an integer or within integer range"))
			return
		}
		limit = min(n, 1000)
	}
	marker := 0
	if v.Has("part-number-marker") {
		n, err := strconv.Atoi(v.Get("part-number-marker"))
		if err != nil || n < 0 {
			q.fail(wire.NewError(http.StatusBadRequest, "InvalidArgument", "Provided part-number-marker not an integer or within integer range"))
			return
		}
		marker = n
	}
	q.svc.mu.Lock()
	nums := make([]int, 0, len(u.parts))
	for n := range u.parts {
		if n > marker {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	out := listPartsResult{Bucket: u.bucket, Key: u.key, UploadID: id, PartNumberMarker: marker, MaxParts: limit,
		Initiator: q.owner(), Owner: q.owner(), StorageClass: "STANDARD", ChecksumAlgorithm: u.alg, Parts: []partXML{}}
	for _, n := range nums {
		if len(out.Parts) == limit {
			out.IsTruncated = true
			break
		}
		p := u.parts[n]
		out.Parts = append(out.Parts, partXML{PartNumber: n, LastModified: isoTime(p.at), ETag: p.etag, Size: int64(len(p.data))})
		out.NextPartNumberMarker = n
	}
	q.svc.mu.Unlock()
	wire.XML(q.w, out)
}
