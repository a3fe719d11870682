package grants

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
)

func ref(c, d, t string, a engine.Access) engine.Ref {
	return engine.Ref{Catalog: c, Database: d, Table: t, Access: a}
}

const (
	tab  = "quilt-sales-prod-tabulator"
	udb  = "userathenadatabase-k3v9q2m7xw1p"
	idb  = "icebergdatabase-7c4m2x9q0hzt"
	glue = "awsdatacatalog"
)

func TestQuiltRole(t *testing.T) {
	q := &QuiltRole{Role: "ReadOnlyQuilt", Buckets: []string{"quilt-sandbox-bucket"}, TabulatorCatalog: tab}
	tests := []struct {
		ref  engine.Ref
		want Verdict
		why  string
	}{
		{ref(tab, "quilt-sandbox-bucket", "regional_orders", engine.Read), Allowed, "grants bucket quilt-sandbox-bucket"},
		{ref(tab, "nextflowtower", "sail", engine.Read), Denied, "does not grant bucket nextflowtower"},
		{ref(tab, "quilt-sandbox-bucket", "regional_orders", engine.Write), Denied, "read-only"},
		{ref(tab, "*", "*", engine.Metadata), Allowed, "listing"},
		{ref(glue, udb, "quilt-sandbox-bucket_packages", engine.Read), Allowed, "grants bucket quilt-sandbox-bucket"},
		{ref(glue, udb, "nextflowtower_objects-view", engine.Read), Denied, "bucket nextflowtower, which it does not grant"},
		{ref(glue, udb, "quilt-sandbox-bucket_packages", engine.Write), Denied, "Quilt maintains"},
		{ref(glue, udb, "*", engine.Metadata), Allowed, "listing"},
		{ref(glue, udb, "nounderscore", engine.Read), Unknown, ""},
		// The Iceberg package tables, hyphenated bucket names and all.
		{ref(glue, idb, "quilt-sandbox-bucket_package_entry", engine.Read), Allowed, "grants bucket quilt-sandbox-bucket"},
		{ref(glue, idb, "quilt-sandbox-bucket_package_tag", engine.Metadata), Allowed, "grants bucket quilt-sandbox-bucket"},
		{ref(glue, idb, "nextflowtower_package_tag", engine.Read), Denied, "Iceberg package table belongs to bucket nextflowtower, which it does not grant"},
		{ref(glue, idb, "quilt-sandbox_package_revision", engine.Read), Denied, "bucket quilt-sandbox, which it does not grant"},
		{ref(glue, idb, "quilt-sandbox-bucket_package_manifest", engine.Write), Denied, "Quilt maintains its Iceberg package tables"},
		{ref(glue, idb, "*", engine.Metadata), Allowed, "listing"},
		{ref(glue, idb, "quilt-sandbox-bucket_packages", engine.Read), Unknown, ""}, // not an Iceberg package table
		{ref(glue, idb, "scratch", engine.Read), Unknown, ""},
		{ref(glue, "sales", "orders", engine.Read), Unknown, ""},
		{ref("other", "quilt-sandbox-bucket", "x", engine.Read), Unknown, ""},
	}
	for _, tc := range tests {
		v, why := q.Decide(tc.ref, iam.Select)
		if v != tc.want || !strings.Contains(why, tc.why) {
			t.Errorf("%s: got %s %q, want %s %q", tc.ref, v, why, tc.want, tc.why)
		}
	}
	// A stack whose user database is named explicitly.
	named := &QuiltRole{Buckets: []string{"b"}, UserDatabase: "quilt_users"}
	if v, _ := named.Decide(ref(glue, "quilt_users", "c_packages", engine.Read), iam.Select); v != Denied {
		t.Errorf("named user database: got %s, want denied", v)
	}
	if v, _ := named.Decide(ref(glue, udb, "c_packages", engine.Read), iam.Select); v != Unknown {
		t.Errorf("another database once the user database is named: got %s, want unknown", v)
	}
	// A stack whose Iceberg database is named explicitly.
	named = &QuiltRole{Buckets: []string{"b"}, IcebergDatabase: "quilt_index"}
	if v, _ := named.Decide(ref(glue, "quilt_index", "c_package_tag", engine.Read), iam.Select); v != Denied {
		t.Errorf("named Iceberg database: got %s, want denied", v)
	}
	if v, _ := named.Decide(ref(glue, idb, "c_package_tag", engine.Read), iam.Select); v != Unknown {
		t.Errorf("another database once the Iceberg database is named: got %s, want unknown", v)
	}
	if got := q.Offer(engine.Ref{}); !strings.Contains(got, "grants buckets quilt-sandbox-bucket") {
		t.Errorf("offer: got %q", got)
	}
}

