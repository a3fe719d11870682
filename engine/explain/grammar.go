package explain

import (
	"html"
	"strings"
)

// This file reads the grammar of refusals, wherever it stands in a text:
// IAM's sentence, "<principal> is not authorized to perform: <action> [on
// resource: <resource>] [because no <T> allows the <action> action | with
// an explicit deny in a[n] <T>[: <policy ARN>]]" (IAM User Guide,
// "Troubleshoot access denied error messages"), its pieces when the text
// was cut at the start, Athena's short denial, EC2's wording with its
// encoded authorization message, and the query failure reasons of Athena.
// Each piece is read on its own, so that a masked principal, a wrapper
// before the sentence or a cut after it loses only what it hides.

// clean undoes what pages and loggers do to a message on its way to the
// user: JSON-escaped quotes inside a logged string, markdown escapes,
// typographic quotes and HTML entities.
func clean(s string) string {
	s = strings.NewReplacer(`\"`, `"`, `\*`, `*`, `\_`, `_`, `\<`, `<`, `\>`, `>`,
		"“", `"`, "”", `"`, "‘", "'", "’", "'", "\u00a0", " ").Replace(s)
	if strings.Contains(s, "&") {
		s = html.UnescapeString(s)
	}
	return s
}

var (
	// IAM's verb, with or without the "is" that follows the principal
	// ("Not authorized to perform sts:AssumeRoleWithWebIdentity" is STS's
	// own shorter form; "You are not authorized to perform" Athena's and
	// EC2's). The "is" is not matched on a word boundary: pages glue it to
	// a principal that ends in a letter ("...fasdfais not authorized").
	reNotAuthorized = lazy(`(?i)(is )?\bnot authorized to perform\b:?`)
	// An action as IAM prints it: prefix, colon, name (wildcards allowed).
	reAction = lazy(`^([A-Za-z0-9-]+):([A-Za-z0-9*?]+)$`)
	// A bare service prefix, what is left of an action cut short ("sts").
	rePrefix = lazy(`^([A-Za-z0-9-]+):?$`)
	// Athena's own denial, which names only the action.
	reAthena = lazy(`(?i)You are not authorized to perform:? (\S+?)\.? on the resource`)
	// A principal IAM can name: an IAM or STS ARN whose account is twelve
	// digits (or empty, as STS prints some sessions) and whose name is
	// whole. Anything else before "is not authorized" is no principal.
	rePrincipal = lazy(`^arn:aws[a-z-]*:(?:iam|sts)::(?:\d{12})?:[A-Za-z0-9+=,.@_/:-]*[A-Za-z0-9+=,@_-]$`)
	// What reporters put in place of what they hide: runs of x, angle
	// brackets, braces, ellipses, asterisks, words saying so.
	reMasked = lazy(`(?i)(?:^|[^a-z])x{3,}|[<>{}*"…\[\]]|\.\.\.|redacted|hidden|account[ _-]?id`)
	// EC2-style refusals (and CloudFormation relaying them) say "API:
	// ec2:RunInstances You are not authorized to perform this operation".
	reAPIAction = lazy(`(?i)\bAPI: ?([a-z0-9-]+:[A-Za-z0-9]+)\.? (?:You are not authorized|User:)`)
	// The encoded authorization message of EC2-style refusals (read with
	// sts:DecodeAuthorizationMessage). Placeholders such as <ENCODED
	// MESSAGE> are not a message.
	reEncoded = lazy(`(?i)Encoded (?:authorization )?failure(?: message)?: ?([A-Za-z0-9_-]{16,})`)
)

// resourceEnds are the phrases that end a resource written without quotes.
// Resources may hold spaces (Glue job names, IAM's "role NAME"), so a
// resource runs up to the first of these or the end of the text.
var resourceEnds = []string{
	" because ", " with an explicit deny", " with an implicit deny",
	". Go to https://", ". After your AWS administrator",
	" (Service:", "(Service:", " (Path:", " [Execution ID", " User: ", " status code: ",
	" (truncated", ")", ". Encoded ",
	// A sentence after the resource; names with ". " inside are rarer
	// than messages that go on after it.
	". ",
}

// clauseEnds are the resource ends that start IAM's policy-type clause: only
// a resource that runs up to one of them may hold spaces.
var clauseEnds = []string{" because ", " with an explicit deny", " with an implicit deny"}

