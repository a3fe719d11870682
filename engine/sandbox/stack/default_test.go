package stack

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/quiltq/quiltq/engine/sandbox/objstore"
)

func fixedNow() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }

func TestDefaultStory(t *testing.T) {
	st, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	if st.Name != "sales-prod" || st.Region != "us-east-1" || st.AccountID != "123456789012" {
		t.Errorf("got %s/%s/%s, want sales-prod/us-east-1/123456789012", st.Name, st.Region, st.AccountID)
	}
	major, minor, _ := strings.Cut(st.StackVersion, ".")
	minor, _, _ = strings.Cut(minor, ".")
	if m, _ := strconv.Atoi(minor); major != "1" || m < 58 {
		t.Errorf("stack_version %s, want ≥ 1.58 (so $issue exists)", st.StackVersion)
	}
	if st.BenchRows != 1_000_000 {
		t.Errorf("bench_rows %d, want 1000000", st.BenchRows)
	}
	if got := st.TabulatorCatalog(); got != "quilt-sales-prod-tabulator" {
		t.Errorf("TabulatorCatalog %q", got)
	}

	wantUsers := map[string]string{
		"analyst": "ReadWriteQuiltV2-sales-prod",
		"reader":  "ReadOnlyQuilt",
		"admin":   "QuiltAdmin-sales-prod",
	}
	for name, role := range wantUsers {
		u, ok := st.User(name + "@example.com")
		if !ok || u.Role != role {
			t.Errorf("user %s: got %+v, want role %s", name, u, role)
		}
	}
	if u, _ := st.User("admin"); !u.Admin {
		t.Errorf("admin is not an admin")
	}

	// policies is the text of role's policies; the Iceberg package
	// tables' policy, which every Quilt role has, apart.
	var iceberg []string
	policies := func(role string) string {
		for _, r := range st.Roles {
			if r.Name == role {
				var all []string
				for _, p := range r.Policies {
					if p.Name == "QuiltIcebergTables" {
						iceberg = append(iceberg, string(p.Document))
						continue
					}
					all = append(all, string(p.Document))
				}
				return strings.Join(all, "\n")
			}
		}
		t.Fatalf("role %s missing", role)
		return ""
	}
	// The seed story: the analyst can use Athena but lacks Glue and Lambda
	// (but for the Iceberg package tables, which every Quilt role reads).
	analyst := policies("ReadWriteQuiltV2-sales-prod")
	if len(iceberg) != 1 {
		t.Errorf("the analyst's role has %d QuiltIcebergTables policies, want 1", len(iceberg))
	}
	for _, doc := range iceberg {
		for _, res := range regexp.MustCompile(`arn:aws:[a-z0-9]+:[^"]*`).FindAllString(doc, -1) {
			if !strings.Contains(res, "icebergdatabase-") && !strings.Contains(res, "icebergbucket-") && !strings.HasSuffix(res, ":catalog") {
				t.Errorf("the Iceberg tables' policy names %s, beyond the Iceberg database and bucket", res)
			}
		}
	}
	for _, no := range []string{"glue:", "lambda:"} {
		if strings.Contains(analyst, no) {
			t.Errorf("analyst's policies mention %s; the seed story has none", no)
		}
	}
	if !strings.Contains(analyst, "athena:StartQueryExecution") {
		t.Errorf("analyst cannot start queries")
	}
	reader := policies("ReadOnlyQuilt")
	for _, want := range []string{"glue:GetTable", "lambda:InvokeFunction", "aws:CalledVia", "athena.amazonaws.com", `"Sid":"GlueReadViaAthena"`} {
		if !strings.Contains(reader, want) {
			t.Errorf("reader's policies lack %s", want)
		}
	}
	if strings.Contains(reader, "arn:aws:s3:::nextflowtower") {
		t.Errorf("reader may read nextflowtower; it should read quilt-sandbox-bucket only")
	}

	userDB := regexp.MustCompile(`^userathenadatabase-[a-z0-9]{12}$`)
	var found bool
	for _, d := range st.Databases {
		if userDB.MatchString(d.Name) {
			found = true
			var names []string
			for _, tb := range d.Tables {
				names = append(names, tb.Name)
			}
			for _, want := range []string{"quilt-sandbox-bucket_packages", "quilt-sandbox-bucket_objects-view", "nextflowtower_packages", "nextflowtower_objects-view"} {
				if !slices.Contains(names, want) {
					t.Errorf("user database lacks %s (has %v)", want, names)
				}
			}
		}
	}
	if !found {
		t.Errorf("no userathenadatabase-<12> database")
	}

	wg := map[string]Workgroup{}
	for _, w := range st.Workgroups {
		wg[w.Name] = w
	}
	user := wg["QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"]
	if !user.Enforce || !regexp.MustCompile(`^s3://sales-prod-userathenaresultsbucket-[a-z0-9]+/athena-results/$`).MatchString(user.OutputLocation) {
		t.Errorf("user workgroup %+v: want an enforced athena-results/ location in the results bucket", user)
	}
	var disabled, noOutput int
	for _, w := range st.Workgroups {
		if w.State == "DISABLED" {
			disabled++
		}
		if w.OutputLocation == "" {
			noOutput++
		}
	}
	if _, ok := wg["primary"]; !ok || disabled != 1 || noOutput != 1 {
		t.Errorf("workgroups: primary=%v disabled=%d without output=%d, want true 1 1", ok, disabled, noOutput)
	}
	if _, ok := wg["sales-prod-audit"]; !ok {
		t.Errorf("no sales-prod-audit workgroup")
	}

	cat := map[string]DataCatalog{}
	for _, c := range st.DataCatalogs {
		cat[c.Name] = c
	}
	if c := cat["quilt-sales-prod-tabulator"]; c.Type != "LAMBDA" || c.Parameters["function"] != "arn:aws:lambda:us-east-1:123456789012:function:quilt-sales-prod-tabulator" {
		t.Errorf("tabulator catalog %+v", c)
	}
	if cat["AwsDataCatalog"].Type != "GLUE" {
		t.Errorf("AwsDataCatalog %+v", cat["AwsDataCatalog"])
	}
}

