package sqlrun

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"database/sql/driver"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"modernc.org/sqlite"
)

// The Go implementations of the functions compile writes calls to. Each
// takes and returns values in the internal form (values.go); a failure's
// message starts with its Athena error name, which runError finds in
// SQLite's error text.

func fnError(k errorKind, format string, args ...any) error {
	return errors.New(k.code + ": " + fmt.Sprintf(format, args...))
}

type fn = func(ctx *sqlite.FunctionContext, args []driver.Value) (driver.Value, error)

// runtime is what the functions of one engine share: caches of compiled
// patterns and parsed type names, and the clock.
type runtime struct {
	now     func() time.Time
	regexps sync.Map // pattern → *regexp.Regexp
	types   sync.Map // type name → Type
}

func (rt *runtime) regexp(p string) (*regexp.Regexp, error) {
	if re, ok := rt.regexps.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fnError(invalidArgument, "Invalid regular expression: %s", p)
	}
	rt.regexps.Store(p, re)
	return re, nil
}

// typ parses a type name a compiled query passes to a function.
func (rt *runtime) typ(v driver.Value) (Type, error) {
	s := text(v)
	if t, ok := rt.types.Load(s); ok {
		return t.(Type), nil
	}
	t, ok := ParseType(s)
	if !ok {
		return Type{}, fnError(internalError, "bad type %q", s)
	}
	rt.types.Store(s, t)
	return t, nil
}

// registerFunctions installs the functions on a driver of the engine's
// own, so that they reach only its connections.
func registerFunctions(d *sqlite.Driver, now func() time.Time) error {
	rt := &runtime{now: now}
	scalars := map[string]struct {
		n        int32
		f        fn
		volatile bool
	}{}
	add := func(name string, n int32, f fn) {
		scalars[name] = struct {
			n        int32
			f        fn
			volatile bool
		}{n, f, false}
	}
	volatile := func(name string, n int32, f fn) {
		scalars[name] = struct {
			n        int32
			f        fn
			volatile bool
		}{n, f, true}
	}
	rt.strings(add)
	rt.dates(add, volatile)
	rt.numbers(add, volatile)
	rt.complex(add)
	for name, s := range scalars {
		if rest, ok := strings.CutPrefix(name, "athena_"); ok {
			// The twin that try(...) calls (see tryRewrite).
			if err := register(d, tryPrefix+rest, s.n, tryable(s.f), s.volatile); err != nil {
				return err
			}
		}
		if err := register(d, name, s.n, s.f, s.volatile); err != nil {
			return err
		}
	}
	if err := rt.aggregates(d); err != nil {
		return err
	}
	return d.RegisterCollationUtf8("athena_decimal", compareDecimalText)
}

func register(d *sqlite.Driver, name string, n int32, f fn, volatile bool) error {
	if volatile {
		return d.RegisterScalarFunction(name, n, f)
	}
	return d.RegisterDeterministicScalarFunction(name, n, f)
}

// tryPrefix names the twin of each athena_ function that try(...) calls.
const tryPrefix = "athenatry_"

// tryHandled are the failures try(...) turns into NULL: "Division by zero,
// Invalid cast or function argument, Numeric value out of range" (Trino's
// conditional functions documentation, try).
var tryHandled = []errorKind{divisionByZero, invalidCast, invalidArgument, numericOutOfRange}

// tryable wraps f to return NULL instead of the failures try handles.
func tryable(f fn) fn {
	return func(ctx *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		v, err := f(ctx, a)
		if err != nil {
			for _, k := range tryHandled {
				if strings.HasPrefix(err.Error(), k.code+": ") {
					return nil, nil
				}
			}
		}
		return v, err
	}
}

