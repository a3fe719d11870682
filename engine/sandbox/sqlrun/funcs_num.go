package sqlrun

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// Arithmetic, math and casts, as Trino computes them: integer arithmetic
// fails on overflow ("bigint addition overflow: 9223372036854775807 + 1",
// the messages of trinodb/trino's BigintOperators and IntegerOperators)
// and on division by zero ("Division by zero"); decimals are exact with
// the result types of DecimalOperators and round half up; doubles follow
// IEEE 754 (1e0/0 is Infinity, 0e0/0 is NaN).

var opNames = map[string]string{"+": "addition", "-": "subtraction", "*": "multiplication", "/": "division", "%": "modulus"}

// intRange is the range of an integer type.
func intRange(typ string) (int64, int64) {
	switch typ {
	case tTinyint:
		return math.MinInt8, math.MaxInt8
	case tSmallint:
		return math.MinInt16, math.MaxInt16
	case tInteger:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// intArith computes x op y in the integer type typ.
func intArith(op string, x, y int64, typ string) (int64, error) {
	overflow := func() (int64, error) {
		return 0, fnError(numericOutOfRange, "%s %s overflow: %d %s %d", typ, opNames[op], x, op, y)
	}
	var r int64
	switch op {
	case "+":
		r = x + y
		if x > 0 && y > 0 && r < 0 || x < 0 && y < 0 && r >= 0 {
			return overflow()
		}
	case "-":
		r = x - y
		if x >= 0 && y < 0 && r < 0 || x < 0 && y > 0 && r >= 0 {
			return overflow()
		}
	case "*":
		hi, lo := bits.Mul64(uint64(abs64(x)), uint64(abs64(y)))
		if hi != 0 || lo > math.MaxInt64 && !(lo == 1<<63 && (x < 0) != (y < 0)) || x == math.MinInt64 && y != 1 && y != 0 || y == math.MinInt64 && x != 1 && x != 0 {
			return overflow()
		}
		r = x * y
	case "/":
		if y == 0 {
			return 0, fnError(divisionByZero, "Division by zero")
		}
		if x == math.MinInt64 && y == -1 {
			return overflow()
		}
		r = x / y
	case "%":
		if y == 0 {
			return 0, fnError(divisionByZero, "Division by zero")
		}
		if y == -1 {
			return 0, nil
		}
		r = x % y
	}
	lo, hi := intRange(typ)
	if r < lo || r > hi {
		return overflow()
	}
	return r, nil
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// floatArith computes x op y in IEEE arithmetic; real rounds to 32 bits.
func floatArith(op string, x, y float64, typ string) driver.Value {
	var r float64
	switch op {
	case "+":
		r = x + y
	case "-":
		r = x - y
	case "*":
		r = x * y
	case "/":
		r = x / y
	case "%":
		r = math.Mod(x, y)
	}
	if typ == tReal {
		r = float64(float32(r))
	}
	return floatValue(r)
}

// decimalArith computes a op b and gives it scale s, failing when it
// needs more than p digits.
func decimalArith(op string, a, b decimal, p, s int) (string, error) {
	var r decimal
	switch op {
	case "+", "-":
		sc := max(a.scale, b.scale)
		x, y := a.rescale(sc).unscaled, b.rescale(sc).unscaled
		u := new(big.Int)
		if op == "+" {
			u.Add(x, y)
		} else {
			u.Sub(x, y)
		}
		r = decimal{unscaled: u, scale: sc}
	case "*":
		r = decimal{unscaled: new(big.Int).Mul(a.unscaled, b.unscaled), scale: a.scale + b.scale}
	case "/":
		if b.unscaled.Sign() == 0 {
			return "", fnError(divisionByZero, "Division by zero")
		}
		// a / b = (ua / 10^sa) / (ub / 10^sb); at scale s, rounded half up.
		num := new(big.Int).Mul(a.unscaled, pow10(s+1+b.scale))
		den := new(big.Int).Mul(b.unscaled, pow10(a.scale))
		q := new(big.Int).Quo(num, den)
		r = decimal{unscaled: q, scale: s + 1}
	case "%":
		if b.unscaled.Sign() == 0 {
			return "", fnError(divisionByZero, "Division by zero")
		}
		sc := max(a.scale, b.scale)
		x, y := a.rescale(sc).unscaled, b.rescale(sc).unscaled
		r = decimal{unscaled: new(big.Int).Rem(x, y), scale: sc}
	}
	r = r.rescale(s)
	if !r.fits(p, s) {
		return "", fnError(numericOutOfRange, "Decimal overflow")
	}
	return r.String(), nil
}

// compareDecimalText is the athena_decimal collation: decimal texts
// compared as numbers (text that is not a number sorts as text, after).
func compareDecimalText(a, b string) int {
	x, okx := parseDecimal(a)
	y, oky := parseDecimal(b)
	switch {
	case okx && oky:
		return x.cmp(y)
	case okx:
		return -1
	case oky:
		return 1
	}
	return strings.Compare(a, b)
}

// compareValues orders two non-NULL values of type t as Trino does.
func compareValues(a, b driver.Value, t Type) int {
	switch {
	case t.isIntegral() || t.Base == tBoolean:
		x, _ := toInt(a)
		y, _ := toInt(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case t.isFloating():
		x, _ := floatOf(a)
		y, _ := floatOf(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		case x == y:
			return 0
		case math.IsNaN(x) && math.IsNaN(y):
			return 0
		case math.IsNaN(x):
			return 1 // NaN orders last
		}
		return -1
	case t.Base == tDecimal:
		x, _ := decimalOf(a)
		y, _ := decimalOf(b)
		return x.cmp(y)
	case t.Base == tVarbinary:
		return bytes.Compare(toBytes(a), toBytes(b))
	case t.Base == tArray || t.Base == tRow:
		xs, _ := arrayElems(a)
		ys, _ := arrayElems(b)
		for i := 0; i < len(xs) && i < len(ys); i++ {
			et := Type{}
			if t.Base == tArray {
				et = *t.Elem
			} else {
				et = t.Fields[i].Type
			}
			xv, _ := elemValue(xs[i], et)
			yv, _ := elemValue(ys[i], et)
			switch {
			case xv == nil && yv == nil:
				continue
			case xv == nil:
				return 1
			case yv == nil:
				return -1
			}
			if c := compareValues(xv, yv, et); c != 0 {
				return c
			}
		}
		return len(xs) - len(ys)
	}
	return strings.Compare(text(a), text(b))
}

func (rt *runtime) numbers(add, volatile func(string, int32, fn)) {
	add("athena_arith", 4, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[1] == nil || a[2] == nil {
			return nil, nil
		}
		x, _ := toInt(a[1])
		y, _ := toInt(a[2])
		return intArith(text(a[0]), x, y, text(a[3]))
	})
	add("athena_farith", 4, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[1] == nil || a[2] == nil {
			return nil, nil
		}
		x, _ := floatOf(a[1])
		y, _ := floatOf(a[2])
		return floatArith(text(a[0]), x, y, text(a[3])), nil
	})
	add("athena_darith", 5, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[1] == nil || a[2] == nil {
			return nil, nil
		}
		x, ok1 := decimalOf(a[1])
		y, ok2 := decimalOf(a[2])
		if !ok1 || !ok2 {
			return nil, fnError(internalError, "bad decimal operand %v or %v", a[1], a[2])
		}
		p, _ := toInt(a[3])
		s, _ := toInt(a[4])
		return decimalArith(text(a[0]), x, y, int(p), int(s))
	})
	add("athena_negate", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		x, _ := toInt(a[0])
		lo, _ := intRange(text(a[1]))
		if x == lo {
			return nil, fnError(numericOutOfRange, "%s negation overflow: %d", text(a[1]), x)
		}
		return -x, nil
	}))
	add("athena_dnegate", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		d, _ := decimalOf(a[0])
		s, _ := toInt(a[1])
		return decimal{unscaled: new(big.Int).Neg(d.unscaled), scale: d.scale}.rescale(int(s)).String(), nil
	}))
	add("athena_abs", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := rt.typ(a[1])
		if err != nil {
			return nil, err
		}
		switch {
		case t.isIntegral():
			x, _ := toInt(a[0])
			if lo, _ := intRange(t.Base); x == lo {
				return nil, fnError(numericOutOfRange, "Value %d is out of range for abs(%s)", x, t.Base)
			}
			return abs64(x), nil
		case t.Base == tDecimal:
			d, _ := decimalOf(a[0])
			return decimal{unscaled: new(big.Int).Abs(d.unscaled), scale: d.scale}.rescale(t.S).String(), nil
		}
		f, _ := floatOf(a[0])
		return floatValue(math.Abs(f)), nil
	}))
	add("athena_sign", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := rt.typ(a[1])
		if err != nil {
			return nil, err
		}
		switch {
		case t.isIntegral():
			x, _ := toInt(a[0])
			return int64(sign(float64(x))), nil
		case t.Base == tDecimal:
			d, _ := decimalOf(a[0])
			return decimalOfInt(int64(d.unscaled.Sign())).rescale(t.S).String(), nil
		}
		f, _ := floatOf(a[0])
		if math.IsNaN(f) {
			return "NaN", nil
		}
		return float64(sign(f)), nil
	}))
	add("athena_round_fn", 4, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		at, err := rt.typ(a[2])
		if err != nil {
			return nil, err
		}
		ceil := text(a[0]) == "ceil"
		switch {
		case at.isIntegral():
			return a[1], nil
		case at.Base == tDecimal:
			d, _ := decimalOf(a[1])
			q, r := new(big.Int).QuoRem(d.unscaled, pow10(d.scale), new(big.Int))
			if r.Sign() != 0 && (ceil && r.Sign() > 0) {
				q.Add(q, big.NewInt(1))
			}
			if r.Sign() != 0 && (!ceil && r.Sign() < 0) {
				q.Sub(q, big.NewInt(1))
			}
			return decimal{unscaled: q}.String(), nil
		}
		f, _ := floatOf(a[1])
		if ceil {
			return floatValue(math.Ceil(f)), nil
		}
		return floatValue(math.Floor(f)), nil
	}))
	add("athena_round", 4, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[0] == nil || a[1] == nil {
			return nil, nil
		}
		at, err := rt.typ(a[2])
		if err != nil {
			return nil, err
		}
		rtyp, err := rt.typ(a[3])
		if err != nil {
			return nil, err
		}
		n, _ := toInt(a[1])
		switch {
		case at.isIntegral():
			x, _ := toInt(a[0])
			if n >= 0 {
				return x, nil
			}
			d := decimalOfInt(x).rescale(int(-n)) // scale down, then back
			_ = d
			p := int64(math.Pow10(int(-n)))
			return roundHalfUp(x, p), nil
		case at.Base == tDecimal:
			d, _ := decimalOf(a[0])
			return d.rescale(int(max(n, 0))).rescale(rtyp.S).String(), nil
		}
		f, _ := floatOf(a[0])
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return floatValue(f), nil
		}
		d, ok := parseDecimal(strconv.FormatFloat(f, 'f', -1, 64))
		if !ok {
			return floatValue(f), nil
		}
		r := d.rescale(int(max(n, 0))).float()
		if n < 0 {
			p := math.Pow10(int(-n))
			r = math.Round(f/p) * p
		}
		if rtyp.Base == tReal {
			r = float64(float32(r))
		}
		return floatValue(r), nil
	})
	add("athena_math", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		x, _ := floatOf(a[1])
		var r float64
		switch text(a[0]) {
		case "sqrt":
			r = math.Sqrt(x)
		case "cbrt":
			r = math.Cbrt(x)
		case "exp":
			r = math.Exp(x)
		case "ln":
			r = math.Log(x)
		case "log2":
			r = math.Log2(x)
		case "log10":
			r = math.Log10(x)
		case "sin":
			r = math.Sin(x)
		case "cos":
			r = math.Cos(x)
		case "tan":
			r = math.Tan(x)
		case "asin":
			r = math.Asin(x)
		case "acos":
			r = math.Acos(x)
		case "atan":
			r = math.Atan(x)
		case "sinh":
			r = math.Sinh(x)
		case "cosh":
			r = math.Cosh(x)
		case "tanh":
			r = math.Tanh(x)
		case "degrees":
			r = x * 180 / math.Pi
		case "radians":
			r = x * math.Pi / 180
		case "truncate":
			r = math.Trunc(x)
		}
		return floatValue(r), nil
	}))
	add("athena_math2", 3, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		x, _ := floatOf(a[1])
		y, _ := floatOf(a[2])
		var r float64
		switch text(a[0]) {
		case "power", "pow":
			r = math.Pow(x, y)
		case "atan2":
			r = math.Atan2(x, y)
		case "log":
			r = math.Log(y) / math.Log(x)
		}
		return floatValue(r), nil
	}))
	add("athena_float_test", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		x, _ := floatOf(a[1])
		switch text(a[0]) {
		case "is_nan":
			return boolInt(math.IsNaN(x)), nil
		case "is_infinite":
			return boolInt(math.IsInf(x, 0)), nil
		}
		return boolInt(!math.IsNaN(x) && !math.IsInf(x, 0)), nil
	}))
	volatile("athena_random", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		return randomFloat(), nil
	})
	volatile("athena_random_n", 1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		n, _ := toInt(a[0])
		if n <= 0 {
			return nil, fnError(invalidArgument, "bound must be positive")
		}
		return int64(randomFloat() * float64(n)), nil
	})
	extreme := func(greatest bool) fn {
		return func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			t, err := rt.typ(a[0])
			if err != nil {
				return nil, err
			}
			var best driver.Value
			for _, v := range a[1:] {
				if v == nil {
					return nil, nil
				}
				if f, ok := floatOf(v); ok && t.isFloating() && math.IsNaN(f) {
					return nil, fnError(invalidArgument, "Invalid argument to %s(): NaN", map[bool]string{true: "greatest", false: "least"}[greatest])
				}
				if best == nil || (compareValues(v, best, t) > 0) == greatest && compareValues(v, best, t) != 0 {
					best = v
				}
			}
			return best, nil
		}
	}
	add("athena_greatest", -1, extreme(true))
	add("athena_least", -1, extreme(false))
	add("athena_cast", 4, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[0] == nil {
			return nil, nil
		}
		from, err := rt.typ(a[1])
		if err != nil {
			return nil, err
		}
		to, err := rt.typ(a[2])
		if err != nil {
			return nil, err
		}
		v, err := castValue(a[0], from, to)
		if err != nil {
			if try, _ := toInt(a[3]); try == 1 {
				return nil, nil
			}
			return nil, err
		}
		return v, nil
	})
	// athena_fcmp compares two floats, either of them NaN, as Trino does:
	// every comparison with NaN is false but <>.
	add("athena_fcmp", 3, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		l, lok := floatOf(a[0])
		r, rok := floatOf(a[1])
		op, _ := a[2].(string)
		if !lok || !rok {
			return nil, fmt.Errorf("GENERIC_INTERNAL_ERROR: cannot compare %v and %v as doubles", a[0], a[1])
		}
		var b bool
		switch op {
		case "=":
			b = l == r
		case "<>":
			b = l != r
		case "<":
			b = l < r
		case "<=":
			b = l <= r
		case ">":
			b = l > r
		case ">=":
			b = l >= r
		}
		if b {
			return int64(1), nil
		}
		return int64(0), nil
	}))
	// athena_raise fails the query with a Trino error code and message.
	add("athena_raise", 2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		code, _ := a[0].(string)
		msg, _ := a[1].(string)
		return nil, errors.New(code + ": " + msg)
	})
	add("athena_compare", 3, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := rt.typ(a[2])
		if err != nil {
			return nil, err
		}
		return int64(compareValues(a[0], a[1], t)), nil
	}))
}

