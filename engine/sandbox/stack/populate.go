package stack

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine/sandbox/objstore"
)

// Where quilt3 keeps a bucket's packages.
const (
	// PackagesPrefix holds manifests: PackagesPrefix + <top hash>.
	PackagesPrefix = ".quilt/packages/"
	// NamedPackagesPrefix holds pointers: <name>/latest and
	// <name>/<unix seconds>, each holding a top hash.
	NamedPackagesPrefix = ".quilt/named_packages/"
)

// The derived tables a Table's From may name.
const (
	// FromPackages is one row per package revision pointer
	// (FromPackagesColumns).
	FromPackages = "quilt-packages"
	// FromObjects is one row per entry of every package revision
	// (FromObjectsColumns).
	FromObjects = "quilt-objects"
)

// FromPackagesColumns and FromObjectsColumns are the columns Populate
// writes, in order, for derived tables; a table's Columns must name them.
func FromPackagesColumns() []string {
	return []string{"pkg_name", "tag", "top_hash", "timestamp", "message", "user_meta"}
}

// FromObjectsColumns: see FromPackagesColumns.
func FromObjectsColumns() []string {
	return []string{"pkg_name", "top_hash", "timestamp", "logical_key", "physical_key", "size", "hash", "meta"}
}

// ManifestHeader is the first line of a manifest.
type ManifestHeader struct {
	Version  string         `json:"version"`
	Message  string         `json:"message"`
	UserMeta map[string]any `json:"user_meta"`
}

// ManifestEntry is one entry line of a manifest.
type ManifestEntry struct {
	LogicalKey   string         `json:"logical_key"`
	PhysicalKeys []string       `json:"physical_keys"`
	Size         int64          `json:"size"`
	Hash         Hash           `json:"hash"`
	Meta         map[string]any `json:"meta"`
}

// Hash is an entry's content hash.
type Hash struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Revision is one pushed package revision, as Populate wrote it.
type Revision struct {
	Bucket  string
	Name    string
	Time    time.Time
	TopHash string
	Header  ManifestHeader
	Entries []ManifestEntry
	Latest  bool // the "latest" pointer names it
}

// baseTime is where revisions without a Time are placed, one day apart.
func baseTime() time.Time { return time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC) }

// Populate makes st's S3 world in store: every bucket st names (its
// buckets, the analytics bucket, the Iceberg bucket, workgroup output
// locations, table and partition locations), every object, every Quilt
// package as quilt3 lays it out, the data of derived (From) tables, the
// data and metadata files of the Iceberg package tables, and, when
// BenchRows > 0, the
// lazily generated benchmark table. It calls st.WithBench first, so the
// metastore built from st afterwards sees benchmarks.numbers. It calls
// st.WithCatalogBench too, for the same reason.
func Populate(st *Stack, store *objstore.Store) error {
	st.WithBench()
	st.WithCatalogBench()
	for _, b := range st.bucketNames() {
		store.CreateBucket(b)
	}
	for _, b := range st.Buckets {
		for _, o := range b.Objects {
			if _, err := store.Put(b.Name, o.Key, []byte(o.Body), contentType(o.Key, o.ContentType)); err != nil {
				return fmt.Errorf("populate: %w", err)
			}
		}
	}
	revs, err := writePackages(st, store)
	if err != nil {
		return fmt.Errorf("populate: %w", err)
	}
	for _, d := range st.Databases {
		for _, t := range d.Tables {
			if t.From == "" {
				continue
			}
			if err := writeDerived(store, t, revs); err != nil {
				return fmt.Errorf("populate: table %s.%s: %w", d.Name, t.Name, err)
			}
		}
	}
	if err := writeIceberg(st, store, revs); err != nil {
		return fmt.Errorf("populate: the Iceberg tables: %w", err)
	}
	if st.BenchRows > 0 {
		rows := st.BenchRows
		bucket, key := st.BenchBucket(), BenchKey
		if err := store.PutLazy(bucket, key, func() ([]byte, error) { return BenchCSV(rows), nil }); err != nil {
			return fmt.Errorf("populate: bench: %w", err)
		}
	}
	return nil
}

