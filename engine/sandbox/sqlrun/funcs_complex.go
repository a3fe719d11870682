package sqlrun

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"modernc.org/sqlite"
)

// Arrays, maps, rows and JSON. Structural values are JSON text in the
// internal form of values.go; a function takes the type names it needs
// as arguments, so that its elements are read as what they are.

func arrayElems(v driver.Value) ([]json.RawMessage, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal([]byte(text(v)), &elems); err != nil {
		return nil, fnError(internalError, "bad array value %q", text(v))
	}
	return elems, nil
}

func mapPairs(v driver.Value) ([][2]json.RawMessage, error) {
	var pairs [][2]json.RawMessage
	if err := json.Unmarshal([]byte(text(v)), &pairs); err != nil {
		return nil, fnError(internalError, "bad map value %q", text(v))
	}
	return pairs, nil
}

func joinJSON(elems []json.RawMessage) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range elems {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e)
	}
	b.WriteByte(']')
	return b.String()
}

func jsonString(s string) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sameElem reports whether two elements of type t are equal (NULLs
// never are).
func sameElem(a, b json.RawMessage, t Type) bool {
	x, err1 := elemValue(a, t)
	y, err2 := elemValue(b, t)
	if err1 != nil || err2 != nil || x == nil || y == nil {
		return false
	}
	return compareValues(x, y, t) == 0
}

func (rt *runtime) complex(add func(string, int32, fn)) {
	elemType := func(v driver.Value) (Type, error) {
		t, err := rt.typ(v)
		if err != nil {
			return Type{}, err
		}
		if t.Elem == nil {
			return Type{}, fnError(internalError, "%s has no element type", t)
		}
		return *t.Elem, nil
	}
	// arrayAndElem reads the arguments of a function over an array and
	// one element (contains, array_position, array_remove): the array's
	// elements, the element as JSON of the array's element type, and that
	// type; ok is false when the array or the element is NULL (the
	// function is NULL).
	arrayAndElem := func(a []driver.Value) (elems []json.RawMessage, want json.RawMessage, et Type, ok bool, err error) {
		if a[0] == nil || a[1] == nil {
			return nil, nil, Type{}, false, nil
		}
		if et, err = elemType(a[2]); err != nil {
			return nil, nil, Type{}, false, err
		}
		if elems, err = arrayElems(a[0]); err != nil {
			return nil, nil, Type{}, false, err
		}
		if want, err = elemJSON(a[1], et); err != nil {
			return nil, nil, Type{}, false, err
		}
		return elems, want, et, true, nil
	}
	add("athena_array", -1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		et, err := elemType(a[0])
		if err != nil {
			return nil, err
		}
		elems := make([]json.RawMessage, len(a)-1)
		for i, v := range a[1:] {
			if elems[i], err = elemJSON(v, et); err != nil {
				return nil, err
			}
		}
		return joinJSON(elems), nil
	})
	add("athena_row", -1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := rt.typ(a[0])
		if err != nil {
			return nil, err
		}
		fields := make([]json.RawMessage, len(a)-1)
		for i, v := range a[1:] {
			if fields[i], err = elemJSON(v, t.Fields[i].Type); err != nil {
				return nil, err
			}
		}
		return joinJSON(fields), nil
	})
	add("athena_from_element", 2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[0] == nil {
			return nil, nil
		}
		t, err := rt.typ(a[1])
		if err != nil {
			return nil, err
		}
		switch t.Base {
		case tVarbinary:
			return elemValue(json.RawMessage(mustJSONString(text(a[0]))), t)
		case tReal, tDouble:
			if f, ok := floatOf(a[0]); ok {
				return floatValue(f), nil
			}
			return nil, nil
		case tJSON:
			if s, ok := a[0].(string); ok && !json.Valid([]byte(s)) {
				return mustJSONString(s), nil
			}
			return text(a[0]), nil
		}
		return a[0], nil
	})
	// athena_subscript is array[i]: 1-based, failing outside the array
	// as Trino does.
	add("athena_subscript", 3, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		et, err := elemType(a[2])
		if err != nil {
			return nil, err
		}
		elems, err := arrayElems(a[0])
		if err != nil {
			return nil, err
		}
		i, _ := toInt(a[1])
		switch {
		case i == 0:
			return nil, fnError(invalidArgument, "SQL array indices start at 1")
		case i < 0:
			return nil, fnError(invalidArgument, "Array subscript is negative: %d", i)
		case int(i) > len(elems):
			return nil, fnError(invalidArgument, "Array subscript must be less than or equal to array length: %d > %d", i, len(elems))
		}
		return elemValue(elems[i-1], et)
	}))
	// athena_element_at is element_at(array, i): NULL outside the array,
	// counting from the end when negative.
	add("athena_element_at", 3, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		et, err := elemType(a[2])
		if err != nil {
			return nil, err
		}
		elems, err := arrayElems(a[0])
		if err != nil {
			return nil, err
		}
		i, _ := toInt(a[1])
		if i < 0 {
			i = int64(len(elems)) + i + 1
		}
		if i == 0 && a[1] != nil {
			if n, _ := toInt(a[1]); n == 0 {
				return nil, fnError(invalidArgument, "SQL array indices start at 1")
			}
		}
		if i < 1 || int(i) > len(elems) {
			return nil, nil
		}
		return elemValue(elems[i-1], et)
	}))
	add("athena_map_get", 4, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := rt.typ(a[2])
		if err != nil {
			return nil, err
		}
		pairs, err := mapPairs(a[0])
		if err != nil {
			return nil, err
		}
		key, err := elemJSON(a[1], *t.Key)
		if err != nil {
			return nil, err
		}
		for _, kv := range pairs {
			if sameElem(kv[0], key, *t.Key) {
				return elemValue(kv[1], *t.Elem)
			}
		}
		if fail, _ := toInt(a[3]); fail == 1 {
			ks, _ := render(a[1], *t.Key)
			return nil, fnError(invalidArgument, "Key not present in map: %s", ks)
		}
		return nil, nil
	}))
	add("athena_array_concat", -1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		var out []json.RawMessage
		for _, v := range a[1:] {
			if v == nil {
				return nil, nil
			}
			elems, err := arrayElems(v)
			if err != nil {
				return nil, err
			}
			out = append(out, elems...)
		}
		return joinJSON(out), nil
	})
	add("athena_contains", 3, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		elems, want, et, ok, err := arrayAndElem(a)
		if !ok || err != nil {
			return nil, err
		}
		sawNull := false
		for _, e := range elems {
			if isNullJSON(e) {
				sawNull = true
				continue
			}
			if sameElem(e, want, et) {
				return int64(1), nil
			}
		}
		if sawNull {
			return nil, nil
		}
		return int64(0), nil
	})
	add("athena_array_position", 3, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		elems, want, et, ok, err := arrayAndElem(a)
		if !ok || err != nil {
			return nil, err
		}
		for i, e := range elems {
			if sameElem(e, want, et) {
				return int64(i + 1), nil
			}
		}
		return int64(0), nil
	})
	add("athena_array_remove", 3, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		elems, want, et, ok, err := arrayAndElem(a)
		if !ok || err != nil {
			return nil, err
		}
		out := []json.RawMessage{}
		for _, e := range elems {
			if !sameElem(e, want, et) {
				out = append(out, e)
			}
		}
		return joinJSON(out), nil
	})
	add("athena_array_join", 4, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[0] == nil || a[1] == nil {
			return nil, nil
		}
		et, err := elemType(a[3])
		if err != nil {
			return nil, err
		}
		elems, err := arrayElems(a[0])
		if err != nil {
			return nil, err
		}
		var parts []string
		for _, e := range elems {
			v, err := elemValue(e, et)
			if err != nil {
				return nil, err
			}
			if v == nil {
				if a[2] != nil {
					parts = append(parts, text(a[2]))
				}
				continue
			}
			s, _ := render(v, et)
			parts = append(parts, s)
		}
		return strings.Join(parts, text(a[1])), nil
	})
	add("athena_array_op", 3, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		et, err := elemType(a[2])
		if err != nil {
			return nil, err
		}
		elems, err := arrayElems(a[1])
		if err != nil {
			return nil, err
		}
		switch text(a[0]) {
		case "array_distinct":
			var out []json.RawMessage
			sawNull := false
			for _, e := range elems {
				if isNullJSON(e) {
					if !sawNull {
						out = append(out, e)
					}
					sawNull = true
					continue
				}
				dup := false
				for _, o := range out {
					dup = dup || sameElem(o, e, et)
				}
				if !dup {
					out = append(out, e)
				}
			}
			if out == nil {
				out = []json.RawMessage{}
			}
			return joinJSON(out), nil
		case "array_sort":
			// Ascending, NULLs last, as Trino's array_sort sorts.
			sort.SliceStable(elems, func(i, j int) bool {
				x, _ := elemValue(elems[i], et)
				y, _ := elemValue(elems[j], et)
				switch {
				case x == nil:
					return false
				case y == nil:
					return true
				}
				return compareValues(x, y, et) < 0
			})
			return joinJSON(elems), nil
		case "array_max", "array_min":
			var best driver.Value
			for _, e := range elems {
				v, err := elemValue(e, et)
				if err != nil {
					return nil, err
				}
				if v == nil {
					return nil, nil // Trino: NULL if any element is NULL
				}
				if best == nil || text(a[0]) == "array_max" && compareValues(v, best, et) > 0 || text(a[0]) == "array_min" && compareValues(v, best, et) < 0 {
					best = v
				}
			}
			return best, nil
		}
		return nil, fnError(internalError, "unknown array operation %s", text(a[0]))
	}))
	add("athena_array_set", 4, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		et, err := elemType(a[3])
		if err != nil {
			return nil, err
		}
		x, err := arrayElems(a[1])
		if err != nil {
			return nil, err
		}
		y, err := arrayElems(a[2])
		if err != nil {
			return nil, err
		}
		in := func(e json.RawMessage, list []json.RawMessage) bool {
			for _, o := range list {
				if isNullJSON(e) && isNullJSON(o) || sameElem(e, o, et) {
					return true
				}
			}
			return false
		}
		op := text(a[0])
		if op == "arrays_overlap" {
			for _, e := range x {
				if !isNullJSON(e) && in(e, y) {
					return int64(1), nil
				}
			}
			return int64(0), nil
		}
		out := []json.RawMessage{}
		add := func(e json.RawMessage) {
			if !in(e, out) {
				out = append(out, e)
			}
		}
		switch op {
		case "array_union":
			for _, e := range append(append([]json.RawMessage(nil), x...), y...) {
				add(e)
			}
		case "array_intersect":
			for _, e := range x {
				if in(e, y) {
					add(e)
				}
			}
		case "array_except":
			for _, e := range x {
				if !in(e, y) {
					add(e)
				}
			}
		}
		return joinJSON(out), nil
	}))
	add("athena_slice", 4, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		elems, err := arrayElems(a[0])
		if err != nil {
			return nil, err
		}
		start, _ := toInt(a[1])
		n, _ := toInt(a[2])
		if start == 0 {
			return nil, fnError(invalidArgument, "SQL array indices start at 1")
		}
		if n < 0 {
			return nil, fnError(invalidArgument, "length must be greater than or equal to 0")
		}
		if start < 0 {
			start = int64(len(elems)) + start + 1
		}
		if start < 1 || int(start) > len(elems) {
			return "[]", nil
		}
		end := min(int64(len(elems)), start-1+n)
		return joinJSON(elems[start-1 : end]), nil
	}))
	add("athena_flatten", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		outer, err := arrayElems(a[0])
		if err != nil {
			return nil, err
		}
		out := []json.RawMessage{}
		for _, e := range outer {
			if isNullJSON(e) {
				continue
			}
			inner, err := arrayElems(string(e))
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
		}
		return joinJSON(out), nil
	}))
	add("athena_sequence", -1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		start, _ := toInt(a[0])
		stop, _ := toInt(a[1])
		step := int64(1)
		if stop < start {
			step = -1
		}
		if len(a) == 3 {
			step, _ = toInt(a[2])
		}
		if step == 0 || (stop-start)/step < 0 && stop != start {
			return nil, fnError(invalidArgument, "sequence stop value should be greater than or equal to start value if step is greater than zero otherwise stop should be less than or equal to start")
		}
		if (stop-start)/step >= 10000 {
			return nil, fnError(invalidArgument, "result of sequence function must not have more than 10000 entries")
		}
		var out []json.RawMessage
		for v := start; step > 0 && v <= stop || step < 0 && v >= stop; v += step {
			out = append(out, json.RawMessage(strconv.FormatInt(v, 10)))
		}
		if out == nil {
			out = []json.RawMessage{}
		}
		return joinJSON(out), nil
	}))
	add("athena_repeat", 3, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		if a[1] == nil {
			return nil, nil
		}
		et, err := elemType(a[2])
		if err != nil {
			return nil, err
		}
		n, _ := toInt(a[1])
		if n < 0 || n > 10000 {
			return nil, fnError(invalidArgument, "count argument of repeat function must be between 0 and 10000")
		}
		e, err := elemJSON(a[0], et)
		if err != nil {
			return nil, err
		}
		out := make([]json.RawMessage, n)
		for i := range out {
			out[i] = e
		}
		return joinJSON(out), nil
	})
	// athena_map is MAP(keys, values): the arrays pair up in order; keys
	// may be neither NULL nor repeated (the messages of Trino's
	// MapConstructor).
	add("athena_map", 3, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := rt.typ(a[2])
		if err != nil {
			return nil, err
		}
		keys, err := arrayElems(a[0])
		if err != nil {
			return nil, err
		}
		vals, err := arrayElems(a[1])
		if err != nil {
			return nil, err
		}
		if len(keys) != len(vals) {
			return nil, fnError(invalidArgument, "Key and value arrays must be the same length")
		}
		return buildMap(keys, vals, t)
	}))
	add("athena_map_part", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		pairs, err := mapPairs(a[0])
		if err != nil {
			return nil, err
		}
		i, _ := toInt(a[1])
		out := make([]json.RawMessage, len(pairs))
		for k, kv := range pairs {
			out[k] = kv[i]
		}
		return joinJSON(out), nil
	}))
	add("athena_map_from_entries", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := rt.typ(a[1])
		if err != nil {
			return nil, err
		}
		entries, err := arrayElems(a[0])
		if err != nil {
			return nil, err
		}
		var keys, vals []json.RawMessage
		for _, e := range entries {
			if isNullJSON(e) {
				return nil, fnError(invalidArgument, "map entry cannot be null")
			}
			kv, err := arrayElems(string(e))
			if err != nil || len(kv) != 2 {
				return nil, fnError(internalError, "bad map entry %s", e)
			}
			keys, vals = append(keys, kv[0]), append(vals, kv[1])
		}
		return buildMap(keys, vals, t)
	}))
	add("athena_map_concat", -1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		t, err := rt.typ(a[0])
		if err != nil {
			return nil, err
		}
		var out [][2]json.RawMessage
		for _, v := range a[1:] {
			if v == nil {
				return nil, nil
			}
			pairs, err := mapPairs(v)
			if err != nil {
				return nil, err
			}
		next:
			for _, kv := range pairs {
				for i := range out {
					if sameElem(out[i][0], kv[0], *t.Key) {
						out[i][1] = kv[1] // the last map's value wins
						continue next
					}
				}
				out = append(out, kv)
			}
		}
		elems := make([]json.RawMessage, len(out))
		for i, kv := range out {
			elems[i] = json.RawMessage(joinJSON([]json.RawMessage{kv[0], kv[1]}))
		}
		return joinJSON(elems), nil
	})
	// athena_zip pairs up arrays for UNNEST(a, b, ...): one row per
	// index, NULL where an array is shorter.
	add("athena_zip", -1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		var lists [][]json.RawMessage
		n := 0
		for _, v := range a {
			var elems []json.RawMessage
			if v != nil {
				var err error
				if elems, err = arrayElems(v); err != nil {
					return nil, err
				}
			}
			lists = append(lists, elems)
			n = max(n, len(elems))
		}
		rows := make([]json.RawMessage, n)
		for i := range rows {
			cells := make([]json.RawMessage, len(lists))
			for k, l := range lists {
				cells[k] = json.RawMessage("null")
				if i < len(l) {
					cells[k] = l[i]
				}
			}
			rows[i] = json.RawMessage(joinJSON(cells))
		}
		return joinJSON(rows), nil
	})

	// JSON.
	add("athena_json_parse", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		var c bytes.Buffer
		if err := json.Compact(&c, []byte(text(a[0]))); err != nil {
			return nil, fnError(invalidArgument, "Cannot convert value to JSON: '%s'", text(a[0]))
		}
		return c.String(), nil
	}))
	add("athena_json_extract", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		v, ok, err := jsonPath(text(a[0]), text(a[1]))
		if err != nil || !ok {
			return nil, err
		}
		return string(v), nil
	}))
	add("athena_json_extract_scalar", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		v, ok, err := jsonPath(text(a[0]), text(a[1]))
		if err != nil || !ok {
			return nil, err
		}
		return jsonScalar(v), nil
	}))
	add("athena_json_array_length", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		var elems []json.RawMessage
		if json.Unmarshal([]byte(text(a[0])), &elems) != nil {
			return nil, nil
		}
		return int64(len(elems)), nil
	}))
	add("athena_json_size", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		v, ok, err := jsonPath(text(a[0]), text(a[1]))
		if err != nil || !ok {
			return nil, err
		}
		var elems []json.RawMessage
		if json.Unmarshal(v, &elems) == nil {
			return int64(len(elems)), nil
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(v, &obj) == nil {
			return int64(len(obj)), nil
		}
		return int64(0), nil
	}))
	add("athena_json_array_get", 2, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		var elems []json.RawMessage
		if json.Unmarshal([]byte(text(a[0])), &elems) != nil {
			return nil, nil
		}
		i, _ := toInt(a[1])
		if i < 0 {
			i += int64(len(elems))
		}
		if i < 0 || int(i) >= len(elems) {
			return nil, nil
		}
		var c bytes.Buffer
		_ = json.Compact(&c, elems[i])
		return c.String(), nil
	}))
	add("athena_json_array_contains", 3, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		var elems []json.RawMessage
		if json.Unmarshal([]byte(text(a[0])), &elems) != nil {
			return nil, nil
		}
		t, err := rt.typ(a[2])
		if err != nil {
			return nil, err
		}
		want, err := castToJSON(a[1], t)
		if err != nil {
			return nil, err
		}
		for _, e := range elems {
			var c bytes.Buffer
			_ = json.Compact(&c, e)
			if c.String() == text(want) || t.isNumeric() && numbersEqual(c.String(), text(want)) {
				return int64(1), nil
			}
		}
		return int64(0), nil
	}))
	add("athena_is_json_scalar", 1, strict(func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		s := strings.TrimSpace(text(a[0]))
		if !json.Valid([]byte(s)) {
			return nil, fnError(invalidArgument, "Invalid JSON value: %s", s)
		}
		return boolInt(!strings.HasPrefix(s, "{") && !strings.HasPrefix(s, "[")), nil
	}))
}

