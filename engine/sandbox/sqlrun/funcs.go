package sqlrun

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"modernc.org/sqlite"
)

// Errors raised inside functions carry their Athena error name at the
// front of the message; runError finds it in SQLite's error text.
func fnError(k errorKind, format string, args ...any) error {
	return errors.New(k.code + ": " + fmt.Sprintf(format, args...))
}

// registerFunctions installs the Go implementations of Trino functions on
// a driver of the engine's own, so that they reach only its connections.
func registerFunctions(d *sqlite.Driver, now func() time.Time) error {
	var regexps sync.Map // pattern → *regexp.Regexp, compiled once per engine
	compile := func(p string) (*regexp.Regexp, error) {
		if re, ok := regexps.Load(p); ok {
			return re.(*regexp.Regexp), nil
		}
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fnError(invalidArgument, "Invalid regular expression: %s", p)
		}
		regexps.Store(p, re)
		return re, nil
	}
	type fn = func(ctx *sqlite.FunctionContext, args []driver.Value) (driver.Value, error)
	deterministic := map[string]struct {
		n int32
		f fn
	}{
		"athena_cast": {2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			return castValue(a[0], text(a[1]), false)
		}},
		"athena_try_cast": {2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			return castValue(a[0], text(a[1]), true)
		}},
		"athena_concat": {-1, concat},
		"athena_split_part": {3, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			if a[0] == nil || a[1] == nil || a[2] == nil {
				return nil, nil
			}
			n, ok := a[2].(int64)
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
		}},
		"athena_regexp_like": {2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			if a[0] == nil || a[1] == nil {
				return nil, nil
			}
			re, err := compile(text(a[1]))
			if err != nil {
				return nil, err
			}
			return boolInt(re.MatchString(text(a[0]))), nil
		}},
		"athena_regexp_extract": {-1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			if len(a) < 2 || len(a) > 3 {
				return nil, fnError(functionNotFound, "Unexpected parameters for function regexp_extract")
			}
			if a[0] == nil || a[1] == nil {
				return nil, nil
			}
			re, err := compile(text(a[1]))
			if err != nil {
				return nil, err
			}
			group := int64(0)
			if len(a) == 3 {
				group, _ = a[2].(int64)
			}
			if group < 0 || int(group) > re.NumSubexp() {
				return nil, fnError(invalidArgument, "Pattern has %d groups. Cannot access group %d", re.NumSubexp(), group)
			}
			m := re.FindStringSubmatch(text(a[0]))
			if m == nil {
				return nil, nil
			}
			return m[group], nil
		}},
		"athena_regexp_replace": {-1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			if len(a) < 2 || len(a) > 3 {
				return nil, fnError(functionNotFound, "Unexpected parameters for function regexp_replace")
			}
			for _, v := range a {
				if v == nil {
					return nil, nil
				}
			}
			re, err := compile(text(a[1]))
			if err != nil {
				return nil, err
			}
			repl := ""
			if len(a) == 3 {
				repl = text(a[2])
			}
			return re.ReplaceAllString(text(a[0]), repl), nil
		}},
		"athena_year":        {1, timePart(func(t time.Time) int64 { return int64(t.Year()) })},
		"athena_month":       {1, timePart(func(t time.Time) int64 { return int64(t.Month()) })},
		"athena_day":         {1, timePart(func(t time.Time) int64 { return int64(t.Day()) })},
		"athena_hour":        {1, timePart(func(t time.Time) int64 { return int64(t.Hour()) })},
		"athena_minute":      {1, timePart(func(t time.Time) int64 { return int64(t.Minute()) })},
		"athena_second":      {1, timePart(func(t time.Time) int64 { return int64(t.Second()) })},
		"athena_quarter":     {1, timePart(func(t time.Time) int64 { return int64(t.Month()-1)/3 + 1 })},
		"athena_day_of_year": {1, timePart(func(t time.Time) int64 { return int64(t.YearDay()) })},
		"athena_day_of_week": {1, timePart(func(t time.Time) int64 { // ISO: Monday 1 … Sunday 7
			if t.Weekday() == time.Sunday {
				return 7
			}
			return int64(t.Weekday())
		})},
		"athena_extract": {2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
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
			case "day":
				return int64(t.Day()), nil
			case "hour":
				return int64(t.Hour()), nil
			case "minute":
				return int64(t.Minute()), nil
			case "second":
				return int64(t.Second()), nil
			case "quarter":
				return int64(t.Month()-1)/3 + 1, nil
			case "doy", "day_of_year":
				return int64(t.YearDay()), nil
			}
			return nil, fnError(notSupported, "EXTRACT(%s) is not supported by the sandbox", text(a[0]))
		}},
		"athena_date_trunc": {2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			if a[0] == nil || a[1] == nil {
				return nil, nil
			}
			t, err := toTime(a[1])
			if err != nil {
				return nil, err
			}
			isDate := len(text(a[1])) == 10
			switch strings.ToLower(text(a[0])) {
			case "year":
				t = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
			case "quarter":
				t = time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
			case "month":
				t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
			case "week":
				wd := (int(t.Weekday()) + 6) % 7
				t = time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, time.UTC)
			case "day":
				t = t.Truncate(24 * time.Hour)
			case "hour":
				t = t.Truncate(time.Hour)
			case "minute":
				t = t.Truncate(time.Minute)
			case "second":
				t = t.Truncate(time.Second)
			default:
				return nil, fnError(invalidArgument, "'%s' is not a valid Timestamp field", text(a[0]))
			}
			if isDate {
				return t.Format("2006-01-02"), nil
			}
			return formatTimestamp(t), nil
		}},
		"athena_date_add": {3, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			if a[0] == nil || a[1] == nil || a[2] == nil {
				return nil, nil
			}
			n, ok := a[1].(int64)
			if !ok {
				return nil, fnError(invalidArgument, "date_add needs an integer amount")
			}
			t, err := toTime(a[2])
			if err != nil {
				return nil, err
			}
			isDate := len(text(a[2])) == 10
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
			default:
				return nil, fnError(invalidArgument, "'%s' is not a valid Timestamp field", text(a[0]))
			}
			if isDate {
				return t.Format("2006-01-02"), nil
			}
			return formatTimestamp(t), nil
		}},
		"athena_date_diff": {3, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			if a[0] == nil || a[1] == nil || a[2] == nil {
				return nil, nil
			}
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
			}
			return nil, fnError(invalidArgument, "'%s' is not a valid Timestamp field", text(a[0]))
		}},
		"athena_date_format": {2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			if a[0] == nil || a[1] == nil {
				return nil, nil
			}
			t, err := toTime(a[0])
			if err != nil {
				return nil, err
			}
			return mysqlFormat(t, text(a[1])), nil
		}},
		"athena_date": {1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			return castValue(a[0], "date", false)
		}},
		"athena_from_unixtime": {1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			f, ok := toFloat(a[0])
			if !ok {
				return nil, nil
			}
			sec, frac := math.Modf(f)
			return formatTimestamp(time.Unix(int64(sec), int64(frac*1e9)).UTC()), nil
		}},
		"athena_to_unixtime": {1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			if a[0] == nil {
				return nil, nil
			}
			t, err := toTime(a[0])
			if err != nil {
				return nil, err
			}
			return float64(t.UnixMilli()) / 1000, nil
		}},
		"athena_starts_with": {2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			if a[0] == nil || a[1] == nil {
				return nil, nil
			}
			return boolInt(strings.HasPrefix(text(a[0]), text(a[1]))), nil
		}},
		"athena_reverse": {1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			if a[0] == nil {
				return nil, nil
			}
			r := []rune(text(a[0]))
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			return string(r), nil
		}},
		"athena_lpad":  {3, pad(true)},
		"athena_rpad":  {3, pad(false)},
		"athena_trim":  {1, trimmer(strings.TrimSpace)},
		"athena_ltrim": {1, trimmer(func(s string) string { return strings.TrimLeft(s, " \t\n\r\f\v") })},
		"athena_rtrim": {1, trimmer(func(s string) string { return strings.TrimRight(s, " \t\n\r\f\v") })},
	}
	for name, f := range deterministic {
		if err := d.RegisterDeterministicScalarFunction(name, f.n, f.f); err != nil {
			return err
		}
	}
	volatile := map[string]fn{
		"athena_now": func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
			return formatTimestamp(now().UTC()), nil
		},
		"athena_current_date": func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
			return now().UTC().Format("2006-01-02"), nil
		},
		"athena_random": func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
			return rand.Float64(), nil
		},
	}
	for name, f := range volatile {
		if err := d.RegisterScalarFunction(name, 0, f); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// text renders any SQLite value as the string Trino would see after an
// implicit cast.
func text(v driver.Value) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return javaDouble(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func toFloat(v driver.Value) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

func toTime(v driver.Value) (time.Time, error) {
	s := text(v)
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

func timePart(f func(time.Time) int64) func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
	return func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[0] == nil {
			return nil, nil
		}
		t, err := toTime(a[0])
		if err != nil {
			return nil, err
		}
		return f(t), nil
	}
}

func trimmer(f func(string) string) func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
	return func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[0] == nil {
			return nil, nil
		}
		return f(text(a[0])), nil
	}
}

