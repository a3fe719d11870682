package grants

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
)

// Rule allows or denies the tables whose names match its patterns. A
// pattern is a name, lower-cased as Athena folds names, in which `*`
// matches any run of characters; an empty pattern is `*`. Access lists the
// access levels the rule covers (all when empty).
type Rule struct {
	Catalog  string          `toml:"catalog"`
	Database string          `toml:"database"`
	Table    string          `toml:"table"`
	Access   []engine.Access `toml:"access"`
	Reason   string          `toml:"reason"`

	line int // 1-based line of the rule's table in the file, 0 if unknown
}

// Rules is a rules file: allow and deny rules for teams that curate what
// their members may query. Deny rules win. When a file has allow rules it
// is an allow list: a reference no allow rule covers is denied. A file
// with only deny rules abstains on what they do not cover.
type Rules struct {
	Path  string
	Allow []Rule `toml:"allow"`
	Deny  []Rule `toml:"deny"`
}

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
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseRules(path, string(b))
}

// ParseRules reads the rules file text; path names it in errors.
func ParseRules(path, text string) (*Rules, error) {
	r := &Rules{Path: path}
	md, err := toml.Decode(text, r)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d:%d: %s", path, pe.Position.Line, pe.Position.Col, pe.Message)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%s: unknown key %s: a rules file has [[allow]] and [[deny]] tables with catalog, database, table, access and reason", path, und[0])
	}
	lines := tableLines(text)
	for kind, list := range map[string][]Rule{"allow": r.Allow, "deny": r.Deny} {
		for i := range list {
			rule := &list[i]
			if i < len(lines[kind]) {
				rule.line = lines[kind][i]
			}
			for _, a := range rule.Access {
				switch a {
				case engine.Read, engine.Write, engine.Metadata:
				default:
					return nil, fmt.Errorf("%s:%d: access %q is not one of read, write, metadata", path, rule.line, a)
				}
			}
			rule.Catalog, rule.Database, rule.Table = lower(rule.Catalog), lower(rule.Database), lower(rule.Table)
		}
	}
	return r, nil
}

// tableLines finds the line of each [[allow]] and [[deny]] header, in order.
func tableLines(text string) map[string][]int {
	out := map[string][]int{}
	for i, l := range strings.Split(text, "\n") {
		switch strings.TrimSpace(l) {
		case "[[allow]]":
			out["allow"] = append(out["allow"], i+1)
		case "[[deny]]":
			out["deny"] = append(out["deny"], i+1)
		}
	}
	return out
}

func lower(p string) string {
	if p == "" {
		return "*"
	}
	return strings.ToLower(p)
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
