// Package gql is a small GraphQL server for the sandbox registry: a parser
// for executable documents (operations with names and variable
// definitions, fields, aliases, arguments with literals and variables,
// nested selections, inline fragments, named fragments, @skip/@include
// and __typename), a validator that reports errors in graphql-js's words
// (the reference implementation whose Python port serves Quilt's
// registry), and an executor over a schema described with Go values.
// Introspection (__schema, __type) is not supported.
package gql

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Location is a line and column (1-based) in the query text.
type Location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Document is a parsed executable document.
type Document struct {
	Operations []*Operation
	Fragments  map[string]*Fragment
}

// Operation is a query or a mutation.
type Operation struct {
	Kind      string // "query" or "mutation"
	Name      string
	Variables []*VariableDef
	Selection []Selection
	Loc       Location
}

// VariableDef declares an operation variable.
type VariableDef struct {
	Name    string
	Type    string // e.g. "String!", "[String!]"
	Default Value  // nil when there is none
	Loc     Location
}

// Fragment is a named fragment definition.
type Fragment struct {
	Name, TypeCondition string
	Selection           []Selection
	Loc                 Location
}

// Selection is a *Field, an *InlineFragment or a *FragmentSpread.
type Selection interface{ location() Location }

// Field selects one field, with its alias, arguments and sub-selection.
type Field struct {
	Alias, Name string
	Arguments   []*Argument
	Directives  []*Directive
	Selection   []Selection
	Loc         Location
}

// ResponseKey is the field's key in the result: its alias or its name.
func (f *Field) ResponseKey() string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

// InlineFragment is "... on Type { ... }" (TypeCondition may be empty).
type InlineFragment struct {
	TypeCondition string
	Directives    []*Directive
	Selection     []Selection
	Loc           Location
}

// FragmentSpread is "...Name".
type FragmentSpread struct {
	Name       string
	Directives []*Directive
	Loc        Location
}

// Argument is one name: value pair.
type Argument struct {
	Name  string
	Value Value
	Loc   Location
}

// Directive is @name(args).
type Directive struct {
	Name      string
	Arguments []*Argument
	Loc       Location
}

func (f *Field) location() Location          { return f.Loc }
func (f *InlineFragment) location() Location { return f.Loc }
func (f *FragmentSpread) location() Location { return f.Loc }

// Value is a literal or a variable reference: *Variable, IntValue,
// FloatValue, StringValue, BoolValue, NullValue, EnumValue, ListValue or
// ObjectValue.
type Value interface{}

// Variable is $name.
type Variable struct{ Name string }

// Literal kinds.
type (
	IntValue    string
	FloatValue  string
	StringValue string
	BoolValue   bool
	NullValue   struct{}
	EnumValue   string
	ListValue   []Value
	ObjectValue []ObjectField
)

// ObjectField is one field of an input object literal.
type ObjectField struct {
	Name  string
	Value Value
}

// SyntaxError is a parse failure, worded as graphql-js words it.
type SyntaxError struct {
	Message string
	Loc     Location
}

func (e *SyntaxError) Error() string { return e.Message }

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokPunct
	tokName
	tokInt
	tokFloat
	tokString
)

type token struct {
	kind  tokenKind
	value string
	loc   Location
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "<EOF>"
	case tokPunct:
		return `"` + t.value + `"`
	case tokName:
		return `Name "` + t.value + `"`
	case tokInt:
		return `Int "` + t.value + `"`
	case tokFloat:
		return `Float "` + t.value + `"`
	default:
		return "String " + strconv.Quote(t.value)
	}
}

type lexer struct {
	src       string
	pos       int
	line, col int // of pos
}

func (l *lexer) errorf(loc Location, format string, args ...any) *SyntaxError {
	return &SyntaxError{Message: "Syntax Error: " + fmt.Sprintf(format, args...), Loc: loc}
}

func (l *lexer) advance(n int) {
	for i := 0; i < n && l.pos < len(l.src); i++ {
		if l.src[l.pos] == '\n' {
			l.line++
			l.col = 1
		} else {
			l.col++
		}
		l.pos++
	}
}

