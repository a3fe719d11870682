package print

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/quiltq/quiltq/engine"
)

// parquetRowGroup is how many rows make one row group: the writer holds
// a row group in memory until it is full, so this bounds the memory of an
// export however long the result (about 100 bytes a row for ten columns).
const parquetRowGroup = 100_000

// parquetWriter writes an Apache Parquet file with github.com/parquet-go:
// one optional column per result column, in the result's order, typed
// from Athena's type names (see parquetColumn); NULL is a null, never an
// empty string. Parquet is a file format, not a stream a person reads:
// it is written to files (FormatOf), not offered by Formats.
type parquetWriter struct {
	base
	w     *parquet.Writer
	convs []convert
	row   parquet.Row
	rows1 []parquet.Row
}

// convert turns Athena's text for one value into a Parquet value.
type convert func(s string) (parquet.Value, error)

func (p *parquetWriter) Header(cols []engine.Column) error {
	if err := p.startHeader(cols); err != nil {
		return err
	}
	fields := make(orderedGroup, len(cols))
	p.convs = make([]convert, len(cols))
	seen := map[string]int{}
	for i, c := range cols {
		node, conv := parquetColumn(c.Type)
		fields[i] = field{Node: parquet.Optional(node), name: uniqueName(c.Name, i, seen), index: i}
		p.convs[i] = conv
	}
	p.w = parquet.NewWriter(p.base.w, parquet.NewSchema("result", fields),
		parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(parquetRowGroup),
		parquet.CreatedBy("quiltq", "", ""))
	p.row = make(parquet.Row, len(cols))
	p.rows1 = []parquet.Row{nil}
	return nil
}

// uniqueName is the column's name in the file: Parquet readers refuse two
// columns of one name, which a SQL result may have (SELECT a.id, b.id), so
// the second is id_2; an empty name is _col<i>, as Athena names them.
func uniqueName(name string, i int, seen map[string]int) string {
	if name == "" {
		name = "_col" + strconv.Itoa(i)
	}
	seen[name]++
	for n := seen[name]; n > 1; n++ {
		cand := name + "_" + strconv.Itoa(n)
		if seen[cand] == 0 {
			seen[cand] = 1
			return cand
		}
	}
	return name
}

func (p *parquetWriter) Row(r engine.Row) error {
	if err := p.startRow(r); err != nil {
		return err
	}
	for i, v := range r {
		if v.Null {
			p.row[i] = parquet.NullValue().Level(0, 0, i)
			continue
		}
		pv, err := p.convs[i](v.Text)
		if err != nil {
			p.err = fmt.Errorf("row %d, column %q (%s): %w", p.rows+1, p.cols[i].Name, p.cols[i].Type, err)
			return p.err
		}
		p.row[i] = pv.Level(0, 1, i)
	}
	p.rows1[0] = p.row
	if _, err := p.w.WriteRows(p.rows1); err != nil {
		p.err = err
		return err
	}
	p.rows++
	return nil
}

func (p *parquetWriter) Close() error {
	if !p.closed && p.err == nil && p.w != nil {
		if err := p.w.Close(); err != nil {
			p.err = err
		}
	}
	return p.finish()
}

// parquetColumn is the Parquet type of Athena type typ and how its
// values convert, after Athena's own renderings of values in its result
// files and GetQueryResults (the ones PyAthena's converters read):
//
//	boolean                    BOOLEAN
//	tinyint, smallint          INT32 with INT(8), INT(16)
//	integer, bigint            INT32 INT(32), INT64 INT(64)
//	real, double               FLOAT, DOUBLE (NaN and ±Infinity kept)
//	decimal(p,s)               DECIMAL(p,s) on INT32 (p ≤ 9), INT64 (p ≤ 18), else FIXED_LEN_BYTE_ARRAY
//	varchar, char              BYTE_ARRAY STRING
//	json                       BYTE_ARRAY JSON
//	varbinary                  BYTE_ARRAY (Athena writes hex bytes, "68 65 6c")
//	date                       INT32 DATE
//	time                       INT64 TIME(MICROS)
//	timestamp(p)               INT64 TIMESTAMP, local (not UTC-adjusted): MICROS, NANOS for p > 6
//	timestamp with time zone   INT64 TIMESTAMP(MICROS), UTC-adjusted (the zone name is not kept)
//	anything else              BYTE_ARRAY STRING of Athena's text
//
// Arrays, maps and rows are written as the text Athena gives ("[1, 2]",
// "{a=1}"): that text does not quote its strings, so it cannot be parsed
// back into nested Parquet types without guessing.
func parquetColumn(typ string) (parquet.Node, convert) {
	switch engine.BaseType(typ) {
	case "boolean":
		return parquet.Leaf(parquet.BooleanType), parseBool
	case "tinyint":
		return parquet.Int(8), parseInt32(8)
	case "smallint":
		return parquet.Int(16), parseInt32(16)
	case "integer", "int":
		return parquet.Int(32), parseInt32(32)
	case "bigint":
		return parquet.Int(64), parseInt64
	case "real", "float":
		return parquet.Leaf(parquet.FloatType), parseFloat32
	case "double":
		return parquet.Leaf(parquet.DoubleType), parseFloat64
	case "decimal":
		return decimalColumn(typ)
	case "varchar", "char", "string":
		return parquet.String(), byteArray
	case "json":
		return parquet.JSON(), byteArray
	case "varbinary", "binary":
		return parquet.Leaf(parquet.ByteArrayType), parseHexBytes
	case "date":
		return parquet.Date(), parseDate
	case "time":
		return parquet.TimeAdjusted(parquet.Microsecond, false), parseTime
	case "timestamp":
		unit := parquet.Microsecond
		if p := typeParam(typ, 0, 3); p > 6 {
			unit = parquet.Nanosecond
		}
		return parquet.TimestampAdjusted(unit, false), parseTimestamp(unit, false)
	case "timestamp with time zone":
		return parquet.TimestampAdjusted(parquet.Microsecond, true), parseTimestamp(parquet.Microsecond, true)
	}
	return parquet.String(), byteArray
}

