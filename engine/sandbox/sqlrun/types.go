package sqlrun

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine/sqlref"
)

// normalizeType turns a type as written in SQL into Athena's name for it.
func normalizeType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	base, args, _ := strings.Cut(t, "(")
	base = strings.TrimSpace(base)
	switch base {
	case "int":
		return "integer"
	case "string", "char", "varchar":
		if base == "char" {
			return "char(" + args
		}
		return "varchar"
	case "float":
		return "real"
	case "double precision":
		return "double"
	case "timestamp":
		return "timestamp"
	}
	return t
}

// baseType is a type name without its parameters: decimal(10,2) → decimal.
func baseType(t string) string {
	b, _, _ := strings.Cut(t, "(")
	return b
}

func isIntegral(t string) bool {
	switch baseType(t) {
	case "bigint", "integer", "smallint", "tinyint":
		return true
	}
	return false
}

func isFloating(t string) bool { b := baseType(t); return b == "double" || b == "real" }

// Loaded tables declare each column with a SQLite type name made from the
// Athena one: the name keeps the affinity right (…CHAR → TEXT, …INT →
// INTEGER, …DOUB → REAL) and comes back from SQLite as the declared type of
// a column that passes through a query, which is how result columns get
// their Athena type. The prefix keeps the driver from parsing DATE and
// TIMESTAMP text into time values.
const declPrefix = "athena_"

func declType(athena string) string {
	switch b := baseType(athena); b {
	case "varchar", "char", "string":
		return declPrefix + "varchar"
	case "bigint", "integer", "smallint", "tinyint", "double", "real", "boolean", "date", "timestamp", "decimal":
		if b == "decimal" {
			return declPrefix + strings.ReplaceAll(athena, " ", "")
		}
		return declPrefix + b
	}
	// Complex types (array, map, row, ...) are kept as their text.
	return declPrefix + "varchar"
}

// fromDecl maps a declared type back to the Athena type; "" when the
// column is an expression.
func fromDecl(decl string) string {
	d := strings.ToLower(decl)
	if !strings.HasPrefix(d, declPrefix) {
		return ""
	}
	return d[len(declPrefix):]
}

// normalizeLiteral checks a DATE or TIMESTAMP literal and returns the text
// the sandbox stores for it.
func normalizeLiteral(kind, s string) (string, bool) {
	if kind == "date" {
		d, ok := parseDate(s)
		return d, ok
	}
	ts, ok := parseTimestamp(s)
	if !ok {
		return "", false
	}
	return formatTimestamp(ts), true
}

var timestampLayouts = []string{
	"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02T15:04",
	"2006-01-02", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 MST",
}

func parseTimestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func parseDate(s string) (string, bool) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		// Trino also takes dates without zero padding: 2024-1-5.
		if t, err = time.Parse("2006-1-2", strings.TrimSpace(s)); err != nil {
			return "", false
		}
	}
	return t.Format("2006-01-02"), true
}

// formatTimestamp writes a timestamp as Athena prints timestamp(3).
func formatTimestamp(t time.Time) string { return t.Format("2006-01-02 15:04:05.000") }

// javaDouble formats f as Java's Double.toString does, which is how Athena
// writes doubles in its result CSV: 1.5, 2.0, 1.0E7, 1.0E-4, NaN, Infinity.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1.2345E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}

// formatValue renders one SQLite value as Athena writes a value of type typ.
func formatValue(v any, typ string) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case int64:
		switch {
		case typ == "boolean":
			return strconv.FormatBool(x != 0), true
		case isFloating(typ):
			return javaDouble(float64(x)), true
		case baseType(typ) == "decimal":
			return formatDecimal(float64(x), typ), true
		}
		return strconv.FormatInt(x, 10), true
	case float64:
		switch {
		case isIntegral(typ):
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return strconv.FormatInt(int64(x), 10), true
			}
		case typ == "boolean":
			return strconv.FormatBool(x != 0), true
		case baseType(typ) == "decimal":
			return formatDecimal(x, typ), true
		}
		return javaDouble(x), true
	case string:
		return x, true
	case []byte:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func formatDecimal(f float64, typ string) string {
	scale := 0
	if _, args, ok := strings.Cut(typ, ","); ok {
		scale, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(args), ")"))
	}
	return strconv.FormatFloat(f, 'f', scale, 64)
}

// runtimeType guesses a column's type from its first value when neither the
// schema nor the expression says.
func runtimeType(v any) string {
	switch v.(type) {
	case int64:
		return "bigint"
	case float64:
		return "double"
	}
	return "varchar"
}

// funcTypes gives the result type of functions whose type does not depend
// on their arguments.
var funcTypes = map[string]string{
	"count": "bigint", "approx_distinct": "bigint", "count_if": "bigint", "length": "bigint", "strpos": "bigint",
	"year": "bigint", "month": "bigint", "day": "bigint", "day_of_month": "bigint", "hour": "bigint", "minute": "bigint",
	"second": "bigint", "quarter": "bigint", "day_of_week": "bigint", "dow": "bigint", "day_of_year": "bigint",
	"doy": "bigint", "date_diff": "bigint", "extract": "bigint",
	"avg": "double", "stddev": "double", "variance": "double", "random": "double", "rand": "double",
	"sqrt": "double", "ln": "double", "exp": "double", "power": "double", "pow": "double", "to_unixtime": "double",
	"lower": "varchar", "upper": "varchar", "substr": "varchar", "substring": "varchar", "concat": "varchar",
	"replace": "varchar", "trim": "varchar", "ltrim": "varchar", "rtrim": "varchar", "split_part": "varchar",
	"date_format": "varchar", "regexp_extract": "varchar", "regexp_replace": "varchar", "reverse": "varchar",
	"lpad": "varchar", "rpad": "varchar", "json_extract_scalar": "varchar", "chr": "varchar",
	"regexp_like": "boolean", "starts_with": "boolean",
	"date": "date", "from_unixtime": "timestamp", "now": "timestamp",
}

