package metastore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/tabulator"
)

// TabulatorTable is one Tabulator table of a bucket: its YAML config, and
// either the columns a query sees (Athena type names, in the order of
// tabulator.Config.Columns) or, when the config does not parse, Err. A
// broken table is listed, never dropped, so that listings can show why it
// cannot be queried.
type TabulatorTable struct {
	Bucket  string
	Name    string
	Config  string
	Columns []stack.Column
	Err     error
}

// TabulatorCatalog is the name of the stack's Tabulator data catalog,
// quilt-<stack>-tabulator.
func (s *Store) TabulatorCatalog() string { return s.stack.TabulatorCatalog() }

// TabulatorDatabases lists the buckets that have Tabulator tables, sorted:
// they are the databases of the Tabulator catalog.
func (s *Store) TabulatorDatabases() []string {
	var out []string
	for _, b := range s.stack.Buckets {
		if len(b.TabulatorTables) > 0 {
			out = append(out, b.Name)
		}
	}
	sort.Strings(out)
	return out
}

// TabulatorTables lists a bucket's Tabulator tables in name order. A
// bucket the stack does not know is ErrNotFound; a known bucket without
// Tabulator tables has none.
func (s *Store) TabulatorTables(bucket string) ([]TabulatorTable, error) {
	for _, b := range s.stack.Buckets {
		if b.Name != bucket {
			continue
		}
		out := make([]TabulatorTable, 0, len(b.TabulatorTables))
		for _, t := range b.TabulatorTables {
			tt := TabulatorTable{Bucket: b.Name, Name: strings.ToLower(t.Name), Config: t.Config}
			cfg, err := tabulator.Parse(t.Config)
			if err != nil {
				tt.Err = fmt.Errorf("tabulator table %s.%s: config: %w", b.Name, tt.Name, err)
			} else {
				for _, c := range cfg.Columns() {
					tt.Columns = append(tt.Columns, stack.Column{Name: c.Name, Type: c.Type})
				}
			}
			out = append(out, tt)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out, nil
	}
	return nil, fmt.Errorf("bucket %s: %w", bucket, ErrNotFound)
}

// tabulatorConfig finds and parses one table's config.
func (s *Store) tabulatorConfig(bucket, table string) (*tabulator.Config, error) {
	tables, err := s.TabulatorTables(bucket)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if t.Name != strings.ToLower(table) {
			continue
		}
		if t.Err != nil {
			return nil, t.Err
		}
		return tabulator.Parse(t.Config)
	}
	return nil, fmt.Errorf("tabulator table %s.%s: %w", bucket, table, ErrNotFound)
}

// tabFile is one package entry a Tabulator table reads.
type tabFile struct {
	ref         ObjectRef
	obj         *objstore.Object
	pkgName     string
	logicalKey  string
	physicalKey string // as the manifest has it
	topHash     string
	groups      []engine.Value // named groups: package_name's, then logical_key's
}

// TabulatorObjects lists the files a query of the table reads (the
// matching entries of the latest revision of each matching package), for
// authorization and to count bytes scanned. The pointers and manifests
// that lead to them are not listed.
func (s *Store) TabulatorObjects(bucket, table string) ([]ObjectRef, error) {
	cfg, err := s.tabulatorConfig(bucket, table)
	if err != nil {
		return nil, err
	}
	files, err := s.tabulatorFiles(bucket, cfg)
	if err != nil {
		return nil, err
	}
	refs := make([]ObjectRef, len(files))
	for i, f := range files {
		refs[i] = f.ref
	}
	return refs, nil
}

