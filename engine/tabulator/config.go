// Package tabulator reads Quilt Tabulator tables: the YAML configuration
// that GraphQL bucketConfig.tabulatorTables returns for each table, and the
// columns a query of that table sees, the implicit `$` columns included.
//
// A Tabulator table turns files inside Quilt packages into one Athena table
// of the data catalog quilt-<stack>-tabulator, whose databases are bucket
// names. Its configuration says which packages and which of their logical
// keys to read (two regular expressions whose named groups become columns),
// how to parse each file (CSV with a delimiter and an optional header, or
// Parquet) and what columns the files hold.
//
// Parse is strict about structure (unknown keys, wrong types, bad regular
// expressions are errors that name the line) and lenient about spelling
// where Quilt itself has been: type names are case-insensitive and the
// Arrow names of the first published schema (Utf8, Int64, Float64, ...) are
// accepted for the SQL-style names of the current one.
package tabulator

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/quiltq/quiltq/engine"
)

// The columns Tabulator adds to every table, after the schema columns and
// the named capture groups. They must be double-quoted in SQL.
const (
	ColPkgName     = "$pkg_name"     // the package name
	ColLogicalKey  = "$logical_key"  // the entry's logical key
	ColPhysicalKey = "$physical_key" // the entry's s3:// physical key
	ColTopHash     = "$top_hash"     // the package revision's top hash (latest only)
	ColIssue       = "$issue"        // what went wrong with the file (continue_on_error; stacks ≥ 1.58)
)

// SourceType is the only source type Tabulator knows.
const SourceType = "quilt-packages"

// The two parser formats.
const (
	FormatCSV     = "csv"
	FormatParquet = "parquet"
)

// Config is one parsed Tabulator table configuration.
type Config struct {
	Schema []Column
	Source Source
	Parser Parser
	// ContinueOnError turns a file that cannot be read into a row whose
	// $issue says why, instead of failing the query.
	ContinueOnError bool
}

// Column is one schema column. Type is the canonical upper-case Tabulator
// type (BOOLEAN TINYINT SMALLINT INT BIGINT FLOAT DOUBLE STRING BINARY DATE
// TIMESTAMP), whatever spelling the YAML used.
type Column struct {
	Name     string
	Type     string
	Nullable bool // true unless the YAML says nullable: false
}

// Source selects the files of the table: entries of packages whose name
// matches PackageName and whose logical key matches LogicalKey. Both are
// searched, not anchored (write ^ and $ to anchor), as Quilt's examples do.
type Source struct {
	Type        string
	PackageName string
	LogicalKey  string
	Package     *regexp.Regexp // compiled PackageName
	Key         *regexp.Regexp // compiled LogicalKey
}

// Parser says how each file is read. Delimiter and Header apply to CSV.
type Parser struct {
	Format    string
	Delimiter rune // ',' unless the YAML says otherwise
	Header    bool // the first line of each file names its columns and is skipped
}

