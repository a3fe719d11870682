package engine

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Typed interprets v by its Athena type, for outputs that carry types
// (JSON): nil for NULL; int64 for the integer types; float64 for double,
// real and float; bool for boolean; json.Number for decimal, so that no
// digit is lost; the text for everything else (varchar, date, timestamp,
// arrays and maps as Athena renders them). A value that does not parse as
// its type is returned as text rather than guessed at, and so are NaN and
// ±Infinity, which Athena writes for doubles but JSON has no number for.
func (v Value) Typed(athenaType string) any {
	if v.Null {
		return nil
	}
	switch baseType(athenaType) {
	case "bigint", "integer", "int", "smallint", "tinyint":
		if n, err := strconv.ParseInt(v.Text, 10, 64); err == nil {
			return n
		}
	case "double", "real", "float":
		if f, err := strconv.ParseFloat(v.Text, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f
		}
	case "boolean":
		if b, err := strconv.ParseBool(v.Text); err == nil {
			return b
		}
	case "decimal":
		if json.Valid([]byte(v.Text)) {
			return json.Number(v.Text)
		}
	}
	return v.Text
}

// baseType is a type name without its parameters: "decimal(10,2)" is
// "decimal", "varchar(20)" is "varchar".
func baseType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = t[:i]
	}
	return t
}