// argTypeFuncs return the type of one of their arguments (index).
var argTypeFuncs = map[string]int{
	"min": 0, "max": 0, "arbitrary": 0, "any_value": 0, "coalesce": 0, "nullif": 0, "abs": 0, "round": 0,
	"greatest": 0, "least": 0, "if": 1, "date_trunc": 1, "date_add": 2, "try": 0, "floor": 0, "ceil": 0, "ceiling": 0,
}

// inferType guesses the Athena type of a select-list expression from its
// tokens. It returns "" when it cannot tell; the value decides then.
func inferType(expr []sqlref.Token, cols map[string]string) string {
	if len(expr) == 0 {
		return ""
	}
	// Top-level operators decide first.
	depth, caseDepth := 0, 0
	arith := false
	for _, t := range expr {
		switch {
		case t.IsOp("("):
			depth++
		case t.IsOp(")"):
			depth--
		case depth > 0:
		case t.Is("case"):
			caseDepth++
		case t.Is("end"):
			caseDepth--
		case caseDepth > 0:
		case t.Kind == sqlref.Op && (t.Text == "=" || t.Text == "<>" || t.Text == "!=" || t.Text == "<" || t.Text == ">" || t.Text == "<=" || t.Text == ">="):
			return "boolean"
		case t.Kind == sqlref.Word && (t.Value == "and" || t.Value == "or" || t.Value == "not" || t.Value == "is" || t.Value == "in" || t.Value == "like" || t.Value == "between" || t.Value == "exists"):
			return "boolean"
		case t.IsOp("||"):
			return "varchar"
		case t.Kind == sqlref.Op && strings.Contains("+-*/%", t.Text):
			arith = true
		}
	}
	if arith {
		typ := ""
		for _, t := range expr {
			if t.Kind == sqlref.Number && strings.ContainsAny(t.Text, ".eE") {
				return "double"
			}
		}
		if expr[0].Kind == sqlref.Number {
			typ = "bigint"
		}
		return typ
	}
	if isColumnRef(expr) {
		return cols[aliasName(expr[len(expr)-1])]
	}
	t := expr[0]
	if len(expr) == 1 {
		switch t.Kind {
		case sqlref.Number:
			if strings.ContainsAny(t.Text, ".eE") && !strings.HasPrefix(t.Text, "0x") {
				return "double"
			}
			return "integer"
		case sqlref.String:
			return "varchar"
		case sqlref.Word:
			switch t.Value {
			case "true", "false":
				return "boolean"
			case "current_date":
				return "date"
			case "current_timestamp", "localtimestamp":
				return "timestamp"
			}
		}
		return ""
	}
	if len(expr) == 2 && t.Kind == sqlref.Word && expr[1].Kind == sqlref.String && (t.Value == "date" || t.Value == "timestamp") {
		return t.Value
	}
	if t.Is("case") {
		for k, x := range expr {
			if x.Is("then") {
				end := k + 1
				for end < len(expr) && !expr[end].Is("when") && !expr[end].Is("else") && !expr[end].Is("end") {
					end++
				}
				return inferType(expr[k+1:end], cols)
			}
		}
		return ""
	}
	if t.IsOp("(") && expr[len(expr)-1].IsOp(")") && len(expr) > 2 && !expr[1].Is("select") {
		return inferType(expr[1:len(expr)-1], cols)
	}
	if t.Kind != sqlref.Word || !expr[1].IsOp("(") || !expr[len(expr)-1].IsOp(")") {
		return ""
	}
	args := splitArgs(expr[2 : len(expr)-1])
	switch name := t.Value; {
	case name == "cast" || name == "try_cast":
		for k := len(expr) - 2; k > 1; k-- {
			if expr[k].Is("as") {
				var b strings.Builder
				for _, x := range expr[k+1 : len(expr)-1] {
					if b.Len() > 0 && x.Kind == sqlref.Word {
						b.WriteByte(' ')
					}
					b.WriteString(strings.ToLower(x.Text))
				}
				return normalizeType(b.String())
			}
		}
	case name == "sum":
		if len(args) == 1 {
			if a := inferType(args[0], cols); isIntegral(a) {
				return "bigint"
			} else if a != "" {
				return "double"
			}
		}
	case funcTypes[name] != "":
		return funcTypes[name]
	default:
		if k, ok := argTypeFuncs[name]; ok && k < len(args) {
			return inferType(args[k], cols)
		}
	}
	return ""
}

// splitArgs splits a call's argument tokens at top-level commas.
func splitArgs(toks []sqlref.Token) [][]sqlref.Token {
	var args [][]sqlref.Token
	depth, start := 0, 0
	for k, t := range toks {
		switch {
		case t.IsOp("("):
			depth++
		case t.IsOp(")"):
			depth--
		case t.IsOp(",") && depth == 0:
			args = append(args, toks[start:k])
			start = k + 1
		}
	}
	if len(toks) > 0 {
		args = append(args, toks[start:])
	}
	return args
}