// Error is a configuration error: where it is and what is wrong.
type Error struct {
	Line int    // 1-based line in the YAML text; 0 when unknown
	Path string // e.g. "schema[2].type"; empty for the whole document
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// canonicalType maps every accepted spelling of a type to the canonical
// Tabulator type, or "" when t is not a type. (A switch rather than a map:
// the package keeps no mutable state.)
func canonicalType(t string) string {
	switch u := strings.ToUpper(strings.TrimSpace(t)); u {
	case "BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE", "STRING", "BINARY", "DATE", "TIMESTAMP":
		return u
	// The Arrow names of the first published schema.
	case "UTF8":
		return "STRING"
	case "INT8":
		return "TINYINT"
	case "INT16", "UINT8":
		return "SMALLINT"
	case "INT32", "UINT16":
		return "INT"
	case "INT64", "UINT32", "UINT64":
		return "BIGINT"
	case "FLOAT16", "FLOAT32":
		return "FLOAT"
	case "FLOAT64":
		return "DOUBLE"
	case "DATE32", "DATE64":
		return "DATE"
	case "TIMESTAMP(SECOND)", "TIMESTAMP(MILLISECOND)", "TIMESTAMP(MICROSECOND)", "TIMESTAMP(NANOSECOND)":
		return "TIMESTAMP"
	}
	return ""
}

// AthenaType is the Athena (Trino) type a query sees for a Tabulator type
// (any accepted spelling), or "" if t is not one.
func AthenaType(t string) string {
	switch canonicalType(t) {
	case "BOOLEAN":
		return "boolean"
	case "TINYINT":
		return "tinyint"
	case "SMALLINT":
		return "smallint"
	case "INT":
		return "integer"
	case "BIGINT":
		return "bigint"
	case "FLOAT":
		return "real"
	case "DOUBLE":
		return "double"
	case "STRING":
		return "varchar"
	case "BINARY":
		return "varbinary"
	case "DATE":
		return "date"
	case "TIMESTAMP":
		return "timestamp"
	}
	return ""
}

// columnName is the union of the JSON Schema's pattern and the docs' one.
var columnName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// Parse reads a Tabulator table configuration. Errors are *Error values
// that name the line and the key at fault.
func Parse(yamlText string) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(yamlText), &doc); err != nil {
		// yaml.v3's text already says "yaml: line N: ...".
		return nil, &Error{Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{Msg: "the configuration is empty"}
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil, &Error{Line: root.Line, Msg: "the configuration must be a mapping with schema, source and parser"}
	}
	c := &Config{Parser: Parser{Delimiter: ','}}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], deref(root.Content[i+1])
		if _, dup := seen[k.Value]; dup {
			return nil, &Error{Line: k.Line, Path: k.Value, Msg: "is given twice"}
		}
		seen[k.Value] = v
		var err error
		switch k.Value {
		case "schema":
			c.Schema, err = parseSchema(v)
		case "source":
			c.Source, err = parseSource(v)
		case "parser":
			c.Parser, err = parseParser(v)
		case "continue_on_error":
			c.ContinueOnError, err = boolValue(v, "continue_on_error", false)
		default:
			err = &Error{Line: k.Line, Path: k.Value, Msg: "unknown key (want schema, source, parser or continue_on_error)"}
		}
		if err != nil {
			return nil, err
		}
	}
	for _, key := range []string{"schema", "source", "parser"} {
		if seen[key] == nil {
			return nil, &Error{Line: root.Line, Path: key, Msg: "is required"}
		}
	}
	if err := c.checkGroups(seen["source"]); err != nil {
		return nil, err
	}
	return c, nil
}

// deref follows YAML aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func parseSchema(n *yaml.Node) ([]Column, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, &Error{Line: n.Line, Path: "schema", Msg: "must be a list of columns"}
	}
	if len(n.Content) == 0 {
		return nil, &Error{Line: n.Line, Path: "schema", Msg: "needs at least one column"}
	}
	cols := make([]Column, 0, len(n.Content))
	names := map[string]int{}
	for i, item := range n.Content {
		item = deref(item)
		path := fmt.Sprintf("schema[%d]", i)
		if item.Kind != yaml.MappingNode {
			return nil, &Error{Line: item.Line, Path: path, Msg: "must be a mapping with name and type"}
		}
		col := Column{Nullable: true}
		var hasName, hasType bool
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := item.Content[j], deref(item.Content[j+1])
			p := path + "." + k.Value
			switch k.Value {
			case "name":
				s, err := stringValue(v, p)
				if err != nil {
					return nil, err
				}
				if len(s) > 255 || !columnName.MatchString(s) {
					return nil, &Error{Line: v.Line, Path: p, Msg: fmt.Sprintf("%q is not a column name (a letter or _, then letters, digits, _ or -)", s)}
				}
				col.Name, hasName = s, true
			case "type":
				s, err := stringValue(v, p)
				if err != nil {
					return nil, err
				}
				t := canonicalType(s)
				if t == "" {
					return nil, &Error{Line: v.Line, Path: p, Msg: fmt.Sprintf("%q is not a type (want one of BOOLEAN TINYINT SMALLINT INT BIGINT FLOAT DOUBLE STRING BINARY DATE TIMESTAMP)", s)}
				}
				col.Type, hasType = t, true
			case "nullable":
				b, err := boolValue(v, p, true)
				if err != nil {
					return nil, err
				}
				col.Nullable = b
			default:
				return nil, &Error{Line: k.Line, Path: p, Msg: "unknown key (want name, type or nullable)"}
			}
		}
		if !hasName {
			return nil, &Error{Line: item.Line, Path: path + ".name", Msg: "is required"}
		}
		if !hasType {
			return nil, &Error{Line: item.Line, Path: path + ".type", Msg: "is required"}
		}
		// Athena folds column names to lower case, so Name and name clash.
		low := strings.ToLower(col.Name)
		if prev, dup := names[low]; dup {
			return nil, &Error{Line: item.Line, Path: path + ".name", Msg: fmt.Sprintf("%q repeats column %d (Athena ignores case)", col.Name, prev)}
		}
		names[low] = i
		cols = append(cols, col)
	}
	return cols, nil
}