// tabulatorFiles walks the bucket's packages as the Tabulator Lambda
// does: each .quilt/named_packages/<name>/latest pointer gives a top hash,
// whose manifest lists the entries; packages and entries are kept when
// their name and logical key match the source's patterns.
func (s *Store) tabulatorFiles(bucket string, cfg *tabulator.Config) ([]tabFile, error) {
	if !cfg.Source.Evaluable() {
		// The sandbox's Tabulator matches with Go's RE2, which cannot
		// compile this pattern (the config's warnings say why).
		return nil, fmt.Errorf("the sandbox's Tabulator cannot evaluate the source patterns %q and %q (Go's RE2 syntax)", cfg.Source.PackageName, cfg.Source.LogicalKey)
	}
	pointers, err := s.objects.List(bucket, stack.NamedPackagesPrefix, "")
	if err != nil {
		return nil, fmt.Errorf("listing packages of %s: %w", bucket, err)
	}
	var files []tabFile
	for _, p := range pointers {
		name, ok := strings.CutSuffix(strings.TrimPrefix(p.Key, stack.NamedPackagesPrefix), "/latest")
		if !ok {
			continue
		}
		pm := cfg.Source.Package.FindStringSubmatchIndex(name)
		if pm == nil {
			continue
		}
		top := strings.TrimSpace(string(p.Data))
		entries, err := s.readManifest(bucket, top)
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", name, err)
		}
		for _, e := range entries {
			km := cfg.Source.Key.FindStringSubmatchIndex(e.LogicalKey)
			if km == nil {
				continue
			}
			if len(e.PhysicalKeys) == 0 {
				return nil, fmt.Errorf("package %s@%s: entry %s has no physical key", name, top, e.LogicalKey)
			}
			pb, pk, err := parsePhysicalKey(e.PhysicalKeys[0])
			if err != nil {
				return nil, fmt.Errorf("package %s@%s: entry %s: %w", name, top, e.LogicalKey, err)
			}
			obj, err := s.objects.Get(pb, pk)
			if err != nil {
				return nil, fmt.Errorf("package %s@%s: entry %s: %w", name, top, e.LogicalKey, err)
			}
			files = append(files, tabFile{
				ref:     ObjectRef{Bucket: pb, Key: pk, Size: obj.Size(), ETag: obj.ETag},
				obj:     obj,
				pkgName: name, logicalKey: e.LogicalKey, physicalKey: e.PhysicalKeys[0], topHash: top,
				groups: append(namedGroups(cfg.Source.Package.SubexpNames(), name, pm),
					namedGroups(cfg.Source.Key.SubexpNames(), e.LogicalKey, km)...),
			})
		}
	}
	return files, nil
}

// namedGroups picks the named groups' values out of a submatch index; a
// group that took no part in the match is NULL.
func namedGroups(names []string, s string, m []int) []engine.Value {
	var out []engine.Value
	for i, n := range names {
		if n == "" {
			continue
		}
		if m[2*i] < 0 {
			out = append(out, engine.Value{Null: true})
		} else {
			out = append(out, engine.Value{Text: s[m[2*i]:m[2*i+1]]})
		}
	}
	return out
}

// readManifest reads .quilt/packages/<top hash>: a header line, then one
// JSON line per entry.
func (s *Store) readManifest(bucket, topHash string) ([]stack.ManifestEntry, error) {
	key := stack.PackagesPrefix + topHash
	obj, err := s.objects.Get(bucket, key)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(obj.Data))
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	var entries []stack.ManifestEntry
	for line := 1; sc.Scan(); line++ {
		if line == 1 || len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue // the header: version, message, user_meta
		}
		var e stack.ManifestEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("s3://%s/%s line %d: %w", bucket, key, line, err)
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
	}
	return entries, nil
}

// parsePhysicalKey splits a manifest's s3://bucket/key?versionId=...
// into bucket and key; quilt3 percent-encodes the key's path.
func parsePhysicalKey(pk string) (bucket, key string, err error) {
	u, err := url.Parse(pk)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return "", "", fmt.Errorf("physical key %q is not an s3:// URL", pk)
	}
	return u.Host, strings.TrimPrefix(u.Path, "/"), nil
}

