package grants

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
)

// Rule allows or denies the tables whose names match its patterns. A
// pattern is a name, lower-cased as Athena folds names, in which `*`
// matches any run of characters; an absent pattern is `*`. Access lists
// the access levels the rule covers (all when absent).
type Rule struct {
	Catalog  string
	Database string
	Table    string
	Access   []engine.Access
	Reason   string

	line int // 1-based line of the rule's table in the file, 0 if unknown
}

// Rules is a rules file: allow and deny rules for teams that curate what
// their members may query. Deny rules win. When a file has allow rules it
// is an allow list: a reference no allow rule covers is denied. A file
// with only deny rules abstains on what they do not cover.
type Rules struct {
	Path  string
	Allow []Rule
	Deny  []Rule
}

// MaxRulesBytes bounds a rules file, read while reading: a team's rules
// are a few hundred lines.
const MaxRulesBytes = 1 << 20

// LoadRules reads a rules file (TOML):
//
//	[[allow]]
//	database = "sales"
//	access = ["read", "metadata"]
//	reason = "the sales team's warehouse"
//
//	[[deny]]
//	database = "sales"
//	table = "customers"
//	reason = "personal data"
func LoadRules(path string) (*Rules, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := engine.ReadLimited(f, path, engine.Limit{What: "a rules file", Bytes: MaxRulesBytes,
		Advice: "a rules file holds [[allow]] and [[deny]] tables: check that it is the file meant"})
	if err != nil {
		return nil, err
	}
	return ParseRules(path, string(b))
}

// ParseRules reads the rules file text; path names it in errors. Every
// error names the file and the line it is about, and says what to write
// instead. Nothing in a rules file widens what it allows silently: an
// empty or malformed name, an empty access list, an [[allow]] that names
// nothing, a key of the wrong type or an unknown key is an error.
func ParseRules(path, text string) (*Rules, error) {
	// The file is decoded into plain values and checked here, rather than
	// into the struct by the TOML library, whose type errors speak of Go
	// types and name the line of the last rule for every rule.
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line, col := pe.Position.Line, pe.Position.Col
			// The TOML library has already counted the line break it
			// stumbled on: a line left unfinished ("[[allow]") is its
			// own line, at its end.
			if (strings.Contains(pe.Message, "name delimiter") || strings.Contains(pe.Message, "table name")) && strings.HasSuffix(pe.Message, "but got '\\n' instead") && line > 1 {
				line, col = line-1, len(strings.Split(text, "\n")[line-2])+1
			}
			return nil, fmt.Errorf("%s:%d:%d: %s", path, line, col, pe.Message)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	loc := locate(text)
	r := &Rules{Path: path}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return loc.topLine(keys[i]) < loc.topLine(keys[j]) })
	for _, k := range keys {
		if k != "allow" && k != "deny" {
			return nil, fmt.Errorf("%s:%d: unknown key %s: a rules file has [[allow]] and [[deny]] tables with catalog, database, table, access and reason", path, loc.topLine(k), tomlKey(k))
		}
	}
	for _, kind := range []string{"allow", "deny"} {
		v, ok := raw[kind]
		if !ok {
			continue
		}
		tables, ok := ruleTables(v)
		if !ok {
			return nil, fmt.Errorf("%s:%d: %s is %s; write each rule as a table of its own, under a [[%s]] line", path, loc.topLine(kind), kind, tomlType(v), kind)
		}
		for i, t := range tables {
			rule, err := parseRule(kind, t, loc.table(kind, i))
			if err != nil {
				return nil, fmt.Errorf("%s:%w", path, err)
			}
			if kind == "allow" {
				r.Allow = append(r.Allow, rule)
			} else {
				r.Deny = append(r.Deny, rule)
			}
		}
	}
	return r, nil
}

// ruleTables is v as a list of tables: [[allow]] tables, or an inline
// array of inline tables.
func ruleTables(v any) ([]map[string]any, bool) {
	switch v := v.(type) {
	case []map[string]any:
		return v, true
	case []any:
		out := make([]map[string]any, 0, len(v))
		for _, e := range v {
			t, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, t)
		}
		return out, true
	}
	return nil, false
}

// isRuleKey reports whether k is a key a rule may have.
func isRuleKey(k string) bool {
	switch k {
	case "catalog", "database", "table", "access", "reason":
		return true
	}
	return false
}

