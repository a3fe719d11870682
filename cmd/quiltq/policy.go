package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
)

// listFlag collects a flag given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runPolicy runs `quiltq policy SUBCOMMAND`.
func runPolicy(ctx context.Context, args []string, st streams) int {
	if len(args) == 0 || args[0] != "eval" {
		fmt.Fprintln(st.Err, "usage: "+policyEvalUsage)
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" {
			fmt.Fprintf(st.Err, "quiltq policy: unknown subcommand %q; the only one is \"eval\"\n", args[0])
			return exitUsage
		}
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	return runPolicyEval(ctx, args[1:], st)
}

// policyDecision is the --json output.
type policyDecision struct {
	Decision string `json:"decision"`
	// DeniedBy is the policy type that refused: identity, session,
	// boundary, scp, resource, or none when allowed.
	DeniedBy string `json:"denied_by"`
	// AllowedBy is the policy type whose Allow granted (identity or
	// resource), none when denied.
	AllowedBy string `json:"allowed_by"`
	// SCPLevel is the level (0 = root) of the SCP that refused; null
	// unless denied_by is scp.
	SCPLevel     *int             `json:"scp_level"`
	CrossAccount bool             `json:"cross_account"`
	Statement    *policyStatement `json:"statement"`
}

type policyStatement struct {
	Policy string `json:"policy"`
	Sid    string `json:"sid"`
	Index  int    `json:"index"`
}

// policyEvalUsage is the one-line usage of `quiltq policy eval`.
const policyEvalUsage = "quiltq policy eval --policy FILE [--policy FILE...] [--session-policy FILE...] [--boundary FILE] [--scps FILE] [--resource-policy FILE] [--resource-account ID] --action ACTION --resource ARN [--context KEY=VALUE ...] [--principal ARN] [--json]"

