package iam

import (
	"fmt"
	"strings"
	"testing"
)

// The accounts and principals of the Decide tests: a role session whose
// role has a path (so that only aws:PrincipalArn gives its ARN), an IAM
// user, a federated user session that came from that user, the root user.
const (
	acctA       = "111122223333"
	acctB       = "444455556666"
	roleARN     = "arn:aws:iam::" + acctA + ":role/quilt/QuiltUser"
	sessionARN  = "arn:aws:sts::" + acctA + ":assumed-role/QuiltUser/alice"
	userARN     = "arn:aws:iam::" + acctA + ":user/bob"
	fedARN      = "arn:aws:sts::" + acctA + ":federated-user/bob"
	rootARN     = "arn:aws:iam::" + acctA + ":root"
	object      = "arn:aws:s3:::data/k"
	keyARN      = "arn:aws:kms:us-east-1:" + acctA + ":key/k1"
	tableB      = "arn:aws:glue:us-east-1:" + acctB + ":table/sales/orders"
	targetRole  = "arn:aws:iam::" + acctA + ":role/Target"
	otherRoleB  = "arn:aws:iam::" + acctB + ":role/QuiltUser"
	docSessions = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session"
)

// Where the rules come from (see the package comment).
const (
	docDenyAllow = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html"
	docBasics    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html"
	docSCPEval   = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html"
	docPrincipal = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
	docNotPrinc  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
	docKMS       = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
	docCross     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html"
	docBoundary  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"
	docDenied    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html"
)

// doc wraps statements (JSON objects) into a policy document.
func doc(stmts ...string) string {
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(stmts, ",") + `]}`
}

// stmt is a statement of the given effect on action and resource, with
// extra members (a Principal, a Condition) spliced in.
func stmt(effect, action, resource string, extra ...string) string {
	s := fmt.Sprintf(`{"Effect": %q, "Action": %q, "Resource": %q`, effect, action, resource)
	for _, e := range extra {
		s += ", " + e
	}
	return s + "}"
}

func principal(ids ...string) string {
	return `"Principal": {"AWS": ["` + strings.Join(ids, `", "`) + `"]}`
}

func mustResource(t testing.TB, name, d string) *Policy {
	t.Helper()
	p, err := ParseResource(name, []byte(d))
	if err != nil {
		t.Fatalf("ParseResource(%s): %v", name, err)
	}
	return p
}

