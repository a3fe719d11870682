package session

import (
	"context"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/catalogcache"
	"github.com/quiltq/quiltq/engine/tabulator"
)

// browseOptions are where the Tabulator tables come from: the stack's
// Tabulator catalog and, with a Quilt login, the registry's
// configurations.
func (s *Session) browseOptions() athena.BrowseOptions {
	var o athena.BrowseOptions
	if l := s.login; l != nil {
		if l.catalog != nil {
			o.TabulatorCatalog, o.TabulatorCatalogFrom = l.catalog.TabulatorCatalog(), l.catalog.TabulatorCatalogFrom()
		}
		if l.registry != nil && l.quilt != nil {
			o.Tabulator = &tabulator.RegistrySource{Registry: l.registry, AccessToken: l.quilt.AccessToken}
		}
	}
	return o
}

// catalogCache is the cache of listings, nil when there is no cache
// directory.
func (s *Session) catalogCache() *catalogcache.Cache {
	if s.paths.CacheDir == "" {
		return nil
	}
	return &catalogcache.Cache{Dir: catalogcache.DirIn(s.paths.CacheDir), Now: s.opts.Now}
}

// cacheKey is whose listing the cache keeps, and where it was made: the
// principal (and its account), the region, the AWS endpoint and the Quilt
// catalog of the login.
func (s *Session) cacheKey(ctx context.Context) (catalogcache.Key, error) {
	arn, err := s.Principal(ctx)
	if err != nil {
		return catalogcache.Key{}, err
	}
	endpoint, catalogURL := s.place()
	return catalogcache.NewKey(arn, s.aws.Region, endpoint, catalogURL), nil
}

// ListOptions say how a listing may come from the cache.
type ListOptions struct {
	// Refresh lists anew first, whatever the cache holds.
	Refresh bool
	// MaxAge is the age under which a cached listing is served (0: never).
	MaxAge time.Duration
}

// Listed is a listing, as the cache or AWS gave it. It is not filtered by
// the grants: FilterListing does that.
type Listed struct {
	Listing engine.Listing
	// Cached says the listing came from the cache, listed Age ago.
	Cached bool
	Age    time.Duration
	// Warnings are what went wrong with the cache (the listing is still
	// good).
	Warnings []string
	// refresh delivers the outcome of a background refresh.
	refresh <-chan catalogcache.Refreshed
}

// Refreshed waits for the background refresh of a cached listing, so
// that the next start is current, and returns why it failed, if it did.
// A front end calls it once it has shown the listing.
func (l Listed) Refreshed() error {
	if l.refresh == nil {
		return nil
	}
	if r, ok := <-l.refresh; ok && r.Err != nil && engine.KindOf(r.Err) != engine.Canceled {
		return r.Err
	}
	return nil
}

// List is the whole catalog listing: every data catalog, database and
// table with its columns, and what could not be listed. It is kept per
// principal in the cache: a cached listing younger than o.MaxAge is
// returned at once, and when it is older than a minute it is listed anew
// in the background (see Listed.Refreshed); o.Refresh (or MaxAge 0)
// lists anew first.
func (s *Session) List(ctx context.Context, o ListOptions) (Listed, error) {
	if err := s.ready(); err != nil {
		return Listed{}, err
	}
	opts := s.browseOptions()
	fetch := func(ctx context.Context) (engine.Listing, error) { return s.client.Browse(ctx, opts) }
	cache := s.catalogCache()
	if cache == nil {
		l, err := fetch(ctx)
		return Listed{Listing: l}, err
	}
	key, err := s.cacheKey(ctx)
	if err != nil {
		return Listed{}, err
	}
	var out Listed
	if o.Refresh || o.MaxAge <= 0 {
		l, err := fetch(ctx)
		if err != nil {
			return Listed{Listing: l}, err
		}
		if _, err := cache.Store(key, l); err != nil {
			out.Warnings = append(out.Warnings, err.Error())
		}
		out.Listing = l
		return out, nil
	}
	policy := catalogcache.DefaultPolicy()
	policy.MaxAge = o.MaxAge
	e, served, refresh, warn := cache.Serve(ctx, key, policy, fetch)
	if warn != nil {
		out.Warnings = append(out.Warnings, warn.Error())
	}
	if served {
		out.Listing, out.Cached, out.Age, out.refresh = e.Listing, true, e.Age(s.opts.Now()), refresh
		return out, nil
	}
	r := <-refresh
	if r.Err != nil && r.Entry.Listing.Catalogs == nil {
		return out, r.Err
	}
	if r.Err != nil {
		out.Warnings = append(out.Warnings, r.Err.Error())
	}
	out.Listing = r.Entry.Listing
	return out, nil
}

// CachedListing is the principal's cached listing, whatever its age, and
// how old it is; ok is false when there is none.
func (s *Session) CachedListing(ctx context.Context) (l engine.Listing, age time.Duration, ok bool) {
	cache := s.catalogCache()
	if cache == nil {
		return engine.Listing{}, 0, false
	}
	key, err := s.cacheKey(ctx)
	if err != nil {
		return engine.Listing{}, 0, false
	}
	e, ok, _ := cache.Load(key)
	if !ok {
		return engine.Listing{}, 0, false
	}
	return e.Listing, e.Age(s.opts.Now()), true
}

// Listing lists the catalog anew, keeps it in the cache and returns it
// filtered by the grants.
func (s *Session) Listing(ctx context.Context) (engine.Listing, error) {
	if err := s.ready(); err != nil {
		return engine.Listing{}, err
	}
	l, err := s.client.Browse(ctx, s.browseOptions())
	if cache := s.catalogCache(); err == nil && cache != nil {
		// The cache keeps what AWS listed; the grants filter on the way out.
		if key, kerr := s.cacheKey(ctx); kerr == nil {
			_, _ = cache.Store(key, l)
		}
	}
	return s.FilterListing(ctx, l), err
}

// Describe reads one table (a Tabulator table from its configuration).
// Parts left "" are the settings' catalog and database, else
// AwsDataCatalog and default.
func (s *Session) Describe(ctx context.Context, catalog, database, table string) (engine.Listing, error) {
	if err := s.ready(); err != nil {
		return engine.Listing{}, err
	}
	o := athena.DescribeOptions{Catalog: catalog, Database: database, Table: table}
	if o.Catalog == "" {
		o.Catalog = s.settings.Catalog()
	}
	if o.Database == "" {
		o.Database = s.settings.Database()
	}
	if o.Catalog == "" {
		o.Catalog = athena.GlueCatalog
	}
	if o.Database == "" {
		o.Database = "default"
	}
	b := s.browseOptions()
	o.TabulatorCatalog, o.Tabulator = b.TabulatorCatalog, b.Tabulator
	return s.client.Describe(ctx, o)
}