// bucketNames lists every bucket the stack names anywhere.
func (s *Stack) bucketNames() []string {
	set := map[string]bool{}
	add := func(uri string) {
		if b, _, err := objstore.ParseURI(uri); err == nil {
			set[b] = true
		}
	}
	for _, b := range s.Buckets {
		set[b.Name] = true
	}
	if s.AnalyticsBucket != "" {
		set[s.AnalyticsBucket] = true
	}
	if s.Iceberg != nil {
		set[s.Iceberg.Bucket] = true
	}
	for _, w := range s.Workgroups {
		if w.OutputLocation != "" {
			add(w.OutputLocation)
		}
	}
	for _, d := range s.Databases {
		for _, t := range d.Tables {
			if t.Location != "" {
				add(t.Location)
			}
			for _, p := range t.Partitions {
				add(p.Location)
			}
		}
	}
	out := make([]string, 0, len(set))
	for b := range set {
		out = append(out, b)
	}
	sort.Strings(out)
	return out
}

func contentType(key, given string) string {
	if given != "" {
		return given
	}
	switch strings.ToLower(path.Ext(key)) {
	case ".csv":
		return "text/csv"
	case ".tsv", ".sf":
		return "text/tab-separated-values"
	case ".json":
		return "application/json"
	case ".md":
		return "text/markdown"
	case ".html":
		return "text/html"
	}
	return "application/octet-stream"
}

// writePackages writes every package revision of every bucket and returns
// them by bucket.
//
// The object store keeps no versions, so where quilt3 would point two
// revisions at two versions of one key, the body of the latest revision
// holding a logical key lives at <name>/<logical key> and any other body
// at a content-addressed key under .quilt/sandbox-objects/.
func writePackages(st *Stack, store *objstore.Store) (map[string][]Revision, error) {
	out := map[string][]Revision{}
	n := 0
	for _, b := range st.Buckets {
		type rev struct {
			pkg  Package
			when time.Time
		}
		byName := map[string][]rev{}
		var names []string
		for _, p := range b.Packages {
			when := baseTime().AddDate(0, 0, n)
			n++
			if p.Time != "" {
				t, err := time.Parse(time.RFC3339, p.Time)
				if err != nil {
					return nil, fmt.Errorf("bucket %s package %s: time: %w", b.Name, p.Name, err)
				}
				when = t.UTC()
			}
			if _, ok := byName[p.Name]; !ok {
				names = append(names, p.Name)
			}
			byName[p.Name] = append(byName[p.Name], rev{p, when})
		}
		for _, name := range names {
			revs := byName[name]
			sort.SliceStable(revs, func(i, j int) bool { return revs[i].when.Before(revs[j].when) })
			canonical := map[string]string{} // logical key -> body of its latest revision
			for _, r := range revs {
				for _, e := range r.pkg.Entries {
					canonical[e.LogicalKey] = e.Body
				}
			}
			for i, r := range revs {
				rv := Revision{Bucket: b.Name, Name: name, Time: r.when, Latest: i == len(revs)-1,
					Header: ManifestHeader{Version: "v0", Message: r.pkg.Message, UserMeta: r.pkg.UserMeta}}
				for _, e := range r.pkg.Entries {
					sum := sha256.Sum256([]byte(e.Body))
					hash := hex.EncodeToString(sum[:])
					key := name + "/" + e.LogicalKey
					if e.Body != canonical[e.LogicalKey] {
						key = ".quilt/sandbox-objects/" + hash
					}
					if _, err := store.Put(b.Name, key, []byte(e.Body), contentType(e.LogicalKey, "")); err != nil {
						return nil, err
					}
					rv.Entries = append(rv.Entries, ManifestEntry{
						LogicalKey: e.LogicalKey, PhysicalKeys: []string{physicalKey(b.Name, key)},
						Size: int64(len(e.Body)), Hash: Hash{Type: "SHA256", Value: hash}, Meta: e.Meta,
					})
				}
				sort.Slice(rv.Entries, func(i, j int) bool { return rv.Entries[i].LogicalKey < rv.Entries[j].LogicalKey })
				manifest, top, err := EncodeManifest(rv.Header, rv.Entries)
				if err != nil {
					return nil, fmt.Errorf("bucket %s package %s: %w", b.Name, name, err)
				}
				rv.TopHash = top
				puts := [][2]string{
					{PackagesPrefix + top, string(manifest)},
					{NamedPackagesPrefix + name + "/" + strconv.FormatInt(r.when.Unix(), 10), top},
				}
				if rv.Latest {
					puts = append(puts, [2]string{NamedPackagesPrefix + name + "/latest", top})
				}
				for _, p := range puts {
					if _, err := store.Put(b.Name, p[0], []byte(p[1]), "text/plain"); err != nil {
						return nil, err
					}
				}
				out[b.Name] = append(out[b.Name], rv)
			}
		}
	}
	return out, nil
}

