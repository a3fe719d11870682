package sqlrun

import (
	"bytes"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// How values of each Trino type live in SQLite, and how they are written
// in Athena's results.
//
//	boolean                   INTEGER 0 or 1
//	tinyint ... bigint        INTEGER
//	real, double              REAL; NaN is the TEXT 'NaN' (SQLite turns a
//	                          NaN REAL into NULL)
//	decimal(p,s)              TEXT, the canonical form with exactly s
//	                          fractional digits ("-12.50"), compared under
//	                          the athena_decimal collation
//	varchar, char(n)          TEXT (char padded to n)
//	varbinary                 BLOB
//	date                      TEXT 2024-01-31
//	timestamp                 TEXT 2024-01-31 23:59:59.123
//	timestamp with time zone  TEXT 2024-01-31 23:59:59.123 UTC
//	json                      TEXT, compact JSON
//	array, map, row           TEXT, JSON: an array is [e, ...], a map
//	                          [[k, v], ...] in insertion order, a row
//	                          [f1, f2, ...]; elements in "element form":
//	                          booleans and integers as JSON, doubles as
//	                          numbers or the strings "NaN", "Infinity",
//	                          "-Infinity", decimals, strings, dates and
//	                          timestamps as strings, varbinary as a hex
//	                          string, json values and nested arrays, maps
//	                          and rows as themselves
//
// The same internal form is what a view's rows carry back into the engine
// (Query.Internal), so that nothing is lost on the way.

// decimal is an exact decimal number: unscaled × 10^-scale.
type decimal struct {
	unscaled *big.Int
	scale    int
}

// parseDecimal reads a decimal number (optional sign, digits, optional
// fraction, optional exponent).
func parseDecimal(s string) (decimal, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return decimal{}, false
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return decimal{}, false
		}
		exp, s = e, s[:i]
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return decimal{}, false
	}
	digits := intPart + frac
	for _, c := range digits {
		if c < '0' || c > '9' {
			return decimal{}, false
		}
	}
	u, ok := new(big.Int).SetString("0"+digits, 10)
	if !ok {
		return decimal{}, false
	}
	if neg {
		u.Neg(u)
	}
	d := decimal{unscaled: u, scale: len(frac) - exp}
	if d.scale < 0 {
		d.unscaled.Mul(d.unscaled, pow10(-d.scale))
		d.scale = 0
	}
	return d, true
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

func decimalOfInt(n int64) decimal { return decimal{unscaled: big.NewInt(n), scale: 0} }

// rescale returns d with scale s, rounding half away from zero (HALF_UP),
// as Trino rounds decimals.
func (d decimal) rescale(s int) decimal {
	switch {
	case s == d.scale:
		return d
	case s > d.scale:
		return decimal{unscaled: new(big.Int).Mul(d.unscaled, pow10(s-d.scale)), scale: s}
	}
	div := pow10(d.scale - s)
	q, r := new(big.Int).QuoRem(d.unscaled, div, new(big.Int))
	r.Abs(r).Mul(r, big.NewInt(2))
	if r.Cmp(div) >= 0 {
		if d.unscaled.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return decimal{unscaled: q, scale: s}
}

// fits reports whether d has at most p digits once at scale s.
func (d decimal) fits(p, s int) bool {
	a := new(big.Int).Abs(d.rescale(s).unscaled)
	return a.Cmp(pow10(p)) < 0
}

// String is d's canonical text: every fractional digit of its scale.
func (d decimal) String() string {
	s := new(big.Int).Abs(d.unscaled).String()
	if d.scale > 0 {
		if len(s) <= d.scale {
			s = strings.Repeat("0", d.scale-len(s)+1) + s
		}
		s = s[:len(s)-d.scale] + "." + s[len(s)-d.scale:]
	}
	if d.unscaled.Sign() < 0 {
		s = "-" + s
	}
	return s
}

func (d decimal) cmp(e decimal) int {
	s := max(d.scale, e.scale)
	return d.rescale(s).unscaled.Cmp(e.rescale(s).unscaled)
}

func (d decimal) float() float64 {
	f, _ := new(big.Rat).SetFrac(d.unscaled, pow10(d.scale)).Float64()
	return f
}

// decimalOf reads a decimal from its SQLite value (canonical TEXT, or an
// integer or float for a value coerced from those types).
func decimalOf(v driver.Value) (decimal, bool) {
	switch x := v.(type) {
	case int64:
		return decimalOfInt(x), true
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return decimal{}, false
		}
		return parseDecimal(strconv.FormatFloat(x, 'f', -1, 64))
	case string:
		return parseDecimal(x)
	case []byte:
		return parseDecimal(string(x))
	}
	return decimal{}, false
}

