package s3srv_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/s3srv"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

const region = "us-east-1"

var caller = principal.Caller{User: "alice", Role: "analyst", AccountID: "123456789012"}

const sessionARN = "arn:aws:sts::123456789012:assumed-role/analyst/alice"

// allowAll may do everything on both buckets.
const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

// readNoList may read objects but not list the bucket.
const readNoList = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`

type fixture struct {
	client   *s3.Client
	store    *objstore.Store
	endpoint string
	http     *http.Client
	mu       sync.Mutex
	seen     []http.Header // headers of PUT requests
}

func (f *fixture) puts() []http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]http.Header(nil), f.seen...)
}

// newFixture serves an S3 endpoint (over TLS, as the SDK sends trailing
// checksums only over TLS) whose every request comes from caller with
// the policy doc, and returns a real SDK client for it.
func newFixture(t *testing.T, doc string) *fixture {
	t.Helper()
	f := &fixture{store: objstore.New(time.Now)}
	f.store.CreateBucket("data")
	f.store.CreateBucket("results")
	for _, k := range []string{"a.csv", "dir/1.csv", "dir/2.csv", "dir/sub/3.csv", "other/4.csv", "public/p.csv", "private/q.csv", "z.csv"} {
		if _, err := f.store.Put("data", k, []byte("body of "+k), "text/csv"); err != nil {
			t.Fatal(err)
		}
	}
	pol, err := iam.Parse("test", []byte(doc))
	if err != nil {
		t.Fatalf("parse policy: %v", err)
	}
	authz := principal.NewAuthorizer(region, time.Now)
	authz.SetPolicies(caller.Role, []*iam.Policy{pol})
	svc := s3srv.New(s3srv.Config{Store: f.store, Authz: authz, Region: region})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			f.mu.Lock()
			f.seen = append(f.seen, r.Header.Clone())
			f.mu.Unlock()
		}
		svc.ServeAWS(w, r, caller) // the sandbox verifies SigV4 before this; tests skip it
	}))
	t.Cleanup(srv.Close)
	f.endpoint, f.http = srv.URL, srv.Client()
	f.client = s3.New(s3.Options{
		Region: region, BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, HTTPClient: srv.Client(),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "ASIATEST", SecretAccessKey: "secret", SessionToken: "token"}, nil
		}),
		Retryer: sandboxtest.Retryer(),
		// What config.LoadDefaultConfig would set: checksums on every
		// upload that supports them, validation of every reply that has one.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	})
	return f
}

// apiError asserts err is the API error code whose message is msg
// (msg "" skips the message).
func apiError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got error %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code || msg != "" && ae.ErrorMessage() != msg {
		t.Errorf("got %s: %q\nwant %s: %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func status(t *testing.T, err error) int {
	t.Helper()
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) {
		t.Fatalf("got %v, want an HTTP response error", err)
	}
	return re.HTTPStatusCode()
}

func s3Denial(action, resource string) string {
	return "User: " + sessionARN + " is not authorized to perform: " + action + ` on resource: "` + resource +
		`" because no identity-based policy allows the ` + action + " action"
}

var ctx = context.Background()

func TestPutGetChunkedWithChecksum(t *testing.T) {
	f := newFixture(t, allowAll)
	body := bytes.Repeat([]byte("quilt,athena\n"), 10000)
	// An io.Reader that is not a Seeker makes the SDK stream the body in
	// aws-chunked encoding with a trailing checksum.
	put, err := f.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("results"), Key: aws.String("q/1.csv"),
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String("text/csv")})
	if err != nil {
		t.Fatal(err)
	}
	hs := f.puts()
	if len(hs) != 1 || !strings.Contains(hs[0].Get("Content-Encoding"), "aws-chunked") || !strings.HasPrefix(hs[0].Get("X-Amz-Content-Sha256"), "STREAMING-") {
		t.Fatalf("got PUT headers %v, want an aws-chunked upload", hs)
	}
	if aws.ToString(put.ChecksumCRC32) == "" || aws.ToString(put.ETag) == "" {
		t.Errorf("got checksum %q, ETag %q, want both echoed", aws.ToString(put.ChecksumCRC32), aws.ToString(put.ETag))
	}
	get, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("results"), Key: aws.String("q/1.csv"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(get.Body) // the SDK validates the checksum as it reads
	get.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, body) || aws.ToString(get.ContentType) != "text/csv" || aws.ToString(get.ETag) != aws.ToString(put.ETag) {
		t.Errorf("got %d bytes of %s, ETag %s; want %d bytes of text/csv, ETag %s", len(got), aws.ToString(get.ContentType), aws.ToString(get.ETag), len(body), aws.ToString(put.ETag))
	}
	if aws.ToString(get.ChecksumCRC32) != aws.ToString(put.ChecksumCRC32) {
		t.Errorf("got GET checksum %q, want the PUT's %q", aws.ToString(get.ChecksumCRC32), aws.ToString(put.ChecksumCRC32))
	}
	if get.LastModified == nil || aws.ToString(get.AcceptRanges) != "bytes" {
		t.Errorf("got Last-Modified %v, Accept-Ranges %q, want both", get.LastModified, aws.ToString(get.AcceptRanges))
	}
}

