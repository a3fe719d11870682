package stack

import (
	"encoding/json"
	"sort"
)

// ManagedSessionPolicy is the session policy the sandbox's registry
// passes with the credentials of a managed role granted buckets: the
// role's own policies still decide, and this one limits them to those
// buckets wherever Quilt keeps something per bucket.
//
// Quilt documents the effect ("managed users are scoped to their readable
// buckets via the registry-applied session policy", quiltdata/quilt,
// docs/advanced-features/iceberg-tables.md) but not the document, which
// the registry (closed source) builds; this is the sandbox's model of it:
//
//   - S3: anything on the granted buckets; nothing on the stack's other
//     registered buckets (QuiltBuckets); anything elsewhere (the Athena
//     results bucket, data outside Quilt), which the role's own policies
//     decide. In the Iceberg bucket, only the files of the granted
//     buckets' tables ({bucket}_*).
//   - Glue: the per-bucket tables of the user Athena database and of the
//     Iceberg database only for the granted buckets ({bucket}_*: S3
//     bucket names cannot hold "_", so the prefix is the bucket's alone);
//     every other catalog, database and table as the role's own policies
//     say.
//   - Every other service (Athena, Lambda, KMS, STS ...) as the role's
//     own policies say.
//
// A real AWS inline session policy is limited to 2,048 characters
// packed; the sandbox does not enforce that limit.
func (s *Stack) ManagedSessionPolicy(buckets []string) Document {
	type statement struct {
		Sid         string         `json:"Sid"`
		Effect      string         `json:"Effect"`
		Action      any            `json:"Action,omitempty"`
		NotAction   []string       `json:"NotAction,omitempty"`
		Resource    any            `json:"Resource,omitempty"`
		NotResource []string       `json:"NotResource,omitempty"`
		Condition   map[string]any `json:"Condition,omitempty"`
	}
	granted := append([]string(nil), buckets...)
	sort.Strings(granted)
	s3ARN := func(b string) string { return "arn:aws:s3:::" + b }
	glueTable := func(db, table string) string {
		return "arn:aws:glue:" + s.Region + ":" + s.AccountID + ":table/" + db + "/" + table
	}
	var quiltDBs []string
	if s.UserAthenaDatabase != "" {
		quiltDBs = append(quiltDBs, s.UserAthenaDatabase)
	}
	if s.Iceberg != nil {
		quiltDBs = append(quiltDBs, s.Iceberg.Database)
	}

	var sts []statement
	if len(granted) > 0 {
		var res []string
		for _, b := range granted {
			res = append(res, s3ARN(b), s3ARN(b)+"/*")
		}
		sts = append(sts, statement{Sid: "QuiltGrantedBuckets", Effect: "Allow", Action: "s3:*", Resource: res})
	}
	var elsewhere []string
	for _, b := range s.QuiltBuckets() {
		elsewhere = append(elsewhere, s3ARN(b), s3ARN(b)+"/*")
	}
	if s.Iceberg != nil {
		elsewhere = append(elsewhere, s3ARN(s.Iceberg.Bucket), s3ARN(s.Iceberg.Bucket)+"/*")
	}
	sts = append(sts, statement{Sid: "OutsideQuiltBuckets", Effect: "Allow", Action: "s3:*", NotResource: elsewhere})
	if s.Iceberg != nil && len(granted) > 0 {
		var files, prefixes []string
		for _, b := range granted {
			files = append(files, s3ARN(s.Iceberg.Bucket)+"/"+b+"_*")
			prefixes = append(prefixes, b+"_*")
		}
		sts = append(sts,
			statement{Sid: "IcebergFilesOfGrantedBuckets", Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: files},
			statement{Sid: "IcebergBucket", Effect: "Allow", Action: []string{"s3:GetBucketLocation"}, Resource: s3ARN(s.Iceberg.Bucket)},
			statement{Sid: "IcebergListingOfGrantedBuckets", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: s3ARN(s.Iceberg.Bucket),
				Condition: map[string]any{"StringLike": map[string]any{"s3:prefix": prefixes}}})
	}
	if len(quiltDBs) > 0 {
		var tables, all []string
		for _, db := range quiltDBs {
			all = append(all, glueTable(db, "*"))
			for _, b := range granted {
				tables = append(tables, glueTable(db, b+"_*"))
			}
		}
		if len(tables) > 0 {
			sts = append(sts, statement{Sid: "QuiltTablesOfGrantedBuckets", Effect: "Allow", Action: "glue:*", Resource: tables})
		}
		sts = append(sts, statement{Sid: "OutsideQuiltTables", Effect: "Allow", Action: "glue:*", NotResource: all})
	} else {
		sts = append(sts, statement{Sid: "Glue", Effect: "Allow", Action: "glue:*", Resource: "*"})
	}
	sts = append(sts, statement{Sid: "OtherServices", Effect: "Allow", NotAction: []string{"s3:*", "glue:*"}, Resource: "*"})
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": sts})
	if err != nil {
		panic("stack: a session policy that does not encode: " + err.Error())
	}
	return doc
}
