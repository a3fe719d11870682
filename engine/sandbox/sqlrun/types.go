package sqlrun

import (
	"strconv"
	"strings"
)

// Type is a Trino type: a base name with its parameters. Its String is
// the type's signature as Trino prints it (typeof, DESCRIBE OUTPUT):
// "integer", "decimal(10,2)", "varchar(5)", "array(integer)",
// "map(varchar, bigint)", "row(a integer, b varchar)",
// "timestamp(3) with time zone". These names come from the Trino
// documentation's "Data types" page (docs/src/main/sphinx/language/types.md
// in trinodb/trino).
type Type struct {
	Base string
	// P is a decimal's precision, a varchar's or char's length (-1: a
	// varchar without one), a timestamp's fractional digits.
	P int
	// S is a decimal's scale.
	S int
	// Elem is an array's element type or a map's value type; Key a map's
	// key type.
	Elem, Key *Type
	// Fields are a row's fields; a field without a name has Name "".
	Fields []Field
}

// Field is one field of a row type.
type Field struct {
	Name string
	Type Type
}

// The base names.
const (
	tBoolean     = "boolean"
	tTinyint     = "tinyint"
	tSmallint    = "smallint"
	tInteger     = "integer"
	tBigint      = "bigint"
	tReal        = "real"
	tDouble      = "double"
	tDecimal     = "decimal"
	tVarchar     = "varchar"
	tChar        = "char"
	tVarbinary   = "varbinary"
	tJSON        = "json"
	tDate        = "date"
	tTime        = "time"
	tTimestamp   = "timestamp"
	tTimestampTZ = "timestamp with time zone"
	tArray       = "array"
	tMap         = "map"
	tRow         = "row"
	tUnknown     = "unknown"
)

var (
	typBoolean     = Type{Base: tBoolean}
	typInteger     = Type{Base: tInteger}
	typBigint      = Type{Base: tBigint}
	typDouble      = Type{Base: tDouble}
	typReal        = Type{Base: tReal}
	typVarchar     = Type{Base: tVarchar, P: -1}
	typVarbinary   = Type{Base: tVarbinary}
	typJSON        = Type{Base: tJSON}
	typDate        = Type{Base: tDate}
	typTimestamp   = Type{Base: tTimestamp, P: 3}
	typTimestampTZ = Type{Base: tTimestampTZ, P: 3}
	typUnknown     = Type{Base: tUnknown}
)

func arrayOf(t Type) Type       { return Type{Base: tArray, Elem: &t} }
func mapOf(k, v Type) Type      { return Type{Base: tMap, Key: &k, Elem: &v} }
func decimalType(p, s int) Type { return Type{Base: tDecimal, P: p, S: s} }
func varcharN(n int) Type       { return Type{Base: tVarchar, P: n} }

func (t Type) String() string {
	switch t.Base {
	case tDecimal:
		return "decimal(" + strconv.Itoa(t.P) + "," + strconv.Itoa(t.S) + ")"
	case tVarchar:
		if t.P >= 0 {
			return "varchar(" + strconv.Itoa(t.P) + ")"
		}
		return "varchar"
	case tChar:
		return "char(" + strconv.Itoa(t.P) + ")"
	case tTimestamp:
		if t.P != 3 {
			return "timestamp(" + strconv.Itoa(t.P) + ")"
		}
		return "timestamp"
	case tTimestampTZ:
		return "timestamp(" + strconv.Itoa(t.P) + ") with time zone"
	case tArray:
		return "array(" + t.Elem.String() + ")"
	case tMap:
		return "map(" + t.Key.String() + ", " + t.Elem.String() + ")"
	case tRow:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			if f.Name != "" {
				parts[i] = quoteFieldName(f.Name) + " " + f.Type.String()
			} else {
				parts[i] = f.Type.String()
			}
		}
		return "row(" + strings.Join(parts, ", ") + ")"
	}
	return t.Base
}

