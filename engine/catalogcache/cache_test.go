package catalogcache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func listing(name string) engine.Listing {
	return engine.Listing{Catalogs: []engine.ListedCatalog{{Name: name, Type: "GLUE", Databases: []engine.ListedDatabase{
		{Name: "db", Tables: []engine.ListedTable{{Name: "t", Kind: engine.KindTable, Columns: []engine.Column{{Name: "c", Type: "int"}}}}}}}},
		Errors: []engine.ListError{}}
}

var (
	analyst = Key{Principal: "arn:aws:sts::1:assumed-role/RW/analyst", Region: "us-east-1"}
	admin   = Key{Principal: "arn:aws:sts::1:assumed-role/Admin/admin", Region: "us-east-1"}
)

func TestStoreLoadIsolatesPrincipals(t *testing.T) {
	clk := &clock{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := &Cache{Dir: filepath.Join(t.TempDir(), "catalog"), Now: clk.now}
	if _, ok, err := c.Load(analyst); ok || err != nil {
		t.Fatalf("empty cache: %v %v", ok, err)
	}
	if _, err := c.Store(analyst, listing("analyst-view")); err != nil {
		t.Fatal(err)
	}
	e, ok, err := c.Load(analyst)
	if err != nil || !ok || e.Listing.Catalogs[0].Name != "analyst-view" || !e.Fetched.Equal(clk.t) {
		t.Fatalf("got %+v %v %v", e, ok, err)
	}
	// Another principal, or the same one in another region, sees nothing.
	for _, k := range []Key{admin, {Principal: analyst.Principal, Region: "eu-west-1"}} {
		if _, ok, _ := c.Load(k); ok {
			t.Errorf("%+v read the analyst's listing", k)
		}
	}
	// A file copied under another principal's name is refused: the key
	// inside it decides.
	data, _ := os.ReadFile(filepath.Join(c.Dir, analyst.file()))
	os.WriteFile(filepath.Join(c.Dir, admin.file()), data, 0o600)
	if _, ok, _ := c.Load(admin); ok {
		t.Error("a copied file was served to another principal")
	}
	fi, err := os.Stat(filepath.Join(c.Dir, analyst.file()))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v (%v), want 0600", fi.Mode(), err)
	}
	di, _ := os.Stat(c.Dir)
	if di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", di.Mode())
	}
	// A damaged file is an error, not a listing.
	os.WriteFile(filepath.Join(c.Dir, analyst.file()), []byte("{not json"), 0o600)
	if _, ok, err := c.Load(analyst); ok || err == nil {
		t.Errorf("damaged file: %v %v", ok, err)
	}
}

