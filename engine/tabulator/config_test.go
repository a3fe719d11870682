package tabulator

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

const sail = `# Salmon quantifications
schema:
  - name: name
    type: STRING
    nullable: false
  - name: length
    type: int
  - name: tpm
    type: Float64
source:
  type: quilt-packages
  package_name: ^nf-core/rnaseq-(?<run_date>\d{4}-\d{2}-\d{2})$
  logical_key: ^salmon/(?P<sample_id>SRR\d+)/quant\.sf$
parser:
  format: csv
  delimiter: "\t"
  header: true
continue_on_error: true
`

func TestParseGood(t *testing.T) {
	c, err := Parse(sail)
	if err != nil {
		t.Fatal(err)
	}
	want := []Column{{"name", "STRING", false}, {"length", "INT", true}, {"tpm", "DOUBLE", true}}
	if !slices.Equal(c.Schema, want) {
		t.Errorf("schema %+v, want %+v", c.Schema, want)
	}
	if c.Parser != (Parser{Format: "csv", Delimiter: '\t', Header: true}) || !c.ContinueOnError {
		t.Errorf("parser %+v continue_on_error %v", c.Parser, c.ContinueOnError)
	}
	if !c.Source.Package.MatchString("nf-core/rnaseq-2024-05-02") || c.Source.Key.MatchString("salmon/x/quant.sf") {
		t.Errorf("source patterns do not match as written")
	}
	var got []string
	for _, col := range c.Columns() {
		got = append(got, col.Name+":"+col.Type)
	}
	wantCols := []string{"name:varchar", "length:integer", "tpm:double", "run_date:varchar", "sample_id:varchar",
		"$pkg_name:varchar", "$logical_key:varchar", "$physical_key:varchar", "$top_hash:varchar", "$issue:varchar"}
	if !slices.Equal(got, wantCols) {
		t.Errorf("Columns\n got %v\nwant %v", got, wantCols)
	}

	min, err := Parse("schema: [{name: x, type: BIGINT}]\nsource: {type: quilt-packages, package_name: '.*', logical_key: '.*'}\nparser: {format: parquet}\n")
	if err != nil {
		t.Fatal(err)
	}
	if min.Parser.Delimiter != ',' || min.Parser.Header || min.ContinueOnError || !min.Schema[0].Nullable {
		t.Errorf("defaults: %+v %+v", min.Parser, min.Schema)
	}
	if n := len(min.Columns()); n != 6 {
		t.Errorf("%d columns, want 6", n)
	}
}

func TestAthenaType(t *testing.T) {
	for in, want := range map[string]string{"STRING": "varchar", "utf8": "varchar", "INT": "integer", "FLOAT": "real",
		"Int64": "bigint", "BINARY": "varbinary", "Timestamp(Millisecond)": "timestamp", "DECIMAL": ""} {
		if got := AthenaType(in); got != want {
			t.Errorf("AthenaType(%q) = %q, want %q", in, got, want)
		}
	}
}

// good is a valid config whose lines the bad cases replace.
const good = `schema:
  - name: a
    type: STRING
source:
  type: quilt-packages
  package_name: ^p/
  logical_key: \.csv$
parser:
  format: csv
`