func pad(left bool) func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
	return func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[0] == nil || a[1] == nil || a[2] == nil {
			return nil, nil
		}
		s, fill := []rune(text(a[0])), []rune(text(a[2]))
		n, ok := a[1].(int64)
		if !ok || n < 0 {
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
	}
}

// concat is Trino's: NULL if any argument is NULL.
func concat(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
	var b strings.Builder
	for _, v := range a {
		if v == nil {
			return nil, nil
		}
		b.WriteString(text(v))
	}
	return b.String(), nil
}

// castValue converts v to the Athena type typ, as CAST does (errors) or
// TRY_CAST does (NULL).
func castValue(v driver.Value, typ string, try bool) (driver.Value, error) {
	if v == nil {
		return nil, nil
	}
	fail := func() (driver.Value, error) {
		if try {
			return nil, nil
		}
		return nil, fnError(invalidCast, "Cannot cast '%s' to %s", text(v), strings.ToUpper(typ))
	}
	switch b := baseType(typ); b {
	case "varchar", "char":
		return text(v), nil
	case "bigint", "integer", "smallint", "tinyint":
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case float64:
			if math.IsNaN(x) || math.Abs(x) >= 1<<63 {
				return fail()
			}
			n = int64(math.RoundToEven(x))
		default:
			var err error
			n, err = strconv.ParseInt(strings.TrimSpace(text(v)), 10, 64)
			if err != nil {
				return fail()
			}
		}
		limits := map[string]int64{"integer": math.MaxInt32, "smallint": math.MaxInt16, "tinyint": math.MaxInt8}
		if l, ok := limits[b]; ok && (n > l || n < -l-1) {
			return fail()
		}
		return n, nil
	case "double", "real", "decimal":
		f, ok := toFloat(v)
		if !ok {
			return fail()
		}
		return f, nil
	case "boolean":
		switch x := v.(type) {
		case int64:
			return boolInt(x != 0), nil
		case float64:
			return boolInt(x != 0), nil
		}
		switch strings.ToLower(strings.TrimSpace(text(v))) {
		case "true", "t", "1":
			return int64(1), nil
		case "false", "f", "0":
			return int64(0), nil
		}
		return fail()
	case "date":
		s := text(v)
		if d, ok := parseDate(s); ok {
			return d, nil
		}
		if t, ok := parseTimestamp(s); ok {
			return t.Format("2006-01-02"), nil
		}
		return fail()
	case "timestamp":
		if t, ok := parseTimestamp(text(v)); ok {
			return formatTimestamp(t), nil
		}
		return fail()
	}
	return nil, fnError(notSupported, "CAST to %s is not supported by the sandbox", typ)
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