func (l *lexer) next() (token, error) {
	// Skip ignored tokens: white space, line terminators, commas, comments.
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' {
			l.advance(1)
		} else if strings.HasPrefix(l.src[l.pos:], "\ufeff") {
			l.pos += 3
		} else if c == '#' {
			for l.pos < len(l.src) && l.src[l.pos] != '\n' && l.src[l.pos] != '\r' {
				l.advance(1)
			}
		} else {
			break
		}
	}
	loc := Location{l.line, l.col}
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, loc: loc}, nil
	}
	c := l.src[l.pos]
	switch {
	case strings.HasPrefix(l.src[l.pos:], "..."):
		l.advance(3)
		return token{tokPunct, "...", loc}, nil
	case strings.IndexByte("!$&():=@[]{}|", c) >= 0:
		l.advance(1)
		return token{tokPunct, string(c), loc}, nil
	case c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z':
		start := l.pos
		for l.pos < len(l.src) && isNameChar(l.src[l.pos]) {
			l.advance(1)
		}
		return token{tokName, l.src[start:l.pos], loc}, nil
	case c == '-' || '0' <= c && c <= '9':
		return l.number(loc)
	case c == '"':
		if strings.HasPrefix(l.src[l.pos:], `"""`) {
			return l.blockString(loc)
		}
		return l.str(loc)
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
	return token{}, l.errorf(loc, "Unexpected character: %s.", describeRune(r))
}

func describeRune(r rune) string {
	if r < 0x20 || r == 0x7f {
		return fmt.Sprintf("U+%04X", r)
	}
	return strconv.QuoteRune(r)
}

func isNameChar(c byte) bool {
	return c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}

func (l *lexer) number(loc Location) (token, error) {
	start := l.pos
	float := false
	digits := func() int {
		n := 0
		for l.pos < len(l.src) && '0' <= l.src[l.pos] && l.src[l.pos] <= '9' {
			l.advance(1)
			n++
		}
		return n
	}
	if l.src[l.pos] == '-' {
		l.advance(1)
	}
	if digits() == 0 {
		return token{}, l.errorf(Location{l.line, l.col}, "Invalid number, expected digit.")
	}
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		float = true
		l.advance(1)
		if digits() == 0 {
			return token{}, l.errorf(Location{l.line, l.col}, "Invalid number, expected digit.")
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		float = true
		l.advance(1)
		if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
			l.advance(1)
		}
		if digits() == 0 {
			return token{}, l.errorf(Location{l.line, l.col}, "Invalid number, expected digit.")
		}
	}
	if l.pos < len(l.src) && (isNameChar(l.src[l.pos]) || l.src[l.pos] == '.') {
		return token{}, l.errorf(Location{l.line, l.col}, "Invalid number, expected digit.")
	}
	if float {
		return token{tokFloat, l.src[start:l.pos], loc}, nil
	}
	return token{tokInt, l.src[start:l.pos], loc}, nil
}

func (l *lexer) str(loc Location) (token, error) {
	l.advance(1) // opening quote
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '"':
			l.advance(1)
			return token{tokString, b.String(), loc}, nil
		case c == '\n' || c == '\r':
			return token{}, l.errorf(Location{l.line, l.col}, "Unterminated string.")
		case c == '\\':
			if l.pos+1 >= len(l.src) {
				return token{}, l.errorf(Location{l.line, l.col}, "Unterminated string.")
			}
			esc := l.src[l.pos+1]
			switch esc {
			case '"', '\\', '/':
				b.WriteByte(esc)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if l.pos+6 > len(l.src) {
					return token{}, l.errorf(Location{l.line, l.col}, "Invalid Unicode escape sequence.")
				}
				n, err := strconv.ParseUint(l.src[l.pos+2:l.pos+6], 16, 32)
				if err != nil {
					return token{}, l.errorf(Location{l.line, l.col}, "Invalid Unicode escape sequence: %q.", l.src[l.pos:l.pos+6])
				}
				b.WriteRune(rune(n))
				l.advance(4)
			default:
				return token{}, l.errorf(Location{l.line, l.col}, "Invalid character escape sequence: %q.", l.src[l.pos:l.pos+2])
			}
			l.advance(2)
		default:
			r, size := utf8.DecodeRuneInString(l.src[l.pos:])
			b.WriteRune(r)
			l.pos += size
			l.col++
		}
	}
	return token{}, l.errorf(Location{l.line, l.col}, "Unterminated string.")
}

func (l *lexer) blockString(loc Location) (token, error) {
	l.advance(3)
	start := l.pos
	for l.pos < len(l.src) {
		if strings.HasPrefix(l.src[l.pos:], `\"""`) {
			l.advance(4)
			continue
		}
		if strings.HasPrefix(l.src[l.pos:], `"""`) {
			raw := strings.ReplaceAll(l.src[start:l.pos], `\"""`, `"""`)
			l.advance(3)
			return token{tokString, blockValue(raw), loc}, nil
		}
		l.advance(1)
	}
	return token{}, l.errorf(Location{l.line, l.col}, "Unterminated string.")
}