// tryRewrite makes compiled SQL call the try twins of the engine's
// functions (athena_x( becomes athenatry_x(), outside quoted strings and
// names, so that the failures try handles come out as NULL.
func tryRewrite(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(sql) {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(sql))
			b.WriteString(sql[i:end])
			i = end
		case strings.HasPrefix(sql[i:], "athena_") && (i == 0 || !isIdentByte(sql[i-1])):
			j := i + len("athena_")
			for j < len(sql) && isIdentByte(sql[j]) {
				j++
			}
			if j < len(sql) && sql[j] == '(' {
				b.WriteString(tryPrefix)
				b.WriteString(sql[i+len("athena_") : j])
			} else {
				b.WriteString(sql[i:j])
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// anyNull reports whether any argument is NULL: most functions return
// NULL then.
func anyNull(a []driver.Value) bool {
	for _, v := range a {
		if v == nil {
			return true
		}
	}
	return false
}

// strict wraps f to return NULL when any argument is NULL.
func strict(f fn) fn {
	return func(ctx *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if anyNull(a) {
			return nil, nil
		}
		return f(ctx, a)
	}
}

func toInt(v driver.Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(x), x == math.Trunc(x)
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func (rt *runtime) strings(add func(string, int32, fn)) {
	add("athena_concat", -1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		var b strings.Builder
		for _, v := range a {
			if v == nil {
				return nil, nil
			}
			b.WriteString(text(v))
		}
		return b.String(), nil
	})
	add("athena_concat_binary", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		return append(append([]byte(nil), toBytes(a[0])...), toBytes(a[1])...), nil
	}))
	add("athena_lower", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		return strings.ToLower(text(a[0])), nil
	}))
	add("athena_upper", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		return strings.ToUpper(text(a[0])), nil
	}))
	// substr counts characters from 1; a negative start counts from the
	// end; a start of 0 or past the end gives ''.
	add("athena_substr", -1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		r := []rune(text(a[0]))
		start, _ := toInt(a[1])
		n := int64(len(r))
		if start < 0 {
			start = n + start + 1
		}
		if start <= 0 || start > n {
			return "", nil
		}
		end := n
		if len(a) == 3 {
			l, _ := toInt(a[2])
			if l < 0 {
				return "", nil
			}
			end = min(n, start-1+l)
		}
		return string(r[start-1 : end]), nil
	}))
	trim := func(name string, left, right bool) {
		add(name, -1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			s := text(a[0])
			cut := func(r rune) bool { return unicode.IsSpace(r) }
			if len(a) == 2 {
				set := text(a[1])
				cut = func(r rune) bool { return strings.ContainsRune(set, r) }
			}
			if left {
				s = strings.TrimLeftFunc(s, cut)
			}
			if right {
				s = strings.TrimRightFunc(s, cut)
			}
			return s, nil
		}))
	}
	trim("athena_trim", true, true)
	trim("athena_ltrim", true, false)
	trim("athena_rtrim", false, true)
	add("athena_split_part", 3, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		n, ok := toInt(a[2])
		if !ok || n < 1 {
			return nil, fnError(invalidArgument, "Index must be greater than zero")
		}
		parts := strings.Split(text(a[0]), text(a[1]))
		if text(a[1]) == "" {
			parts = []string{text(a[0])}
		}
		if int(n) > len(parts) {
			return nil, nil
		}
		return parts[n-1], nil
	}))
	add("athena_split", -1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		s, d := text(a[0]), text(a[1])
		if d == "" {
			return nil, fnError(invalidArgument, "The delimiter may not be the empty string")
		}
		limit := -1
		if len(a) == 3 {
			n, _ := toInt(a[2])
			if n <= 0 {
				return nil, fnError(invalidArgument, "Limit must be positive")
			}
			limit = int(n)
		}
		return stringsJSON(strings.SplitN(s, d, limit)), nil
	}))
	add("athena_regexp_like", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		re, err := rt.regexp(text(a[1]))
		if err != nil {
			return nil, err
		}
		return boolInt(re.MatchString(text(a[0]))), nil
	}))
	group := func(a []driver.Value, re *regexp.Regexp) (int, error) {
		g := int64(0)
		if len(a) == 3 {
			g, _ = toInt(a[2])
		}
		if g < 0 || int(g) > re.NumSubexp() {
			return 0, fnError(invalidArgument, "Pattern has %d groups. Cannot access group %d", re.NumSubexp(), g)
		}
		return int(g), nil
	}
	add("athena_regexp_extract", -1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		re, err := rt.regexp(text(a[1]))
		if err != nil {
			return nil, err
		}
		g, err := group(a, re)
		if err != nil {
			return nil, err
		}
		m := re.FindStringSubmatch(text(a[0]))
		if m == nil {
			return nil, nil
		}
		return m[g], nil
	}))
	add("athena_regexp_extract_all", -1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		re, err := rt.regexp(text(a[1]))
		if err != nil {
			return nil, err
		}
		g, err := group(a, re)
		if err != nil {
			return nil, err
		}
		out := []string{}
		for _, m := range re.FindAllStringSubmatch(text(a[0]), -1) {
			out = append(out, m[g])
		}
		return stringsJSON(out), nil
	}))
	add("athena_regexp_replace", -1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		re, err := rt.regexp(text(a[1]))
		if err != nil {
			return nil, err
		}
		repl := ""
		if len(a) == 3 {
			repl = text(a[2])
		}
		return re.ReplaceAllString(text(a[0]), repl), nil
	}))
	add("athena_regexp_count", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		re, err := rt.regexp(text(a[1]))
		if err != nil {
			return nil, err
		}
		return int64(len(re.FindAllStringIndex(text(a[0]), -1))), nil
	}))
	add("athena_regexp_split", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		re, err := rt.regexp(text(a[1]))
		if err != nil {
			return nil, err
		}
		return stringsJSON(re.Split(text(a[0]), -1)), nil
	}))
	pad := func(left bool) fn {
		return strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			s, fill := []rune(text(a[0])), []rune(text(a[2]))
			n, ok := toInt(a[1])
			if !ok || n < 0 || n > math.MaxInt32 {
				return nil, fnError(invalidArgument, "Target length must be in the range [0..2147483647]")
			}
			if int(n) <= len(s) {
				return string(s[:n]), nil
			}
			if len(fill) == 0 {
				return nil, fnError(invalidArgument, "Padding string must not be empty")
			}
			var p []rune
			for len(p) < int(n)-len(s) {
				p = append(p, fill[len(p)%len(fill)])
			}
			if left {
				return string(p) + string(s), nil
			}
			return string(s) + string(p), nil
		})
	}
	add("athena_lpad", 3, pad(true))
	add("athena_rpad", 3, pad(false))
	add("athena_pad_char", 2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[0] == nil {
			return nil, nil
		}
		n, _ := toInt(a[1])
		return padChar(text(a[0]), int(n)), nil
	})
	add("athena_starts_with", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		return boolInt(strings.HasPrefix(text(a[0]), text(a[1]))), nil
	}))
	add("athena_reverse", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := rt.typ(a[1])
		if err != nil {
			return nil, err
		}
		switch t.Base {
		case tVarbinary:
			b := append([]byte(nil), toBytes(a[0])...)
			for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
				b[i], b[j] = b[j], b[i]
			}
			return b, nil
		case tArray:
			elems, err := arrayElems(a[0])
			if err != nil {
				return nil, err
			}
			for i, j := 0, len(elems)-1; i < j; i, j = i+1, j-1 {
				elems[i], elems[j] = elems[j], elems[i]
			}
			return joinJSON(elems), nil
		}
		r := []rune(text(a[0]))
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r), nil
	}))
	add("athena_to_utf8", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		return []byte(text(a[0])), nil
	}))
	add("athena_from_utf8", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		return strings.ToValidUTF8(string(toBytes(a[0])), "\uFFFD"), nil
	}))
	add("athena_to_hex", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		return strings.ToUpper(hex.EncodeToString(toBytes(a[0]))), nil
	}))
	add("athena_from_hex", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		b, err := hex.DecodeString(text(a[0]))
		if err != nil {
			return nil, fnError(invalidArgument, "invalid hex character in %q", text(a[0]))
		}
		return b, nil
	}))
	add("athena_to_base64", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		return base64.StdEncoding.EncodeToString(toBytes(a[0])), nil
	}))
	add("athena_from_base64", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		b, err := base64.StdEncoding.DecodeString(text(a[0]))
		if err != nil {
			return nil, fnError(invalidArgument, "Illegal base64 input: %q", text(a[0]))
		}
		return b, nil
	}))
	add("athena_hash", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		b := toBytes(a[1])
		switch text(a[0]) {
		case "md5":
			s := md5.Sum(b)
			return s[:], nil
		case "sha1":
			s := sha1.Sum(b)
			return s[:], nil
		case "sha256":
			s := sha256.Sum256(b)
			return s[:], nil
		}
		s := sha512.Sum512(b)
		return s[:], nil
	}))
}

