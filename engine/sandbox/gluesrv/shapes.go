package gluesrv

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/quiltq/quiltq/engine/sandbox/metastore"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

// The reply shapes below follow Glue's API reference member for member,
// for the members the sandbox can fill.

type getDatabasesOutput struct {
	DatabaseList []database
	NextToken    string `json:",omitempty"`
}

type getDatabaseOutput struct{ Database database }

type getTablesOutput struct {
	TableList []table
	NextToken string `json:",omitempty"`
}

type getTableOutput struct{ Table table }

type getPartitionsOutput struct {
	Partitions []partition
	NextToken  string `json:",omitempty"`
}

type database struct {
	Name        string
	Description string `json:",omitempty"`
	LocationURI string `json:"LocationUri,omitempty"`
	CreateTime  float64
	CatalogID   string `json:"CatalogId"`
}

type table struct {
	Name                          string
	DatabaseName                  string
	Description                   string `json:",omitempty"`
	Owner                         string `json:",omitempty"`
	CreateTime                    float64
	UpdateTime                    float64
	Retention                     int
	StorageDescriptor             storageDescriptor
	PartitionKeys                 []column
	ViewOriginalText              string `json:",omitempty"`
	ViewExpandedText              string `json:",omitempty"`
	TableType                     string
	Parameters                    map[string]string
	CreatedBy                     string `json:",omitempty"`
	IsRegisteredWithLakeFormation bool
	CatalogID                     string `json:"CatalogId"`
}

type storageDescriptor struct {
	Columns                []column
	Location               string `json:",omitempty"`
	InputFormat            string `json:",omitempty"`
	OutputFormat           string `json:",omitempty"`
	Compressed             bool
	NumberOfBuckets        int
	SerdeInfo              serdeInfo
	BucketColumns          []string
	SortColumns            []any
	Parameters             map[string]string
	StoredAsSubDirectories bool
}

type serdeInfo struct {
	SerializationLibrary string            `json:",omitempty"`
	Parameters           map[string]string `json:",omitempty"`
}

type column struct {
	Name    string
	Type    string
	Comment string `json:",omitempty"`
}

type partition struct {
	Values            []string
	DatabaseName      string
	TableName         string
	CreationTime      float64
	StorageDescriptor storageDescriptor
	Parameters        map[string]string
	CatalogID         string `json:"CatalogId"`
}

func (q *query) database(db metastore.Database) database {
	return database{Name: db.Name, Description: db.Description, LocationURI: db.LocationURI, CreateTime: epoch(db.CreateTime), CatalogID: q.account()}
}

// The Hive classes Athena records for a CSV table it creates with
// ROW FORMAT DELIMITED.
const (
	textInputFormat  = "org.apache.hadoop.mapred.TextInputFormat"
	textOutputFormat = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
	lazySimpleSerDe  = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
)

func (q *query) table(t metastore.Table) table {
	out := table{
		Name: t.Name, DatabaseName: t.Database, Description: t.Description,
		CreateTime: epoch(t.CreateTime), UpdateTime: epoch(t.CreateTime),
		PartitionKeys: columns(t.PartitionKeys), TableType: t.Type, CatalogID: q.account(),
	}
	if t.Type == "VIRTUAL_VIEW" {
		// Athena stores a view as Presto does: the original text is a
		// comment wrapping base64 JSON of the SQL and its columns, and
		// the expanded text is a fixed marker.
		out.ViewOriginalText = prestoView(t)
		out.ViewExpandedText = "/* Presto View */"
		out.Parameters = map[string]string{"presto_view": "true", "comment": "Presto View"}
		out.StorageDescriptor = storageDescriptor{Columns: columns(t.Columns), SerdeInfo: serdeInfo{}, BucketColumns: []string{}, SortColumns: []any{}, Parameters: map[string]string{}}
		return out
	}
	out.Owner = "hadoop"
	if t.Iceberg() {
		// As Glue holds a table Athena created with TBLPROPERTIES
		// ('table_type'='ICEBERG'): the type and the metadata file in
		// the parameters, and no SerDe.
		out.Parameters = map[string]string{"table_type": "ICEBERG", "metadata_location": t.MetadataLocation()}
		out.StorageDescriptor = storageDescriptor{Columns: columns(t.Columns), Location: t.Location, SerdeInfo: serdeInfo{},
			BucketColumns: []string{}, SortColumns: []any{}, Parameters: map[string]string{}}
		return out
	}
	out.Parameters = map[string]string{"EXTERNAL": "TRUE", "classification": "csv"}
	if t.Header {
		out.Parameters["skip.header.line.count"] = "1"
	}
	out.StorageDescriptor = q.storage(t, t.Location)
	return out
}

func (q *query) storage(t metastore.Table, location string) storageDescriptor {
	return storageDescriptor{
		Columns: columns(t.Columns), Location: location,
		InputFormat: textInputFormat, OutputFormat: textOutputFormat,
		NumberOfBuckets: -1,
		SerdeInfo: serdeInfo{SerializationLibrary: lazySimpleSerDe, Parameters: map[string]string{
			"field.delim": t.Delimiter, "serialization.format": t.Delimiter,
		}},
		BucketColumns: []string{}, SortColumns: []any{}, Parameters: map[string]string{},
	}
}

func (q *query) partition(t metastore.Table, p stack.Partition) partition {
	return partition{
		Values: p.Values, DatabaseName: t.Database, TableName: t.Name,
		CreationTime: epoch(t.CreateTime), StorageDescriptor: q.storage(t, p.Location),
		Parameters: map[string]string{}, CatalogID: q.account(),
	}
}

func columns(cs []stack.Column) []column {
	out := make([]column, 0, len(cs))
	for _, c := range cs {
		out = append(out, column{Name: strings.ToLower(c.Name), Type: c.Type, Comment: c.Comment})
	}
	return out
}

// prestoView encodes a view as Athena writes ViewOriginalText.
func prestoView(t metastore.Table) string {
	type viewColumn struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	v := struct {
		OriginalSQL string       `json:"originalSql"`
		Catalog     string       `json:"catalog"`
		Schema      string       `json:"schema"`
		Columns     []viewColumn `json:"columns"`
	}{OriginalSQL: t.ViewSQL, Catalog: "awsdatacatalog", Schema: t.Database, Columns: []viewColumn{}}
	for _, c := range t.Columns {
		v.Columns = append(v.Columns, viewColumn{Name: strings.ToLower(c.Name), Type: prestoType(c.Type)})
	}
	b, _ := json.Marshal(v) // strings and slices of strings always encode
	return "/* Presto View: " + base64.StdEncoding.EncodeToString(b) + " */"
}

// prestoType maps the Hive type names of the stack to the Trino names a
// view's JSON uses.
func prestoType(hive string) string {
	switch strings.ToLower(hive) {
	case "string":
		return "varchar"
	case "int":
		return "integer"
	case "float":
		return "real"
	default:
		return strings.ToLower(hive)
	}
}
