package gluesrv

import (
	"strings"

	"github.com/quiltq/quiltq/engine/sandbox/principal"
)

// CatalogARN is the ARN of the root Glue Data Catalog of account in region.
func CatalogARN(region, account string) string {
	return "arn:aws:glue:" + region + ":" + account + ":catalog"
}

// DatabaseARN is the ARN of a Glue database. Glue keeps names in lower
// case, and so does the ARN it authorizes.
func DatabaseARN(region, account, db string) string {
	return "arn:aws:glue:" + region + ":" + account + ":database/" + strings.ToLower(db)
}

// TableARN is the ARN of a Glue table (or view).
func TableARN(region, account, db, table string) string {
	return "arn:aws:glue:" + region + ":" + account + ":table/" + strings.ToLower(db) + "/" + strings.ToLower(table)
}

// AuthorizeCatalog checks action on the root catalog alone, as Glue does
// for the first step of every catalog call.
func AuthorizeCatalog(a *principal.Authorizer, c principal.Caller, call principal.Call, region, account, action string) *principal.Denial {
	return a.Authorize(c, action, CatalogARN(region, account), call)
}

// AuthorizeDatabase checks action on a database and its ancestor, the
// catalog, in the order Glue checks them. It returns the first denial, so
// that the refusal names the resource Glue's would name (often the
// catalog, even when the database is the real gap).
func AuthorizeDatabase(a *principal.Authorizer, c principal.Caller, call principal.Call, region, account, action, db string) *principal.Denial {
	if d := AuthorizeCatalog(a, c, call, region, account, action); d != nil {
		return d
	}
	return a.Authorize(c, action, DatabaseARN(region, account, db), call)
}

// AuthorizeTable checks action on a table and on all its ancestors
// (catalog, then database), as Glue requires for any non-delete action on
// a table, and returns the first denial.
func AuthorizeTable(a *principal.Authorizer, c principal.Caller, call principal.Call, region, account, action, db, table string) *principal.Denial {
	if d := AuthorizeDatabase(a, c, call, region, account, action, db); d != nil {
		return d
	}
	return a.Authorize(c, action, TableARN(region, account, db, table), call)
}