// ScanTabulator calls emit with every row of a Tabulator table, as the
// Tabulator Lambda would produce them, in the column order of
// tabulator.Config.Columns: the schema columns, the named capture groups,
// then $pkg_name, $logical_key, $physical_key, $top_hash and $issue.
//
// Files are read per the config's parser (CSV with its delimiter and
// header; a header line is skipped, columns are matched by position) and
// values are checked against the schema types. A file that fails fails the
// scan, with an error naming the file and line; with continue_on_error it
// yields, instead of its rows, one row whose schema columns are NULL and
// whose $issue says what went wrong. Parquet is refused: the sandbox does
// not read it.
func (s *Store) ScanTabulator(ctx context.Context, bucket, table string, emit func(engine.Row) error) error {
	cfg, err := s.tabulatorConfig(bucket, table)
	if err != nil {
		return err
	}
	if cfg.Parser.Format == tabulator.FormatParquet {
		return fmt.Errorf("tabulator table %s.%s: the sandbox does not read parquet files (only csv)", bucket, table)
	}
	files, err := s.tabulatorFiles(bucket, cfg)
	if err != nil {
		return fmt.Errorf("tabulator table %s.%s: %w", bucket, table, err)
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		rows, err := parseTabFile(cfg, f)
		if err != nil {
			if !cfg.ContinueOnError {
				return fmt.Errorf("tabulator table %s.%s: %w", bucket, table, err)
			}
			row := make(engine.Row, len(cfg.Schema))
			for i := range row {
				row[i].Null = true
			}
			rows = []engine.Row{finishRow(row, f, engine.Value{Text: err.Error()})}
		}
		for _, r := range rows {
			if err := emit(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// finishRow appends the capture groups and the $ columns to schema values.
func finishRow(row engine.Row, f tabFile, issue engine.Value) engine.Row {
	row = append(row, f.groups...)
	return append(row,
		engine.Value{Text: f.pkgName},
		engine.Value{Text: f.logicalKey},
		engine.Value{Text: f.physicalKey},
		engine.Value{Text: f.topHash},
		issue,
	)
}

// parseTabFile reads one file whole, so that a bad line yields no partial
// rows of its file.
func parseTabFile(cfg *tabulator.Config, f tabFile) ([]engine.Row, error) {
	r := csv.NewReader(bytes.NewReader(f.obj.Data))
	r.Comma = cfg.Parser.Delimiter
	r.FieldsPerRecord = -1 // checked below, with a clearer message
	// Tab-separated files from bioinformatics tools quote nothing and may
	// hold stray quotes; csv.Reader's strictness would reject them.
	r.LazyQuotes = cfg.Parser.Delimiter == '\t'
	var rows []engine.Row
	for n := 0; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.ref.URI(), err)
		}
		line, _ := r.FieldPos(0)
		if n == 0 && cfg.Parser.Header {
			continue
		}
		if len(rec) != len(cfg.Schema) {
			return nil, fmt.Errorf("%s line %d: %d fields, want %d (the schema's columns)", f.ref.URI(), line, len(rec), len(cfg.Schema))
		}
		row := make(engine.Row, len(cfg.Schema), len(cfg.Schema)+len(f.groups)+5)
		for i, col := range cfg.Schema {
			v, err := typedValue(col, rec[i])
			if err != nil {
				return nil, fmt.Errorf("%s line %d: column %s: %w", f.ref.URI(), line, col.Name, err)
			}
			row[i] = v
		}
		rows = append(rows, finishRow(row, f, engine.Value{Null: true}))
	}
}

// typedValue applies the CSV convention and checks the text against the
// column's Tabulator type, as the Lambda's conversion to Arrow would.
func typedValue(col tabulator.Column, field string) (engine.Value, error) {
	v := cell(field, col.Type == "STRING" || col.Type == "BINARY")
	if v.Null {
		if !col.Nullable {
			return v, errors.New("is empty but the column is not nullable")
		}
		return v, nil
	}
	text := strings.TrimSpace(field)
	var err error
	switch col.Type {
	case "BOOLEAN":
		var b bool
		if b, err = strconv.ParseBool(text); err == nil {
			v.Text = strconv.FormatBool(b)
		}
	case "TINYINT":
		_, err = strconv.ParseInt(text, 10, 8)
	case "SMALLINT":
		_, err = strconv.ParseInt(text, 10, 16)
	case "INT":
		_, err = strconv.ParseInt(text, 10, 32)
	case "BIGINT":
		_, err = strconv.ParseInt(text, 10, 64)
	case "FLOAT", "DOUBLE":
		_, err = strconv.ParseFloat(text, 64)
	case "DATE":
		_, err = time.Parse(time.DateOnly, text)
	case "TIMESTAMP":
		err = parseTimestamp(text)
	default:
		return v, nil // STRING, BINARY: kept as they are
	}
	if err != nil {
		return v, fmt.Errorf("%q is not a valid %s", field, tabulator.AthenaType(col.Type))
	}
	if col.Type != "BOOLEAN" {
		v.Text = text
	}
	return v, nil
}

func parseTimestamp(s string) error {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", time.DateOnly} {
		if _, err := time.Parse(layout, s); err == nil {
			return nil
		}
	}
	return errors.New("not a timestamp")
}
