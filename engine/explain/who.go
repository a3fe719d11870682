package explain

import (
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine/iam"
)

// WhoMustAct says who resolves a gap the pre-send check found, from what
// refuses it (iam.Gap.Blocker): for a gap an identity statement fixes
// (no Blocker), the administrator of role, who adds the statement; for an
// identity Deny or a permissions boundary, the same administrator, who
// changes the Deny or the boundary (rule 10 of engine/iam: the boundary
// must allow as well as the identity policies); for a session policy, the
// Quilt stack's administrator, since Quilt's registry passes it with the
// credentials of a managed role (the role's own policies cannot widen it:
// IAM User Guide, "Session policies"); for an SCP, the organization's
// administrator; for a resource policy, the owner of the bucket, key or
// function, and for a resource of another account, that account, whose
// resource policy must allow the caller as well (IAM User Guide,
// "Cross-account policy evaluation logic"). role is "role R" or "your
// role".
func WhoMustAct(g iam.Gap, role string) Remedy {
	deny := ""
	if g.Result.Decision == iam.ExplicitlyDenied {
		deny = denyName(g.Result)
	}
	admin := "the administrator of " + role
	switch g.Blocker {
	case "":
		return Remedy{Fixable: true, Who: admin + " (add the statement to " + role + ")",
			Why: "no identity-based policy allows " + g.Action + " on " + g.Resource}
	case iam.PolicyIdentity:
		return Remedy{Who: admin + ": remove or narrow " + deny,
			Why: "an explicit Deny in the identity policies refuses " + g.Action + ", and no Allow overrides it"}
	case iam.PolicyBoundary:
		what := "does not allow " + g.Action
		if deny != "" {
			what = "denies " + g.Action + " (" + deny + ")"
		}
		return Remedy{Who: admin + ", who sets its permissions boundary",
			Why: "the permissions boundary " + what + "; an identity statement only counts once the boundary allows it too"}
	case iam.PolicySession:
		what := "does not allow " + g.Action
		if deny != "" {
			what = "denies " + g.Action + " (" + deny + ")"
		}
		return Remedy{Who: "the Quilt stack's administrator, who sets the session policy of the Quilt role's credentials",
			Why: "the session policy the credentials carry " + what + "; the role's own policies cannot widen a session policy"}
	case iam.PolicySCP:
		return Remedy{Who: "your AWS Organizations administrator (" + scpLevel(g.SCPLevel) + ")",
			Why: "a service control policy refuses " + g.Action + "; nothing in the account can override it"}
	case iam.PolicyResource:
		owner := ownerOf(g.Resource)
		why := "the resource-based policy of " + ownerThing(g.Resource)
		if deny != "" {
			why += " denies " + g.Action + " (" + deny + ")"
		} else {
			why += " does not allow " + role + " " + g.Action
		}
		if g.CrossAccount {
			acct := "the other account"
			if g.ResourceAccount != "" {
				acct = "account " + g.ResourceAccount
			}
			return Remedy{Who: acct + ", which owns " + ownerThing(g.Resource) + ": " + owner,
				Why: why + "; across accounts both the caller's policies and the resource's must allow"}
		}
		return Remedy{Who: owner, Why: why + "; a statement on the caller's role is not enough"}
	}
	return Remedy{Who: "your AWS administrator", Why: fmt.Sprintf("a %s policy refuses %s", g.Blocker, g.Action)}
}

// denyName names the Deny statement behind a result.
func denyName(r iam.Result) string {
	if r.Statement == nil {
		return "a Deny statement"
	}
	name := fmt.Sprintf("statement %d", r.Statement.Index)
	if r.Statement.Sid != "" {
		name = fmt.Sprintf("statement %q", r.Statement.Sid)
	}
	if r.Policy != "" {
		name += " of " + r.Policy
	}
	return name
}

// scpLevel words the level of an SCP.
func scpLevel(level int) string {
	if level == 0 {
		return "an SCP at the organization's root"
	}
	return fmt.Sprintf("an SCP %d level(s) below the organization's root", level)
}

// ownerThing names what holds the resource policy over resource.
func ownerThing(resource string) string {
	owner := iam.ResourceOwner(resource)
	a, err := iam.ParseARN(owner)
	if err != nil {
		return owner
	}
	switch a.Service {
	case "s3":
		return "bucket " + a.Resource
	case "kms":
		return "KMS key " + owner
	case "lambda":
		return "function " + owner
	}
	return owner
}

// ownerOf names who controls the resource policy over resource.
func ownerOf(resource string) string {
	owner := iam.ResourceOwner(resource)
	if a, err := iam.ParseARN(owner); err == nil && a.Service == "kms" {
		return "the administrator of KMS key " + owner + " (its key policy)"
	}
	if strings.HasPrefix(owner, "arn:") {
		return resourceOwner(Denial{Resources: []string{owner}})
	}
	return "the owner of " + owner
}
