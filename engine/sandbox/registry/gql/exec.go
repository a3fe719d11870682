package gql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Schema describes the types a server exposes.
type Schema struct {
	Query    string // name of the query root type
	Mutation string // name of the mutation root type, "" for none
	Types    map[string]*Type
}

// TypeKind is the kind of a named type.
type TypeKind int

// The kinds of type the package supports.
const (
	Scalar TypeKind = iota
	Object
	Union
)

// Type is a named type. Scalars String, ID, Int, Float and Boolean are
// built in.
type Type struct {
	Kind     TypeKind
	Fields   map[string]*FieldDef // Object
	Possible []string             // Union members
}

// FieldDef is a field of an object type.
type FieldDef struct {
	// Type is a type reference such as "String!", "[BucketConfig!]!".
	Type string
	// Args maps argument names to type references.
	Args map[string]string
	// Resolve computes the field; nil reads a map[string]any source by
	// the field's name.
	Resolve func(ctx context.Context, source any, args map[string]any) (any, error)
}

// Typed is the value of a union-typed field: the concrete object type's
// name and its value.
type Typed struct {
	Type  string
	Value any
}

// Request is a GraphQL request as clients POST it.
type Request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// Error is one entry of a response's "errors".
type Error struct {
	Message   string     `json:"message"`
	Locations []Location `json:"locations,omitempty"`
	Path      []any      `json:"path,omitempty"`
}

// Response is a GraphQL response. Data is absent when the request failed
// before execution (a syntax or validation error); Errors is absent when
// there are none, as the GraphQL spec requires.
type Response struct {
	Data   *Map    `json:"data,omitempty"`
	Errors []Error `json:"errors,omitempty"`
	// executed is true when Data must be written even if nil.
	executed bool
}

// Executed reports whether the operation ran; when it did not, the
// request itself was at fault (a syntax, validation or variable error).
func (r Response) Executed() bool { return r.executed }

