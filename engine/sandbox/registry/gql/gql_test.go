package gql

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

func testSchema() *Schema {
	pets := []any{
		map[string]any{"name": "Rex", "legs": 4},
		map[string]any{"name": "Tweety", "legs": 2},
	}
	return &Schema{
		Query:    "Query",
		Mutation: "Mutation",
		Types: map[string]*Type{
			"Query": {Kind: Object, Fields: map[string]*FieldDef{
				"pets": {Type: "[Pet!]!", Resolve: func(context.Context, any, map[string]any) (any, error) { return pets, nil }},
				"pet": {Type: "Pet", Args: map[string]string{"name": "String!"}, Resolve: func(_ context.Context, _ any, args map[string]any) (any, error) {
					for _, p := range pets {
						if p.(map[string]any)["name"] == args["name"] {
							return p, nil
						}
					}
					return nil, nil
				}},
				"count":  {Type: "Int!", Args: map[string]string{"min": "Int"}, Resolve: func(_ context.Context, _ any, args map[string]any) (any, error) { return args["min"], nil }},
				"broken": {Type: "String", Resolve: func(context.Context, any, map[string]any) (any, error) { return nil, errors.New("boom") }},
				"strict": {Type: "Pet!", Resolve: func(context.Context, any, map[string]any) (any, error) { return nil, nil }},
			}},
			"Mutation": {Kind: Object, Fields: map[string]*FieldDef{
				"adopt": {Type: "AdoptResult!", Args: map[string]string{"name": "String!"}, Resolve: func(_ context.Context, _ any, args map[string]any) (any, error) {
					if args["name"] == "" {
						return Typed{Type: "Refusal", Value: map[string]any{"reason": "no name"}}, nil
					}
					return Typed{Type: "Pet", Value: map[string]any{"name": args["name"], "legs": 4}}, nil
				}},
			}},
			"Pet": {Kind: Object, Fields: map[string]*FieldDef{
				"name": {Type: "String!"},
				"legs": {Type: "Int!"},
			}},
			"Refusal": {Kind: Object, Fields: map[string]*FieldDef{
				"reason": {Type: "String!"},
			}},
			"AdoptResult": {Kind: Union, Possible: []string{"Pet", "Refusal"}},
		},
	}
}

