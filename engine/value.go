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
	switch BaseType(athenaType) {
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

// BaseType is an Athena type name without its parameters, lower-cased:
// "decimal(10,2)" is "decimal", "VARCHAR(20)" is "varchar",
// "array(varchar)" and Hive's "array<string>" are "array". The zone of
// "timestamp(3) with time zone" stays: "timestamp with time zone".
func BaseType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexAny(t, "(<"); i >= 0 {
		rest := ""
		if j := strings.LastIndexAny(t, ")>"); j > i {
			rest = t[j+1:]
		}
		t = strings.TrimSpace(t[:i]) + rest
	}
	return t
}

// TypeParams are the parameters of an Athena type name, as written:
// "decimal(10,2)" gives ["10", "2"], "timestamp(6)" ["6"], "varchar" none.
// Nested types' parameters ("row(a bigint, b varchar)") are not split.
func TypeParams(t string) []string {
	i, j := strings.IndexByte(t, '('), strings.LastIndexByte(t, ')')
	if i < 0 || j < i || BaseType(t) == "array" || BaseType(t) == "map" || BaseType(t) == "row" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(t[i+1:j], ",") {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}