func TestDecide(t *testing.T) {
	id := func(name string, stmts ...string) *Policy { return mustParse(t, name, doc(stmts...)) }
	res := func(stmts ...string) *Policy { return mustResource(t, "resource", doc(stmts...)) }
	list := func(p ...*Policy) []*Policy { return p }

	allowGet := id("id", stmt("Allow", "s3:GetObject", "arn:aws:s3:::data/*"))
	allowAll := id("all", stmt("Allow", "*", "*"))
	denyGet := id("deny", stmt("Deny", "s3:GetObject", "*"))
	allowGlue := id("glue", stmt("Allow", "glue:*", "*"))
	allowKMS := id("kms", stmt("Allow", "kms:Decrypt", "*"))
	allowAssume := id("assume", stmt("Allow", "sts:AssumeRole", targetRole))
	listOnly := id("list", stmt("Allow", "s3:ListBucket", "*"))
	session := id("session-policy", stmt("Allow", "s3:GetObject", "arn:aws:s3:::data/*"))
	sessionOther := id("session-other", stmt("Allow", "s3:GetObject", "arn:aws:s3:::other/*"))
	boundary := id("boundary", stmt("Allow", "s3:*", "*"))
	boundaryNarrow := id("boundary-narrow", stmt("Allow", "s3:ListBucket", "*"))
	scpAll := id("FullAWSAccess", stmt("Allow", "*", "*"))
	scpNoS3 := id("NoS3", stmt("Allow", "glue:*", "*"))
	scpDeny := id("DenyS3", stmt("Deny", "s3:*", "*"))

	type tc struct {
		name, source string
		principal    string
		action       string
		resource     string
		set          PolicySet
		want         Decision
		deniedBy     PolicyType
		allowedBy    PolicyType // checked when allowed
		cross        bool
		level        int // SCPLevel, checked when DeniedBy is scp
	}
	get := func(name, source, who string, set PolicySet, want Decision, by PolicyType) tc {
		t := tc{name: name, source: source, principal: who, action: "s3:GetObject", resource: object, set: set, want: want}
		if want == Allowed {
			t.deniedBy, t.allowedBy = PolicyNone, by
		} else {
			t.deniedBy = by
		}
		return t
	}
	tests := []tc{
		// Rule 1: denied by default; the root user has full access.
		get("nothing allows", docDenyAllow+" (all requests are implicitly denied by default)", sessionARN,
			PolicySet{}, ImplicitlyDenied, PolicyIdentity),
		get("root user", docDenyAllow+" (except the root user, which has full access)", rootARN,
			PolicySet{}, Allowed, PolicyIdentity),

		// Rule 2: an explicit Deny anywhere refuses.
		get("identity deny beats identity allow", docDenyAllow+" (Deny evaluation: one explicit deny decides)", sessionARN,
			PolicySet{Identity: list(allowGet, denyGet)}, ExplicitlyDenied, PolicyIdentity),
		get("boundary deny", docDenyAllow+" (Deny evaluation covers permissions boundaries)", sessionARN,
			PolicySet{Identity: list(allowGet), Boundary: id("b", stmt("Allow", "*", "*"), stmt("Deny", "s3:GetObject", "*"))}, ExplicitlyDenied, PolicyBoundary),
		get("session deny", docDenyAllow+" (Deny evaluation covers session policies)", sessionARN,
			PolicySet{Identity: list(allowGet), Session: list(id("s", stmt("Allow", "*", "*"), stmt("Deny", "s3:*", "*")))}, ExplicitlyDenied, PolicySession),
		get("resource deny to everyone", docDenyAllow+" (Deny evaluation covers resource-based policies)", sessionARN,
			PolicySet{Identity: list(allowGet), Resource: res(stmt("Deny", "s3:GetObject", "arn:aws:s3:::data/*", `"Principal": "*"`))}, ExplicitlyDenied, PolicyResource),
		get("resource deny naming the role applies to its sessions", docPrincipal+" (a role principal covers its sessions)", sessionARN,
			PolicySet{Identity: list(allowGet), Resource: res(stmt("Deny", "s3:*", "*", principal(roleARN)))}, ExplicitlyDenied, PolicyResource),
		get("resource deny naming someone else does not apply", docDenyAllow, sessionARN,
			PolicySet{Identity: list(allowGet), Resource: res(stmt("Deny", "s3:*", "*", principal(userARN)))}, Allowed, PolicyIdentity),
		get("resource grant does not beat an identity deny", docDenyAllow+" (an explicit deny in any policy overrides any allows)", sessionARN,
			PolicySet{Identity: list(denyGet), Resource: res(stmt("Allow", "s3:*", "*", principal(sessionARN)))}, ExplicitlyDenied, PolicyIdentity),
		{name: "SCP deny at the OU", source: docDenyAllow + " (Deny evaluation covers SCPs)", principal: sessionARN, action: "s3:GetObject", resource: object,
			set: PolicySet{Identity: list(allowGet), SCPs: [][]*Policy{{scpAll}, {scpAll, scpDeny}}}, want: ExplicitlyDenied, deniedBy: PolicySCP, level: 1},
		get("SCP deny named before an identity deny", docDenied+" (one policy type named; Decide takes the flow chart's order)", sessionARN,
			PolicySet{Identity: list(denyGet), SCPs: [][]*Policy{{scpDeny}}}, ExplicitlyDenied, PolicySCP),

		// Rule 3: SCPs must allow at every level.
		{name: "SCP level without an Allow", source: docSCPEval + " (an Allow at every level from the root to the account)", principal: sessionARN, action: "s3:GetObject", resource: object,
			set: PolicySet{Identity: list(allowGet), SCPs: [][]*Policy{{scpAll}, {scpNoS3}, {scpAll}}}, want: ImplicitlyDenied, deniedBy: PolicySCP, level: 1},
		{name: "SCP empty level", source: docSCPEval, principal: sessionARN, action: "s3:GetObject", resource: object,
			set: PolicySet{Identity: list(allowGet), SCPs: [][]*Policy{{scpAll}, {}}}, want: ImplicitlyDenied, deniedBy: PolicySCP, level: 1},
		get("SCPs allowing at every level", docSCPEval, sessionARN,
			PolicySet{Identity: list(allowGet), SCPs: [][]*Policy{{scpAll}, {scpAll}}}, Allowed, PolicyIdentity),
		get("SCPs limit the root user", docDenyAllow+" (SCPs apply to principals of the account, the root user included)", rootARN,
			PolicySet{SCPs: [][]*Policy{{scpNoS3}}}, ImplicitlyDenied, PolicySCP),
		get("SCPs limit a resource policy's grant", docBasics+" (resource-based policies grant only if the SCP allows too)", sessionARN,
			PolicySet{Resource: res(stmt("Allow", "s3:*", "*", principal(sessionARN))), SCPs: [][]*Policy{{scpNoS3}}}, ImplicitlyDenied, PolicySCP),

		// Rule 4: within an account, identity or resource policy.
		get("resource policy alone grants", docBasics+" (identity-based or resource-based policy, or both)", sessionARN,
			PolicySet{Resource: res(stmt("Allow", "s3:GetObject", "arn:aws:s3:::data/*", principal(sessionARN)))}, Allowed, PolicyResource),
		get("identity policy alone grants beside a resource policy", docBasics, sessionARN,
			PolicySet{Identity: list(allowGet), Resource: res(stmt("Allow", "s3:PutObject", "*", principal(sessionARN)))}, Allowed, PolicyIdentity),
		get("resource policy for another action grants nothing", docBasics, sessionARN,
			PolicySet{Resource: res(stmt("Allow", "s3:PutObject", "*", principal(sessionARN)))}, ImplicitlyDenied, PolicyIdentity),

		// Rule 5: naming the caller itself grants past implicit denies.
		get("session ARN named: boundary does not limit", docDenyAllow+" (permissions granted directly to a session are not limited by a boundary or session policy)", sessionARN,
			PolicySet{Boundary: boundaryNarrow, Session: list(sessionOther), Resource: res(stmt("Allow", "s3:GetObject", "*", principal(sessionARN)))}, Allowed, PolicyResource),
		get("IAM user named: identity and boundary do not limit", docDenyAllow+" (grants to an IAM user ARN are not limited by identity policy or boundary)", userARN,
			PolicySet{Boundary: boundaryNarrow, Resource: res(stmt("Allow", "s3:GetObject", "*", principal(userARN)))}, Allowed, PolicyResource),
		get("federated session named: session policy does not limit", docDenyAllow+" (grants to a federated user session ARN go directly to the session)", fedARN,
			PolicySet{Session: list(sessionOther), Resource: res(stmt("Allow", "s3:GetObject", "*", principal(fedARN)))}, Allowed, PolicyResource),

		// Rule 6: naming the role (or the user behind a federated session)
		// is limited by boundary and session policy.
		get("role ARN named: no identity policy needed", docDenyAllow+" (role ARN grants are limited by boundary or session policy only)", sessionARN,
			PolicySet{Resource: res(stmt("Allow", "s3:GetObject", "*", principal(roleARN)))}, Allowed, PolicyResource),
		get("role ARN named: limited by the boundary", docDenyAllow+" (limited by an implicit deny in a permissions boundary)", sessionARN,
			PolicySet{Boundary: boundaryNarrow, Resource: res(stmt("Allow", "s3:GetObject", "*", principal(roleARN)))}, ImplicitlyDenied, PolicyBoundary),
		get("role ARN named: limited by the session policy", docSessions+" (the session policy limits what a resource policy naming the role grants)", sessionARN,
			PolicySet{Session: list(sessionOther), Resource: res(stmt("Allow", "s3:GetObject", "*", principal(roleARN)))}, ImplicitlyDenied, PolicySession),
		get("role ARN named: within boundary and session policy", docSessions, sessionARN,
			PolicySet{Boundary: boundary, Session: list(session), Resource: res(stmt("Allow", "s3:GetObject", "*", principal(roleARN)))}, Allowed, PolicyResource),
		get("role named without its path does not match", docPrincipal+" (no wildcard or partial match within a principal)", sessionARN,
			PolicySet{Resource: res(stmt("Allow", "s3:GetObject", "*", principal("arn:aws:iam::"+acctA+":role/QuiltUser")))}, ImplicitlyDenied, PolicyIdentity),
		get("federating user named: limited by the session policy", docDenyAllow+" (a grant to the IAM user who federated is limited by session policy)", fedARN,
			PolicySet{Entity: userARN, Session: list(sessionOther), Resource: res(stmt("Allow", "s3:GetObject", "*", principal(userARN)))}, ImplicitlyDenied, PolicySession),
		get("federating user named, within the session policy", docDenyAllow, fedARN,
			PolicySet{Entity: userARN, Session: list(session), Resource: res(stmt("Allow", "s3:GetObject", "*", principal(userARN)))}, Allowed, PolicyResource),
		get("role's ARN given as Entity", docPrincipal, "arn:aws:sts::"+acctA+":assumed-role/QuiltUser/bob",
			PolicySet{Entity: roleARN, Resource: res(stmt("Allow", "s3:GetObject", "*", principal(roleARN)))}, Allowed, PolicyResource),

		// Rule 7: "*" grants every principal of the account directly.
		get(`"*" with aws:PrincipalArn: the boundary does not limit`, docPrincipal+" (boundaries and session policies do not limit grants to * with aws:PrincipalArn)", sessionARN,
			PolicySet{Boundary: boundaryNarrow, Session: list(sessionOther), Resource: res(stmt("Allow", "s3:GetObject", "*", `"Principal": {"AWS": "*"}`,
				`"Condition": {"ArnEquals": {"aws:PrincipalArn": "`+roleARN+`"}}`))}, Allowed, PolicyResource),
		get(`"*" condition not met`, docPrincipal, sessionARN,
			PolicySet{Resource: res(stmt("Allow", "s3:GetObject", "*", `"Principal": "*"`,
				`"Condition": {"ArnEquals": {"aws:PrincipalArn": "`+targetRole+`"}}`))}, ImplicitlyDenied, PolicyIdentity),

		// Rule 8: naming the account delegates to IAM.
		get("account root named: identity must allow", docPrincipal+" (an account principal delegates authority to the account)", sessionARN,
			PolicySet{Resource: res(stmt("Allow", "s3:GetObject", "*", principal(rootARN)))}, ImplicitlyDenied, PolicyIdentity),
		get("account id named: boundary still limits", docPrincipal, sessionARN,
			PolicySet{Identity: list(allowGet), Boundary: boundaryNarrow, Resource: res(stmt("Allow", "s3:GetObject", "*", principal(acctA)))}, ImplicitlyDenied, PolicyBoundary),

		// Rule 9: key policies and trust policies must allow.
		{name: "key policy names someone else", source: docDenyAllow + " (KMS key policies must explicitly allow access)", principal: sessionARN, action: "kms:Decrypt", resource: keyARN,
			set: PolicySet{Identity: list(allowKMS), Resource: res(stmt("Allow", "kms:*", "*", principal(userARN)))}, want: ImplicitlyDenied, deniedBy: PolicyResource},
		{name: "key policy names the account", source: docKMS + " (the root statement enables IAM policies)", principal: sessionARN, action: "kms:Decrypt", resource: keyARN,
			set: PolicySet{Identity: list(allowKMS), Resource: res(stmt("Allow", "kms:*", "*", principal(rootARN)))}, want: Allowed, deniedBy: PolicyNone, allowedBy: PolicyIdentity},
		{name: "key policy names the account, no IAM policy", source: docKMS, principal: sessionARN, action: "kms:Decrypt", resource: keyARN,
			set: PolicySet{Resource: res(stmt("Allow", "kms:*", "*", principal(rootARN)))}, want: ImplicitlyDenied, deniedBy: PolicyIdentity},
		{name: "key policy names the role", source: docDenyAllow, principal: sessionARN, action: "kms:Decrypt", resource: keyARN,
			set: PolicySet{Resource: res(stmt("Allow", "kms:Decrypt", "*", principal(roleARN)))}, want: Allowed, deniedBy: PolicyNone, allowedBy: PolicyResource},
		{name: "no key policy given: the default one", source: docKMS + " (the default key policy enables IAM policies)", principal: sessionARN, action: "kms:Decrypt", resource: keyARN,
			set: PolicySet{Identity: list(allowKMS)}, want: Allowed, deniedBy: PolicyNone, allowedBy: PolicyIdentity},
		{name: "trust policy names someone else", source: docDenyAllow + " (role trust policies must explicitly allow access)", principal: userARN, action: "sts:AssumeRole", resource: targetRole,
			set: PolicySet{Identity: list(allowAssume), Resource: res(stmt("Allow", "sts:AssumeRole", "*", principal("arn:aws:iam::"+acctA+":user/eve")))}, want: ImplicitlyDenied, deniedBy: PolicyResource},
		{name: "trust policy names the user", source: docDenyAllow, principal: userARN, action: "sts:AssumeRole", resource: targetRole,
			set: PolicySet{Resource: res(stmt("Allow", "sts:AssumeRole", "*", principal(userARN)))}, want: Allowed, deniedBy: PolicyNone, allowedBy: PolicyResource},

		// Rule 10: identity policies, then the boundary.
		get("boundary without an Allow", docDenyAllow+" (if the boundary does not allow, the request is implicitly denied)", sessionARN,
			PolicySet{Identity: list(allowGet), Boundary: boundaryNarrow}, ImplicitlyDenied, PolicyBoundary),
		get("boundary allows", docBoundary+" (allowed by both identity policies and boundary)", sessionARN,
			PolicySet{Identity: list(allowGet), Boundary: boundary}, Allowed, PolicyIdentity),
		get("a boundary grants nothing by itself", docBoundary+" (a boundary sets maximum permissions)", sessionARN,
			PolicySet{Identity: list(listOnly), Boundary: boundary}, ImplicitlyDenied, PolicyIdentity),
		get("identity named before the boundary", docDenied+" (one policy type named)", sessionARN,
			PolicySet{Identity: list(listOnly), Boundary: boundaryNarrow, Session: list(sessionOther)}, ImplicitlyDenied, PolicyIdentity),

		// Rule 11: session policies.
		get("session policy allows", docDenyAllow+" (a session policy that allows gives Allow)", sessionARN,
			PolicySet{Identity: list(allowAll), Session: list(session)}, Allowed, PolicyIdentity),
		get("session policy does not allow", docDenyAllow+" (a session policy that does not allow gives an implicit deny)", sessionARN,
			PolicySet{Identity: list(allowAll), Session: list(sessionOther)}, ImplicitlyDenied, PolicySession),
		get("session policy grants nothing by itself", docSessions+" (the intersection of identity and session policies)", sessionARN,
			PolicySet{Identity: list(listOnly), Session: list(session)}, ImplicitlyDenied, PolicyIdentity),
		get("any session policy may allow", docSessions+" (Policy and PolicyArns passed together)", sessionARN,
			PolicySet{Identity: list(allowAll), Session: list(sessionOther, session)}, Allowed, PolicyIdentity),
		get("role session without a session policy", docDenyAllow+" (no session policy: a role session is allowed)", sessionARN,
			PolicySet{Identity: list(allowAll)}, Allowed, PolicyIdentity),
		get("federated session without a session policy", docDenyAllow+" (no session policy and not a role session: implicitly denied)", fedARN,
			PolicySet{Identity: list(allowAll)}, ImplicitlyDenied, PolicySession),
		get("an IAM user carries no session policy", docDenyAllow+" (not a session principal: Allow)", userARN,
			PolicySet{Identity: list(allowAll), Session: list(sessionOther)}, Allowed, PolicyIdentity),

		// Rule 12: across accounts both sides must allow.
		{name: "cross-account without a resource policy", source: docCross + " (the resource-based policy in the trusting account must allow)", principal: sessionARN, action: "glue:GetTable", resource: tableB,
			set: PolicySet{Identity: list(allowGlue)}, want: ImplicitlyDenied, deniedBy: PolicyResource, cross: true},
		{name: "cross-account resource grant needs the identity side", source: docCross + " (the requester must have an identity-based policy too)", principal: sessionARN, action: "glue:GetTable", resource: tableB,
			set: PolicySet{Resource: res(stmt("Allow", "glue:*", "*", principal(sessionARN)))}, want: ImplicitlyDenied, deniedBy: PolicyIdentity, cross: true},
		{name: "cross-account, account named", source: docCross + " (you can specify the entire account)", principal: sessionARN, action: "glue:GetTable", resource: tableB,
			set: PolicySet{Identity: list(allowGlue), Resource: res(stmt("Allow", "glue:*", "*", principal(acctA)))}, want: Allowed, deniedBy: PolicyNone, allowedBy: PolicyResource, cross: true},
		{name: "cross-account, session ARN named: the boundary still limits", source: docCross + " (the trusted account's evaluation includes what limits identity policies)", principal: sessionARN, action: "glue:GetTable", resource: tableB,
			set: PolicySet{Identity: list(allowGlue), Boundary: boundaryNarrow, Resource: res(stmt("Allow", "glue:*", "*", principal(sessionARN)))}, want: ImplicitlyDenied, deniedBy: PolicyBoundary, cross: true},
		{name: "cross-account, session policy limits", source: docCross, principal: sessionARN, action: "glue:GetTable", resource: tableB,
			set: PolicySet{Identity: list(allowGlue), Session: list(sessionOther), Resource: res(stmt("Allow", "glue:*", "*", principal(roleARN)))}, want: ImplicitlyDenied, deniedBy: PolicySession, cross: true},
		{name: "cross-account resource deny", source: docCross, principal: sessionARN, action: "glue:GetTable", resource: tableB,
			set: PolicySet{Identity: list(allowGlue), Resource: res(stmt("Deny", "glue:*", "*", principal(acctA)))}, want: ExplicitlyDenied, deniedBy: PolicyResource, cross: true},
		{name: "cross-account, another account's role of the same name", source: docPrincipal + " (principals match exactly)", principal: sessionARN, action: "glue:GetTable", resource: tableB,
			set: PolicySet{Identity: list(allowGlue), Resource: res(stmt("Allow", "glue:*", "*", principal(otherRoleB)))}, want: ImplicitlyDenied, deniedBy: PolicyResource, cross: true},
		{name: "S3 bucket owned by another account", source: docCross, principal: sessionARN, action: "s3:GetObject", resource: object,
			set: PolicySet{Identity: list(allowGet), ResourceAccount: acctB}, want: ImplicitlyDenied, deniedBy: PolicyResource, cross: true},
		{name: "S3 bucket of another account whose policy names the role", source: docCross, principal: sessionARN, action: "s3:GetObject", resource: object,
			set: PolicySet{Identity: list(allowGet), ResourceAccount: acctB, Resource: res(stmt("Allow", "s3:GetObject", "arn:aws:s3:::data/*", principal(roleARN)))}, want: Allowed, deniedBy: PolicyNone, allowedBy: PolicyResource, cross: true},

		// Rule 13: NotPrincipal with Deny.
		get("NotPrincipal naming only the session still denies", docNotPrinc+" (also name the role and the account, or the deny may apply)", sessionARN,
			PolicySet{Identity: list(allowGet), Resource: res(stmt("Deny", "s3:*", "*", `"NotPrincipal": {"AWS": "`+sessionARN+`"}`))}, ExplicitlyDenied, PolicyResource),
		get("NotPrincipal naming session, role and account spares", docNotPrinc, sessionARN,
			PolicySet{Identity: list(allowGet), Resource: res(stmt("Deny", "s3:*", "*", `"NotPrincipal": {"AWS": ["`+sessionARN+`", "`+roleARN+`", "`+rootARN+`"]}`))}, Allowed, PolicyIdentity),
		get("NotPrincipal Deny always applies to a role with a boundary", docBoundary+" (NotPrincipal with Deny always denies a principal with a boundary)", sessionARN,
			PolicySet{Identity: list(allowGet), Boundary: boundary, Resource: res(stmt("Deny", "s3:*", "*", `"NotPrincipal": {"AWS": ["`+sessionARN+`", "`+roleARN+`", "`+rootARN+`"]}`))}, ExplicitlyDenied, PolicyResource),
		get("NotPrincipal with Allow grants everyone else", docNotPrinc+" (Allow with NotPrincipal grants all principals except those named)", sessionARN,
			PolicySet{Resource: res(stmt("Allow", "s3:*", "*", `"NotPrincipal": {"AWS": "`+userARN+`"}`))}, Allowed, PolicyResource),
		get("NotPrincipal with Allow naming the account excludes it", docNotPrinc, sessionARN,
			PolicySet{Resource: res(stmt("Allow", "s3:*", "*", `"NotPrincipal": {"AWS": "`+acctA+`"}`))}, ImplicitlyDenied, PolicyIdentity),
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Principal: tt.principal, Action: tt.action, Resource: tt.resource,
				Context: map[string][]string{"aws:PrincipalArn": {principalARNOf(tt.principal)}}}
			got := Decide(req, tt.set)
			if got.Decision != tt.want || got.DeniedBy != tt.deniedBy {
				t.Errorf("got %v denied_by %s, want %v denied_by %s\nsource: %s", got.Decision, got.DeniedBy, tt.want, tt.deniedBy, tt.source)
			}
			if tt.want == Allowed && got.AllowedBy != tt.allowedBy {
				t.Errorf("got allowed by %s, want %s (source: %s)", got.AllowedBy, tt.allowedBy, tt.source)
			}
			if tt.want != Allowed && got.AllowedBy != PolicyNone {
				t.Errorf("a denial says allowed by %s", got.AllowedBy)
			}
			if got.CrossAccount != tt.cross {
				t.Errorf("got cross-account %v, want %v", got.CrossAccount, tt.cross)
			}
			if tt.deniedBy == PolicySCP && got.SCPLevel != tt.level {
				t.Errorf("got SCP level %d, want %d", got.SCPLevel, tt.level)
			}
			if got.Decision == ExplicitlyDenied && (got.Statement == nil || got.Statement.Effect != Deny) {
				t.Errorf("an explicit deny names statement %+v, want the Deny", got.Statement)
			}
		})
	}
}