// readIAM reads every IAM sentence in s into d. Drivers repeat sentences
// and nested errors quote them again; repeats are dropped.
func readIAM(d *Denial, s string) {
	matches := reNotAuthorized.FindAllStringSubmatchIndex(s, -1)
	clause := false
	for i, m := range matches {
		if m[2] >= 0 && d.Principal == "" {
			// A principal is a few hundred characters at most; looking no
			// further keeps a text of many masked sentences linear.
			d.Principal = principalBefore(s[max(0, m[0]-1024):m[0]])
		}
		// A sentence ends where the next begins at the latest, which also
		// keeps a text of many sentences linear to read.
		end := len(s)
		if i+1 < len(matches) {
			end = matches[i+1][0]
		}
		rest := strings.TrimLeft(s[m[1]:end], " ")
		tok, after, _ := strings.Cut(rest, " ")
		if !readAction(d, tok) {
			// "...perform this operation", "...perform <policyname>": no
			// action here; the clause may still follow.
			after = rest
		} else {
			after = " " + after
		}
		for _, on := range []string{" on resource: ", " on resource "} {
			if r, ok := strings.CutPrefix(after, on); ok {
				var res string
				res, after = readResource(r)
				if res != "" {
					d.Resources = appendNew(d.Resources, res)
				}
				break
			}
		}
		if readClause(d, strings.TrimLeft(after, " .")) {
			clause = true
		}
	}
	if !clause {
		readClauseAnywhere(d, s)
	}
}

// principalBefore finds the principal of the sentence that continues after
// pre: what follows the last "User:" (or "Principal:"), or else the token
// just before "is not authorized". It is returned only when it is a whole
// ARN; a masked, elided or partial one is no principal.
func principalBefore(pre string) string {
	cand := ""
	if i := max(strings.LastIndex(pre, "User:"), strings.LastIndex(pre, "Principal:")); i >= 0 {
		cand = pre[i:]
		cand = strings.TrimSpace(cand[strings.IndexByte(cand, ':')+1:])
	} else {
		cand = strings.TrimRight(pre, " ")
		cand = cand[strings.LastIndexAny(cand, " \t(")+1:]
	}
	cand = strings.Trim(cand, `.,;'"`)
	if cand == "" || strings.ContainsAny(cand, " \t") || reMasked.MatchString(cand) || !rePrincipal.MatchString(cand) {
		return ""
	}
	if account := strings.Split(cand, ":")[4]; account != "" && strings.Count(account, account[:1]) == len(account) {
		// An account of one digit repeated (111111111111) is how
		// reporters blank out theirs; no AWS account is numbered so.
		return ""
	}
	return cand
}

// readAction adds a from IAM's sentence, if it is an action, and reports
// whether it was one (or what is left of one).
func readAction(d *Denial, a string) bool {
	a = strings.TrimRight(a, ".,;)'\"")
	if m := reAction.FindStringSubmatch(a); m != nil {
		d.Actions = appendNew(d.Actions, strings.ToLower(m[1])+":"+m[2])
		return true
	}
	// "null" (as IAM sometimes prints it) or a prefix cut short: the
	// service may still be known.
	if strings.EqualFold(a, "null") {
		return true
	}
	if m := rePrefix.FindStringSubmatch(a); m != nil && (strings.HasSuffix(a, ":") || strings.ToLower(a) == a && len(a) <= 20 && !commonWord(a)) {
		if d.Service == "" {
			d.Service = strings.ToLower(m[1])
		}
		return true
	}
	return false
}

// commonWord reports whether w is an English word that follows "perform"
// in texts that name no action ("perform this operation").
func commonWord(w string) bool {
	switch strings.ToLower(w) {
	case "this", "the", "that", "any", "an", "a", "operation", "action", "actions", "it":
		return true
	}
	return false
}

// readResource takes the resource at the start of s, quoted (S3) or not,
// and returns it with the text after it.
func readResource(s string) (res, rest string) {
	s = strings.TrimLeft(s, " ")
	if q, ok := strings.CutPrefix(s, `"`); ok {
		if i := strings.IndexByte(q, '"'); i >= 0 {
			return q[:i], q[i+1:]
		}
		// The closing quote was cut off with the rest of the text.
		return strings.TrimSpace(q), ""
	}
	end, byClause := len(s), false
	for _, e := range resourceEnds {
		if i := strings.Index(s, e); i >= 0 && i < end {
			if e == ")" && strings.Contains(s[:i], "(") {
				continue // a parenthesis inside the resource's own name
			}
			end = i
		}
	}
	for _, e := range clauseEnds {
		if strings.HasPrefix(s[end:], e) {
			byClause = true
		}
	}
	res = strings.TrimSpace(s[:end])
	if i := strings.IndexAny(res, " \t"); i >= 0 && strings.HasPrefix(res, "arn:") && !byClause {
		// An ARN with a space in it is only believed when IAM's clause
		// closes it; otherwise the text went on after the ARN.
		res, end = res[:i], i
	}
	res = strings.TrimRight(res, ".,;:'\"")
	return res, s[end:]
}