// MarshalJSON writes "data": null for an execution whose root became null.
func (r Response) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	if r.executed {
		b.WriteString(`"data":`)
		d, err := marshal(r.Data)
		if err != nil {
			return nil, err
		}
		b.Write(d)
	}
	if len(r.Errors) > 0 {
		if r.executed {
			b.WriteByte(',')
		}
		b.WriteString(`"errors":`)
		e, err := marshal(r.Errors)
		if err != nil {
			return nil, err
		}
		b.Write(e)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Map is a JSON object that keeps its keys in insertion order, as a
// GraphQL result follows the order of the query's fields.
type Map struct {
	keys   []string
	values map[string]any
}

func newMap() *Map { return &Map{values: map[string]any{}} }

func (m *Map) set(k string, v any) {
	if _, ok := m.values[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.values[k] = v
}

// Get returns the value of key k.
func (m *Map) Get(k string) any { return m.values[k] }

// Keys returns the keys in order.
func (m *Map) Keys() []string { return m.keys }

// MarshalJSON writes the object with its keys in order.
func (m *Map) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := marshal(m.values[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal encodes v without escaping <, > and &: a GraphQL reply is not
// HTML, and error texts such as "found <EOF>" should read as written.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Execute parses, validates and runs req against schema.
func Execute(ctx context.Context, schema *Schema, req Request) Response {
	doc, err := Parse(req.Query)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			return Response{Errors: []Error{{Message: se.Message, Locations: []Location{se.Loc}}}}
		}
		return Response{Errors: []Error{{Message: err.Error()}}}
	}
	op, errs := pickOperation(doc, req.OperationName)
	if errs != nil {
		return Response{Errors: errs}
	}
	v := &validator{schema: schema, doc: doc, op: op}
	if errs := v.validate(); len(errs) > 0 {
		return Response{Errors: errs}
	}
	vars, errs := coerceVariables(op, req.Variables)
	if errs != nil {
		return Response{Errors: errs}
	}
	root := schema.Query
	if op.Kind == "mutation" {
		root = schema.Mutation
	}
	e := &executor{ctx: ctx, schema: schema, doc: doc, vars: vars}
	data, ok := e.selectionSet(root, op.Selection, nil, nil)
	if !ok {
		data = nil
	}
	return Response{Data: data, Errors: e.errors, executed: true}
}

func pickOperation(doc *Document, name string) (*Operation, []Error) {
	if len(doc.Operations) == 0 {
		return nil, []Error{{Message: "Must provide an operation."}}
	}
	if name == "" {
		if len(doc.Operations) > 1 {
			return nil, []Error{{Message: "Must provide operation name if query contains multiple operations."}}
		}
		return doc.Operations[0], nil
	}
	for _, op := range doc.Operations {
		if op.Name == name {
			return op, nil
		}
	}
	return nil, []Error{{Message: fmt.Sprintf("Unknown operation named %q.", name)}}
}

// typeRef splits a type reference into its parts.
type typeRef struct {
	name    string   // named type, for a non-list
	of      *typeRef // element, for a list
	nonNull bool
}

func parseRef(s string) *typeRef {
	t := &typeRef{}
	if strings.HasSuffix(s, "!") {
		t.nonNull = true
		s = s[:len(s)-1]
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		t.of = parseRef(s[1 : len(s)-1])
	} else {
		t.name = s
	}
	return t
}

// named is the innermost named type of t.
func (t *typeRef) named() string {
	for t.of != nil {
		t = t.of
	}
	return t.name
}

var builtinScalars = map[string]bool{"String": true, "ID": true, "Int": true, "Float": true, "Boolean": true}

func (s *Schema) kind(name string) (TypeKind, bool) {
	if builtinScalars[name] {
		return Scalar, true
	}
	t, ok := s.Types[name]
	if !ok {
		return 0, false
	}
	return t.Kind, true
}

// possible reports whether an object of type obj can be of type cond.
func (s *Schema) possible(cond, obj string) bool {
	if cond == obj {
		return true
	}
	if t, ok := s.Types[cond]; ok && t.Kind == Union {
		for _, p := range t.Possible {
			if p == obj {
				return true
			}
		}
	}
	return false
}

// overlap reports whether some object type is both a and b.
func (s *Schema) overlap(a, b string) bool {
	for _, o := range s.objectsOf(a) {
		if s.possible(b, o) {
			return true
		}
	}
	return false
}

func (s *Schema) objectsOf(name string) []string {
	if t, ok := s.Types[name]; ok && t.Kind == Union {
		return t.Possible
	}
	return []string{name}
}

type validator struct {
	schema *Schema
	doc    *Document
	op     *Operation
	errs   []Error
	vars   map[string]*VariableDef
	seen   map[string]bool // fragments being visited, against cycles
	// checked holds "fragment@type" pairs already validated, so that
	// fragments spread many times cost no more than once.
	checked map[string]bool
}

func (v *validator) errorf(loc Location, format string, args ...any) {
	v.errs = append(v.errs, Error{Message: fmt.Sprintf(format, args...), Locations: []Location{loc}})
}

func (v *validator) validate() []Error {
	root := v.schema.Query
	if v.op.Kind == "mutation" {
		root = v.schema.Mutation
		if root == "" {
			v.errorf(v.op.Loc, "Schema is not configured to execute mutation operation.")
			return v.errs
		}
	}
	if v.op.Kind == "subscription" {
		v.errorf(v.op.Loc, "Schema is not configured to execute subscription operation.")
		return v.errs
	}
	v.vars = map[string]*VariableDef{}
	for _, d := range v.op.Variables {
		if _, dup := v.vars[d.Name]; dup {
			v.errorf(d.Loc, "There can be only one variable named \"$%s\".", d.Name)
		}
		v.vars[d.Name] = d
		if k, ok := v.schema.kind(parseRef(d.Type).named()); !ok {
			v.errorf(d.Loc, "Unknown type %q.", parseRef(d.Type).named())
		} else if k != Scalar {
			v.errorf(d.Loc, "Variable \"$%s\" cannot be non-input type %q.", d.Name, d.Type)
		}
	}
	v.seen, v.checked = map[string]bool{}, map[string]bool{}
	v.selectionSet(root, v.op.Selection)
	return v.errs
}

func (v *validator) selectionSet(typeName string, set []Selection) {
	t := v.schema.Types[typeName]
	for _, sel := range set {
		switch s := sel.(type) {
		case *Field:
			v.directives(s.Directives)
			if s.Name == "__typename" {
				if len(s.Selection) > 0 {
					v.errorf(s.Loc, "Field \"__typename\" must not have a selection since type \"String!\" has no subfields.")
				}
				continue
			}
			def, ok := t.Fields[s.Name]
			if !ok {
				msg := fmt.Sprintf("Cannot query field %q on type %q.", s.Name, typeName)
				if t.Kind == Union {
					var with []string
					for _, p := range t.Possible {
						if _, ok := v.schema.Types[p].Fields[s.Name]; ok {
							with = append(with, strconv.Quote(p))
						}
					}
					if len(with) > 0 {
						msg = fmt.Sprintf("Cannot query field %q on type %q. Did you mean to use an inline fragment on %s?", s.Name, typeName, strings.Join(with, " or "))
					}
				}
				v.errorf(s.Loc, "%s", msg)
				continue
			}
			v.arguments(typeName, s, def)
			named := parseRef(def.Type).named()
			kind, _ := v.schema.kind(named)
			switch {
			case kind == Scalar && len(s.Selection) > 0:
				v.errorf(s.Loc, "Field %q must not have a selection since type %q has no subfields.", s.Name, def.Type)
			case kind != Scalar && len(s.Selection) == 0:
				v.errorf(s.Loc, "Field %q of type %q must have a selection of subfields. Did you mean \"%s { ... }\"?", s.Name, def.Type, s.Name)
			case kind != Scalar:
				v.selectionSet(named, s.Selection)
			}
		case *InlineFragment:
			v.directives(s.Directives)
			cond := typeName
			if s.TypeCondition != "" {
				cond = s.TypeCondition
				k, ok := v.schema.kind(cond)
				if !ok {
					v.errorf(s.Loc, "Unknown type %q.", cond)
					continue
				}
				if k == Scalar {
					v.errorf(s.Loc, "Fragment cannot condition on non composite type %q.", cond)
					continue
				}
				if !v.schema.overlap(typeName, cond) {
					v.errorf(s.Loc, "Fragment cannot be spread here as objects of type %q can never be of type %q.", typeName, cond)
					continue
				}
			}
			v.selectionSet(cond, s.Selection)
		case *FragmentSpread:
			v.directives(s.Directives)
			f, ok := v.doc.Fragments[s.Name]
			if !ok {
				v.errorf(s.Loc, "Unknown fragment %q.", s.Name)
				continue
			}
			if v.seen[s.Name] {
				v.errorf(s.Loc, "Cannot spread fragment %q within itself.", s.Name)
				continue
			}
			k, ok := v.schema.kind(f.TypeCondition)
			if !ok {
				v.errorf(f.Loc, "Unknown type %q.", f.TypeCondition)
				continue
			}
			if k == Scalar {
				v.errorf(f.Loc, "Fragment %q cannot condition on non composite type %q.", f.Name, f.TypeCondition)
				continue
			}
			if !v.schema.overlap(typeName, f.TypeCondition) {
				v.errorf(s.Loc, "Fragment %q cannot be spread here as objects of type %q can never be of type %q.", s.Name, typeName, f.TypeCondition)
				continue
			}
			if key := s.Name + "@" + typeName; !v.checked[key] {
				v.checked[key] = true
				v.seen[s.Name] = true
				v.selectionSet(f.TypeCondition, f.Selection)
				delete(v.seen, s.Name)
			}
		}
	}
}

func (v *validator) directives(dirs []*Directive) {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			v.errorf(d.Loc, "Unknown directive \"@%s\".", d.Name)
			continue
		}
		given := false
		for _, a := range d.Arguments {
			if a.Name != "if" {
				v.errorf(a.Loc, "Unknown argument %q on directive \"@%s\".", a.Name, d.Name)
				continue
			}
			given = true
			v.value(a.Value, "Boolean!", a.Loc)
		}
		if !given {
			v.errorf(d.Loc, "Directive \"@%s\" argument \"if\" of type \"Boolean!\" is required, but it was not provided.", d.Name)
		}
	}
}