// principalArnOf is aws:PrincipalArn as AWS sets it: the role's ARN (with
// its path) for a role session, the caller's own ARN otherwise.
func principalARNOf(caller string) string {
	if caller == sessionARN {
		return roleARN
	}
	return caller
}

// TestDecideNamesThePolicy checks what an Outcome says beyond its type:
// the Deny that refused, the Allow that granted, the policy that lacked an
// Allow.
func TestDecideNamesThePolicy(t *testing.T) {
	idp := mustParse(t, "role/inline", doc(stmt("Allow", "s3:*", "*")))
	bound := mustParse(t, "boundary", doc(stmt("Allow", "glue:*", "*")))
	req := Request{Principal: sessionARN, Action: "s3:GetObject", Resource: object}

	o := Decide(req, PolicySet{Identity: []*Policy{idp}, Boundary: bound})
	if o.Policy != "boundary" || o.Statement != nil {
		t.Errorf("boundary refusal: got policy %q statement %v, want boundary and none", o.Policy, o.Statement)
	}
	o = Decide(req, PolicySet{Identity: []*Policy{idp}})
	if o.Decision != Allowed || o.Policy != "role/inline" || o.Statement != &idp.Statements[0] {
		t.Errorf("allowed: got %+v, want the identity statement", o.Result)
	}
	bucket := mustResource(t, "bucket-policy", doc(stmt("Allow", "s3:GetObject", "*", principal(sessionARN)), stmt("Deny", "s3:GetObject", "*", principal(acctA))))
	o = Decide(req, PolicySet{Resource: bucket})
	if o.Decision != ExplicitlyDenied || o.Policy != "bucket-policy" || o.Statement != &bucket.Statements[1] {
		t.Errorf("resource deny: got %+v, want its Deny statement", o.Result)
	}
}

