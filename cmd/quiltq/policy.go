package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
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
	if *principal != "" && len(iamContextGet(req.Context, "aws:PrincipalArn")) == 0 {
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
	if set.Identity, err = readPolicyFlag(ctx, "--policy", policies, iam.Parse); err != nil {
		return fail(err)
	}
	if set.Session, err = readPolicyFlag(ctx, "--session-policy", sessionPolicies, iam.Parse); err != nil {
		return fail(err)
	}
	if *boundary != "" {
		ps, err := readPolicyFlag(ctx, "--boundary", []string{*boundary}, iam.Parse)
		if err != nil {
			return fail(err)
		}
		set.Boundary = ps[0]
	}
	if *resourcePolicy != "" {
		ps, err := readPolicyFlag(ctx, "--resource-policy", []string{*resourcePolicy}, iam.ParseResource)
		if err != nil {
			return fail(err)
		}
		set.Resource = ps[0]
	}
	if *scps != "" {
		if set.SCPs, err = readSCPs(ctx, *scps); err != nil {
			return fail(err)
		}
	}

	res := iam.Decide(req, set)
	if ctx.Err() != nil {
		return interrupted(st, "policy eval")
	}
	if *asJSON {
		b, err := json.Marshal(report.DecisionJSONOf(res))
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq policy eval: %v\n", err)
			return exitFailed
		}
		fmt.Fprintln(st.Out, string(b))
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
// principals, and another account can only be told from the caller's.
func checkEvalPrincipal(principal string, session bool, resourceAccount string) string {
	var a iam.ARN
	if principal != "" {
		var err error
		if a, err = iam.ParseARN(principal); err != nil {
			return fmt.Sprintf("--principal: %v; give the caller as arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION or arn:aws:iam::ACCOUNT:user/NAME", err)
		}
	}
	if resourceAccount != "" {
		if len(resourceAccount) != 12 || strings.Trim(resourceAccount, "0123456789") != "" {
			return fmt.Sprintf("--resource-account %q is not a 12-digit AWS account id", resourceAccount)
		}
		if principal == "" {
			return "--resource-account needs --principal: whether the request crosses accounts depends on the caller's account"
		}
	}
	// A session policy limits only a role session or a federated user
	// session (IAM User Guide, "Policy evaluation logic", session
	// policies): given for anyone else it would be ignored, silently.
	if session && !(a.Service == "sts" && (strings.HasPrefix(a.Resource, "assumed-role/") || strings.HasPrefix(a.Resource, "federated-user/"))) {
		return "--session-policy needs --principal to be a session (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION or arn:aws:sts::ACCOUNT:federated-user/NAME): session policies limit only sessions"
	}
	return ""
}

// readPolicyFlag reads and parses the policy files of one flag, each
// within IAM's size limit (engine.PolicyLimit).
func readPolicyFlag(ctx context.Context, flagName string, paths []string, parse func(string, []byte) (*iam.Policy, error)) ([]*iam.Policy, error) {
	var out []*iam.Policy
	for _, path := range paths {
		doc, err := engine.ReadFileLimitedContext(ctx, path, engine.PolicyLimit())
		if err != nil {
			return nil, fmt.Errorf("%s: %w\ncheck the %s path and that the file is readable", flagName, err, flagName)
		}
		p, err := parse(path, doc)
		if err != nil {
			return nil, malformed(flagName, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// malformed words a policy's parse error with what to do about it.
func malformed(flagName string, err error) error {
	var pe *iam.ParseError
	if errors.As(err, &pe) && pe.Path == "" {
		return fmt.Errorf("%s: malformed policy: %w\nfix the JSON at that line and column and run again", flagName, err)
	}
	return fmt.Errorf("%s: malformed policy: %w\nfix that element of the policy and run again", flagName, err)
}

// scpLimit bounds an --scps file: at most five SCPs attached at each
// level, of at most 5,120 characters each, over a root, five levels of
// OUs and the account (Organizations User Guide, "Quotas and service
// limits for AWS Organizations").
func scpLimit() engine.Limit {
	l := engine.PolicyLimit()
	l.What, l.Chars = "the SCPs of an organization", 7*5*5120
	l.Advice = "an organization has at most seven levels (root, five OUs, the account) of at most five SCPs of 5,120 characters each"
	return l
}

// readSCPs reads an --scps file: a JSON array with one entry per level
// from the root to the account, each an array of SCP documents. Each
// document is named FILE[LEVEL][N] in messages and decisions.
func readSCPs(ctx context.Context, path string) ([][]*iam.Policy, error) {
	doc, err := engine.ReadFileLimitedContext(ctx, path, scpLimit())
	if err != nil {
		return nil, fmt.Errorf("--scps: %w\ncheck the --scps path and that the file is readable", err)
	}
	var levels []json.RawMessage
	if err := json.Unmarshal(doc, &levels); err != nil {
		return nil, fmt.Errorf("--scps: %s is not a JSON array of levels (%v)\nwrite it as [[ROOT_SCP, ...], [OU_SCP, ...], ..., [ACCOUNT_SCP, ...]], from the root to the account", path, err)
	}
	if len(levels) == 0 {
		return nil, fmt.Errorf("--scps: %s has no level\nan account in an organization has at least the root's SCPs (FullAWSAccess by default); leave --scps out for an account in no organization", path)
	}
	out := make([][]*iam.Policy, len(levels))
	for i, raw := range levels {
		var docs []json.RawMessage
		if err := json.Unmarshal(raw, &docs); err != nil {
			return nil, fmt.Errorf("--scps: %s[%d] is not an array of SCP documents (%v)\neach level is an array, even of one SCP: [{\"Version\": ...}]", path, i, err)
		}
		if len(docs) == 0 {
			return nil, fmt.Errorf("--scps: %s[%d] holds no SCP\nevery level needs an SCP that allows (an empty level would deny everything); give FullAWSAccess where no other applies", path, i)
		}
		out[i] = []*iam.Policy{}
		for j, d := range docs {
			p, err := iam.Parse(fmt.Sprintf("%s[%d][%d]", path, i, j), d)
			if err != nil {
				return nil, malformed("--scps", err)
			}
			out[i] = append(out[i], p)
		}
	}
	return out, nil
}

func nonEmptyList(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// iamContextGet reads a context key case-insensitively, as IAM does.
func iamContextGet(ctx map[string][]string, key string) []string {
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}