func parseSource(n *yaml.Node) (Source, error) {
	var s Source
	if n.Kind != yaml.MappingNode {
		return s, &Error{Line: n.Line, Path: "source", Msg: "must be a mapping with type, package_name and logical_key"}
	}
	lines := map[string]int{}
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := n.Content[j], deref(n.Content[j+1])
		p := "source." + k.Value
		val, err := stringValue(v, p)
		if err != nil && (k.Value == "type" || k.Value == "package_name" || k.Value == "logical_key") {
			return s, err
		}
		lines[k.Value] = v.Line
		switch k.Value {
		case "type":
			if val != SourceType {
				return s, &Error{Line: v.Line, Path: p, Msg: fmt.Sprintf("%q is not a source type (want %s)", val, SourceType)}
			}
			s.Type = val
		case "package_name":
			s.PackageName = val
			if s.Package, err = compile(val, v.Line, p); err != nil {
				return s, err
			}
		case "logical_key":
			s.LogicalKey = val
			if s.Key, err = compile(val, v.Line, p); err != nil {
				return s, err
			}
		default:
			return s, &Error{Line: k.Line, Path: p, Msg: "unknown key (want type, package_name or logical_key)"}
		}
	}
	for _, key := range []string{"type", "package_name", "logical_key"} {
		if _, ok := lines[key]; !ok {
			return s, &Error{Line: n.Line, Path: "source." + key, Msg: "is required"}
		}
	}
	return s, nil
}

// compile compiles a source pattern. Go's RE2 syntax accepts (?<name>...)
// and (?P<name>...) alike; what it lacks (look-around, back-references) is
// reported as such.
func compile(expr string, line int, path string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
		return nil, &Error{Line: line, Path: path, Msg: "bad regular expression: " + msg}
	}
	return re, nil
}

