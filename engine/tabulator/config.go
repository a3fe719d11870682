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
// Parse accepts every configuration Quilt's own JSON Schema accepts
// (quiltdata/quilt, shared/schemas/tabulatorTable.yml.json): columns whose
// names repeat or differ only in case, any one-character delimiter, any
// regular expression. What quiltq cannot use of such a configuration is a
// Warning, not an error: a pattern Go's RE2 cannot compile (look-around,
// back-references) leaves the table listed with its columns (the named
// groups are read from the pattern's text) and a warning that quiltq
// cannot evaluate it. What the schema rejects is an error when quiltq
// cannot read the configuration at all (unknown keys, a missing section, a
// format that is not csv or parquet), and a Warning, never silence, when
// quiltq can read it anyway: type names in another case or the Arrow names
// of the first published schema (Utf8, Int64, Float64, ...), a column name
// that starts with "_" (the docs' pattern allows it, the schema's does
// not), a null where the schema wants a boolean, a number where it wants a
// string, an empty pattern.
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
	// Warnings are what quiltq read but Quilt's schema rejects, and what
	// the schema accepts but quiltq cannot use (see the package comment),
	// in the order of the text.
	Warnings []*Error
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
	// Package and Key are the compiled patterns; nil when Go's RE2 cannot
	// compile one (Config.Warnings says so), which leaves the table
	// listable but not evaluable by quiltq.
	Package *regexp.Regexp
	Key     *regexp.Regexp
}

// Evaluable reports whether quiltq can match both patterns itself.
func (s Source) Evaluable() bool { return s.Package != nil && s.Key != nil }

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

// columnName is the union of the JSON Schema's pattern
// (^[A-Za-z][A-Za-z0-9_-]*$) and the docs' one (^[a-z_][a-z0-9_]*$);
// schemaColumnName is the schema's alone.
var (
	columnName       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	schemaColumnName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
)

// schemaTypes are the type names the schema's enum lists, as written.
const schemaTypes = "BOOLEAN TINYINT SMALLINT INT BIGINT FLOAT DOUBLE STRING BINARY DATE TIMESTAMP"

// parsing is one Parse: it gathers the warnings.
type parsing struct {
	warnings []*Error
}

func (p *parsing) warn(line int, path, msg string) {
	p.warnings = append(p.warnings, &Error{Line: line, Path: path, Msg: msg})
}

// Parse reads a Tabulator table configuration. Errors are *Error values
// that name the line and the key at fault; what quiltq reads despite
// Quilt's schema, or cannot use although the schema accepts it, is in the
// Config's Warnings.
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
	p := &parsing{}
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
			c.Schema, err = p.schema(v)
		case "source":
			c.Source, err = p.source(v)
		case "parser":
			c.Parser, err = p.parser(v)
		case "continue_on_error":
			c.ContinueOnError, err = p.boolValue(v, "continue_on_error", false)
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
	p.checkGroups(c, seen["source"])
	c.Warnings = p.warnings
	return c, nil
}

// deref follows YAML aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func (p *parsing) schema(n *yaml.Node) ([]Column, error) {
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
			at := path + "." + k.Value
			switch k.Value {
			case "name":
				s, err := p.stringValue(v, at)
				if err != nil {
					return nil, err
				}
				if len(s) > 255 || !columnName.MatchString(s) {
					return nil, &Error{Line: v.Line, Path: at, Msg: fmt.Sprintf("%q is not a column name (a letter, then letters, digits, _ or -)", s)}
				}
				if !schemaColumnName.MatchString(s) {
					p.warn(v.Line, at, fmt.Sprintf("%q starts with _, which Quilt's schema refuses (a column name starts with a letter)", s))
				}
				col.Name, hasName = s, true
			case "type":
				s, err := p.stringValue(v, at)
				if err != nil {
					return nil, err
				}
				t := canonicalType(s)
				if t == "" {
					return nil, &Error{Line: v.Line, Path: at, Msg: fmt.Sprintf("%q is not a type (want one of %s)", s, schemaTypes)}
				}
				if t != s {
					p.warn(v.Line, at, fmt.Sprintf("%q is read as %s, but Quilt's schema takes only %s as written", s, t, schemaTypes))
				}
				col.Type, hasType = t, true
			case "nullable":
				b, err := p.boolValue(v, at, true)
				if err != nil {
					return nil, err
				}
				col.Nullable = b
			default:
				return nil, &Error{Line: k.Line, Path: at, Msg: "unknown key (want name, type or nullable)"}
			}
		}
		if !hasName {
			return nil, &Error{Line: item.Line, Path: path + ".name", Msg: "is required"}
		}
		if !hasType {
			return nil, &Error{Line: item.Line, Path: path + ".type", Msg: "is required"}
		}
		// The schema lets names repeat, but Athena folds column names to
		// lower case, so Name and name are one column to a query.
		low := strings.ToLower(col.Name)
		if prev, dup := names[low]; dup {
			p.warn(item.Line, path+".name", fmt.Sprintf("%q repeats column %d (%s) for Athena, which ignores case: a query cannot tell them apart", col.Name, prev, cols[prev].Name))
		} else {
			names[low] = i
		}
		cols = append(cols, col)
	}
	return cols, nil
}