// policyTypes maps the policy names IAM's clause uses to Policy constants,
// longest first where one name contains another.
var policyTypes = []struct{ phrase, typ string }{
	{"identity-based policy", PolicyIdentity},
	{"identity-based policies", PolicyIdentity},
	{"resource-based policy", PolicyResource},
	{"service control policy", PolicySCP},
	{"resource control policy", PolicyRCP},
	{"permissions boundary", PolicyBoundary},
	{"permission boundary", PolicyBoundary},
	{"sessions policy", PolicySession}, // sic, in AWS's own docs
	{"session policy", PolicySession},
	{"vpc endpoint policy", PolicyVPCEndpoint},
	// A role's trust policy is the role's resource-based policy (IAM User
	// Guide, "Roles terms and concepts": "a trust policy is a
	// resource-based policy").
	{"role trust policy", PolicyResource},
	{"trust policy", PolicyResource},
	{"key policy", PolicyKMS},
}

// The openings of IAM's clause, with whether each states an explicit deny.
var clauseOpenings = []struct {
	prefix   string
	explicit bool
}{
	{"because no ", false},
	// The IAM User Guide's own example for a role trust policy (sic).
	{"because the ", false},
	{"with an explicit deny in an ", true},
	{"with an explicit deny in a ", true},
	{"with an explicit deny in the ", true},
	{"with an implicit deny in an ", false},
	{"with an implicit deny in a ", false},
	{"with an implicit deny in the ", false},
	{"with an explicit deny", true},
	{"with an implicit deny", false},
}

// readClause reads the policy-type clause at the start of s and reports
// whether there was one.
func readClause(d *Denial, s string) bool {
	l := strings.ToLower(s)
	var explicit, found bool
	for _, o := range clauseOpenings {
		if strings.HasPrefix(l, o.prefix) {
			l, explicit, found = l[len(o.prefix):], o.explicit, true
			break
		}
	}
	if !found {
		return false
	}
	if d.DenyStated && d.ExplicitDeny && !explicit {
		return true // an earlier sentence's explicit deny stands
	}
	d.DenyStated, d.ExplicitDeny = true, explicit
	for _, p := range policyTypes {
		if !strings.HasPrefix(l, p.phrase) {
			continue
		}
		typ := p.typ
		after := s[len(s)-len(l)+len(p.phrase):]
		if explicit {
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
		} else if m := reAllowsThe.FindStringSubmatch(after); m != nil && len(d.Actions) == 0 {
			// "because no identity-based policy allows the iam:PassRole
			// action": the clause names the action too, which is all that
			// is left when the text was cut at the start.
			readAction(d, m[1])
		}
		if d.PolicyType == "" {
			d.PolicyType = typ
		}
		return true
	}
	return true
}

var reAllowsThe = lazy(`^ allows? the (\S+?) ?action`)

