// Package principal is who is calling the sandbox's AWS endpoint and what
// they may do: the temporary credentials the registry issues (with the
// session policies they carry), the caller each key stands for, and the
// authorization of every call by deciding it with engine/iam against every
// policy that bears on it: the role's identity policies and permissions
// boundary, the credentials' session policies, the organization's SCPs,
// and the resource policy of the bucket, key or function. Denials are
// worded as AWS words them for the policy type that refused, so that
// clients meet the real texts.
package principal

import (
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/quiltq/quiltq/engine/iam"
)

// Caller is an assumed-role session: a Quilt user acting in a Quilt role.
type Caller struct {
	User      string // the session name (the Quilt user name)
	Email     string
	Role      string // the IAM role name
	AccountID string
	// Session holds the session policies the credentials were issued
	// with; nil when they carry none.
	Session *Session
}

// Session is what a session's credentials carry beyond their role: the
// session policies passed when they were issued (AssumeRole's Policy and
// PolicyArns). It is shared, never changed, by every call the credentials
// make.
type Session struct {
	Policies []*iam.Policy
}

// ARN is the session's STS ARN, as GetCallerIdentity answers and as
// denials name the principal.
func (c Caller) ARN() string {
	return fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", c.AccountID, c.Role, c.User)
}

// RoleARN is the ARN of the IAM role behind the session.
func (c Caller) RoleARN() string {
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", c.AccountID, c.Role)
}

// UserID is the session's unique id, as GetCallerIdentity's UserId reports
// it: the role id, a colon and the session name.
func (c Caller) UserID() string {
	return roleID(c.Role) + ":" + c.User
}

// roleID derives a stable, AWS-shaped role id ("AROA" and 17 more
// characters) from the role name.
func roleID(role string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var h uint64 = 1469598103934665603
	for i := 0; i < len(role); i++ {
		h = (h ^ uint64(role[i])) * 1099511628211
	}
	b := []byte("AROA")
	for i := 0; i < 17; i++ {
		b = append(b, alphabet[h%32])
		h = h/32 ^ h<<7
	}
	return string(b)
}

// Credentials are temporary AWS credentials issued to one caller.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	Caller          Caller
}

// Keys issues temporary credentials and finds them again by access key id.
// It is safe for concurrent use.
type Keys struct {
	mu   sync.RWMutex
	byID map[string]Credentials
	now  func() time.Time
	ttl  time.Duration
}

// NewKeys returns a credential store whose credentials live ttl, reading the
// time from now.
func NewKeys(ttl time.Duration, now func() time.Time) *Keys {
	return &Keys{byID: map[string]Credentials{}, now: now, ttl: ttl}
}

// Issue mints credentials for c.
func (k *Keys) Issue(c Caller) Credentials {
	cr := Credentials{
		AccessKeyID:     "ASIA" + randomString(16, upperDigits),
		SecretAccessKey: randomString(40, base64ish),
		SessionToken:    "IQoJb3JpZ2luX2VjE" + randomString(300, base64ish),
		Expiration:      k.now().Add(k.ttl).UTC().Truncate(time.Second),
		Caller:          c,
	}
	k.mu.Lock()
	k.byID[cr.AccessKeyID] = cr
	k.mu.Unlock()
	return cr
}

// Lookup finds the credentials of an access key id, expired or not; the
// caller decides what expiry means for its protocol.
func (k *Keys) Lookup(accessKeyID string) (Credentials, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	cr, ok := k.byID[accessKeyID]
	return cr, ok
}

// Expired reports whether cr has expired.
func (k *Keys) Expired(cr Credentials) bool {
	return !k.now().Before(cr.Expiration)
}

// Now is the store's clock, shared so that callers agree on expiry.
func (k *Keys) Now() time.Time { return k.now() }

