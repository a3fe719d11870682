package iam

import "strings"

// Caller is who requirements are evaluated for: the principal's ARN and
// the condition keys every request of theirs carries (aws:PrincipalArn,
// aws:username, aws:SourceIp ...).
type Caller struct {
	ARN     string
	Context map[string][]string
}

// Request is the authorization question r asks for c: the caller's keys,
// the requirement's own, and the aws:CalledVia keys of a call Athena makes
// for the caller.
func (r Requirement) Request(c Caller) Request {
	ctx := make(map[string][]string, len(c.Context)+len(r.Context)+5)
	for k, v := range c.Context {
		ctx[k] = v
	}
	if c.ARN != "" && len(contextKeys(ctx).get("aws:PrincipalArn")) == 0 {
		ctx["aws:PrincipalArn"] = []string{c.ARN}
	}
	if r.Via != "" {
		ctx["aws:CalledVia"] = []string{r.Via}
		ctx["aws:CalledViaFirst"] = []string{r.Via}
		ctx["aws:CalledViaLast"] = []string{r.Via}
		ctx["aws:ViaAWSService"] = []string{"true"}
	} else {
		ctx["aws:ViaAWSService"] = []string{"false"}
	}
	for k, v := range r.Context {
		ctx[k] = v
	}
	return Request{Principal: c.ARN, Action: r.Action, Resource: r.Resource, Context: ctx}
}

// Gap is a requirement the policies do not allow, with the evaluation
// that says why: ImplicitlyDenied (no statement allows it; an Allow
// fixes it) or ExplicitlyDenied (a Deny refuses it; no Allow can).
type Gap struct {
	Requirement
	Result Result
	// DeniedBy is the policy type that refused (Missing: always identity).
	DeniedBy PolicyType
	// Blocker is the policy type that would still refuse were the
	// identity policies to allow the pair: empty when an identity
	// statement fixes the gap; identity itself for an identity Deny.
	// A gap with a Blocker needs someone other than the role's
	// identity policies to act (see explain.WhoMustAct).
	Blocker PolicyType
	// SCPLevel is the level of the refusing SCP (0 = the root) when
	// Blocker is scp.
	SCPLevel int
	// CrossAccount says the resource is another account's, and
	// ResourceAccount names that account when known.
	CrossAccount    bool
	ResourceAccount string
}

// Missing evaluates every requirement for the caller against the identity
// policies and returns those not allowed, in the order given. The result
// is never nil: empty means nothing is missing.
//
// A requirement on every object under a prefix ("bucket/prefix/*") is
// asked as that one resource string, so it is allowed only by statements
// that cover the whole prefix; a Deny on a narrower prefix inside it is
// not seen.
func Missing(reqs []Requirement, c Caller, policies ...*Policy) []Gap {
	out := []Gap{}
	for _, r := range reqs {
		res := Evaluate(r.Request(c), policies...)
		if res.Decision != Allowed {
			g := Gap{Requirement: r, Result: res, DeniedBy: PolicyIdentity}
			if res.Decision == ExplicitlyDenied {
				g.Blocker = PolicyIdentity
			}
			out = append(out, g)
		}
	}
	return out
}

// AppliesTo reports whether AWS can check action against resource: whether
// resource's type is one of the resource types the action is authorized
// on. Granting an action on a resource it does not apply to is inert, so a
// fix may merge statements across such pairs. Actions and resources it
// does not know apply everywhere.
func AppliesTo(action, resource string) bool {
	types, ok := actionTypes(strings.ToLower(action))
	if !ok {
		return true
	}
	rt := resourceType(resource)
	if rt == "" {
		return true
	}
	for _, t := range strings.Split(types, ",") {
		if t == rt {
			return true
		}
	}
	return false
}

// Effective reports whether granting action on resource, on its own,
// can allow a request. It is false for an action on a resource type it is
// never checked on (AppliesTo), and for a Glue action checked on tables
// granted on a catalog or database ARN: Glue allows such an action only
// when the table's ARN is granted too, so the ancestor grant adds nothing
// beyond the tables granted. A fix may add non-effective pairs to merge
// statements without widening what the role can do.
func Effective(action, resource string) bool {
	if !AppliesTo(action, resource) {
		return false
	}
	types, ok := actionTypes(strings.ToLower(action))
	if ok && strings.Contains(types, "glue/table") {
		switch resourceType(resource) {
		case "glue/catalog", "glue/database":
			return false
		}
	}
	return true
}

// actionTypes returns, for the actions the catalog uses, the resource
// types each is authorized on (Service Authorization Reference), as
// "service/type" names joined by commas.
func actionTypes(action string) (string, bool) {
	switch action {
	case "glue:getdatabase", "glue:getdatabases", "glue:createdatabase":
		return "glue/catalog,glue/database", true
	case "glue:gettable", "glue:gettables", "glue:getpartition", "glue:getpartitions", "glue:batchgetpartition", "glue:createtable", "glue:updatetable", "glue:deletetable", "glue:createpartition", "glue:batchcreatepartition", "glue:deletepartition", "glue:batchdeletepartition":
		return "glue/catalog,glue/database,glue/table", true
	case "s3:getobject", "s3:putobject", "s3:deleteobject", "s3:abortmultipartupload", "s3:listmultipartuploadparts":
		return "s3/object", true
	case "s3:listbucket", "s3:getbucketlocation", "s3:listbucketmultipartuploads":
		return "s3/bucket", true
	case "athena:startqueryexecution", "athena:getqueryexecution", "athena:getqueryresults", "athena:getqueryresultsstream", "athena:stopqueryexecution", "athena:getworkgroup", "athena:listqueryexecutions", "athena:batchgetqueryexecution", "athena:listnamedqueries":
		return "athena/workgroup", true
	case "athena:getdatacatalog", "athena:listdatabases", "athena:getdatabase", "athena:listtablemetadata", "athena:gettablemetadata":
		return "athena/datacatalog", true
	case "lambda:invokefunction":
		return "lambda/function", true
	case "kms:decrypt", "kms:generatedatakey", "kms:encrypt":
		return "kms/key", true
	}
	return "", false
}

// resourceType names the type of an ARN as "service/type", or "" when it
// cannot tell (a "*", a pattern in the type, an unknown service).
func resourceType(resource string) string {
	a, err := ParseARN(resource)
	if err != nil {
		return ""
	}
	r := a.Resource
	switch a.Service {
	case "s3":
		if a.Region != "" || a.Account != "" || r == "" || strings.ContainsAny(strings.SplitN(r, "/", 2)[0], "*?") {
			return "" // an access point or a wildcard bucket
		}
		if strings.Contains(r, "/") {
			return "s3/object"
		}
		return "s3/bucket"
	case "glue":
		switch t, _, _ := strings.Cut(r, "/"); t {
		case "catalog", "database", "table":
			return "glue/" + t
		}
	case "athena":
		switch t, _, _ := strings.Cut(r, "/"); t {
		case "workgroup", "datacatalog":
			return "athena/" + t
		}
	case "lambda":
		if strings.HasPrefix(r, "function:") {
			return "lambda/function"
		}
	case "kms":
		if strings.HasPrefix(r, "key/") {
			return "kms/key"
		}
		if strings.HasPrefix(r, "alias/") {
			return "kms/alias"
		}
	}
	return ""
}