// TestDecideAgreesWithEvaluate: with identity policies alone, Decide is
// today's Evaluate.
func TestDecideAgreesWithEvaluate(t *testing.T) {
	p := mustParse(t, "quilt", benchPolicy)
	ctx := map[string][]string{"aws:username": {"alice"}, "aws:CalledVia": {"athena.amazonaws.com"}, "aws:SecureTransport": {"false"}}
	for _, r := range []Request{
		{Principal: sessionARN, Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:123456789012:table/sales/orders", Context: ctx},
		{Principal: sessionARN, Action: "s3:PutObject", Resource: "arn:aws:s3:::quilt-results/athena/alice/q.csv", Context: ctx},
		{Principal: sessionARN, Action: "s3:DeleteObject", Resource: "arn:aws:s3:::quilt-data/k", Context: ctx},
		{Principal: sessionARN, Action: "athena:StartQueryExecution", Resource: "arn:aws:athena:us-east-1:123456789012:workgroup/primary", Context: ctx},
	} {
		r.Principal = "arn:aws:sts::123456789012:assumed-role/QuiltUser/alice"
		want := Evaluate(r, p)
		got := Decide(r, PolicySet{Identity: []*Policy{p}})
		if got.Decision != want.Decision || got.Statement != want.Statement {
			t.Errorf("%s on %s: Decide %v (%v), Evaluate %v (%v)", r.Action, r.Resource, got.Decision, got.Statement, want.Decision, want.Statement)
		}
		if wantBy := PolicyIdentity; got.Decision != Allowed && got.DeniedBy != wantBy {
			t.Errorf("%s: denied by %s, want %s", r.Action, got.DeniedBy, wantBy)
		}
	}
}

func TestParseResource(t *testing.T) {
	good := doc(
		stmt("Allow", "s3:GetObject", "arn:aws:s3:::b/*", `"Principal": {"AWS": ["123456789012", "arn:aws:iam::123456789012:role/R"], "Service": "athena.amazonaws.com"}`),
		stmt("Deny", "s3:*", "*", `"NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}`),
		stmt("Allow", "s3:ListBucket", "*", `"Principal": "*"`),
	)
	p, err := ParseResource("bucket", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := []Principal{{"AWS", "123456789012"}, {"AWS", "arn:aws:iam::123456789012:role/R"}, {"Service", "athena.amazonaws.com"}}
	if fmt.Sprint(p.Statements[0].Principals) != fmt.Sprint(want) {
		t.Errorf("principals: got %v, want %v", p.Statements[0].Principals, want)
	}
	if got := p.Statements[1].NotPrincipals; len(got) != 1 || got[0].ID != "arn:aws:iam::123456789012:root" {
		t.Errorf("not-principals: got %v", got)
	}
	if got := p.Statements[2].Principals; len(got) != 1 || got[0] != (Principal{"*", "*"}) {
		t.Errorf(`"*": got %v`, got)
	}

	bad := []struct{ name, doc, want string }{
		{"no principal", doc(stmt("Allow", "s3:*", "*")), "needs a Principal"},
		{"both", doc(stmt("Allow", "s3:*", "*", `"Principal": "*", "NotPrincipal": "*"`)), "both Principal and NotPrincipal"},
		{"wildcard in an ARN", doc(stmt("Allow", "s3:*", "*", principal("arn:aws:iam::123456789012:role/Quilt*"))), "has a wildcard"},
		{"not an ARN", doc(stmt("Allow", "s3:*", "*", principal("QuiltUser"))), "neither an account id"},
		{"unknown type", doc(stmt("Allow", "s3:*", "*", `"Principal": {"Aws": "123456789012"}`)), `spelt with the wrong case; write "AWS"`},
		{"a string other than *", doc(stmt("Allow", "s3:*", "*", `"Principal": "123456789012"`)), `must be "*"`},
		{"empty object", doc(stmt("Allow", "s3:*", "*", `"Principal": {}`)), "empty"},
	}
	for _, tt := range bad {
		_, err := ParseResource("bucket", []byte(tt.doc))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
		var pe *ParseError
		if err != nil && !asParseError(err, &pe) {
			t.Errorf("%s: got %T, want *ParseError", tt.name, err)
		}
	}
	// An identity policy still refuses a Principal.
	if _, err := Parse("identity", []byte(good)); err == nil || !strings.Contains(err.Error(), "not allowed in an identity policy") {
		t.Errorf("Parse of a resource policy: got %v, want the identity-policy refusal", err)
	}
}

func asParseError(err error, pe **ParseError) bool {
	p, ok := err.(*ParseError)
	*pe = p
	return ok
}