// typeParam is parameter i of typ as a number, def when it has none.
func typeParam(typ string, i, def int) int {
	ps := engine.TypeParams(typ)
	if i >= len(ps) {
		return def
	}
	n, err := strconv.Atoi(ps[i])
	if err != nil {
		return def
	}
	return n
}

func byteArray(s string) (parquet.Value, error) { return parquet.ByteArrayValue([]byte(s)), nil }

func parseBool(s string) (parquet.Value, error) {
	switch s {
	case "true":
		return parquet.BooleanValue(true), nil
	case "false":
		return parquet.BooleanValue(false), nil
	}
	return parquet.Value{}, fmt.Errorf("%q is not a boolean (true or false)", s)
}

func parseInt32(bits int) convert {
	return func(s string) (parquet.Value, error) {
		n, err := strconv.ParseInt(s, 10, bits)
		if err != nil {
			return parquet.Value{}, fmt.Errorf("%q is not a %d-bit integer", s, bits)
		}
		return parquet.Int32Value(int32(n)), nil
	}
}

func parseInt64(s string) (parquet.Value, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return parquet.Value{}, fmt.Errorf("%q is not a 64-bit integer", s)
	}
	return parquet.Int64Value(n), nil
}

// parseFloat32 and parseFloat64 read Athena's NaN, Infinity and -Infinity
// too (strconv accepts them).
func parseFloat32(s string) (parquet.Value, error) {
	f, err := strconv.ParseFloat(s, 32)
	if err != nil {
		return parquet.Value{}, fmt.Errorf("%q is not a real", s)
	}
	return parquet.FloatValue(float32(f)), nil
}

func parseFloat64(s string) (parquet.Value, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return parquet.Value{}, fmt.Errorf("%q is not a double", s)
	}
	return parquet.DoubleValue(f), nil
}

// decimalColumn is DECIMAL(p,s) on the narrowest physical type that holds
// p digits. A decimal without parameters is Trino's decimal(38,0).
func decimalColumn(typ string) (parquet.Node, convert) {
	prec, scale := typeParam(typ, 0, 38), typeParam(typ, 1, 0)
	prec = min(max(prec, 1), 38)
	scale = min(max(scale, 0), prec)
	switch {
	case prec <= 9:
		return parquet.Decimal(scale, prec, parquet.Int32Type), func(s string) (parquet.Value, error) {
			u, err := unscaled(s, prec, scale)
			if err != nil {
				return parquet.Value{}, err
			}
			return parquet.Int32Value(int32(u.Int64())), nil
		}
	case prec <= 18:
		return parquet.Decimal(scale, prec, parquet.Int64Type), func(s string) (parquet.Value, error) {
			u, err := unscaled(s, prec, scale)
			if err != nil {
				return parquet.Value{}, err
			}
			return parquet.Int64Value(u.Int64()), nil
		}
	}
	size := decimalBytes(prec)
	return parquet.Decimal(scale, prec, parquet.FixedLenByteArrayType(size)), func(s string) (parquet.Value, error) {
		u, err := unscaled(s, prec, scale)
		if err != nil {
			return parquet.Value{}, err
		}
		return parquet.FixedLenByteArrayValue(twosComplement(u, size)), nil
	}
}

// decimalBytes is the fewest bytes whose two's complement holds every
// number of prec decimal digits, as the Parquet spec sizes
// FIXED_LEN_BYTE_ARRAY decimals.
func decimalBytes(prec int) int {
	return int(math.Ceil((float64(prec)*math.Log2(10) + 1) / 8))
}

// unscaled reads a decimal as Athena writes it ("-12.50") as the integer
// of its digits at scale (-1250 at scale 2), refusing one that needs more
// than prec digits or more decimals than scale.
func unscaled(s string, prec, scale int) (*big.Int, error) {
	t := s
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(strings.TrimPrefix(t, "-"), "+")
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" && frac == "" || strings.Trim(whole+frac, "0123456789") != "" {
		return nil, fmt.Errorf("%q is not a decimal", s)
	}
	if len(strings.TrimRight(frac, "0")) > scale {
		return nil, fmt.Errorf("%q has more than %d decimals", s, scale)
	}
	frac = (frac + strings.Repeat("0", scale))[:scale]
	digits := strings.TrimLeft(whole+frac, "0")
	if len(digits) > prec {
		return nil, fmt.Errorf("%q has more than %d digits", s, prec)
	}
	u, _ := new(big.Int).SetString("0"+digits, 10)
	if neg {
		u.Neg(u)
	}
	return u, nil
}

