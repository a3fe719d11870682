package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Typed interprets v by its Athena type, for outputs that carry types
// (JSON):
//
//   - nil for NULL; int64 for the integer types; float64 for double, real
//     and float; bool for boolean;
//   - json.Number for decimal, so that no digit is lost;
//   - NaN, Infinity and -Infinity, which Athena writes for doubles but
//     JSON has no number for, as those strings;
//   - varbinary as one string of hex digits ("00ff"; Athena writes the
//     bytes as space-separated pairs, "00 ff");
//   - json as the JSON itself (a json.RawMessage);
//   - array, map and row as JSON arrays and objects (json.RawMessage) read
//     from Athena's text ("[1, 2]", "{a=1, b=x}"; a row is an object of
//     its fields). That text does not quote strings, so an element that
//     reads as a number, true, false or null is typed so, any other is a
//     string, and a string element holding ", ", "=" or brackets cannot be
//     told apart from the structure around it. CAST(x AS JSON) in the SQL
//     gives exact JSON, which is passed through.
//   - the text for everything else (varchar, char, date, time, timestamp).
//
// A value that does not parse as its type is returned as its text rather
// than guessed at.
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
	case "varbinary":
		if h, ok := compactHex(v.Text); ok {
			return h
		}
	case "json":
		// Compact, so that a JSON-lines row stays one line.
		var buf bytes.Buffer
		if json.Compact(&buf, []byte(v.Text)) == nil {
			return json.RawMessage(buf.Bytes())
		}
	case "array", "map", "row":
		if raw, ok := nestedJSON(v.Text); ok {
			return json.RawMessage(raw)
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
	return strings.TrimSpace(t)
}

// compactHex turns Athena's varbinary text ("00 ff 1a") into "00ff1a".
func compactHex(s string) (string, bool) {
	var b strings.Builder
	for _, f := range strings.Fields(s) {
		if len(f)%2 != 0 {
			return "", false
		}
		for _, c := range []byte(f) {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return "", false
			}
		}
		b.WriteString(strings.ToLower(f))
	}
	return b.String(), true
}

// nestedJSON reads Athena's text of an array, map or row into JSON; ok is
// false when the text is not in that form.
func nestedJSON(s string) ([]byte, bool) {
	p := nestedParser{s: s}
	out, ok := p.value(nil, "")
	if !ok || p.i != len(s) || len(s) == 0 || (s[0] != '[' && s[0] != '{') {
		return nil, false
	}
	return out, true
}

// nestedParser reads Athena's rendering of structural values: arrays as
// "[a, b]", maps and rows as "{k=v, k2=v2}", elements separated by ", ".
type nestedParser struct {
	s string
	i int
}

// value appends the value at p.i; a scalar ends before ", " or any of
// the closers in end.
func (p *nestedParser) value(b []byte, end string) ([]byte, bool) {
	if p.i < len(p.s) {
		switch p.s[p.i] {
		case '[':
			return p.list(b)
		case '{':
			return p.object(b)
		}
	}
	return appendScalar(b, p.scalar(end)), true
}

// scalar is the text up to ", " or a closer in end.
func (p *nestedParser) scalar(end string) string {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if strings.IndexByte(end, c) >= 0 || c == ',' && p.i+1 < len(p.s) && p.s[p.i+1] == ' ' {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}

func (p *nestedParser) list(b []byte) ([]byte, bool) {
	p.i++ // [
	b = append(b, '[')
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return append(b, ']'), true
	}
	for {
		var ok bool
		if b, ok = p.value(b, "]"); !ok {
			return nil, false
		}
		switch {
		case strings.HasPrefix(p.s[p.i:], ", "):
			p.i += 2
			b = append(b, ',')
		case strings.HasPrefix(p.s[p.i:], "]"):
			p.i++
			return append(b, ']'), true
		default:
			return nil, false
		}
	}
}

func (p *nestedParser) object(b []byte) ([]byte, bool) {
	p.i++ // {
	b = append(b, '{')
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return append(b, '}'), true
	}
	for {
		key := p.scalar("=}")
		if !strings.HasPrefix(p.s[p.i:], "=") {
			return nil, false
		}
		p.i++
		b = appendString(b, key)
		b = append(b, ':')
		var ok bool
		if b, ok = p.value(b, "}"); !ok {
			return nil, false
		}
		switch {
		case strings.HasPrefix(p.s[p.i:], ", "):
			p.i += 2
			b = append(b, ',')
		case strings.HasPrefix(p.s[p.i:], "}"):
			p.i++
			return append(b, '}'), true
		default:
			return nil, false
		}
	}
}

// appendScalar appends an element of Athena's text: null, true and false
// as themselves, a JSON number as a number, anything else as a string.
func appendScalar(b []byte, s string) []byte {
	switch s {
	case "null", "true", "false":
		return append(b, s...)
	}
	if s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && json.Valid([]byte(s)) {
		return append(b, s...)
	}
	return appendString(b, s)
}

// appendString appends s as a JSON string, leaving <, > and & as they are.
func appendString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
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

// ParseDate reads a date as Athena writes it: 2024-06-01.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return t, nil
}

// ParseTimestamp reads a timestamp as Athena writes it (the form
// PyAthena's converters read too): "2024-06-01 12:34:56.789", for a
// timestamp with time zone followed by the zone: "... UTC",
// "... Europe/Paris" or "... +02:00". A timestamp without a zone is read
// as UTC: it is a wall-clock reading, and UTC keeps it unchanged.
func ParseTimestamp(s string) (time.Time, error) {
	text, loc := s, time.UTC
	if date, rest, ok := strings.Cut(s, " "); ok {
		if clock, name, ok := strings.Cut(rest, " "); ok {
			l, err := zone(name)
			if err != nil {
				return time.Time{}, fmt.Errorf("%q: %v", s, err)
			}
			text, loc = date+" "+clock, l
		}
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", text, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a timestamp (YYYY-MM-DD HH:MM:SS.fff)", s)
	}
	return t, nil
}

// zone is a time zone as Trino names it in a value: UTC, a region name,
// or an offset (+02:00).
func zone(name string) (*time.Location, error) {
	if name == "UTC" || name == "Z" {
		return time.UTC, nil
	}
	if len(name) == 6 && (name[0] == '+' || name[0] == '-') && name[3] == ':' {
		h, err1 := strconv.Atoi(name[1:3])
		m, err2 := strconv.Atoi(name[4:])
		if err1 == nil && err2 == nil {
			off := h*3600 + m*60
			if name[0] == '-' {
				off = -off
			}
			return time.FixedZone(name, off), nil
		}
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return loc, nil
}