// runPolicyEval evaluates one request against policy files of every type,
// as the sandbox would authorize it, and says which policy type decided.
//
// Flags (the coordinator's port to cobra keeps them): --policy (repeat),
// --session-policy (repeat), --boundary, --scps, --resource-policy,
// --resource-account, --action, --resource, --context (repeat),
// --principal, --json; all parsed here.
func runPolicyEval(_ context.Context, args []string, st streams) int {
	fs := flag.NewFlagSet("quiltq policy eval", flag.ContinueOnError)
	var policies, sessionPolicies, contexts listFlag
	fs.Var(&policies, "policy", "identity policy JSON `FILE` (repeat for several)")
	fs.Var(&sessionPolicies, "session-policy", "session policy JSON `FILE` the caller's credentials carry (repeat for several; needs a session --principal)")
	boundary := fs.String("boundary", "", "the permissions boundary JSON `FILE` of the caller's role or user")
	scps := fs.String("scps", "", "SCPs `FILE`: a JSON array with one entry per level from the organization's root to the account, each an array of SCP documents")
	resourcePolicy := fs.String("resource-policy", "", "the resource's resource-based policy JSON `FILE` (bucket, key, function policy)")
	resourceAccount := fs.String("resource-account", "", "the 12-digit `ID` of the account that owns the resource, when not the caller's (needs --principal)")
	action := fs.String("action", "", "the `ACTION` to test, as in athena:StartQueryExecution")
	resource := fs.String("resource", "", "the resource `ARN`, or * for actions without a resource type")
	fs.Var(&contexts, "context", "a condition key `KEY=VALUE` (repeat a key for a multivalued key such as aws:CalledVia)")
	principal := fs.String("principal", "", "the caller's `ARN`; also sets aws:PrincipalArn unless --context gives it")
	asJSON := fs.Bool("json", false, "print one JSON line instead of text")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: "+policyEvalUsage)
		fmt.Fprintln(fs.Output(), "\nEvaluates the request against every policy given with AWS's logic (identity, session, boundary,\nSCPs, resource policy; same or another account) and says which policy type and statement decided it.\nExit status: 0 when it evaluated (whatever the decision), 2 on bad input.\n\nExamples:\n  quiltq policy eval --policy role.json --action s3:GetObject --resource arn:aws:s3:::b/k\n  quiltq policy eval --policy role.json --resource-policy bucket.json --resource-account 444455556666 \\\n      --principal arn:aws:sts::123456789012:assumed-role/R/alice --action s3:GetObject --resource arn:aws:s3:::b/k --json\n\nFlags:")
		fs.PrintDefaults()
	}
	if code := parseFlags(fs, args, st); code >= 0 {
		return code
	}
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
	if fs.NArg() > 0 {
		fmt.Fprintf(st.Err, "quiltq policy eval: unexpected argument %q; give policy files with --policy\n", fs.Arg(0))
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
		fmt.Fprintf(st.Err, "quiltq policy eval: %v\n", err)
		return exitUsage
	}
	if set.Identity, err = readPolicyFlag("--policy", policies, iam.Parse); err != nil {
		return fail(err)
	}
	if set.Session, err = readPolicyFlag("--session-policy", sessionPolicies, iam.Parse); err != nil {
		return fail(err)
	}
	if *boundary != "" {
		ps, err := readPolicyFlag("--boundary", []string{*boundary}, iam.Parse)
		if err != nil {
			return fail(err)
		}
		set.Boundary = ps[0]
	}
	if *resourcePolicy != "" {
		ps, err := readPolicyFlag("--resource-policy", []string{*resourcePolicy}, iam.ParseResource)
		if err != nil {
			return fail(err)
		}
		set.Resource = ps[0]
	}
	if *scps != "" {
		if set.SCPs, err = readSCPs(*scps); err != nil {
			return fail(err)
		}
	}

	res := iam.Decide(req, set)
	if *asJSON {
		out := policyDecision{Decision: res.Decision.String(), DeniedBy: string(res.DeniedBy), AllowedBy: string(res.AllowedBy), CrossAccount: res.CrossAccount}
		if res.DeniedBy == iam.PolicySCP {
			level := res.SCPLevel
			out.SCPLevel = &level
		}
		if res.Statement != nil {
			out.Statement = &policyStatement{Policy: res.Policy, Sid: res.Statement.Sid, Index: res.Statement.Index}
		}
		b, err := json.Marshal(out)
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
	fmt.Fprintln(st.Out, describeDecision(req, res, files))
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
func readPolicyFlag(flagName string, paths []string, parse func(string, []byte) (*iam.Policy, error)) ([]*iam.Policy, error) {
	var out []*iam.Policy
	for _, path := range paths {
		doc, err := engine.ReadFileLimited(path, engine.PolicyLimit())
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
func readSCPs(path string) ([][]*iam.Policy, error) {
	doc, err := engine.ReadFileLimited(path, scpLimit())
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

// describeDecision words the outcome in one line: the decision, the
// policy type that decided it, and the statement (or, for an implicit
// deny, the files of the type that lacked an Allow).
func describeDecision(req iam.Request, res iam.Outcome, files map[iam.PolicyType][]string) string {
	what := req.Action + " on " + req.Resource
	by := res.AllowedBy
	if res.Decision != iam.Allowed {
		by = res.DeniedBy
	}
	typ := policyTypeWords(by)
	if by == iam.PolicySCP {
		typ += fmt.Sprintf(" at level %d", res.SCPLevel)
	}
	if res.CrossAccount {
		typ += ", across accounts"
	}
	if res.Statement == nil {
		where := strings.Join(files[by], ", ")
		switch {
		case by == iam.PolicyResource && len(files[by]) == 0:
			return fmt.Sprintf("%s by the %s: the resource is another account's and no resource-based policy was given (--resource-policy) to allow %s", res.Decision, typ, what)
		case res.Policy != "":
			where = res.Policy
		}
		return fmt.Sprintf("%s by the %s: no statement in %s allows %s", res.Decision, typ, where, what)
	}
	stmt := fmt.Sprintf("Statement[%d]", res.Statement.Index)
	if res.Statement.Sid != "" {
		stmt += fmt.Sprintf(" (Sid %q)", res.Statement.Sid)
	}
	verb := "allows"
	if res.Decision == iam.ExplicitlyDenied {
		verb = "explicitly denies"
	}
	return fmt.Sprintf("%s by the %s: %s of %s %s %s", res.Decision, typ, stmt, res.Policy, verb, what)
}

// policyTypeWords names a policy type as AWS's refusals do.
func policyTypeWords(t iam.PolicyType) string {
	switch t {
	case iam.PolicySession:
		return "session policy"
	case iam.PolicyBoundary:
		return "permissions boundary"
	case iam.PolicySCP:
		return "service control policy"
	case iam.PolicyResource:
		return "resource-based policy"
	}
	return "identity-based policy"
}
