// Package principal is who is calling the sandbox's AWS endpoint and what
// they may do: the temporary credentials the registry issues, the caller
// each key stands for, and the authorization of every call by evaluating
// the caller's role policies with engine/iam. Denials are worded as AWS
// words them, so that clients meet the real texts.
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

// Authorizer decides every AWS call by evaluating the caller's role
// policies. Policies can be replaced at run time, so that a test can apply
// a fix to a role and retry.
type Authorizer struct {
	mu       sync.RWMutex
	policies map[string][]*iam.Policy // by role name
	region   string
	now      func() time.Time
}

// NewAuthorizer returns an authorizer for a stack in region, reading the
// time (aws:CurrentTime) from now.
func NewAuthorizer(region string, now func() time.Time) *Authorizer {
	return &Authorizer{policies: map[string][]*iam.Policy{}, region: region, now: now}
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
	res := iam.Evaluate(iam.Request{Principal: c.ARN(), Action: action, Resource: resource, Context: ctx}, a.Policies(c.Role)...)
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
	Result   iam.Result
}

// Error words the denial in IAM's current grammar: principal, action,
// resource and the policy-type clause.
func (d *Denial) Error() string {
	return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s",
		d.Caller.ARN(), d.Action, d.Resource, d.Clause())
}

// Clause is the policy-type clause of the denial.
func (d *Denial) Clause() string {
	if d.Result.Decision == iam.ExplicitlyDenied {
		return "with an explicit deny in an identity-based policy"
	}
	return "because no identity-based policy allows the " + d.Action + " action"
}

// S3Message words the denial as S3 does for a same-account request: the
// resource ARN in double quotes.
func (d *Denial) S3Message() string {
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