func (v *validator) arguments(typeName string, f *Field, def *FieldDef) {
	given := map[string]bool{}
	for _, a := range f.Arguments {
		typ, ok := def.Args[a.Name]
		if !ok {
			v.errorf(a.Loc, "Unknown argument %q on field \"%s.%s\".", a.Name, typeName, f.Name)
			continue
		}
		given[a.Name] = true
		v.value(a.Value, typ, a.Loc)
	}
	for name, typ := range def.Args {
		if strings.HasSuffix(typ, "!") && !given[name] {
			v.errorf(f.Loc, "Field %q argument %q of type %q is required, but it was not provided.", f.Name, name, typ)
		}
	}
}

// value checks a literal or variable against the expected input type.
func (v *validator) value(val Value, typ string, loc Location) {
	if vr, ok := val.(*Variable); ok {
		d, ok := v.vars[vr.Name]
		if !ok {
			if v.op.Name != "" {
				v.errorf(loc, "Variable \"$%s\" is not defined by operation %q.", vr.Name, v.op.Name)
			} else {
				v.errorf(loc, "Variable \"$%s\" is not defined.", vr.Name)
			}
			return
		}
		if !compatible(d, typ) {
			v.errorf(d.Loc, "Variable \"$%s\" of type %q used in position expecting type %q.", vr.Name, d.Type, typ)
		}
		return
	}
	if _, err := coerceLiteral(val, parseRef(typ), nil); err != nil {
		v.errorf(loc, "%s", err.Error())
	}
}

