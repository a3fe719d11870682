package grants

import (
	"slices"
	"strings"
	"sync"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
)

// QuiltRole is the grants a Quilt role carries: the buckets GraphQL
// `buckets` returns for the user (a managed role's granted buckets; every
// bucket of the stack for an unmanaged role). A bucket is a database of
// the Tabulator catalog, the prefix of its tables in the stack's user
// database ("<bucket>_packages", "<bucket>_objects-view") and in its
// Iceberg database ("<bucket>_package_revision", "_package_tag",
// "_package_manifest", "_package_entry", Quilt 1.70 and later). Every
// Quilt role may read these tables of the buckets it can read, and none
// other (quiltdata/quilt, docs/advanced-features/iceberg-tables.md).
// References elsewhere are not the role's business: it abstains on them.
type QuiltRole struct {
	Role    string
	Buckets []string
	// TabulatorCatalog is the stack's Tabulator data catalog
	// ("quilt-<stack>-tabulator"), lower-cased or not.
	TabulatorCatalog string
	// UserDatabase is the stack's user Athena database; "" recognizes it
	// by the name Quilt gives it ("userathenadatabase-<random>").
	UserDatabase string
	// IcebergDatabase is the stack's Iceberg database (the stack output
	// IcebergDatabaseName); "" recognizes it by the name CloudFormation
	// gives the stack's IcebergDatabase resource, "icebergdatabase-<random>",
	// as it gives the UserAthenaDatabase resource
	// "userathenadatabase-<random>" (an inference: Quilt documents the
	// output, not the name).
	IcebergDatabase string
	// Load, when set, fills Role and Buckets the first time a reference
	// needs them, so that queries outside the role's scope cost no call
	// to the registry. If it fails, references in scope are denied: a
	// check that cannot be made must not pass.
	Load func() (role string, buckets []string, err error)

	once    sync.Once
	loadErr error
}

// Preload runs Load now (once), so that later decisions make no call.
func (q *QuiltRole) Preload() error { return q.load() }

// load runs Load once.
func (q *QuiltRole) load() error {
	q.once.Do(func() {
		if q.Load == nil {
			return
		}
		role, buckets, err := q.Load()
		if err != nil {
			q.loadErr = err
			return
		}
		if q.Role == "" {
			q.Role = role
		}
		q.Buckets = buckets
	})
	return q.loadErr
}

// Name implements Source.
func (q *QuiltRole) Name() string {
	if q.Role == "" {
		return "your Quilt role"
	}
	return "Quilt role " + q.Role
}

func (q *QuiltRole) granted(bucket string) bool {
	return slices.ContainsFunc(q.Buckets, func(b string) bool { return strings.EqualFold(b, bucket) })
}

func (q *QuiltRole) isUserDatabase(catalog, db string) bool {
	if !strings.EqualFold(catalog, iam.DefaultCatalog) {
		return false
	}
	if q.UserDatabase != "" {
		return strings.EqualFold(db, q.UserDatabase)
	}
	return strings.HasPrefix(db, "userathenadatabase-")
}

func (q *QuiltRole) isIcebergDatabase(catalog, db string) bool {
	if !strings.EqualFold(catalog, iam.DefaultCatalog) {
		return false
	}
	if q.IcebergDatabase != "" {
		return strings.EqualFold(db, q.IcebergDatabase)
	}
	return strings.HasPrefix(db, "icebergdatabase-")
}

// Decide implements Source.
func (q *QuiltRole) Decide(r engine.Ref, _ iam.StatementKind) (Verdict, string) {
	if !q.inScope(r) {
		return Unknown, ""
	}
	if err := q.load(); err != nil {
		return Denied, "its buckets could not be read, so the reference cannot be checked: " + err.Error()
	}
	switch {
	case q.TabulatorCatalog != "" && strings.EqualFold(r.Catalog, q.TabulatorCatalog):
		switch {
		case r.Database == "*":
			return Allowed, "listing the Tabulator catalog shows your buckets"
		case !q.granted(r.Database):
			return Denied, "it does not grant bucket " + r.Database + ", so its Tabulator tables are not yours to query"
		case r.Access == engine.Write:
			return Denied, "Tabulator tables are read-only: they are defined in the bucket's Quilt configuration, not written by queries"
		}
		return Allowed, "it grants bucket " + r.Database
	case q.isUserDatabase(r.Catalog, r.Database):
		if r.Table == "*" {
			return Allowed, "listing the user database"
		}
		// S3 bucket names cannot hold "_", so the first one ends the bucket.
		bucket, _, ok := strings.Cut(r.Table, "_")
		return q.bucketTable(r, bucket, ok, "the table",
			"Quilt maintains the user database's per-bucket tables; queries may not change them")
	case q.isIcebergDatabase(r.Catalog, r.Database):
		if r.Table == "*" {
			return Allowed, "listing the Iceberg package tables shows those of your buckets"
		}
		bucket, ok := iam.QuiltIcebergTable(r.Table)
		return q.bucketTable(r, bucket, ok, "the Iceberg package table",
			"Quilt maintains its Iceberg package tables from the bucket's packages; queries may not change them")
	}
	return Unknown, ""
}

// bucketTable decides a table Quilt keeps for bucket (ok: the name told
// the bucket): readable when the role grants the bucket, never written,
// since Quilt maintains it (readOnly says so).
func (q *QuiltRole) bucketTable(r engine.Ref, bucket string, ok bool, what, readOnly string) (Verdict, string) {
	switch {
	case !ok:
		return Unknown, ""
	case !q.granted(bucket):
		return Denied, what + " belongs to bucket " + bucket + ", which it does not grant"
	case r.Access == engine.Write:
		return Denied, readOnly
	}
	return Allowed, "it grants bucket " + bucket
}

// inScope reports whether r names the Tabulator catalog or the user
// database: what the role's buckets rule over.
func (q *QuiltRole) inScope(r engine.Ref) bool {
	return q.TabulatorCatalog != "" && strings.EqualFold(r.Catalog, q.TabulatorCatalog) ||
		q.isUserDatabase(r.Catalog, r.Database) || q.isIcebergDatabase(r.Catalog, r.Database)
}

// Offer implements Source.
func (q *QuiltRole) Offer(engine.Ref) string {
	if q.load() != nil {
		return ""
	}
	if len(q.Buckets) == 0 {
		return q.Name() + " grants no buckets"
	}
	b := slices.Clone(q.Buckets)
	slices.Sort(b)
	return q.Name() + " grants buckets " + strings.Join(b, ", ") + " (`quiltq ls` lists their tables)"
}