const (
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	base64ish   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("principal: no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// Authorizer decides every AWS call against the policies that bear on it.
// Policies can be replaced at run time, so that a test can apply a fix to
// a role and retry.
type Authorizer struct {
	mu         sync.RWMutex
	policies   map[string][]*iam.Policy // identity policies, by role name
	boundaries map[string]*iam.Policy   // permissions boundaries, by role name
	resources  map[string]Resource      // by the ARN of the bucket, key or function
	scps       [][]*iam.Policy
	region     string
	now        func() time.Time
}

// Resource is a resource with a policy of its own, or in another account.
type Resource struct {
	// Policy is its resource-based policy (nil when it has none).
	Policy *iam.Policy
	// AccountID owns it, when not the caller's account.
	AccountID string
}

// NewAuthorizer returns an authorizer for a stack in region, reading the
// time (aws:CurrentTime) from now.
func NewAuthorizer(region string, now func() time.Time) *Authorizer {
	return &Authorizer{policies: map[string][]*iam.Policy{}, boundaries: map[string]*iam.Policy{},
		resources: map[string]Resource{}, region: region, now: now}
}

// SetPolicies replaces the identity policies of role.
func (a *Authorizer) SetPolicies(role string, policies []*iam.Policy) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.policies[role] = policies
}

// PutPolicy adds p to role's identity policies, replacing the policy of
// the same name, as IAM's PutRolePolicy does for an inline policy.
func (a *Authorizer) PutPolicy(role string, p *iam.Policy) {
	a.mu.Lock()
	defer a.mu.Unlock()
	list := make([]*iam.Policy, 0, len(a.policies[role])+1)
	for _, have := range a.policies[role] {
		if have.Name != p.Name {
			list = append(list, have)
		}
	}
	a.policies[role] = append(list, p)
}

// Policies returns the identity policies of role.
func (a *Authorizer) Policies(role string) []*iam.Policy {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.policies[role]
}

// SetBoundary sets (nil: removes) the permissions boundary of role.
func (a *Authorizer) SetBoundary(role string, p *iam.Policy) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if p == nil {
		delete(a.boundaries, role)
		return
	}
	a.boundaries[role] = p
}

// Boundary returns the permissions boundary of role, nil when it has none.
func (a *Authorizer) Boundary(role string) *iam.Policy {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.boundaries[role]
}

// SetResource sets the policy and owner of a resource: a bucket
// (arn:aws:s3:::NAME, covering its objects), a KMS key or a Lambda
// function (covering its versions and aliases). A zero Resource removes it.
func (a *Authorizer) SetResource(arn string, r Resource) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r == (Resource{}) {
		delete(a.resources, arn)
		return
	}
	a.resources[arn] = r
}

// Resource returns what SetResource set for arn.
func (a *Authorizer) Resource(arn string) Resource {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.resources[arn]
}

// SetSCPs sets the service control policies over the account, one level
// per entry from the organization's root to the account; nil means no
// organization.
func (a *Authorizer) SetSCPs(levels [][]*iam.Policy) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.scps = levels
}

// PolicySet is every policy that bears on c acting on resource, for
// iam.Decide (and for a pre-send check that wants to decide as the sandbox
// will).
func (a *Authorizer) PolicySet(c Caller, resource string) iam.PolicySet {
	a.mu.RLock()
	defer a.mu.RUnlock()
	set := iam.PolicySet{
		Identity: a.policies[c.Role],
		Boundary: a.boundaries[c.Role],
		SCPs:     a.scps,
		Entity:   c.RoleARN(),
	}
	if c.Session != nil {
		set.Session = c.Session.Policies
	}
	if r, ok := a.resources[iam.ResourceOwner(resource)]; ok {
		set.Resource, set.ResourceAccount = r.Policy, r.AccountID
	}
	return set
}

// Known is every policy that bears on c's requests, as iam.Known: what
// a pre-send check needs to decide as the sandbox will (the sandbox's
// "admin view" of the role, its session, its organization and its
// resources).
func (a *Authorizer) Known(c Caller) iam.Known {
	a.mu.RLock()
	defer a.mu.RUnlock()
	k := iam.Known{
		Identity:  append([]*iam.Policy(nil), a.policies[c.Role]...),
		Boundary:  a.boundaries[c.Role],
		SCPs:      a.scps,
		Entity:    c.RoleARN(),
		Resources: make(map[string]iam.ResourcePolicy, len(a.resources)),
	}
	if c.Session != nil {
		k.Session = c.Session.Policies
	}
	for arn, r := range a.resources {
		k.Resources[arn] = iam.ResourcePolicy{Policy: r.Policy, Account: r.AccountID}
	}
	return k
}

// Call describes one request to authorize beyond its action and resource.
type Call struct {
	// Via is the service acting for the caller ("athena.amazonaws.com"),
	// empty for a direct call. It sets aws:CalledVia and aws:ViaAWSService.
	Via string
	// SourceIP is the client address of a direct call.
	SourceIP string
	// Context holds extra, service-specific condition keys (s3:prefix ...).
	Context map[string][]string
}

