package s3srv_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// get reads data/a.csv with the options set by mod, returning the body
// (nil on error).
func (f *fixture) get(t *testing.T, mod func(*s3.GetObjectInput)) ([]byte, *s3.GetObjectOutput, error) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("a.csv")}
	if mod != nil {
		mod(in)
	}
	out, err := f.client.GetObject(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return b, out, err
}

func TestConditionalReads(t *testing.T) {
	f := newFixture(t, allowAll)
	o, err := f.store.Get("data", "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	etag := o.ETag
	before, after := o.LastModified.Add(-time.Hour), o.LastModified.Add(time.Hour)
	tests := []struct {
		name string
		mod  func(*s3.GetObjectInput)
		want int // HTTP status: 200, 206, 304 or 412
		cond string
	}{
		{"If-Match holds", func(in *s3.GetObjectInput) { in.IfMatch = aws.String(etag) }, 200, ""},
		{"If-Match in a list", func(in *s3.GetObjectInput) { in.IfMatch = aws.String(`"nope", ` + etag) }, 200, ""},
		{"If-Match *", func(in *s3.GetObjectInput) { in.IfMatch = aws.String("*") }, 200, ""},
		{"If-Match fails", func(in *s3.GetObjectInput) { in.IfMatch = aws.String(`"0123"`) }, 412, "If-Match"},
		{"weak tags never match", func(in *s3.GetObjectInput) { in.IfMatch = aws.String("W/" + etag) }, 412, "If-Match"},
		{"If-Match fails on a ranged GET", func(in *s3.GetObjectInput) {
			in.IfMatch, in.Range = aws.String(`"0123"`), aws.String("bytes=0-3")
		}, 412, "If-Match"},
		{"If-Match holds on a ranged GET", func(in *s3.GetObjectInput) {
			in.IfMatch, in.Range = aws.String(etag), aws.String("bytes=0-3")
		}, 206, ""},
		{"If-Unmodified-Since fails", func(in *s3.GetObjectInput) { in.IfUnmodifiedSince = aws.Time(before) }, 412, "If-Unmodified-Since"},
		{"If-Unmodified-Since holds", func(in *s3.GetObjectInput) { in.IfUnmodifiedSince = aws.Time(after) }, 200, ""},
		// S3: If-Match true and If-Unmodified-Since false is 200.
		{"If-Match overrides If-Unmodified-Since", func(in *s3.GetObjectInput) {
			in.IfMatch, in.IfUnmodifiedSince = aws.String(etag), aws.Time(before)
		}, 200, ""},
		{"If-None-Match matches", func(in *s3.GetObjectInput) { in.IfNoneMatch = aws.String(etag) }, 304, ""},
		{"If-None-Match differs", func(in *s3.GetObjectInput) { in.IfNoneMatch = aws.String(`"0123"`) }, 200, ""},
		{"If-Modified-Since not modified", func(in *s3.GetObjectInput) { in.IfModifiedSince = aws.Time(after) }, 304, ""},
		{"If-Modified-Since modified", func(in *s3.GetObjectInput) { in.IfModifiedSince = aws.Time(before) }, 200, ""},
		// S3: If-None-Match false and If-Modified-Since true is 304.
		{"If-None-Match false beats If-Modified-Since", func(in *s3.GetObjectInput) {
			in.IfNoneMatch, in.IfModifiedSince = aws.String(etag), aws.Time(before)
		}, 304, ""},
		{"If-None-Match holds, If-Modified-Since ignored", func(in *s3.GetObjectInput) {
			in.IfNoneMatch, in.IfModifiedSince = aws.String(`"0123"`), aws.Time(after)
		}, 200, ""},
		{"412 before 304", func(in *s3.GetObjectInput) {
			in.IfMatch, in.IfNoneMatch = aws.String(`"0123"`), aws.String(etag)
		}, 412, "If-Match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, out, err := f.get(t, tt.mod)
			switch tt.want {
			case 200, 206:
				if err != nil {
					t.Fatalf("got %v, want %d", err, tt.want)
				}
				if tt.want == 206 != (out.ContentRange != nil) || len(body) == 0 {
					t.Errorf("got %d bytes, Content-Range %v; want status %d", len(body), aws.ToString(out.ContentRange), tt.want)
				}
			case 304:
				if got := status(t, err); got != 304 {
					t.Errorf("got status %d (%v), want 304", got, err)
				}
			case 412:
				apiError(t, err, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
				if got := status(t, err); got != 412 {
					t.Errorf("got status %d, want 412", got)
				}
			}
			// HeadObject decides alike.
			head := &s3.GetObjectInput{}
			tt.mod(head)
			_, herr := f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("a.csv"),
				IfMatch: head.IfMatch, IfNoneMatch: head.IfNoneMatch, IfModifiedSince: head.IfModifiedSince, IfUnmodifiedSince: head.IfUnmodifiedSince, Range: head.Range})
			if tt.want >= 300 {
				if got := status(t, herr); got != tt.want {
					t.Errorf("HEAD: got status %d, want %d", got, tt.want)
				}
			} else if herr != nil {
				t.Errorf("HEAD: %v", herr)
			}
		})
	}
}

