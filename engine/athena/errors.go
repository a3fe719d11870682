package athena

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/quiltq/quiltq/engine"
)

// The kinds of the AWS error codes this package meets. A code missing here
// is Other. Credential codes are kept apart from refusals on purpose: for
// STS-issued Quilt credentials the fix is a fresh login, never a policy.
var codeKinds = map[string]engine.Kind{
	"AccessDeniedException": engine.Denied,
	"AccessDenied":          engine.Denied,
	"Forbidden":             engine.Denied, // S3 HEAD 403: no body, so no code
	"UnauthorizedOperation": engine.Denied,

	"ExpiredToken":                 engine.Credentials,
	"ExpiredTokenException":        engine.Credentials,
	"UnrecognizedClientException":  engine.Credentials,
	"InvalidClientTokenId":         engine.Credentials,
	"InvalidSignatureException":    engine.Credentials,
	"SignatureDoesNotMatch":        engine.Credentials,
	"InvalidAccessKeyId":           engine.Credentials,
	"InvalidToken":                 engine.Credentials,
	"RequestExpired":               engine.Credentials,
	"RequestTimeTooSkewed":         engine.Credentials,
	"MissingAuthenticationToken":   engine.Credentials,
	"IncompleteSignature":          engine.Credentials,
	"IncompleteSignatureException": engine.Credentials,

	"Throttling":                             engine.Throttled,
	"ThrottlingException":                    engine.Throttled,
	"ThrottledException":                     engine.Throttled,
	"TooManyRequestsException":               engine.Throttled,
	"SlowDown":                               engine.Throttled,
	"RequestLimitExceeded":                   engine.Throttled,
	"RequestThrottled":                       engine.Throttled,
	"RequestThrottledException":              engine.Throttled,
	"ProvisionedThroughputExceededException": engine.Throttled,

	"ResourceNotFoundException": engine.NotFound,
	"EntityNotFoundException":   engine.NotFound,
	"NoSuchKey":                 engine.NotFound,
	"NoSuchBucket":              engine.NotFound,
	"NotFound":                  engine.NotFound, // S3 HEAD 404

	"InvalidRequestException": engine.Invalid,
	"ValidationException":     engine.Invalid,
	"InvalidParameterValue":   engine.Invalid,
}

// translate turns an error from an AWS call into an *engine.Error naming
// op, once: an error that already is one passes through. The SDK's error
// stays whole underneath (Unwrap), so errors.As still reaches
// smithy.APIError and the HTTP response.
//
// When the reply was not an AWS error at all (a proxy's HTML page, an S3
// XML <Error> sent to a JSON client), the SDK reports a decode failure that
// hides what the server said; the error then carries the HTTP status and
// the body's own words instead (see keepErrorBody).
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var done *engine.Error
	if errors.As(err, &done) {
		return err
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &engine.Error{Op: op, Kind: engine.Canceled, Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &engine.Error{Op: op, Kind: engine.Other, Err: err}
	}
	var api smithy.APIError
	hasAPI := errors.As(err, &api)
	var de *smithy.DeserializationError
	if reply, ok := replyOf(err); ok && (!hasAPI || errors.As(err, &de)) {
		// The body was not an AWS error the SDK could read: say what it was.
		re := describeReply(reply, err)
		return &engine.Error{Op: op, Kind: kindOf(re.Code, re.Message, re.Status), Err: re}
	}
	if hasAPI {
		return &engine.Error{Op: op, Kind: kindOf(api.ErrorCode(), api.ErrorMessage(), statusOf(err)), Err: err}
	}
	return &engine.Error{Op: op, Kind: kindOf("", "", statusOf(err)), Err: err}
}

