package sqlref

// isReserved reports whether w (lower case) is one of Trino's reserved
// keywords, which cannot name a table or an alias without double quotes.
func isReserved(w string) bool {
	switch w {
	case "alter", "and", "as", "between", "by", "case", "cast", "constraint", "create", "cross", "cube",
		"current_catalog", "current_date", "current_path", "current_role", "current_schema", "current_time",
		"current_timestamp", "current_user", "deallocate", "delete", "describe", "distinct", "drop", "else",
		"end", "escape", "except", "execute", "exists", "extract", "false", "for", "from", "full", "group",
		"grouping", "having", "in", "inner", "insert", "intersect", "into", "is", "join", "json_array",
		"json_exists", "json_object", "json_query", "json_table", "json_value", "left", "like", "listagg",
		"localtime", "localtimestamp", "natural", "normalize", "not", "null", "on", "or", "order", "outer",
		"prepare", "recursive", "right", "rollup", "select", "skip", "table", "then", "trim", "true",
		"uescape", "union", "unnest", "using", "values", "when", "where", "with":
		return true
	}
	return false
}

// isExprStop reports whether the reserved word w ends an expression when it
// appears outside parentheses: clause keywords, join keywords and statement
// starts. CASE ... END, IS DISTINCT FROM and WITHIN GROUP are handled by
// expr itself.
func isExprStop(w string) bool {
	switch w {
	case "from", "where", "group", "having", "order", "union", "intersect", "except", "with", "on",
		"using", "join", "left", "right", "full", "inner", "cross", "natural", "for", "values", "into",
		"when", "then", "else", "end", "select", "table", "create", "alter", "drop", "insert", "delete",
		"describe", "prepare", "execute", "deallocate":
		return true
	}
	return false
}

// isAliasStop reports whether the unreserved word w, right after a
// relation, starts a clause rather than naming an alias.
func isAliasStop(w string) bool {
	switch w {
	case "limit", "offset", "fetch", "window", "tablesample", "match_recognize":
		return true
	}
	return false
}

// continuesQuery reports whether t, after a parenthesized query, extends
// it: a set operation or the ORDER BY / OFFSET / LIMIT / FETCH tail.
func continuesQuery(t Token) bool {
	if t.Kind != Word {
		return false
	}
	switch t.Value {
	case "union", "intersect", "except", "order", "limit", "offset", "fetch":
		return true
	}
	return false
}
