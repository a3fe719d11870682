package athena

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/smithy-go"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/tabulator"
)

const (
	tabCatalog = "quilt-sales-prod-tabulator"
	userDB     = "userathenadatabase-k3v9q2m7xw1p"
)

// tabulatorFor reads Tabulator tables from env's registry as user.
func tabulatorFor(t testing.TB, env *sandboxtest.Env, user string) *tabulator.RegistrySource {
	t.Helper()
	tok := env.Login(t, user).AccessToken
	return &tabulator.RegistrySource{
		Registry:    &auth.Registry{URL: env.Info.RegistryURL},
		AccessToken: func(context.Context) (string, error) { return tok, nil },
	}
}

// tree renders a listing as "catalog/database/table(kind)" lines.
func tree(l engine.Listing) []string {
	var out []string
	for _, c := range l.Catalogs {
		out = append(out, c.Name+" "+c.Type)
		for _, d := range c.Databases {
			out = append(out, c.Name+"/"+d.Name)
			for _, tb := range d.Tables {
				out = append(out, c.Name+"/"+d.Name+"/"+tb.Name+"("+tb.Kind+")")
			}
		}
	}
	return out
}

func columnNames(tb engine.ListedTable) []string {
	var names []string
	for _, c := range tb.Columns {
		names = append(names, c.Name+" "+c.Type)
	}
	return names
}

func wantLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("listing lacks %q; it has:\n%s", w, strings.Join(got, "\n"))
		}
	}
}

func errorsOf(l engine.Listing) []string {
	var out []string
	for _, e := range l.Errors {
		out = append(out, e.Item+" "+e.Action)
	}
	return out
}

func TestBrowseAdmin(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	c, _ := client(t, env, "admin", Options{})
	l, err := c.Browse(sandboxtest.Context(t), BrowseOptions{Tabulator: tabulatorFor(t, env, "admin")})
	if err != nil {
		t.Fatal(err)
	}
	got := tree(l)
	if len(l.Catalogs) != 2 || l.Catalogs[0].Name != GlueCatalog || l.Catalogs[1].Name != tabCatalog {
		t.Fatalf("catalogs:\n%s", strings.Join(got, "\n"))
	}
	wantLines(t, got,
		"AwsDataCatalog GLUE", tabCatalog+" LAMBDA",
		"AwsDataCatalog/default",
		"AwsDataCatalog/"+userDB+"/quilt-sandbox-bucket_packages(table)",
		"AwsDataCatalog/"+userDB+"/quilt-sandbox-bucket_objects-view(table)",
		"AwsDataCatalog/"+userDB+"/nextflowtower_packages(table)",
		"AwsDataCatalog/"+userDB+"/nextflowtower_objects-view(table)",
		"AwsDataCatalog/sales/orders(table)", "AwsDataCatalog/sales/order_totals(view)",
		tabCatalog+"/quilt-sandbox-bucket/regional_orders(tabulator)",
		tabCatalog+"/quilt-sandbox-bucket/shipments_tsv(tabulator)",
		tabCatalog+"/nextflowtower/sail(tabulator)", tabCatalog+"/nextflowtower/multiqc_stats(tabulator)",
	)
	events, _ := l.Find("awsdatacatalog", "sales", "events")
	if cols := columnNames(events); len(cols) != 7 || cols[6] != "dt string" {
		t.Errorf("sales.events columns %v, want 6 columns then the partition key dt", cols)
	}
	sail, ok := l.Find(tabCatalog, "nextflowtower", "sail")
	wantSail := []string{"name varchar", "length integer", "effective_length double", "tpm double", "num_reads double",
		"run_date varchar", "sample_id varchar", "$pkg_name varchar", "$logical_key varchar", "$physical_key varchar", "$top_hash varchar", "$issue varchar"}
	if !ok || !slices.Equal(columnNames(sail), wantSail) {
		t.Errorf("sail columns\n got %v\nwant %v", columnNames(sail), wantSail)
	}
	// The broken configuration is listed with its error, and said once in Errors.
	broken, _ := l.Find(tabCatalog, "quilt-sandbox-bucket", "shipments_tsv")
	if !strings.Contains(broken.Error, `"tsv" is not a format`) || len(broken.Columns) != 0 {
		t.Errorf("shipments_tsv: %+v", broken)
	}
	if e := errorsOf(l); !slices.Equal(e, []string{tabCatalog + ".quilt-sandbox-bucket.shipments_tsv tabulator:config"}) {
		t.Errorf("errors %v, want only the broken configuration", e)
	}
}