// raw sends a signed request outside the SDK's operations, to see what
// the SDK does not show (error bodies' extra elements, headers).
func (f *fixture) raw(t *testing.T, method, path string, header http.Header, body []byte) (*http.Response, []byte) {
	t.Helper()
	u := f.endpoint + path
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: "ASIATEST", SecretAccessKey: "secret", SessionToken: "token"}
	if err := signer.SignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "s3", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := f.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// A 412 names the failed condition, as S3's body does; a 304 has no body
// and carries the validators.
func TestConditionalBodies(t *testing.T) {
	f := newFixture(t, allowAll)
	o, _ := f.store.Get("data", "a.csv")
	resp, body := f.raw(t, "GET", "/data/a.csv", http.Header{"If-Match": {`"0123"`}}, nil)
	if resp.StatusCode != 412 || !strings.Contains(string(body), "<Condition>If-Match</Condition>") {
		t.Errorf("got %d %s, want 412 naming If-Match", resp.StatusCode, body)
	}
	resp, body = f.raw(t, "GET", "/data/a.csv", http.Header{"If-None-Match": {o.ETag}}, nil)
	if resp.StatusCode != 304 || len(body) != 0 || resp.Header.Get("ETag") != o.ETag || resp.Header.Get("Last-Modified") == "" {
		t.Errorf("got %d, %d bytes, ETag %q, Last-Modified %q; want 304 with no body and the validators",
			resp.StatusCode, len(body), resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
	}
}

// S3's conditional writes: If-None-Match "*" never replaces, If-Match
// replaces only the object it names, and a refused write changes nothing.
func TestConditionalWrites(t *testing.T) {
	f := newFixture(t, allowAll)
	put := func(key, body string, mod func(*s3.PutObjectInput)) error {
		in := &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(key), Body: strings.NewReader(body)}
		if mod != nil {
			mod(in)
		}
		_, err := f.client.PutObject(ctx, in)
		return err
	}
	content := func(key string) string {
		o, err := f.store.Get("data", key)
		if err != nil {
			return "<missing>"
		}
		return string(o.Data)
	}
	err := put("a.csv", "replaced", func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") })
	apiError(t, err, "PreconditionFailed", "")
	if got := content("a.csv"); got != "body of a.csv" {
		t.Errorf("after a refused If-None-Match write: %q, want the old body", got)
	}
	if err := put("fresh.csv", "new", func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }); err != nil || content("fresh.csv") != "new" {
		t.Errorf("If-None-Match * on a new key: %v, body %q", err, content("fresh.csv"))
	}
	err = put("a.csv", "replaced", func(in *s3.PutObjectInput) { in.IfMatch = aws.String(`"0123"`) })
	apiError(t, err, "PreconditionFailed", "")
	o, _ := f.store.Get("data", "a.csv")
	if err := put("a.csv", "replaced", func(in *s3.PutObjectInput) { in.IfMatch = aws.String(o.ETag) }); err != nil || content("a.csv") != "replaced" {
		t.Errorf("If-Match with the current ETag: %v, body %q", err, content("a.csv"))
	}
	err = put("absent.csv", "x", func(in *s3.PutObjectInput) { in.IfMatch = aws.String(o.ETag) })
	apiError(t, err, "NoSuchKey", "")
}