// parseRule checks one [[allow]] or [[deny]] table; its error starts
// with the line, after the file name's colon.
func parseRule(kind string, t map[string]any, where tableLoc) (Rule, error) {
	rule := Rule{line: where.line, Catalog: "*", Database: "*", Table: "*"}
	fail := func(key, format string, args ...any) (Rule, error) {
		return Rule{}, fmt.Errorf("%d: [[%s]] %s", where.keyLine(key), kind, fmt.Sprintf(format, args...))
	}
	var unknown []string
	for k := range t {
		if !isRuleKey(k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Slice(unknown, func(i, j int) bool { return where.keyLine(unknown[i]) < where.keyLine(unknown[j]) })
		k := unknown[0]
		return fail(k, "has unknown key %s: a rule has catalog, database, table, access and reason", tomlKey(k))
	}
	for _, part := range []struct {
		key string
		dst *string
	}{{"catalog", &rule.Catalog}, {"database", &rule.Database}, {"table", &rule.Table}} {
		v, ok := t[part.key]
		if !ok {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return fail(part.key, "%s is %s; write a name in quotes, like %s = \"sales\" (* matches any run of characters)", part.key, tomlType(v), part.key)
		}
		if why := badName(s); why != "" {
			return fail(part.key, "%s = %s %s; write the name as Athena shows it, with * for any run of characters, or leave %s out to cover every %s",
				part.key, strconv.Quote(s), why, part.key, part.key)
		}
		*part.dst = strings.ToLower(s)
	}
	if v, ok := t["access"]; ok {
		list, ok := v.([]any)
		if !ok {
			return fail("access", "access is %s; write a list, like access = [\"read\", \"metadata\"]", tomlType(v))
		}
		if len(list) == 0 {
			return fail("access", "access = [] covers no access at all; list some of read, write and metadata, or leave access out to cover all three")
		}
		for _, e := range list {
			s, ok := e.(string)
			a := engine.Access(s)
			if !ok || (a != engine.Read && a != engine.Write && a != engine.Metadata) {
				shown := tomlType(e)
				if ok {
					shown = strconv.Quote(s)
				}
				return fail("access", "access %s is not one of read, write, metadata", shown)
			}
			rule.Access = append(rule.Access, a)
		}
	}
	if v, ok := t["reason"]; ok {
		s, ok := v.(string)
		if !ok {
			return fail("reason", "reason is %s; write it in quotes, like reason = \"personal data\"", tomlType(v))
		}
		rule.Reason = s
	}
	_, c := t["catalog"]
	_, d := t["database"]
	_, tb := t["table"]
	if kind == "allow" && !c && !d && !tb {
		return Rule{}, fmt.Errorf("%d: [[allow]] names no catalog, database or table, so it would allow every table; write database = \"*\" if that is meant", where.line)
	}
	return rule, nil
}

// badName says what is wrong with a name or pattern, or "" when nothing
// is. A name is never empty, never starts or ends with white space, and
// holds no control character; one written in SQL's double quotes is the
// quotes' business, not the name's.
func badName(s string) string {
	switch {
	case s == "":
		return "is empty, which would name nothing (and match everything)"
	case strings.TrimSpace(s) == "":
		return "is only white space"
	case strings.TrimSpace(s) != s:
		return "starts or ends with white space"
	case len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"':
		return "is in SQL's double quotes, which are not part of the name"
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return "holds a control character or an invalid byte"
		}
	}
	return ""
}

// tomlType names the TOML type of a decoded value, for messages.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "a number"
	case float64:
		return "a number"
	case bool:
		return "true or false"
	case time.Time:
		return "a date or time"
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "a list of tables"
	}
	return "not a string"
}

// tomlKey writes a key as it would be written in the file.
func tomlKey(k string) string {
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return strconv.Quote(k)
		}
	}
	if k == "" {
		return `""`
	}
	return k
}

// Name implements Source.
func (r *Rules) Name() string { return "rules file " + r.Path }

// Decide implements Source.
func (r *Rules) Decide(ref engine.Ref, _ iam.StatementKind) (Verdict, string) {
	for _, rule := range r.Deny {
		if rule.covers(ref) {
			return Denied, "denied by " + rule.describe("deny")
		}
	}
	for _, rule := range r.Allow {
		if rule.covers(ref) {
			return Allowed, "allowed by " + rule.describe("allow")
		}
	}
	if len(r.Allow) > 0 {
		return Denied, fmt.Sprintf("no allow rule covers %s access to it", ref.Access)
	}
	return Unknown, ""
}

// Offer implements Source.
func (r *Rules) Offer(engine.Ref) string {
	if len(r.Allow) == 0 {
		return ""
	}
	var pats []string
	for _, rule := range r.Allow {
		p := rule.Catalog + "." + rule.Database + "." + rule.Table
		if len(rule.Access) > 0 {
			var as []string
			for _, a := range rule.Access {
				as = append(as, string(a))
			}
			p += " (" + strings.Join(as, ", ") + ")"
		}
		pats = append(pats, p)
	}
	return r.Name() + " allows " + strings.Join(pats, "; ")
}

// covers reports whether the rule applies to ref. A "*" part of a
// reference (a listing of every database or table) is covered only by a
// "*" pattern: allowing one database does not allow listing them all, and
// denying one does not forbid the listing that names it.
func (rule Rule) covers(ref engine.Ref) bool {
	if len(rule.Access) > 0 && !slices.Contains(rule.Access, ref.Access) {
		return false
	}
	return matchPart(rule.Catalog, ref.Catalog) && matchPart(rule.Database, ref.Database) && matchPart(rule.Table, ref.Table)
}

func matchPart(pattern, name string) bool {
	if name == "*" {
		return pattern == "*"
	}
	return glob(pattern, strings.ToLower(name))
}

// glob matches name against pattern, where `*` matches any run of
// characters (none included) and everything else matches itself.
func glob(pattern, name string) bool {
	px, nx := 0, 0
	star, mark := -1, 0
	for nx < len(name) {
		switch {
		case px < len(pattern) && pattern[px] == '*':
			star, mark = px, nx
			px++
		case px < len(pattern) && pattern[px] == name[nx]:
			px++
			nx++
		case star >= 0:
			px, mark = star+1, mark+1
			nx = mark
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

func (rule Rule) describe(kind string) string {
	s := kind + " rule " + rule.Catalog + "." + rule.Database + "." + rule.Table
	if rule.line > 0 {
		s += fmt.Sprintf(" (line %d)", rule.line)
	}
	if rule.Reason != "" {
		s += ": " + rule.Reason
	}
	return s
}
