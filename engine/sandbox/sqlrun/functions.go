package sqlrun

import (
	"strings"
)

// The SQL functions the engine knows, with Trino's signatures (from the
// Trino documentation's functions pages, docs/src/main/sphinx/functions/*.md
// in trinodb/trino): what argument types each takes, what type it
// returns, and the SQLite SQL (native functions where SQLite's meaning is
// Trino's, the engine's Go functions otherwise).

type fnKind int

const (
	scalarFn fnKind = iota
	aggregateFn
	windowFn // ranking and navigation functions: only with OVER
)

type callSQL struct {
	args     []string
	types    []Type
	rt       Type
	distinct string // "DISTINCT " or ""
	orderBy  string // " ORDER BY ..." inside an aggregate, or ""
}

type function struct {
	kind  fnKind
	usage string // the signatures, for "Expected: ..."
	// resolve returns the result type and the types the arguments are
	// coerced to (nil: as they are); ok false when no signature fits.
	resolve func(args []Type) (rt Type, want []Type, ok bool)
	sql     func(a callSQL) string
}

// accepts reports whether an argument of type from may be passed where a
// parameter of type to is declared: an implicit coercion, or a char or
// varchar to a string parameter.
func accepts(from, to Type) bool {
	if to.Base == tVarchar && from.isString() {
		return true
	}
	return canCoerce(from, to)
}

// sig is one fixed signature: result and parameter types as type names.
func sig(result string, params ...string) func([]Type) (Type, []Type, bool) {
	rt := mustType(result)
	ps := make([]Type, len(params))
	for i, p := range params {
		ps[i] = mustType(p)
	}
	return func(args []Type) (Type, []Type, bool) {
		if len(args) != len(ps) {
			return Type{}, nil, false
		}
		for i, a := range args {
			if !accepts(a, ps[i]) {
				return Type{}, nil, false
			}
		}
		want := make([]Type, len(ps))
		for i := range ps {
			want[i] = ps[i]
			if ps[i].Base == tVarchar && args[i].isString() {
				want[i] = args[i]
			}
		}
		return rt, want, true
	}
}

// anyOf tries signatures in order.
func anyOf(sigs ...func([]Type) (Type, []Type, bool)) func([]Type) (Type, []Type, bool) {
	return func(args []Type) (Type, []Type, bool) {
		for _, s := range sigs {
			if rt, want, ok := s(args); ok {
				return rt, want, true
			}
		}
		return Type{}, nil, false
	}
}

// callOf renders name(args...).
func callOf(name string) func(callSQL) string {
	return func(a callSQL) string { return name + "(" + a.distinct + strings.Join(a.args, ", ") + a.orderBy + ")" }
}

// callTyped renders name(args..., 'result type').
func callTyped(name string) func(callSQL) string {
	return func(a callSQL) string {
		return name + "(" + strings.Join(append(append([]string(nil), a.args...), quoteString(a.rt.String())), ", ") + ")"
	}
}

// callArgTyped renders name(args..., 'type of argument 0').
func callArgTyped(name string) func(callSQL) string {
	return func(a callSQL) string {
		return name + "(" + strings.Join(append(append([]string(nil), a.args...), quoteString(a.types[0].String())), ", ") + ")"
	}
}

func unaryNumeric(args []Type) (Type, []Type, bool) {
	if len(args) != 1 || !args[0].isNumeric() && args[0].Base != tUnknown {
		return Type{}, nil, false
	}
	if args[0].Base == tUnknown {
		return typDouble, []Type{typDouble}, true
	}
	return args[0], nil, true
}

func toDouble(n int) func([]Type) (Type, []Type, bool) {
	return func(args []Type) (Type, []Type, bool) {
		if len(args) != n {
			return Type{}, nil, false
		}
		want := make([]Type, n)
		for i, a := range args {
			if !a.isNumeric() && a.Base != tUnknown {
				return Type{}, nil, false
			}
			want[i] = typDouble
		}
		return typDouble, want, true
	}
}

func mathFn(name string) *function {
	return &function{usage: name + "(double)", resolve: toDouble(1), sql: func(a callSQL) string {
		return "athena_math(" + quoteString(name) + ", " + a.args[0] + ")"
	}}
}

func mathFn2(name string) *function {
	return &function{usage: name + "(double, double)", resolve: toDouble(2), sql: func(a callSQL) string {
		return "athena_math2(" + quoteString(name) + ", " + a.args[0] + ", " + a.args[1] + ")"
	}}
}

// sameCommon gives the common type of every argument (at least min).
func sameCommon(minArgs int, pred func(Type) bool) func([]Type) (Type, []Type, bool) {
	return func(args []Type) (Type, []Type, bool) {
		if len(args) < minArgs {
			return Type{}, nil, false
		}
		t := typUnknown
		for _, a := range args {
			u, ok := commonType(t, a)
			if !ok {
				return Type{}, nil, false
			}
			t = u
		}
		if pred != nil && !pred(t) {
			return Type{}, nil, false
		}
		want := make([]Type, len(args))
		for i := range want {
			want[i] = t
		}
		return t, want, true
	}
}