func (p *parsing) source(n *yaml.Node) (Source, error) {
	var s Source
	if n.Kind != yaml.MappingNode {
		return s, &Error{Line: n.Line, Path: "source", Msg: "must be a mapping with type, package_name and logical_key"}
	}
	lines := map[string]int{}
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := n.Content[j], deref(n.Content[j+1])
		at := "source." + k.Value
		switch k.Value {
		case "type", "package_name", "logical_key":
		default:
			return s, &Error{Line: k.Line, Path: at, Msg: "unknown key (want type, package_name or logical_key)"}
		}
		val, err := p.stringValue(v, at)
		if err != nil {
			return s, err
		}
		lines[k.Value] = v.Line
		switch k.Value {
		case "type":
			if val != SourceType {
				return s, &Error{Line: v.Line, Path: at, Msg: fmt.Sprintf("%q is not a source type (want %s)", val, SourceType)}
			}
			s.Type = val
		case "package_name":
			s.PackageName = val
			s.Package = p.compile(val, v.Line, at)
		case "logical_key":
			s.LogicalKey = val
			s.Key = p.compile(val, v.Line, at)
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
// and (?P<name>...) alike; a pattern it cannot compile (look-around,
// back-references, possessive quantifiers) is kept as text with a warning:
// the schema accepts any pattern, and Tabulator's engine is not RE2.
func (p *parsing) compile(expr string, line int, path string) *regexp.Regexp {
	if expr == "" {
		p.warn(line, path, "is empty, which Quilt's schema refuses (it matches everything)")
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
		p.warn(line, path, "quiltq cannot evaluate this pattern (Go's RE2 syntax: "+msg+"); the table is listed with the named groups read from its text, but quiltq cannot tell which packages or keys it matches")
		return nil
	}
	return re
}

func (p *parsing) parser(n *yaml.Node) (Parser, error) {
	out := Parser{Delimiter: ','}
	if n.Kind != yaml.MappingNode {
		return out, &Error{Line: n.Line, Path: "parser", Msg: "must be a mapping with format"}
	}
	var delimLine, headerLine int
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := n.Content[j], deref(n.Content[j+1])
		at := "parser." + k.Value
		switch k.Value {
		case "format":
			s, err := p.stringValue(v, at)
			if err != nil {
				return out, err
			}
			switch s {
			case FormatCSV, FormatParquet:
				out.Format = s
			case "tsv":
				return out, &Error{Line: v.Line, Path: at, Msg: `"tsv" is not a format: use format: csv with delimiter: "\t"`}
			default:
				return out, &Error{Line: v.Line, Path: at, Msg: fmt.Sprintf("%q is not a format (want csv or parquet)", s)}
			}
		case "delimiter":
			s, err := p.stringValue(v, at)
			if err != nil {
				return out, err
			}
			// The schema's maxLength and minLength of 1 count characters.
			r, size := utf8.DecodeRuneInString(s)
			if s == "" || size != len(s) || r == utf8.RuneError {
				return out, &Error{Line: v.Line, Path: at, Msg: fmt.Sprintf("%q must be one character", s)}
			}
			if r == '"' || r == '\r' || r == '\n' {
				p.warn(v.Line, at, fmt.Sprintf("%q is one character, as the schema asks, but a CSV file cannot be split on a quote or a line break: expect every file to fail to parse", s))
			}
			out.Delimiter, delimLine = r, v.Line
		case "header":
			b, err := p.boolValue(v, at, false)
			if err != nil {
				return out, err
			}
			out.Header, headerLine = b, v.Line
		default:
			return out, &Error{Line: k.Line, Path: at, Msg: "unknown key (want format, delimiter or header)"}
		}
	}
	switch {
	case out.Format == "":
		return out, &Error{Line: n.Line, Path: "parser.format", Msg: "is required (csv or parquet)"}
	case out.Format == FormatParquet && delimLine > 0:
		return out, &Error{Line: delimLine, Path: "parser.delimiter", Msg: "applies to csv only"}
	case out.Format == FormatParquet && headerLine > 0:
		return out, &Error{Line: headerLine, Path: "parser.header", Msg: "applies to csv only"}
	}
	return out, nil
}

// checkGroups warns of capture-group names that make two columns of one
// name (the schema cannot see them, so it accepts them).
func (p *parsing) checkGroups(c *Config, source *yaml.Node) {
	taken := map[string]string{}
	for _, col := range c.Schema {
		if _, ok := taken[strings.ToLower(col.Name)]; !ok {
			taken[strings.ToLower(col.Name)] = "schema column " + col.Name
		}
	}
	for _, g := range []struct {
		names []string
		path  string
	}{{c.PackageGroups(), "source.package_name"}, {c.KeyGroups(), "source.logical_key"}} {
		for _, name := range g.names {
			low := strings.ToLower(name)
			if what, dup := taken[low]; dup {
				p.warn(source.Line, g.path, fmt.Sprintf("capture group %q has the name of %s: a query cannot tell them apart", name, what))
				continue
			}
			taken[low] = "a capture group of " + g.path
		}
	}
}

// stringValue reads a scalar where the schema wants a string. YAML reads
// 12, true or 1.5 unquoted as a number or a boolean, which the schema
// refuses: quiltq takes the text and warns.
func (p *parsing) stringValue(n *yaml.Node, path string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", &Error{Line: n.Line, Path: path, Msg: "must be a string"}
	}
	if n.Tag != "!!str" {
		p.warn(n.Line, path, fmt.Sprintf("%s is read as the text %q, but YAML reads it as %s, which Quilt's schema refuses: quote it", n.Value, n.Value, strings.TrimPrefix(n.Tag, "!!")))
	}
	return n.Value, nil
}