// One ETag per object: the completion's multipart ETag is what HEAD, GET
// and the listing report, and each part can be read by its number.
func TestMultipartETagAndParts(t *testing.T) {
	f := newFixture(t, allowAll)
	bucket, key := aws.String("results"), aws.String("mp.bin")
	create, err := f.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{bytes.Repeat([]byte{'a'}, 5<<20), bytes.Repeat([]byte{'b'}, 5<<20), []byte("tail")}
	var done []types.CompletedPart
	for i, p := range parts {
		out, err := f.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: create.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	lp, err := f.client.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: key, UploadId: create.UploadId, MaxParts: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Parts) != 2 || !aws.ToBool(lp.IsTruncated) || aws.ToInt64(lp.Parts[1].Size) != 5<<20 || aws.ToString(lp.Parts[0].ETag) != aws.ToString(done[0].ETag) {
		t.Errorf("ListParts page of 2: %d parts, truncated %v; want parts 1-2 and more", len(lp.Parts), aws.ToBool(lp.IsTruncated))
	}
	lp, err = f.client.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: key, UploadId: create.UploadId, PartNumberMarker: lp.NextPartNumberMarker})
	if err != nil || len(lp.Parts) != 1 || aws.ToInt32(lp.Parts[0].PartNumber) != 3 {
		t.Errorf("ListParts after the marker: %v, %+v; want part 3", err, lp)
	}
	cm, err := f.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: create.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatal(err)
	}
	want := aws.ToString(cm.ETag)
	if !strings.HasSuffix(want, `-3"`) {
		t.Fatalf("completion ETag %s, want a three-part multipart ETag", want)
	}
	head, err := f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key})
	if err != nil || aws.ToString(head.ETag) != want {
		t.Errorf("HEAD ETag %s (%v), want %s", aws.ToString(head.ETag), err, want)
	}
	get, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, Range: aws.String("bytes=0-0")})
	if err != nil || aws.ToString(get.ETag) != want {
		t.Errorf("GET ETag %s (%v), want %s", aws.ToString(get.ETag), err, want)
	} else {
		get.Body.Close()
	}
	list, err := f.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket})
	if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].ETag) != want {
		t.Errorf("listing: %v %+v, want one object with ETag %s", err, list, want)
	}
	// If-Match with the multipart ETag holds.
	if _, err := f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key, IfMatch: aws.String(want)}); err != nil {
		t.Errorf("HEAD If-Match %s: %v", want, err)
	}

	out, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, PartNumber: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(b, parts[1]) || aws.ToInt32(out.PartsCount) != 3 || aws.ToString(out.ContentRange) != fmt.Sprintf("bytes %d-%d/%d", 5<<20, 10<<20-1, 10<<20+4) {
		t.Errorf("part 2: %d bytes, PartsCount %d, Content-Range %s; want part 2's bytes of 3 parts", len(b), aws.ToInt32(out.PartsCount), aws.ToString(out.ContentRange))
	}
	_, err = f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, PartNumber: aws.Int32(4)})
	apiError(t, err, "InvalidPartNumber", "The requested partnumber is not satisfiable")
	_, err = f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, PartNumber: aws.Int32(1), Range: aws.String("bytes=0-1")})
	apiError(t, err, "InvalidRequest", "Cannot specify both Range header and partNumber query parameter")
	// An object stored whole is one part.
	body, whole, err := f.get(t, func(in *s3.GetObjectInput) { in.PartNumber = aws.Int32(1) })
	if err != nil || string(body) != "body of a.csv" || whole.PartsCount != nil {
		t.Errorf("part 1 of a plain object: %q, %v", body, err)
	}

	attrs, err := f.client.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket, Key: key,
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectSize, types.ObjectAttributesObjectParts}})
	if err != nil {
		t.Fatal(err)
	}
	if `"`+aws.ToString(attrs.ETag)+`"` != want || aws.ToInt64(attrs.ObjectSize) != 10<<20+4 || attrs.ObjectParts == nil || aws.ToInt32(attrs.ObjectParts.TotalPartsCount) != 3 {
		t.Errorf("attributes: ETag %s, size %d, parts %+v; want %s, %d, 3 parts", aws.ToString(attrs.ETag), aws.ToInt64(attrs.ObjectSize), attrs.ObjectParts, want, 10<<20+4)
	}
}