func parseParser(n *yaml.Node) (Parser, error) {
	p := Parser{Delimiter: ','}
	if n.Kind != yaml.MappingNode {
		return p, &Error{Line: n.Line, Path: "parser", Msg: "must be a mapping with format"}
	}
	var delimLine, headerLine int
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := n.Content[j], deref(n.Content[j+1])
		path := "parser." + k.Value
		switch k.Value {
		case "format":
			s, err := stringValue(v, path)
			if err != nil {
				return p, err
			}
			switch s {
			case FormatCSV, FormatParquet:
				p.Format = s
			case "tsv":
				return p, &Error{Line: v.Line, Path: path, Msg: `"tsv" is not a format: use format: csv with delimiter: "\t"`}
			default:
				return p, &Error{Line: v.Line, Path: path, Msg: fmt.Sprintf("%q is not a format (want csv or parquet)", s)}
			}
		case "delimiter":
			s, err := stringValue(v, path)
			if err != nil {
				return p, err
			}
			r, size := utf8.DecodeRuneInString(s)
			if s == "" || size != len(s) || r == utf8.RuneError || r == '"' || r == '\r' || r == '\n' {
				return p, &Error{Line: v.Line, Path: path, Msg: fmt.Sprintf("%q must be one character (not a quote or a line break)", s)}
			}
			p.Delimiter, delimLine = r, v.Line
		case "header":
			b, err := boolValue(v, path, false)
			if err != nil {
				return p, err
			}
			p.Header, headerLine = b, v.Line
		default:
			return p, &Error{Line: k.Line, Path: path, Msg: "unknown key (want format, delimiter or header)"}
		}
	}
	switch {
	case p.Format == "":
		return p, &Error{Line: n.Line, Path: "parser.format", Msg: "is required (csv or parquet)"}
	case p.Format == FormatParquet && delimLine > 0:
		return p, &Error{Line: delimLine, Path: "parser.delimiter", Msg: "applies to csv only"}
	case p.Format == FormatParquet && headerLine > 0:
		return p, &Error{Line: headerLine, Path: "parser.header", Msg: "applies to csv only"}
	}
	return p, nil
}

// checkGroups refuses capture-group names that would make two columns of
// the same name.
func (c *Config) checkGroups(source *yaml.Node) error {
	taken := map[string]string{}
	for _, col := range c.Schema {
		taken[strings.ToLower(col.Name)] = "a schema column"
	}
	for _, g := range []struct {
		re   *regexp.Regexp
		path string
	}{{c.Source.Package, "source.package_name"}, {c.Source.Key, "source.logical_key"}} {
		for _, name := range g.re.SubexpNames() {
			if name == "" {
				continue
			}
			low := strings.ToLower(name)
			if what, dup := taken[low]; dup {
				return &Error{Line: source.Line, Path: g.path, Msg: fmt.Sprintf("capture group %q has the name of %s", name, what)}
			}
			taken[low] = "a capture group of " + g.path
		}
	}
	return nil
}

func stringValue(n *yaml.Node, path string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", &Error{Line: n.Line, Path: path, Msg: "must be a string"}
	}
	return n.Value, nil
}

func boolValue(n *yaml.Node, path string, absent bool) (bool, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return absent, nil
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		return false, &Error{Line: n.Line, Path: path, Msg: fmt.Sprintf("%q must be true or false", n.Value)}
	}
	return b, nil
}

// PackageGroups names the capture groups of source.package_name, in order.
func (c *Config) PackageGroups() []string { return groups(c.Source.Package) }

// KeyGroups names the capture groups of source.logical_key, in order.
func (c *Config) KeyGroups() []string { return groups(c.Source.Key) }

func groups(re *regexp.Regexp) []string {
	if re == nil {
		return nil
	}
	var out []string
	for _, n := range re.SubexpNames() {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Columns is the full column list a query of the table sees, in this
// order: the schema columns as declared; the named capture groups of
// source.package_name, then those of source.logical_key, in the order they
// appear (varchar); then $pkg_name, $logical_key, $physical_key, $top_hash
// and $issue (varchar). Types are Athena's (varchar, integer, bigint, real,
// double, boolean, date, timestamp, ...).
func (c *Config) Columns() []engine.Column {
	var cols []engine.Column
	for _, col := range c.Schema {
		cols = append(cols, engine.Column{Name: col.Name, Type: AthenaType(col.Type)})
	}
	for _, g := range append(c.PackageGroups(), c.KeyGroups()...) {
		cols = append(cols, engine.Column{Name: g, Type: "varchar"})
	}
	for _, n := range []string{ColPkgName, ColLogicalKey, ColPhysicalKey, ColTopHash, ColIssue} {
		cols = append(cols, engine.Column{Name: n, Type: "varchar"})
	}
	return cols
}