func numbersEqual(a, b string) bool {
	x, ok1 := parseDecimal(a)
	y, ok2 := parseDecimal(b)
	return ok1 && ok2 && x.cmp(y) == 0
}

func mustJSONString(s string) string {
	q, _ := jsonString(s)
	return q
}

// buildMap pairs keys with values, refusing NULL and repeated keys.
func buildMap(keys, vals []json.RawMessage, t Type) (driver.Value, error) {
	out := make([]json.RawMessage, len(keys))
	for i, k := range keys {
		if isNullJSON(k) {
			return nil, fnError(invalidArgument, "map key cannot be null")
		}
		for _, prev := range keys[:i] {
			if sameElem(prev, k, *t.Key) {
				v, _ := elemValue(k, *t.Key)
				s, _ := render(v, *t.Key)
				return nil, fnError(invalidArgument, "Duplicate map keys (%s) are not allowed", s)
			}
		}
		out[i] = json.RawMessage(joinJSON([]json.RawMessage{k, vals[i]}))
	}
	return joinJSON(out), nil
}

// jsonPath evaluates the JSONPath subset Trino's json_extract takes: $,
// .key, ["key"], [index]. ok is false when the path finds nothing.
func jsonPath(doc, path string) (json.RawMessage, bool, error) {
	if !json.Valid([]byte(doc)) {
		return nil, false, nil
	}
	p := strings.TrimSpace(path)
	if !strings.HasPrefix(p, "$") {
		return nil, false, fnError(invalidArgument, "Invalid JSON path: '%s'", path)
	}
	cur := json.RawMessage(doc)
	p = p[1:]
	for p != "" {
		var key string
		index := -1
		switch {
		case strings.HasPrefix(p, "."):
			p = p[1:]
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			key, p = p[:end], p[end:]
			if key == "" {
				return nil, false, fnError(invalidArgument, "Invalid JSON path: '%s'", path)
			}
		case strings.HasPrefix(p, "["):
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, false, fnError(invalidArgument, "Invalid JSON path: '%s'", path)
			}
			inner := strings.TrimSpace(p[1:end])
			p = p[end+1:]
			if strings.HasPrefix(inner, `"`) || strings.HasPrefix(inner, "'") {
				key = strings.Trim(inner, `"'`)
			} else {
				n, err := strconv.Atoi(inner)
				if err != nil {
					return nil, false, fnError(invalidArgument, "Invalid JSON path: '%s'", path)
				}
				index = n
			}
		default:
			return nil, false, fnError(invalidArgument, "Invalid JSON path: '%s'", path)
		}
		if index >= 0 {
			var elems []json.RawMessage
			if json.Unmarshal(cur, &elems) != nil || index >= len(elems) {
				return nil, false, nil
			}
			cur = elems[index]
			continue
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(cur, &obj) != nil {
			return nil, false, nil
		}
		v, ok := obj[key]
		if !ok {
			return nil, false, nil
		}
		cur = v
	}
	var c bytes.Buffer
	if err := json.Compact(&c, cur); err != nil {
		return nil, false, nil
	}
	return c.Bytes(), true, nil
}

// jsonScalar is json_extract_scalar's value: a string's contents, a
// number's or boolean's text, NULL for null, objects and arrays.
func jsonScalar(v json.RawMessage) driver.Value {
	s := strings.TrimSpace(string(v))
	switch {
	case s == "null", strings.HasPrefix(s, "{"), strings.HasPrefix(s, "["):
		return nil
	case strings.HasPrefix(s, `"`):
		var out string
		if json.Unmarshal(v, &out) != nil {
			return nil
		}
		return out
	}
	return s
}