// blockValue removes the common indentation and blank first and last
// lines of a block string, as the GraphQL spec's BlockStringValue does.
func blockValue(raw string) string {
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\r", "\n"), "\n")
	common := -1
	for _, ln := range lines[1:] {
		indent := len(ln) - len(strings.TrimLeft(ln, " \t"))
		if indent < len(ln) && (common < 0 || indent < common) {
			common = indent
		}
	}
	if common > 0 {
		for i := 1; i < len(lines); i++ {
			if len(lines[i]) >= common {
				lines[i] = lines[i][common:]
			} else {
				lines[i] = ""
			}
		}
	}
	for len(lines) > 0 && strings.TrimLeft(lines[0], " \t") == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimLeft(lines[len(lines)-1], " \t") == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

type parser struct {
	lex *lexer
	tok token
}

// Parse parses an executable GraphQL document.
func Parse(src string) (*Document, error) {
	p := &parser{lex: &lexer{src: src, line: 1, col: 1}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	doc := &Document{Fragments: map[string]*Fragment{}}
	if p.tok.kind == tokEOF {
		return nil, p.lex.errorf(p.tok.loc, "Unexpected <EOF>.")
	}
	for p.tok.kind != tokEOF {
		switch {
		case p.peek(tokPunct, "{"):
			sel, err := p.selectionSet()
			if err != nil {
				return nil, err
			}
			doc.Operations = append(doc.Operations, &Operation{Kind: "query", Selection: sel, Loc: sel[0].location()})
		case p.peek(tokName, "query"), p.peek(tokName, "mutation"), p.peek(tokName, "subscription"):
			op, err := p.operation()
			if err != nil {
				return nil, err
			}
			doc.Operations = append(doc.Operations, op)
		case p.peek(tokName, "fragment"):
			f, err := p.fragment()
			if err != nil {
				return nil, err
			}
			doc.Fragments[f.Name] = f
		default:
			return nil, p.unexpected()
		}
	}
	return doc, nil
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) peek(kind tokenKind, value string) bool {
	return p.tok.kind == kind && p.tok.value == value
}

func (p *parser) unexpected() error {
	return p.lex.errorf(p.tok.loc, "Unexpected %s.", p.tok.describe())
}

// expect consumes the punctuator value.
func (p *parser) expect(value string) error {
	if !p.peek(tokPunct, value) {
		return p.lex.errorf(p.tok.loc, "Expected \"%s\", found %s.", value, p.tok.describe())
	}
	return p.advance()
}

func (p *parser) name() (string, Location, error) {
	if p.tok.kind != tokName {
		return "", p.tok.loc, p.lex.errorf(p.tok.loc, "Expected Name, found %s.", p.tok.describe())
	}
	n, loc := p.tok.value, p.tok.loc
	return n, loc, p.advance()
}

func (p *parser) operation() (*Operation, error) {
	op := &Operation{Kind: p.tok.value, Loc: p.tok.loc}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokName {
		op.Name = p.tok.value
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if p.peek(tokPunct, "(") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		for !p.peek(tokPunct, ")") {
			v, err := p.variableDef()
			if err != nil {
				return nil, err
			}
			op.Variables = append(op.Variables, v)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if _, err := p.directives(); err != nil {
		return nil, err
	}
	sel, err := p.selectionSet()
	if err != nil {
		return nil, err
	}
	op.Selection = sel
	return op, nil
}

func (p *parser) variableDef() (*VariableDef, error) {
	loc := p.tok.loc
	if err := p.expect("$"); err != nil {
		return nil, err
	}
	name, _, err := p.name()
	if err != nil {
		return nil, err
	}
	if err := p.expect(":"); err != nil {
		return nil, err
	}
	typ, err := p.typeRef()
	if err != nil {
		return nil, err
	}
	v := &VariableDef{Name: name, Type: typ, Loc: loc}
	if p.peek(tokPunct, "=") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if v.Default, err = p.value(true); err != nil {
			return nil, err
		}
	}
	if _, err := p.directives(); err != nil {
		return nil, err
	}
	return v, nil
}

func (p *parser) typeRef() (string, error) {
	var t string
	if p.peek(tokPunct, "[") {
		if err := p.advance(); err != nil {
			return "", err
		}
		inner, err := p.typeRef()
		if err != nil {
			return "", err
		}
		if err := p.expect("]"); err != nil {
			return "", err
		}
		t = "[" + inner + "]"
	} else {
		n, _, err := p.name()
		if err != nil {
			return "", err
		}
		t = n
	}
	if p.peek(tokPunct, "!") {
		if err := p.advance(); err != nil {
			return "", err
		}
		t += "!"
	}
	return t, nil
}

func (p *parser) fragment() (*Fragment, error) {
	f := &Fragment{Loc: p.tok.loc}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.peek(tokName, "on") {
		return nil, p.unexpected()
	}
	var err error
	if f.Name, _, err = p.name(); err != nil {
		return nil, err
	}
	if !p.peek(tokName, "on") {
		return nil, p.lex.errorf(p.tok.loc, "Expected \"on\", found %s.", p.tok.describe())
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if f.TypeCondition, _, err = p.name(); err != nil {
		return nil, err
	}
	if _, err := p.directives(); err != nil {
		return nil, err
	}
	f.Selection, err = p.selectionSet()
	return f, err
}

func (p *parser) selectionSet() ([]Selection, error) {
	if err := p.expect("{"); err != nil {
		return nil, err
	}
	var set []Selection
	for {
		s, err := p.selection()
		if err != nil {
			return nil, err
		}
		set = append(set, s)
		if p.peek(tokPunct, "}") {
			return set, p.advance()
		}
	}
}

func (p *parser) selection() (Selection, error) {
	if p.peek(tokPunct, "...") {
		loc := p.tok.loc
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind == tokName && p.tok.value != "on" {
			name, _, err := p.name()
			if err != nil {
				return nil, err
			}
			dirs, err := p.directives()
			return &FragmentSpread{Name: name, Directives: dirs, Loc: loc}, err
		}
		f := &InlineFragment{Loc: loc}
		if p.peek(tokName, "on") {
			if err := p.advance(); err != nil {
				return nil, err
			}
			var err error
			if f.TypeCondition, _, err = p.name(); err != nil {
				return nil, err
			}
		}
		var err error
		if f.Directives, err = p.directives(); err != nil {
			return nil, err
		}
		f.Selection, err = p.selectionSet()
		return f, err
	}
	f := &Field{}
	name, loc, err := p.name()
	if err != nil {
		return nil, err
	}
	f.Name, f.Loc = name, loc
	if p.peek(tokPunct, ":") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		f.Alias = f.Name
		if f.Name, _, err = p.name(); err != nil {
			return nil, err
		}
	}
	if f.Arguments, err = p.arguments(); err != nil {
		return nil, err
	}
	if f.Directives, err = p.directives(); err != nil {
		return nil, err
	}
	if p.peek(tokPunct, "{") {
		if f.Selection, err = p.selectionSet(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (p *parser) arguments() ([]*Argument, error) {
	if !p.peek(tokPunct, "(") {
		return nil, nil
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	var args []*Argument
	for {
		name, loc, err := p.name()
		if err != nil {
			return nil, err
		}
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		v, err := p.value(false)
		if err != nil {
			return nil, err
		}
		args = append(args, &Argument{Name: name, Value: v, Loc: loc})
		if p.peek(tokPunct, ")") {
			return args, p.advance()
		}
	}
}

func (p *parser) directives() ([]*Directive, error) {
	var dirs []*Directive
	for p.peek(tokPunct, "@") {
		loc := p.tok.loc
		if err := p.advance(); err != nil {
			return nil, err
		}
		name, _, err := p.name()
		if err != nil {
			return nil, err
		}
		args, err := p.arguments()
		if err != nil {
			return nil, err
		}
		dirs = append(dirs, &Directive{Name: name, Arguments: args, Loc: loc})
	}
	return dirs, nil
}

func (p *parser) value(constant bool) (Value, error) {
	t := p.tok
	switch {
	case p.peek(tokPunct, "$") && !constant:
		if err := p.advance(); err != nil {
			return nil, err
		}
		name, _, err := p.name()
		return &Variable{Name: name}, err
	case p.peek(tokPunct, "["):
		if err := p.advance(); err != nil {
			return nil, err
		}
		list := ListValue{}
		for !p.peek(tokPunct, "]") {
			v, err := p.value(constant)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, p.advance()
	case p.peek(tokPunct, "{"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		obj := ObjectValue{}
		for !p.peek(tokPunct, "}") {
			name, _, err := p.name()
			if err != nil {
				return nil, err
			}
			if err := p.expect(":"); err != nil {
				return nil, err
			}
			v, err := p.value(constant)
			if err != nil {
				return nil, err
			}
			obj = append(obj, ObjectField{name, v})
		}
		return obj, p.advance()
	case t.kind == tokInt:
		return IntValue(t.value), p.advance()
	case t.kind == tokFloat:
		return FloatValue(t.value), p.advance()
	case t.kind == tokString:
		return StringValue(t.value), p.advance()
	case t.kind == tokName:
		var v Value
		switch t.value {
		case "true":
			v = BoolValue(true)
		case "false":
			v = BoolValue(false)
		case "null":
			v = NullValue{}
		default:
			v = EnumValue(t.value)
		}
		return v, p.advance()
	}
	return nil, p.unexpected()
}
