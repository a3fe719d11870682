package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/quiltq/quiltq/engine"
)

// Me is who the registry says the user is: GraphQL `me`. Roles come from
// here, never from the access token, which carries none.
type Me struct {
	Name    string
	Email   string
	IsAdmin bool
	// Role is the current role; Roles are those the user may switch to,
	// the current one included.
	Role  string
	Roles []string
}

type meJSON struct {
	Name    string `json:"name"`
	Email   string `json:"email"`
	IsAdmin bool   `json:"isAdmin"`
	Role    *struct {
		Name string `json:"name"`
	} `json:"role"`
	Roles []struct {
		Name string `json:"name"`
	} `json:"roles"`
}

func (m meJSON) me() Me {
	out := Me{Name: m.Name, Email: m.Email, IsAdmin: m.IsAdmin}
	if m.Role != nil {
		out.Role = m.Role.Name
	}
	for _, r := range m.Roles {
		out.Roles = append(out.Roles, r.Name)
	}
	return out
}

const meFields = `name email isAdmin role { name } roles { name }`

// Me asks the registry who the holder of accessToken is.
func (r *Registry) Me(ctx context.Context, accessToken string) (Me, error) {
	var out struct {
		Me *meJSON `json:"me"`
	}
	if err := r.GraphQL(ctx, accessToken, `query { me { `+meFields+` } }`, nil, &out); err != nil {
		return Me{}, err
	}
	if out.Me == nil {
		return Me{}, &engine.Error{Op: "ask the Quilt registry who you are", Kind: engine.Credentials, Err: errors.New("the registry knows no user for this login: run `quiltq login`")}
	}
	return out.Me.me(), nil
}

// SwitchRole makes role the user's current Quilt role (GraphQL
// switchRole) and returns the user as the registry now sees them. The
// switch is server-side and global for the user; AWS credentials issued
// before it keep the old role until they expire, so callers must drop
// every cached credential and client afterwards.
func (r *Registry) SwitchRole(ctx context.Context, accessToken, role string) (Me, error) {
	const op = "switch the Quilt role"
	var out struct {
		SwitchRole struct {
			Typename string `json:"__typename"`
			meJSON
			Message string `json:"message"`
			Errors  []struct {
				Path    string `json:"path"`
				Message string `json:"message"`
			} `json:"errors"`
		} `json:"switchRole"`
	}
	const q = `mutation ($role: String!) { switchRole(roleName: $role) { __typename ` +
		`... on Me { ` + meFields + ` } ` +
		`... on InvalidInput { errors { path message } } ` +
		`... on OperationError { message } } }`
	if err := r.GraphQL(ctx, accessToken, q, map[string]any{"role": role}, &out); err != nil {
		return Me{}, err
	}
	res := out.SwitchRole
	switch res.Typename {
	case "Me":
		return res.meJSON.me(), nil
	case "InvalidInput":
		var msgs []string
		for _, e := range res.Errors {
			msgs = append(msgs, redact(e.Message, accessToken))
		}
		return Me{}, &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("the registry refused role %q: %s; `quiltq role` lists your roles", role, strings.Join(msgs, "; "))}
	default:
		return Me{}, &engine.Error{Op: op, Kind: engine.Other, Err: fmt.Errorf("the registry could not switch to role %q: %s", role, redact(res.Message, accessToken))}
	}
}

// Caller is the AWS principal behind a set of credentials.
type Caller struct {
	Account string
	ARN     string
	UserID  string
}

// CallerIdentity asks STS whom cfg's credentials belong to: for a Quilt
// login, arn:aws:sts::<account>:assumed-role/<role>/<user>.
func CallerIdentity(ctx context.Context, cfg aws.Config) (Caller, error) {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		var ee *engine.Error
		if errors.As(err, &ee) {
			// A refused login, from the Session: its words already say what to do.
			return Caller{}, ee
		}
		return Caller{}, &engine.Error{Op: "ask AWS STS who the credentials belong to", Kind: engine.Other, Err: err}
	}
	return Caller{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}, nil
}

// RoleBuckets asks the registry for the user's current role and the
// buckets it grants (GraphQL `buckets`, scoped to the role), in one call.
func (r *Registry) RoleBuckets(ctx context.Context, accessToken string) (role string, buckets []string, err error) {
	var out struct {
		Me *struct {
			Role *struct {
				Name string `json:"name"`
			} `json:"role"`
		} `json:"me"`
		Buckets []struct {
			Name string `json:"name"`
		} `json:"buckets"`
	}
	if err := r.GraphQL(ctx, accessToken, `query { me { role { name } } buckets { name } }`, nil, &out); err != nil {
		return "", nil, err
	}
	if out.Me != nil && out.Me.Role != nil {
		role = out.Me.Role.Name
	}
	buckets = []string{}
	for _, b := range out.Buckets {
		buckets = append(buckets, b.Name)
	}
	return role, buckets, nil
}