// physicalKey is the s3:// URL of bucket/key, its path percent-encoded as
// quilt3 writes physical keys.
func physicalKey(bucket, key string) string {
	return (&url.URL{Scheme: "s3", Host: bucket, Path: "/" + key}).String()
}

// EncodeManifest renders a manifest (header line, then one line per
// entry) and its top hash.
//
// The top hash is the SHA-256 of the canonical JSON of the header's
// message and user_meta and of each entry's logical key, hash, size and
// meta, in entry order. It is deterministic and changes with any of them,
// as quilt3's does, but it is not quilt3's exact algorithm (which hashes a
// differently normalized form): the sandbox's hashes will not match those
// quilt3 would compute for the same files.
func EncodeManifest(h ManifestHeader, entries []ManifestEntry) (manifest []byte, topHash string, err error) {
	var buf bytes.Buffer
	digest := sha256.New()
	line, err := json.Marshal(h)
	if err != nil {
		return nil, "", err
	}
	buf.Write(line)
	buf.WriteByte('\n')
	// json.Marshal sorts map keys, which makes this canonical.
	hashed, err := json.Marshal(map[string]any{"message": h.Message, "user_meta": h.UserMeta})
	if err != nil {
		return nil, "", err
	}
	digest.Write(hashed)
	for _, e := range entries {
		line, err := json.Marshal(e)
		if err != nil {
			return nil, "", err
		}
		buf.Write(line)
		buf.WriteByte('\n')
		hashed, err := json.Marshal(map[string]any{"logical_key": e.LogicalKey, "hash": e.Hash, "size": e.Size, "meta": e.Meta})
		if err != nil {
			return nil, "", err
		}
		digest.Write(hashed)
	}
	return buf.Bytes(), hex.EncodeToString(digest.Sum(nil)), nil
}

// writeDerived writes the data of a From table under its location.
func writeDerived(store *objstore.Store, t Table, revs map[string][]Revision) error {
	bucket, prefix, err := objstore.ParseURI(t.Location)
	if err != nil {
		return err
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if d, _ := firstRune(t.Delimiter); d != 0 {
		w.Comma = d
	}
	var names []string
	switch t.From {
	case FromPackages:
		names = FromPackagesColumns()
	case FromObjects:
		names = FromObjectsColumns()
	}
	if t.Header {
		if err := w.Write(names); err != nil {
			return err
		}
	}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000") }
	for _, r := range revs[bucket] {
		switch t.From {
		case FromPackages:
			um := jsonText(r.Header.UserMeta)
			tags := []string{strconv.FormatInt(r.Time.Unix(), 10)}
			if r.Latest {
				tags = append(tags, "latest")
			}
			for _, tag := range tags {
				if err := w.Write([]string{r.Name, tag, r.TopHash, ts(r.Time), r.Header.Message, um}); err != nil {
					return err
				}
			}
		case FromObjects:
			for _, e := range r.Entries {
				if err := w.Write([]string{r.Name, r.TopHash, ts(r.Time), e.LogicalKey, e.PhysicalKeys[0],
					strconv.FormatInt(e.Size, 10), e.Hash.Value, jsonText(e.Meta)}); err != nil {
					return err
				}
			}
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	_, err = store.Put(bucket, prefix+"data.csv", buf.Bytes(), "text/csv")
	return err
}

// jsonText renders metadata as JSON text; no metadata is the CSV NULL.
func jsonText(m map[string]any) string {
	if len(m) == 0 {
		return `\N`
	}
	b, err := json.Marshal(m)
	if err != nil {
		return `\N`
	}
	return string(b)
}

func firstRune(s string) (rune, bool) {
	for _, r := range s {
		return r, true
	}
	return 0, false
}
