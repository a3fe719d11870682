package iam

import "strings"

// callerKind is what sort of principal makes a request, as far as the
// evaluation logic tells them apart.
type callerKind uint8

const (
	callerUnknown     callerKind = iota // no principal, or one not read
	callerUser                          // an IAM user: arn:aws:iam::ACCOUNT:user/NAME
	callerRole                          // an IAM role ARN itself
	callerRoleSession                   // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
	callerFederated                     // arn:aws:sts::ACCOUNT:federated-user/NAME (GetFederationToken)
	callerRoot                          // arn:aws:iam::ACCOUNT:root
)

// session reports whether the caller is a session principal, the only
// kind a session policy can limit (IAM User Guide, "Policy evaluation
// logic": session principals are role sessions and federated user
// sessions).
func (k callerKind) session() bool { return k == callerRoleSession || k == callerFederated }

// caller is a request's principal with the names a resource-based policy
// may call it by: itself (arn), the IAM user or role behind a session
// (entity), and its account.
type caller struct {
	kind    callerKind
	arn     string
	entity  string // the role of a role session, the user a federated session came from (when known); arn for users and roots
	account string
	rootARN string // arn:PARTITION:iam::ACCOUNT:root
}

// identify reads the principal ARN of a request. entity, when given, is
// the IAM user or role behind a session. A role session's ARN leaves out
// the role's path, so without entity the role's own ARN is taken from
// aws:PrincipalArn when the request carries it (for a role session that
// key is the role's ARN: IAM User Guide, "AWS global condition context
// keys", aws:PrincipalArn), and otherwise built without a path. A
// federated user session's ARN does not say which IAM user federated: only
// entity does.
func identify(arn, entity string, ctx contextKeys) caller {
	c := caller{arn: arn}
	a, err := ParseARN(arn)
	if err != nil {
		return c
	}
	c.account = a.Account
	if c.account != "" {
		c.rootARN = "arn:" + a.Partition + ":iam::" + a.Account + ":root"
	}
	switch {
	case a.Service == "iam" && a.Resource == "root":
		c.kind, c.entity = callerRoot, arn
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "user/"):
		c.kind, c.entity = callerUser, arn
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "role/"):
		c.kind, c.entity = callerRole, arn
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/"):
		c.kind = callerRoleSession
		role, _, _ := strings.Cut(strings.TrimPrefix(a.Resource, "assumed-role/"), "/")
		prefix := "arn:" + a.Partition + ":iam::" + a.Account + ":role/"
		c.entity = prefix + role
		if entity == "" {
			if pa := ctx.get("aws:PrincipalArn"); len(pa) == 1 {
				entity = pa[0]
			}
		}
		if entity != c.entity && strings.HasPrefix(entity, prefix) && strings.HasSuffix(entity, "/"+role) {
			c.entity = entity // the role's ARN with its path
		}
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "federated-user/"):
		c.kind = callerFederated
		if strings.HasPrefix(entity, "arn:"+a.Partition+":iam::"+a.Account+":user/") {
			c.entity = entity
		}
	}
	return c
}

// grant is how directly a resource-based policy's Allow names the caller,
// which decides what else still has to allow the request.
type grant uint8

const (
	grantNone grant = iota
	// grantAccount names the caller's account: it delegates to the
	// account, whose IAM policies must still allow ("This delegates
	// authority to the account", IAM User Guide, "AWS JSON policy
	// elements: Principal", AWS account principals).
	grantAccount
	// grantEntity names the IAM role behind a role session, or the IAM
	// user behind a federated session: the grant is still limited by a
	// permissions boundary and a session policy, though not by the
	// identity policies.
	grantEntity
	// grantDirect names the caller itself (a role session ARN, an IAM
	// user, a federated session) or everyone ("*"): within the account,
	// no other policy's implicit deny limits it.
	grantDirect
)

// names reports whether p names the caller by one of its names, and how.
// A principal matches exactly: IAM matches no wildcard within a principal,
// and "*" (bare or as {"AWS": "*"}) is everyone.
func (c *caller) names(p Principal) grant {
	switch p.Type {
	case "*":
		return grantDirect
	case "AWS":
	default:
		// Service, Federated and CanonicalUser principals name no IAM
		// caller this evaluator is asked about.
		return grantNone
	}
	switch id := p.ID; {
	case id == "*":
		return grantDirect
	case c.arn != "" && id == c.arn:
		if c.kind == callerRoot {
			return grantAccount // the root ARN is the account principal
		}
		return grantDirect
	case c.entity != "" && id == c.entity:
		if c.kind == callerUser || c.kind == callerRole {
			return grantDirect
		}
		return grantEntity
	case c.account != "" && (id == c.account || id == c.rootARN):
		return grantAccount
	}
	return grantNone
}

// best is the most direct way any of list names the caller.
func (c *caller) best(list []Principal) grant {
	g := grantNone
	for _, p := range list {
		if n := c.names(p); n > g {
			g = n
		}
	}
	return g
}

// listedAll reports whether list names every one of the caller's names:
// its account, the user or role behind it and the session itself. A Deny
// with NotPrincipal spares only such a caller, because "AWS might validate
// the account first, then the role, and then the assumed-role user" (IAM
// User Guide, "AWS JSON policy elements: NotPrincipal").
func (c *caller) listedAll(list []Principal) bool {
	has := func(ids ...string) bool {
		for _, p := range list {
			if p.Type != "AWS" {
				continue
			}
			for _, id := range ids {
				if id != "" && p.ID == id {
					return true
				}
			}
		}
		return false
	}
	if c.arn == "" || c.account == "" || !has(c.account, c.rootARN) {
		return false
	}
	if c.entity != "" && c.entity != c.arn && !has(c.entity) {
		return false
	}
	return c.kind == callerRoot || has(c.arn)
}