func sign(f float64) int {
	switch {
	case f > 0:
		return 1
	case f < 0:
		return -1
	}
	return 0
}

// roundHalfUp rounds x to a multiple of p, halves away from zero.
func roundHalfUp(x, p int64) int64 {
	q, r := x/p, x%p
	if abs64(r)*2 >= p {
		if x < 0 {
			q--
		} else {
			q++
		}
	}
	return q * p
}

// castError is Trino's failed cast: "Cannot cast 'x' to BIGINT".
func castError(v driver.Value, from, to Type) error {
	s := text(v)
	if from.Base == tVarchar || from.Base == tChar {
		s = "'" + s + "'"
	}
	return fnError(invalidCast, "Cannot cast %s to %s", s, strings.ToUpper(to.String()))
}

// castValue converts v of type from to type to, as CAST does.
func castValue(v driver.Value, from, to Type) (driver.Value, error) {
	if v == nil {
		return nil, nil
	}
	if from.Base == tJSON && to.Base != tJSON && to.Base != tVarchar {
		return castFromJSON(v, to)
	}
	switch to.Base {
	case tVarchar, tChar:
		var s string
		switch {
		case from.isComplex():
			return nil, castError(v, from, to)
		case from.Base == tJSON:
			var x any
			if err := json.Unmarshal([]byte(text(v)), &x); err != nil {
				return nil, castError(v, from, to)
			}
			switch y := x.(type) {
			case string:
				s = y
			case nil:
				return nil, nil
			case map[string]any, []any:
				return nil, fnError(invalidCast, "Cannot cast JSON to %s", strings.ToUpper(to.String()))
			default:
				s = strings.TrimSpace(text(v))
			}
		case from.Base == tVarbinary:
			return nil, castError(v, from, to)
		default:
			s, _ = render(v, from)
		}
		if to.Base == tChar {
			return padChar(s, to.P), nil
		}
		if to.P >= 0 && len([]rune(s)) > to.P {
			s = string([]rune(s)[:to.P])
		}
		return s, nil
	case tTinyint, tSmallint, tInteger, tBigint:
		var n int64
		switch {
		case from.isIntegral(), from.Base == tBoolean:
			n, _ = toInt(v)
		case from.isFloating():
			f, _ := floatOf(v)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fnError(invalidCast, "Cannot cast %s %s to %s", from.Base, javaDouble(f), to.Base)
			}
			f = math.Round(f)
			if f >= 1<<63 || f < -(1<<63) {
				return nil, fnError(numericOutOfRange, "Unable to cast %s to %s", javaDouble(f), to.Base)
			}
			n = int64(f)
		case from.Base == tDecimal:
			d, _ := decimalOf(v)
			r := d.rescale(0).unscaled
			if !r.IsInt64() {
				return nil, fnError(numericOutOfRange, "Cannot cast '%s' to %s", d, strings.ToUpper(to.Base))
			}
			n = r.Int64()
		case from.isString():
			var err error
			n, err = strconv.ParseInt(strings.TrimSpace(text(v)), 10, 64)
			if err != nil {
				return nil, castError(v, from, to)
			}
		default:
			return nil, castError(v, from, to)
		}
		if lo, hi := intRange(to.Base); n < lo || n > hi {
			return nil, fnError(numericOutOfRange, "Out of range for %s: %d", to.Base, n)
		}
		return n, nil
	case tReal, tDouble:
		var f float64
		switch {
		case from.isString():
			var ok bool
			if f, ok = parseJavaFloat(text(v)); !ok {
				return nil, castError(v, from, to)
			}
		case from.Base == tDecimal:
			d, _ := decimalOf(v)
			f = d.float()
		case from.isNumeric(), from.Base == tBoolean:
			f, _ = floatOf(v)
		default:
			return nil, castError(v, from, to)
		}
		if to.Base == tReal {
			f = float64(float32(f))
		}
		return floatValue(f), nil
	case tDecimal:
		var d decimal
		var ok bool
		switch {
		case from.isString():
			d, ok = parseDecimal(text(v))
			if !ok {
				return nil, fnError(invalidCast, "Cannot cast VARCHAR '%s' to %s", text(v), strings.ToUpper(to.String()))
			}
			if !d.fits(to.P, to.S) {
				return nil, fnError(invalidCast, "Cannot cast VARCHAR '%s' to %s. Value too large.", text(v), strings.ToUpper(to.String()))
			}
		case from.isFloating():
			f, _ := floatOf(v)
			if d, ok = decimalOf(f); !ok {
				return nil, fnError(invalidCast, "Cannot cast %s '%s' to %s", strings.ToUpper(from.Base), javaDouble(f), strings.ToUpper(to.String()))
			}
		case from.isNumeric(), from.Base == tBoolean:
			d, _ = decimalOf(v)
		default:
			return nil, castError(v, from, to)
		}
		if !d.fits(to.P, to.S) {
			return nil, fnError(numericOutOfRange, "Cannot cast %s '%s' to %s", strings.ToUpper(from.String()), d, strings.ToUpper(to.String()))
		}
		return d.rescale(to.S).String(), nil
	case tBoolean:
		switch {
		case from.isNumeric():
			f, _ := floatOf(v)
			if from.Base == tDecimal {
				d, _ := decimalOf(v)
				return boolInt(d.unscaled.Sign() != 0), nil
			}
			return boolInt(f != 0), nil
		case from.isString():
			switch strings.ToLower(strings.TrimSpace(text(v))) {
			case "true", "t", "1":
				return int64(1), nil
			case "false", "f", "0":
				return int64(0), nil
			}
		}
		return nil, castError(v, from, to)
	case tDate:
		switch from.Base {
		case tVarchar, tChar:
			if d, ok := parseDate(text(v)); ok {
				return d, nil
			}
			if t, ok := parseTimestamp(text(v)); ok {
				return t.Format("2006-01-02"), nil
			}
		case tTimestamp, tTimestampTZ:
			t, err := toTime(v)
			if err == nil {
				return t.Format("2006-01-02"), nil
			}
		}
		return nil, castError(v, from, to)
	case tTimestamp:
		switch from.Base {
		case tVarchar, tChar, tDate:
			if t, ok := parseTimestamp(text(v)); ok {
				return formatTimestamp(t), nil
			}
		case tTimestampTZ:
			if t, ok := parseTimestampTZ(text(v)); ok {
				return formatTimestamp(t.UTC()), nil
			}
		}
		return nil, castError(v, from, to)
	case tTimestampTZ:
		s := text(v)
		if t, ok := parseTimestampTZ(s); ok {
			return formatTimestampTZ(t), nil
		}
		if t, ok := parseTimestamp(s); ok {
			return formatTimestampTZ(t.In(time.UTC)), nil
		}
		return nil, castError(v, from, to)
	case tVarbinary:
		if from.isString() {
			return []byte(text(v)), nil
		}
		return nil, castError(v, from, to)
	case tJSON:
		return castToJSON(v, from)
	case tArray:
		if from.Base != tArray {
			return nil, castError(v, from, to)
		}
		elems, err := arrayElems(v)
		if err != nil {
			return nil, err
		}
		out := make([]json.RawMessage, len(elems))
		for i, e := range elems {
			if out[i], err = castElem(e, *from.Elem, *to.Elem); err != nil {
				return nil, err
			}
		}
		return joinJSON(out), nil
	case tMap:
		if from.Base != tMap {
			return nil, castError(v, from, to)
		}
		pairs, err := mapPairs(v)
		if err != nil {
			return nil, err
		}
		out := make([]json.RawMessage, len(pairs))
		for i, kv := range pairs {
			k, err := castElem(kv[0], *from.Key, *to.Key)
			if err != nil {
				return nil, err
			}
			val, err := castElem(kv[1], *from.Elem, *to.Elem)
			if err != nil {
				return nil, err
			}
			out[i] = json.RawMessage(joinJSON([]json.RawMessage{k, val}))
		}
		return joinJSON(out), nil
	case tRow:
		if from.Base != tRow || len(from.Fields) != len(to.Fields) {
			return nil, castError(v, from, to)
		}
		fields, err := arrayElems(v)
		if err != nil {
			return nil, err
		}
		out := make([]json.RawMessage, len(fields))
		for i, f := range fields {
			if out[i], err = castElem(f, from.Fields[i].Type, to.Fields[i].Type); err != nil {
				return nil, err
			}
		}
		return joinJSON(out), nil
	}
	return nil, fnError(notSupported, "CAST from %s to %s is not supported by the sandbox", from, to)
}