// quoteFieldName quotes a row field name that is not a plain identifier,
// as Trino's type signatures do.
func quoteFieldName(n string) string {
	for i, r := range n {
		if !(r == '_' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return `"` + strings.ReplaceAll(n, `"`, `""`) + `"`
		}
	}
	return n
}

// Equal reports whether t and u are the same type.
func (t Type) Equal(u Type) bool { return t.String() == u.String() }

func (t Type) isIntegral() bool {
	switch t.Base {
	case tTinyint, tSmallint, tInteger, tBigint:
		return true
	}
	return false
}

func (t Type) isFloating() bool { return t.Base == tReal || t.Base == tDouble }
func (t Type) isNumeric() bool  { return t.isIntegral() || t.isFloating() || t.Base == tDecimal }
func (t Type) isString() bool   { return t.Base == tVarchar || t.Base == tChar }
func (t Type) isComplex() bool  { return t.Base == tArray || t.Base == tMap || t.Base == tRow }

// integerRank orders the integer types by width.
func integerRank(b string) int {
	switch b {
	case tTinyint:
		return 1
	case tSmallint:
		return 2
	case tInteger:
		return 3
	case tBigint:
		return 4
	}
	return 0
}

// integerBits is the width of an integer type.
func integerBits(b string) int {
	switch b {
	case tTinyint:
		return 8
	case tSmallint:
		return 16
	case tInteger:
		return 32
	}
	return 64
}

// decimalOfInteger is the decimal type an integer type widens to, as
// Trino coerces integers in decimal arithmetic.
func decimalOfInteger(b string) Type {
	switch b {
	case tTinyint:
		return decimalType(3, 0)
	case tSmallint:
		return decimalType(5, 0)
	case tInteger:
		return decimalType(10, 0)
	}
	return decimalType(19, 0)
}

// ParseType reads a type as SQL and catalogs write it: Trino's names
// (varchar(10), decimal(10,2), array(integer), map(varchar, bigint),
// row(a integer, b varchar), timestamp(3) with time zone) and Hive's as
// Glue keeps them (string, int, array<string>, map<string,int>,
// struct<a:int,b:string>).
func ParseType(s string) (Type, bool) {
	p := &typeParser{s: strings.TrimSpace(s)}
	t, ok := p.parse()
	p.space()
	return t, ok && p.i == len(p.s)
}

type typeParser struct {
	s string
	i int
}

func (p *typeParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *typeParser) eat(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *typeParser) word() string {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '"' {
		j := p.i + 1
		var b strings.Builder
		for j < len(p.s) {
			if p.s[j] == '"' {
				if j+1 < len(p.s) && p.s[j+1] == '"' {
					b.WriteByte('"')
					j += 2
					continue
				}
				p.i = j + 1
				return b.String()
			}
			b.WriteByte(p.s[j])
			j++
		}
		return ""
	}
	j := p.i
	for j < len(p.s) {
		c := p.s[j]
		if c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			j++
			continue
		}
		break
	}
	w := strings.ToLower(p.s[p.i:j])
	p.i = j
	return w
}

func (p *typeParser) number() (int, bool) {
	p.space()
	j := p.i
	for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(p.s[p.i:j])
	p.i = j
	return n, err == nil
}

// peekWords reports whether the next words are ws, consuming them if so.
func (p *typeParser) peekWords(ws ...string) bool {
	save := p.i
	for _, w := range ws {
		if p.word() != w {
			p.i = save
			return false
		}
	}
	return true
}

