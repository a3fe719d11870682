package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
)

// This file keeps what a one-shot command would otherwise ask again at
// every start, so that a warm `quiltq -e 'SELECT 1'` makes only the
// query's own calls (StartQueryExecution, the polls, the result read):
// the catalog's config.json, and the workgroup chosen for each principal.
// The AWS credentials are kept by the login itself, in its store (see
// auth.SessionOptions.KeepCredentials). None of these files holds a
// secret; they are written 0600 all the same, as the listing cache is.

// CatalogTTL is how long a catalog's config.json is used without asking
// again. It names the registry, the region and the stack, which change
// when a stack is moved, rarely; `quiltq login` always reads it anew.
const CatalogTTL = 24 * time.Hour

// WorkgroupTTL is how long the workgroup chosen for a principal is used
// without listing the workgroups again. A workgroup Athena refuses
// (removed, disabled, no longer allowed) is chosen anew at once, so the
// TTL only bounds how long a new, preferable workgroup goes unseen.
const WorkgroupTTL = 24 * time.Hour

// cacheFile is a file of the cache directory dir named by key's hash.
func cacheFile(dir, prefix string, key ...string) string {
	h := sha256.Sum256([]byte(strings.Join(key, "\x00")))
	return filepath.Join(dir, prefix+"-"+hex.EncodeToString(h[:16])+".json")
}

// readCache reads the JSON file path into v; false when it is missing or
// does not parse (it is then rewritten).
func readCache(path string, v any) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	return json.Unmarshal(data, v) == nil
}

// writeCache writes v to path, 0600, atomically (a temporary file, then
// a rename). It does not wait for the disk (no fsync, unlike the stores
// of secrets): a cache lost in a crash costs the next start a few calls,
// and a failure to write is not an error for the same reason.
func writeCache(path string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return
	}
	defer os.Remove(tmp.Name()) // after the rename, removes nothing
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		return
	}
	_ = os.Rename(tmp.Name(), path)
}

// cachedCatalog is a catalog's config.json as it was read.
type cachedCatalog struct {
	URL     string        `json:"url"`
	Fetched time.Time     `json:"fetched"`
	Catalog *auth.Catalog `json:"catalog"`
}

// discover reads catalogURL's config.json, from the cache when it was
// read less than CatalogTTL ago.
func (s *Session) discover(ctx context.Context, catalogURL string) (*auth.Catalog, error) {
	return discoverCached(ctx, s.opts, s.cacheDir("catalogs"), catalogURL, false)
}

// discoverCached is discover for a directory; fresh reads anew (and
// rewrites the cache), as login does.
func discoverCached(ctx context.Context, opts Options, dir, catalogURL string, fresh bool) (*auth.Catalog, error) {
	path := ""
	if dir != "" {
		path = cacheFile(dir, "catalog", catalogURL)
		var c cachedCatalog
		if !fresh && readCache(path, &c) && c.URL == catalogURL && c.Catalog != nil && opts.Now().Sub(c.Fetched) < CatalogTTL {
			return c.Catalog, nil
		}
	}
	cat, err := auth.Discover(ctx, opts.HTTP, catalogURL)
	if err != nil {
		return nil, err
	}
	if path != "" {
		writeCache(path, cachedCatalog{URL: catalogURL, Fetched: opts.Now().UTC(), Catalog: cat})
	}
	return cat, nil
}

// cachedWorkgroup is the workgroup chosen for a principal.
type cachedWorkgroup struct {
	Principal string           `json:"principal"`
	Region    string           `json:"region"`
	Endpoint  string           `json:"endpoint,omitempty"`
	Asked     string           `json:"asked"` // the workgroup setting it was chosen for
	Chosen    time.Time        `json:"chosen"`
	Workgroup athena.Workgroup `json:"workgroup"`
}

// workgroupCache is the file of the principal's workgroup choice, with its
// key; "" when there is no cache directory or the principal cannot be
// told without a call (plain AWS credentials pay one STS call for it,
// fewer than discovery's).
func (s *Session) workgroupCache(ctx context.Context) (path string, key cachedWorkgroup) {
	dir := s.cacheDir("workgroups")
	if dir == "" || s.opts.Login != nil {
		// A login handed in (the sandbox's) is of a stack that lives as
		// long as the process: nothing to keep for the next run.
		return "", key
	}
	arn, err := s.Principal(ctx)
	if err != nil {
		return "", key
	}
	key = cachedWorkgroup{Principal: arn, Region: s.aws.Region, Endpoint: s.login.endpoint, Asked: s.settings.Workgroup()}
	return cacheFile(dir, "workgroup", key.Principal, key.Region, key.Endpoint, key.Asked), key
}

// cachedChoice is the principal's workgroup from the cache, when it was
// chosen less than WorkgroupTTL ago for the same setting.
func (s *Session) cachedChoice(ctx context.Context) (athena.Workgroup, bool) {
	path, key := s.workgroupCache(ctx)
	var c cachedWorkgroup
	if path == "" || !readCache(path, &c) {
		return athena.Workgroup{}, false
	}
	if c.Principal != key.Principal || c.Region != key.Region || c.Endpoint != key.Endpoint || c.Asked != key.Asked ||
		c.Workgroup.Name == "" || s.opts.Now().Sub(c.Chosen) >= WorkgroupTTL {
		return athena.Workgroup{}, false
	}
	return c.Workgroup, true
}

// keepChoice records wg as the principal's workgroup.
func (s *Session) keepChoice(ctx context.Context, wg athena.Workgroup) {
	if path, key := s.workgroupCache(ctx); path != "" {
		key.Chosen, key.Workgroup = s.opts.Now().UTC(), wg
		writeCache(path, key)
	}
}

// forgetChoice removes the principal's workgroup from the cache.
func (s *Session) forgetChoice(ctx context.Context) {
	if path, _ := s.workgroupCache(ctx); path != "" {
		_ = os.Remove(path)
	}
}

// refusesWorkgroup reports whether err, from StartQueryExecution, is
// Athena refusing the workgroup itself rather than the statement: one
// that is gone ("WorkGroup X is not found."), disabled ("WorkGroup X is
// disabled."), without a result location, or that the caller may no
// longer start queries in (athena:StartQueryExecution, whose short
// denial names no resource). A syntax error is the statement's, whatever
// its words.
func refusesWorkgroup(err error) bool {
	if err == nil || engine.SyntaxOf(err) != nil {
		return false
	}
	text := strings.ToLower(err.Error())
	switch engine.KindOf(err) {
	case engine.NotFound, engine.Invalid:
		return strings.Contains(text, "workgroup") || strings.Contains(text, "output location")
	case engine.Denied:
		return strings.Contains(text, "athena:startqueryexecution")
	}
	return false
}

// errNoChoice is the error of refreshing a choice that was not cached.
var errNoChoice = errors.New("the workgroup was not chosen from the cache")

// rechoose chooses the workgroup anew after Athena refused old, the one
// the cache gave; it returns the new one when it differs.
func (s *Session) rechoose(ctx context.Context, old string) (athena.Workgroup, error) {
	s.mu.Lock()
	cached := s.wgCached
	if cached {
		s.wg, s.wgCached = nil, false
	}
	s.mu.Unlock()
	if !cached {
		return athena.Workgroup{}, errNoChoice
	}
	s.forgetChoice(ctx)
	wg, err := s.Workgroup(ctx)
	if err != nil {
		return athena.Workgroup{}, err
	}
	if strings.EqualFold(wg.Name, old) {
		return athena.Workgroup{}, errNoChoice
	}
	return wg, nil
}
