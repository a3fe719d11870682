package iam

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// partKind says what one piece of a compiled pattern matches.
type partKind uint8

const (
	partLit   partKind = iota // literal text
	partStar                  // * : any run of characters
	partQuest                 // ? : any one character
	partVar                   // ${key} or ${key, 'default'}: a policy variable
)

// part is one piece of a compiled pattern. For partVar, lit holds the
// variable's key.
type part struct {
	kind   partKind
	lit    string
	def    string
	hasDef bool
}

// pattern is a string from a policy compiled once at parse time, so that
// evaluation never re-scans policy text.
type pattern struct {
	parts []part
	vars  bool // holds at least one partVar
}

// compilePattern compiles s. With wild, * and ? are wildcards; with vars,
// ${...} is a policy variable (only under Version 2012-10-17).
func compilePattern(s string, wild, vars bool) (pattern, error) {
	var p pattern
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.parts = append(p.parts, part{kind: partLit, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && c == '*':
			flush()
			p.parts = append(p.parts, part{kind: partStar})
			i++
		case wild && c == '?':
			flush()
			p.parts = append(p.parts, part{kind: partQuest})
			i++
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			v, n, err := parseVariable(s[i:])
			if err != nil {
				return pattern{}, err
			}
			i += n
			// ${*}, ${?} and ${$} stand for the literal character, so that a
			// policy can match a real asterisk (documented in the IAM guide's
			// "special characters" section of policy variables).
			if !v.hasDef && (v.lit == "*" || v.lit == "?" || v.lit == "$") {
				lit.WriteString(v.lit)
				continue
			}
			flush()
			p.parts = append(p.parts, v)
			p.vars = true
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return p, nil
}

// parseVariable reads one ${...} at the start of s and returns it with the
// number of bytes it spans.
func parseVariable(s string) (part, int, error) {
	i := 2 // past "${"
	start := i
	for i < len(s) && s[i] != '}' && s[i] != ',' {
		i++
	}
	if i == len(s) {
		return part{}, 0, fmt.Errorf("policy variable %q has no closing brace; write ${key}", s)
	}
	key := strings.TrimSpace(s[start:i])
	if key == "" {
		return part{}, 0, fmt.Errorf("empty policy variable %q; name a context key, as in ${aws:username}", s[:i+1])
	}
	if strings.ContainsAny(key, " \t") {
		return part{}, 0, fmt.Errorf("policy variable key %q contains a space; remove it", key)
	}
	v := part{kind: partVar, lit: key}
	if s[i] == '}' {
		return v, i + 1, nil
	}
	// A default: ${key, 'text'}; '' inside the quotes is one quote.
	i++
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i == len(s) || s[i] != '\'' {
		return part{}, 0, fmt.Errorf("policy variable %q: the default must be in single quotes, as in ${%s, 'default'}", s, key)
	}
	i++
	var def strings.Builder
	for {
		if i >= len(s) {
			return part{}, 0, fmt.Errorf("policy variable %q: the default's closing quote is missing", s)
		}
		if s[i] == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' {
				def.WriteByte('\'')
				i += 2
				continue
			}
			i++
			break
		}
		def.WriteByte(s[i])
		i++
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i == len(s) || s[i] != '}' {
		return part{}, 0, fmt.Errorf("policy variable %q has no closing brace after its default", s)
	}
	v.def, v.hasDef = def.String(), true
	return v, i + 1, nil
}

// resolve replaces the pattern's variables with their values from ctx. A
// variable's value is literal text: a * in a tag value is not a wildcard.
// It reports false when a variable has no value and no default; AWS then
// treats the string as matching nothing.
func (p pattern) resolve(ctx contextKeys) ([]part, bool) {
	if !p.vars {
		return p.parts, true
	}
	out := make([]part, 0, len(p.parts))
	for _, pt := range p.parts {
		if pt.kind != partVar {
			out = append(out, pt)
			continue
		}
		// Only a single-valued key can be a variable (IAM guide, "Single-valued
		// vs. multivalued context keys"); a multivalued one falls back to the
		// default like a missing one.
		vals := ctx.get(pt.lit)
		switch {
		case len(vals) == 1:
			out = append(out, part{kind: partLit, lit: vals[0]})
		case pt.hasDef:
			out = append(out, part{kind: partLit, lit: pt.def})
		default:
			return nil, false
		}
	}
	return out, true
}

// text joins a resolved pattern compiled without wildcards.
func text(parts []part) string {
	if len(parts) == 1 {
		return parts[0].lit
	}
	var b strings.Builder
	for _, pt := range parts {
		b.WriteString(pt.lit)
	}
	return b.String()
}

// glob reports whether the resolved parts match all of s. It keeps one
// backtrack point (the last *), which is enough when * matches anything, so
// a hostile pattern cannot make it exponential.
func glob(parts []part, s string) bool {
	pi, si := 0, 0
	nextPi, nextSi := -1, 0
	for pi < len(parts) || si < len(s) {
		if pi < len(parts) {
			switch pt := parts[pi]; pt.kind {
			case partStar:
				nextPi = pi
				nextSi = si + 1
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					nextSi = si + n
				}
				pi++
				continue
			case partQuest:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					pi++
					continue
				}
			case partLit:
				if strings.HasPrefix(s[si:], pt.lit) {
					si += len(pt.lit)
					pi++
					continue
				}
			}
		}
		if nextPi >= 0 && nextSi <= len(s) {
			pi, si = nextPi, nextSi
			continue
		}
		return false
	}
	return true
}

// MatchAction reports whether the policy action pattern (as in an Action
// element: "s3:Get*", "athena:*", "*") matches action. IAM compares actions
// case-insensitively.
func MatchAction(pattern, action string) bool {
	p, _ := compilePattern(strings.ToLower(pattern), true, false)
	return glob(p.parts, strings.ToLower(action))
}
