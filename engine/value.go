package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
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