func TestBrowseAnalystSeesRefusals(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	c, _ := client(t, env, "analyst", Options{})
	l, err := c.Browse(sandboxtest.Context(t), BrowseOptions{Tabulator: tabulatorFor(t, env, "analyst")})
	if err != nil {
		t.Fatal(err)
	}
	// Both catalogs are visible (GetDataCatalog is allowed); their
	// databases are not: Glue and the Tabulator Lambda are refused.
	if got := tree(l); !slices.Equal(got, []string{"AwsDataCatalog GLUE", tabCatalog + " LAMBDA"}) {
		t.Errorf("tree %v", got)
	}
	want := []string{"AwsDataCatalog glue:GetDatabases", tabCatalog + " lambda:InvokeFunction"}
	if got := errorsOf(l); !slices.Equal(got, want) {
		t.Fatalf("errors %v, want %v", got, want)
	}
	for _, e := range l.Errors {
		if e.Kind != engine.Denied || !strings.Contains(e.Message, "assumed-role/ReadWriteQuiltV2-sales-prod/analyst") {
			t.Errorf("error %+v: want a denial naming the analyst's session", e)
		}
	}
}

func TestBrowseReaderIsFiltered(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	c, _ := client(t, env, "reader", Options{})
	l, err := c.Browse(sandboxtest.Context(t), BrowseOptions{Tabulator: tabulatorFor(t, env, "reader")})
	if err != nil {
		t.Fatal(err)
	}
	got := tree(l)
	wantLines(t, got, "AwsDataCatalog/default", "AwsDataCatalog/"+userDB+"/quilt-sandbox-bucket_packages(table)",
		tabCatalog+"/quilt-sandbox-bucket/regional_orders(tabulator)", tabCatalog+"/nextflowtower")
	for _, line := range got {
		if strings.Contains(line, "/sales") || strings.Contains(line, userDB+"/nextflowtower") {
			t.Errorf("reader sees %s", line)
		}
	}
	// nextflowtower is a Tabulator database the registry does not show
	// the reader's role: an error, not a silent empty bucket.
	var found bool
	for _, e := range l.Errors {
		if e.Item == tabCatalog+".nextflowtower" {
			found = e.Action == "graphql:bucketConfig" && e.Kind == engine.NotFound && strings.Contains(e.Message, "does not show it to your role")
		}
	}
	if !found {
		t.Errorf("no bucketConfig error for nextflowtower in %+v", l.Errors)
	}
}

func TestBrowseNarrowedAndWithoutRegistry(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	c, _ := client(t, env, "admin", Options{})
	ctx := sandboxtest.Context(t)
	l, err := c.Browse(ctx, BrowseOptions{Catalog: "awsdatacatalog", Database: "SALES"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"AwsDataCatalog GLUE", "AwsDataCatalog/sales", "AwsDataCatalog/sales/customers(table)", "AwsDataCatalog/sales/events(table)",
		"AwsDataCatalog/sales/order_totals(view)", "AwsDataCatalog/sales/orders(table)"}
	if got := tree(l); !slices.Equal(got, want) || len(l.Errors) != 0 {
		t.Errorf("got %v %v, want %v", got, l.Errors, want)
	}

	// Plain AWS credentials: Tabulator tables come from Athena, kind
	// tabulator, and Errors says the configurations were not read.
	l, err = c.Browse(ctx, BrowseOptions{Catalog: tabCatalog})
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, tree(l), tabCatalog+"/nextflowtower/sail(tabulator)")
	if got := errorsOf(l); !slices.Contains(got, tabCatalog+" graphql:bucketConfig") {
		t.Errorf("errors %v, want the missing registry named", got)
	}

	// A database that is not there is an error, not an empty listing.
	l, _ = c.Browse(ctx, BrowseOptions{Catalog: GlueCatalog, Database: "nope"})
	if got := errorsOf(l); !slices.Equal(got, []string{"AwsDataCatalog.nope athena:ListDatabases"}) || l.Errors[0].Kind != engine.NotFound {
		t.Errorf("errors %+v", l.Errors)
	}
	// A catalog that is not there either.
	l, _ = c.Browse(ctx, BrowseOptions{Catalog: "nocatalog"})
	if len(l.Catalogs) != 0 || len(l.Errors) != 1 || l.Errors[0].Action != "athena:GetDataCatalog" || l.Errors[0].Kind != engine.NotFound {
		t.Errorf("got %v %+v", tree(l), l.Errors)
	}
}

