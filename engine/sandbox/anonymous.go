package sandbox

import (
	"mime"
	"net/http"
	"strings"

	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// anonymousService names the AWS service an unsigned request is meant
// for, "" when it is not an AWS request (the catalog's pages): an
// X-Amz-Target header is a JSON 1.1 call (Athena, Glue), an Action in
// the query or a form body at "/" is a query-protocol call (STS), and a
// path whose first segment is one of the sandbox's buckets, or any
// request carrying x-amz-* headers, is S3 (path-style).
func (s *Server) anonymousService(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		if strings.HasPrefix(t, "AWSGlue.") {
			return "glue"
		}
		return "athena"
	}
	if r.URL.Path == "/" || r.URL.Path == "" {
		if r.URL.Query().Has("Action") {
			return "sts"
		}
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && ct == "application/x-www-form-urlencoded" {
			return "sts"
		}
	}
	bucket, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket != "" && s.store.BucketExists(bucket) {
		return "s3"
	}
	for k := range r.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			return "s3"
		}
	}
	return ""
}

// refuseAnonymous answers an unsigned AWS request as each service
// answers one without credentials:
//
//   - S3: 403 AccessDenied "Access Denied" on a bucket that exists (none
//     of the sandbox's buckets is public), 404 NoSuchBucket otherwise;
//   - Athena and Glue (JSON 1.1): 400 MissingAuthenticationTokenException
//     "Request is missing Authentication Token", as AWS's JSON services
//     answer (the raw errors in architect/dynalite#105 and
//     amazon-archives/aws-dynamodb-session-tomcat#42);
//   - STS (query protocol): 403 Sender MissingAuthenticationToken with the
//     same text (the raw body in amzn/selling-partner-api-docs#3081).
func (s *Server) refuseAnonymous(w http.ResponseWriter, r *http.Request, service string) {
	const missing = "Request is missing Authentication Token"
	switch service {
	case "s3":
		bucket, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		e := wire.NewError(http.StatusForbidden, "AccessDenied", "Access Denied")
		if bucket != "" && !s.store.BucketExists(bucket) {
			e = wire.NewError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
			e.Resource = bucket
		}
		wire.S3Error(w, r, e)
	case "sts":
		wire.QueryError(w, "https://sts.amazonaws.com/doc/2011-06-15/", wire.NewError(http.StatusForbidden, "MissingAuthenticationToken", missing))
	default:
		wire.JSONError(w, wire.NewError(http.StatusBadRequest, "MissingAuthenticationTokenException", missing))
	}
}
