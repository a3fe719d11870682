package athena

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/quiltq/quiltq/engine"
)

// This file reads the facts a query's permissions follow from (where a
// workgroup writes results and how they are encrypted, what kind of data
// catalog a name is and which Lambda serves it, where a table's data lies
// and whether it is partitioned), one Athena call each, so that
// engine/iam can list every (action, resource) pair a query needs.

// DescribeWorkgroup reads one workgroup, whatever its state: unlike
// ChooseWorkgroup it does not refuse a disabled workgroup or one without a
// result location, since what it needs is the facts.
func (c *Client) DescribeWorkgroup(ctx context.Context, name string) (Workgroup, error) {
	out, err := c.getWorkGroup(ctx, name)
	if err != nil {
		return Workgroup{}, err
	}
	wg := workgroupOf(out.WorkGroup, name)
	return wg, nil
}

// DataCatalog is what GetDataCatalog says of a data catalog.
type DataCatalog struct {
	Name string
	Type string // GLUE, LAMBDA, HIVE, FEDERATED
	// Parameters are the catalog's parameters: "function" (or
	// "metadata-function" and "record-function") name a LAMBDA catalog's
	// functions, "catalog-id" a GLUE catalog's account.
	Parameters map[string]string
}

// Function is the Lambda function ARN serving a LAMBDA catalog: its
// "function" parameter, else its "record-function" one (which reads the
// rows), or "" when it names none.
func (d DataCatalog) Function() string {
	if f := d.Parameters["function"]; f != "" {
		return f
	}
	return d.Parameters["record-function"]
}

// DescribeDataCatalog reads one data catalog. AwsDataCatalog is answered
// without a call: it is always the account's Glue catalog.
func (c *Client) DescribeDataCatalog(ctx context.Context, name string) (DataCatalog, error) {
	if strings.EqualFold(name, GlueCatalog) {
		return DataCatalog{Name: GlueCatalog, Type: "GLUE"}, nil
	}
	dc, err := c.getDataCatalog(ctx, name)
	if err != nil {
		return DataCatalog{}, err
	}
	out := DataCatalog{Name: aws.ToString(dc.Name), Type: string(dc.Type), Parameters: dc.Parameters}
	if out.Name == "" {
		out.Name = name
	}
	return out, nil
}

// TableFacts are what a table's permissions follow from.
type TableFacts struct {
	Location      string   // s3://bucket/prefix/ of its data; "" for a view or when unknown
	PartitionKeys []string // its partition columns
	View          bool
	// Iceberg is true for an Apache Iceberg table: its parameters hold
	// table_type=ICEBERG and the current metadata_location, as Iceberg's
	// Glue catalog and Athena write them (Athena User Guide, "Create
	// Iceberg tables").
	Iceberg          bool
	MetadataLocation string
}

// DescribeTable reads one table's location and partition keys with
// GetTableMetadata (Athena reaches Glue as the caller).
func (c *Client) DescribeTable(ctx context.Context, catalog, database, table string) (TableFacts, error) {
	item := catalog + "." + database + "." + table
	var out *awsathena.GetTableMetadataOutput
	err := c.retry(ctx, "get table metadata "+item, func(ctx context.Context) error {
		var err error
		out, err = c.athena.GetTableMetadata(ctx, &awsathena.GetTableMetadataInput{
			CatalogName: aws.String(catalog), DatabaseName: aws.String(database), TableName: aws.String(table),
		}, withErrorBody)
		return err
	})
	if err != nil {
		return TableFacts{}, err
	}
	m := out.TableMetadata
	if m == nil {
		return TableFacts{}, &engine.Error{Op: "get table metadata " + item, Kind: engine.Invalid, Err: errors.New("Athena returned no table metadata")}
	}
	f := TableFacts{Location: m.Parameters["location"], View: strings.EqualFold(aws.ToString(m.TableType), "VIRTUAL_VIEW"),
		Iceberg: strings.EqualFold(m.Parameters["table_type"], "ICEBERG"), MetadataLocation: m.Parameters["metadata_location"]}
	for _, k := range m.PartitionKeys {
		f.PartitionKeys = append(f.PartitionKeys, aws.ToString(k.Name))
	}
	return f, nil
}