func TestPutDigests(t *testing.T) {
	f := newFixture(t, allowAll)
	in := func() *s3.PutObjectInput {
		return &s3.PutObjectInput{Bucket: aws.String("results"), Key: aws.String("x"), Body: strings.NewReader("hello")}
	}
	tests := []struct {
		name      string
		edit      func(*s3.PutObjectInput)
		code, msg string
	}{
		{"good MD5", func(p *s3.PutObjectInput) { p.ContentMD5 = aws.String("XUFAKrxLKna5cZ2REBfFkg==") }, "", ""},
		{"wrong MD5", func(p *s3.PutObjectInput) { p.ContentMD5 = aws.String("AAAAAAAAAAAAAAAAAAAAAA==") },
			"BadDigest", "The Content-MD5 you specified did not match what we received."},
		{"malformed MD5", func(p *s3.PutObjectInput) { p.ContentMD5 = aws.String("nope") },
			"InvalidDigest", "The Content-MD5 you specified is not valid."},
		{"good SHA256", func(p *s3.PutObjectInput) {
			p.ChecksumSHA256 = aws.String("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=")
		}, "", ""},
		{"wrong SHA256", func(p *s3.PutObjectInput) {
			p.ChecksumSHA256 = aws.String("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
		}, "BadDigest", "The sha256 you specified did not match the calculated checksum."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := in()
			tt.edit(p)
			_, err := f.client.PutObject(ctx, p)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			apiError(t, err, tt.code, tt.msg)
		})
	}
}

func TestGetRanges(t *testing.T) {
	f := newFixture(t, allowAll)
	// "body of a.csv" is 13 bytes.
	tests := []struct {
		rng, want, contentRange string
	}{
		{"bytes=0-3", "body", "bytes 0-3/13"},
		{"bytes=8-", "a.csv", "bytes 8-12/13"},
		{"bytes=-3", "csv", "bytes 10-12/13"},
		{"bytes=10-100", "csv", "bytes 10-12/13"},
		{"bytes=-100", "body of a.csv", "bytes 0-12/13"},
	}
	for _, tt := range tests {
		t.Run(tt.rng, func(t *testing.T) {
			out, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("a.csv"), Range: aws.String(tt.rng)})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if string(got) != tt.want || aws.ToString(out.ContentRange) != tt.contentRange || aws.ToInt64(out.ContentLength) != int64(len(tt.want)) {
				t.Errorf("got %q, %s, length %d; want %q, %s", got, aws.ToString(out.ContentRange), aws.ToInt64(out.ContentLength), tt.want, tt.contentRange)
			}
		})
	}
	_, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("a.csv"), Range: aws.String("bytes=13-")})
	apiError(t, err, "InvalidRange", "The requested range is not satisfiable")
	if got := status(t, err); got != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("got HTTP %d, want 416", got)
	}
}

func TestMissingKeyDependsOnListBucket(t *testing.T) {
	tests := []struct {
		name, doc string
		code, msg string
		head      string
	}{
		{"with ListBucket", allowAll, "NoSuchKey", "The specified key does not exist.", "NotFound"},
		{"without ListBucket", readNoList, "AccessDenied", s3Denial("s3:ListBucket", "arn:aws:s3:::data"), "Forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.doc)
			_, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("nope.csv")})
			apiError(t, err, tt.code, tt.msg)
			// HEAD replies carry no body, so the SDK sees only the status.
			_, err = f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("nope.csv")})
			apiError(t, err, tt.head, "")
		})
	}
}

