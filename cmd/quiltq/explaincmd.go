package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/quiltq/quiltq/engine/explain"
)

// explainJSON is the --json output of `quiltq explain`. Pointers and nil
// slices print as null where the text does not say.
type explainJSON struct {
	Denied   bool     `json:"denied"`
	Category string   `json:"category"`
	Actions  []string `json:"actions"`
	// ImpliedActions are what the text implies without naming them; kept
	// apart so that a reader can tell AWS's words from quiltq's reading.
	ImpliedActions []string `json:"implied_actions"`
	Resources      []string `json:"resources"`
	Principal      *string  `json:"principal"`
	PolicyType     *string  `json:"policy_type"`
	ExplicitDeny   *bool    `json:"explicit_deny"`
	Service        *string  `json:"service"`
	// DecodeCommand reads an EC2-style encoded authorization message.
	DecodeCommand *string         `json:"decode_command"`
	Fix           *explain.Policy `json:"fix"`
	WhoCanFix     *string         `json:"who_can_fix"`
}

// runExplain runs `quiltq explain [--json] [FILE | -]`: it reads an AWS
// error text pasted from anywhere and says what it means, who can fix it
// and, for a refusal an identity statement fixes, the statement.
func runExplain(_ context.Context, g *globalFlags, args []string, st streams) int {
	fs := flag.NewFlagSet("quiltq explain", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	var ctx explain.Context
	fs.StringVar(&ctx.Workgroup, "w", g.workgroup, "the Athena `workgroup` the refused request used (for Athena's short denial, which names none)")
	fs.StringVar(&ctx.Region, "region", "", "the AWS `region` of the request, when the text names none")
	fs.StringVar(&ctx.Account, "account", "", "the AWS `account` ID of the request, when the text names none")
	fs.StringVar(&ctx.DataCatalog, "data-catalog", g.catalog, "the Athena data `catalog` of the request, when the text names none")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: quiltq explain [--json] [-w WORKGROUP] [--region R] [--account ID] [FILE | -]

Explains an AWS error text pasted from anywhere (quiltq, the AWS CLI, an SDK,
a JDBC driver, Athena's console): whether it is a refusal, which actions on
which resources for which principal, which kind of policy refused, who can
fix it and, when a statement on the caller's role fixes it, that statement.
The text comes from FILE, or stdin when FILE is '-' or absent.

Exit status: 0 when the text was explained, whatever it says; 1 when nothing
in it was recognizable; 2 on bad usage or no text.

Flags:
`)
		fs.PrintDefaults()
	}
	if code := parseFlags(fs, args, st); code >= 0 {
		return code
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(st.Err, "quiltq explain: give one FILE (or '-' for stdin), not %d; quote the text in a file or pipe it in\n", fs.NArg())
		return exitUsage
	}
	text, err := readExplainInput(fs.Arg(0), st)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq explain: %v\n", err)
		return exitUsage
	}
	if strings.TrimSpace(text) == "" {
		fmt.Fprintln(st.Err, "quiltq explain: no text to explain; paste the error on stdin or give a FILE holding it")
		return exitUsage
	}

	d := explain.Parse(text)
	rem := d.Remedy()
	fix := explain.FixDenial(d, ctx)
	code := exitOK
	if !recognized(d) {
		code = exitFailed
	}
	if *asJSON {
		out := explainJSON{
			Denied: d.Denied, Category: d.Category, Actions: d.Actions, ImpliedActions: d.ImpliedActions, Resources: d.Resources,
			Principal: nonEmpty(d.Principal), PolicyType: nonEmpty(d.PolicyType), Service: nonEmpty(d.Service),
			DecodeCommand: nonEmpty(d.DecodeCommand()), Fix: fix, WhoCanFix: nonEmpty(rem.Who),
		}
		if d.DenyStated {
			// Only IAM's clause says whether a Deny refused; Lake
			// Formation, Athena's short denial and S3's "Access Denied"
			// leave it unknown (null).
			out.ExplicitDeny = &d.ExplicitDeny
		}
		b, err := json.Marshal(out)
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq explain: %v\n", err)
			return exitFailed
		}
		fmt.Fprintln(st.Out, string(b))
		return code
	}
	writeExplanation(st.Out, d, rem, fix)
	return code
}

// readExplainInput reads the text from path, or stdin for "" and "-".
func readExplainInput(path string, st streams) (string, error) {
	if path != "" && path != "-" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("%v; give a readable FILE, or pipe the text on stdin", err)
		}
		return string(b), nil
	}
	if path == "" && st.InTTY {
		return "", fmt.Errorf("no text: give a FILE, or pipe the error text in (for example: pbpaste | quiltq explain)")
	}
	if st.In == nil {
		return "", nil
	}
	b, err := io.ReadAll(st.In)
	return string(b), err
}

// recognized reports whether Parse found anything in the text.
func recognized(d explain.Denial) bool {
	return d.Category != explain.CategoryOther || d.Code != "" || d.Service != "" ||
		len(d.Actions) > 0 || len(d.Resources) > 0 || d.Principal != "" || d.Connector != ""
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// writeExplanation prints the explanation as text.
func writeExplanation(w io.Writer, d explain.Denial, rem explain.Remedy, fix *explain.Policy) {
	switch {
	case d.Denied:
		fmt.Fprintf(w, "refused: %s\n", refusalSummary(d))
	case d.MaybeDenied:
		fmt.Fprintln(w, "possibly a refusal: AWS words a missing resource and a refusal alike here; see why for how to tell")
	case d.Category == explain.CategoryOther && !recognized(d):
		fmt.Fprintln(w, "not recognized: the text is not an AWS error quiltq knows; nothing to explain")
		return
	default:
		fmt.Fprintf(w, "not a refusal: %s\n", strings.ReplaceAll(d.Category, "_", " "))
	}
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(w, "  %-11s %s\n", name+":", value)
		}
	}
	field("service", d.Service)
	field("code", d.Code)
	field("operation", d.Operation)
	field("actions", strings.Join(d.Actions, ", "))
	field("implied", strings.Join(d.ImpliedActions, ", "))
	field("resources", strings.Join(d.Resources, ", "))
	field("principal", d.Principal)
	field("policy", d.Policy)
	field("connector", d.Connector)
	field("decode", d.DecodeCommand())
	if rem.Who != "" {
		field("who", rem.Who)
	}
	if rem.Why != "" {
		field("why", rem.Why)
	}
	if fix != nil {
		fmt.Fprintln(w, "statement that fixes it (add to the role's identity policy):")
		fmt.Fprintln(w, fix.JSON())
	} else if d.Denied {
		fmt.Fprintln(w, "no identity-policy statement fixes this; see who and why above")
	}
}

// refusalSummary words the kind of refusal in a few words.
func refusalSummary(d explain.Denial) string {
	kind := map[string]string{
		explain.PolicyIdentity: "an identity-based policy", explain.PolicyResource: "a resource-based policy",
		explain.PolicySCP: "a service control policy", explain.PolicySession: "a session policy",
		explain.PolicyBoundary: "a permissions boundary", explain.PolicyVPCEndpoint: "a VPC endpoint policy",
		explain.PolicyLakeFormation: "Lake Formation", explain.PolicyKMS: "a KMS key policy",
	}[d.PolicyType]
	switch {
	case kind == "" && d.DenyStated && d.ExplicitDeny:
		return "explicitly denied; the text does not say by which kind of policy"
	case kind == "":
		return "permission denied; the text does not say by which kind of policy"
	case d.ExplicitDeny:
		return "explicitly denied by " + kind
	case d.PolicyType == explain.PolicyLakeFormation:
		return "Lake Formation permissions are missing"
	}
	return "no statement in " + kind + " allows it"
}
