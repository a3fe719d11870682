package iam

import "strings"

// ResourcePolicy is what is known of a resource that has a policy of its
// own or belongs to another account: its resource-based policy (nil when
// it has none) and the account that owns it ("" for the caller's, or the
// one its ARN names).
type ResourcePolicy struct {
	Policy  *Policy
	Account string
}

// Known is every policy known to bear on one caller's requests: the
// identity policies of its role, the session policies its credentials
// carry, the role's permissions boundary, the SCPs over its account, and
// the resource policies of the buckets, keys and functions it may touch.
// What is not known is left empty and read as "none" (Decide's reading of
// an empty PolicySet field), so a check with Known is never stricter than
// AWS for want of knowledge, only for a policy it was told of.
type Known struct {
	Identity []*Policy
	Session  []*Policy
	Boundary *Policy
	SCPs     [][]*Policy
	// Entity is the ARN of the role behind the caller's session (with its
	// path), for a resource policy that names it.
	Entity string
	// Resources are the resource policies, by the ARN that holds them
	// (ResourceOwner: a bucket, a key, an unqualified function).
	Resources map[string]ResourcePolicy
}

// Set is the PolicySet of a request on resource.
func (k *Known) Set(resource string) PolicySet {
	set := PolicySet{Identity: k.Identity, Session: k.Session, Boundary: k.Boundary, SCPs: k.SCPs, Entity: k.Entity}
	if r, ok := k.Resources[ResourceOwner(resource)]; ok {
		set.Resource, set.ResourceAccount = r.Policy, r.Account
	}
	return set
}

// ResourceOwner is the ARN of what holds the resource policy over
// resource: the bucket of an S3 object (or of an object prefix), the
// function of a qualified Lambda ARN, the resource itself otherwise. (A
// bucket policy covers the bucket's objects; a function's policy covers
// its versions and aliases: Lambda Developer Guide, "Using resource-based
// policies in Lambda".)
func ResourceOwner(resource string) string {
	const s3 = ":s3:::"
	if i := strings.Index(resource, s3); i > 0 && strings.HasPrefix(resource, "arn:") {
		rest := resource[i+len(s3):]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return resource[:i+len(s3)+j]
		}
		return resource
	}
	if strings.HasPrefix(resource, "arn:") && arnService(resource) == "lambda" {
		// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
		if f := strings.SplitN(resource, ":", 8); len(f) == 8 {
			return strings.Join(f[:7], ":")
		}
	}
	return resource
}

// allowAll is an identity policy that allows everything: with it added,
// Decide tells what still refuses a request when the identity policies
// are taken care of.
func allowAll() *Policy {
	p := &Policy{Name: "(any identity statement)", Version: Version2012, Statements: []Statement{{Effect: Allow, Actions: []string{"*"}, Resources: []string{"*"}}}}
	p.Compile()
	return p
}

// Missing decides every requirement for the caller against everything
// known (Decide, with each requirement's resource policy) and returns
// those not allowed, in the order given, never nil. Each gap says which
// policy type refused (DeniedBy) and which one an identity statement
// cannot get past (Blocker): a pair refused for want of an identity Allow
// whose resource policy, boundary, session policy or SCP would refuse it
// too is blocked by that one, so no identity statement is offered as its
// fix.
func (k *Known) Missing(reqs []Requirement, c Caller) []Gap {
	out := []Gap{}
	var all *Policy
	for _, r := range reqs {
		req := r.Request(c)
		set := k.Set(r.Resource)
		o := Decide(req, set)
		if o.Decision == Allowed {
			continue
		}
		g := Gap{Requirement: r, Result: o.Result, DeniedBy: o.DeniedBy, SCPLevel: o.SCPLevel, CrossAccount: o.CrossAccount}
		if o.CrossAccount {
			g.ResourceAccount = resourceAccount(set.ResourceAccount, r.Resource)
		}
		switch {
		case o.DeniedBy != PolicyIdentity:
			g.Blocker = o.DeniedBy
		case o.Decision == ExplicitlyDenied:
			g.Blocker = PolicyIdentity
		default:
			// Would an identity Allow be enough?
			if all == nil {
				all = allowAll()
			}
			set.Identity = append(append([]*Policy(nil), set.Identity...), all)
			if w := Decide(req, set); w.Decision != Allowed {
				g.Blocker, g.SCPLevel = w.DeniedBy, w.SCPLevel
			}
		}
		out = append(out, g)
	}
	return out
}
