package explain

import (
	"fmt"

	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// StatementKind says what one SQL statement does, as far as permissions
// go: which Glue and S3 actions engine/iam's Requirements adds for its
// references. It reads the statement's leading keywords only (the table
// references come from sqlref.Extract); a statement it cannot classify is
// an error, so that no requirement is guessed.
//
// EXPLAIN (without ANALYZE) and DESCRIBE only read definitions (Describe);
// EXPLAIN ANALYZE, PREPARE ... FROM and EXECUTE IMMEDIATE are the kind of
// the statement they run.
func StatementKind(sql string) (iam.StatementKind, error) {
	toks, err := sqlref.Lex(sql)
	if err != nil {
		return "", err
	}
	return kindOf(sqlref.Significant(toks), 0)
}

// kindOf classifies the statement starting at toks[0]; depth bounds the
// nesting of PREPARE and EXECUTE IMMEDIATE.
func kindOf(toks []sqlref.Token, depth int) (iam.StatementKind, error) {
	for len(toks) > 0 && toks[0].IsOp(";") {
		toks = toks[1:]
	}
	if len(toks) == 0 {
		return "", fmt.Errorf("no SQL statement")
	}
	if depth > 8 {
		return "", fmt.Errorf("statements nested too deep")
	}
	word := func(i int) string {
		if i < len(toks) && toks[i].Kind == sqlref.Word {
			return toks[i].Value
		}
		return ""
	}
	// has reports whether the word w appears at top level before the
	// statement ends.
	has := func(w string) bool {
		level := 0
		for _, t := range toks {
			switch {
			case t.IsOp("("):
				level++
			case t.IsOp(")"):
				level--
			case t.IsOp(";") && level == 0:
				return false
			case level == 0 && t.Kind == sqlref.Word && t.Value == w:
				return true
			}
		}
		return false
	}
	if toks[0].IsOp("(") {
		return iam.Select, nil
	}
	switch word(0) {
	case "select", "with", "values", "table", "unload", "using":
		return iam.Select, nil
	case "show":
		switch word(1) {
		case "databases", "schemas":
			return iam.ShowDatabases, nil
		case "tables", "views":
			return iam.ShowTables, nil
		case "partitions":
			return iam.ShowPartitions, nil
		case "columns", "create", "tblproperties", "stats", "catalogs", "functions", "session":
			return iam.Describe, nil
		}
	case "describe", "desc":
		return iam.Describe, nil
	case "explain":
		i := 1
		if word(i) != "analyze" {
			return iam.Describe, nil
		}
		i++
		if word(i) == "verbose" {
			i++
		}
		if i < len(toks) && toks[i].IsOp("(") {
			for i < len(toks) && !toks[i].IsOp(")") {
				i++
			}
			i++
		}
		if i >= len(toks) {
			return "", fmt.Errorf("EXPLAIN ANALYZE names no statement")
		}
		return kindOf(toks[i:], depth+1)
	case "prepare":
		for i := 1; i < len(toks); i++ {
			if toks[i].Kind == sqlref.Word && toks[i].Value == "from" {
				return kindOf(toks[i+1:], depth+1)
			}
		}
		return "", fmt.Errorf("PREPARE names no statement (PREPARE name FROM statement)")
	case "execute":
		if word(1) == "immediate" && len(toks) > 2 && toks[2].Kind == sqlref.String {
			inner, err := sqlref.Lex(toks[2].Value)
			if err != nil {
				return "", err
			}
			return kindOf(sqlref.Significant(inner), depth+1)
		}
		return "", fmt.Errorf("EXECUTE runs a prepared statement whose text is not here; give its SQL")
	case "insert":
		return iam.Insert, nil
	case "delete", "update", "merge", "vacuum", "optimize":
		return iam.Modify, nil
	case "msck":
		return iam.RepairTable, nil
	case "create":
		i := 1
		if word(i) == "or" && word(i+1) == "replace" {
			i += 2
		}
		for word(i) == "external" || word(i) == "materialized" || word(i) == "temporary" {
			i++
		}
		switch word(i) {
		case "table":
			if has("as") {
				return iam.CTAS, nil
			}
			return iam.CreateTable, nil
		case "view", "protected":
			return iam.CreateView, nil
		case "database", "schema":
			return iam.CreateDatabase, nil
		}
	case "alter":
		if has("add") && has("partition") {
			return iam.AddPartition, nil
		}
		return iam.AlterTable, nil
	case "drop":
		if w := word(1); w == "database" || w == "schema" {
			return iam.DropDatabase, nil
		}
		return iam.DropTable, nil
	}
	return "", fmt.Errorf("cannot tell what the statement %q does to permissions", firstWords(toks))
}

// firstWords is the start of a statement, for messages.
func firstWords(toks []sqlref.Token) string {
	s := ""
	for i, t := range toks {
		if i == 3 {
			break
		}
		if i > 0 {
			s += " "
		}
		s += t.Text
	}
	return s
}