// floatOf reads a real or double from its SQLite value ('NaN' text, or
// any number).
func floatOf(v driver.Value) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		return parseJavaFloat(x)
	case []byte:
		return parseJavaFloat(string(x))
	}
	return 0, false
}

// parseJavaFloat reads a number as Java writes it, with NaN, Infinity and
// -Infinity.
func parseJavaFloat(s string) (float64, bool) {
	switch s = strings.TrimSpace(s); s {
	case "NaN":
		return math.NaN(), true
	case "Infinity", "+Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// floatValue is how a float is stored: NaN as text.
func floatValue(f float64) driver.Value {
	if math.IsNaN(f) {
		return "NaN"
	}
	return f
}

// javaDouble formats f as Java's Double.toString does, which is how
// Athena writes doubles in its result CSV: 1.5, 2.0, 1.0E7, 1.0E-4, NaN,
// Infinity.
func javaDouble(f float64) string { return javaFloat(f, 64) }

// javaFloat formats f as Java's Double.toString (bits 64) or
// Float.toString (bits 32), with the shortest digits that read back.
func javaFloat(f float64, bits int) string {
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
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, bits) // 1.2345E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}

// parseDate reads a date; Trino also takes dates without zero padding.
func parseDate(s string) (string, bool) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		if t, err = time.Parse("2006-1-2", strings.TrimSpace(s)); err != nil {
			return "", false
		}
	}
	return t.Format("2006-01-02"), true
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
	if t, ok := parseTimestampTZ(s); ok {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// parseTimestampTZ reads a timestamp with a zone: "... UTC", "... Z",
// "... +05:00", "... America/New_York".
func parseTimestampTZ(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return time.Time{}, false
	}
	local, zone := s[:i], s[i+1:]
	var loc *time.Location
	switch {
	case zone == "UTC" || zone == "Z" || zone == "GMT" || zone == "UT":
		loc = time.UTC
	case strings.HasPrefix(zone, "+") || strings.HasPrefix(zone, "-"):
		t, err := time.Parse("-07:00", zone)
		if err != nil {
			return time.Time{}, false
		}
		_, off := t.Zone()
		loc = time.FixedZone(zone, off)
	default:
		l, err := time.LoadLocation(zone)
		if err != nil {
			return time.Time{}, false
		}
		loc = l
	}
	for _, l := range timestampLayouts[:5] {
		if t, err := time.ParseInLocation(l, local, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// formatTimestamp writes a timestamp as Athena prints timestamp(3).
func formatTimestamp(t time.Time) string { return t.Format("2006-01-02 15:04:05.000") }

// formatTimestampTZ writes a timestamp with time zone as Trino renders
// it: the local time, then the zone's name ("2024-01-31 12:00:00.000 UTC").
func formatTimestampTZ(t time.Time) string {
	name := t.Location().String()
	if t.Location() == time.UTC {
		name = "UTC"
	}
	return t.Format("2006-01-02 15:04:05.000") + " " + name
}

// hexBytes writes varbinary as Athena does in its results: two lower-case
// hex digits per byte, separated by spaces (PyAthena reads it back with
// binascii.a2b_hex after removing the spaces, pyathena/converter.py).
func hexBytes(b []byte) string {
	var s strings.Builder
	for i, c := range b {
		if i > 0 {
			s.WriteByte(' ')
		}
		s.WriteString(hex.EncodeToString([]byte{c}))
	}
	return s.String()
}

// text renders any SQLite value as the string Trino would see after an
// implicit cast.
func text(v driver.Value) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return javaDouble(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// render writes one SQLite value of type t as Athena writes it in a
// result. ok is false for NULL.
func render(v driver.Value, t Type) (string, bool) {
	if v == nil {
		return "", false
	}
	switch t.Base {
	case tBoolean:
		switch x := v.(type) {
		case int64:
			return strconv.FormatBool(x != 0), true
		case float64:
			return strconv.FormatBool(x != 0), true
		}
	case tTinyint, tSmallint, tInteger, tBigint:
		switch x := v.(type) {
		case int64:
			return strconv.FormatInt(x, 10), true
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return strconv.FormatInt(int64(x), 10), true
			}
		}
	case tDouble:
		if f, ok := floatOf(v); ok {
			return javaDouble(f), true
		}
	case tReal:
		if f, ok := floatOf(v); ok {
			return javaFloat(float64(float32(f)), 32), true
		}
	case tDecimal:
		if d, ok := decimalOf(v); ok {
			return d.rescale(t.S).String(), true
		}
	case tVarbinary:
		switch x := v.(type) {
		case []byte:
			return hexBytes(x), true
		case string:
			return hexBytes([]byte(x)), true
		}
	case tArray, tMap, tRow:
		if s, ok := renderComplex(text(v), t); ok {
			return s, true
		}
	}
	switch x := v.(type) {
	case []byte:
		return string(x), true
	case float64:
		return javaDouble(x), true
	}
	return text(v), true
}

// renderComplex writes an array, map or row as Athena does: [1, 2],
// {a=1, b=2}, {x=1, y=abc}; NULL elements as null; unnamed row fields as
// field0, field1, ... (the Athena user guide's "Create a ROW" shows
// {field0=Bob, field1=38}).
func renderComplex(js string, t Type) (string, bool) {
	var b strings.Builder
	if !renderElem(&b, json.RawMessage(js), t) {
		return "", false
	}
	return b.String(), true
}

func renderElem(b *strings.Builder, raw json.RawMessage, t Type) bool {
	if isNullJSON(raw) {
		b.WriteString("null")
		return true
	}
	switch t.Base {
	case tArray:
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			return false
		}
		b.WriteByte('[')
		for i, e := range elems {
			if i > 0 {
				b.WriteString(", ")
			}
			if !renderElem(b, e, *t.Elem) {
				return false
			}
		}
		b.WriteByte(']')
		return true
	case tMap:
		var pairs [][2]json.RawMessage
		if json.Unmarshal(raw, &pairs) != nil {
			return false
		}
		b.WriteByte('{')
		for i, kv := range pairs {
			if i > 0 {
				b.WriteString(", ")
			}
			if !renderElem(b, kv[0], *t.Key) {
				return false
			}
			b.WriteByte('=')
			if !renderElem(b, kv[1], *t.Elem) {
				return false
			}
		}
		b.WriteByte('}')
		return true
	case tRow:
		var fields []json.RawMessage
		if json.Unmarshal(raw, &fields) != nil || len(fields) != len(t.Fields) {
			return false
		}
		b.WriteByte('{')
		for i, f := range fields {
			if i > 0 {
				b.WriteString(", ")
			}
			name := t.Fields[i].Name
			if name == "" {
				name = "field" + strconv.Itoa(i)
			}
			b.WriteString(name + "=")
			if !renderElem(b, f, t.Fields[i].Type) {
				return false
			}
		}
		b.WriteByte('}')
		return true
	}
	v, err := elemValue(raw, t)
	if err != nil {
		return false
	}
	s, ok := render(v, t)
	if !ok {
		s = "null"
	}
	b.WriteString(s)
	return true
}

func isNullJSON(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// elemJSON writes one SQLite value of type t in element form, for
// inclusion in an array, map or row.
func elemJSON(v driver.Value, t Type) (json.RawMessage, error) {
	if v == nil {
		return json.RawMessage("null"), nil
	}
	switch t.Base {
	case tBoolean:
		if x, ok := v.(int64); ok {
			return json.RawMessage(strconv.FormatBool(x != 0)), nil
		}
	case tTinyint, tSmallint, tInteger, tBigint:
		switch x := v.(type) {
		case int64:
			return json.RawMessage(strconv.FormatInt(x, 10)), nil
		case float64:
			return json.RawMessage(strconv.FormatInt(int64(x), 10)), nil
		}
	case tReal, tDouble:
		f, ok := floatOf(v)
		if !ok {
			break
		}
		switch {
		case math.IsNaN(f):
			return json.RawMessage(`"NaN"`), nil
		case math.IsInf(f, 1):
			return json.RawMessage(`"Infinity"`), nil
		case math.IsInf(f, -1):
			return json.RawMessage(`"-Infinity"`), nil
		}
		return json.RawMessage(strconv.FormatFloat(f, 'g', -1, 64)), nil
	case tDecimal:
		if d, ok := decimalOf(v); ok {
			return json.Marshal(d.rescale(t.S).String())
		}
	case tVarbinary:
		switch x := v.(type) {
		case []byte:
			return json.Marshal(hex.EncodeToString(x))
		case string:
			return json.Marshal(hex.EncodeToString([]byte(x)))
		}
	case tJSON, tArray, tMap, tRow:
		s := text(v)
		if !json.Valid([]byte(s)) {
			return nil, fmt.Errorf("invalid %s value %q", t, s)
		}
		return json.RawMessage(s), nil
	default:
		return json.Marshal(text(v))
	}
	return nil, fmt.Errorf("cannot represent %v as %s", v, t)
}

// elemValue reads one element of type t back into its SQLite value.
func elemValue(raw json.RawMessage, t Type) (driver.Value, error) {
	if isNullJSON(raw) {
		return nil, nil
	}
	switch t.Base {
	case tBoolean:
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, err
		}
		if b {
			return int64(1), nil
		}
		return int64(0), nil
	case tTinyint, tSmallint, tInteger, tBigint:
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return nil, err
		}
		return n.Int64()
	case tReal, tDouble:
		var s string
		if json.Unmarshal(raw, &s) == nil {
			f, ok := parseJavaFloat(s)
			if !ok {
				return nil, fmt.Errorf("bad %s element %s", t, raw)
			}
			return floatValue(f), nil
		}
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return nil, err
		}
		f, err := n.Float64()
		return f, err
	case tVarbinary:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return hex.DecodeString(s)
	case tJSON, tArray, tMap, tRow:
		var c bytes.Buffer
		if err := json.Compact(&c, raw); err != nil {
			return nil, err
		}
		return c.String(), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		// A number or boolean element read as text.
		return strings.TrimSpace(string(raw)), nil
	}
	return s, nil
}

// cellValue reads one table cell (CSV text, or a view's internal form)
// into the SQLite value of type t. Cells that do not read as their type
// become NULL, as Athena's text SerDes read them.
func cellValue(s string, t Type) driver.Value {
	switch t.Base {
	case tTinyint, tSmallint, tInteger, tBigint:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil
		}
		return n
	case tReal, tDouble:
		f, ok := parseJavaFloat(s)
		if !ok {
			return nil
		}
		return floatValue(f)
	case tDecimal:
		d, ok := parseDecimal(s)
		if !ok || !d.fits(t.P, t.S) {
			return nil
		}
		return d.rescale(t.S).String()
	case tBoolean:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return int64(1)
		case "false":
			return int64(0)
		}
		return nil
	case tDate:
		if d, ok := parseDate(s); ok {
			return d
		}
		return nil
	case tTimestamp:
		if ts, ok := parseTimestamp(s); ok {
			return formatTimestamp(ts)
		}
		return nil
	case tTimestampTZ:
		if ts, ok := parseTimestampTZ(s); ok {
			return formatTimestampTZ(ts)
		}
		return nil
	case tChar:
		if n := t.P - len([]rune(s)); n > 0 {
			return s + strings.Repeat(" ", n)
		}
		return s
	case tVarbinary:
		if b, err := hex.DecodeString(strings.ReplaceAll(s, " ", "")); err == nil {
			return b
		}
		return []byte(s)
	case tJSON:
		var c bytes.Buffer
		if json.Compact(&c, []byte(s)) != nil {
			return nil
		}
		return c.String()
	case tArray, tMap, tRow:
		v, err := elemValue(json.RawMessage(s), t)
		if err != nil || !validComplex(text(v), t) {
			return nil
		}
		return v
	}
	return s
}

// validComplex reports whether js is a well-formed value of t.
func validComplex(js string, t Type) bool {
	var b strings.Builder
	return renderElem(&b, json.RawMessage(js), t)
}

// internalText is a SQLite value's text in the internal form, for a
// view's rows (Query.Internal).
func internalText(v driver.Value, t Type) (string, bool) {
	if v == nil {
		return "", false
	}
	switch t.Base {
	case tVarbinary:
		if b, ok := v.([]byte); ok {
			return hex.EncodeToString(b), true
		}
	case tBoolean:
		if x, ok := v.(int64); ok {
			return strconv.FormatBool(x != 0), true
		}
	case tDouble, tReal:
		if f, ok := floatOf(v); ok {
			return javaDouble(f), true
		}
	}
	return text(v), true
}