// Sub-resources are served or refused, never taken for the object: a PUT
// ?tagging changes the tags and not one byte of the object.
func TestSubresourcesNeverFallThrough(t *testing.T) {
	f := newFixture(t, allowAll)
	before, _ := f.store.Get("data", "a.csv")
	_, err := f.client.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("data"), Key: aws.String("a.csv"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String("sales")}, {Key: aws.String("pii"), Value: aws.String("no")}}}})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := f.store.Get("data", "a.csv")
	if string(after.Data) != string(before.Data) || after.ETag != before.ETag || !after.LastModified.Equal(before.LastModified) {
		t.Errorf("PutObjectTagging changed the object: %q %s, was %q %s", after.Data, after.ETag, before.Data, before.ETag)
	}
	tags, err := f.client.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("data"), Key: aws.String("a.csv")})
	if err != nil || len(tags.TagSet) != 2 || aws.ToString(tags.TagSet[0].Key) != "pii" || aws.ToString(tags.TagSet[1].Value) != "sales" {
		t.Errorf("GetObjectTagging: %v %+v, want pii=no, team=sales", err, tags)
	}
	_, out, err := f.get(t, nil)
	if err != nil || aws.ToInt32(out.TagCount) != 2 {
		t.Errorf("GetObject tag count: %v %v, want 2", err, out)
	}
	var eleven []types.Tag
	for i := range 11 {
		eleven = append(eleven, types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
	}
	_, err = f.client.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("data"), Key: aws.String("a.csv"), Tagging: &types.Tagging{TagSet: eleven}})
	apiError(t, err, "BadRequest", "Object tags cannot be greater than 10")
	if _, err := f.client.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("data"), Key: aws.String("a.csv")}); err != nil {
		t.Fatal(err)
	}
	if o, _ := f.store.Get("data", "a.csv"); len(o.Tags) != 0 || string(o.Data) != "body of a.csv" {
		t.Errorf("after DeleteObjectTagging: tags %v, body %q", o.Tags, o.Data)
	}

	// Tags given with the object.
	if _, err := f.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("t.csv"), Body: strings.NewReader("x"), Tagging: aws.String("a=1&b=two")}); err != nil {
		t.Fatal(err)
	}
	if o, _ := f.store.Get("data", "t.csv"); o.Tags["a"] != "1" || o.Tags["b"] != "two" {
		t.Errorf("x-amz-tagging: got tags %v", o.Tags)
	}

	acl, err := f.client.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("data"), Key: aws.String("a.csv")})
	if err != nil || len(acl.Grants) != 1 || acl.Grants[0].Permission != types.PermissionFullControl || aws.ToString(acl.Grants[0].Grantee.ID) != aws.ToString(acl.Owner.ID) {
		t.Errorf("GetObjectAcl: %v %+v, want the owner's full control", err, acl)
	}
	_, err = f.client.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("data"), Key: aws.String("a.csv"), ACL: types.ObjectCannedACLPublicRead})
	apiError(t, err, "AccessControlListNotSupported", "The bucket does not allow ACLs")

	// Version IDs: an unversioned bucket's objects have the version "null".
	body, _, err := f.get(t, func(in *s3.GetObjectInput) { in.VersionId = aws.String("null") })
	if err != nil || string(body) != "body of a.csv" {
		t.Errorf("versionId=null: %q %v", body, err)
	}
	_, _, err = f.get(t, func(in *s3.GetObjectInput) { in.VersionId = aws.String("3HL4kqtJlcpXroDTDmJ") })
	apiError(t, err, "InvalidArgument", "Invalid version id specified")

	// What the sandbox does not serve is 501, and changes nothing.
	for _, tt := range []struct{ method, path string }{
		{"GET", "/data/a.csv?retention"},
		{"PUT", "/data/a.csv?retention"},
		{"PUT", "/data/a.csv?legal-hold"},
		{"POST", "/data/a.csv?restore"},
		{"GET", "/data/a.csv?torrent"},
		{"DELETE", "/data/a.csv?annotation"},
		{"GET", "/data?lifecycle"},
		{"PUT", "/data?policy"},
	} {
		resp, body := f.raw(t, tt.method, tt.path, nil, []byte("<x/>"))
		if resp.StatusCode != 501 || !strings.Contains(string(body), "<Code>NotImplemented</Code>") {
			t.Errorf("%s %s: got %d %s, want 501 NotImplemented", tt.method, tt.path, resp.StatusCode, body)
		}
	}
	if o, _ := f.store.Get("data", "a.csv"); string(o.Data) != "body of a.csv" {
		t.Errorf("after refused sub-resource requests the object is %q", o.Data)
	}
	// Unknown query keys that name no sub-resource are ignored, as S3 does.
	resp, body := f.raw(t, "GET", "/data/a.csv?foo=bar", nil, nil)
	if resp.StatusCode != 200 || string(body) != "body of a.csv" {
		t.Errorf("GET with an unknown parameter: %d %q", resp.StatusCode, body)
	}
}

