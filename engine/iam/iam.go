// Package iam reads AWS IAM policy documents and evaluates requests against
// them with AWS's logic: an explicit Deny beats an Allow, which beats the
// implicit deny.
//
// Evaluate decides a request against identity policies alone. Decide
// decides it against every policy type that can bear on it (a PolicySet:
// identity policies, session policies, a permissions boundary, SCPs at each
// level from the root to the account, the resource's resource-based
// policy, in the caller's account or another) and says which type decided
// (Outcome.DeniedBy). Decide follows these rules; each is tested by a case
// of decide_test.go that cites the same source.
//
//  1. Every request is denied unless allowed; the account's root user has
//     full access. (IAM User Guide, "How AWS enforcement code logic
//     evaluates requests to allow or deny access",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html)
//  2. A Deny that applies, in any policy of any type, refuses, whatever
//     allows. (Same page, "Deny evaluation".)
//  3. SCPs: when the account is in an organization, an Allow is needed at
//     every level from the root through each OU to the account itself;
//     they limit the root user too. (Same page, "AWS Organizations SCPs";
//     Organizations User Guide, "SCP evaluation",
//     https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html)
//  4. Within one account, an Allow in the identity policies or in the
//     resource policy is enough: the permissions are their union. (IAM
//     User Guide, "Policy evaluation for requests within a single
//     account",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html)
//  5. A resource policy that names the caller itself (the role session
//     ARN, the IAM user, the federated user session) grants directly: an
//     implicit deny in the identity policies, the boundary or the session
//     policy does not limit it. (Evaluation-logic page, "Resource-based
//     policies", and its table of principal types.)
//  6. A resource policy that names the role ARN of a role session (or the
//     IAM user behind a federated session) is still limited by an implicit
//     deny in the permissions boundary or the session policy, though not by
//     the identity policies. (Same place; IAM User Guide, "Policies and
//     permissions", session policies,
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session:
//     a resource policy naming the session is "not limited by the session
//     policy", one naming the user or role is.)
//  7. A resource policy that names "*" grants every principal of the
//     account with no other permission needed, and neither a boundary nor a
//     session policy limits it. (IAM User Guide, "AWS JSON policy elements:
//     Principal", all principals and role principals,
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)
//  8. A resource policy that names the account (its id or its root ARN)
//     delegates to the account: the caller's identity policies must still
//     allow. (Same page, AWS account principals.)
//  9. KMS key policies and role trust policies must themselves allow the
//     caller, directly or by naming the account; without that, an Allow in
//     the identity policies has no effect. A KMS key with no key policy
//     given is read as having the default key policy, which names the
//     account and so enables IAM policies. (Evaluation-logic page,
//     "Resource-based policies"; KMS Developer Guide, "Default key policy",
//     https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html)
//  10. Otherwise the identity policies must allow; then the permissions
//     boundary, when there is one, must allow too. (Evaluation-logic page,
//     "Identity-based policies", "IAM permissions boundaries".)
//  11. A session principal (role session, federated user session) whose
//     credentials carry session policies needs one of them to allow; a role
//     session without one is not limited; a federated user session
//     without one is denied. An IAM user or the root user carries no
//     session policy. Several session policies (the Policy and PolicyArns
//     of one AssumeRole) are read as one limit: any of them may allow.
//     (Evaluation-logic page, "Session policies".)
//  12. A cross-account request must be allowed in both accounts: in the
//     caller's by the identity policies with everything that limits them
//     (boundary, session policy, the caller's SCPs), and in the resource's
//     by its resource policy (naming the caller, its role, its account or
//     "*"); without a resource policy it is denied. (IAM User Guide,
//     "Cross-account policy evaluation logic",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)
//  13. A resource policy's Deny with NotPrincipal spares a caller only
//     when it lists all of the caller's names (account, role, session)
//     ("AWS JSON policy elements: NotPrincipal"), and always applies to a
//     caller whose user or role has a permissions boundary (IAM User Guide,
//     "Permissions boundaries for IAM entities",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
//  14. When several policy types refuse, AWS names one of them ("Troubleshoot
//     access denied error messages",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html);
//     Decide names the first in the order of the flow chart (see Decide).
//
// Not modeled: resource control policies, VPC endpoint policies, S3 ACLs
// and Object Ownership, Lake Formation grants, service principals, and
// the exemptions of the organization's management account and of
// service-linked roles from SCPs.
package iam

// Effect is a statement's effect.
type Effect string

// The two effects a statement can have.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy is one parsed identity policy document. Version is as written
// (empty when the document has none, which AWS reads as 2008-10-17).
type Policy struct {
	Name       string // where it came from: a file name or a role policy name
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one statement of a policy, with its lists normalized to
// slices whatever form (string or list) the document used.
type Statement struct {
	Index        int // position in the policy's Statement list
	Sid          string
	Effect       Effect
	Actions      []string
	NotActions   []string
	Resources    []string
	NotResources []string
	Conditions   []Condition
	// Principals and NotPrincipals are a resource-based policy's Principal
	// and NotPrincipal elements; identity policies have neither.
	Principals    []Principal
	NotPrincipals []Principal

	// c is the compiled form Parse builds, so that Evaluate never re-reads
	// policy text. A program that edits a parsed Statement must call
	// (*Policy).Compile again.
	c *compiled
}

// Principal is one principal a resource-based policy names. Type is the
// key it is listed under ("AWS", "Service", "Federated", "CanonicalUser"),
// or "*" for the bare "Principal": "*"; ID is the value as written (an
// account id, an ARN, a service name, "*").
type Principal struct {
	Type string
	ID   string
}

// Condition is one (operator, key, values) test of a Condition block.
// Operator is as written, qualifiers included ("ForAnyValue:StringLike",
// "StringEqualsIfExists").
type Condition struct {
	Operator string
	Key      string
	Values   []string
}

// Request is one authorization question.
type Request struct {
	Principal string // the caller's ARN
	Action    string // "service:Action"
	Resource  string // an ARN, or "*"
	// Context holds condition keys and their values; a key with several
	// values (aws:CalledVia) is multi-valued. Keys match case-insensitively.
	Context map[string][]string
}

// Decision is the outcome of an evaluation.
type Decision int

// The three outcomes AWS's evaluation logic can reach.
const (
	ImplicitlyDenied Decision = iota
	Allowed
	ExplicitlyDenied
)

// String returns the decision's name: "Allowed", "ImplicitlyDenied" or
// "ExplicitlyDenied".
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "Allowed"
	case ExplicitlyDenied:
		return "ExplicitlyDenied"
	default:
		return "ImplicitlyDenied"
	}
}

// Result says what was decided and which statement decided it. Statement
// is nil for an implicit deny.
type Result struct {
	Decision  Decision
	Policy    string     // the deciding policy's Name; empty for an implicit deny
	Statement *Statement // the deciding statement, inside that policy
}
