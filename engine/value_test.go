package engine

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestValueTyped(t *testing.T) {
	tests := []struct {
		v    Value
		typ  string
		want any
	}{
		{Value{Null: true}, "bigint", nil},
		{Value{Null: true}, "varchar", nil},
		{Value{Text: ""}, "varchar", ""},
		{Value{Text: "42"}, "bigint", int64(42)},
		{Value{Text: "-7"}, "integer", int64(-7)},
		{Value{Text: "1.5"}, "double", 1.5},
		{Value{Text: "1.0E7"}, "double", 1e7},
		{Value{Text: "true"}, "boolean", true},
		{Value{Text: "12345678901234567890.5"}, "decimal(38,1)", json.Number("12345678901234567890.5")},
		{Value{Text: "2024-01-31"}, "date", "2024-01-31"},
		{Value{Text: "NaN?"}, "double", "NaN?"},
		{Value{Text: "12"}, "VARCHAR(10)", "12"},
		{Value{Text: "x"}, "bigint", "x"},
		{Value{Text: "3"}, "tinyint", int64(3)},
		{Value{Text: "NaN"}, "double", "NaN"},
		{Value{Text: "-Infinity"}, "double", "-Infinity"},
	}
	for _, tc := range tests {
		got := tc.v.Typed(tc.typ)
		if got != tc.want {
			t.Errorf("%+v.Typed(%q) = %#v, want %#v", tc.v, tc.typ, got, tc.want)
		}
		if _, err := json.Marshal(got); err != nil {
			t.Errorf("%+v.Typed(%q) = %#v, which JSON refuses: %v", tc.v, tc.typ, got, err)
		}
	}
}

func TestErrorKinds(t *testing.T) {
	err := &Error{Op: "StartQueryExecution", Kind: Denied, Err: errString("User: x is not authorized")}
	if KindOf(err) != Denied || KindOf(errString("plain")) != Other {
		t.Errorf("KindOf: got %v and %v, want denied and other", KindOf(err), KindOf(errString("plain")))
	}
	if got, want := err.Error(), "StartQueryExecution: User: x is not authorized"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if Kind(99).String() != "kind(99)" || Credentials.String() != "credentials" {
		t.Errorf("Kind strings: %q, %q", Kind(99).String(), Credentials.String())
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestBaseTypeAndParams(t *testing.T) {
	tests := []struct {
		typ, base string
		params    []string
	}{
		{"varchar", "varchar", nil},
		{"VARCHAR(20)", "varchar", []string{"20"}},
		{"decimal(10, 2)", "decimal", []string{"10", "2"}},
		{"timestamp(6)", "timestamp", []string{"6"}},
		{"timestamp(3) with time zone", "timestamp with time zone", []string{"3"}},
		{"array(row(a bigint, b varchar))", "array", nil},
		{"map<string,int>", "map", nil},
	}
	for _, tt := range tests {
		if got := BaseType(tt.typ); got != tt.base {
			t.Errorf("BaseType(%q) = %q, want %q", tt.typ, got, tt.base)
		}
		if got := TypeParams(tt.typ); fmt.Sprint(got) != fmt.Sprint(tt.params) {
			t.Errorf("TypeParams(%q) = %q, want %q", tt.typ, got, tt.params)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		unix int64 // milliseconds
		err  string
	}{
		{"2024-06-01 12:34:56.789", 1717245296789, ""},
		{"1970-01-01 00:00:00.000", 0, ""},
		{"2024-06-01 12:34:56.789 UTC", 1717245296789, ""},
		{"2024-06-01 14:34:56.789 Europe/Paris", 1717245296789, ""},
		{"2024-06-01 14:34:56.789 +02:00", 1717245296789, ""},
		{"2024-06-01 12:34:56.789 Nowhere/Else", 0, `unknown time zone "Nowhere/Else"`},
		{"June 1st", 0, "is not a timestamp"},
	}
	for _, tt := range tests {
		got, err := ParseTimestamp(tt.in)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseTimestamp(%q) error %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || got.UnixMilli() != tt.unix):
			t.Errorf("ParseTimestamp(%q) = %v (%d), %v; want %d", tt.in, got, got.UnixMilli(), err, tt.unix)
		}
	}
	if d, err := ParseDate("2024-06-01"); err != nil || d.Unix() != 1717200000 {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
}
