package iam

import "strings"

// PolicyType names a kind of policy: the one that decided an Outcome.
type PolicyType string

// The policy types Decide weighs, and PolicyNone for an allowed request.
const (
	PolicyNone     PolicyType = "none"
	PolicyIdentity PolicyType = "identity" // the caller's identity-based policies
	PolicySession  PolicyType = "session"  // the session policies of the caller's credentials
	PolicyBoundary PolicyType = "boundary" // the permissions boundary of the caller's user or role
	PolicySCP      PolicyType = "scp"      // an Organizations service control policy
	PolicyResource PolicyType = "resource" // the resource's resource-based policy
)

// Name is the policy type as AWS's refusals name it ("identity-based
// policy", "session policy", "permissions boundary", "service control
// policy", "resource-based policy"); "" for PolicyNone or an unknown type.
func (t PolicyType) Name() string {
	switch t {
	case PolicyIdentity:
		return "identity-based policy"
	case PolicySession:
		return "session policy"
	case PolicyBoundary:
		return "permissions boundary"
	case PolicySCP:
		return "service control policy"
	case PolicyResource:
		return "resource-based policy"
	}
	return ""
}

// PolicySet is every policy that bears on one request. Only Identity is
// needed; each other field, left empty, means the caller or the resource
// has no policy of that type.
type PolicySet struct {
	// Identity are the identity-based policies of the caller's IAM user
	// or role (for a role session, the role's).
	Identity []*Policy
	// Session are the session policies passed when the caller's
	// credentials were made (AssumeRole's Policy and PolicyArns,
	// GetFederationToken's). They act as one: any of them may allow.
	Session []*Policy
	// Boundary is the permissions boundary of the caller's user or role.
	Boundary *Policy
	// SCPs are the service control policies of the caller's account,
	// one entry per level from the organization's root (SCPs[0]) through
	// each OU to the account itself (the last); nil when the account is in
	// no organization. Every level must allow.
	SCPs [][]*Policy
	// Resource is the resource's resource-based policy (bucket policy, key
	// policy, function policy, catalog policy, trust policy), parsed with
	// ParseResource. A KMS key always has a key policy: nil is read as
	// the default one, which delegates to the account's IAM policies.
	Resource *Policy
	// ResourceAccount is the account that owns the resource. Empty means
	// the account in the resource's ARN, or, for ARNs without one (S3),
	// the caller's own.
	ResourceAccount string
	// Entity is the ARN of the IAM role or user behind the caller's
	// session, for a resource policy that names it. Empty means: for a
	// role session, aws:PrincipalArn of the request, or the role's ARN
	// without a path; for a federated user session, unknown.
	Entity string
}

// Outcome is a combined decision: the Result (decision, and the statement
// that decided it: the Deny that refused or the Allow that granted; none
// for an implicit deny, where Policy names the policy that lacked an
// Allow when there is one such policy), which policy type decided it, and
// whether the request crossed accounts.
type Outcome struct {
	Result
	// DeniedBy is the policy type that refused: explicitly when Decision
	// is ExplicitlyDenied, for want of an Allow when ImplicitlyDenied;
	// PolicyNone when the request is allowed.
	DeniedBy PolicyType
	// AllowedBy is the policy type whose Allow the request rests on
	// (identity or resource); PolicyNone when denied. A cross-account
	// request needs both and reports resource.
	AllowedBy PolicyType
	// SCPLevel is the level (0 = root) of the SCP that refused, when
	// DeniedBy is PolicySCP.
	SCPLevel int
	// CrossAccount is true when the resource belongs to another account
	// than the caller's.
	CrossAccount bool
}

// hit is a statement found to cover a request.
type hit struct {
	policy string
	st     *Statement
}

func (h hit) result(d Decision) Result { return Result{Decision: d, Policy: h.policy, Statement: h.st} }

// query is one request, ready to match against statements.
type query struct {
	action   string // lower-cased
	resource string
	ctx      contextKeys
}

// covers reports whether st covers the request, compiling a statement
// built by hand (with what does not compile matching nothing).
func (q *query) covers(st *Statement, version string) bool {
	c := st.c
	if c == nil {
		c, _ = compileStatement(st, version == Version2012)
	}
	return c.applies(q.action, q.resource, q.ctx)
}