func toBytes(v driver.Value) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return []byte(text(v))
}

// padChar pads s with spaces to n characters, or cuts it to n, as char(n)
// holds it.
func padChar(s string, n int) string {
	r := utf8.RuneCountInString(s)
	if r >= n {
		return string([]rune(s)[:n])
	}
	return s + strings.Repeat(" ", n-r)
}

func (rt *runtime) dates(add, volatile func(string, int32, fn)) {
	add("athena_extract", 2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[1] == nil {
			return nil, nil
		}
		t, err := toTime(a[1])
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(text(a[0])) {
		case "year":
			return int64(t.Year()), nil
		case "month":
			return int64(t.Month()), nil
		case "day", "day_of_month":
			return int64(t.Day()), nil
		case "hour":
			return int64(t.Hour()), nil
		case "minute":
			return int64(t.Minute()), nil
		case "second":
			return int64(t.Second()), nil
		case "millisecond":
			return int64(t.Nanosecond() / 1e6), nil
		case "quarter":
			return int64(t.Month()-1)/3 + 1, nil
		case "doy", "day_of_year":
			return int64(t.YearDay()), nil
		case "dow", "day_of_week": // ISO: Monday 1 … Sunday 7
			if t.Weekday() == time.Sunday {
				return int64(7), nil
			}
			return int64(t.Weekday()), nil
		case "week", "week_of_year":
			_, w := t.ISOWeek()
			return int64(w), nil
		case "year_of_week", "yow":
			y, _ := t.ISOWeek()
			return int64(y), nil
		}
		return nil, fnError(notSupported, "EXTRACT(%s) is not supported by the sandbox", text(a[0]))
	})
	// datetime writes t back in the form of the type name's value.
	datetime := func(t time.Time, typ string) driver.Value {
		switch {
		case strings.HasPrefix(typ, "date"):
			return t.Format("2006-01-02")
		case strings.Contains(typ, "with time zone"):
			return formatTimestampTZ(t)
		}
		return formatTimestamp(t)
	}
	add("athena_date_trunc", 3, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := toTime(a[1])
		if err != nil {
			return nil, err
		}
		loc := t.Location()
		switch strings.ToLower(text(a[0])) {
		case "year":
			t = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, loc)
		case "quarter":
			t = time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, loc)
		case "month":
			t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
		case "week":
			wd := (int(t.Weekday()) + 6) % 7
			t = time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, loc)
		case "day":
			t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		case "hour":
			t = t.Truncate(time.Hour)
		case "minute":
			t = t.Truncate(time.Minute)
		case "second":
			t = t.Truncate(time.Second)
		default:
			return nil, fnError(invalidArgument, "'%s' is not a valid Timestamp field", text(a[0]))
		}
		return datetime(t, text(a[2])), nil
	}))
	add("athena_date_add", 4, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		n, ok := toInt(a[1])
		if !ok {
			return nil, fnError(invalidArgument, "date_add needs an integer amount")
		}
		t, err := toTime(a[2])
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(text(a[0])) {
		case "year":
			t = t.AddDate(int(n), 0, 0)
		case "quarter":
			t = t.AddDate(0, 3*int(n), 0)
		case "month":
			t = t.AddDate(0, int(n), 0)
		case "week":
			t = t.AddDate(0, 0, 7*int(n))
		case "day":
			t = t.AddDate(0, 0, int(n))
		case "hour":
			t = t.Add(time.Duration(n) * time.Hour)
		case "minute":
			t = t.Add(time.Duration(n) * time.Minute)
		case "second":
			t = t.Add(time.Duration(n) * time.Second)
		case "millisecond":
			t = t.Add(time.Duration(n) * time.Millisecond)
		default:
			return nil, fnError(invalidArgument, "'%s' is not a valid Timestamp field", text(a[0]))
		}
		return datetime(t, text(a[3])), nil
	}))
	add("athena_date_diff", 3, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t1, err := toTime(a[1])
		if err != nil {
			return nil, err
		}
		t2, err := toTime(a[2])
		if err != nil {
			return nil, err
		}
		d := t2.Sub(t1)
		switch strings.ToLower(text(a[0])) {
		case "year":
			return int64(monthsBetween(t1, t2) / 12), nil
		case "quarter":
			return int64(monthsBetween(t1, t2) / 3), nil
		case "month":
			return int64(monthsBetween(t1, t2)), nil
		case "week":
			return int64(d / (7 * 24 * time.Hour)), nil
		case "day":
			return int64(d / (24 * time.Hour)), nil
		case "hour":
			return int64(d / time.Hour), nil
		case "minute":
			return int64(d / time.Minute), nil
		case "second":
			return int64(d / time.Second), nil
		case "millisecond":
			return int64(d / time.Millisecond), nil
		}
		return nil, fnError(invalidArgument, "'%s' is not a valid Timestamp field", text(a[0]))
	}))
	add("athena_date_format", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := toTime(a[0])
		if err != nil {
			return nil, err
		}
		return mysqlFormat(t, text(a[1])), nil
	}))
	add("athena_date_parse", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := mysqlParse(text(a[0]), text(a[1]))
		if err != nil {
			return nil, fnError(invalidArgument, "Invalid format: \"%s\"", text(a[0]))
		}
		return formatTimestamp(t), nil
	}))
	add("athena_from_unixtime", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		f, ok := floatOf(a[0])
		if !ok {
			return nil, nil
		}
		sec, frac := math.Modf(f)
		return formatTimestampTZ(time.Unix(int64(sec), int64(frac*1e9)).UTC()), nil
	}))
	add("athena_to_unixtime", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := toTime(a[0])
		if err != nil {
			return nil, err
		}
		return float64(t.UnixMilli()) / 1000, nil
	}))
	add("athena_from_iso8601_timestamp", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
			if t, err := time.Parse(l, text(a[0])); err == nil {
				return formatTimestampTZ(t.UTC()), nil
			}
		}
		return nil, fnError(invalidArgument, "Invalid format: \"%s\"", text(a[0]))
	}))
	add("athena_from_iso8601_date", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if d, ok := parseDate(text(a[0])); ok {
			return d, nil
		}
		return nil, fnError(invalidArgument, "Invalid format: \"%s\"", text(a[0]))
	}))
	add("athena_to_iso8601", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := toTime(a[0])
		if err != nil {
			return nil, err
		}
		switch typ := text(a[1]); {
		case typ == "date":
			return t.Format("2006-01-02"), nil
		case strings.Contains(typ, "with time zone"):
			return t.Format("2006-01-02T15:04:05.000Z07:00"), nil
		}
		return t.Format("2006-01-02T15:04:05.000"), nil
	}))
	add("athena_last_day_of_month", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := toTime(a[0])
		if err != nil {
			return nil, err
		}
		return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Format("2006-01-02"), nil
	}))
	volatile("athena_now", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		return formatTimestamp(rt.now().UTC()), nil
	})
	volatile("athena_now_tz", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		return formatTimestampTZ(rt.now().UTC()), nil
	})
	volatile("athena_current_date", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		return rt.now().UTC().Format("2006-01-02"), nil
	})
}