func (p *typeParser) parse() (Type, bool) {
	w := p.word()
	switch w {
	case "boolean":
		return typBoolean, true
	case "tinyint", "smallint", "bigint":
		return Type{Base: w}, true
	case "int", "integer":
		return typInteger, true
	case "real", "float":
		return typReal, true
	case "double":
		p.peekWords("precision")
		return typDouble, true
	case "decimal", "numeric", "dec":
		t := decimalType(38, 0) // Trino's DECIMAL without parameters
		if p.eat('(') {
			n, ok := p.number()
			if !ok {
				return Type{}, false
			}
			t = decimalType(n, 0)
			if p.eat(',') {
				if t.S, ok = p.number(); !ok {
					return Type{}, false
				}
			}
			if !p.eat(')') {
				return Type{}, false
			}
		}
		return t, true
	case "varchar", "string":
		t := typVarchar
		if w == "varchar" && p.eat('(') {
			n, ok := p.number()
			if !ok || !p.eat(')') {
				return Type{}, false
			}
			t.P = n
		}
		return t, true
	case "char":
		t := Type{Base: tChar, P: 1}
		if p.eat('(') {
			n, ok := p.number()
			if !ok || !p.eat(')') {
				return Type{}, false
			}
			t.P = n
		}
		return t, true
	case "varbinary", "binary":
		return typVarbinary, true
	case "json":
		return typJSON, true
	case "date":
		return typDate, true
	case "time":
		return Type{Base: tTime, P: 3}, true
	case "timestamp":
		prec := 3
		if p.eat('(') {
			n, ok := p.number()
			if !ok || !p.eat(')') {
				return Type{}, false
			}
			prec = n
		}
		if p.peekWords("with", "time", "zone") {
			return Type{Base: tTimestampTZ, P: prec}, true
		}
		p.peekWords("without", "time", "zone")
		return Type{Base: tTimestamp, P: prec}, true
	case "array":
		open, close := byte('('), byte(')')
		if p.eat('<') {
			close = '>'
		} else if !p.eat(open) {
			return Type{}, false
		}
		e, ok := p.parse()
		if !ok || !p.eat(close) {
			return Type{}, false
		}
		return arrayOf(e), true
	case "map":
		close := byte(')')
		if p.eat('<') {
			close = '>'
		} else if !p.eat('(') {
			return Type{}, false
		}
		k, ok := p.parse()
		if !ok || !p.eat(',') {
			return Type{}, false
		}
		v, ok := p.parse()
		if !ok || !p.eat(close) {
			return Type{}, false
		}
		return mapOf(k, v), true
	case "row", "struct":
		hive := false
		if p.eat('<') {
			hive = true
		} else if !p.eat('(') {
			return Type{}, false
		}
		t := Type{Base: tRow}
		for {
			f := Field{}
			save := p.i
			name := p.word()
			p.space()
			switch {
			case hive && p.eat(':'):
				f.Name = name
			case !hive && p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != ')' && p.s[p.i] != '(' && name != "":
				f.Name = name
			default:
				p.i = save
			}
			ft, ok := p.parse()
			if !ok {
				return Type{}, false
			}
			f.Type = ft
			t.Fields = append(t.Fields, f)
			if p.eat(',') {
				continue
			}
			if hive && p.eat('>') || !hive && p.eat(')') {
				return t, true
			}
			return Type{}, false
		}
	case "unknown":
		return typUnknown, true
	}
	return Type{}, false
}

// mustType parses a type the engine itself names.
func mustType(s string) Type {
	t, ok := ParseType(s)
	if !ok {
		panic("sqlrun: bad built-in type " + s)
	}
	return t
}

// canCoerce reports whether a value of type from may be used where to is
// wanted without a CAST, by Trino's implicit coercions: the integer types
// widen to wider ones, to decimal and to real and double; decimals widen
// to wider decimals and to real and double; real to double; varchar(n) to
// longer varchar; date to timestamp; timestamp to timestamp with time
// zone; unknown (a bare NULL) to anything; and arrays, maps and rows
// element by element.
func canCoerce(from, to Type) bool {
	if from.Equal(to) || from.Base == tUnknown {
		return true
	}
	switch {
	case from.isIntegral():
		switch {
		case to.isIntegral():
			return integerRank(from.Base) <= integerRank(to.Base)
		case to.isFloating():
			return true
		case to.Base == tDecimal:
			d := decimalOfInteger(from.Base)
			return to.P-to.S >= d.P
		}
	case from.Base == tDecimal:
		switch {
		case to.isFloating():
			return true
		case to.Base == tDecimal:
			return to.S >= from.S && to.P-to.S >= from.P-from.S
		}
	case from.Base == tReal:
		return to.Base == tDouble
	case from.Base == tVarchar:
		return to.Base == tVarchar && (to.P < 0 || from.P >= 0 && from.P <= to.P)
	case from.Base == tChar:
		return to.Base == tChar && to.P >= from.P
	case from.Base == tDate:
		return to.Base == tTimestamp || to.Base == tTimestampTZ
	case from.Base == tTimestamp:
		return to.Base == tTimestamp || to.Base == tTimestampTZ
	case from.Base == tArray:
		return to.Base == tArray && canCoerce(*from.Elem, *to.Elem)
	case from.Base == tMap:
		return to.Base == tMap && canCoerce(*from.Key, *to.Key) && canCoerce(*from.Elem, *to.Elem)
	case from.Base == tRow:
		if to.Base != tRow || len(to.Fields) != len(from.Fields) {
			return false
		}
		for i := range from.Fields {
			if !canCoerce(from.Fields[i].Type, to.Fields[i].Type) {
				return false
			}
		}
		return true
	}
	return false
}