func timeArg(t Type) bool {
	return t.Base == tDate || t.Base == tTimestamp || t.Base == tTimestampTZ || t.Base == tUnknown
}

// datePart is year(x), month(x), ...: bigint of a date or timestamp.
func datePart(name string) *function {
	return &function{usage: name + "(timestamp), " + name + "(date)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 || !timeArg(args[0]) {
			return Type{}, nil, false
		}
		return typBigint, nil, true
	}, sql: func(a callSQL) string { return "athena_extract(" + quoteString(name) + ", " + a.args[0] + ")" }}
}

func arrayArg(i int) func([]Type) bool {
	return func(args []Type) bool { return len(args) > i && args[i].Base == tArray }
}

// builtins is the function table, built once per engine.
func builtins() map[string]*function {
	f := map[string]*function{}
	str := func(name, result string, impl string, params ...string) {
		f[name] = &function{usage: name + "(" + strings.Join(params, ", ") + ")", resolve: sig(result, params...), sql: callOf(impl)}
	}

	// Strings.
	f["length"] = &function{usage: "length(varchar), length(varbinary)", resolve: anyOf(sig("bigint", "varchar"), sig("bigint", "varbinary")), sql: callOf("length")}
	for _, n := range []string{"lower", "upper"} {
		n := n
		f[n] = &function{usage: n + "(varchar)", resolve: func(args []Type) (Type, []Type, bool) {
			if len(args) != 1 || !args[0].isString() && args[0].Base != tUnknown {
				return Type{}, nil, false
			}
			if args[0].Base == tUnknown {
				return typVarchar, nil, true
			}
			return args[0], nil, true
		}, sql: callOf("athena_" + n)}
	}
	f["substr"] = &function{usage: "substr(varchar, bigint), substr(varchar, bigint, bigint)", resolve: anyOf(sig("varchar", "varchar", "bigint"), sig("varchar", "varchar", "bigint", "bigint")), sql: callOf("athena_substr")}
	f["substring"] = f["substr"]
	f["replace"] = &function{usage: "replace(varchar, varchar), replace(varchar, varchar, varchar)", resolve: anyOf(sig("varchar", "varchar", "varchar"), sig("varchar", "varchar", "varchar", "varchar")),
		sql: func(a callSQL) string {
			if len(a.args) == 2 {
				return "replace(" + a.args[0] + ", " + a.args[1] + ", '')"
			}
			return "replace(" + strings.Join(a.args, ", ") + ")"
		}}
	for _, n := range []string{"trim", "ltrim", "rtrim"} {
		f[n] = &function{usage: n + "(varchar), " + n + "(varchar, varchar)", resolve: anyOf(sig("varchar", "varchar"), sig("varchar", "varchar", "varchar")), sql: callOf("athena_" + n)}
	}
	str("strpos", "bigint", "instr", "varchar", "varchar")
	str("split_part", "varchar", "athena_split_part", "varchar", "varchar", "bigint")
	f["split"] = &function{usage: "split(varchar, varchar), split(varchar, varchar, bigint)", resolve: anyOf(sig("array(varchar)", "varchar", "varchar"), sig("array(varchar)", "varchar", "varchar", "bigint")), sql: callOf("athena_split")}
	str("regexp_like", "boolean", "athena_regexp_like", "varchar", "varchar")
	f["regexp_extract"] = &function{usage: "regexp_extract(varchar, varchar), regexp_extract(varchar, varchar, bigint)", resolve: anyOf(sig("varchar", "varchar", "varchar"), sig("varchar", "varchar", "varchar", "bigint")), sql: callOf("athena_regexp_extract")}
	f["regexp_extract_all"] = &function{usage: "regexp_extract_all(varchar, varchar), regexp_extract_all(varchar, varchar, bigint)", resolve: anyOf(sig("array(varchar)", "varchar", "varchar"), sig("array(varchar)", "varchar", "varchar", "bigint")), sql: callOf("athena_regexp_extract_all")}
	f["regexp_replace"] = &function{usage: "regexp_replace(varchar, varchar), regexp_replace(varchar, varchar, varchar)", resolve: anyOf(sig("varchar", "varchar", "varchar"), sig("varchar", "varchar", "varchar", "varchar")), sql: callOf("athena_regexp_replace")}
	str("regexp_count", "bigint", "athena_regexp_count", "varchar", "varchar")
	str("regexp_split", "array(varchar)", "athena_regexp_split", "varchar", "varchar")
	str("lpad", "varchar", "athena_lpad", "varchar", "bigint", "varchar")
	str("rpad", "varchar", "athena_rpad", "varchar", "bigint", "varchar")
	str("starts_with", "boolean", "athena_starts_with", "varchar", "varchar")
	str("chr", "varchar", "char", "bigint")
	str("codepoint", "integer", "unicode", "varchar")
	str("to_utf8", "varbinary", "athena_to_utf8", "varchar")
	str("from_utf8", "varchar", "athena_from_utf8", "varbinary")
	str("to_hex", "varchar", "athena_to_hex", "varbinary")
	str("from_hex", "varbinary", "athena_from_hex", "varchar")
	str("to_base64", "varchar", "athena_to_base64", "varbinary")
	str("from_base64", "varbinary", "athena_from_base64", "varchar")
	for _, h := range []string{"md5", "sha1", "sha256", "sha512"} {
		h := h
		f[h] = &function{usage: h + "(varbinary)", resolve: sig("varbinary", "varbinary"), sql: func(a callSQL) string {
			return "athena_hash(" + quoteString(h) + ", " + a.args[0] + ")"
		}}
	}
	f["concat"] = &function{usage: "concat(varchar, ...), concat(array(E), ...)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) == 0 {
			return Type{}, nil, false
		}
		if args[0].Base == tArray {
			return sameCommon(1, func(t Type) bool { return t.Base == tArray })(args)
		}
		for _, a := range args {
			if !a.isString() && a.Base != tUnknown {
				return Type{}, nil, false
			}
		}
		return typVarchar, nil, true
	}, sql: func(a callSQL) string {
		if a.rt.Base == tArray {
			return "athena_array_concat(" + quoteString(a.rt.String()) + ", " + strings.Join(a.args, ", ") + ")"
		}
		return "athena_concat(" + strings.Join(a.args, ", ") + ")"
	}}
	f["reverse"] = &function{usage: "reverse(varchar), reverse(varbinary), reverse(array(E))", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 {
			return Type{}, nil, false
		}
		switch {
		case args[0].isString(), args[0].Base == tUnknown:
			return typVarchar, nil, true
		case args[0].Base == tVarbinary, args[0].Base == tArray:
			return args[0], nil, true
		}
		return Type{}, nil, false
	}, sql: callTyped("athena_reverse")}

	// Math.
	f["abs"] = &function{usage: "abs(bigint), abs(double), abs(decimal(p,s))", resolve: unaryNumeric, sql: callTyped("athena_abs")}
	for _, n := range []string{"ceil", "ceiling", "floor"} {
		n := n
		f[n] = &function{usage: n + "(double), " + n + "(decimal(p,s))", resolve: func(args []Type) (Type, []Type, bool) {
			rt, want, ok := unaryNumeric(args)
			if ok && rt.Base == tDecimal {
				rt = decimalType(rt.P-rt.S+min(rt.S, 1), 0)
			}
			return rt, want, ok
		}, sql: func(a callSQL) string {
			name := n
			if name == "ceiling" {
				name = "ceil"
			}
			return "athena_round_fn(" + quoteString(name) + ", " + a.args[0] + ", " + quoteString(a.types[0].String()) + ", " + quoteString(a.rt.String()) + ")"
		}}
	}
	f["round"] = &function{usage: "round(double), round(double, integer), round(decimal(p,s)), round(decimal(p,s), integer)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) < 1 || len(args) > 2 {
			return Type{}, nil, false
		}
		rt, _, ok := unaryNumeric(args[:1])
		if !ok || len(args) == 2 && !args[1].isIntegral() {
			return Type{}, nil, false
		}
		if rt.Base == tDecimal && len(args) == 1 {
			rt = decimalType(rt.P-rt.S+min(rt.S, 1), 0)
		}
		want := []Type{rt}
		if args[0].Base != tDecimal && len(args) == 1 && rt.Base == tDecimal {
			want = nil
		}
		if len(args) == 2 {
			want = []Type{args[0], typInteger}
			if args[0].Base == tUnknown {
				want[0] = typDouble
			}
		} else {
			want = []Type{args[0]}
			if args[0].Base == tUnknown {
				want[0] = typDouble
			}
		}
		return rt, want, true
	}, sql: func(a callSQL) string {
		digits := "0"
		if len(a.args) == 2 {
			digits = a.args[1]
		}
		return "athena_round(" + a.args[0] + ", " + digits + ", " + quoteString(a.types[0].String()) + ", " + quoteString(a.rt.String()) + ")"
	}}
	f["truncate"] = &function{usage: "truncate(double)", resolve: toDouble(1), sql: func(a callSQL) string { return "athena_math('truncate', " + a.args[0] + ")" }}
	for _, n := range []string{"sqrt", "cbrt", "exp", "ln", "log2", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "degrees", "radians"} {
		f[n] = mathFn(n)
	}
	for _, n := range []string{"power", "pow", "atan2", "log"} {
		f[n] = mathFn2(n)
	}
	f["sign"] = &function{usage: "sign(x)", resolve: unaryNumeric, sql: callTyped("athena_sign")}
	f["pi"] = &function{usage: "pi()", resolve: sig("double"), sql: func(callSQL) string { return floatSQL(3.141592653589793) }}
	f["e"] = &function{usage: "e()", resolve: sig("double"), sql: func(callSQL) string { return floatSQL(2.718281828459045) }}
	f["nan"] = &function{usage: "nan()", resolve: sig("double"), sql: func(callSQL) string { return "'NaN'" }}
	f["infinity"] = &function{usage: "infinity()", resolve: sig("double"), sql: func(callSQL) string { return "9e999" }}
	for _, n := range []string{"is_nan", "is_finite", "is_infinite"} {
		n := n
		f[n] = &function{usage: n + "(double)", resolve: sig("boolean", "double"), sql: func(a callSQL) string {
			return "athena_float_test(" + quoteString(n) + ", " + a.args[0] + ")"
		}}
	}
	f["random"] = &function{usage: "random(), random(bigint)", resolve: anyOf(sig("double"), func(args []Type) (Type, []Type, bool) {
		if len(args) == 1 && args[0].isIntegral() {
			return args[0], nil, true
		}
		return Type{}, nil, false
	}), sql: func(a callSQL) string {
		if len(a.args) == 1 {
			return "athena_random_n(" + a.args[0] + ")"
		}
		return "athena_random()"
	}}
	f["rand"] = f["random"]
	for _, n := range []string{"greatest", "least"} {
		n := n
		f[n] = &function{usage: n + "(E, ...)", resolve: sameCommon(1, Type.orderable), sql: func(a callSQL) string {
			return "athena_" + n + "(" + quoteString(a.rt.String()) + ", " + strings.Join(a.args, ", ") + ")"
		}}
	}

	// Conditions and types.
	f["coalesce"] = &function{usage: "coalesce(E, ...)", resolve: sameCommon(1, nil), sql: func(a callSQL) string {
		if len(a.args) == 1 {
			return a.args[0]
		}
		return "coalesce(" + strings.Join(a.args, ", ") + ")"
	}}
	f["nullif"] = &function{usage: "nullif(E, E)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 2 {
			return Type{}, nil, false
		}
		t, ok := commonType(args[0], args[1])
		if !ok || !t.comparable() {
			return Type{}, nil, false
		}
		return args[0], []Type{t, t}, true
	}, sql: func(a callSQL) string {
		return "CASE WHEN " + a.args[0] + " = " + a.args[1] + collation(a.types[0]) + " THEN NULL ELSE " + a.args[0] + " END"
	}}
	f["if"] = &function{usage: "if(boolean, E), if(boolean, E, E)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) < 2 || len(args) > 3 || args[0].Base != tBoolean && args[0].Base != tUnknown {
			return Type{}, nil, false
		}
		rt, want, ok := sameCommon(1, nil)(args[1:])
		if !ok {
			return Type{}, nil, false
		}
		return rt, append([]Type{typBoolean}, want...), true
	}, sql: func(a callSQL) string {
		s := "CASE WHEN " + a.args[0] + " THEN " + a.args[1]
		if len(a.args) == 3 {
			s += " ELSE " + a.args[2]
		}
		return s + " END"
	}}
	f["try"] = &function{usage: "try(E)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 {
			return Type{}, nil, false
		}
		return args[0], nil, true
	}, sql: func(a callSQL) string { return tryRewrite(a.args[0]) }}
	f["typeof"] = &function{usage: "typeof(E)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 {
			return Type{}, nil, false
		}
		return typVarchar, nil, true
	}, sql: func(a callSQL) string { return quoteString(a.types[0].String()) }}

	// Dates and times.
	for _, n := range []string{"year", "month", "day", "day_of_month", "hour", "minute", "second", "quarter", "day_of_week", "dow", "day_of_year", "doy", "week", "week_of_year", "year_of_week", "yow", "millisecond"} {
		f[n] = datePart(n)
	}
	f["date_trunc"] = &function{usage: "date_trunc(varchar, x)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 2 || !accepts(args[0], typVarchar) || !timeArg(args[1]) {
			return Type{}, nil, false
		}
		return args[1], nil, true
	}, sql: callTyped("athena_date_trunc")}
	f["date_add"] = &function{usage: "date_add(varchar, bigint, x)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 3 || !accepts(args[0], typVarchar) || !args[1].isIntegral() && args[1].Base != tUnknown || !timeArg(args[2]) {
			return Type{}, nil, false
		}
		return args[2], nil, true
	}, sql: callTyped("athena_date_add")}
	f["date_diff"] = &function{usage: "date_diff(varchar, x, x)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 3 || !accepts(args[0], typVarchar) || !timeArg(args[1]) || !timeArg(args[2]) {
			return Type{}, nil, false
		}
		return typBigint, nil, true
	}, sql: callOf("athena_date_diff")}
	f["date_format"] = &function{usage: "date_format(timestamp, varchar)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 2 || !timeArg(args[0]) || !accepts(args[1], typVarchar) {
			return Type{}, nil, false
		}
		return typVarchar, nil, true
	}, sql: callOf("athena_date_format")}
	str("date_parse", "timestamp", "athena_date_parse", "varchar", "varchar")
	f["date"] = &function{usage: "date(varchar), date(timestamp)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 || !args[0].isString() && !timeArg(args[0]) {
			return Type{}, nil, false
		}
		return typDate, nil, true
	}, sql: func(a callSQL) string {
		return "athena_cast(" + a.args[0] + ", " + quoteString(a.types[0].String()) + ", 'date', 0)"
	}}
	f["from_unixtime"] = &function{usage: "from_unixtime(double)", resolve: sig("timestamp(3) with time zone", "double"), sql: callOf("athena_from_unixtime")}
	f["to_unixtime"] = &function{usage: "to_unixtime(timestamp)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 || !timeArg(args[0]) {
			return Type{}, nil, false
		}
		return typDouble, nil, true
	}, sql: callOf("athena_to_unixtime")}
	f["now"] = &function{usage: "now()", resolve: sig("timestamp(3) with time zone"), sql: func(callSQL) string { return "athena_now_tz()" }}
	f["current_timezone"] = &function{usage: "current_timezone()", resolve: sig("varchar"), sql: func(callSQL) string { return "'UTC'" }}
	str("from_iso8601_timestamp", "timestamp(3) with time zone", "athena_from_iso8601_timestamp", "varchar")
	str("from_iso8601_date", "date", "athena_from_iso8601_date", "varchar")
	f["to_iso8601"] = &function{usage: "to_iso8601(x)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 || !timeArg(args[0]) {
			return Type{}, nil, false
		}
		return typVarchar, nil, true
	}, sql: callArgTyped("athena_to_iso8601")}
	f["last_day_of_month"] = &function{usage: "last_day_of_month(x)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 || !timeArg(args[0]) {
			return Type{}, nil, false
		}
		return typDate, nil, true
	}, sql: callOf("athena_last_day_of_month")}

	// JSON.
	f["json_parse"] = &function{usage: "json_parse(varchar)", resolve: sig("json", "varchar"), sql: callOf("athena_json_parse")}
	f["json_format"] = &function{usage: "json_format(json)", resolve: sig("varchar", "json"), sql: func(a callSQL) string { return a.args[0] }}
	jsonOrVarchar := func(result string, extra ...string) func([]Type) (Type, []Type, bool) {
		return anyOf(sig(result, append([]string{"json"}, extra...)...), sig(result, append([]string{"varchar"}, extra...)...))
	}
	f["json_extract"] = &function{usage: "json_extract(json, varchar)", resolve: jsonOrVarchar("json", "varchar"), sql: callOf("athena_json_extract")}
	f["json_extract_scalar"] = &function{usage: "json_extract_scalar(json, varchar)", resolve: jsonOrVarchar("varchar", "varchar"), sql: callOf("athena_json_extract_scalar")}
	f["json_array_length"] = &function{usage: "json_array_length(json)", resolve: jsonOrVarchar("bigint"), sql: callOf("athena_json_array_length")}
	f["json_size"] = &function{usage: "json_size(json, varchar)", resolve: jsonOrVarchar("bigint", "varchar"), sql: callOf("athena_json_size")}
	f["json_array_get"] = &function{usage: "json_array_get(json, bigint)", resolve: jsonOrVarchar("json", "bigint"), sql: callOf("athena_json_array_get")}
	f["json_array_contains"] = &function{usage: "json_array_contains(json, value)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 2 || args[0].Base != tJSON && !args[0].isString() {
			return Type{}, nil, false
		}
		switch {
		case args[1].Base == tBoolean, args[1].isNumeric(), args[1].isString():
			return typBoolean, nil, true
		}
		return Type{}, nil, false
	}, sql: func(a callSQL) string {
		return "athena_json_array_contains(" + a.args[0] + ", " + a.args[1] + ", " + quoteString(a.types[1].String()) + ")"
	}}
	f["is_json_scalar"] = &function{usage: "is_json_scalar(json)", resolve: jsonOrVarchar("boolean"), sql: callOf("athena_is_json_scalar")}

	// Arrays and maps.
	f["cardinality"] = &function{usage: "cardinality(array(E)), cardinality(map(K,V))", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 || args[0].Base != tArray && args[0].Base != tMap {
			return Type{}, nil, false
		}
		return typBigint, nil, true
	}, sql: func(a callSQL) string { return "json_array_length(" + a.args[0] + ")" }}
	elemAndValue := func(args []Type) (Type, []Type, bool) {
		if len(args) != 2 || args[0].Base != tArray {
			return Type{}, nil, false
		}
		t, ok := commonType(*args[0].Elem, args[1])
		if !ok {
			return Type{}, nil, false
		}
		return typBoolean, []Type{arrayOf(t), t}, true
	}
	f["contains"] = &function{usage: "contains(array(E), E)", resolve: elemAndValue, sql: callArgTyped("athena_contains")}
	f["array_position"] = &function{usage: "array_position(array(E), E)", resolve: func(args []Type) (Type, []Type, bool) {
		_, want, ok := elemAndValue(args)
		return typBigint, want, ok
	}, sql: callArgTyped("athena_array_position")}
	f["array_remove"] = &function{usage: "array_remove(array(E), E)", resolve: func(args []Type) (Type, []Type, bool) {
		_, want, ok := elemAndValue(args)
		if !ok {
			return Type{}, nil, false
		}
		return want[0], want, true
	}, sql: callArgTyped("athena_array_remove")}
	f["array_join"] = &function{usage: "array_join(array(E), varchar), array_join(array(E), varchar, varchar)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) < 2 || len(args) > 3 || args[0].Base != tArray || !accepts(args[1], typVarchar) || len(args) == 3 && !accepts(args[2], typVarchar) {
			return Type{}, nil, false
		}
		return typVarchar, nil, true
	}, sql: func(a callSQL) string {
		repl := "NULL"
		if len(a.args) == 3 {
			repl = a.args[2]
		}
		return "athena_array_join(" + a.args[0] + ", " + a.args[1] + ", " + repl + ", " + quoteString(a.types[0].String()) + ")"
	}}
	arrayToSame := func(name string) *function {
		return &function{usage: name + "(array(E))", resolve: func(args []Type) (Type, []Type, bool) {
			if len(args) != 1 || args[0].Base != tArray {
				return Type{}, nil, false
			}
			return args[0], nil, true
		}, sql: func(a callSQL) string {
			return "athena_array_op(" + quoteString(name) + ", " + a.args[0] + ", " + quoteString(a.types[0].String()) + ")"
		}}
	}
	for _, n := range []string{"array_distinct", "array_sort"} {
		f[n] = arrayToSame(n)
	}
	for _, n := range []string{"array_max", "array_min"} {
		n := n
		f[n] = &function{usage: n + "(array(E))", resolve: func(args []Type) (Type, []Type, bool) {
			if len(args) != 1 || args[0].Base != tArray || !args[0].Elem.orderable() {
				return Type{}, nil, false
			}
			return *args[0].Elem, nil, true
		}, sql: func(a callSQL) string {
			return "athena_array_op(" + quoteString(n) + ", " + a.args[0] + ", " + quoteString(a.types[0].String()) + ")"
		}}
	}
	for _, n := range []string{"array_union", "array_intersect", "array_except"} {
		n := n
		f[n] = &function{usage: n + "(array(E), array(E))", resolve: sameCommon(2, func(t Type) bool { return t.Base == tArray }), sql: func(a callSQL) string {
			return "athena_array_set(" + quoteString(n) + ", " + a.args[0] + ", " + a.args[1] + ", " + quoteString(a.rt.String()) + ")"
		}}
	}
	f["arrays_overlap"] = &function{usage: "arrays_overlap(array(E), array(E))", resolve: func(args []Type) (Type, []Type, bool) {
		t, want, ok := sameCommon(2, func(t Type) bool { return t.Base == tArray })(args)
		_ = t
		return typBoolean, want, ok
	}, sql: func(a callSQL) string {
		return "athena_array_set('arrays_overlap', " + a.args[0] + ", " + a.args[1] + ", " + quoteString(a.types[0].String()) + ")"
	}}
	f["slice"] = &function{usage: "slice(array(E), bigint, bigint)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 3 || args[0].Base != tArray || !args[1].isIntegral() || !args[2].isIntegral() {
			return Type{}, nil, false
		}
		return args[0], nil, true
	}, sql: callArgTyped("athena_slice")}
	f["element_at"] = &function{usage: "element_at(array(E), bigint), element_at(map(K,V), K)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 2 {
			return Type{}, nil, false
		}
		switch {
		case args[0].Base == tArray && (args[1].isIntegral() || args[1].Base == tUnknown):
			return *args[0].Elem, nil, true
		case args[0].Base == tMap && canCoerce(args[1], *args[0].Key):
			return *args[0].Elem, []Type{args[0], *args[0].Key}, true
		}
		return Type{}, nil, false
	}, sql: func(a callSQL) string {
		if a.types[0].Base == tMap {
			return "athena_map_get(" + a.args[0] + ", " + a.args[1] + ", " + quoteString(a.types[0].String()) + ", 0)"
		}
		return "athena_element_at(" + a.args[0] + ", " + a.args[1] + ", " + quoteString(a.types[0].String()) + ")"
	}}
	f["flatten"] = &function{usage: "flatten(array(array(E)))", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 || args[0].Base != tArray || args[0].Elem.Base != tArray {
			return Type{}, nil, false
		}
		return *args[0].Elem, nil, true
	}, sql: callOf("athena_flatten")}
	f["sequence"] = &function{usage: "sequence(bigint, bigint), sequence(bigint, bigint, bigint)", resolve: anyOf(sig("array(bigint)", "bigint", "bigint"), sig("array(bigint)", "bigint", "bigint", "bigint")), sql: callOf("athena_sequence")}
	f["repeat"] = &function{usage: "repeat(E, bigint)", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 2 || !args[1].isIntegral() {
			return Type{}, nil, false
		}
		return arrayOf(args[0]), nil, true
	}, sql: func(a callSQL) string {
		return "athena_repeat(" + a.args[0] + ", " + a.args[1] + ", " + quoteString(a.rt.String()) + ")"
	}}
	f["map"] = &function{usage: "map(), map(array(K), array(V))", resolve: func(args []Type) (Type, []Type, bool) {
		switch {
		case len(args) == 0:
			return mapOf(typUnknown, typUnknown), nil, true
		case len(args) == 2 && args[0].Base == tArray && args[1].Base == tArray:
			return mapOf(*args[0].Elem, *args[1].Elem), nil, true
		}
		return Type{}, nil, false
	}, sql: func(a callSQL) string {
		if len(a.args) == 0 {
			return "'[]'"
		}
		return "athena_map(" + a.args[0] + ", " + a.args[1] + ", " + quoteString(a.rt.String()) + ")"
	}}
	f["map_keys"] = &function{usage: "map_keys(map(K,V))", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 || args[0].Base != tMap {
			return Type{}, nil, false
		}
		return arrayOf(*args[0].Key), nil, true
	}, sql: func(a callSQL) string { return "athena_map_part(" + a.args[0] + ", 0)" }}
	f["map_values"] = &function{usage: "map_values(map(K,V))", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 || args[0].Base != tMap {
			return Type{}, nil, false
		}
		return arrayOf(*args[0].Elem), nil, true
	}, sql: func(a callSQL) string { return "athena_map_part(" + a.args[0] + ", 1)" }}
	f["map_entries"] = &function{usage: "map_entries(map(K,V))", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 || args[0].Base != tMap {
			return Type{}, nil, false
		}
		return arrayOf(Type{Base: tRow, Fields: []Field{{Type: *args[0].Key}, {Type: *args[0].Elem}}}), nil, true
	}, sql: func(a callSQL) string { return "json(" + a.args[0] + ")" }}
	f["map_from_entries"] = &function{usage: "map_from_entries(array(row(K,V)))", resolve: func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 || args[0].Base != tArray || args[0].Elem.Base != tRow || len(args[0].Elem.Fields) != 2 {
			return Type{}, nil, false
		}
		return mapOf(args[0].Elem.Fields[0].Type, args[0].Elem.Fields[1].Type), nil, true
	}, sql: callTyped("athena_map_from_entries")}
	f["map_concat"] = &function{usage: "map_concat(map(K,V), ...)", resolve: sameCommon(1, func(t Type) bool { return t.Base == tMap }), sql: func(a callSQL) string {
		return "athena_map_concat(" + quoteString(a.rt.String()) + ", " + strings.Join(a.args, ", ") + ")"
	}}

	// Aggregates.
	agg := func(usage string, resolve func([]Type) (Type, []Type, bool), sql func(callSQL) string) *function {
		return &function{kind: aggregateFn, usage: usage, resolve: resolve, sql: sql}
	}
	f["count"] = agg("count(), count(E)", func(args []Type) (Type, []Type, bool) {
		if len(args) > 1 {
			return Type{}, nil, false
		}
		return typBigint, nil, true
	}, callOf("count"))
	f["count_if"] = agg("count_if(boolean)", sig("bigint", "boolean"), func(a callSQL) string {
		return "count(" + a.distinct + "CASE WHEN " + a.args[0] + " THEN 1 END)"
	})
	f["sum"] = agg("sum(bigint), sum(double), sum(decimal(p,s))", func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 {
			return Type{}, nil, false
		}
		switch t := args[0]; {
		case t.isIntegral():
			return typBigint, nil, true
		case t.isFloating():
			return t, nil, true
		case t.Base == tDecimal:
			return decimalType(38, t.S), nil, true
		case t.Base == tUnknown:
			return typBigint, nil, true
		}
		return Type{}, nil, false
	}, func(a callSQL) string {
		if a.rt.Base == tDecimal {
			return "athena_dsum(" + a.distinct + a.args[0] + ", " + itoa(a.rt.S) + ")"
		}
		if a.rt.isFloating() {
			return "athena_fsum(" + a.distinct + a.args[0] + ")"
		}
		return "sum(" + a.distinct + a.args[0] + ")"
	})
	f["avg"] = agg("avg(bigint), avg(double), avg(decimal(p,s))", func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 {
			return Type{}, nil, false
		}
		switch t := args[0]; {
		case t.isIntegral(), t.Base == tDouble, t.Base == tUnknown:
			return typDouble, nil, true
		case t.Base == tReal:
			return typReal, nil, true
		case t.Base == tDecimal:
			return t, nil, true
		}
		return Type{}, nil, false
	}, func(a callSQL) string {
		if a.rt.Base == tDecimal {
			return "athena_davg(" + a.distinct + a.args[0] + ", " + itoa(a.rt.S) + ")"
		}
		return "athena_favg(" + a.distinct + a.args[0] + ")"
	})
	for _, n := range []string{"min", "max"} {
		n := n
		f[n] = agg(n+"(E)", func(args []Type) (Type, []Type, bool) {
			if len(args) != 1 || !args[0].orderable() {
				return Type{}, nil, false
			}
			return args[0], nil, true
		}, func(a callSQL) string {
			if a.rt.isFloating() {
				return "athena_f" + n + "(" + a.distinct + a.args[0] + ")"
			}
			return n + "(" + a.distinct + a.args[0] + collation(a.rt) + ")"
		})
	}
	for _, n := range []string{"arbitrary", "any_value"} {
		f[n] = agg(n+"(E)", func(args []Type) (Type, []Type, bool) {
			if len(args) != 1 {
				return Type{}, nil, false
			}
			return args[0], nil, true
		}, callOf("athena_arbitrary"))
	}
	f["approx_distinct"] = agg("approx_distinct(E)", func(args []Type) (Type, []Type, bool) {
		if len(args) < 1 || len(args) > 2 {
			return Type{}, nil, false
		}
		return typBigint, nil, true
	}, func(a callSQL) string { return "count(DISTINCT " + a.args[0] + ")" })
	f["bool_and"] = agg("bool_and(boolean)", sig("boolean", "boolean"), callOf("min"))
	f["every"] = f["bool_and"]
	f["bool_or"] = agg("bool_or(boolean)", sig("boolean", "boolean"), callOf("max"))
	f["array_agg"] = agg("array_agg(E)", func(args []Type) (Type, []Type, bool) {
		if len(args) != 1 {
			return Type{}, nil, false
		}
		return arrayOf(args[0]), nil, true
	}, func(a callSQL) string {
		return "athena_array_agg(" + a.distinct + a.args[0] + ", " + quoteString(a.rt.String()) + a.orderBy + ")"
	})
	f["map_agg"] = agg("map_agg(K, V)", func(args []Type) (Type, []Type, bool) {
		if len(args) != 2 {
			return Type{}, nil, false
		}
		return mapOf(args[0], args[1]), nil, true
	}, func(a callSQL) string {
		return "athena_map_agg(" + a.args[0] + ", " + a.args[1] + ", " + quoteString(a.rt.String()) + ")"
	})
	for _, n := range []string{"max_by", "min_by"} {
		n := n
		f[n] = agg(n+"(V, K)", func(args []Type) (Type, []Type, bool) {
			if len(args) != 2 || !args[1].orderable() {
				return Type{}, nil, false
			}
			return args[0], nil, true
		}, func(a callSQL) string {
			return "athena_" + n + "(" + a.args[0] + ", " + a.args[1] + ", " + quoteString(a.types[1].String()) + ")"
		})
	}
	for _, n := range []string{"stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop", "geometric_mean"} {
		n := n
		f[n] = agg(n+"(double)", toDouble(1), func(a callSQL) string {
			return "athena_stat(" + a.distinct + a.args[0] + ", " + quoteString(n) + ")"
		})
	}
	f["approx_percentile"] = agg("approx_percentile(E, double)", func(args []Type) (Type, []Type, bool) {
		if len(args) != 2 || !args[0].isNumeric() || !args[1].isNumeric() {
			return Type{}, nil, false
		}
		return args[0], []Type{args[0], typDouble}, true
	}, func(a callSQL) string {
		return "athena_percentile(" + a.args[0] + ", " + a.args[1] + ", " + quoteString(a.rt.String()) + ")"
	})

	// Window functions.
	win := func(usage string, resolve func([]Type) (Type, []Type, bool), sql func(callSQL) string) *function {
		return &function{kind: windowFn, usage: usage, resolve: resolve, sql: sql}
	}
	for _, n := range []string{"row_number", "rank", "dense_rank"} {
		f[n] = win(n+"()", sig("bigint"), callOf(n))
	}
	for _, n := range []string{"percent_rank", "cume_dist"} {
		f[n] = win(n+"()", sig("double"), callOf(n))
	}
	f["ntile"] = win("ntile(bigint)", sig("bigint", "bigint"), callOf("ntile"))
	for _, n := range []string{"lag", "lead"} {
		n := n
		f[n] = win(n+"(E), "+n+"(E, bigint), "+n+"(E, bigint, E)", func(args []Type) (Type, []Type, bool) {
			if len(args) < 1 || len(args) > 3 || len(args) >= 2 && !args[1].isIntegral() {
				return Type{}, nil, false
			}
			if len(args) == 3 {
				t, ok := commonType(args[0], args[2])
				if !ok {
					return Type{}, nil, false
				}
				return t, []Type{t, args[1], t}, true
			}
			return args[0], nil, true
		}, callOf(n))
	}
	for _, n := range []string{"first_value", "last_value"} {
		f[n] = win(n+"(E)", func(args []Type) (Type, []Type, bool) {
			if len(args) != 1 {
				return Type{}, nil, false
			}
			return args[0], nil, true
		}, callOf(n))
	}
	f["nth_value"] = win("nth_value(E, bigint)", func(args []Type) (Type, []Type, bool) {
		if len(args) != 2 || !args[1].isIntegral() {
			return Type{}, nil, false
		}
		return args[0], nil, true
	}, callOf("nth_value"))
	return f
}
