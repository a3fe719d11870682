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
	policies, contexts          []string
	action, resource, principal string
	json                        bool
}

// runPolicyEval evaluates one request against policy files, as the sandbox
// would authorize it.
func runPolicyEval(_ context.Context, pf policyFlags, st streams) int {
	policies, contexts, action, resource, principal := pf.policies, pf.contexts, &pf.action, &pf.resource, &pf.principal
	var missing []string
	if len(policies) == 0 {
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

	var parsed []*iam.Policy
	for _, file := range policies {
		doc, err := engine.ReadFileLimited(file, engine.PolicyLimit())
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq policy eval: %v\ncheck the --policy path and that the file is readable\n", err)
			return exitUsage
		}
		p, err := iam.Parse(file, doc)
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq policy eval: malformed policy: %v\n", err)
			var pe *iam.ParseError
			if errors.As(err, &pe) && pe.Path == "" {
				fmt.Fprintln(st.Err, "fix the JSON at that line and column and run again")
			} else {
				fmt.Fprintln(st.Err, "fix that element of the policy and run again")
			}
			return exitUsage
		}
		parsed = append(parsed, p)
	}

	res := iam.Evaluate(req, parsed...)
	if pf.json {
		b, err := json.Marshal(report.DecisionJSONOf(res))
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq policy eval: %v\n", err)
			return exitFailed
		}
		fmt.Fprintln(st.Out, string(b))
		return exitOK
	}
	fmt.Fprintln(st.Out, report.Decision(req, res, policies))
	return exitOK
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
