// Package catalogcache keeps catalog listings (engine.Listing) on disk, one
// file per principal, so that a second start lists at once while the
// listing is refreshed in the background. It knows nothing of terminals:
// `quiltq ls` and the TUI's catalog tree both use it.
//
// A listing is kept per key: who AWS sees (the STS caller ARN, which for a
// Quilt login names the role and the user, assumed-role/<role>/<user>),
// its account, the region, the AWS endpoint the calls went to, and the
// Quilt catalog the login is for. The same principal on another endpoint
// (a sandbox, a proxy) or through another catalog sees another world, so
// it gets another file. The file of one key is named by a hash of the key
// and records the key in full; Load refuses a file whose recorded key
// differs in any part, so that the listing of one key is never served for
// another, even if two keys were to hash alike or a file were copied. A
// listing stamped later than now (a clock set back, a copied file) is
// never fresh: it is listed anew. Files are written 0600 in a
// 0700 directory, through a temporary file and a rename, so that a reader
// never sees half a listing. The files are gob: a second start must read
// ten thousand tables in a few milliseconds, which JSON does not allow.
package catalogcache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine"
)

// formatVersion changes when the file's shape does; older files are
// ignored (and rewritten). Version 2 added the account, endpoint and
// catalog URL to the key.
const formatVersion = 2

// Key names whose listing it is, and where it was made. Build it with
// NewKey.
type Key struct {
	// Principal is the STS caller ARN (athena.Client.CallerARN).
	Principal string
	// Account is the AWS account of the principal.
	Account string
	// Region is the AWS region the listing was made in.
	Region string
	// Endpoint is the AWS endpoint the calls went to; "" for AWS's own.
	Endpoint string
	// CatalogURL is the Quilt catalog of the login; "" with plain AWS
	// credentials.
	CatalogURL string
}

// NewKey is the key of the listing principal sees in region through
// endpoint ("" for AWS's own) with a login to catalogURL ("" for none).
// The account is read from the principal's ARN; URLs lose a trailing
// slash, so that the same place is one key.
func NewKey(principal, region, endpoint, catalogURL string) Key {
	return Key{
		Principal:  principal,
		Account:    arnAccount(principal),
		Region:     region,
		Endpoint:   strings.TrimRight(endpoint, "/"),
		CatalogURL: strings.TrimRight(catalogURL, "/"),
	}
}

// arnAccount is the account field of an ARN (arn:partition:service:region:
// account:resource), or "" when s is not one.
func arnAccount(s string) string {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

func (k Key) file() string {
	// Each part is length-prefixed, so that no two keys write alike.
	var b strings.Builder
	fmt.Fprintf(&b, "v%d", formatVersion)
	for _, p := range []string{k.Principal, k.Account, k.Region, k.Endpoint, k.CatalogURL} {
		fmt.Fprintf(&b, "\x00%d:%s", len(p), p)
	}
	h := sha256.Sum256([]byte(b.String()))
	return "catalog-" + hex.EncodeToString(h[:16]) + ".gob"
}

// Entry is one cached listing, whose it is and when it was made.
type Entry struct {
	Version    int            `json:"version"`
	Principal  string         `json:"principal"`
	Account    string         `json:"account"`
	Region     string         `json:"region"`
	Endpoint   string         `json:"endpoint"`
	CatalogURL string         `json:"catalog_url"`
	Fetched    time.Time      `json:"fetched"`
	Listing    engine.Listing `json:"listing"`
}

// key is the key the entry records.
func (e Entry) key() Key {
	return Key{Principal: e.Principal, Account: e.Account, Region: e.Region, Endpoint: e.Endpoint, CatalogURL: e.CatalogURL}
}

// newEntry is k's entry for l, made at fetched.
func newEntry(k Key, l engine.Listing, fetched time.Time) Entry {
	return Entry{Version: formatVersion, Principal: k.Principal, Account: k.Account, Region: k.Region,
		Endpoint: k.Endpoint, CatalogURL: k.CatalogURL, Fetched: fetched, Listing: l}
}

// Age is how old the entry is at now; negative for an entry stamped
// later than now.
func (e Entry) Age(now time.Time) time.Duration { return now.Sub(e.Fetched) }

// Cache is a directory of listings. Its zero Now means time.Now.
type Cache struct {
	// Dir holds the files, e.g. <config.Paths.CacheDir>/catalog.
	Dir string
	Now func() time.Time
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Load returns k's cached listing. ok is false when there is none, when
// the file is of another format version, when it was made for another
// key (in any part), or when it is stamped later than now. A file that
// cannot be read or decoded is an error.
func (c *Cache) Load(k Key) (e Entry, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(c.Dir, k.file()))
	if errors.Is(err, fs.ErrNotExist) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("reading the catalog cache: %w", err)
	}
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&e); err != nil {
		return Entry{}, false, fmt.Errorf("the catalog cache %s is damaged (%v): it will be rewritten", filepath.Join(c.Dir, k.file()), err)
	}
	if e.Version != formatVersion || e.key() != k {
		return Entry{}, false, nil
	}
	// A listing stamped later than now would otherwise stay fresh until
	// the clock caught up with it: it is no listing at all.
	if e.Fetched.After(c.now()) {
		return Entry{}, false, nil
	}
	emptyNotNil(&e.Listing)
	return e, true, nil
}