// commonType is the type both a and b coerce to, as Trino picks it for
// CASE branches, COALESCE, IN lists, UNION columns and comparisons.
func commonType(a, b Type) (Type, bool) {
	switch {
	case a.Equal(b):
		return a, true
	case a.Base == tUnknown:
		return b, true
	case b.Base == tUnknown:
		return a, true
	}
	switch {
	case a.isIntegral() && b.isIntegral():
		if integerRank(a.Base) >= integerRank(b.Base) {
			return a, true
		}
		return b, true
	case a.isNumeric() && b.isNumeric():
		if a.Base == tDouble || b.Base == tDouble {
			return typDouble, true
		}
		if a.Base == tReal || b.Base == tReal {
			return typReal, true
		}
		da, db := a, b
		if a.isIntegral() {
			da = decimalOfInteger(a.Base)
		}
		if b.isIntegral() {
			db = decimalOfInteger(b.Base)
		}
		s := max(da.S, db.S)
		p := min(38, max(da.P-da.S, db.P-db.S)+s)
		return decimalType(p, s), true
	case a.Base == tVarchar && b.Base == tVarchar:
		if a.P < 0 || b.P < 0 {
			return typVarchar, true
		}
		return varcharN(max(a.P, b.P)), true
	case a.Base == tChar && b.Base == tChar:
		return Type{Base: tChar, P: max(a.P, b.P)}, true
	case (a.Base == tChar || a.Base == tVarchar) && (b.Base == tChar || b.Base == tVarchar):
		// Trino compares char with varchar as char.
		n := max(a.P, b.P)
		return Type{Base: tChar, P: n}, true
	case a.Base == tDate && (b.Base == tTimestamp || b.Base == tTimestampTZ):
		return b, true
	case b.Base == tDate && (a.Base == tTimestamp || a.Base == tTimestampTZ):
		return a, true
	case a.Base == tTimestamp && b.Base == tTimestampTZ:
		return b, true
	case b.Base == tTimestamp && a.Base == tTimestampTZ:
		return a, true
	case a.Base == tArray && b.Base == tArray:
		e, ok := commonType(*a.Elem, *b.Elem)
		return arrayOf(e), ok
	case a.Base == tMap && b.Base == tMap:
		k, ok1 := commonType(*a.Key, *b.Key)
		v, ok2 := commonType(*a.Elem, *b.Elem)
		return mapOf(k, v), ok1 && ok2
	case a.Base == tRow && b.Base == tRow && len(a.Fields) == len(b.Fields):
		t := Type{Base: tRow}
		for i := range a.Fields {
			f, ok := commonType(a.Fields[i].Type, b.Fields[i].Type)
			if !ok {
				return Type{}, false
			}
			name := a.Fields[i].Name
			t.Fields = append(t.Fields, Field{Name: name, Type: f})
		}
		return t, true
	}
	return Type{}, false
}

