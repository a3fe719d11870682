package engine

import (
	"encoding/json"
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
