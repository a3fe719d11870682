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
		{Value{Text: "Infinity"}, "real", "Infinity"},
		{Value{Text: "0.30"}, "decimal(3,2)", json.Number("0.30")},
		{Value{Text: "68 65 6c 6c 6f"}, "varbinary", "68656c6c6f"},
		{Value{Text: ""}, "varbinary", ""},
		{Value{Text: "not hex"}, "varbinary", "not hex"},
		{Value{Text: "2024-01-31 10:00:00.000 UTC"}, "timestamp with time zone", "2024-01-31 10:00:00.000 UTC"},
		{Value{Text: "[1, 2"}, "array", "[1, 2"},
		{Value{Text: "{a=1"}, "map", "{a=1"},
		{Value{Text: "{a}"}, "map", "{a}"},
		{Value{Text: "plain"}, "row", "plain"},
		{Value{Text: "{not json"}, "json", "{not json"},
	}
	for _, tc := range tests {
		got := tc.v.Typed(tc.typ)
		if raw, ok := got.(json.RawMessage); ok {
			t.Errorf("%+v.Typed(%q) = JSON %s, want %#v", tc.v, tc.typ, raw, tc.want)
			continue
		}
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

// TestValueTypedNested reads Athena's text of structural values and json
// into JSON, as -o json writes them.
func TestValueTypedNested(t *testing.T) {
	tests := []struct {
		text, typ, want string
	}{
		{"[1, 2]", "array", `[1,2]`},
		{"[]", "array", `[]`},
		{"[a, b c, null, true, -1.5E-7]", "array", `["a","b c",null,true,-1.5E-7]`},
		{"[[1, 2], [3, 4]]", "array(array(integer))", `[[1,2],[3,4]]`},
		{"[NaN, Infinity, 0.1]", "array", `["NaN","Infinity",0.1]`},
		{"{a=1, b=x}", "map", `{"a":1,"b":"x"}`},
		{"{}", "map", `{}`},
		{"{last=Smith, first=Bob, age=38}", "row", `{"last":"Smith","first":"Bob","age":38}`},
		{"{field0=1, field1=[a, b], field2={k=v}}", "row", `{"field0":1,"field1":["a","b"],"field2":{"k":"v"}}`},
		{"[{a=1}, {a=<&>}]", "array", `[{"a":1},{"a":"<&>"}]`},
		{"[01, 1x]", "array", `["01","1x"]`},
		{`{"a": [1, 2]}`, "json", `{"a":[1,2]}`},
		{`"text"`, "json", `"text"`},
	}
	for _, tc := range tests {
		got := Value{Text: tc.text}.Typed(tc.typ)
		raw, ok := got.(json.RawMessage)
		if !ok || string(raw) != tc.want {
			t.Errorf("Typed(%q, %s) = %#v, want JSON %s", tc.text, tc.typ, got, tc.want)
			continue
		}
		if !json.Valid(raw) {
			t.Errorf("Typed(%q, %s) = %s, which is not valid JSON", tc.text, tc.typ, raw)
		}
	}
}