// kindOf classifies an AWS error code with its message and HTTP status.
func kindOf(code, message string, status int) engine.Kind {
	k, known := codeKinds[code]
	switch {
	case code == "InvalidRequestException" && strings.Contains(message, "Unable to verify/create output bucket"):
		// Athena says this when the result bucket is missing, in another
		// region, or refused to the caller (s3:GetBucketLocation), and does
		// not say which. For a Quilt role the bucket is the stack's own, so
		// a missing grant is by far the likelier cause: Denied, so that the
		// explanation offers the statement; the hint names the other causes.
		return engine.Denied
	case code == "InvalidRequestException" && strings.Contains(message, "not found"):
		// Athena answers an unknown workgroup or execution id this way.
		return engine.NotFound
	case code == "MetadataException":
		// Athena's catalog calls carry Glue's or Lambda's refusal in here.
		if isRefusal(message) {
			return engine.Denied
		}
		if strings.Contains(message, "EntityNotFoundException") || strings.Contains(message, " not found") {
			return engine.NotFound
		}
		return engine.Other
	case code == "AccessDeniedException" && isExpiredText(message):
		// Some services put an expired token under AccessDeniedException.
		return engine.Credentials
	case known:
		return k
	case strings.HasPrefix(code, "Throttl"):
		return engine.Throttled
	case status == http.StatusTooManyRequests:
		return engine.Throttled
	case status == http.StatusForbidden && code == "":
		return engine.Denied
	}
	return engine.Other
}

