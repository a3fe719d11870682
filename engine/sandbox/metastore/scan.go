package metastore

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox/objstore"
)

// ErrView is wrapped when data is asked of a view, which has none: its
// rows come from running its SQL.
var ErrView = errors.New("is a view: it has no data objects")

// NullText is the CSV field that stands for SQL NULL in every column.
const NullText = `\N`

// defaultPartition is the value Hive writes for a NULL partition key.
const defaultPartition = "__HIVE_DEFAULT_PARTITION__"

// ObjectRef names one S3 object a query reads, with what Athena needs to
// authorize the read (s3:GetObject on Bucket/Key) and to count the bytes
// scanned.
type ObjectRef struct {
	Bucket string
	Key    string
	Size   int64
	ETag   string
}

// URI is the object's s3:// address.
func (o ObjectRef) URI() string { return "s3://" + o.Bucket + "/" + o.Key }

// dataFile is one data object of a table and the partition values its
// rows carry.
type dataFile struct {
	ref    ObjectRef
	obj    *objstore.Object
	values []string // partition values, in PartitionKeys order
}

// Objects lists the data objects of t: every object under its location,
// or under each partition's location for a partitioned table, in
// partition order then key order. As Athena does, it skips objects whose
// path below the location has a part starting with "_" or "." and
// zero-length "folder" keys ending in "/".
func (s *Store) Objects(t Table) ([]ObjectRef, error) {
	files, err := s.dataFiles(t)
	if err != nil {
		return nil, err
	}
	refs := make([]ObjectRef, len(files))
	for i, f := range files {
		refs[i] = f.ref
	}
	return refs, nil
}

func (s *Store) dataFiles(t Table) ([]dataFile, error) {
	if t.Type == "VIRTUAL_VIEW" {
		return nil, fmt.Errorf("%s.%s %w", t.Database, t.Name, ErrView)
	}
	type place struct {
		location string
		values   []string
	}
	var places []place
	switch {
	case t.Iceberg():
		// The data files; metadata/ holds the metadata file and, in a
		// real table, the manifests, which are not rows.
		places = []place{{location: strings.TrimSuffix(t.Location, "/") + "/data/"}}
	case len(t.PartitionKeys) == 0:
		places = []place{{location: t.Location}}
	default:
		for i, p := range t.Partitions {
			if len(p.Values) != len(t.PartitionKeys) {
				return nil, fmt.Errorf("table %s.%s: partition %d has %d values for %d partition keys", t.Database, t.Name, i, len(p.Values), len(t.PartitionKeys))
			}
			places = append(places, place{location: p.Location, values: p.Values})
		}
	}
	var files []dataFile
	for _, p := range places {
		bucket, prefix, err := objstore.ParseURI(p.location)
		if err != nil {
			return nil, fmt.Errorf("table %s.%s: location: %w", t.Database, t.Name, err)
		}
		if prefix != "" && !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		objs, err := s.objects.List(bucket, prefix, "")
		if err != nil {
			return nil, fmt.Errorf("table %s.%s: listing %s: %w", t.Database, t.Name, p.location, err)
		}
		for _, o := range objs {
			if hidden(strings.TrimPrefix(o.Key, prefix)) {
				continue
			}
			files = append(files, dataFile{
				ref:    ObjectRef{Bucket: bucket, Key: o.Key, Size: o.Size(), ETag: o.ETag},
				obj:    o,
				values: p.values,
			})
		}
	}
	return files, nil
}

// hidden reports whether a key below a table location is not data: a
// folder marker, or a path with a part starting with "_" or "." (Hadoop's
// convention for hidden files, which Athena keeps).
func hidden(rel string) bool {
	if rel == "" || strings.HasSuffix(rel, "/") {
		return true
	}
	for part := range strings.SplitSeq(rel, "/") {
		if strings.HasPrefix(part, "_") || strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

// Scan calls emit with every row of t, across all its data objects (see
// Objects), in column order: the columns, then the partition values.
// Values are raw text, read by the sandbox's CSV convention (see the
// package comment); Scan checks field counts but not types, which are the
// SQL engine's business. An error names the object and the line. Scan
// stops at the first error emit returns and returns it.
func (s *Store) Scan(ctx context.Context, t Table, emit func(engine.Row) error) error {
	files, err := s.dataFiles(t)
	if err != nil {
		return err
	}
	stringCol := make([]bool, len(t.Columns))
	for i, c := range t.Columns {
		stringCol[i] = isStringType(c.Type)
	}
	delim, err := delimiter(t.Delimiter)
	if err != nil {
		return fmt.Errorf("table %s.%s: %w", t.Database, t.Name, err)
	}
	for _, f := range files {
		if err := scanFile(ctx, f, t.Header, delim, stringCol, emit); err != nil {
			return err
		}
	}
	return nil
}

func scanFile(ctx context.Context, f dataFile, header bool, delim rune, stringCol []bool, emit func(engine.Row) error) error {
	r := csv.NewReader(bytes.NewReader(f.obj.Data))
	r.Comma = delim
	r.FieldsPerRecord = len(stringCol)
	r.ReuseRecord = true
	width := len(stringCol) + len(f.values)
	for n := 0; ; n++ {
		rec, err := r.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			// csv.ParseError already says "record on line N: ...".
			return fmt.Errorf("%s: %w", f.ref.URI(), err)
		}
		if n == 0 && header {
			continue
		}
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row := make(engine.Row, width)
		for i, field := range rec {
			row[i] = cell(field, stringCol[i])
		}
		for i, v := range f.values {
			row[len(rec)+i] = engine.Value{Text: v, Null: v == defaultPartition}
		}
		if err := emit(row); err != nil {
			return err
		}
	}
}

// cell applies the CSV convention to one field.
func cell(field string, stringCol bool) engine.Value {
	switch {
	case field == NullText:
		return engine.Value{Null: true}
	case field == "" && !stringCol:
		return engine.Value{Null: true}
	}
	return engine.Value{Text: field}
}

// isStringType reports whether a Hive/Athena type holds text, whose empty
// fields are empty strings rather than NULLs.
func isStringType(t string) bool {
	t = strings.ToLower(strings.TrimSpace(t))
	return t == "string" || t == "varchar" || t == "char" ||
		strings.HasPrefix(t, "varchar(") || strings.HasPrefix(t, "char(")
}

// delimiter turns a table's delimiter text into the one rune it must be.
func delimiter(d string) (rune, error) {
	if d == "" {
		return ',', nil
	}
	r, size := utf8.DecodeRuneInString(d)
	if size != len(d) || r == utf8.RuneError || r == '"' || r == '\n' || r == '\r' {
		return 0, fmt.Errorf("delimiter %q must be one character (not a quote or a line break)", d)
	}
	return r, nil
}