// readClauseAnywhere reads a clause standing on its own, in a text whose
// sentence was cut before it or whose sentence a driver reworded.
func readClauseAnywhere(d *Denial, s string) {
	l := strings.ToLower(s)
	best := -1
	for _, o := range []string{"because no ", "because the role trust policy", "with an explicit deny", "with an implicit deny"} {
		if i := strings.Index(l, o); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best >= 0 {
		readClause(d, s[best:])
	}
}

// readAthena reads Athena's short denial.
func readAthena(d *Denial, s string) {
	for _, m := range reAthena.FindAllStringSubmatch(s, -1) {
		readAction(d, m[1])
	}
}

// readEC2 reads the wording of EC2 and the services that share its errors:
// the API named before "You are not authorized to perform this operation",
// and the encoded authorization message.
func readEC2(d *Denial, s string) {
	for _, m := range reAPIAction.FindAllStringSubmatch(s, -1) {
		readAction(d, m[1])
	}
	if m := reEncoded.FindStringSubmatch(s); m != nil {
		d.Encoded = m[1]
	}
}

// DecodeCommand is the AWS CLI command that reads d's encoded authorization
// message (it needs sts:DecodeAuthorizationMessage), or "" when d carries
// none.
func (d Denial) DecodeCommand() string {
	if d.Encoded == "" {
		return ""
	}
	return "aws sts decode-authorization-message --encoded-message " + d.Encoded + " --query DecodedMessage --output text"
}

var (
	reS3Path       = lazy(`(?i)(?:Permission denied on S3 path|Access denied when writing (?:output )?to (?:url|location)): ?(s3a?://\S+)`)
	reS3Writing    = lazy(`(?i)Access denied when writing (?:output )?to (?:url|location)`)
	reS3Reading    = lazy(`(?i)Permission denied on S3 path|Error opening Hive split .*(?:Access Denied|Status Code: 403)|You do not seem to have access to the S3 location of your query results`)
	rePathSuffix   = lazy(`\(Path: (s3a?://[^)\s]+)\)`)
	reOutputBucket = lazy(`Unable to verify/create output bucket (\S+)`)
	// KMS's refusal of a ciphertext's key, as KMS words it and as S3, SSM
	// or Java SDKs relay it: "The ciphertext refers to a customer master
	// key that does not exist, does not exist in this region, or you are
	// not allowed to access." It names the key policy or grants, and the
	// Decrypt that was refused (only Decrypt and ReEncrypt read a
	// ciphertext; KMS API Reference, Decrypt).
	reKMSCiphertext = lazy(`(?i)ciphertext refers to a (?:customer master key|KMS key)`)
	reKMSText       = lazy(`(?i)customer master key|\bKMS key (?:is|was|does|arn)\b|KMS\.\w+Exception`)
	reConnector     = lazy(`(?i)from your LambdaFunction\[(arn:[^\]\s]+)\]`)
	reLakeFormation = lazy(`(?i)Insufficient Lake Formation permission\(s\)(?::? Required [^.]*? on ([^\s.,;(]+)| on ([^\s.,;(]+))?`)
	// Lake Formation's refusal of its own permissions API, which will not
	// say whether the resource exists (anti-enumeration).
	reLakeFormationAPI = lazy(`(?i)Resource does not exist or requester is not authorized to access requested permissions`)
	// Athena's reason when Glue refuses BatchCreatePartition to a CTAS or
	// INSERT.
	rePartitions = lazy(`(?i)not authorized to create partitions`)
)

// readReasons reads Athena's StateChangeReason texts, S3's paths and the
// refusals of services that name no action.
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
		d.MaybeDenied = true
	}
	if len(paths) > 0 && d.Service == "" && len(d.Actions) == 0 {
		d.Service = "s3"
	}
	// IAM's sentence names the resource more exactly (an ARN); the path
	// stands in only when there is none.
	if len(paths) > 0 && len(d.Resources) == 0 {
		d.Resources = paths
	}
	implied := func(svc, action string) {
		if len(d.Actions) > 0 {
			return
		}
		if d.Service == "" {
			d.Service = svc
		}
		d.ImpliedActions = appendNew(d.ImpliedActions, action)
	}
	switch {
	case reS3Writing.MatchString(s):
		// Athena writes results and CTAS data with PutObject.
		implied("s3", "s3:PutObject")
	case reS3Reading.MatchString(s):
		// Athena reads table data and results with GetObject.
		implied("s3", "s3:GetObject")
	}
	if rePartitions.MatchString(s) {
		implied("glue", "glue:BatchCreatePartition")
	}
	if reKMSCiphertext.MatchString(s) {
		implied("kms", "kms:Decrypt")
		d.Service = "kms"
		if d.PolicyType == "" {
			d.PolicyType = PolicyKMS
		}
	}
	if m := reLakeFormation.FindStringSubmatch(s); m != nil {
		d.PolicyType = PolicyLakeFormation
		if d.Service == "" && len(d.Actions) == 0 {
			d.Service = "lakeformation"
		}
		for _, r := range m[1:] {
			if r != "" && r != "table" && r != "database" {
				d.Resources = appendNew(d.Resources, r)
			}
		}
	}
	if reLakeFormationAPI.MatchString(s) {
		d.PolicyType = PolicyLakeFormation
		if d.Service == "" && len(d.Actions) == 0 {
			d.Service = "lakeformation"
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