// TestParseAcceptedWithWarnings: what Quilt's JSON Schema accepts is
// accepted, with a warning where quiltq cannot use it; what quiltq reads
// although the schema rejects it is accepted with a warning, never
// silently.
func TestParseAcceptedWithWarnings(t *testing.T) {
	cases := []struct {
		name, from, to string
		warning        string   // a warning must say this
		columns        []string // the first columns, when it matters
		evaluable      bool
	}{
		// The schema accepts these.
		{name: "names differing in case", from: "    type: STRING\n", to: "    type: STRING\n  - name: A\n    type: INT\n",
			warning: `line 4: schema[1].name: "A" repeats column 0 (a) for Athena, which ignores case`, columns: []string{"a", "A"}, evaluable: true},
		{name: "names repeated", from: "    type: STRING\n", to: "    type: STRING\n  - name: a\n    type: INT\n",
			warning: `"a" repeats column 0 (a)`, columns: []string{"a", "a"}, evaluable: true},
		{name: "look-ahead", from: `logical_key: \.csv$`, to: `logical_key: (?<sample>[^/]+)/(?=x)\.csv$`,
			warning: "line 7: source.logical_key: quiltq cannot evaluate this pattern (Go's RE2 syntax: invalid or unsupported Perl syntax: `(?=`)",
			columns: []string{"a", "sample", "$pkg_name"}},
		{name: "look-behind and a back-reference", from: `package_name: ^p/`, to: `package_name: (?<=x)(?P<team>[a-z]+)/(?'run'\d+)\1`,
			warning: "source.package_name: quiltq cannot evaluate this pattern", columns: []string{"a", "team", "run", "$pkg_name"}},
		{name: "group named as a column", from: "package_name: ^p/", to: "package_name: ^(?<A>p)/",
			warning: `source.package_name: capture group "A" has the name of schema column a`, columns: []string{"a", "A"}, evaluable: true},
		{name: "pipe delimiter", from: "format: csv\n", to: "format: csv\n  delimiter: '|'\n", evaluable: true},
		{name: "non-ASCII delimiter", from: "format: csv\n", to: "format: csv\n  delimiter: '§'\n", evaluable: true},
		{name: "quote delimiter", from: "format: csv\n", to: "format: csv\n  delimiter: '\"'\n",
			warning: `line 10: parser.delimiter: "\"" is one character, as the schema asks, but a CSV file cannot be split on a quote`, evaluable: true},
		// The schema rejects these; quiltq reads them and says so.
		{name: "lower-case type", from: "type: STRING", to: "type: string",
			warning: `line 3: schema[0].type: "string" is read as STRING, but Quilt's schema takes only BOOLEAN`, evaluable: true},
		{name: "Arrow type", from: "type: STRING", to: "type: Utf8", warning: `"Utf8" is read as STRING`, evaluable: true},
		{name: "underscore name", from: "name: a", to: "name: _a", warning: `line 2: schema[0].name: "_a" starts with _, which Quilt's schema refuses`, evaluable: true},
		{name: "numeric name", from: "format: csv\n", to: "format: csv\n  delimiter: 1\n",
			warning: `line 10: parser.delimiter: 1 is read as the text "1", but YAML reads it as int`, evaluable: true},
		{name: "null nullable", from: "    type: STRING\n", to: "    type: STRING\n    nullable: null\n",
			warning: "line 4: schema[0].nullable: is null, read as true (the default), but Quilt's schema wants true or false", evaluable: true},
		{name: "empty pattern", from: `logical_key: \.csv$`, to: `logical_key: ""`,
			warning: "line 7: source.logical_key: is empty, which Quilt's schema refuses", evaluable: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := strings.Replace(good, c.from, c.to, 1)
			if text == good {
				t.Fatalf("replacing %q changed nothing", c.from)
			}
			cfg, err := Parse(text)
			if err != nil {
				t.Fatalf("Parse:\n%s\ngot %v, want it accepted", text, err)
			}
			var warnings []string
			for _, w := range cfg.Warnings {
				warnings = append(warnings, w.Error())
			}
			switch {
			case c.warning == "" && len(warnings) > 0:
				t.Errorf("got warnings %q, want none", warnings)
			case c.warning != "" && !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, c.warning) }):
				t.Errorf("got warnings %q, want one saying %q", warnings, c.warning)
			}
			if cfg.Source.Evaluable() != c.evaluable {
				t.Errorf("Evaluable() = %v, want %v", cfg.Source.Evaluable(), c.evaluable)
			}
			cols := cfg.Columns()
			for i, want := range c.columns {
				if i >= len(cols) || cols[i].Name != want {
					t.Errorf("columns %v, want them to start with %v", cols, c.columns)
					break
				}
			}
			// Listed carries the warnings with the columns.
			l := Listed("t", text)
			if l.Error != "" || len(l.Columns) != len(cols) || !slices.Equal(l.Warnings, warnings) {
				t.Errorf("Listed: %+v, want the columns and warnings %q", l, warnings)
			}
		})
	}
}

func TestTextGroups(t *testing.T) {
	for expr, want := range map[string][]string{
		`(?<a>x)(?P<b>y)(?'c'z)`:        {"a", "b", "c"},
		`(?<=x)(?<!y)(?<d>z)`:           {"d"},
		`\(?<e>x)[(?<f>y)](?<g>z)`:      {"g"},
		`[]](?<h>x)[^]](?<i>y)`:         {"h", "i"},
		`(?<1x>a)(?<x-y>b)(?<_ok1>c)(?`: {"_ok1"},
		``:                              nil,
	} {
		if got := textGroups(expr); !slices.Equal(got, want) {
			t.Errorf("textGroups(%q) = %q, want %q", expr, got, want)
		}
	}
}