// twosComplement is u as a big-endian two's complement of size bytes.
func twosComplement(u *big.Int, size int) []byte {
	b := make([]byte, size)
	if u.Sign() >= 0 {
		return u.FillBytes(b)
	}
	// -u = 2^(8·size) + u
	m := new(big.Int).Lsh(big.NewInt(1), uint(8*size))
	return m.Add(m, u).FillBytes(b)
}

// parseHexBytes reads varbinary as Athena writes it: hex bytes separated
// by spaces ("68 65 6c 6c 6f"); plain hex is taken too.
func parseHexBytes(s string) (parquet.Value, error) {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		return parquet.Value{}, fmt.Errorf("%q is not varbinary as Athena writes it (hex bytes, such as \"68 65 6c\")", s)
	}
	return parquet.ByteArrayValue(b), nil
}

func parseDate(s string) (parquet.Value, error) {
	t, err := engine.ParseDate(s)
	if err != nil {
		return parquet.Value{}, err
	}
	return parquet.Int32Value(int32(t.Unix() / 86400)), nil
}

func parseTime(s string) (parquet.Value, error) {
	t, err := time.Parse("15:04:05.999999999", s)
	if err != nil {
		return parquet.Value{}, fmt.Errorf("%q is not a time (HH:MM:SS.fff)", s)
	}
	d := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
	if d%time.Microsecond != 0 {
		return parquet.Value{}, fmt.Errorf("%q is finer than a microsecond", s)
	}
	return parquet.Int64Value(int64(d / time.Microsecond)), nil
}

// parseTimestamp reads Athena's timestamps (engine.ParseTimestamp) as a
// count of unit since the epoch: for a local timestamp, of its wall-clock
// reading taken as UTC, as Parquet stores timestamps that are not
// UTC-adjusted; a zoned one's zone is dropped once it has placed the
// instant.
func parseTimestamp(unit parquet.TimeUnit, zoned bool) convert {
	step := unit.Duration()
	return func(s string) (parquet.Value, error) {
		if _, rest, _ := strings.Cut(s, " "); zoned != strings.Contains(rest, " ") {
			if zoned {
				return parquet.Value{}, fmt.Errorf("%q is not a timestamp with a time zone", s)
			}
			return parquet.Value{}, fmt.Errorf("%q has a time zone, which a timestamp column has not", s)
		}
		t, err := engine.ParseTimestamp(s)
		if err != nil {
			return parquet.Value{}, err
		}
		if t.Nanosecond()%int(step) != 0 {
			return parquet.Value{}, fmt.Errorf("%q is finer than the column's unit (%v)", s, step)
		}
		sec := t.Unix()
		per := int64(time.Second / step)
		if sec > math.MaxInt64/per-1 || sec < math.MinInt64/per+1 {
			return parquet.Value{}, fmt.Errorf("%q is out of the range of a timestamp in %v", s, step)
		}
		return parquet.Int64Value(sec*per + int64(t.Nanosecond())/int64(step)), nil
	}
}

// orderedGroup is a Parquet group whose columns keep the order they are
// given in: parquet.Group is a map, whose columns come out sorted by name,
// and a result's columns have an order of their own.
type orderedGroup []parquet.Field

func (g orderedGroup) ID() int { return 0 }
func (g orderedGroup) String() string {
	var b strings.Builder
	_ = parquet.PrintSchema(&b, "result", g)
	return b.String()
}
func (g orderedGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g orderedGroup) Optional() bool              { return false }
func (g orderedGroup) Repeated() bool              { return false }
func (g orderedGroup) Required() bool              { return true }
func (g orderedGroup) Leaf() bool                  { return false }
func (g orderedGroup) Fields() []parquet.Field     { return g }
func (g orderedGroup) Encoding() encoding.Encoding { return nil }
func (g orderedGroup) Compression() compress.Codec { return nil }

// GoType is a struct of the columns' Go types (the writer is given rows,
// not Go values, so this only describes the group).
func (g orderedGroup) GoType() reflect.Type {
	fs := make([]reflect.StructField, len(g))
	for i, f := range g {
		fs[i] = reflect.StructField{Name: "Col" + strconv.Itoa(i), Type: f.GoType()}
	}
	return reflect.StructOf(fs)
}

// field is column index of an orderedGroup.
type field struct {
	parquet.Node
	name  string
	index int
}

func (f field) Name() string { return f.name }

// Value is the column's value in a Go struct of the group's GoType.
func (f field) Value(base reflect.Value) reflect.Value {
	for base.Kind() == reflect.Pointer || base.Kind() == reflect.Interface {
		base = base.Elem()
	}
	return base.Field(f.index)
}