// isRefusal reports whether an error or failure text is a permission
// refusal. A federated database's own login failure ("Access denied for
// user 'x'@'host' (using password: YES)") is not an IAM refusal.
func isRefusal(text string) bool {
	t := strings.ToLower(text)
	if strings.Contains(t, "(using password:") {
		return false
	}
	// Athena says "Column 'x' cannot be resolved or requester is not
	// authorized to access requested resources" (COLUMN_NOT_FOUND, a user
	// error) for a column that is not there, which public reports show
	// it is in most cases (e.g. opencost/opencost#3076, "I verified that
	// the column does not exist"); the text reaches the user whole, and a
	// refusal by Lake Formation comes with its own words.
	if strings.Contains(t, "cannot be resolved or requester is not authorized") {
		return false
	}
	for _, s := range []string{
		"not authorized", "access denied", "accessdenied", "permission denied",
		"insufficient permissions", "insufficient lake formation permission",
	} {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

func isExpiredText(text string) bool {
	t := strings.ToLower(text)
	return strings.Contains(t, "security token included in the request is expired") ||
		strings.Contains(t, "token has expired")
}

// statusOf is the HTTP status of err's response, or 0.
func statusOf(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	var se *smithyhttp.ResponseError
	if errors.As(err, &se) {
		return se.HTTPStatusCode()
	}
	return 0
}

// transient reports whether a call that failed with err may succeed if
// sent again: throttling, 5xx and broken connections, as the SDK's own
// retryer decides, plus the throttling codes it does not know.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || givenUp(err) {
		return false
	}
	if engine.KindOf(err) == engine.Throttled {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) && kindOf(api.ErrorCode(), api.ErrorMessage(), statusOf(err)) == engine.Throttled {
		return true
	}
	if statusOf(err) >= 500 {
		return true
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// givenUp reports whether err says it must not be tried again: the AWS
// configuration's retry budget is spent (auth.GaveUpError), as calls to
// the endpoint have been failing for too long. Every retry loop here
// honours it, so that loops around the SDK's own retries cannot stretch
// a dead endpoint's failure past the budget.
func givenUp(err error) bool {
	var v interface{ RetryableError() bool }
	return errors.As(err, &v) && !v.RetryableError()
}

// Hint is the one-line next step for err, by its kind ("" for nil).
func Hint(err error) string {
	if err == nil {
		return ""
	}
	var api smithy.APIError
	code := ""
	if errors.As(err, &api) {
		code = api.ErrorCode()
	}
	// SQL Athena could not parse, refused at StartQueryExecution or failed
	// with SYNTAX_ERROR: the fix is in the statement, at the position.
	if kind := engine.KindOf(err); kind == engine.Invalid || kind == engine.Failed {
		if se := engine.SyntaxOf(err); se != nil {
			if se.Line > 0 {
				return fmt.Sprintf("fix the SQL at line %d, column %d (Athena could not parse it), then run it again", se.Line, se.Column)
			}
			return "fix the SQL (Athena could not parse it), then run it again"
		}
	}
	switch engine.KindOf(err) {
	case engine.Credentials:
		if code == "RequestTimeTooSkewed" || code == "RequestExpired" || strings.Contains(err.Error(), "Signature expired") || strings.Contains(err.Error(), "Signature not yet current") {
			return "set this computer's clock right (AWS refuses requests more than 15 minutes off), then retry"
		}
		return "run `quiltq login` to log in again, or check your AWS credentials"
	case engine.Denied:
		if strings.Contains(err.Error(), "Unable to verify/create output bucket") {
			return "ask your AWS administrator to allow s3:GetBucketLocation on the workgroup's result bucket (or check that the bucket exists in this region)"
		}
		return "ask your AWS administrator to grant your Quilt role the permission named above, or use a workgroup, database or table you may use"
	case engine.Throttled:
		return "AWS is limiting the request rate: wait a little and retry"
	case engine.NotFound:
		return "check the name (workgroup, catalog, database, table or query ID) and the region"
	case engine.Invalid:
		return "correct the query or the setting named above and retry"
	case engine.Canceled:
		return "the query was stopped; run it again when you are ready"
	case engine.Failed:
		return "read Athena's reason above: fix the SQL, or the table or data it names"
	}
	return "retry; if it persists, check the network and the AWS endpoint (a proxy may be answering for AWS)"
}

// maxErrorBody bounds how much of an error reply is kept.
const maxErrorBody = 64 << 10

// rawReply is an error reply's status and the start of its body.
type rawReply struct {
	status      int
	contentType string
	body        []byte
}

// replyError carries an error reply's raw body alongside the SDK's error,
// adding nothing to its text; translate reads it.
type replyError struct {
	reply rawReply
	err   error
}

func (e *replyError) Error() string { return e.err.Error() }
func (e *replyError) Unwrap() error { return e.err }

type errorBodyKey struct{}

// keepErrorBody adds two deserialize middlewares to an SDK operation: the
// inner one copies the body of a non-2xx reply before the SDK's own
// deserializer consumes it, the outer one attaches that copy to the error
// the deserializer returns. The SDK's protocol decoders drop the body when
// it is not the protocol's shape (the JSON decoder keeps a 1 KiB snapshot,
// S3's XML decoder keeps nothing), which leaves "deserialization failed"
// where the server's words should be.
func keepErrorBody(stack *middleware.Stack) error {
	const deserializer = "OperationDeserializer"
	if err := stack.Deserialize.Insert(snapshotBody{}, deserializer, middleware.After); err != nil {
		return err
	}
	return stack.Deserialize.Insert(attachBody{}, deserializer, middleware.Before)
}

// withErrorBody is the per-call option that installs keepErrorBody on an
// Athena call.
func withErrorBody(o *awsathena.Options) { o.APIOptions = append(o.APIOptions, keepErrorBody) }

// s3WithErrorBody installs keepErrorBody on an S3 call.
func s3WithErrorBody(o *s3.Options) { o.APIOptions = append(o.APIOptions, keepErrorBody) }

type snapshotBody struct{}

func (snapshotBody) ID() string { return "quiltq.SnapshotErrorBody" }

func (snapshotBody) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok || resp.StatusCode < 300 || resp.Body == nil {
		return out, md, err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	// Hand the deserializer the whole body again: the part read, then the rest.
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
	md.Set(errorBodyKey{}, rawReply{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: b})
	return out, md, err
}

type attachBody struct{}

func (attachBody) ID() string { return "quiltq.AttachErrorBody" }

func (attachBody) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		if r, ok := md.Get(errorBodyKey{}).(rawReply); ok {
			err = &replyError{reply: r, err: err}
		}
	}
	return out, md, err
}

