// Package explain turns AWS error texts into structured denials, and
// denials or missing requirements into fixes: Parse reads a text, Remedy
// says who can resolve it, FixDenial builds the statement a refusal text
// alone supports, and Fix builds the fewest statements that allow what
// engine/iam's Missing found a query lacks.
//
// Parse is the first half. It reads any error text quiltq can meet on the
// way to a result, as it arrives or as a user pastes it:
//
//   - IAM's sentence, "User: <arn> is not authorized to perform: <action>
//     [on resource: <resource>] [because no <T> allows the <action> action
//     | with an explicit deny in a[n] <T>[: <policy arn>]]", with S3's
//     quoted resource, resources with spaces, lines wrapped anywhere,
//     repeated sentences and text cut short;
//   - Athena's short "You are not authorized to perform: athena:<X> on the
//     resource. ...", which names an action and nothing else;
//   - the query failure reasons of Athena (StateChangeReason): insufficient
//     permissions with the Glue, S3, KMS or Lake Formation text inside,
//     denied writes of results, denied S3 paths, failed Lambda invocations;
//   - wire bodies (S3's XML <Error>, STS's XML <ErrorResponse>, the JSON
//     protocols' {"__type", "message"}) and the renderings of
//     aws-sdk-go-v2, aws-sdk-go, botocore and the Java SDKs;
//   - failures that look like refusals and are not: expired, unknown or
//     badly signed credentials, throttling, missing objects, syntax errors,
//     limits, configuration.
//
// Parse never fails: text it cannot read is category "other", and
// Denial.Original always holds the whole input. It only reads what the text
// says; what the caller knows (the workgroup, the catalog, the query)
// comes in through FixDenial's Context and engine/iam's Query.
package explain

import (
	"encoding/json"
	"html"
	"slices"
	"strconv"
	"strings"

	"github.com/quiltq/quiltq/engine"
)

// Denial is what one AWS error text says, as structured data.
type Denial struct {
	// Denied is true when AWS refused the caller permission: exactly when
	// Category is CategoryPermission.
	Denied bool
	// Category is one of the Category constants.
	Category string
	// Actions are the IAM actions the text names as refused, in order,
	// without repeats, with the service prefix lower-cased (IAM ignores
	// its case). Only what the text names: see ImpliedActions.
	Actions []string
	// ImpliedActions are the actions a text implies without naming them
	// ("Access denied when writing output" is s3:PutObject; KMS's refusal
	// of a ciphertext is kms:Decrypt), kept apart from Actions so that a
	// reader can tell what AWS said from what quiltq infers.
	ImpliedActions []string
	// Resources are what the refusal names, as the text names it: ARNs,
	// s3:// URLs, Lake Formation object names, IAM's "role NAME".
	Resources []string
	// Principal is the ARN (or name) of the refused caller, if named.
	Principal string
	// PolicyType is the kind of policy that refused, one of the Policy
	// constants, or "" when the text does not say.
	PolicyType string
	// ExplicitDeny is true when a Deny statement refused, rather than the
	// lack of an Allow. It means something only when DenyStated.
	ExplicitDeny bool
	// DenyStated is true when the text says whether a Deny refused (IAM's
	// "with an explicit deny in ..." or "because no ... allows ...").
	// Without it, explicit deny is unknown: Lake Formation, Athena's short
	// denial and S3's plain "Access Denied" never say.
	DenyStated bool
	// MaybeDenied is true for a failure AWS documents as either a missing
	// resource or a refusal (Athena's "Unable to verify/create output
	// bucket"): Category stays config, and Remedy says how to tell.
	MaybeDenied bool
	// Encoded is the encoded authorization failure message of an
	// EC2-style refusal; DecodeCommand gives the command that reads it.
	Encoded string
	// Policy is the ARN of the refusing policy, when the text names it.
	Policy string
	// Service is the lower-case IAM prefix of the service that refused
	// ("glue", "s3", "athena"), from the action or the SDK's rendering.
	Service string
	// Code is the AWS error code, outermost rendering first
	// ("AccessDeniedException", "ExpiredToken"), namespaces stripped.
	Code string
	// Operation is the API operation the SDK rendering names
	// ("StartQueryExecution"), if any.
	Operation string
	// Connector is the ARN of the federated connector (a Lambda function)
	// whose own execution role was refused, when the refusal happened
	// inside it: then the caller's policies are not what needs changing.
	Connector string
	// Original is the input, whole and unchanged.
	Original string
}