// scan finds the first Deny and the first Allow among policies that cover
// the request, ignoring any Principal (identity-shaped policies have
// none). It stops at the first Deny.
func (q *query) scan(policies []*Policy) (deny, allow hit) {
	for _, p := range policies {
		if p == nil {
			continue
		}
		for i := range p.Statements {
			st := &p.Statements[i]
			if st.Effect != Deny && (st.Effect != Allow || allow.st != nil) {
				continue
			}
			if !q.covers(st, p.Version) {
				continue
			}
			if st.Effect == Deny {
				return hit{p.Name, st}, allow
			}
			allow = hit{p.Name, st}
		}
	}
	return hit{}, allow
}

// scanResource scans a resource-based policy: the first Deny that covers the
// request and names the caller, and the most direct Allow that does.
func (q *query) scanResource(p *Policy, who *caller, hasBoundary bool) (deny, allow hit, g grant) {
	for i := range p.Statements {
		st := &p.Statements[i]
		switch st.Effect {
		case Deny:
			var applies bool
			if len(st.NotPrincipals) > 0 {
				// A Deny with NotPrincipal "will always deny any IAM
				// principal that has a permissions boundary policy
				// attached, regardless of the values specified in the
				// NotPrincipal element" (IAM User Guide, "Permissions
				// boundaries for IAM entities").
				applies = hasBoundary || !who.listedAll(st.NotPrincipals)
			} else {
				applies = who.best(st.Principals) != grantNone
			}
			if applies && q.covers(st, p.Version) {
				return hit{p.Name, st}, allow, g
			}
		case Allow:
			var n grant
			if len(st.NotPrincipals) > 0 {
				// Allow with NotPrincipal grants to everyone not named,
				// as "*" does; any name of the caller listed excludes it.
				if who.best(st.NotPrincipals) == grantNone {
					n = grantDirect
				}
			} else {
				n = who.best(st.Principals)
			}
			if n > g && q.covers(st, p.Version) {
				allow, g = hit{p.Name, st}, n
			}
		}
	}
	return hit{}, allow, g
}

// keyPolicyRequired reports whether the resource's own policy must allow
// even within the account: "IAM role trust policies and KMS key policies
// are exceptions to this logic, because they must explicitly allow access
// for principals" (IAM User Guide, "Policy evaluation logic").
func keyPolicyRequired(action, resource string) bool {
	switch {
	case strings.HasPrefix(resource, "arn:") && arnService(resource) == "kms":
		return true
	case strings.HasPrefix(action, "sts:assumerole") && strings.Contains(resource, ":iam::") && strings.Contains(resource, ":role/"):
		return true
	}
	return false
}

// arnService is the service field of an ARN.
func arnService(arn string) string {
	var buf [4]string
	f := splitN(arn, 4, buf[:0])
	if len(f) < 4 {
		return ""
	}
	return f[2]
}

// resourceAccount is the account that owns the resource: the one given,
// else the twelve-digit account field of its ARN, else "".
func resourceAccount(given, resource string) string {
	if given != "" {
		return given
	}
	var buf [6]string
	f := splitN(resource, 6, buf[:0])
	if len(f) == 6 && IsAccountID(f[4]) {
		return f[4]
	}
	return ""
}

// onlyName is the Name of the one policy in policies, or "" when there
// are several (none of them is the one that lacked an Allow).
func onlyName(policies []*Policy) string {
	if len(policies) == 1 && policies[0] != nil {
		return policies[0].Name
	}
	return ""
}

