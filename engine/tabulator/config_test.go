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
		{"no type", "    type: STRING\n", "", "line 2: schema[0].type: is required"},
		{"column key", "    type: STRING\n", "    type: STRING\n    size: 3\n", "line 4: schema[0].size: unknown key (want name, type or nullable)"},
		{"nullable not bool", "    type: STRING\n", "    type: STRING\n    nullable: maybe\n", `line 4: schema[0].nullable: "maybe" must be true or false`},
		{"duplicate column", "    type: STRING\n", "    type: STRING\n  - name: A\n    type: INT\n", `line 4: schema[1].name: "A" repeats column 0 (Athena ignores case)`},
		{"source type", "type: quilt-packages", "type: quilt", `line 5: source.type: "quilt" is not a source type (want quilt-packages)`},
		{"bad regex", `logical_key: \.csv$`, `logical_key: (?=x)\.csv$`, "line 7: source.logical_key: bad regular expression: invalid or unsupported Perl syntax: `(?=`"},
		{"no logical_key", "  logical_key: \\.csv$\n", "", "source.logical_key: is required"},
		{"group clash", "package_name: ^p/", "package_name: ^(?<a>p)/", `source.package_name: capture group "a" has the name of a schema column`},
		{"tsv", "format: csv", "format: tsv", `line 9: parser.format: "tsv" is not a format: use format: csv with delimiter: "\t"`},
		{"json", "format: csv", "format: json", `line 9: parser.format: "json" is not a format (want csv or parquet)`},
		{"long delimiter", "format: csv\n", "format: csv\n  delimiter: ';;'\n", `line 10: parser.delimiter: ";;" must be one character`},
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
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse(text)
		if err != nil {
			if c != nil {
				t.Fatalf("a config and an error")
			}
			return
		}
		if len(c.Schema) == 0 || c.Source.Package == nil || c.Source.Key == nil || c.Parser.Format == "" {
			t.Fatalf("accepted an incomplete config: %+v", c)
		}
		cols := c.Columns()
		seen := map[string]bool{}
		for _, col := range cols {
			if col.Type == "" || seen[strings.ToLower(col.Name)] {
				t.Fatalf("column %+v typeless or repeated in %v", col, cols)
			}
			seen[strings.ToLower(col.Name)] = true
		}
	})
}
