package stack

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine/sandbox/objstore"
)

// The four tables Quilt keeps per bucket in its Iceberg database, and
// their columns, as quiltdata/quilt documents and fills them
// (docs/advanced-features/iceberg-tables.md for the tables and what they
// hold; py-shared/src/quilt_shared/iceberg_queries.py for the columns and
// where each value comes from: revisions from the timestamped pointers
// under .quilt/named_packages/, tags from the other pointers (only
// "latest" today), a manifest's message and package metadata from its
// first line, an entry's physical key from its first physical_keys item
// and its hash's type and value).
const (
	IcebergRevision = "package_revision"
	IcebergTag      = "package_tag"
	IcebergManifest = "package_manifest"
	IcebergEntry    = "package_entry"
)

// icebergColumns are each table's columns. Column types are Athena's
// for the values iceberg_queries.py writes: from_unixtime(...) is a
// timestamp, size a bigint, metadata the JSON text of the manifest's
// user_meta or the entry's meta.
func icebergColumns(table string) []Column {
	str := func(n string) Column { return Column{Name: n, Type: "string"} }
	switch table {
	case IcebergRevision:
		return []Column{str("pkg_name"), {Name: "timestamp", Type: "timestamp"}, str("top_hash")}
	case IcebergTag:
		return []Column{str("pkg_name"), str("tag_name"), str("top_hash")}
	case IcebergManifest:
		return []Column{str("top_hash"), str("message"), {Name: "metadata", Type: "string", Comment: "JSON: the package's user_meta"}}
	case IcebergEntry:
		return []Column{str("top_hash"), str("logical_key"), str("physical_key"), str("hash_type"), str("hash_value"),
			{Name: "size", Type: "bigint"}, {Name: "metadata", Type: "string", Comment: "JSON: the entry's meta"}}
	}
	return nil
}

// IcebergTables are the tables of the Iceberg database: the four tables
// of every registered bucket (QuiltBuckets), named "<bucket>_<table>"
// with the bucket's name as it is (hyphens and all), each an Iceberg
// table whose files lie in the Iceberg bucket under the table's name.
// None when the stack has no Iceberg database.
func (s *Stack) IcebergTables() []Table {
	if s.Iceberg == nil {
		return nil
	}
	var out []Table
	for _, b := range s.QuiltBuckets() {
		for _, kind := range []string{IcebergRevision, IcebergTag, IcebergManifest, IcebergEntry} {
			name := b + "_" + kind
			loc := "s3://" + s.Iceberg.Bucket + "/" + name + "/"
			out = append(out, Table{
				Name: name, Location: loc, Columns: icebergColumns(kind), Iceberg: true, From: kind,
				MetadataLocation: loc + "metadata/00000-" + tableUUID(name) + ".metadata.json",
				Description:      "Quilt's Iceberg " + kind + " table of bucket " + b,
			})
		}
	}
	return out
}

// tableUUID is a stable UUID-shaped id of a table, for its files' names.
func tableUUID(name string) string {
	sum := sha256.Sum256([]byte(name))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// writeIceberg writes each Iceberg table's data file and metadata file.
// The data file follows the sandbox's CSV convention (see the package
// comment), as every sandbox table's data does; a real Iceberg table's
// data files are Parquet, listed by manifests that the metadata file
// leads to. The metadata file is the Iceberg table spec's JSON, reduced
// to what says which table it is (format-version, table-uuid, location,
// the schema), so that reading metadata_location reads a real file.
func writeIceberg(st *Stack, store *objstore.Store, revs map[string][]Revision) error {
	for _, t := range st.IcebergTables() {
		bucket, prefix, err := objstore.ParseURI(t.Location)
		if err != nil {
			return err
		}
		source := strings.TrimSuffix(t.Name, "_"+t.From) // the Quilt bucket
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		ts := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000") }
		seen := map[string]bool{}
		for _, r := range revs[source] {
			var rows [][]string
			switch t.From {
			case IcebergRevision:
				rows = [][]string{{r.Name, ts(r.Time), r.TopHash}}
			case IcebergTag:
				if r.Latest {
					rows = [][]string{{r.Name, "latest", r.TopHash}}
				}
			case IcebergManifest:
				if !seen[r.TopHash] {
					seen[r.TopHash] = true
					rows = [][]string{{r.TopHash, r.Header.Message, jsonText(r.Header.UserMeta)}}
				}
			case IcebergEntry:
				if !seen[r.TopHash] {
					seen[r.TopHash] = true
					for _, e := range r.Entries {
						rows = append(rows, []string{r.TopHash, e.LogicalKey, e.PhysicalKeys[0], e.Hash.Type, e.Hash.Value,
							strconv.FormatInt(e.Size, 10), jsonText(e.Meta)})
					}
				}
			}
			if err := w.WriteAll(rows); err != nil {
				return err
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		id := tableUUID(t.Name)
		if _, err := store.Put(bucket, prefix+"data/00000-0-"+id+".csv", buf.Bytes(), "text/csv"); err != nil {
			return err
		}
		fields := make([]map[string]any, len(t.Columns))
		for i, c := range t.Columns {
			typ := c.Type
			if typ == "timestamp" {
				typ = "timestamptz"
			} else if typ == "bigint" {
				typ = "long"
			}
			fields[i] = map[string]any{"id": i + 1, "name": c.Name, "required": false, "type": typ}
		}
		meta, err := json.Marshal(map[string]any{
			"format-version": 2, "table-uuid": id, "location": t.Location[:len(t.Location)-1],
			"last-updated-ms": baseTime().UnixMilli(), "last-column-id": len(fields),
			"schemas":           []any{map[string]any{"type": "struct", "schema-id": 0, "fields": fields}},
			"current-schema-id": 0, "partition-specs": []any{map[string]any{"spec-id": 0, "fields": []any{}}},
			"default-spec-id": 0, "properties": map[string]string{"sandbox.data-format": "csv"},
		})
		if err != nil {
			return err
		}
		mbucket, mkey, err := objstore.ParseURI(t.MetadataLocation)
		if err != nil {
			return err
		}
		if _, err := store.Put(mbucket, mkey, meta, "application/json"); err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
	}
	return nil
}