// Decide decides req against every policy type in set, with the logic of
// the IAM User Guide's "Policy evaluation logic" pages (the rules and
// their sources are in the package comment). Where several policy types
// refuse, the Outcome names the first in the order AWS's flow chart
// checks them: an explicit Deny in an SCP, the resource policy, the
// identity policies, the boundary, the session policies; then a missing
// Allow in an SCP (root first), the resource policy (where it must
// allow), the identity policies, the boundary, the session policies, and
// for a cross-account request the resource policy last.
func Decide(req Request, set PolicySet) Outcome {
	ctx := contextKeys(req.Context)
	q := query{action: strings.ToLower(req.Action), resource: req.Resource, ctx: ctx}
	who := identify(req.Principal, set.Entity, ctx)
	resAcct := resourceAccount(set.ResourceAccount, req.Resource)
	cross := who.account != "" && resAcct != "" && resAcct != who.account

	deny := func(h hit, by PolicyType) Outcome {
		return Outcome{Result: h.result(ExplicitlyDenied), DeniedBy: by, AllowedBy: PolicyNone, CrossAccount: cross}
	}
	implicit := func(policy string, by PolicyType) Outcome {
		return Outcome{Result: Result{Decision: ImplicitlyDenied, Policy: policy}, DeniedBy: by, AllowedBy: PolicyNone, CrossAccount: cross}
	}
	allowed := func(h hit, by PolicyType) Outcome {
		return Outcome{Result: h.result(Allowed), DeniedBy: PolicyNone, AllowedBy: by, CrossAccount: cross}
	}

	// 1. An explicit Deny in any policy that applies refuses.
	var scpBuf [4]hit // organizations are rarely deeper
	scpAllows := scpBuf[:0]
	if len(set.SCPs) > len(scpBuf) {
		scpAllows = make([]hit, 0, len(set.SCPs))
	}
	for i, level := range set.SCPs {
		d, a := q.scan(level)
		if d.st != nil {
			o := deny(d, PolicySCP)
			o.SCPLevel = i
			return o
		}
		scpAllows = append(scpAllows, a)
	}
	var resAllow hit
	g := grantNone
	if set.Resource != nil {
		var d hit
		if d, resAllow, g = q.scanResource(set.Resource, &who, set.Boundary != nil); d.st != nil {
			return deny(d, PolicyResource)
		}
	}
	idDeny, idAllow := q.scan(set.Identity)
	if idDeny.st != nil {
		return deny(idDeny, PolicyIdentity)
	}
	var bDeny, bAllow hit
	if set.Boundary != nil && who.kind != callerRoot {
		if bDeny, bAllow = q.scan([]*Policy{set.Boundary}); bDeny.st != nil {
			return deny(bDeny, PolicyBoundary)
		}
	}
	// A session policy can only be carried by a session; an IAM user or
	// the root user has none.
	sessionApplies := len(set.Session) > 0 && who.kind != callerUser && who.kind != callerRoot
	var sAllow hit
	if sessionApplies {
		var sDeny hit
		if sDeny, sAllow = q.scan(set.Session); sDeny.st != nil {
			return deny(sDeny, PolicySession)
		}
	}

	// 2. Every SCP level must allow.
	for i, a := range scpAllows {
		if a.st == nil {
			o := implicit(onlyName(set.SCPs[i]), PolicySCP)
			o.SCPLevel = i
			return o
		}
	}

	// What each of the principal's own limits says.
	identityOK := idAllow.st != nil || who.kind == callerRoot // the root user has full access
	boundaryOK := set.Boundary == nil || bAllow.st != nil || who.kind == callerRoot
	var sessionOK bool
	switch {
	case sessionApplies:
		sessionOK = sAllow.st != nil
	case who.kind == callerFederated:
		// A federated user session without a session policy has no
		// permissions ("Otherwise, the request is implicitly denied").
		sessionOK = false
	default:
		sessionOK = true
	}
	boundaryName := ""
	if set.Boundary != nil {
		boundaryName = set.Boundary.Name
	}
	limits := func() (Outcome, bool) {
		switch {
		case !boundaryOK:
			return implicit(boundaryName, PolicyBoundary), false
		case !sessionOK:
			return implicit(onlyName(set.Session), PolicySession), false
		}
		return Outcome{}, true
	}

	// 3. Across accounts, the caller's account and the resource's must
	// each allow: the identity side with all that limits it, and the
	// resource policy.
	if cross {
		if !identityOK {
			return implicit(onlyName(set.Identity), PolicyIdentity)
		}
		if o, ok := limits(); !ok {
			return o
		}
		if g == grantNone {
			name := ""
			if set.Resource != nil {
				name = set.Resource.Name
			}
			return implicit(name, PolicyResource)
		}
		return allowed(resAllow, PolicyResource)
	}

	// 4. Within the account, the resource policy's Allow stands by itself
	// when it names the caller; one naming the role behind a session is
	// still limited by the boundary and the session policy.
	switch g {
	case grantDirect:
		return allowed(resAllow, PolicyResource)
	case grantEntity:
		if o, ok := limits(); !ok {
			return o
		}
		return allowed(resAllow, PolicyResource)
	case grantNone:
		if set.Resource != nil && keyPolicyRequired(q.action, req.Resource) {
			return implicit(set.Resource.Name, PolicyResource)
		}
	}

	// 5. Otherwise the identity policies must allow, within the boundary
	// and the session policy.
	if !identityOK {
		return implicit(onlyName(set.Identity), PolicyIdentity)
	}
	if o, ok := limits(); !ok {
		return o
	}
	return allowed(idAllow, PolicyIdentity)
}
