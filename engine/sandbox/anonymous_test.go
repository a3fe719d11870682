package sandbox_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// Unsigned requests are refused as each AWS service refuses them, in its
// own protocol, never with the catalog's plain 404: the SDKs with
// anonymous credentials send no signature at all.
func TestUnsignedRequestsAreRefusedAsAWSRefusesThem(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	ctx := sandboxtest.Context(t)
	cfg := aws.Config{Region: env.Info.Region, BaseEndpoint: aws.String(env.Info.AWSEndpointURL),
		Credentials: aws.AnonymousCredentials{}, Retryer: sandboxtest.Retryer}
	bucket := env.Stack().Workgroups[0].OutputLocation
	bucket = strings.TrimPrefix(bucket, "s3://")
	bucket, _, _ = strings.Cut(bucket, "/")

	code := func(err error) (string, string, int) {
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("got %v, want an AWS API error", err)
		}
		var re interface{ HTTPStatusCode() int }
		status := 0
		if errors.As(err, &re) {
			status = re.HTTPStatusCode()
		}
		return ae.ErrorCode(), ae.ErrorMessage(), status
	}
	check := func(what string, err error, wantCode, wantMsg string, wantStatus int) {
		t.Helper()
		c, m, s := code(err)
		if c != wantCode || m != wantMsg || s != wantStatus {
			t.Errorf("%s: got %d %s %q, want %d %s %q", what, s, c, m, wantStatus, wantCode, wantMsg)
		}
	}

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("anything.csv")})
	check("S3 GetObject", err, "AccessDenied", "Access Denied", 403)
	_, err = s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	check("S3 ListObjectsV2", err, "AccessDenied", "Access Denied", 403)
	_, err = s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket-anywhere")})
	check("S3 on a missing bucket", err, "NoSuchBucket", "The specified bucket does not exist", 404)

	_, err = athena.NewFromConfig(cfg).ListWorkGroups(ctx, &athena.ListWorkGroupsInput{})
	check("Athena", err, "MissingAuthenticationTokenException", "Request is missing Authentication Token", 400)
	_, err = glue.NewFromConfig(cfg).GetDatabases(ctx, &glue.GetDatabasesInput{})
	check("Glue", err, "MissingAuthenticationTokenException", "Request is missing Authentication Token", 400)
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	check("STS", err, "MissingAuthenticationToken", "Request is missing Authentication Token", 403)

	// The catalog's own pages are still served to anyone.
	resp, err := http.Get(env.Info.CatalogURL + "/config.json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "registryUrl") {
		t.Errorf("GET /config.json: %d %s", resp.StatusCode, body)
	}
}