// castElem casts one element of a structural value.
func castElem(raw json.RawMessage, from, to Type) (json.RawMessage, error) {
	v, err := elemValue(raw, from)
	if err != nil || v == nil {
		return json.RawMessage("null"), err
	}
	c, err := castValue(v, from, to)
	if err != nil {
		return nil, err
	}
	return elemJSON(c, to)
}

// castToJSON is CAST(x AS JSON): a string becomes a JSON string, a number
// a JSON number, an array a JSON array, a map a JSON object (keys as
// text), a row a JSON object of its named fields (an array when they have
// no names).
func castToJSON(v driver.Value, from Type) (driver.Value, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, v, from); err != nil {
		return nil, err
	}
	return b.String(), nil
}

func writeJSON(b *bytes.Buffer, v driver.Value, t Type) error {
	if v == nil {
		b.WriteString("null")
		return nil
	}
	switch t.Base {
	case tBoolean:
		n, _ := toInt(v)
		b.WriteString(strconv.FormatBool(n != 0))
	case tTinyint, tSmallint, tInteger, tBigint:
		n, _ := toInt(v)
		b.WriteString(strconv.FormatInt(n, 10))
	case tReal, tDouble:
		f, _ := floatOf(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			q, _ := jsonString(javaDouble(f))
			b.WriteString(q)
		} else {
			b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		}
	case tDecimal:
		d, _ := decimalOf(v)
		b.WriteString(d.rescale(t.S).String())
	case tJSON:
		b.WriteString(text(v))
	case tArray:
		elems, err := arrayElems(v)
		if err != nil {
			return err
		}
		b.WriteByte('[')
		for i, e := range elems {
			if i > 0 {
				b.WriteByte(',')
			}
			ev, err := elemValue(e, *t.Elem)
			if err != nil {
				return err
			}
			if err := writeJSON(b, ev, *t.Elem); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case tMap:
		pairs, err := mapPairs(v)
		if err != nil {
			return err
		}
		b.WriteByte('{')
		for i, kv := range pairs {
			if i > 0 {
				b.WriteByte(',')
			}
			k, err := elemValue(kv[0], *t.Key)
			if err != nil {
				return err
			}
			ks, _ := render(k, *t.Key)
			q, _ := jsonString(ks)
			b.WriteString(q + ":")
			val, err := elemValue(kv[1], *t.Elem)
			if err != nil {
				return err
			}
			if err := writeJSON(b, val, *t.Elem); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case tRow:
		fields, err := arrayElems(v)
		if err != nil {
			return err
		}
		named := len(t.Fields) > 0 && t.Fields[0].Name != ""
		open, close := byte('['), byte(']')
		if named {
			open, close = '{', '}'
		}
		b.WriteByte(open)
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			if named {
				q, _ := jsonString(t.Fields[i].Name)
				b.WriteString(q + ":")
			}
			fv, err := elemValue(f, t.Fields[i].Type)
			if err != nil {
				return err
			}
			if err := writeJSON(b, fv, t.Fields[i].Type); err != nil {
				return err
			}
		}
		b.WriteByte(close)
	default:
		s, _ := render(v, t)
		q, _ := jsonString(s)
		b.WriteString(q)
	}
	return nil
}

// castFromJSON is CAST(json AS t) for scalars and structures.
func castFromJSON(v driver.Value, to Type) (driver.Value, error) {
	raw := json.RawMessage(text(v))
	if isNullJSON(raw) {
		return nil, nil
	}
	fail := func() (driver.Value, error) {
		return nil, fnError(invalidCast, "Cannot cast to %s. %s", to, strings.TrimSpace(text(v)))
	}
	switch to.Base {
	case tArray:
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			return fail()
		}
		out := make([]json.RawMessage, len(elems))
		for i, e := range elems {
			c, err := castFromJSON(string(e), *to.Elem)
			if err != nil {
				return nil, err
			}
			if out[i], err = elemJSON(c, *to.Elem); err != nil {
				return nil, err
			}
		}
		return joinJSON(out), nil
	case tMap:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return fail()
		}
		keys := sortedKeys(obj)
		out := make([]json.RawMessage, 0, len(obj))
		for _, k := range keys {
			kv, err := castValue(k, typVarchar, *to.Key)
			if err != nil {
				return nil, err
			}
			kj, err := elemJSON(kv, *to.Key)
			if err != nil {
				return nil, err
			}
			c, err := castFromJSON(string(obj[k]), *to.Elem)
			if err != nil {
				return nil, err
			}
			vj, err := elemJSON(c, *to.Elem)
			if err != nil {
				return nil, err
			}
			out = append(out, json.RawMessage(joinJSON([]json.RawMessage{kj, vj})))
		}
		return joinJSON(out), nil
	case tRow:
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) == nil {
			if len(elems) != len(to.Fields) {
				return fail()
			}
		} else {
			var obj map[string]json.RawMessage
			if json.Unmarshal(raw, &obj) != nil {
				return fail()
			}
			for _, f := range to.Fields {
				elems = append(elems, obj[strings.ToLower(f.Name)])
			}
		}
		out := make([]json.RawMessage, len(elems))
		for i, e := range elems {
			c, err := castFromJSON(string(e), to.Fields[i].Type)
			if err != nil {
				return nil, err
			}
			if out[i], err = elemJSON(c, to.Fields[i].Type); err != nil {
				return nil, err
			}
		}
		return joinJSON(out), nil
	}
	var x any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if d.Decode(&x) != nil {
		return fail()
	}
	switch y := x.(type) {
	case string:
		return castValue(y, typVarchar, to)
	case json.Number:
		if to.isIntegral() {
			if n, err := y.Int64(); err == nil {
				return castValue(n, typBigint, to)
			}
		}
		return castValue(y.String(), typVarchar, to)
	case bool:
		return castValue(boolInt(y), typBoolean, to)
	}
	return fail()
}