// emptyNotNil gives back the empty lists gob leaves out, so that a
// listing read from the cache prints as the one that was stored ([] in
// JSON, not null).
func emptyNotNil(l *engine.Listing) {
	if l.Catalogs == nil {
		l.Catalogs = []engine.ListedCatalog{}
	}
	if l.Errors == nil {
		l.Errors = []engine.ListError{}
	}
	for i := range l.Catalogs {
		c := &l.Catalogs[i]
		if c.Databases == nil {
			c.Databases = []engine.ListedDatabase{}
		}
		for j := range c.Databases {
			d := &c.Databases[j]
			if d.Tables == nil {
				d.Tables = []engine.ListedTable{}
			}
			for k := range d.Tables {
				if d.Tables[k].Columns == nil {
					d.Tables[k].Columns = []engine.Column{}
				}
			}
		}
	}
}

// Store writes l as k's listing, made now.
func (c *Cache) Store(k Key, l engine.Listing) (Entry, error) {
	e := newEntry(k, l, c.now().UTC())
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(e); err != nil {
		return Entry{}, fmt.Errorf("writing the catalog cache: %w", err)
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return Entry{}, fmt.Errorf("writing the catalog cache: %w", err)
	}
	f, err := os.CreateTemp(c.Dir, ".catalog-*.tmp")
	if err != nil {
		return Entry{}, fmt.Errorf("writing the catalog cache: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename, there is nothing left to remove
	// CreateTemp makes the file 0600 already; say so for other systems.
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		return Entry{}, fmt.Errorf("writing the catalog cache: %w", err)
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return Entry{}, fmt.Errorf("writing the catalog cache: %w", err)
	}
	if err := f.Close(); err != nil {
		return Entry{}, fmt.Errorf("writing the catalog cache: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(c.Dir, k.file())); err != nil {
		return Entry{}, fmt.Errorf("writing the catalog cache: %w", err)
	}
	return e, nil
}

// Policy says when a cached listing is served and when it is refreshed.
type Policy struct {
	// Fresh is the age under which a cached listing is served without a
	// refresh.
	Fresh time.Duration
	// MaxAge is the age from which a cached listing is no longer served:
	// the caller waits for a new listing instead. Zero means "never serve
	// the cache".
	MaxAge time.Duration
}

// DefaultPolicy is quiltq's: serve a listing younger than an hour at
// once, and refresh it when it is older than a minute.
func DefaultPolicy() Policy { return Policy{Fresh: time.Minute, MaxAge: time.Hour} }

// Refreshed is the outcome of a background refresh.
type Refreshed struct {
	Entry Entry // the new listing, already stored
	Err   error // the fetch failed (the cache is unchanged), or storing it did
}

// Serve returns k's cached listing at once when it is younger than
// p.MaxAge (served true), and starts fetch in the background when there
// is none or it is older than p.Fresh. A listing stamped later than now
// is neither served nor kept: it is fetched anew. The refresh's outcome arrives on
// the channel, which is then closed; with no refresh the channel is
// closed at once. A damaged cache file counts as no cache: warn, when not
// nil, says why.
func (c *Cache) Serve(ctx context.Context, k Key, p Policy, fetch func(context.Context) (engine.Listing, error)) (cached Entry, served bool, refresh <-chan Refreshed, warn error) {
	e, ok, warn := c.Load(k)
	age := e.Age(c.now())
	served = ok && age >= 0 && age < p.MaxAge
	ch := make(chan Refreshed, 1)
	if served && age < p.Fresh {
		close(ch)
		return e, true, ch, warn
	}
	go func() {
		defer close(ch)
		l, err := fetch(ctx)
		if err != nil {
			ch <- Refreshed{Err: err}
			return
		}
		ne, err := c.Store(k, l)
		if err != nil {
			ch <- Refreshed{Entry: newEntry(k, l, c.now().UTC()), Err: err}
			return
		}
		ch <- Refreshed{Entry: ne}
	}()
	return e, served, ch, warn
}

// DirIn is the directory of the listing cache under a cache directory
// (config.Paths.CacheDir): the session keeps its listings there, and
// shell completion reads them.
func DirIn(cacheDir string) string { return filepath.Join(cacheDir, "catalog") }

// AtCatalog accepts the keys of the listings made under the Quilt catalog
// at url (a trailing "/" aside), by whoever and through whichever
// endpoint: a matcher for Entries and Newest.
func AtCatalog(url string) func(Key) bool {
	url = strings.TrimRight(url, "/")
	return func(k Key) bool { return k.CatalogURL == url }
}

// AtEndpoint accepts the keys of the listings made through endpoint, such
// as the place of a login handed to the session (the embedded sandbox's).
func AtEndpoint(endpoint string) func(Key) bool {
	return func(k Key) bool { return k.Endpoint == endpoint }
}

// Newest is the listing of the newest entry match accepts (see Entries),
// the empty listing when there is none.
func (c *Cache) Newest(match func(Key) bool) engine.Listing {
	if entries := c.Entries(match); len(entries) > 0 {
		return entries[0].Listing
	}
	return engine.Listing{}
}

// Entries are the listings of every key in the cache that match accepts,
// newest first. Files of another format, or that cannot be read or
// decoded, are skipped. It is for shell completion, which knows where a
// command would go (its catalog, its endpoint) but not who it would be
// there without asking STS, a network call completion never makes: the
// caller names the place, and match sees each file's recorded key.
func (c *Cache) Entries(match func(Key) bool) []Entry {
	files, _ := filepath.Glob(filepath.Join(c.Dir, "catalog-*.gob"))
	var out []Entry
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var e Entry
		if gob.NewDecoder(bytes.NewReader(data)).Decode(&e) != nil || e.Version != formatVersion || e.Fetched.After(c.now()) {
			continue
		}
		if filepath.Base(f) != e.key().file() || !match(e.key()) {
			continue // copied or renamed: not the file of the key it records
		}
		emptyNotNil(&e.Listing)
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int { return b.Fetched.Compare(a.Fetched) })
	return out
}
