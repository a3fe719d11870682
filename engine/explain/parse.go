// Package explain turns AWS error texts into structured denials and, in
// time, denials plus their context into fixes.
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
// says; what the caller knows (the workgroup, the catalog, the query) and
// the statements that would fix a denial come in later, from the caller.
package explain

import (
	"encoding/json"
	"html"
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
	// its case). A few texts imply their action unambiguously ("Access
	// denied when writing output" is s3:PutObject); those are included.
	Actions []string
	// Resources are what the refusal names, as the text names it: ARNs,
	// s3:// URLs, Lake Formation object names, IAM's "role NAME".
	Resources []string
	// Principal is the ARN (or name) of the refused caller, if named.
	Principal string
	// PolicyType is the kind of policy that refused, one of the Policy
	// constants, or "" when the text does not say.
	PolicyType string
	// ExplicitDeny is true when a Deny statement refused, rather than the
	// lack of an Allow.
	ExplicitDeny bool
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
	scan := env.message

	readIAM(&d, scan)
	readAthena(&d, scan)
	readReasons(&d, scan)

	if len(d.Actions) > 0 {
		d.Service, _, _ = strings.Cut(d.Actions[0], ":")
	}
	d.Category = categorize(&d, scan, env)
	d.Denied = d.Category == CategoryPermission
	if !d.Denied {
		// An expired token or a throttle is not a refusal, whatever
		// wording wraps it; keep what was read but claim no denial.
		d.ExplicitDeny = false
		d.PolicyType = ""
	}
	if d.Service == "" {
		d.Service = env.service
	}
	if d.Service == "" {
		d.Service = serviceOfOperation(d.Operation)
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
	message   string // the text to read the grammar in
}

var (
	// aws-sdk-go-v2: operation error Athena: StartQueryExecution, https
	// response error StatusCode: 400, RequestID: ..., api error Code: Msg
	reGoV2Op     = lazy(`operation error ([A-Za-z0-9 .-]+?): (\w+),`)
	reGoV2Status = lazy(`StatusCode: (\d{3})`)
	reGoV2API    = lazy(`api error ([\w.#:/-]+): ?`)
	// botocore: An error occurred (Code) when calling the Op operation
	// (reached max retries: 4): Msg
	reBotocore = lazy(`An error occurred \(([^)]*)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?:? ?`)
	// aws-sdk-go v1: Code: Msg\n\tstatus code: 403, request id: ...
	reGoV1 = lazy(`^([A-Z][A-Za-z0-9.]*): (.*?) status code: (\d{3}), request id: `)
	// Java SDKs: Msg (Service: X; Status Code: 403; Error Code: Y; ...)
	reJava = lazy(`\(Service: ([^;,)]+)[;,] Status Code: (\d{3})(?:[;,] Error Code: ([^;,)]+))?`)
	// An exception class opening the text: AccessDeniedException: ...
	reExceptionPrefix = lazy(`^(?:[a-z][a-z0-9]*\.)*([A-Z][A-Za-z0-9]*(?:Exception|Error|Fault)): `)
	reXMLCode         = lazy(`<Code>([^<]*)</Code>`)
	reXMLMessage      = lazy(`<Message>([^<]*)</Message>`)
	reXMLBlock        = lazy(`(?s)(?:<\?xml[^>]*\?>\s*)?<(?:ErrorResponse|Error)[\s>].*?(?:</(?:ErrorResponse|Error)>|$)`)
)

// readEnvelope finds the renderings around the message. Several may nest
// (an Athena StateChangeReason quoting a Java SDK message), so every code
// is kept; the outermost one names the error.
func readEnvelope(t string) envelope {
	env := envelope{message: t}
	addCode := func(c string) {
		c = sanitizeCode(c)
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
		env.status = m[1]
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
	if body := strings.TrimSpace(t); strings.HasPrefix(body, "{") {
		var obj map[string]any
		if json.Unmarshal([]byte(body), &obj) == nil {
			for _, k := range []string{"__type", "code", "Code"} {
				if s, ok := obj[k].(string); ok {
					addCode(s)
					break
				}
			}
			for _, k := range []string{"message", "Message", "errorMessage"} {
				if s, ok := obj[k].(string); ok {
					env.message = normalize(s)
					break
				}
			}
		}
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
	return env
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
		"GetBucketLocation", "DeleteObject", "CreateMultipartUpload", "UploadPart":
		return "s3"
	case "StartQueryExecution", "GetQueryExecution", "GetQueryResults", "StopQueryExecution",
		"ListWorkGroups", "GetWorkGroup", "ListDataCatalogs", "GetDataCatalog",
		"ListDatabases", "ListTableMetadata", "GetTableMetadata":
		return "athena"
	case "GetTable", "GetTables", "GetDatabase", "GetDatabases", "GetPartition", "GetPartitions",
		"BatchGetPartition", "CreateTable", "UpdateTable", "DeleteTable", "BatchCreatePartition":
		return "glue"
	case "GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity", "GetSessionToken":
		return "sts"
	case "Decrypt", "GenerateDataKey", "Encrypt":
		return "kms"
	case "Invoke":
		return "lambda"
	case "GetDataAccess":
		return "lakeformation"
	}
	return ""
}

var (
	// The principal and action of IAM's sentence. A principal never holds
	// a space; the action is one token (possibly "null" or cut short).
	reIAM = lazy(`(?i)\b(?:User|Principal): (\S+) is not authorized to perform:? ?(\S*)`)
	// An action as IAM prints it: prefix, colon, name (wildcards allowed).
	reAction = lazy(`^([A-Za-z0-9-]+):([A-Za-z0-9*?]+)$`)
	// A bare service prefix, what is left of an action cut short ("sts").
	rePrefix = lazy(`^([A-Za-z0-9-]+):?$`)
	// Athena's own denial, which names only the action.
	reAthena = lazy(`(?i)You are not authorized to perform:? (\S+?)\.? on the resource`)
)

// resourceEnds are the phrases that end a resource written without quotes.
// Resources may hold spaces (Glue job names, IAM's "role NAME"), so a
// resource runs up to the first of these or the end of the text.
var resourceEnds = []string{
	" because ", " with an explicit deny", " with an implicit deny",
	". Go to https://", ". After your AWS administrator",
	" (Service:", "(Service:", " (Path:", " [Execution ID", " User: ", " status code: ",
	" (truncated", ")",
	// A sentence after the resource; names with ". " inside are rarer
	// than messages that go on after it.
	". ",
}

// readIAM reads every IAM sentence in s into d. Drivers repeat sentences
// and nested errors quote them again; repeats are dropped.
func readIAM(d *Denial, s string) {
	matches := reIAM.FindAllStringSubmatchIndex(s, -1)
	for i, m := range matches {
		if d.Principal == "" {
			d.Principal = strings.TrimRight(s[m[2]:m[3]], ".,;")
		}
		readAction(d, s[m[4]:m[5]])
		// A sentence ends where the next begins at the latest, which also
		// keeps a text of many sentences linear to read.
		end := len(s)
		if i+1 < len(matches) {
			end = matches[i+1][0]
		}
		rest := s[m[1]:end]
		if r, ok := strings.CutPrefix(rest, " on resource: "); ok {
			var res string
			res, rest = readResource(r)
			if res != "" {
				d.Resources = appendNew(d.Resources, res)
			}
		}
		readClause(d, strings.TrimLeft(rest, " ."))
	}
}

// readAction adds a from IAM's sentence, if it is an action.
func readAction(d *Denial, a string) {
	a = strings.TrimRight(a, ".,;)")
	if m := reAction.FindStringSubmatch(a); m != nil {
		d.Actions = appendNew(d.Actions, strings.ToLower(m[1])+":"+m[2])
		return
	}
	// "null" (as IAM sometimes prints it) or a prefix cut short: the
	// service may still be known.
	if m := rePrefix.FindStringSubmatch(a); m != nil && !strings.EqualFold(a, "null") && d.Service == "" {
		d.Service = strings.ToLower(m[1])
	}
}

// readResource takes the resource at the start of s, quoted (S3) or not,
// and returns it with the text after it.
func readResource(s string) (res, rest string) {
	if q, ok := strings.CutPrefix(s, `"`); ok {
		if i := strings.IndexByte(q, '"'); i >= 0 {
			return q[:i], q[i+1:]
		}
		// The closing quote was cut off with the rest of the text.
		return strings.TrimSpace(q), ""
	}
	end := len(s)
	for _, e := range resourceEnds {
		if i := strings.Index(s, e); i >= 0 && i < end {
			if e == ")" && strings.Contains(s[:i], "(") {
				continue // a parenthesis inside the resource's own name
			}
			end = i
		}
	}
	res = strings.TrimRight(strings.TrimSpace(s[:end]), ".,;")
	return res, s[end:]
}

// policyTypes maps the policy names IAM's clause uses to Policy constants,
// longest first where one name contains another.
var policyTypes = []struct{ phrase, typ string }{
	{"identity-based policy", PolicyIdentity},
	{"identity-based policies", PolicyIdentity},
	{"resource-based policy", PolicyResource},
	{"service control policy", PolicySCP},
	{"permissions boundary", PolicyBoundary},
	{"permission boundary", PolicyBoundary},
	{"sessions policy", PolicySession}, // sic, in AWS's own docs
	{"session policy", PolicySession},
	{"vpc endpoint policy", PolicyVPCEndpoint},
	{"role trust policy", PolicyResource},
	{"key policy", PolicyKMS},
}

// readClause reads the policy-type clause at the start of s.
func readClause(d *Denial, s string) {
	l := strings.ToLower(s)
	var explicit bool
	switch {
	case strings.HasPrefix(l, "because no "):
		l = l[len("because no "):]
	case strings.HasPrefix(l, "with an explicit deny in an "):
		l, explicit = l[len("with an explicit deny in an "):], true
	case strings.HasPrefix(l, "with an explicit deny in a "):
		l, explicit = l[len("with an explicit deny in a "):], true
	default:
		return
	}
	for _, p := range policyTypes {
		if !strings.HasPrefix(l, p.phrase) {
			continue
		}
		typ := p.typ
		after := s[len(s)-len(l)+len(p.phrase):]
		if explicit {
			d.ExplicitDeny = true
			if arn, ok := strings.CutPrefix(after, ": "); ok {
				if i := strings.IndexAny(arn, " ,;)"); i >= 0 {
					arn = arn[:i]
				}
				if arn = strings.TrimRight(arn, "."); strings.HasPrefix(arn, "arn:") && d.Policy == "" {
					d.Policy = arn
				}
			}
			// "... in a VPC endpoint policy transitively through a
			// service control policy": the deny is the SCP's.
			if strings.Contains(strings.ToLower(after), "transitively through a service control policy") {
				typ = PolicySCP
			}
		}
		if d.PolicyType == "" {
			d.PolicyType = typ
		}
		return
	}
}

// readAthena reads Athena's short denial.
func readAthena(d *Denial, s string) {
	for _, m := range reAthena.FindAllStringSubmatch(s, -1) {
		readAction(d, m[1])
	}
}

var (
	reS3Path        = lazy(`(?i)(?:Permission denied on S3 path|Access denied when writing (?:output )?to (?:url|location)): ?(s3a?://\S+)`)
	reS3Writing     = lazy(`(?i)Access denied when writing (?:output )?to (?:url|location)`)
	rePathSuffix    = lazy(`\(Path: (s3a?://[^)\s]+)\)`)
	reOutputBucket  = lazy(`Unable to verify/create output bucket (\S+)`)
	reLakeFormation = lazy(`(?i)Insufficient Lake Formation permission\(s\)(?::? Required [^.]*? on ([^\s.,;]+)| on ([^\s.,;]+))?`)
)

// readReasons reads Athena's StateChangeReason texts and S3's paths.
func readReasons(d *Denial, s string) {
	var paths []string
	for _, m := range reS3Path.FindAllStringSubmatch(s, -1) {
		paths = appendNew(paths, strings.TrimRight(m[1], ".,;"))
	}
	for _, m := range rePathSuffix.FindAllStringSubmatch(s, -1) {
		paths = appendNew(paths, m[1])
	}
	if m := reOutputBucket.FindStringSubmatch(s); m != nil {
		paths = appendNew(paths, strings.TrimRight(m[1], ".,;"))
	}
	if len(paths) > 0 {
		if d.Service == "" && len(d.Actions) == 0 {
			d.Service = "s3"
		}
		// IAM's sentence names the resource more exactly (an ARN); the
		// path stands in only when there is none.
		if len(d.Resources) == 0 {
			d.Resources = paths
		}
		if len(d.Actions) == 0 && reS3Writing.MatchString(s) {
			d.Actions = []string{"s3:PutObject"}
		}
	}
	if m := reLakeFormation.FindStringSubmatch(s); m != nil {
		d.PolicyType = PolicyLakeFormation
		if d.Service == "" && len(d.Actions) == 0 {
			d.Service = "lakeformation"
		}
		for _, r := range m[1:] {
			if r != "" {
				d.Resources = appendNew(d.Resources, r)
			}
		}
	}
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