func TestDenials(t *testing.T) {
	f := newFixture(t, readNoList)
	_, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("results"), Key: aws.String("k")})
	apiError(t, err, "AccessDenied", s3Denial("s3:GetObject", "arn:aws:s3:::results/k"))
	if got := status(t, err); got != http.StatusForbidden {
		t.Errorf("got HTTP %d, want 403", got)
	}
	_, err = f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("results"), Key: aws.String("k")})
	apiError(t, err, "Forbidden", "Forbidden")
	_, err = f.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("new"), Body: strings.NewReader("x")})
	apiError(t, err, "AccessDenied", s3Denial("s3:PutObject", "arn:aws:s3:::data/new"))
	_, err = f.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")})
	apiError(t, err, "AccessDenied", s3Denial("s3:ListBucket", "arn:aws:s3:::data"))
	_, err = f.client.ListBuckets(ctx, &s3.ListBucketsInput{})
	apiError(t, err, "AccessDenied", s3Denial("s3:ListAllMyBuckets", "*"))
	_, err = f.client.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("data")})
	apiError(t, err, "AccessDenied", s3Denial("s3:GetBucketLocation", "arn:aws:s3:::data"))
}

func TestHeadObjectAndBuckets(t *testing.T) {
	f := newFixture(t, allowAll)
	h, err := f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/1.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(h.ContentLength) != int64(len("body of dir/1.csv")) || aws.ToString(h.ContentType) != "text/csv" || !strings.HasPrefix(aws.ToString(h.ETag), `"`) {
		t.Errorf("got %d bytes of %s, ETag %s; want 17 bytes of text/csv with a quoted ETag", aws.ToInt64(h.ContentLength), aws.ToString(h.ContentType), aws.ToString(h.ETag))
	}
	if _, err := f.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Errorf("HeadBucket: got %v, want success", err)
	}
	_, err = f.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("nope")})
	apiError(t, err, "NotFound", "")
	_, err = f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nope"), Key: aws.String("k")})
	apiError(t, err, "NoSuchBucket", "The specified bucket does not exist")

	loc, err := f.client.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("data")})
	if err != nil {
		t.Fatal(err)
	}
	if loc.LocationConstraint != "" {
		t.Errorf("got location %q, want empty for us-east-1", loc.LocationConstraint)
	}
	lb, err := f.client.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range lb.Buckets {
		names = append(names, aws.ToString(b.Name))
	}
	if want := []string{"data", "results"}; !reflect.DeepEqual(names, want) {
		t.Errorf("got buckets %v, want %v", names, want)
	}
}