func TestServePolicy(t *testing.T) {
	clk := &clock{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := &Cache{Dir: t.TempDir(), Now: clk.now}
	var fetches atomic.Int32
	fetch := func(context.Context) (engine.Listing, error) {
		fetches.Add(1)
		return listing("fresh"), nil
	}
	p := DefaultPolicy()
	ctx := context.Background()

	// No cache: nothing served, one refresh, which is stored.
	_, served, ch, _ := c.Serve(ctx, analyst, p, fetch)
	r := <-ch
	if served || r.Err != nil || r.Entry.Listing.Catalogs[0].Name != "fresh" || fetches.Load() != 1 {
		t.Fatalf("cold: served %v, %+v, %d fetches", served, r, fetches.Load())
	}
	// Younger than Fresh: served, no refresh.
	clk.t = clk.t.Add(30 * time.Second)
	e, served, ch, _ := c.Serve(ctx, analyst, p, fetch)
	if _, open := <-ch; !served || open || fetches.Load() != 1 || e.Listing.Catalogs[0].Name != "fresh" {
		t.Errorf("fresh: served %v, channel open %v, %d fetches", served, open, fetches.Load())
	}
	// Older than Fresh, younger than MaxAge: served, and refreshed.
	clk.t = clk.t.Add(10 * time.Minute)
	_, served, ch, _ = c.Serve(ctx, analyst, p, fetch)
	r = <-ch
	if !served || r.Err != nil || fetches.Load() != 2 || !r.Entry.Fetched.Equal(clk.t) {
		t.Errorf("stale: served %v, %+v, %d fetches", served, r, fetches.Load())
	}
	// Older than MaxAge: not served.
	clk.t = clk.t.Add(2 * time.Hour)
	_, served, ch, _ = c.Serve(ctx, analyst, p, fetch)
	<-ch
	if served {
		t.Error("served a listing older than MaxAge")
	}
	// A failed refresh leaves the cache as it was.
	clk.t = clk.t.Add(2 * time.Minute)
	before, _, _ := c.Load(analyst)
	_, _, ch, _ = c.Serve(ctx, analyst, p, func(context.Context) (engine.Listing, error) { return engine.Listing{}, errors.New("offline") })
	if r := <-ch; r.Err == nil {
		t.Error("the failed refresh reported no error")
	}
	after, _, _ := c.Load(analyst)
	if !after.Fetched.Equal(before.Fetched) {
		t.Error("a failed refresh changed the cache")
	}
}

// TestKeyIsolatesEndpointsAndCatalogs: the same principal on another
// endpoint, through another catalog, in another account or region, never
// reads the listing made for another key, even from a file copied under
// its name.
func TestKeyIsolatesEndpointsAndCatalogs(t *testing.T) {
	const arn = "arn:aws:sts::123456789012:assumed-role/RW/analyst"
	base := NewKey(arn, "us-east-1", "http://127.0.0.1:4566/", "https://catalog.example.com/")
	if base.Account != "123456789012" || base.Endpoint != "http://127.0.0.1:4566" || base.CatalogURL != "https://catalog.example.com" {
		t.Fatalf("NewKey = %+v: want the ARN's account and URLs without a trailing slash", base)
	}
	if k := NewKey(arn, "us-east-1", "http://127.0.0.1:4566", "https://catalog.example.com"); k != base {
		t.Errorf("a trailing slash made another key: %+v and %+v", k, base)
	}
	others := map[string]Key{
		"another endpoint": NewKey(arn, "us-east-1", "http://127.0.0.1:9999", base.CatalogURL),
		"AWS's endpoint":   NewKey(arn, "us-east-1", "", base.CatalogURL),
		"another catalog":  NewKey(arn, "us-east-1", base.Endpoint, "https://other.example.com"),
		"no catalog":       NewKey(arn, "us-east-1", base.Endpoint, ""),
		"another region":   NewKey(arn, "eu-west-1", base.Endpoint, base.CatalogURL),
		"another account":  {Principal: arn, Account: "999999999999", Region: "us-east-1", Endpoint: base.Endpoint, CatalogURL: base.CatalogURL},
		// Parts that would run together if they were simply joined.
		"shifted parts": {Principal: arn, Account: base.Account, Region: "us-east-1" + base.Endpoint, CatalogURL: base.CatalogURL},
	}
	clk := &clock{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := &Cache{Dir: t.TempDir(), Now: clk.now}
	if _, err := c.Store(base, listing("sandbox-world")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(c.Dir, base.file()))
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range others {
		if k.file() == base.file() {
			t.Errorf("%s: same file name as the base key", name)
		}
		if _, ok, err := c.Load(k); ok || err != nil {
			t.Errorf("%s: read the base key's listing (ok %v, err %v)", name, ok, err)
		}
		// Even the base key's file, copied under k's name, is refused.
		if err := os.WriteFile(filepath.Join(c.Dir, k.file()), data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := c.Load(k); ok {
			t.Errorf("%s: a copied file was served", name)
		}
		e, served, refresh, _ := c.Serve(context.Background(), k, DefaultPolicy(), func(context.Context) (engine.Listing, error) {
			return listing("own"), nil
		})
		if served {
			t.Errorf("%s: Serve served %q from another key's file", name, e.Listing.Catalogs[0].Name)
		}
		// The refresh stores in the background: wait for it, so that it
		// neither races the next key nor writes after the test's end.
		for range refresh {
		}
	}
	if e, ok, err := c.Load(base); !ok || err != nil || e.Listing.Catalogs[0].Name != "sandbox-world" {
		t.Errorf("the base key lost its own listing: %v %v", ok, err)
	}
}

// TestFutureEntryIsStale: a listing stamped later than now (a clock set
// back) is not served from the cache, however far off; it is listed anew
// and the new listing replaces it.
func TestFutureEntryIsStale(t *testing.T) {
	clk := &clock{time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	c := &Cache{Dir: t.TempDir(), Now: clk.now}
	if _, err := c.Store(analyst, listing("from the future")); err != nil {
		t.Fatal(err)
	}
	for _, back := range []time.Duration{time.Second, time.Hour, 24 * 365 * time.Hour} {
		clk.t = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).Add(-back)
		if _, ok, _ := c.Load(analyst); ok {
			t.Errorf("clock %v back: Load found the future entry", back)
		}
		var fetched atomic.Int32
		_, served, refresh, _ := c.Serve(context.Background(), analyst, DefaultPolicy(), func(context.Context) (engine.Listing, error) {
			fetched.Add(1)
			return listing("now"), nil
		})
		if served {
			t.Errorf("clock %v back: the future entry was served", back)
		}
		r, ok := <-refresh
		if !ok || r.Err != nil || fetched.Load() != 1 || r.Entry.Listing.Catalogs[0].Name != "now" {
			t.Errorf("clock %v back: no refresh (ok %v, err %v, %d fetches)", back, ok, r.Err, fetched.Load())
		}
		// The new listing is stamped now and is served from then on.
		if e, ok, _ := c.Load(analyst); !ok || !e.Fetched.Equal(clk.t) {
			t.Errorf("clock %v back: the refresh did not replace the future entry", back)
		}
		// Put the future entry back for the next round.
		clk.t = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
		if _, err := c.Store(analyst, listing("from the future")); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEntries: the listings of the keys a matcher accepts, newest first;
// a copied file (its name not its recorded key's) and a listing stamped
// in the future are left out.
func TestEntries(t *testing.T) {
	const arn = "arn:aws:sts::123456789012:assumed-role/RW/analyst"
	clk := &clock{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := &Cache{Dir: t.TempDir(), Now: clk.now}
	here := NewKey(arn, "us-east-1", "", "https://catalog.example.com")
	other := NewKey(arn, "us-east-1", "", "https://other.example.com")
	later := NewKey("arn:aws:sts::123456789012:assumed-role/RO/analyst", "us-east-1", "", "https://catalog.example.com")
	for _, s := range []struct {
		k    Key
		name string
	}{{here, "old"}, {other, "elsewhere"}, {later, "new"}} {
		if _, err := c.Store(s.k, listing(s.name)); err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(time.Minute)
	}
	data, err := os.ReadFile(filepath.Join(c.Dir, other.file()))
	if err != nil {
		t.Fatal(err)
	}
	copied := NewKey(arn, "eu-west-1", "", "https://catalog.example.com")
	if err := os.WriteFile(filepath.Join(c.Dir, copied.file()), data, 0o600); err != nil {
		t.Fatal(err)
	}
	match := func(k Key) bool { return k.CatalogURL != "" }
	var got []string
	for _, e := range c.Entries(match) {
		got = append(got, e.Listing.Catalogs[0].Name)
	}
	if want := []string{"new", "elsewhere", "old"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q (newest first, the copy left out)", got, want)
	}
	clk.t = clk.t.Add(-2 * time.Minute) // "new" is now in the future
	got = nil
	for _, e := range c.Entries(func(k Key) bool { return k.CatalogURL == "https://catalog.example.com" }) {
		got = append(got, e.Listing.Catalogs[0].Name)
	}
	if want := []string{"old"}; !slices.Equal(got, want) {
		t.Errorf("with a future stamp: got %q, want %q", got, want)
	}
}

// Newest is the newest listing made at a place, as AtCatalog (a trailing
// "/" aside) and AtEndpoint name it, and none where nothing was listed.
func TestNewestAtAPlace(t *testing.T) {
	const arn = "arn:aws:sts::123456789012:assumed-role/RW/analyst"
	clk := &clock{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := &Cache{Dir: DirIn(t.TempDir()), Now: clk.now}
	for _, s := range []struct {
		k    Key
		name string
	}{
		{NewKey(arn, "us-east-1", "", "https://catalog.example.com"), "older"},
		{NewKey(arn, "us-east-1", "the embedded sandbox", ""), "sandbox"},
		{NewKey(arn, "eu-west-1", "", "https://catalog.example.com"), "newest"},
		{NewKey(arn, "us-east-1", "", "https://other.example.com"), "other"},
	} {
		if _, err := c.Store(s.k, listing(s.name)); err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(time.Minute)
	}
	for _, tc := range []struct {
		name  string
		match func(Key) bool
		want  string // "" for the empty listing
	}{
		{"the catalog", AtCatalog("https://catalog.example.com/"), "newest"},
		{"the sandbox", AtEndpoint("the embedded sandbox"), "sandbox"},
		{"a catalog never listed", AtCatalog("https://never.example.com"), ""},
	} {
		l := c.Newest(tc.match)
		got := ""
		if len(l.Catalogs) > 0 {
			got = l.Catalogs[0].Name
		}
		if got != tc.want {
			t.Errorf("%s: got the listing %q, want %q", tc.name, got, tc.want)
		}
	}
}