// Authorize decides whether c may perform action on resource. It returns
// nil when allowed, and otherwise a *Denial worded as AWS words it.
func (a *Authorizer) Authorize(c Caller, action, resource string, call Call) *Denial {
	ctx := map[string][]string{
		"aws:PrincipalArn":     {c.RoleARN()},
		"aws:PrincipalAccount": {c.AccountID},
		"aws:PrincipalType":    {"AssumedRole"},
		"aws:userid":           {c.UserID()},
		"aws:username":         {c.User},
		"aws:RequestedRegion":  {a.region},
		"aws:SecureTransport":  {"false"},
		"aws:CurrentTime":      {a.now().UTC().Format(time.RFC3339)},
		"aws:EpochTime":        {fmt.Sprint(a.now().Unix())},
	}
	if call.Via != "" {
		ctx["aws:CalledVia"] = []string{call.Via}
		ctx["aws:CalledViaFirst"] = []string{call.Via}
		ctx["aws:CalledViaLast"] = []string{call.Via}
		ctx["aws:ViaAWSService"] = []string{"true"}
	} else {
		ctx["aws:ViaAWSService"] = []string{"false"}
		if call.SourceIP != "" {
			ctx["aws:SourceIp"] = []string{call.SourceIP}
		}
	}
	for k, v := range call.Context {
		ctx[k] = v
	}
	res := iam.Decide(iam.Request{Principal: c.ARN(), Action: action, Resource: resource, Context: ctx}, a.PolicySet(c, resource))
	if res.Decision == iam.Allowed {
		return nil
	}
	return &Denial{Caller: c, Action: action, Resource: resource, Result: res}
}

// Denial is a refused authorization.
type Denial struct {
	Caller   Caller
	Action   string
	Resource string
	// Result is the decision, with the policy type that refused
	// (Result.DeniedBy) and whether explicitly.
	Result iam.Outcome
}

// Error words the denial in IAM's current grammar: principal, action,
// resource and the policy-type clause.
func (d *Denial) Error() string {
	return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s",
		d.Caller.ARN(), d.Action, d.Resource, d.Clause())
}

// Clause is the policy-type clause of the denial, in the wording of the
// IAM User Guide's "Troubleshoot access denied error messages"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html):
// "with an explicit deny in a TYPE policy" when a Deny refused, "because no
// TYPE policy allows the ACTION action" when nothing allowed, for TYPE
// identity-based policy, session policy, permissions boundary and
// resource-based policy; an SCP refusal always reads "with an explicit
// deny in a service control policy", "even if the denial is implicit".
// (The guide's own session-policy example prints "sessions policy"; the
// template it states, and engine/explain, read "session policy".)
func (d *Denial) Clause() string {
	if d.Result.DeniedBy == iam.PolicySCP {
		return "with an explicit deny in a service control policy"
	}
	typ := d.Result.DeniedBy.Name()
	if typ == "" {
		typ = iam.PolicyIdentity.Name()
	}
	if d.Result.Decision == iam.ExplicitlyDenied {
		article := "a "
		if typ == "identity-based policy" {
			article = "an "
		}
		return "with an explicit deny in " + article + typ
	}
	return "because no " + typ + " allows the " + d.Action + " action"
}

// S3Message words the denial as S3 does: for a request within the
// bucket owner's account, IAM's grammar with the resource ARN in double
// quotes; for a request from another account, the bare "Access Denied",
// since S3 gives the extra context only to requests from the bucket
// owner's account or organization (Amazon S3 User Guide, "Troubleshoot
// access denied (403 Forbidden) errors",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html).
// A bucket of another account is taken to be outside the caller's
// organization.
func (d *Denial) S3Message() string {
	if d.Result.CrossAccount {
		return "Access Denied"
	}
	return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %q %s",
		d.Caller.ARN(), d.Action, d.Resource, d.Clause())
}

// AthenaMessage is Athena's own short denial text for athena:* actions,
// which names no principal, resource or policy.
func (d *Denial) AthenaMessage() string {
	return "You are not authorized to perform: " + d.Action +
		" on the resource. After your AWS administrator or you have updated your permissions, please try again."
}

// ServiceOf returns the service prefix of an action ("glue" of "glue:GetTable").
func ServiceOf(action string) string {
	s, _, _ := strings.Cut(action, ":")
	return s
}