// compatible reports whether variable d may be used where typ is
// expected: the same type, or a non-null variable in a nullable position,
// or a nullable one where the argument has a default (not modelled).
func compatible(d *VariableDef, typ string) bool {
	if d.Type == typ || d.Type == typ+"!" {
		return true
	}
	return strings.HasSuffix(typ, "!") && d.Type+"!" == typ && d.Default != nil
}

// coerceLiteral turns a literal into a Go value of type t; variables are
// looked up in vars.
func coerceLiteral(val Value, t *typeRef, vars map[string]any) (any, error) {
	if vr, ok := val.(*Variable); ok {
		return vars[vr.Name], nil
	}
	if _, ok := val.(NullValue); ok {
		if t.nonNull {
			return nil, fmt.Errorf("Expected value of type %q, found null.", t.String())
		}
		return nil, nil
	}
	if t.of != nil {
		list, ok := val.(ListValue)
		if !ok {
			v, err := coerceLiteral(val, t.of, vars)
			if err != nil {
				return nil, err
			}
			return []any{v}, nil
		}
		out := make([]any, len(list))
		for i, item := range list {
			v, err := coerceLiteral(item, t.of, vars)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	switch t.name {
	case "String":
		if s, ok := val.(StringValue); ok {
			return string(s), nil
		}
		return nil, fmt.Errorf("String cannot represent a non string value: %s", printValue(val))
	case "ID":
		switch x := val.(type) {
		case StringValue:
			return string(x), nil
		case IntValue:
			return string(x), nil
		}
		return nil, fmt.Errorf("ID cannot represent a non-string and non-integer value: %s", printValue(val))
	case "Boolean":
		if b, ok := val.(BoolValue); ok {
			return bool(b), nil
		}
		return nil, fmt.Errorf("Boolean cannot represent a non boolean value: %s", printValue(val))
	case "Int":
		if i, ok := val.(IntValue); ok {
			n, err := strconv.ParseInt(string(i), 10, 32)
			if err != nil {
				return nil, fmt.Errorf("Int cannot represent non 32-bit signed integer value: %s", i)
			}
			return int(n), nil
		}
		return nil, fmt.Errorf("Int cannot represent non-integer value: %s", printValue(val))
	case "Float":
		switch x := val.(type) {
		case IntValue:
			f, _ := strconv.ParseFloat(string(x), 64)
			return f, nil
		case FloatValue:
			f, _ := strconv.ParseFloat(string(x), 64)
			return f, nil
		}
		return nil, fmt.Errorf("Float cannot represent non numeric value: %s", printValue(val))
	}
	return nil, fmt.Errorf("Unknown type %q.", t.name)
}

func (t *typeRef) String() string {
	s := t.name
	if t.of != nil {
		s = "[" + t.of.String() + "]"
	}
	if t.nonNull {
		s += "!"
	}
	return s
}

func printValue(v Value) string {
	switch x := v.(type) {
	case StringValue:
		return strconv.Quote(string(x))
	case IntValue:
		return string(x)
	case FloatValue:
		return string(x)
	case BoolValue:
		return strconv.FormatBool(bool(x))
	case EnumValue:
		return string(x)
	case NullValue:
		return "null"
	case ListValue:
		parts := make([]string, len(x))
		for i, item := range x {
			parts[i] = printValue(item)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case ObjectValue:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = f.Name + ": " + printValue(f.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *Variable:
		return "$" + x.Name
	}
	return fmt.Sprint(v)
}

// coerceVariables checks the request's variable values against the
// operation's definitions and applies defaults.
func coerceVariables(op *Operation, given map[string]any) (map[string]any, []Error) {
	vars := map[string]any{}
	var errs []Error
	for _, d := range op.Variables {
		t := parseRef(d.Type)
		val, ok := given[d.Name]
		if !ok {
			if d.Default != nil {
				dv, err := coerceLiteral(d.Default, t, nil)
				if err != nil {
					errs = append(errs, Error{Message: fmt.Sprintf("Variable \"$%s\" got invalid default value: %s", d.Name, err), Locations: []Location{d.Loc}})
				}
				vars[d.Name] = dv
				continue
			}
			if t.nonNull {
				errs = append(errs, Error{Message: fmt.Sprintf("Variable \"$%s\" of required type %q was not provided.", d.Name, d.Type), Locations: []Location{d.Loc}})
			}
			continue
		}
		cv, err := coerceInput(val, t)
		if err != nil {
			msg := fmt.Sprintf("Variable \"$%s\" got invalid value %s; %s", d.Name, jsonText(val), err)
			if val == nil && t.nonNull {
				msg = fmt.Sprintf("Variable \"$%s\" of non-null type %q must not be null.", d.Name, d.Type)
			}
			errs = append(errs, Error{Message: msg, Locations: []Location{d.Loc}})
			continue
		}
		vars[d.Name] = cv
	}
	return vars, errs
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// coerceInput checks a JSON-decoded variable value against t.
func coerceInput(v any, t *typeRef) (any, error) {
	if v == nil {
		if t.nonNull {
			return nil, fmt.Errorf("Expected non-nullable type %q not to be null.", t.String())
		}
		return nil, nil
	}
	if t.of != nil {
		list, ok := v.([]any)
		if !ok {
			list = []any{v}
		}
		out := make([]any, len(list))
		for i, item := range list {
			c, err := coerceInput(item, t.of)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	switch t.name {
	case "String":
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, fmt.Errorf("String cannot represent a non string value: %s", jsonText(v))
	case "ID":
		switch x := v.(type) {
		case string:
			return x, nil
		case float64:
			if x == math.Trunc(x) {
				return strconv.FormatInt(int64(x), 10), nil
			}
		}
		return nil, fmt.Errorf("ID cannot represent value: %s", jsonText(v))
	case "Boolean":
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, fmt.Errorf("Boolean cannot represent a non boolean value: %s", jsonText(v))
	case "Int":
		if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) <= math.MaxInt32 {
			return int(f), nil
		}
		return nil, fmt.Errorf("Int cannot represent non-integer value: %s", jsonText(v))
	case "Float":
		if f, ok := v.(float64); ok {
			return f, nil
		}
		return nil, fmt.Errorf("Float cannot represent non numeric value: %s", jsonText(v))
	}
	return nil, fmt.Errorf("Unknown type %q.", t.name)
}

type executor struct {
	ctx    context.Context
	schema *Schema
	doc    *Document
	vars   map[string]any
	errors []Error
}

// collected is one response key and the fields merged under it.
type collected struct {
	key    string
	fields []*Field
}

func (e *executor) collect(typeName string, set []Selection, out []collected, visited map[string]bool) []collected {
	for _, sel := range set {
		switch s := sel.(type) {
		case *Field:
			if !e.included(s.Directives) {
				continue
			}
			k := s.ResponseKey()
			found := false
			for i := range out {
				if out[i].key == k {
					out[i].fields = append(out[i].fields, s)
					found = true
					break
				}
			}
			if !found {
				out = append(out, collected{key: k, fields: []*Field{s}})
			}
		case *InlineFragment:
			if !e.included(s.Directives) || (s.TypeCondition != "" && !e.schema.possible(s.TypeCondition, typeName)) {
				continue
			}
			out = e.collect(typeName, s.Selection, out, visited)
		case *FragmentSpread:
			f := e.doc.Fragments[s.Name]
			if !e.included(s.Directives) || visited[s.Name] || !e.schema.possible(f.TypeCondition, typeName) {
				continue
			}
			visited[s.Name] = true
			out = e.collect(typeName, f.Selection, out, visited)
		}
	}
	return out
}

func (e *executor) included(dirs []*Directive) bool {
	for _, d := range dirs {
		if len(d.Arguments) == 0 {
			continue
		}
		v, _ := coerceLiteral(d.Arguments[0].Value, &typeRef{name: "Boolean", nonNull: true}, e.vars)
		b, _ := v.(bool)
		if d.Name == "skip" && b || d.Name == "include" && !b {
			return false
		}
	}
	return true
}

// selectionSet executes set on an object of type typeName. ok is false
// when a non-null field became null, which nulls this object too.
func (e *executor) selectionSet(typeName string, set []Selection, source any, path []any) (*Map, bool) {
	t := e.schema.Types[typeName]
	out := newMap()
	for _, c := range e.collect(typeName, set, nil, map[string]bool{}) {
		f := c.fields[0]
		fpath := append(append([]any{}, path...), c.key)
		if f.Name == "__typename" {
			out.set(c.key, typeName)
			continue
		}
		def := t.Fields[f.Name]
		args := map[string]any{}
		for _, a := range f.Arguments {
			v, err := coerceLiteral(a.Value, parseRef(def.Args[a.Name]), e.vars)
			if err != nil { // validated already; kept for safety
				e.fail(f, fpath, err.Error())
			}
			args[a.Name] = v
		}
		var val any
		var err error
		if def.Resolve != nil {
			val, err = def.Resolve(e.ctx, source, args)
		} else if m, ok := source.(map[string]any); ok {
			val = m[f.Name]
		}
		if err != nil {
			e.fail(f, fpath, err.Error())
			val = nil
		}
		var sub []Selection
		for _, ff := range c.fields {
			sub = append(sub, ff.Selection...)
		}
		res, ok := e.complete(typeName, f, parseRef(def.Type), sub, val, fpath, err != nil)
		if !ok {
			return nil, false
		}
		out.set(c.key, res)
	}
	return out, true
}

func (e *executor) fail(f *Field, path []any, msg string) {
	e.errors = append(e.errors, Error{Message: msg, Locations: []Location{f.Loc}, Path: path})
}

// complete shapes val as type t. ok is false when a non-null value is
// null; the error is recorded once, where the null arose.
func (e *executor) complete(parent string, f *Field, t *typeRef, sub []Selection, val any, path []any, reported bool) (any, bool) {
	if val == nil {
		if t.nonNull {
			if !reported {
				e.fail(f, path, fmt.Sprintf("Cannot return null for non-nullable field %s.%s.", parent, f.Name))
			}
			return nil, false
		}
		return nil, true
	}
	if t.of != nil {
		list, ok := val.([]any)
		if !ok {
			e.fail(f, path, fmt.Sprintf("Expected Iterable, but did not find one for field \"%s.%s\".", parent, f.Name))
			return nil, !t.nonNull
		}
		out := make([]any, len(list))
		for i, item := range list {
			v, ok := e.complete(parent, f, t.of, sub, item, append(append([]any{}, path...), i), false)
			if !ok {
				return nil, !t.nonNull
			}
			out[i] = v
		}
		return out, true
	}
	kind, _ := e.schema.kind(t.name)
	switch kind {
	case Scalar:
		return val, true
	case Union:
		typed, ok := val.(Typed)
		if !ok || !e.schema.possible(t.name, typed.Type) {
			e.fail(f, path, fmt.Sprintf("Abstract type %q must resolve to an Object type at runtime for field \"%s.%s\".", t.name, parent, f.Name))
			return nil, !t.nonNull
		}
		m, ok := e.selectionSet(typed.Type, sub, typed.Value, path)
		if !ok {
			return nil, !t.nonNull
		}
		return m, true
	default:
		m, ok := e.selectionSet(t.name, sub, val, path)
		if !ok {
			return nil, !t.nonNull
		}
		return m, true
	}
}