func TestDefaultIsFresh(t *testing.T) {
	a, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	a.Users = nil
	a.Databases[0].Name = "changed"
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Users) != 3 || b.Databases[0].Name == "changed" {
		t.Errorf("a second Default shares state with the first")
	}
}

// populated returns the default stack, with a small bench table, and its
// store.
func populated(t testing.TB, benchRows int) (*Stack, *objstore.Store) {
	t.Helper()
	st, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	st.BenchRows = benchRows
	store := objstore.New(fixedNow)
	if err := Populate(st, store); err != nil {
		t.Fatalf("Populate: %v", err)
	}
	return st, store
}

func TestPopulateBuckets(t *testing.T) {
	_, store := populated(t, 10)
	for _, b := range []string{
		"quilt-sandbox-bucket", "nextflowtower",
		"sales-prod-userathenaresultsbucket-1x7kq3bzr9wm", "sales-prod-analyticsbucket-0o2h8f5nq4ve",
		"aws-athena-query-results-123456789012-us-east-1", // only a workgroup names it
		"sales-prod-audittrailbucket-5c2rnx81zk0d",
	} {
		if !store.BucketExists(b) {
			t.Errorf("bucket %s was not created", b)
		}
	}
	o, err := store.Get("quilt-sandbox-bucket", "warehouse/sales/orders/orders-2024h1.csv")
	if err != nil || o.ContentType != "text/csv" || o.Size() == 0 {
		t.Errorf("orders object: %v %+v", err, o)
	}
}

// TestPackagesRoundTrip reads every package back from the store, as a
// client would, and checks pointers, manifests, hashes and bodies.
func TestPackagesRoundTrip(t *testing.T) {
	st, store := populated(t, 10)
	for _, b := range st.Buckets {
		type rev struct {
			pkg  Package
			when time.Time
		}
		latest := map[string]rev{}
		for _, p := range b.Packages {
			when, err := time.Parse(time.RFC3339, p.Time)
			if err != nil {
				t.Fatal(err)
			}
			ptr, err := store.Get(b.Name, NamedPackagesPrefix+p.Name+"/"+strconv.FormatInt(when.Unix(), 10))
			if err != nil {
				t.Fatalf("pointer of %s@%s: %v", p.Name, p.Time, err)
			}
			top := string(ptr.Data)
			if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(top) {
				t.Fatalf("pointer holds %q, want a top hash", top)
			}
			checkManifest(t, store, b.Name, top, p)
			if l, ok := latest[p.Name]; !ok || when.After(l.when) {
				latest[p.Name] = rev{p, when}
			}
		}
		for name, l := range latest {
			ptr, err := store.Get(b.Name, NamedPackagesPrefix+name+"/latest")
			if err != nil {
				t.Fatalf("latest of %s: %v", name, err)
			}
			want, err := store.Get(b.Name, NamedPackagesPrefix+name+"/"+strconv.FormatInt(l.when.Unix(), 10))
			if err != nil {
				t.Fatal(err)
			}
			if string(ptr.Data) != string(want.Data) {
				t.Errorf("%s latest = %s, want the newest revision's %s", name, ptr.Data, want.Data)
			}
		}
	}
}