const rulesText = `# what the sales team may query
[[allow]]
catalog = "AwsDataCatalog"
database = "sales"
access = ["read", "metadata"]
reason = "the sales warehouse"

[[allow]]
database = "scratch_*"
reason = "anyone's scratch space"

[[deny]]
database = "sales"
table = "customers"
reason = "personal data"
`

func TestRules(t *testing.T) {
	r, err := ParseRules("grants.toml", rulesText)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref  engine.Ref
		want Verdict
		why  string
	}{
		{ref(glue, "sales", "orders", engine.Read), Allowed, "allow rule awsdatacatalog.sales.* (line 2): the sales warehouse"},
		{ref(glue, "sales", "orders", engine.Write), Denied, "no allow rule covers write access"},
		{ref(glue, "sales", "customers", engine.Read), Denied, "deny rule *.sales.customers (line 12): personal data"},
		{ref("other", "scratch_ann", "t", engine.Write), Allowed, "scratch space"},
		{ref(glue, "scratch", "t", engine.Read), Denied, "no allow rule"},
		{ref(glue, "sales", "*", engine.Metadata), Allowed, "sales warehouse"},
		// Allowing one database does not allow listing every database.
		{ref(glue, "*", "*", engine.Metadata), Denied, "no allow rule"},
	}
	for _, tc := range tests {
		v, why := r.Decide(tc.ref, iam.Select)
		if v != tc.want || !strings.Contains(why, tc.why) {
			t.Errorf("%s %s: got %s %q, want %s %q", tc.ref, tc.ref.Access, v, why, tc.want, tc.why)
		}
	}
	// Deny rules alone abstain outside what they cover, and a deny rule on
	// one database does not forbid listing them.
	deny, err := ParseRules("deny.toml", "[[deny]]\ndatabase = \"hr*\"\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ref  engine.Ref
		want Verdict
	}{
		{ref(glue, "hr_payroll", "pay", engine.Read), Denied},
		{ref(glue, "sales", "orders", engine.Read), Unknown},
		{ref(glue, "*", "*", engine.Metadata), Unknown},
	} {
		if v, _ := deny.Decide(tc.ref, iam.Select); v != tc.want {
			t.Errorf("deny-only %s: got %s, want %s", tc.ref, v, tc.want)
		}
	}
}

func TestRulesErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"syntax", "[[allow]]\ndatabase = ", "grants.toml:2:"},
		{"unknown key in a rule", "[[allow]]\ndb = \"x\"\n", "grants.toml:2: [[allow]] has unknown key db: a rule has catalog, database, table, access and reason"},
		{"unknown table", "[[alow]]\ndatabase = \"x\"\n", "grants.toml:1: unknown key alow: a rules file has [[allow]] and [[deny]] tables"},
		{"unknown access", "[[allow]]\naccess = [\"select\"]\n", `grants.toml:2: [[allow]] access "select" is not one of read, write, metadata`},
		// An empty name would match every table: an allow list that
		// silently allows all.
		{"empty database", "[[allow]]\ndatabase = \"\"\n", `grants.toml:2: [[allow]] database = "" is empty, which would name nothing (and match everything); write the name as Athena shows it`},
		{"empty table in a deny rule", "[[deny]]\ndatabase = \"hr\"\ntable = \"\"\n", `grants.toml:3: [[deny]] table = "" is empty`},
		{"blank catalog", "[[allow]]\ncatalog = \"  \"\n", `grants.toml:2: [[allow]] catalog = "  " is only white space`},
		{"padded name", "[[allow]]\ndatabase = \" sales\"\n", `database = " sales" starts or ends with white space`},
		{"SQL quotes", "[[allow]]\ndatabase = '\"sales\"'\n", `database = "\"sales\"" is in SQL's double quotes`},
		{"control character", "[[deny]]\ntable = \"t\\u001b[31m\"\n", `grants.toml:2: [[deny]] table = "t\x1b[31m" holds a control character`},
		{"empty access", "[[allow]]\ndatabase = \"s\"\naccess = []\n", "grants.toml:3: [[allow]] access = [] covers no access at all"},
		{"access not a list", "[[allow]]\ndatabase = \"s\"\naccess = \"read\"\n", `grants.toml:3: [[allow]] access is a string; write a list, like access = ["read", "metadata"]`},
		{"access of numbers", "[[allow]]\ndatabase = \"s\"\naccess = [1]\n", "grants.toml:3: [[allow]] access a number is not one of read, write, metadata"},
		{"allow naming nothing", "[[allow]]\nreason = \"all\"\n", `grants.toml:1: [[allow]] names no catalog, database or table, so it would allow every table; write database = "*" if that is meant`},
		{"allow as a plain table", "[allow]\ndatabase = \"x\"\n", "grants.toml:1: allow is a table; write each rule as a table of its own, under a [[allow]] line"},
		{"allow as a string", "allow = \"sales\"\n", "grants.toml:1: allow is a string"},
		{"inline rules", "allow = [{database = \"a\"}, {database = \"\"}]\n", `grants.toml:1: [[allow]] database = "" is empty`},
		// The line is the rule's own, not the last rule's.
		{"type error in the second rule", "[[allow]]\ndatabase = \"a\"\n\n[[allow]]\ndatabase = 5\n\n[[allow]]\ndatabase = \"c\"\n", `grants.toml:5: [[allow]] database is a number; write a name in quotes, like database = "sales"`},
		{"reason not a string", "[[deny]]\ndatabase = \"a\"\nreason = true\n", "grants.toml:3: [[deny]] reason is true or false"},
		{"headers with spaces and comments", "# rules\n[[ deny ]] # first\ndatabase = \"a\"\n\n  [[\"deny\"]]\n  database = \"\" # oops\n", `grants.toml:6: [[deny]] database = "" is empty`},
		{"a header inside a multi-line string", "[[deny]]\nreason = \"\"\"\n[[deny]]\ndatabase = 1\n\"\"\"\ndatabase = \"x\"\n\n[[deny]]\ndatabase = 7\n", "grants.toml:9: [[deny]] database is a number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRules("grants.toml", tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if r != nil {
				t.Errorf("rules came back with the error: %+v", r)
			}
			after := strings.TrimPrefix(err.Error(), "grants.toml:")
			for _, internal := range []string{"toml:", "incompatible", "destination", "int64", "[]engine", "[]interface", "map["} {
				if strings.Contains(after, internal) {
					t.Errorf("error %q shows Go or library internals (%q)", err, internal)
				}
			}
		})
	}
}

// TestRulesNothingWidens: a file whose one allow rule is malformed is
// refused, never read as an allow list that allows everything; a
// well-formed pattern "*" still may.
func TestRulesNothingWidens(t *testing.T) {
	if _, err := ParseRules("g.toml", "[[allow]]\ndatabase = \"\"\n"); err == nil {
		t.Fatal(`database = "" was accepted`)
	}
	r, err := ParseRules("g.toml", "[[allow]]\ndatabase = \"*\"\naccess = [\"read\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := r.Decide(ref(glue, "any", "t", engine.Read), iam.Select); v != Allowed {
		t.Errorf(`database = "*": got %s, want allowed`, v)
	}
	if v, _ := r.Decide(ref(glue, "any", "t", engine.Write), iam.Insert); v != Denied {
		t.Errorf(`database = "*" with access read, a write: got %s, want denied`, v)
	}
}

func TestLoadRulesBounded(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	_, err := LoadRules("/dev/zero")
	if !errors.Is(err, engine.ErrTooLarge) || !strings.Contains(err.Error(), "/dev/zero is over 1,048,576 bytes") {
		t.Errorf("LoadRules(/dev/zero): got %v", err)
	}
	if _, err := LoadRules(filepath.Join(t.TempDir(), "none.toml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: got %v, want fs.ErrNotExist", err)
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		p, n string
		want bool
	}{
		{"*", "", true}, {"*", "abc", true}, {"a*", "abc", true}, {"a*c", "abc", true},
		{"a*c", "abd", false}, {"*_view", "orders_view", true}, {"*_view", "orders_views", false},
		{"a**b", "axxb", true}, {"abc", "abc", true}, {"abc", "abcd", false}, {"", "", true},
		{"s*s*s", "sxsxs", true}, {"s*s*s", "sxs", false},
	} {
		if got := glob(tc.p, tc.n); got != tc.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tc.p, tc.n, got, tc.want)
		}
	}
}