func TestExecute(t *testing.T) {
	cases := []struct {
		name  string
		query string
		op    string
		vars  map[string]any
		want  string
	}{
		{name: "fields and aliases", query: `{ pets { name } first: pet(name: "Rex") { n: name legs } }`,
			want: `{"data":{"pets":[{"name":"Rex"},{"name":"Tweety"}],"first":{"n":"Rex","legs":4}}}`},
		{name: "typename and merged fields", query: `{ __typename pet(name: "Rex") { name } pet(name: "Rex") { legs __typename } }`,
			want: `{"data":{"__typename":"Query","pet":{"name":"Rex","legs":4,"__typename":"Pet"}}}`},
		{name: "variables and null result", query: `query Q($n: String! = "nobody") { pet(name: $n) { name } }`,
			want: `{"data":{"pet":null}}`},
		{name: "variable given", query: `query Q($n: String!) { pet(name: $n) { name } }`, vars: map[string]any{"n": "Tweety"},
			want: `{"data":{"pet":{"name":"Tweety"}}}`},
		{name: "named fragment and directives", query: `query { pets { ...P legs @skip(if: true) } } fragment P on Pet { name @include(if: true) }`,
			want: `{"data":{"pets":[{"name":"Rex"},{"name":"Tweety"}]}}`},
		{name: "union with inline fragments", query: `mutation { a: adopt(name: "Kit") { __typename ... on Pet { name } ... on Refusal { reason } } b: adopt(name: "") { __typename ... on Refusal { reason } } }`,
			want: `{"data":{"a":{"__typename":"Pet","name":"Kit"},"b":{"__typename":"Refusal","reason":"no name"}}}`},
		{name: "operation by name", query: `query A { count(min: 1) } query B { count(min: 2) }`, op: "B",
			want: `{"data":{"count":2}}`},
		{name: "resolver error", query: `{ broken pets { name } }`,
			want: `{"data":{"broken":null,"pets":[{"name":"Rex"},{"name":"Tweety"}]},"errors":[{"message":"boom","locations":[{"line":1,"column":3}],"path":["broken"]}]}`},
		{name: "null in non-null field nulls the parent", query: `{ strict { name } }`,
			want: `{"data":null,"errors":[{"message":"Cannot return null for non-nullable field Query.strict.","locations":[{"line":1,"column":3}],"path":["strict"]}]}`},
		{name: "comments, commas and block strings", query: "# hi\n{ pet(name: \"\"\"\n    Rex\n  \"\"\",) { name, } }",
			want: `{"data":{"pet":{"name":"Rex"}}}`},
		{name: "unknown field", query: `{ pets { name color } }`,
			want: `{"errors":[{"message":"Cannot query field \"color\" on type \"Pet\".","locations":[{"line":1,"column":15}]}]}`},
		{name: "field on a union", query: `mutation { adopt(name: "x") { name } }`,
			want: `{"errors":[{"message":"Cannot query field \"name\" on type \"AdoptResult\". Did you mean to use an inline fragment on \"Pet\"?","locations":[{"line":1,"column":31}]}]}`},
		{name: "missing selection", query: `{ pets }`,
			want: `{"errors":[{"message":"Field \"pets\" of type \"[Pet!]!\" must have a selection of subfields. Did you mean \"pets { ... }\"?","locations":[{"line":1,"column":3}]}]}`},
		{name: "selection on a scalar", query: `{ count { x } }`,
			want: `{"errors":[{"message":"Field \"count\" must not have a selection since type \"Int!\" has no subfields.","locations":[{"line":1,"column":3}]}]}`},
		{name: "missing argument", query: `{ pet { name } }`,
			want: `{"errors":[{"message":"Field \"pet\" argument \"name\" of type \"String!\" is required, but it was not provided.","locations":[{"line":1,"column":3}]}]}`},
		{name: "wrong literal type", query: `{ pet(name: 5) { name } }`,
			want: `{"errors":[{"message":"String cannot represent a non string value: 5","locations":[{"line":1,"column":7}]}]}`},
		{name: "undefined variable", query: `query Q { pet(name: $x) { name } }`,
			want: `{"errors":[{"message":"Variable \"$x\" is not defined by operation \"Q\".","locations":[{"line":1,"column":15}]}]}`},
		{name: "invalid variable value", query: `query ($n: String!) { pet(name: $n) { name } }`, vars: map[string]any{"n": 3.0},
			want: `{"errors":[{"message":"Variable \"$n\" got invalid value 3; String cannot represent a non string value: 3","locations":[{"line":1,"column":8}]}]}`},
		{name: "impossible fragment", query: `{ pets { ... on Refusal { reason } } }`,
			want: `{"errors":[{"message":"Fragment cannot be spread here as objects of type \"Pet\" can never be of type \"Refusal\".","locations":[{"line":1,"column":10}]}]}`},
		{name: "unknown fragment", query: `{ pets { ...Nope } }`,
			want: `{"errors":[{"message":"Unknown fragment \"Nope\".","locations":[{"line":1,"column":10}]}]}`},
		{name: "mutation field in a query", query: `{ adopt(name: "x") { __typename } }`,
			want: `{"errors":[{"message":"Cannot query field \"adopt\" on type \"Query\".","locations":[{"line":1,"column":3}]}]}`},
		{name: "ambiguous operation", query: `query A { count } query B { count }`,
			want: `{"errors":[{"message":"Must provide operation name if query contains multiple operations."}]}`},
		{name: "unknown operation", query: `query A { count }`, op: "Z",
			want: `{"errors":[{"message":"Unknown operation named \"Z\"."}]}`},
		{name: "syntax error", query: `{ pets { name }`,
			want: `{"errors":[{"message":"Syntax Error: Expected Name, found <EOF>.","locations":[{"line":1,"column":16}]}]}`},
		{name: "syntax error on a later line", query: "{\n  pets(: 1) { name }\n}",
			want: `{"errors":[{"message":"Syntax Error: Expected Name, found \":\".","locations":[{"line":2,"column":8}]}]}`},
		{name: "empty document", query: ``,
			want: `{"errors":[{"message":"Syntax Error: Unexpected <EOF>.","locations":[{"line":1,"column":1}]}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := Execute(context.Background(), testSchema(), Request{Query: c.query, OperationName: c.op, Variables: c.vars})
			got, err := resp.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// FuzzParse checks that no input makes the parser or the executor panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{ me { name } }`,
		`query Q($b: String! = "x") { bucketConfig(name: $b) { name tabulatorTables { name config } } }`,
		`mutation { switchRole(roleName: "R") { __typename ... on Me { name } } }`,
		`fragment F on Pet { name } { pets { ...F } }`,
		"{ pet(name: \"\"\"\n  a\n\"\"\") { name } }",
		`{ a: pet(name: "\u00e9\n") @skip(if: false) { legs } }`,
	} {
		f.Add(s)
	}
	schema := testSchema()
	f.Fuzz(func(t *testing.T, q string) {
		resp := Execute(context.Background(), schema, Request{Query: q})
		if _, err := json.Marshal(resp); err != nil {
			t.Fatalf("response of %q cannot be encoded: %v", q, err)
		}
	})
}
