package sandbox

import (
	"fmt"

	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

// loadPolicies parses every policy of the stack into the authorizer: the
// roles' identity policies and boundaries, the SCPs, the policies of
// buckets, keys and functions. Session policies are not the authorizer's:
// they travel with the credentials the registry issues (registry's
// setSession). A document that does not parse is an error naming where
// it is.
func loadPolicies(st *stack.Stack, authz *principal.Authorizer) error {
	for _, role := range st.Roles {
		policies := make([]*iam.Policy, 0, len(role.Policies))
		for _, p := range role.Policies {
			pol, err := iam.Parse(role.Name+"/"+p.Name, p.Document)
			if err != nil {
				return fmt.Errorf("sandbox: role %s: %w", role.Name, err)
			}
			policies = append(policies, pol)
		}
		authz.SetPolicies(role.Name, policies)
		if b := role.PermissionsBoundary; b != nil {
			pol, err := iam.Parse(b.Name, b.Document)
			if err != nil {
				return fmt.Errorf("sandbox: role %s: permissions boundary: %w", role.Name, err)
			}
			authz.SetBoundary(role.Name, pol)
		}
	}
	var levels [][]*iam.Policy
	for i, l := range st.SCPs {
		level := []*iam.Policy{}
		for _, p := range l.Policies {
			pol, err := iam.Parse("scp "+l.Level+"/"+p.Name, p.Document)
			if err != nil {
				return fmt.Errorf("sandbox: scps[%d] (%s): %w", i, l.Level, err)
			}
			level = append(level, pol)
		}
		levels = append(levels, level)
	}
	authz.SetSCPs(levels)
	resource := func(arn, name, account string, doc stack.Document) error {
		r := principal.Resource{AccountID: account}
		if len(doc) > 0 {
			pol, err := iam.ParseResource(name, doc)
			if err != nil {
				return fmt.Errorf("sandbox: %w", err)
			}
			r.Policy = pol
		}
		authz.SetResource(arn, r)
		return nil
	}
	for _, b := range st.Buckets {
		account := ""
		if b.AccountID != st.AccountID {
			account = b.AccountID
		}
		if err := resource("arn:aws:s3:::"+b.Name, "bucket "+b.Name+" policy", account, b.Policy); err != nil {
			return err
		}
	}
	for _, k := range st.KMSKeys {
		if err := resource(st.KMSKeyARN(k.ID), "key "+k.ID+" policy", "", k.Policy); err != nil {
			return err
		}
	}
	for _, f := range st.Functions {
		if err := resource(st.FunctionARN(f.Name), "function "+f.Name+" policy", "", f.Policy); err != nil {
			return err
		}
	}
	return nil
}
