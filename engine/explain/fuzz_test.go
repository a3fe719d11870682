package explain

import (
	"slices"
	"strings"
	"testing"
)

var categories = []string{
	CategoryPermission, CategoryCredentials, CategoryThrottling, CategoryNotFound,
	CategorySyntax, CategoryLimit, CategoryConfig, CategoryOther,
}

var policies = []string{
	"", PolicyIdentity, PolicyResource, PolicySCP, PolicyRCP, PolicySession, PolicyBoundary,
	PolicyVPCEndpoint, PolicyLakeFormation, PolicyKMS,
}

// checkInvariants holds for every input: the record is whole, consistent
// and its words come from the closed sets.
func checkInvariants(t *testing.T, in string, d Denial) {
	t.Helper()
	if d.Original != in {
		t.Fatalf("Original = %q, want the input %q", d.Original, in)
	}
	if !slices.Contains(categories, d.Category) {
		t.Errorf("Category = %q, not one of %q", d.Category, categories)
	}
	if !slices.Contains(policies, d.PolicyType) {
		t.Errorf("PolicyType = %q, not one of %q", d.PolicyType, policies)
	}
	if d.Denied != (d.Category == CategoryPermission) {
		t.Errorf("Denied = %v with Category %q", d.Denied, d.Category)
	}
	if (d.ExplicitDeny || d.DenyStated || d.PolicyType != "" || d.Encoded != "") && !d.Denied {
		t.Errorf("ExplicitDeny %v, DenyStated %v, PolicyType %q, Encoded %q on a text that is not a denial", d.ExplicitDeny, d.DenyStated, d.PolicyType, d.Encoded)
	}
	if d.MaybeDenied && d.Category != CategoryConfig {
		t.Errorf("MaybeDenied with Category %q", d.Category)
	}
	for _, a := range d.ImpliedActions {
		if svc, name, ok := strings.Cut(a, ":"); !ok || svc == "" || name == "" || slices.Contains(d.Actions, a) {
			t.Errorf("implied action %q is not prefix:Name, or repeats a named action", a)
		}
	}
	for _, a := range d.Actions {
		svc, name, ok := strings.Cut(a, ":")
		if !ok || svc == "" || name == "" || svc != strings.ToLower(svc) {
			t.Errorf("action %q is not prefix:Name with a lower-case prefix", a)
		}
	}
	if len(d.Actions) > 0 && !strings.HasPrefix(d.Actions[0], d.Service+":") {
		t.Errorf("Service %q is not the first action's (%q)", d.Service, d.Actions[0])
	}
	for _, r := range d.Resources {
		if r == "" {
			t.Error("an empty resource")
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"User: arn:aws:sts::1:assumed-role/R/s is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:1:catalog because no identity-based policy allows the glue:GetTable action",
		"You are not authorized to perform: athena:GetWorkGroup on the resource. After your AWS administrator or you have updated your permissions, please try again.",
		"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
		`{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkInvariants(t, in, Parse(in))
	})
}

// BenchmarkParseLong reads a text of a thousand repeated sentences, the
// shape a driver that repeats itself produces, to keep Parse linear.
func BenchmarkParseLong(b *testing.B) {
	in := strings.Repeat("User: arn:aws:iam::1:user/u is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:1:catalog because no identity-based policy allows the glue:GetTable action. ", 1000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		Parse(in)
	}
}