// toTime reads a date, timestamp or timestamp with time zone value.
func toTime(v driver.Value) (time.Time, error) {
	s := text(v)
	if t, ok := parseTimestampTZ(s); ok {
		return t, nil
	}
	if t, ok := parseTimestamp(s); ok {
		return t, nil
	}
	return time.Time{}, fnError(invalidArgument, "Value cannot be cast to timestamp: %s", s)
}

func monthsBetween(a, b time.Time) int {
	m := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	// A month is complete only when the day and time have come round again.
	bRest := b.AddDate(0, -m, 0)
	if m > 0 && bRest.Before(a) {
		m--
	} else if m < 0 && bRest.After(a) {
		m++
	}
	return m
}

// mysqlFormat implements the common specifiers of Athena's date_format,
// which follows MySQL's.
func mysqlFormat(t time.Time, f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			b.WriteString(t.Format("2006"))
		case 'y':
			b.WriteString(t.Format("06"))
		case 'm':
			b.WriteString(t.Format("01"))
		case 'c':
			b.WriteString(strconv.Itoa(int(t.Month())))
		case 'd':
			b.WriteString(t.Format("02"))
		case 'e':
			b.WriteString(strconv.Itoa(t.Day()))
		case 'H':
			b.WriteString(t.Format("15"))
		case 'k':
			b.WriteString(strconv.Itoa(t.Hour()))
		case 'h', 'I':
			b.WriteString(t.Format("03"))
		case 'l':
			b.WriteString(t.Format("3"))
		case 'i':
			b.WriteString(t.Format("04"))
		case 's', 'S':
			b.WriteString(t.Format("05"))
		case 'f':
			b.WriteString(fmt.Sprintf("%06d", t.Nanosecond()/1000))
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'M':
			b.WriteString(t.Format("January"))
		case 'b':
			b.WriteString(t.Format("Jan"))
		case 'W':
			b.WriteString(t.Format("Monday"))
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'j':
			b.WriteString(fmt.Sprintf("%03d", t.YearDay()))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'r':
			b.WriteString(t.Format("03:04:05 PM"))
		default:
			r, size := utf8.DecodeRuneInString(f[i:])
			b.WriteRune(r)
			i += size - 1
		}
	}
	return b.String()
}

