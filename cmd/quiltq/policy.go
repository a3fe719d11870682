package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/quiltq/quiltq/engine/iam"
)

// listFlag collects a flag given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runPolicy runs `quiltq policy SUBCOMMAND`.
func runPolicy(ctx context.Context, args []string, st streams) int {
	if len(args) == 0 || args[0] != "eval" {
		fmt.Fprintln(st.Err, "usage: quiltq policy eval --policy FILE --action ACTION --resource ARN [--context KEY=VALUE ...] [--principal ARN] [--json]")
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
	Decision  string           `json:"decision"`
	Statement *policyStatement `json:"statement"`
}

type policyStatement struct {
	Policy string `json:"policy"`
	Sid    string `json:"sid"`
	Index  int    `json:"index"`
}

// runPolicyEval evaluates one request against policy files, as the sandbox
// would authorize it.
func runPolicyEval(_ context.Context, args []string, st streams) int {
	fs := flag.NewFlagSet("quiltq policy eval", flag.ContinueOnError)
	var policies, contexts listFlag
	fs.Var(&policies, "policy", "identity policy JSON `FILE` (repeat for several)")
	action := fs.String("action", "", "the `ACTION` to test, as in athena:StartQueryExecution")
	resource := fs.String("resource", "", "the resource `ARN`, or * for actions without a resource type")
	fs.Var(&contexts, "context", "a condition key `KEY=VALUE` (repeat a key for a multivalued key such as aws:CalledVia)")
	principal := fs.String("principal", "", "the caller's `ARN`; also sets aws:PrincipalArn unless --context gives it")
	asJSON := fs.Bool("json", false, "print one JSON line instead of text")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: quiltq policy eval --policy FILE [--policy FILE...] --action ACTION --resource ARN [--context KEY=VALUE ...] [--principal ARN] [--json]")
		fmt.Fprintln(fs.Output(), "\nEvaluates the request against the identity policies with AWS's logic and says which statement decided it.\nExit status: 0 when it evaluated (whatever the decision), 2 on bad input.\n\nFlags:")
		fs.PrintDefaults()
	}
	if code := parseFlags(fs, args, st); code >= 0 {
		return code
	}
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
	if fs.NArg() > 0 {
		fmt.Fprintf(st.Err, "quiltq policy eval: unexpected argument %q; give policy files with --policy\n", fs.Arg(0))
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
		doc, err := os.ReadFile(file)
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
	if *asJSON {
		out := policyDecision{Decision: res.Decision.String()}
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
	fmt.Fprintln(st.Out, describeDecision(req, res, policies))
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

// describeDecision words the result in one line.
func describeDecision(req iam.Request, res iam.Result, files []string) string {
	what := req.Action + " on " + req.Resource
	if res.Statement == nil {
		return fmt.Sprintf("ImplicitlyDenied: no statement in %s allows %s", strings.Join(files, ", "), what)
	}
	stmt := fmt.Sprintf("Statement[%d]", res.Statement.Index)
	if res.Statement.Sid != "" {
		stmt += fmt.Sprintf(" (Sid %q)", res.Statement.Sid)
	}
	verb := "allows"
	if res.Decision == iam.ExplicitlyDenied {
		verb = "explicitly denies"
	}
	return fmt.Sprintf("%s: %s of %s %s %s", res.Decision, stmt, res.Policy, verb, what)
}