// comparable reports whether values of t can be compared for equality;
// orderable whether they can be ordered.
func (t Type) comparable() bool {
	switch t.Base {
	case tJSON:
		return false
	case tArray:
		return t.Elem.comparable()
	case tMap:
		return t.Key.comparable() && t.Elem.comparable()
	case tRow:
		for _, f := range t.Fields {
			if !f.Type.comparable() {
				return false
			}
		}
	}
	return true
}

func (t Type) orderable() bool {
	switch t.Base {
	case tJSON, tMap:
		return false
	case tArray:
		return t.Elem.orderable()
	case tRow:
		for _, f := range t.Fields {
			if !f.Type.orderable() {
				return false
			}
		}
	}
	return true
}

// HiveType is the type name Glue keeps for a column of Athena type t, as a
// CTAS or view stores it: string for varchar, int for integer,
// array<...>. A column of unknown type (a bare NULL) is kept as string.
func HiveType(t string) string {
	if typ, ok := ParseType(t); !ok || typ.Base == tUnknown || t == "" {
		return "string"
	}
	return hiveType(t)
}

// hiveType names a type as Hive's DESCRIBE and SHOW CREATE TABLE print
// it: string for varchar, int for integer, array<...>, struct<...>.
func hiveType(t string) string {
	typ, ok := ParseType(t)
	if !ok {
		return strings.ToLower(t)
	}
	return typ.hive()
}

func (t Type) hive() string {
	switch t.Base {
	case tVarchar:
		if t.P < 0 {
			return "string"
		}
	case tInteger:
		return "int"
	case tReal:
		return "float"
	case tArray:
		return "array<" + t.Elem.hive() + ">"
	case tMap:
		return "map<" + t.Key.hive() + "," + t.Elem.hive() + ">"
	case tRow:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			name := f.Name
			if name == "" {
				name = "col" + strconv.Itoa(i+1)
			}
			parts[i] = name + ":" + f.Type.hive()
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	case tVarbinary:
		return "binary"
	}
	return t.String()
}

// athenaTypeName is the type as GetQueryResults' ColumnInfo.Type and the
// result metadata name it: the base name alone for the structural types
// ("array", "map", "row"), as PyAthena's converters key them
// (pyathena/converter.py: "array", "map", "row", "json", "varbinary",
// "timestamp with time zone"), and the full name otherwise (the
// precision of decimal, varchar and char travels in ColumnInfo apart).
func athenaTypeName(t Type) string {
	return t.athenaName()
}

// ColumnInfo is how GetQueryResults' ColumnInfo (and the result metadata)
// describes a column: the type's Athena name (see athenaTypeName), its
// precision and scale, and whether it compares case-sensitively.
type ColumnInfo struct {
	Type             string
	Precision, Scale int
	CaseSensitive    bool
}

// DescribeColumn describes a column of type t (a name such as
// "decimal(10,2)", "array(integer)", "timestamp(3) with time zone"). A name
// it cannot read is passed through with no precision.
func DescribeColumn(t string) ColumnInfo {
	typ, ok := ParseType(t)
	if !ok {
		return ColumnInfo{Type: strings.ToLower(t)}
	}
	ci := ColumnInfo{Type: typ.athenaName()}
	switch typ.Base {
	case tVarchar, tChar:
		// Base names: the length travels in Precision.
		ci.Type, ci.CaseSensitive, ci.Precision = typ.Base, true, 2147483647
		if typ.P >= 0 {
			ci.Precision = typ.P
		}
	case tDecimal:
		ci.Type, ci.Precision, ci.Scale = tDecimal, typ.P, typ.S
	case tTinyint:
		ci.Precision = 3
	case tSmallint:
		ci.Precision = 5
	case tInteger:
		ci.Precision = 10
	case tBigint:
		ci.Precision = 19
	case tDouble:
		ci.Precision = 17
	case tReal:
		ci.Precision = 7
	case tTimestamp, tTimestampTZ, tTime:
		ci.Type, ci.Precision = typ.Base, typ.P
	}
	return ci
}

func (t Type) athenaName() string {
	switch t.Base {
	case tArray, tMap, tRow, tTimestampTZ:
		return t.Base
	}
	return t.String()
}