// Without athena:ListDataCatalogs the Quilt catalogs are still listed: Glue's
// and the Tabulator catalog derived from config.json.
func TestBrowseWithoutListDataCatalogs(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	p, err := iam.Parse("no-list", []byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"athena:ListDataCatalogs","Resource":"*"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	env.Authorizer().SetPolicies("QuiltAdmin-sales-prod", []*iam.Policy{p})
	c, _ := client(t, env, "admin", Options{})
	l, err := c.Browse(sandboxtest.Context(t), BrowseOptions{TabulatorCatalog: tabCatalog, Tabulator: tabulatorFor(t, env, "admin")})
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, tree(l), "AwsDataCatalog/sales/orders(table)", tabCatalog+" LAMBDA", tabCatalog+"/nextflowtower/sail(tabulator)")
	if got := errorsOf(l); !slices.Contains(got, "data catalogs athena:ListDataCatalogs") {
		t.Errorf("errors %v", got)
	}
}

// throttler answers the first call of every operation and input with a
// ThrottlingException, then passes calls through.
type throttler struct {
	athenaAPI
	mu   sync.Mutex
	seen map[string]bool
	all  bool // throttle every call
}

func (th *throttler) throttle(key string) error {
	th.mu.Lock()
	defer th.mu.Unlock()
	if th.all || !th.seen[key] {
		th.seen[key] = true
		return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	}
	return nil
}

func (th *throttler) ListDataCatalogs(ctx context.Context, in *awsathena.ListDataCatalogsInput, o ...func(*awsathena.Options)) (*awsathena.ListDataCatalogsOutput, error) {
	if err := th.throttle("catalogs"); err != nil {
		return nil, err
	}
	return th.athenaAPI.ListDataCatalogs(ctx, in, o...)
}

func (th *throttler) ListDatabases(ctx context.Context, in *awsathena.ListDatabasesInput, o ...func(*awsathena.Options)) (*awsathena.ListDatabasesOutput, error) {
	if err := th.throttle("dbs " + *in.CatalogName); err != nil {
		return nil, err
	}
	return th.athenaAPI.ListDatabases(ctx, in, o...)
}

func (th *throttler) ListTableMetadata(ctx context.Context, in *awsathena.ListTableMetadataInput, o ...func(*awsathena.Options)) (*awsathena.ListTableMetadataOutput, error) {
	if err := th.throttle("tables " + *in.CatalogName + "." + *in.DatabaseName); err != nil {
		return nil, err
	}
	return th.athenaAPI.ListTableMetadata(ctx, in, o...)
}

func TestBrowseRetriesThrottling(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	var sl sleepLog
	c, _ := client(t, env, "admin", Options{Sleep: sl.Sleep})
	c.athena = &throttler{athenaAPI: c.athena, seen: map[string]bool{}}
	ctx := sandboxtest.Context(t)
	l, err := c.Browse(ctx, BrowseOptions{Catalog: GlueCatalog})
	if err != nil {
		t.Fatal(err)
	}
	// 9 tables, and the Iceberg database's 8.
	if len(l.Errors) != 0 || l.Tables() != 17 {
		t.Errorf("after one throttle per call: %d tables, errors %+v", l.Tables(), l.Errors)
	}
	// One throttle on each of 1 + 1 + (databases) calls, one wait each.
	if n := len(sl.all()); n != 2+len(l.Catalogs[0].Databases) {
		t.Errorf("%d waits, want %d", n, 2+len(l.Catalogs[0].Databases))
	}

	// Throttled on every attempt: each item says so, and the listing
	// still returns.
	c.athena = &throttler{athenaAPI: c.athena.(*throttler).athenaAPI, seen: map[string]bool{}, all: true}
	l, err = c.Browse(ctx, BrowseOptions{Catalog: GlueCatalog})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"AwsDataCatalog athena:ListDatabases", "data catalogs athena:ListDataCatalogs"}
	if got := errorsOf(l); !slices.Equal(got, want) {
		t.Fatalf("errors %v, want %v", got, want)
	}
	for _, e := range l.Errors {
		if e.Kind != engine.Throttled || !strings.Contains(e.Message, "throttled on every attempt") || !strings.Contains(e.Message, "Rate exceeded") {
			t.Errorf("%+v", e)
		}
	}
}