func parsePolicy(t *testing.T, doc string) *iam.Policy {
	t.Helper()
	p, err := iam.Parse("test", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPolicy(t *testing.T) {
	noGlue := parsePolicy(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "athena:*", "Resource": "*"}]}`)
	salesOnly := parsePolicy(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["glue:GetDatabase*", "glue:GetTable*", "glue:GetPartition*"],
		 "Resource": ["arn:aws:glue:us-east-1:123456789012:catalog",
		              "arn:aws:glue:us-east-1:123456789012:database/sales",
		              "arn:aws:glue:us-east-1:123456789012:table/sales/*"],
		 "Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}},
		{"Effect": "Deny", "Action": "glue:*", "Resource": "arn:aws:glue:us-east-1:123456789012:table/sales/customers"}]}`)
	mk := func(p *iam.Policy) *Policy {
		return &Policy{Label: "role R's policy", Policies: []*iam.Policy{p}, Region: "us-east-1", Account: "123456789012",
			Caller: iam.Caller{ARN: "arn:aws:sts::123456789012:assumed-role/R/ann"}}
	}
	tests := []struct {
		p    *Policy
		ref  engine.Ref
		want Verdict
		why  string
	}{
		{mk(noGlue), ref(glue, "sales", "orders", engine.Read), Denied, "does not allow glue:GetTable on arn:aws:glue:us-east-1:123456789012:catalog, arn:aws:glue:us-east-1:123456789012:database/sales, arn:aws:glue:us-east-1:123456789012:table/sales/orders"},
		{mk(salesOnly), ref(glue, "sales", "orders", engine.Read), Allowed, "allows the"},
		{mk(salesOnly), ref(glue, "sales", "customers", engine.Read), Denied, "explicitly denies glue:GetTable on arn:aws:glue:us-east-1:123456789012:table/sales/customers"},
		{mk(salesOnly), ref(glue, "hr", "pay", engine.Read), Denied, "database/hr"},
		// A Lambda catalog without its function described is not decided.
		{mk(noGlue), ref(tab, "b", "t", engine.Read), Unknown, ""},
	}
	for _, tc := range tests {
		v, why := tc.p.Decide(tc.ref, iam.Select)
		if v != tc.want || !strings.Contains(why, tc.why) {
			t.Errorf("%s: got %s %q, want %s %q", tc.ref, v, why, tc.want, tc.why)
		}
	}
	// With a boundary known that allows no Glue action, an identity
	// policy that allows them is not enough, and the reason says so.
	bounded := mk(salesOnly)
	bounded.Others = &iam.Known{Boundary: parsePolicy(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "athena:*", "Resource": "*"}]}`)}
	if v, why := bounded.Decide(ref(glue, "sales", "orders", engine.Read), iam.Select); v != Denied || !strings.Contains(why, "does not allow (by its permissions boundary) glue:GetTable") {
		t.Errorf("bounded: got %s %q, want denied by its permissions boundary", v, why)
	}
	// With its function known, the Tabulator catalog needs lambda:InvokeFunction.
	withLambda := mk(noGlue)
	withLambda.Catalogs = []iam.DataCatalog{{Name: tab, Type: iam.CatalogLambda, Function: "arn:aws:lambda:us-east-1:123456789012:function:tabulator"}}
	if v, why := withLambda.Decide(ref(tab, "b", "t", engine.Read), iam.Select); v != Denied || !strings.Contains(why, "lambda:InvokeFunction") {
		t.Errorf("tabulator: got %s %q, want denied naming lambda:InvokeFunction", v, why)
	}
}

// A reference passes only if no source denies it; a deny from any source
// wins over the others' allows, and the refusal names every denying source.
func TestCheckerDenyWins(t *testing.T) {
	rules, err := ParseRules("grants.toml", rulesText)
	if err != nil {
		t.Fatal(err)
	}
	role := &QuiltRole{Role: "ReadOnlyQuilt", Buckets: []string{"quilt-sandbox-bucket"}, TabulatorCatalog: tab}
	c := &Checker{Sources: []Source{role, rules}}
	refs := []engine.Ref{
		ref(glue, "sales", "orders", engine.Read),          // rules allow, role abstains
		ref(tab, "quilt-sandbox-bucket", "t", engine.Read), // role allows, rules deny (not in allow list)
		ref(tab, "nextflowtower", "sail", engine.Read),     // both deny
		ref(glue, "sales", "customers", engine.Read),       // rules deny
	}
	ds := c.Check(refs, iam.Select)
	want := []Verdict{Allowed, Denied, Denied, Denied}
	for i, d := range ds {
		if d.Verdict != want[i] {
			t.Errorf("%s: got %s, want %s (%+v)", d.Ref, d.Verdict, want[i], d.Reasons)
		}
	}
	if n := len(ds[2].Reasons); n != 2 {
		t.Errorf("both sources deny %s: got %d reasons, want 2", ds[2].Ref, n)
	}
	msg := (&Refusal{Denied: Denials(ds)}).Error()
	for _, w := range []string{
		"3 table references not granted",
		`"quilt-sales-prod-tabulator"."nextflowtower"."sail" (read)`,
		"Quilt role ReadOnlyQuilt: it does not grant bucket nextflowtower",
		"rules file grants.toml: denied by deny rule *.sales.customers (line 12): personal data",
		"instead: Quilt role ReadOnlyQuilt grants buckets quilt-sandbox-bucket",
	} {
		if !strings.Contains(msg, w) {
			t.Errorf("refusal message lacks %q:\n%s", w, msg)
		}
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(msg, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "instead:") {
			if seen[l] {
				t.Errorf("offer repeated: %q", l)
			}
			seen[l] = true
		}
	}
	if len(seen) != 2 {
		t.Errorf("got %d offers, want 2 (the role's buckets, the rules' allow list):\n%s", len(seen), msg)
	}
	// No sources: nothing is known.
	if d := (&Checker{}).Check(refs[:1], iam.Select)[0]; d.Verdict != Unknown {
		t.Errorf("no sources: got %s, want unknown", d.Verdict)
	}
}

func TestRefKind(t *testing.T) {
	for _, tc := range []struct {
		ref  engine.Ref
		kind iam.StatementKind
		want iam.StatementKind
	}{
		{ref(glue, "*", "*", engine.Metadata), iam.ShowDatabases, iam.ShowDatabases},
		{ref(glue, "d", "*", engine.Metadata), iam.ShowTables, iam.ShowTables},
		{ref(glue, "d", "t", engine.Metadata), iam.Describe, iam.Describe},
		{ref(glue, "d", "t", engine.Read), iam.CTAS, iam.Select},
		{ref(glue, "d", "t", engine.Write), iam.CTAS, iam.CTAS},
		{ref(glue, "d", "t", engine.Write), iam.Select, iam.Insert},
	} {
		if got := refKind(tc.ref, tc.kind); got != tc.want {
			t.Errorf("refKind(%s %s, %s) = %s, want %s", tc.ref, tc.ref.Access, tc.kind, got, tc.want)
		}
	}
}

// TestRefusalEscapesNames: a refused table whose name holds a line break
// or a terminal escape is listed on one line, escaped.
func TestRefusalEscapesNames(t *testing.T) {
	r := &Refusal{Denied: []Decision{{
		Ref:     ref(glue, "sales", "x\n  instead: nothing is refused\x1b[2J", engine.Read),
		Verdict: Denied,
		Reasons: []Reason{{Source: "rules file g.toml", Why: "no allow rule covers read access to it"}},
	}}}
	got := r.Error()
	want := `"awsdatacatalog"."sales"."x\n  instead: nothing is refused\x1b[2J" (read):`
	if !strings.Contains(got, want) || strings.Count(got, "\n") != 2 || strings.Contains(got, "\x1b") {
		t.Errorf("got %q, want one line holding %q", got, want)
	}
}

// A line left unfinished is named as itself, not as the line after it
// (the TOML library counts the line break it stumbled on).
func TestParseRulesUnfinishedLine(t *testing.T) {
	_, err := ParseRules("g.toml", "# rules\n[[allow]\ndatabase = \"x\"\n")
	if err == nil || !strings.HasPrefix(err.Error(), "g.toml:2:9: ") {
		t.Errorf("got %v, want the error at g.toml:2:9 (the end of [[allow])", err)
	}
}

func TestParseRulesUnfinishedTableName(t *testing.T) {
	_, err := ParseRules("g.toml", "[allow\nx = 1\n")
	if err == nil || !strings.HasPrefix(err.Error(), "g.toml:1:7: ") {
		t.Errorf("got %v, want the error at g.toml:1:7 (the end of [allow)", err)
	}
	// A key without a value is reported on its own line already.
	_, err = ParseRules("g.toml", "[[allow]]\ndatabase\n")
	if err == nil || !strings.HasPrefix(err.Error(), "g.toml:2:") {
		t.Errorf("got %v, want the error on line 2", err)
	}
}