// The categories of Denial.Category.
const (
	CategoryPermission  = "permission"
	CategoryCredentials = "credentials"
	CategoryThrottling  = "throttling"
	CategoryNotFound    = "not_found"
	CategorySyntax      = "syntax"
	CategoryLimit       = "limit"
	CategoryConfig      = "config"
	CategoryOther       = "other"
)

// The policy types of Denial.PolicyType.
const (
	PolicyIdentity      = "identity"      // the caller's identity-based policies
	PolicyResource      = "resource"      // a bucket, catalog, function or trust policy
	PolicySCP           = "scp"           // an Organizations service control policy
	PolicyRCP           = "rcp"           // an Organizations resource control policy
	PolicySession       = "session"       // the session policy of assumed credentials
	PolicyBoundary      = "boundary"      // a permissions boundary
	PolicyVPCEndpoint   = "vpce"          // a VPC endpoint policy
	PolicyLakeFormation = "lakeformation" // Lake Formation grants
	PolicyKMS           = "kms"           // a KMS key policy
)

// Kind is the engine.Kind a failure of this category is reported as, so
// that callers choose exit codes and next steps from one place.
func (d Denial) Kind() engine.Kind {
	switch d.Category {
	case CategoryPermission:
		return engine.Denied
	case CategoryCredentials:
		return engine.Credentials
	case CategoryThrottling:
		return engine.Throttled
	case CategoryNotFound:
		return engine.NotFound
	case CategorySyntax, CategoryConfig:
		return engine.Invalid
	case CategoryLimit:
		return engine.Failed
	}
	return engine.Other
}

// Parse reads one AWS error text. See the package comment for the shapes
// it knows.
func Parse(text string) Denial {
	d := Denial{Original: text}
	t := normalize(text)
	env := readEnvelope(t)
	d.Code, d.Operation = env.code, env.operation
	scan := clean(env.message)

	readIAM(&d, scan)
	readAthena(&d, scan)
	readEC2(&d, scan)
	readReasons(&d, scan)

	if len(d.Actions) > 0 {
		d.Service, _, _ = strings.Cut(d.Actions[0], ":")
	}
	d.Category = categorize(&d, scan, env)
	d.Denied = d.Category == CategoryPermission
	if !d.Denied {
		// An expired token or a throttle is not a refusal, whatever
		// wording wraps it; keep what was read but claim no denial.
		d.ExplicitDeny, d.DenyStated = false, false
		d.PolicyType = ""
		d.Encoded = ""
	}
	if d.Category != CategoryConfig {
		d.MaybeDenied = false
	}
	if d.Service == "" {
		d.Service = env.service
	}
	if d.Service == "" {
		d.Service = serviceOfOperation(d.Operation)
	}
	if len(d.Actions) == 0 && reKMSText.MatchString(scan) {
		// KMS's own refusal of a key names no action ("The ciphertext
		// refers to a customer master key ... you are not allowed to
		// access"), and arrives wrapped by S3 or Athena.
		d.Service = "kms"
	}
	if m := reConnector.FindStringSubmatch(scan); m != nil && d.Denied && !slices.Contains(d.Actions, "lambda:InvokeFunction") {
		// The refusal happened inside a federated connector, to the
		// connector's own execution role, not to the caller.
		d.Connector = m[1]
	}
	if d.Denied && d.PolicyType == "" && (slices.Contains(d.Actions, "sts:AssumeRoleWithWebIdentity") || slices.Contains(d.Actions, "sts:AssumeRoleWithSAML")) {
		// These calls carry no AWS credentials: only the role's trust
		// policy (a resource-based policy) can allow them (STS API
		// Reference, AssumeRoleWithWebIdentity and AssumeRoleWithSAML).
		d.PolicyType = PolicyResource
	}
	if d.PolicyType == PolicyResource && d.Service == "kms" {
		// A KMS key's resource-based policy is its key policy, which has
		// rules of its own (it must allow the account before IAM counts).
		d.PolicyType = PolicyKMS
	}
	return d
}

