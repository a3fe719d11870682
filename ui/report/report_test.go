package report

import (
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/session"
)

func TestFix(t *testing.T) {
	reqs := []iam.Requirement{
		{Action: "glue:GetTable", Resource: "arn:aws:glue:us-east-1:1:table/sales/orders", Via: iam.ViaAthena, Purpose: iam.PurposeMetadata, Why: "read of sales.orders"},
		{Action: "s3:ListBucket", Resource: "arn:aws:s3:::data", Via: iam.ViaAthena, Purpose: iam.PurposeData, Why: "the data of sales.orders"},
	}
	gaps := []iam.Gap{{Requirement: reqs[0]}, {Requirement: reqs[1]}}
	var b strings.Builder
	Fix(&b, "role R", reqs, []string{"a note"}, gaps)
	out := b.String()
	for _, want := range []string{
		"  missing:   glue:GetTable, s3:ListBucket\n",
		"glue:GetTable  arn:aws:glue:us-east-1:1:table/sales/orders  (read of sales.orders, through Athena)",
		"  note:      a note\n",
		"statement that fixes the whole query (add it to role R's identity policies):",
		`"s3:ListBucket"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Fix output lacks %q:\n%s", want, out)
		}
	}
}

func TestExplanation(t *testing.T) {
	tests := []struct {
		name string
		e    session.Explanation
		want []string
		not  []string
	}{
		{"credentials", session.Explanation{Credentials: true, Remedy: explain.Remedy{Who: "you", Why: "expired"}},
			[]string{"  who:       you\n", "  why:       expired\n"}, []string{"policy:", "statement"}},
		{"an explicit deny", session.Explanation{NoStatement: true, Denial: explain.Denial{Actions: []string{"s3:GetObject"}, ExplicitDeny: true, PolicyType: "scp"}, Remedy: explain.Remedy{Who: "your organization's administrator"}, Principal: "arn:p", PrincipalFromSTS: true},
			[]string{"  missing:   s3:GetObject\n", "  principal: arn:p (from STS)\n", "  policy:    scp (an explicit deny)\n", "no identity-policy statement fixes this"}, []string{"statement that"}},
		// A refusal that implies its action without naming it (Athena's
		// results write) still says what is missing.
		{"an implied action", session.Explanation{NoStatement: true, Denial: explain.Denial{ImpliedActions: []string{"s3:PutObject"}, Denied: true}},
			[]string{"  missing:   s3:PutObject\n"}, nil},
	}
	for _, tc := range tests {
		var b strings.Builder
		Explanation(&b, tc.e)
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: lacks %q:\n%s", tc.name, w, b.String())
			}
		}
		for _, w := range tc.not {
			if strings.Contains(b.String(), w) {
				t.Errorf("%s: has %q:\n%s", tc.name, w, b.String())
			}
		}
	}
}