func TestListObjectsV2(t *testing.T) {
	f := newFixture(t, allowAll)
	type page struct {
		keys, prefixes []string
	}
	tests := []struct {
		name string
		in   s3.ListObjectsV2Input
		want []page
	}{
		{"pages of two", s3.ListObjectsV2Input{MaxKeys: aws.Int32(3)}, []page{
			{keys: []string{"a.csv", "dir/1.csv", "dir/2.csv"}},
			{keys: []string{"dir/sub/3.csv", "other/4.csv", "private/q.csv"}},
			{keys: []string{"public/p.csv", "z.csv"}},
		}},
		{"delimiter groups", s3.ListObjectsV2Input{Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)}, []page{
			{keys: []string{"a.csv"}, prefixes: []string{"dir/"}},
			{prefixes: []string{"other/", "private/"}},
			{keys: []string{"z.csv"}, prefixes: []string{"public/"}},
		}},
		{"prefix and delimiter", s3.ListObjectsV2Input{Prefix: aws.String("dir/"), Delimiter: aws.String("/")}, []page{
			{keys: []string{"dir/1.csv", "dir/2.csv"}, prefixes: []string{"dir/sub/"}},
		}},
		{"start after", s3.ListObjectsV2Input{StartAfter: aws.String("private/q.csv")}, []page{
			{keys: []string{"public/p.csv", "z.csv"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Bucket = aws.String("data")
			var got []page
			p := s3.NewListObjectsV2Paginator(f.client, &in)
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var pg page
				for _, o := range out.Contents {
					pg.keys = append(pg.keys, aws.ToString(o.Key))
				}
				for _, cp := range out.CommonPrefixes {
					pg.prefixes = append(pg.prefixes, aws.ToString(cp.Prefix))
				}
				if n := int(aws.ToInt32(out.KeyCount)); n != len(pg.keys)+len(pg.prefixes) {
					t.Errorf("got KeyCount %d, want %d", n, len(pg.keys)+len(pg.prefixes))
				}
				if aws.ToBool(out.IsTruncated) != (aws.ToString(out.NextContinuationToken) != "") {
					t.Errorf("got IsTruncated %v with token %q", aws.ToBool(out.IsTruncated), aws.ToString(out.NextContinuationToken))
				}
				got = append(got, pg)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestListObjectsV2PrefixCondition(t *testing.T) {
	f := newFixture(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::data",
		"Condition":{"StringLike":{"s3:prefix":"public/*"}}}]}`)
	out, err := f.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data"), Prefix: aws.String("public/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "public/p.csv" {
		t.Errorf("got %+v, want public/p.csv", out.Contents)
	}
	_, err = f.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data"), Prefix: aws.String("private/")})
	apiError(t, err, "AccessDenied", s3Denial("s3:ListBucket", "arn:aws:s3:::data"))
}

func TestListEncodingTypeURL(t *testing.T) {
	f := newFixture(t, allowAll)
	if _, err := f.store.Put("data", "space dir/a b.csv", []byte("x"), "text/csv"); err != nil {
		t.Fatal(err)
	}
	out, err := f.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data"), Prefix: aws.String("space"), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 1 {
		t.Fatalf("got %d keys, want 1", len(out.Contents))
	}
	// S3 sends the key form-encoded; whether a client decodes it is the
	// client's business (the AWS CLI does).
	if got, want := aws.ToString(out.Contents[0].Key), "space+dir%2Fa+b.csv"; got != want && got != "space dir/a b.csv" {
		t.Errorf("got key %q, want %q (or its decoding)", got, want)
	}
}

func TestListObjectsV1(t *testing.T) {
	f := newFixture(t, allowAll)
	out, err := f.client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("data"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 1 || len(out.CommonPrefixes) != 1 || !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextMarker) != "dir/" {
		t.Fatalf("got %d keys, %d prefixes, truncated %v, next %q; want 1, 1, true, dir/", len(out.Contents), len(out.CommonPrefixes), aws.ToBool(out.IsTruncated), aws.ToString(out.NextMarker))
	}
	out, err = f.client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("data"), Delimiter: aws.String("/"), Marker: out.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CommonPrefixes) != 3 || aws.ToString(out.CommonPrefixes[0].Prefix) != "other/" {
		t.Errorf("got prefixes %+v, want other/, private/, public/", out.CommonPrefixes)
	}
}

func TestMultipartUpload(t *testing.T) {
	f := newFixture(t, allowAll)
	key := aws.String("big.bin")
	bucket := aws.String("results")
	create, err := f.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key, ContentType: aws.String("application/octet-stream")})
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{bytes.Repeat([]byte{'a'}, 5<<20), []byte("tail")}
	var done []types.CompletedPart
	for i, p := range parts {
		out, err := f.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: create.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	// Parts other than the last must be 5 MiB or more.
	_, err = f.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: create.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{done[1], done[0]}}})
	apiError(t, err, "InvalidPartOrder", "")
	cm, err := f.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: create.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(aws.ToString(cm.ETag), `-2"`) {
		t.Errorf("got ETag %s, want a two-part multipart ETag", aws.ToString(cm.ETag))
	}
	o, err := f.store.Get("results", "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	if want := append(append([]byte(nil), parts[0]...), parts[1]...); !bytes.Equal(o.Data, want) || o.ContentType != "application/octet-stream" {
		t.Errorf("got %d bytes of %s, want %d of application/octet-stream", len(o.Data), o.ContentType, len(want))
	}

	// A small first part is refused at completion; an aborted upload is gone.
	small, err := f.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	var sp []types.CompletedPart
	for i := 1; i <= 2; i++ {
		out, err := f.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: small.UploadId, PartNumber: aws.Int32(int32(i)), Body: strings.NewReader("tiny")})
		if err != nil {
			t.Fatal(err)
		}
		sp = append(sp, types.CompletedPart{PartNumber: aws.Int32(int32(i)), ETag: out.ETag})
	}
	_, err = f.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: small.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: sp}})
	apiError(t, err, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
	if _, err := f.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: bucket, Key: key, UploadId: small.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = f.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: small.UploadId, PartNumber: aws.Int32(3), Body: strings.NewReader("x")})
	apiError(t, err, "NoSuchUpload", "")
}

func TestMultipartDenied(t *testing.T) {
	f := newFixture(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::results/*"}]}`)
	create, err := f.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("results"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("results"), Key: aws.String("k"), UploadId: create.UploadId})
	apiError(t, err, "AccessDenied", s3Denial("s3:AbortMultipartUpload", "arn:aws:s3:::results/k"))
	_, err = f.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("k")})
	apiError(t, err, "AccessDenied", s3Denial("s3:PutObject", "arn:aws:s3:::data/k"))
}