func checkManifest(t *testing.T, store *objstore.Store, bucket, top string, p Package) {
	t.Helper()
	m, err := store.Get(bucket, PackagesPrefix+top)
	if err != nil {
		t.Fatalf("manifest %s: %v", top, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(m.Data))
	if !sc.Scan() {
		t.Fatalf("manifest %s is empty", top)
	}
	var head map[string]any
	if err := json.Unmarshal(sc.Bytes(), &head); err != nil {
		t.Fatal(err)
	}
	if head["version"] != "v0" || head["message"] != p.Message {
		t.Errorf("manifest header %v, want version v0 and message %q", head, p.Message)
	}
	if !strings.HasPrefix(sc.Text(), `{"version":"v0","message":`) {
		t.Errorf("header line %s does not start with version then message", sc.Text())
	}
	var h ManifestHeader
	_ = json.Unmarshal(sc.Bytes(), &h)
	var entries []ManifestEntry
	for sc.Scan() {
		var e ManifestEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	if len(entries) != len(p.Entries) {
		t.Fatalf("%s: %d entries, want %d", p.Name, len(entries), len(p.Entries))
	}
	bodies := map[string]string{}
	for _, e := range p.Entries {
		bodies[e.LogicalKey] = e.Body
	}
	for _, e := range entries {
		u, err := url.Parse(e.PhysicalKeys[0])
		if err != nil || u.Scheme != "s3" {
			t.Fatalf("physical key %q", e.PhysicalKeys[0])
		}
		obj, err := store.Get(u.Host, strings.TrimPrefix(u.Path, "/"))
		if err != nil {
			t.Fatalf("%s %s: %v", p.Name, e.LogicalKey, err)
		}
		sum := sha256.Sum256(obj.Data)
		if e.Hash.Type != "SHA256" || e.Hash.Value != hex.EncodeToString(sum[:]) || e.Size != obj.Size() {
			t.Errorf("%s %s: hash %+v size %d, object's sha256 %x size %d", p.Name, e.LogicalKey, e.Hash, e.Size, sum, obj.Size())
		}
		if string(obj.Data) != bodies[e.LogicalKey] {
			t.Errorf("%s@%s %s: the physical key holds another revision's body", p.Name, p.Time, e.LogicalKey)
		}
	}
	_, again, err := EncodeManifest(h, entries)
	if err != nil || again != top {
		t.Errorf("top hash recomputed from the manifest = %s, %v; want %s", again, err, top)
	}
}

func TestTopHashIsDeterministic(t *testing.T) {
	_, a := populated(t, 10)
	_, b := populated(t, 10)
	list := func(s *objstore.Store) []string {
		objs, err := s.List("nextflowtower", NamedPackagesPrefix, "")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range objs {
			out = append(out, o.Key+"="+string(o.Data))
		}
		return out
	}
	if x, y := list(a), list(b); !slices.Equal(x, y) || len(x) == 0 {
		t.Errorf("two populations differ:\n%v\n%v", x, y)
	}
	h1 := ManifestHeader{Version: "v0", Message: "m"}
	e := []ManifestEntry{{LogicalKey: "a", Size: 1, Hash: Hash{"SHA256", "00"}}}
	_, t1, _ := EncodeManifest(h1, e)
	e[0].Meta = map[string]any{"k": 1}
	_, t2, _ := EncodeManifest(h1, e)
	h1.Message = "n"
	_, t3, _ := EncodeManifest(h1, e)
	if t1 == t2 || t2 == t3 {
		t.Errorf("top hash ignores entry meta or message: %s %s %s", t1, t2, t3)
	}
}

func TestWithBenchIsIdempotent(t *testing.T) {
	st := &Stack{BenchRows: 5, AnalyticsBucket: "ab"}
	st.WithBench()
	st.WithBench()
	if len(st.Databases) != 1 || len(st.Databases[0].Tables) != 1 {
		t.Fatalf("got %+v, want one benchmarks database with one table", st.Databases)
	}
	if got := st.Databases[0].Tables[0].Location; got != "s3://ab/benchmarks/numbers/" {
		t.Errorf("location %s", got)
	}
	none := &Stack{}
	none.WithBench()
	if len(none.Databases) != 0 {
		t.Errorf("BenchRows 0 added %+v", none.Databases)
	}
}

func TestValidateDerivedTables(t *testing.T) {
	const doc = `
stack: s
region: us-east-1
account_id: "123456789012"
databases:
  - name: db
    tables:
      - name: t
        location: s3://b/p/
        from: quilt-packages
        columns: [{name: pkg_name, type: string}]
`
	_, err := Load(fstest.MapFS{"s.yaml": {Data: []byte(doc)}}, "s.yaml")
	if err == nil || !strings.Contains(err.Error(), "from quilt-packages writes columns pkg_name, tag") {
		t.Errorf("got %v, want the derived columns named", err)
	}
	bad := strings.Replace(doc, "quilt-packages", "quilt-everything", 1)
	if _, err := Load(fstest.MapFS{"s.yaml": {Data: []byte(bad)}}, "s.yaml"); err == nil || !strings.Contains(err.Error(), `from "quilt-everything" is not`) {
		t.Errorf("got %v", err)
	}
}