// boolValue reads a boolean; null is read as absent (the default), with
// a warning, since the schema wants true or false.
func (p *parsing) boolValue(n *yaml.Node, path string, absent bool) (bool, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		p.warn(n.Line, path, fmt.Sprintf("is null, read as %v (the default), but Quilt's schema wants true or false", absent))
		return absent, nil
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		return false, &Error{Line: n.Line, Path: path, Msg: fmt.Sprintf("%q must be true or false", n.Value)}
	}
	return b, nil
}

// PackageGroups names the capture groups of source.package_name, in order.
func (c *Config) PackageGroups() []string { return groups(c.Source.Package, c.Source.PackageName) }

// KeyGroups names the capture groups of source.logical_key, in order.
func (c *Config) KeyGroups() []string { return groups(c.Source.Key, c.Source.LogicalKey) }

// groups names the capture groups of a pattern: from the compiled form
// when RE2 compiled it, else from its text (see textGroups).
func groups(re *regexp.Regexp, text string) []string {
	if re == nil {
		return textGroups(text)
	}
	var out []string
	for _, n := range re.SubexpNames() {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// textGroups finds the named groups of a pattern RE2 cannot compile by
// reading its text: (?<name>...), (?P<name>...) and (?'name'...), the
// spellings of PCRE, Python, Java and .NET, outside character classes and
// escapes. A look-behind, (?<= or (?<!, is no group. Names are letters,
// digits and _, not starting with a digit, as every one of those engines
// requires.
func textGroups(expr string) []string {
	var out []string
	inClass := false
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; {
		case c == '\\':
			i++ // the escaped character is a literal
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
			// A ] first in the class is a literal, as are [^]...
			if i+1 < len(expr) && expr[i+1] == '^' {
				i++
			}
			if i+1 < len(expr) && expr[i+1] == ']' {
				i++
			}
		case c == '(' && strings.HasPrefix(expr[i:], "(?"):
			rest := expr[i+2:]
			var open, close string
			switch {
			case strings.HasPrefix(rest, "P<"):
				open, close = "P<", ">"
			case strings.HasPrefix(rest, "<"):
				open, close = "<", ">"
			case strings.HasPrefix(rest, "'"):
				open, close = "'", "'"
			default:
				continue
			}
			name, _, ok := strings.Cut(rest[len(open):], close)
			if ok && groupName(name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// groupName reports whether s is a capture group's name: a letter or _,
// then letters, digits or _.
func groupName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
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