func TestParseBad(t *testing.T) {
	cases := []struct {
		name, from, to, want string
	}{
		{"empty", good, "", "the configuration is empty"},
		{"not a mapping", good, "- a\n- b\n", "line 1: the configuration must be a mapping"},
		{"yaml syntax", "  type: STRING\n", "  type: [STRING\n", "line 2: did not find expected ',' or ']'"},
		{"unknown top key", "parser:", "parsers:", `line 8: parsers: unknown key (want schema, source, parser or continue_on_error)`},
		{"missing parser", "parser:\n  format: csv\n", "", "parser: is required"},
		{"empty schema", "schema:\n  - name: a\n    type: STRING\n", "schema: []\n", "line 1: schema: needs at least one column"},
		{"bad type", "type: STRING", "type: VARCHAR", `line 3: schema[0].type: "VARCHAR" is not a type (want one of BOOLEAN`},
		{"bad name", "name: a", "name: 1a", `line 2: schema[0].name: "1a" is not a column name`},
		{"name not scalar", "name: a", "name: [a]", `line 2: schema[0].name: must be a string`},
		{"null name", "name: a", "name: null", `line 2: schema[0].name: must be a string`},
		{"no type", "    type: STRING\n", "", "line 2: schema[0].type: is required"},
		{"column key", "    type: STRING\n", "    type: STRING\n    size: 3\n", "line 4: schema[0].size: unknown key (want name, type or nullable)"},
		{"nullable not bool", "    type: STRING\n", "    type: STRING\n    nullable: maybe\n", `line 4: schema[0].nullable: "maybe" must be true or false`},
		{"source type", "type: quilt-packages", "type: quilt", `line 5: source.type: "quilt" is not a source type (want quilt-packages)`},
		{"no logical_key", "  logical_key: \\.csv$\n", "", "source.logical_key: is required"},
		{"tsv", "format: csv", "format: tsv", `line 9: parser.format: "tsv" is not a format: use format: csv with delimiter: "\t"`},
		{"json", "format: csv", "format: json", `line 9: parser.format: "json" is not a format (want csv or parquet)`},
		{"long delimiter", "format: csv\n", "format: csv\n  delimiter: ';;'\n", `line 10: parser.delimiter: ";;" must be one character`},
		{"empty delimiter", "format: csv\n", "format: csv\n  delimiter: ''\n", `line 10: parser.delimiter: "" must be one character`},
		{"unknown source key", "  logical_key: \\.csv$\n", "  logical_key: \\.csv$\n  bucket: b\n", "line 8: source.bucket: unknown key"},
		{"parquet header", "format: csv\n", "format: parquet\n  header: true\n", "line 10: parser.header: applies to csv only"},
		{"skip_rows", "format: csv\n", "format: csv\n  skip_rows: 1\n", "line 10: parser.skip_rows: unknown key (want format, delimiter or header)"},
		{"continue_on_error", "format: csv\n", "format: csv\ncontinue_on_error: yes please\n", `line 10: continue_on_error: "yes please" must be true or false`},
		{"twice", "format: csv\n", "format: csv\nschema: []\n", "line 10: schema: is given twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := strings.Replace(good, c.from, c.to, 1)
			if text == good && c.from != "" {
				t.Fatalf("replacing %q changed nothing", c.from)
			}
			_, err := Parse(text)
			var e *Error
			if err == nil || !errors.As(err, &e) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Parse:\n%s\ngot  %v\nwant %s", text, err, c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sail)
	f.Add(good)
	f.Add(strings.Replace(good, `logical_key: \.csv$`, `logical_key: (?<=a)(?<k>[^/]+)\1`, 1))
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse(text)
		if err != nil {
			if c != nil {
				t.Fatalf("a config and an error")
			}
			return
		}
		if len(c.Schema) == 0 || c.Source.Type == "" || c.Parser.Format == "" {
			t.Fatalf("accepted an incomplete config: %+v", c)
		}
		if !c.Source.Evaluable() {
			warned := false
			for _, w := range c.Warnings {
				warned = warned || strings.Contains(w.Msg, "quiltq cannot evaluate this pattern")
			}
			if !warned {
				t.Fatalf("a pattern RE2 cannot compile, accepted without a warning: %+v", c.Source)
			}
		}
		for _, col := range c.Columns() {
			if col.Type == "" || col.Name == "" {
				t.Fatalf("column %+v typeless or nameless", col)
			}
		}
	})
}
