package grants

import "strings"

// fileLoc says on which line each part of a rules file is written: the
// top-level keys, and for each [[allow]] and [[deny]] table its header
// and its keys. TOML decoders do not say where the n-th table of an array
// starts, and a message about a rule must point at that rule.
type fileLoc struct {
	top    map[string]int
	tables map[string][]tableLoc
}

// tableLoc is where one table of an array of tables is written.
type tableLoc struct {
	line int            // the [[kind]] header, or the `kind = [` line of an inline array
	keys map[string]int // the line of each key written in it
}

// keyLine is the line of key in the table, else the table's own line.
func (t tableLoc) keyLine(key string) int {
	if l, ok := t.keys[key]; ok {
		return l
	}
	return t.line
}

func (l fileLoc) topLine(key string) int {
	if n, ok := l.top[key]; ok {
		return n
	}
	return 1
}

// table is where the i-th table of kind is written; a table written
// inline in an array has no header, so it is placed at the array's key.
func (l fileLoc) table(kind string, i int) tableLoc {
	if ts := l.tables[kind]; i < len(ts) {
		return ts[i]
	}
	return tableLoc{line: l.topLine(kind)}
}

// locate scans a TOML text line by line: table headers, and keys at the
// start of a line, outside multi-line strings. It reads only what the
// decoder has accepted already, so it need not report errors.
func locate(text string) fileLoc {
	loc := fileLoc{top: map[string]int{}, tables: map[string][]tableLoc{}}
	var cur *tableLoc // the table being filled, nil at the top level or in another table
	inTable := false  // under some [header]
	inMulti := ""     // the closing delimiter of the multi-line string being read
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		if inMulti != "" {
			// The rest of the line that closes the string holds no key.
			if j := strings.Index(line, inMulti); j >= 0 {
				inMulti = multiOpened(line[j+len(inMulti):])
			}
			continue
		}
		t := strings.TrimSpace(stripComment(line))
		switch {
		case strings.HasPrefix(t, "[["):
			name := normKey(strings.TrimSuffix(strings.TrimPrefix(t, "[["), "]]"))
			inTable = true
			cur = nil
			if name == "allow" || name == "deny" {
				loc.tables[name] = append(loc.tables[name], tableLoc{line: n, keys: map[string]int{}})
				cur = &loc.tables[name][len(loc.tables[name])-1]
			}
			if _, ok := loc.top[firstPart(name)]; !ok {
				loc.top[firstPart(name)] = n
			}
		case strings.HasPrefix(t, "["):
			name := normKey(strings.TrimSuffix(strings.TrimPrefix(t, "["), "]"))
			inTable, cur = true, nil
			if _, ok := loc.top[firstPart(name)]; !ok {
				loc.top[firstPart(name)] = n
			}
		default:
			key, _, ok := strings.Cut(t, "=")
			if ok && key != "" {
				k := firstPart(normKey(key))
				switch {
				case cur != nil:
					if _, seen := cur.keys[k]; !seen {
						cur.keys[k] = n
					}
				case !inTable:
					if _, seen := loc.top[k]; !seen {
						loc.top[k] = n
					}
				}
			}
		}
		inMulti = multiOpened(line)
	}
	return loc
}

// multiOpened returns the delimiter of a multi-line string that line opens
// and leaves open, or "".
func multiOpened(line string) string {
	open := ""
	for i := 0; i < len(line); {
		rest := line[i:]
		switch {
		case open == "" && rest[0] == '#':
			return ""
		case open == "" && (strings.HasPrefix(rest, `"""`) || strings.HasPrefix(rest, "'''")):
			open = rest[:3]
			i += 3
		case open != "" && len(open) == 3 && strings.HasPrefix(rest, open):
			open = ""
			i += 3
		case open == "" && (rest[0] == '"' || rest[0] == '\''):
			open = rest[:1]
			i++
		case open == `"` && rest[0] == '\\', open == `"""` && rest[0] == '\\':
			i += 2
		case open != "" && len(open) == 1 && rest[0] == open[0]:
			open = ""
			i++
		default:
			i++
		}
	}
	if len(open) == 3 {
		return open
	}
	return ""
}

// stripComment drops a comment from line, leaving # inside strings.
func stripComment(line string) string {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == 0 && c == '#':
			return line[:i]
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == '"' && c == '\\':
			i++
		case c == quote:
			quote = 0
		}
	}
	return line
}

// normKey writes a key or header name without white space around its
// parts and without the quotes of simple quoted parts: ` "allow" ` is
// allow.
func normKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if len(p) >= 2 && (p[0] == '"' && p[len(p)-1] == '"' || p[0] == '\'' && p[len(p)-1] == '\'') {
			p = p[1 : len(p)-1]
		}
		parts[i] = p
	}
	return strings.Join(parts, ".")
}

func firstPart(k string) string {
	first, _, _ := strings.Cut(k, ".")
	return first
}
