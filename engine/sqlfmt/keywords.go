package sqlfmt

// reserved are Trino's reserved words
// (https://trino.io/docs/current/language/reserved.html), which Athena's
// DML follows, and the words of clauses and window frames that are not
// reserved but are not used as names in practice. Format upper-cases
// them; unquoted names are folded to lower case by Athena, so the case of
// a bare word never changes what a query means.
var reserved = map[string]bool{
	"alter": true, "and": true, "as": true, "between": true, "by": true, "case": true, "cast": true,
	"constraint": true, "create": true, "cross": true, "cube": true, "current_catalog": true,
	"current_date": true, "current_path": true, "current_role": true, "current_schema": true,
	"current_time": true, "current_timestamp": true, "current_user": true, "deallocate": true,
	"delete": true, "describe": true, "distinct": true, "drop": true, "else": true, "end": true,
	"escape": true, "except": true, "execute": true, "exists": true, "extract": true, "false": true,
	"for": true, "from": true, "full": true, "function": true, "group": true, "grouping": true,
	"having": true, "in": true, "inner": true, "insert": true, "intersect": true, "into": true,
	"is": true, "join": true, "json_array": true, "json_exists": true, "json_object": true,
	"json_query": true, "json_table": true, "json_value": true, "left": true, "like": true,
	"listagg": true, "localtime": true, "localtimestamp": true, "natural": true, "normalize": true,
	"not": true, "null": true, "on": true, "or": true, "order": true, "outer": true, "prepare": true,
	"recursive": true, "right": true, "rollup": true, "select": true, "skip": true, "table": true,
	"then": true, "trim": true, "true": true, "uescape": true, "union": true, "unnest": true,
	"using": true, "values": true, "when": true, "where": true, "with": true,

	// Not reserved, but clause and frame words.
	"limit": true, "offset": true, "asc": true, "desc": true, "nulls": true, "over": true,
	"partition": true, "partitioned": true, "rows": true, "preceding": true, "following": true,
	"unbounded": true, "current": true, "window": true, "fetch": true, "only": true, "ties": true,
	"lateral": true, "all": true, "any": true, "some": true, "interval": true, "show": true,
	"explain": true, "analyze": true, "view": true, "tables": true, "schemas": true, "databases": true,
	"external": true, "location": true, "stored": true, "tblproperties": true, "ordinality": true,
	"within": true, "filter": true, "zone": true, "merge": true, "matched": true, "update": true,
	"unload": true, "if": true, "try_cast": true, "row": true, "array": true, "map": true,
}

// keyword reports whether the bare word w (lower case) is written in upper
// case.
func keyword(w string) bool { return reserved[w] }

// callWords are keywords written like a function, with no space before
// their parenthesis: CAST(x AS varchar), IF(c, a, b), ARRAY[1, 2].
var callWords = map[string]bool{
	"cast": true, "try_cast": true, "extract": true, "trim": true, "normalize": true, "listagg": true,
	"grouping": true, "cube": true, "rollup": true, "json_array": true, "json_exists": true,
	"json_object": true, "json_query": true, "json_table": true, "json_value": true, "unnest": true,
	"row": true, "array": true, "map": true, "if": true, "current_date": true, "current_time": true,
	"current_timestamp": true, "localtime": true, "localtimestamp": true,
}