// Each sub-resource is authorized with its own action.
func TestSubresourceActions(t *testing.T) {
	f := newFixture(t, readNoList)
	_, err := f.client.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("data"), Key: aws.String("a.csv"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
	apiError(t, err, "AccessDenied", s3Denial("s3:PutObjectTagging", "arn:aws:s3:::data/a.csv"))
	_, err = f.client.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("data"), Key: aws.String("a.csv")})
	apiError(t, err, "AccessDenied", s3Denial("s3:GetObjectTagging", "arn:aws:s3:::data/a.csv"))
	_, err = f.client.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("data"), Key: aws.String("a.csv"), ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag}})
	apiError(t, err, "AccessDenied", s3Denial("s3:GetObjectAttributes", "arn:aws:s3:::data/a.csv"))
	_, _, err = f.get(t, func(in *s3.GetObjectInput) { in.VersionId = aws.String("null") })
	apiError(t, err, "AccessDenied", s3Denial("s3:GetObjectVersion", "arn:aws:s3:::data/a.csv"))
}

// response-content-type and response-content-disposition (and the other
// response-* parameters) set the reply's headers.
func TestResponseHeaderOverrides(t *testing.T) {
	f := newFixture(t, allowAll)
	_, out, err := f.get(t, func(in *s3.GetObjectInput) {
		in.ResponseContentType = aws.String("application/x-quiltq")
		in.ResponseContentDisposition = aws.String(`attachment; filename="a.csv"`)
		in.ResponseCacheControl = aws.String("no-cache")
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ContentType) != "application/x-quiltq" || aws.ToString(out.ContentDisposition) != `attachment; filename="a.csv"` || aws.ToString(out.CacheControl) != "no-cache" {
		t.Errorf("got Content-Type %q, Content-Disposition %q, Cache-Control %q", aws.ToString(out.ContentType), aws.ToString(out.ContentDisposition), aws.ToString(out.CacheControl))
	}
	head, err := f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("a.csv"), ResponseContentType: aws.String("text/plain")})
	if err != nil || aws.ToString(head.ContentType) != "text/plain" {
		t.Errorf("HEAD: Content-Type %q, %v", aws.ToString(head.ContentType), err)
	}
}