// normalize joins wrapped lines and collapses runs of white space, so that
// the grammar can be matched on one line. A line break inside an ARN (a
// terminal or mail client wrapping a long ARN where it hit the margin) is
// joined without a space; any other break reads as a space.
func normalize(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")
	var b strings.Builder
	b.Grow(len(text))
	for i, line := range lines {
		if i > 0 {
			if !joinsARN(lines[i-1], line) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(line)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// joinsARN reports whether the break between prev and next falls inside an
// ARN or S3 URL: prev ends in the middle of one, next goes on without
// indentation, and next does not start a new clause.
func joinsARN(prev, next string) bool {
	if prev == "" || next == "" || isSpace(prev[len(prev)-1]) || isSpace(next[0]) {
		return false
	}
	last := prev[strings.LastIndexAny(prev, " \t")+1:]
	last = strings.TrimLeft(last, `"'(`)
	if !strings.HasPrefix(last, "arn:") && !strings.HasPrefix(last, "s3://") {
		return false
	}
	if strings.ContainsAny(last[len(last)-1:], `".,;)'`) {
		return false
	}
	first := next
	if i := strings.IndexByte(next, ' '); i >= 0 {
		first = next[:i]
	}
	switch strings.ToLower(first) {
	case "because", "with", "on", "is", "for", "and", "or", "(service:", "user:", "after", "please":
		return false
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// envelope is what an SDK rendering or wire body says around the message.
type envelope struct {
	code      string   // the outermost error code
	codes     []string // every code seen, outermost first
	operation string
	service   string // IAM prefix from the rendering's service label
	status    string // HTTP status code, if rendered
	// athenaType is AthenaError.ErrorType of a failed query, when the text
	// carries GetQueryExecution's output.
	athenaType    int
	hasAthenaType bool
	message       string // the text to read the grammar in
}

var (
	// aws-sdk-go-v2: operation error Athena: StartQueryExecution, https
	// response error StatusCode: 400, RequestID: ..., api error Code: Msg
	reGoV2Op = lazy(`operation error ([A-Za-z0-9 .-]+?): (\w+),`)
	// aws-sdk-go-v2's "StatusCode: 403", the JavaScript SDK's "statusCode:
	// 403", the Kotlin SDK's "error code 403" and "HTTP 403 Forbidden".
	reGoV2Status = lazy(`(?i)\bstatus ?code: ?(\d{3})\b|\berror code (\d{3})\b|\bHTTP (\d{3}) [A-Z]`)
	// The JavaScript SDK's error object: code: 'AccessDenied'.
	reJSCode = lazy(`\bcode: '([A-Za-z][A-Za-z0-9.]*)'`)
	// An SDK's exception class, whose package names the service:
	// com.amazonaws.services.s3.model.AmazonS3Exception,
	// software.amazon.awssdk.services.glue.model.AccessDeniedException.
	reSDKClass = lazy(`\bservices\.([a-z0-9]+)\.model\.([A-Z]\w*(?:Exception|Error))\b`)
	reGoV2API  = lazy(`api error ([\w.#:/-]+): ?`)
	// botocore: An error occurred (Code) when calling the Op operation
	// (reached max retries: 4): Msg
	reBotocore = lazy(`An error occurred \(([^)]*)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?:? ?`)
	// aws-sdk-go v1: Code: Msg\n\tstatus code: 403, request id: ...
	reGoV1 = lazy(`^([A-Z][A-Za-z0-9.]*): (.*?) status code: (\d{3}), request id: `)
	// Java SDKs: Msg (Service: X; Status Code: 403; Error Code: Y; ...)
	reJava = lazy(`\(Service: ([^;,)]+)[;,] Status Code: (\d{3})(?:[;,] Error Code: ([^;,)]+))?`)
	// An exception class opening the text: AccessDeniedException: ...
	// (A Java package before it; a service qualifier, as in
	// KMS.AccessDeniedException, kept for addCode to read.)
	reExceptionPrefix = lazy(`^(?:[a-z][a-z0-9]*\.)*((?:[A-Z][A-Za-z0-9]*\.)?[A-Z][A-Za-z0-9]*(?:Exception|Error|Fault)): `)
	reXMLCode         = lazy(`<Code>([^<]*)</Code>`)
	reXMLMessage      = lazy(`<Message>([^<]*)</Message>`)
	// The query protocol's <ErrorResponse> holds an <Error> and then its
	// <RequestId>; S3's bare <Error> holds everything.
	reXMLBlock = lazy(`(?s)(?:<\?xml[^>]*\?>\s*)?(?:<ErrorResponse[\s>].*?(?:</ErrorResponse>|$)|<Error[\s>].*?(?:</Error>|$))`)
	// The JSON protocols' header, with its decorations:
	// X-Amzn-ErrorType: AccessDeniedException:http://internal.amazon.com/...
	// or com.amazonaws.lambda#AccessDeniedException.
	reErrorTypeHeader = lazy(`(?i)\bx-amzn-errortype: ?([^\s,;]+)`)
	// A raw HTTP response pasted with its status line; S3 answers a HEAD
	// with nothing more than this and its x-amz-* headers.
	reHTTPStatus = lazy(`\bHTTP/\d(?:\.\d)? (\d{3})\b`)
	reS3Headers  = lazy(`(?i)\bx-amz-(?:id-2|bucket-region|request-id):`)
	// JDBC and ODBC drivers from Simba, and the newer Athena JDBC driver.
	reAthenaDriver = lazy(`(?i)\[Simba\]\[Athena|\[AthenaJDBC\]|AWS Athena client`)
	// JSON members read out of text that is not (or no longer, once cut
	// short) a JSON document: "key": "string" or "key": number.
	reJSONString = lazy(`"(__type|code|Code|message|Message|errorMessage|StateChangeReason|ErrorMessage)" ?: ?"((?:[^"\\]|\\.)*)("?)`)
	reJSONType   = lazy(`"?ErrorType"? ?[:=] ?(\d+)`)
)

// readEnvelope finds the renderings around the message. Several may nest
// (an Athena StateChangeReason quoting a Java SDK message), so every code
// is kept; the outermost one names the error.
func readEnvelope(t string) envelope {
	env := envelope{message: t}
	addCode := func(c string) {
		c = sanitizeCode(c)
		if svc, rest, ok := strings.Cut(c, "."); ok && rest != "" && !strings.Contains(rest, ".") {
			// A code qualified by its service, as services that relay
			// KMS's errors report them: KMS.AccessDeniedException.
			if env.service == "" {
				env.service = serviceOfLabel(svc)
			}
			c = rest
		}
		if c == "" {
			return
		}
		if env.code == "" {
			env.code = c
		}
		env.codes = append(env.codes, c)
	}
	if m := reGoV2Op.FindStringSubmatch(t); m != nil {
		env.service = serviceOfLabel(m[1])
		env.operation = m[2]
	}
	if m := reGoV2Status.FindStringSubmatch(t); m != nil {
		env.status = m[1] + m[2] + m[3]
	}
	if m := reGoV2API.FindStringSubmatchIndex(t); m != nil {
		addCode(t[m[2]:m[3]])
	}
	if m := reBotocore.FindStringSubmatch(t); m != nil {
		addCode(m[1])
		if env.operation == "" {
			env.operation = m[2]
		}
	}
	if m := reGoV1.FindStringSubmatch(t); m != nil {
		addCode(m[1])
		env.status = m[3]
	}
	if block := reXMLBlock.FindStringIndex(t); block != nil {
		x := t[block[0]:block[1]]
		if m := reXMLCode.FindStringSubmatch(x); m != nil {
			addCode(html.UnescapeString(m[1]))
		}
		msg := ""
		if m := reXMLMessage.FindStringSubmatch(x); m != nil {
			msg = html.UnescapeString(m[1])
		}
		if !strings.Contains(t, "<ErrorResponse") && env.service == "" {
			// A bare <Error> document is S3's REST-XML; the query
			// protocol (STS, IAM) wraps its <Error> in <ErrorResponse>.
			env.service = "s3"
		}
		// Read the message, not the markup, so that a resource or a
		// clause does not run on into the next tag.
		env.message = t[:block[0]] + " " + msg + " " + t[block[1]:]
	}
	if m := reErrorTypeHeader.FindStringSubmatch(t); m != nil {
		addCode(m[1])
	}
	if m := reHTTPStatus.FindStringSubmatch(t); m != nil && env.status == "" {
		env.status = m[1]
	}
	if env.service == "" && reS3Headers.MatchString(t) {
		env.service = "s3"
	}
	readJSON(t, &env, addCode)
	if env.service == "" && reAthenaDriver.MatchString(t) {
		env.service = "athena"
	}
	if m := reJava.FindStringSubmatch(env.message); m != nil {
		if env.service == "" {
			env.service = serviceOfLabel(m[1])
		}
		if env.status == "" {
			env.status = m[2]
		}
		addCode(m[3])
	}
	if m := reExceptionPrefix.FindStringSubmatch(env.message); m != nil {
		addCode(m[1])
	}
	if m := reSDKClass.FindStringSubmatch(t); m != nil {
		if env.service == "" {
			env.service = serviceOfLabel(m[1])
		}
		addCode(m[2])
	}
	if m := reJSCode.FindStringSubmatch(t); m != nil {
		addCode(m[1])
	}
	return env
}

// readJSON reads a JSON protocol body ({"__type", "message"}), a Lambda
// body ({"Message"} with the code in the header) or the output of
// GetQueryExecution (Status.StateChangeReason and Status.AthenaError),
// whole or cut short, anywhere in t.
func readJSON(t string, env *envelope, addCode func(string)) {
	if !strings.Contains(t, `"`) {
		return
	}
	var top map[string]any
	if body := strings.TrimSpace(t); strings.HasPrefix(body, "{") && json.Unmarshal([]byte(body), &top) == nil {
		for _, k := range []string{"__type", "code", "Code"} {
			if s, ok := top[k].(string); ok {
				addCode(s)
				break
			}
		}
		var msg, reason, athenaMsg string
		for _, k := range []string{"message", "Message", "errorMessage"} {
			if s, ok := top[k].(string); ok {
				msg = s
				break
			}
		}
		walkJSON(top, 0, func(k string, v any) {
			switch k {
			case "StateChangeReason":
				reason, _ = v.(string)
			case "ErrorMessage":
				athenaMsg, _ = v.(string)
			case "ErrorType":
				if f, ok := v.(float64); ok && f >= 0 && f == float64(int(f)) {
					env.athenaType, env.hasAthenaType = int(f), true
				}
			}
		})
		if text := joinMessages(msg, reason, athenaMsg); text != "" {
			env.message = normalize(text)
		}
		return
	}
	// Not a whole document: a body cut short, or JSON inside other text.
	var code, msg, reason, athenaMsg string
	for _, m := range reJSONString.FindAllStringSubmatch(t, -1) {
		v := unquoteJSON(m[2], m[3] != "")
		switch m[1] {
		case "__type", "code", "Code":
			if code == "" {
				code = v
			}
		case "message", "Message", "errorMessage":
			if msg == "" {
				msg = v
			}
		case "StateChangeReason":
			reason = v
		case "ErrorMessage":
			athenaMsg = v
		}
	}
	if code != "" {
		addCode(code)
	}
	if m := reJSONType.FindStringSubmatch(t); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			env.athenaType, env.hasAthenaType = n, true
		}
	}
	if text := joinMessages(msg, reason, athenaMsg); text != "" {
		// Keep the text around the JSON too: an SDK rendering may carry
		// the code and operation outside it.
		env.message = normalize(text + " " + env.message)
	}
}

// walkJSON calls f for every member of every object under v, to a depth
// that the outputs quiltq reads never exceed.
func walkJSON(v any, depth int, f func(k string, v any)) {
	if depth > 8 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			f(k, e)
			walkJSON(e, depth+1, f)
		}
	case []any:
		for _, e := range x {
			walkJSON(e, depth+1, f)
		}
	}
}

// joinMessages joins the non-empty messages, dropping one that repeats
// another (Athena's ErrorMessage mostly repeats the StateChangeReason).
func joinMessages(msgs ...string) string {
	var out []string
	for _, m := range msgs {
		if m == "" {
			continue
		}
		dup := false
		for _, o := range out {
			if strings.Contains(o, m) {
				dup = true
			}
		}
		if !dup {
			out = append(out, m)
		}
	}
	return strings.Join(out, " ")
}

// unquoteJSON decodes the escapes of a JSON string's contents; contents
// cut short keep what could be read.
func unquoteJSON(s string, closed bool) string {
	if !closed {
		s = strings.TrimSuffix(s, `\`)
	}
	var v string
	if json.Unmarshal([]byte(`"`+s+`"`), &v) == nil {
		return v
	}
	return s
}

// sanitizeCode strips what protocols wrap a code in: a smithy namespace
// ("com.amazonaws.athena#AccessDeniedException") and a URL suffix
// ("AccessDeniedException:http://internal.amazon.com/...").
func sanitizeCode(c string) string {
	c = strings.TrimSpace(c)
	if i := strings.LastIndexByte(c, '#'); i >= 0 {
		c = c[i+1:]
	}
	if i := strings.IndexByte(c, ':'); i >= 0 {
		c = c[:i]
	}
	return c
}

// serviceOfLabel turns an SDK's service label ("Athena", "Amazon S3",
// "AWSGlue", "AmazonDataCatalog", "Lake Formation") into an IAM prefix.
func serviceOfLabel(label string) string {
	s := strings.ToLower(label)
	s = strings.NewReplacer(" ", "", "-", "", "_", "").Replace(s)
	s = strings.TrimPrefix(s, "amazon")
	s = strings.TrimPrefix(s, "aws")
	switch s {
	case "":
		return ""
	case "datacatalog":
		return "glue"
	case "securitytokenservice":
		return "sts"
	case "keymanagementservice":
		return "kms"
	}
	return s
}

// serviceOfOperation names the service of the operations quiltq calls,
// for renderings (botocore's) that name only the operation.
func serviceOfOperation(op string) string {
	switch op {
	case "HeadObject", "GetObject", "PutObject", "HeadBucket", "ListObjects", "ListObjectsV2",
		"GetBucketLocation", "DeleteObject", "DeleteObjects", "CreateMultipartUpload", "UploadPart",
		"UploadPartCopy", "CompleteMultipartUpload", "AbortMultipartUpload", "ListMultipartUploads",
		"ListParts", "ListBuckets", "CopyObject", "CreateBucket", "DeleteBucket", "GetObjectAcl",
		"PutObjectAcl", "GetBucketAcl", "PutBucketAcl", "GetBucketPolicy", "PutBucketPolicy",
		"GetObjectTagging", "PutObjectTagging", "GetBucketEncryption", "SelectObjectContent":
		return "s3"
	case "StartQueryExecution", "GetQueryExecution", "GetQueryResults", "StopQueryExecution",
		"ListWorkGroups", "GetWorkGroup", "ListDataCatalogs", "GetDataCatalog",
		"ListDatabases", "ListTableMetadata", "GetTableMetadata":
		return "athena"
	case "GetTable", "GetTables", "GetDatabase", "GetDatabases", "GetPartition", "GetPartitions",
		"BatchGetPartition", "CreateTable", "UpdateTable", "DeleteTable", "BatchCreatePartition":
		return "glue"
	case "GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML",
		"GetSessionToken", "DecodeAuthorizationMessage":
		return "sts"
	case "Decrypt", "GenerateDataKey", "Encrypt":
		return "kms"
	case "Invoke":
		return "lambda"
	case "GetDataAccess", "GrantPermissions", "RevokePermissions", "BatchGrantPermissions",
		"ListPermissions", "RegisterResource", "GetTemporaryGlueTableCredentials":
		return "lakeformation"
	}
	return ""
}
