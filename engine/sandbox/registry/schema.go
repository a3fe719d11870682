package registry

import (
	"context"
	"slices"

	"github.com/quiltq/quiltq/engine/sandbox/registry/gql"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

// schema is the part of the registry's GraphQL schema
// (quiltdata/quilt shared/graphql/schema.graphql) that quiltq uses.
func (reg *Registry) schema() *gql.Schema {
	return &gql.Schema{
		Query:    "Query",
		Mutation: "Mutation",
		Types: map[string]*gql.Type{
			"Query": {Kind: gql.Object, Fields: map[string]*gql.FieldDef{
				"me":           {Type: "Me!", Resolve: reg.resolveMe},
				"buckets":      {Type: "[BucketConfig!]!", Resolve: reg.resolveBuckets},
				"bucketConfig": {Type: "BucketConfig", Args: map[string]string{"name": "String!"}, Resolve: reg.resolveBucketConfig},
			}},
			"Mutation": {Kind: gql.Object, Fields: map[string]*gql.FieldDef{
				"switchRole": {Type: "SwitchRoleResult!", Args: map[string]string{"roleName": "String!"}, Resolve: reg.resolveSwitchRole},
			}},
			"Me": {Kind: gql.Object, Fields: map[string]*gql.FieldDef{
				"name":    {Type: "String!"},
				"email":   {Type: "String!"},
				"isAdmin": {Type: "Boolean!"},
				"role":    {Type: "MyRole!"},
				"roles":   {Type: "[MyRole!]!"},
			}},
			"MyRole": {Kind: gql.Object, Fields: map[string]*gql.FieldDef{
				"name": {Type: "String!"},
			}},
			"BucketConfig": {Kind: gql.Object, Fields: map[string]*gql.FieldDef{
				"name":            {Type: "String!"},
				"title":           {Type: "String!"},
				"description":     {Type: "String"},
				"iconUrl":         {Type: "String"},
				"tabulatorTables": {Type: "[TabulatorTable!]!"},
			}},
			"TabulatorTable": {Kind: gql.Object, Fields: map[string]*gql.FieldDef{
				"name":   {Type: "String!"},
				"config": {Type: "String!"},
			}},
			"SwitchRoleResult": {Kind: gql.Union, Possible: []string{"Me", "InvalidInput", "OperationError"}},
			"InvalidInput": {Kind: gql.Object, Fields: map[string]*gql.FieldDef{
				"errors": {Type: "[InputError!]!"},
			}},
			"InputError": {Kind: gql.Object, Fields: map[string]*gql.FieldDef{
				"path":    {Type: "String"},
				"message": {Type: "String!"},
				"name":    {Type: "String!"},
				"context": {Type: "JsonRecord"},
			}},
			"OperationError": {Kind: gql.Object, Fields: map[string]*gql.FieldDef{
				"message": {Type: "String!"},
				"name":    {Type: "String!"},
				"context": {Type: "JsonRecord"},
			}},
			"JsonRecord": {Kind: gql.Scalar},
		},
	}
}

func userOf(ctx context.Context) string {
	u, _ := ctx.Value(userKey{}).(string)
	return u
}

// roles are the roles user may take, the current one included.
func roles(st userState) []string {
	rs := slices.Clone(st.user.Roles)
	if !slices.Contains(rs, st.role) {
		rs = append([]string{st.role}, rs...)
	}
	return rs
}

func (reg *Registry) meValue(st userState) map[string]any {
	var rs []any
	for _, r := range roles(st) {
		rs = append(rs, map[string]any{"name": r})
	}
	return map[string]any{
		"name":    st.user.Name,
		"email":   st.user.Email,
		"isAdmin": st.user.Admin,
		"role":    map[string]any{"name": st.role},
		"roles":   rs,
	}
}

func (reg *Registry) resolveMe(ctx context.Context, _ any, _ map[string]any) (any, error) {
	st, ok := reg.state(userOf(ctx))
	if !ok {
		return nil, nil
	}
	return reg.meValue(st), nil
}

func (reg *Registry) bucket(name string) (stack.Bucket, bool) {
	for _, b := range reg.stack.Buckets {
		if b.Name == name {
			return b, true
		}
	}
	return stack.Bucket{}, false
}

func bucketValue(name string, b stack.Bucket) map[string]any {
	tables := []any{}
	for _, t := range b.TabulatorTables {
		tables = append(tables, map[string]any{"name": t.Name, "config": t.Config})
	}
	return map[string]any{"name": name, "title": name, "tabulatorTables": tables}
}

func (reg *Registry) resolveBuckets(ctx context.Context, _ any, _ map[string]any) (any, error) {
	st, _ := reg.state(userOf(ctx))
	out := []any{}
	for _, name := range reg.roleBuckets(st) {
		b, _ := reg.bucket(name)
		out = append(out, bucketValue(name, b))
	}
	return out, nil
}

// resolveBucketConfig returns null for a bucket that does not exist or
// that the user's role does not show, unless the user is an admin.
func (reg *Registry) resolveBucketConfig(ctx context.Context, _ any, args map[string]any) (any, error) {
	name, _ := args["name"].(string)
	st, _ := reg.state(userOf(ctx))
	b, ok := reg.bucket(name)
	if !ok || !st.user.Admin && !slices.Contains(reg.roleBuckets(st), name) {
		return nil, nil
	}
	return bucketValue(name, b), nil
}

// resolveSwitchRole makes roleName the user's current role. Credentials
// issued before stay valid until they expire, as the real platform's do:
// clients must drop them themselves.
func (reg *Registry) resolveSwitchRole(ctx context.Context, _ any, args map[string]any) (any, error) {
	user := userOf(ctx)
	role, _ := args["roleName"].(string)
	st, ok := reg.state(user)
	if !ok {
		return gql.Typed{Type: "OperationError", Value: map[string]any{"message": "unknown user", "name": "UserNotFound"}}, nil
	}
	if !slices.Contains(roles(st), role) {
		return gql.Typed{Type: "InvalidInput", Value: map[string]any{"errors": []any{map[string]any{
			"path": "roleName", "name": "InvalidRole", "message": "role " + role + " is not available to this user",
		}}}}, nil
	}
	reg.setRole(user, role)
	st.role = role
	reg.log.Info("registry", "event", "Auth.SwitchRole", "user", user, "role", role)
	return gql.Typed{Type: "Me", Value: reg.meValue(st)}, nil
}