// mysqlParse reads s by a MySQL format (date_parse): the specifiers
// mysqlFormat writes, turned into a Go layout.
func mysqlParse(s, f string) (time.Time, error) {
	var layout strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			layout.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			layout.WriteString("2006")
		case 'y':
			layout.WriteString("06")
		case 'm':
			layout.WriteString("01")
		case 'c':
			layout.WriteString("1")
		case 'd':
			layout.WriteString("02")
		case 'e':
			layout.WriteString("2")
		case 'H', 'k':
			layout.WriteString("15")
		case 'h', 'I':
			layout.WriteString("03")
		case 'i':
			layout.WriteString("04")
		case 's', 'S':
			layout.WriteString("05")
		case 'f':
			layout.WriteString("000000")
		case 'p':
			layout.WriteString("PM")
		case 'M':
			layout.WriteString("January")
		case 'b':
			layout.WriteString("Jan")
		case 'T':
			layout.WriteString("15:04:05")
		default:
			layout.WriteByte(f[i])
		}
	}
	return time.Parse(layout.String(), s)
}

// stringsJSON is an array(varchar) value.
func stringsJSON(ss []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		q, _ := jsonString(s)
		b.WriteString(q)
	}
	b.WriteByte(']')
	return b.String()
}

// randomFloat is the one source of random doubles.
func randomFloat() float64 { return rand.Float64() }
