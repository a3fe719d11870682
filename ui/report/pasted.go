package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/quiltq/quiltq/engine/explain"
)

// This file words `quiltq explain`: an AWS error text pasted from
// anywhere, explained.

// ExplainedJSON is the --json output of `quiltq explain`, a pasted
// error text explained. Pointers and nil
// slices print as null where the text does not say.
type ExplainedJSON struct {
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

// PastedJSON is d, explained with fix, as `quiltq explain --json` prints
// it.
func PastedJSON(d explain.Denial, fix *explain.Policy) ExplainedJSON {
	out := ExplainedJSON{
		Denied: d.Denied, Category: d.Category, Actions: d.Actions, ImpliedActions: d.ImpliedActions, Resources: d.Resources,
		Principal: nonEmpty(d.Principal), PolicyType: nonEmpty(d.PolicyType), Service: nonEmpty(d.Service),
		DecodeCommand: nonEmpty(d.DecodeCommand()), Fix: fix, WhoCanFix: nonEmpty(d.Remedy().Who),
	}
	if d.DenyStated {
		// Only IAM's clause says whether a Deny refused; Lake Formation,
		// Athena's short denial and S3's "Access Denied" leave it unknown
		// (null).
		out.ExplicitDeny = &d.ExplicitDeny
	}
	return out
}

// Recognized reports whether Parse found anything in the text.
func Recognized(d explain.Denial) bool {
	return d.Category != explain.CategoryOther || d.Code != "" || d.Service != "" ||
		len(d.Actions) > 0 || len(d.Resources) > 0 || d.Principal != "" || d.Connector != ""
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Pasted prints the explanation of a pasted error text d: what it is,
// what it names, who can fix it and the statement that does (fix).
func Pasted(w io.Writer, d explain.Denial, rem explain.Remedy, fix *explain.Policy) {
	switch {
	case d.Denied:
		fmt.Fprintf(w, "refused: %s\n", refusalSummary(d))
	case d.MaybeDenied:
		fmt.Fprintln(w, "possibly a refusal: AWS words a missing resource and a refusal alike here; see why for how to tell")
	case d.Category == explain.CategoryOther && !Recognized(d):
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
