package print

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/quiltq/quiltq/engine"
)

// jsonWriter writes json (one array of objects, one object per line inside
// it) or jsonl (one object per line). Values are typed by
// engine.Value.Typed: null, numbers, booleans, decimals as exact numbers,
// arrays, maps, rows and json columns as JSON, varbinary as hex,
// everything else as strings. Double values JSON cannot hold (NaN,
// Infinity) are written as the strings Athena gave.
//
// Objects are keyed by column name. JSON objects want unique keys, so a
// repeated name gets the first free suffix _2, _3, ... in column order,
// skipping names that other columns already have: columns (a, a, a_2)
// become keys a, a_3, a_2.
//
// The array is never held in memory: "[" is written at Header, each object
// as its row arrives, "]" at Close.
type jsonWriter struct {
	base
	lines bool
	keys  [][]byte // `"name":` per column, encoded once
}

func (j *jsonWriter) Header(cols []engine.Column) error {
	if err := j.startHeader(cols); err != nil {
		return err
	}
	j.keys = make([][]byte, len(cols))
	for i, name := range uniqueNames(cols) {
		k := appendJSONString(nil, name)
		j.keys[i] = append(k, ':')
	}
	if !j.lines {
		return j.write([]byte{'['})
	}
	return nil
}

func (j *jsonWriter) Row(r engine.Row) error {
	if err := j.startRow(r); err != nil {
		return err
	}
	b := j.buf[:0]
	if !j.lines {
		if j.rows > 0 {
			b = append(b, ',')
		}
		b = append(b, '\n')
	}
	b = append(b, '{')
	for i, v := range r {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, j.keys[i]...)
		b = appendJSONValue(b, v, j.cols[i].Type)
	}
	b = append(b, '}')
	if j.lines {
		b = append(b, '\n')
	}
	j.buf = b
	j.rows++
	return j.write(b)
}

func (j *jsonWriter) Close() error {
	if !j.closed && !j.lines && j.err == nil {
		// A result that never got its Header is still an empty array, so
		// that a script reading stdout always gets valid JSON.
		end := "]\n"
		switch {
		case !j.header:
			end = "[]\n"
		case j.rows > 0:
			end = "\n]\n"
		}
		j.write([]byte(end))
	}
	return j.finish()
}

// uniqueNames returns the JSON keys for cols (see jsonWriter).
func uniqueNames(cols []engine.Column) []string {
	taken := make(map[string]bool, len(cols))
	for _, c := range cols {
		taken[c.Name] = true
	}
	seen := make(map[string]bool, len(cols))
	out := make([]string, len(cols))
	for i, c := range cols {
		name := c.Name
		if seen[name] {
			for n := 2; ; n++ {
				cand := name + "_" + strconv.Itoa(n)
				if !taken[cand] {
					name = cand
					break
				}
			}
		}
		seen[name] = true
		taken[name] = true
		out[i] = name
	}
	return out
}

func appendJSONValue(b []byte, v engine.Value, typ string) []byte {
	switch x := v.Typed(typ).(type) {
	case nil:
		return append(b, "null"...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return appendFloat(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case json.Number:
		return append(b, x...)
	case json.RawMessage:
		// Nested values and json columns: already JSON (see Typed).
		return append(b, x...)
	case string:
		return appendJSONString(b, x)
	}
	// Typed promises the types above; anything new is written as its text
	// rather than dropped.
	return appendJSONString(b, v.Text)
}

// appendFloat formats as encoding/json does: plain decimals between 1e-6
// and 1e21, exponent form outside, shortest round-tripping digits.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		n := len(b)
		b = strconv.AppendFloat(b, f, 'e', -1, 64)
		// "1e-07" is valid JSON, but encoding/json writes "1e-7".
		if m := len(b); m-n >= 4 && b[m-4] == 'e' && b[m-3] == '-' && b[m-2] == '0' {
			b[m-2] = b[m-1]
			b = b[:m-1]
		}
		return b
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD, and U+2028
// and U+2029 escaped because JavaScript once took them for line ends.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