// replyOf finds the raw reply behind err: the one keepErrorBody kept, else
// the JSON decoder's snapshot.
func replyOf(err error) (rawReply, bool) {
	var re *replyError
	if errors.As(err, &re) {
		return re.reply, true
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) && len(de.Snapshot) > 0 {
		return rawReply{status: statusOf(err), body: de.Snapshot}, true
	}
	return rawReply{}, false
}

// ReplyError is an error reply that was not in the AWS protocol the client
// expected: its HTTP status and what its body said. Err is the SDK's error.
type ReplyError struct {
	Status int
	// Code and Message are an XML or JSON error body's, when it has them.
	Code, Message string
	// Text describes the body otherwise: an HTML page's title, or its start.
	Text string
	Err  error
}

func (e *ReplyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.Status)
	if t := http.StatusText(e.Status); t != "" {
		fmt.Fprintf(&b, " (%s)", t)
	}
	switch {
	case e.Code != "" && e.Message != "":
		fmt.Fprintf(&b, ": %s: %s", e.Code, e.Message)
	case e.Code != "" || e.Message != "":
		fmt.Fprintf(&b, ": %s%s", e.Code, e.Message)
	case e.Text != "":
		fmt.Fprintf(&b, ": %s", e.Text)
	default:
		b.WriteString(", with an empty body")
	}
	return b.String()
}

func (e *ReplyError) Unwrap() error { return e.Err }

// describeReply reads what an error body says, whatever its format.
func describeReply(r rawReply, err error) *ReplyError {
	status := r.status
	if status == 0 {
		status = statusOf(err)
	}
	e := &ReplyError{Status: status, Err: err}
	body := bytes.TrimSpace(r.body)
	switch {
	case len(body) == 0:
	case looksHTML(body, r.contentType):
		title := elementText(body, "title")
		if title == "" {
			title = elementText(body, "h1")
		}
		if title != "" {
			e.Text = fmt.Sprintf("an HTML page titled %q, not an AWS reply (a proxy or gateway may be answering for AWS)", title)
		} else {
			e.Text = fmt.Sprintf("an HTML page, not an AWS reply: %q", clip(stripTags(string(body)), 200))
		}
	case body[0] == '<':
		e.Code, e.Message = xmlError(body)
		if e.Code == "" && e.Message == "" {
			e.Text = fmt.Sprintf("%q", clip(string(body), 200))
		}
	default:
		e.Text = fmt.Sprintf("%q", clip(string(body), 200))
	}
	return e
}

func looksHTML(body []byte, contentType string) bool {
	if strings.Contains(strings.ToLower(contentType), "html") {
		return true
	}
	head := strings.ToLower(string(body[:min(len(body), 512)]))
	return strings.Contains(head, "<!doctype html") || strings.Contains(head, "<html")
}

// elementText is the text of the first <name> element of an HTML page,
// found without parsing (HTML is rarely well-formed XML).
func elementText(body []byte, name string) string {
	lower := strings.ToLower(string(body))
	i := strings.Index(lower, "<"+name)
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(lower[i:], '>')
	if j < 0 {
		return ""
	}
	start := i + j + 1
	end := strings.Index(lower[start:], "</"+name)
	if end < 0 {
		return ""
	}
	return clip(stripTags(string(body[start:start+end])), 200)
}

// stripTags drops markup and folds white space.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// xmlError reads the first <Code> and <Message> of an XML error body, at
// any depth (S3's <Error>, the query protocol's <ErrorResponse><Error>).
func xmlError(body []byte) (code, message string) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	for {
		tok, err := d.Token()
		if err != nil {
			return code, message
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var text string
		switch se.Name.Local {
		case "Code":
			if code == "" && d.DecodeElement(&text, &se) == nil {
				code = strings.TrimSpace(text)
			}
		case "Message":
			if message == "" && d.DecodeElement(&text, &se) == nil {
				message = strings.TrimSpace(text)
			}
		}
		if code != "" && message != "" {
			return code, message
		}
	}
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// apiError is the AWS API error in err's chain, or nil.
func apiError(err error) smithy.APIError {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api
	}
	return nil
}