func TestDescribe(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	c, _ := client(t, env, "admin", Options{})
	ctx := sandboxtest.Context(t)
	src := tabulatorFor(t, env, "admin")
	tests := []struct {
		opts     DescribeOptions
		want     string // catalog/database/table(kind), "" for none
		cols     int
		errItem  string
		errKind  engine.Kind
		errInMsg string
	}{
		{DescribeOptions{Catalog: "awsdatacatalog", Database: "sales", Table: "orders"}, "AwsDataCatalog/sales/orders(table)", 10, "", 0, ""},
		{DescribeOptions{Catalog: GlueCatalog, Database: "sales", Table: "order_totals"}, "AwsDataCatalog/sales/order_totals(view)", 4, "", 0, ""},
		{DescribeOptions{Catalog: tabCatalog, Database: "nextflowtower", Table: "sail", Tabulator: src}, tabCatalog + "/nextflowtower/sail(tabulator)", 12, "", 0, ""},
		{DescribeOptions{Catalog: tabCatalog, Database: "quilt-sandbox-bucket", Table: "shipments_tsv", Tabulator: src}, tabCatalog + "/quilt-sandbox-bucket/shipments_tsv(tabulator)", 0,
			tabCatalog + ".quilt-sandbox-bucket.shipments_tsv", engine.Invalid, "does not parse"},
		{DescribeOptions{Catalog: GlueCatalog, Database: "sales", Table: "nope"}, "", 0, "AwsDataCatalog.sales.nope", engine.NotFound, "EntityNotFoundException"},
		{DescribeOptions{Catalog: tabCatalog, Database: "nextflowtower", Table: "nope", Tabulator: src}, "", 0, tabCatalog + ".nextflowtower.nope", engine.NotFound, "no Tabulator table nope"},
	}
	for _, tt := range tests {
		t.Run(tt.opts.Table, func(t *testing.T) {
			l, err := c.Describe(ctx, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := tree(l)
			if tt.want == "" {
				if len(l.Catalogs) != 0 {
					t.Errorf("got %v, want no table", got)
				}
			} else if len(got) != 3 || got[2] != tt.want {
				t.Errorf("got %v, want %s", got, tt.want)
			} else if n := len(l.Catalogs[0].Databases[0].Tables[0].Columns); n != tt.cols {
				t.Errorf("%d columns, want %d", n, tt.cols)
			}
			if tt.errItem == "" {
				if len(l.Errors) != 0 {
					t.Errorf("errors %+v", l.Errors)
				}
				return
			}
			if len(l.Errors) != 1 || l.Errors[0].Item != tt.errItem || l.Errors[0].Kind != tt.errKind || !strings.Contains(l.Errors[0].Message, tt.errInMsg) {
				t.Errorf("errors %+v, want one on %s (%v) saying %q", l.Errors, tt.errItem, tt.errKind, tt.errInMsg)
			}
		})
	}

	// The analyst may not read Glue: the refused action is named.
	ca, _ := client(t, env, "analyst", Options{})
	l, err := ca.Describe(ctx, DescribeOptions{Catalog: GlueCatalog, Database: "sales", Table: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Errors) != 1 || l.Errors[0].Action != "glue:GetTable" || l.Errors[0].Kind != engine.Denied {
		t.Errorf("errors %+v, want glue:GetTable refused", l.Errors)
	}
}

func TestCallerARN(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	for user, role := range map[string]string{"admin": "QuiltAdmin-sales-prod", "analyst": "ReadWriteQuiltV2-sales-prod"} {
		c, _ := client(t, env, user, Options{})
		arn, err := c.CallerARN(sandboxtest.Context(t))
		if want := "arn:aws:sts::123456789012:assumed-role/" + role + "/" + user; err != nil || arn != want {
			t.Errorf("%s: got %q %v, want %s", user, arn, err, want)
		}
	}
}
