package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/report"
)

// policyFlags are the flags of policy eval.
type policyFlags struct {
	policies, sessionPolicies, contexts []string
	boundary, scps, resourcePolicy      string
	resourceAccount                     string
	action, resource, principal         string
	json                                bool
}

// runPolicyEval evaluates one request against policy files of every type,
// as the sandbox would authorize it, and says which policy type decided.
func runPolicyEval(ctx context.Context, pf policyFlags, st streams) int {
	policies, sessionPolicies, contexts := pf.policies, pf.sessionPolicies, pf.contexts
	action, resource, principal := &pf.action, &pf.resource, &pf.principal
	boundary, scps, resourcePolicy, resourceAccount := &pf.boundary, &pf.scps, &pf.resourcePolicy, &pf.resourceAccount
	asJSON := &pf.json
	var missing []string
	if len(policies) == 0 && *resourcePolicy == "" {
		missing = append(missing, "--policy")
	}
	if *action == "" {
		missing = append(missing, "--action")
	}
	if *resource == "" {
		missing = append(missing, "--resource")
	}
	if len(missing) > 0 {
		fmt.Fprintf(st.Err, "quiltq policy eval: missing %s; run 'quiltq policy eval -h' for usage\n", strings.Join(missing, ", "))
		return exitUsage
	}
	if msg := checkEvalPrincipal(*principal, len(sessionPolicies) > 0, *resourceAccount); msg != "" {
		fmt.Fprintf(st.Err, "quiltq policy eval: %s\n", msg)
		return exitUsage
	}

	req := iam.Request{Principal: *principal, Action: *action, Resource: *resource, Context: map[string][]string{}}
	for _, kv := range contexts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			fmt.Fprintf(st.Err, "quiltq policy eval: --context %q is not KEY=VALUE; write it as in --context aws:CalledVia=athena.amazonaws.com\n", kv)
			return exitUsage
		}
		req.Context[k] = append(req.Context[k], v)
	}
	if *principal != "" && len(req.ContextValues("aws:PrincipalArn")) == 0 {
		req.Context["aws:PrincipalArn"] = []string{*principal}
	}

	set := iam.PolicySet{ResourceAccount: *resourceAccount}
	var err error
	fail := func(err error) int {
		if engine.KindOf(err) == engine.Canceled {
			return interrupted(st, "policy eval")
		}
		fmt.Fprintf(st.Err, "quiltq policy eval: %v\n", err)
		return exitUsage
	}
	if set.Identity, err = iam.ReadFiles(ctx, "--policy", policies, iam.Parse); err != nil {
		return fail(err)
	}
	if set.Session, err = iam.ReadFiles(ctx, "--session-policy", sessionPolicies, iam.Parse); err != nil {
		return fail(err)
	}
	if *boundary != "" {
		ps, err := iam.ReadFiles(ctx, "--boundary", []string{*boundary}, iam.Parse)
		if err != nil {
			return fail(err)
		}
		set.Boundary = ps[0]
	}
	if *resourcePolicy != "" {
		ps, err := iam.ReadFiles(ctx, "--resource-policy", []string{*resourcePolicy}, iam.ParseResource)
		if err != nil {
			return fail(err)
		}
		set.Resource = ps[0]
	}
	if *scps != "" {
		if set.SCPs, err = iam.ReadSCPs(ctx, "--scps", *scps); err != nil {
			return fail(err)
		}
	}

	res := iam.Decide(req, set)
	if ctx.Err() != nil {
		return interrupted(st, "policy eval")
	}
	if *asJSON {
		if err := print.JSONLine(st.Out, report.DecisionJSONOf(res)); err != nil {
			fmt.Fprintf(st.Err, "quiltq policy eval: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	files := map[iam.PolicyType][]string{
		iam.PolicyIdentity: policies, iam.PolicySession: sessionPolicies,
		iam.PolicyBoundary: nonEmptyList(*boundary), iam.PolicyResource: nonEmptyList(*resourcePolicy), iam.PolicySCP: nonEmptyList(*scps),
	}
	fmt.Fprintln(st.Out, report.Decision(req, res, files))
	return exitOK
}

// checkEvalPrincipal says what is wrong with --principal for the other
// flags given ("" when nothing is): session policies limit only session
// principals (iam.IsSession), and another account can only be told from
// the caller's.
func checkEvalPrincipal(principal string, session bool, resourceAccount string) string {
	if principal != "" {
		if _, err := iam.ParseARN(principal); err != nil {
			return fmt.Sprintf("--principal: %v; give the caller as arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION or arn:aws:iam::ACCOUNT:user/NAME", err)
		}
	}
	if resourceAccount != "" {
		if !iam.IsAccountID(resourceAccount) {
			return fmt.Sprintf("--resource-account %q is not a 12-digit AWS account id", resourceAccount)
		}
		if principal == "" {
			return "--resource-account needs --principal: whether the request crosses accounts depends on the caller's account"
		}
	}
	if session && !iam.IsSession(principal) {
		return "--session-policy needs --principal to be a session (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION or arn:aws:sts::ACCOUNT:federated-user/NAME): session policies limit only sessions"
	}
	return ""
}

func nonEmptyList(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
