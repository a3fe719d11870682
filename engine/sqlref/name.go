package sqlref

import (
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
)

// SplitName reads a dotted name as SQL writes it (`sales.orders`,
// `"quilt-x-tabulator"."my-bucket"."t"`), at most max parts. Unquoted
// parts are lower-cased, as Athena folds them. A name without quotes
// that is not valid SQL (hyphens: quilt-x-tabulator) is split at its
// dots, as a user typing a catalog name means it.
func SplitName(s string, max int) ([]string, error) {
	toks, err := Lex(s)
	var parts []string
	ok := err == nil
	if ok {
		toks = Significant(toks)
		for i, t := range toks {
			switch {
			case i%2 == 0 && (t.Kind == Word || t.Kind == QuotedIdent || t.Kind == BacktickIdent):
				v := t.Value
				if t.Kind == Word {
					v = strings.ToLower(v)
				}
				parts = append(parts, v)
			case i%2 == 1 && t.IsOp("."):
			default:
				ok = false
			}
		}
		ok = ok && len(toks)%2 == 1
	}
	if !ok {
		if strings.ContainsAny(s, "\"`") || strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("%q is not a name as SQL writes it: parts separated by dots, each a word or in double quotes", s)
		}
		parts = strings.Split(strings.ToLower(strings.TrimSpace(s)), ".")
	}
	for _, p := range parts {
		if p == "" {
			return nil, fmt.Errorf("%q has an empty part", s)
		}
	}
	if len(parts) > max {
		return nil, fmt.Errorf("%q has %d parts; at most %d are allowed here", s, len(parts), max)
	}
	return parts, nil
}

// SplitTable reads a table's name as SQL writes it (table,
// database.table or catalog.database.table, each part quoted or not, as
// SplitName reads them). The parts left out are "", for the caller's
// defaults.
func SplitTable(s string) (engine.Ref, error) {
	parts, err := SplitName(s, 3)
	if err != nil {
		return engine.Ref{}, err
	}
	r := engine.Ref{Table: parts[len(parts)-1]}
	if len(parts) >= 2 {
		r.Database = parts[len(parts)-2]
	}
	if len(parts) == 3 {
		r.Catalog = parts[0]
	}
	return r, nil
}
