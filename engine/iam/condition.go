package iam

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/agnivade/levenshtein"
)

// opKind is a condition operator with its qualifiers stripped.
type opKind uint8

const (
	opStringEquals opKind = iota
	opStringEqualsIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opArnLike
	opNull
)

// opInfo describes one base operator.
type opInfo struct {
	kind opKind
	neg  bool   // the negated form (StringNotEquals, NotIpAddress, ...)
	name string // as AWS spells it
}

// operatorList lists the base operators. It is a function, not a package
// variable, so that nothing can change it; it is only read at parse time.
func operatorList() []opInfo {
	return []opInfo{
		{opStringEquals, false, "StringEquals"},
		{opStringEquals, true, "StringNotEquals"},
		{opStringEqualsIgnoreCase, false, "StringEqualsIgnoreCase"},
		{opStringEqualsIgnoreCase, true, "StringNotEqualsIgnoreCase"},
		{opStringLike, false, "StringLike"},
		{opStringLike, true, "StringNotLike"},
		{opNumericEquals, false, "NumericEquals"},
		{opNumericEquals, true, "NumericNotEquals"},
		{opNumericLessThan, false, "NumericLessThan"},
		{opNumericLessThanEquals, false, "NumericLessThanEquals"},
		{opNumericGreaterThan, false, "NumericGreaterThan"},
		{opNumericGreaterThanEquals, false, "NumericGreaterThanEquals"},
		{opDateEquals, false, "DateEquals"},
		{opDateEquals, true, "DateNotEquals"},
		{opDateLessThan, false, "DateLessThan"},
		{opDateLessThanEquals, false, "DateLessThanEquals"},
		{opDateGreaterThan, false, "DateGreaterThan"},
		{opDateGreaterThanEquals, false, "DateGreaterThanEquals"},
		{opBool, false, "Bool"},
		{opBinaryEquals, false, "BinaryEquals"},
		{opIPAddress, false, "IpAddress"},
		{opIPAddress, true, "NotIpAddress"},
		{opArnLike, false, "ArnEquals"},
		{opArnLike, false, "ArnLike"},
		{opArnLike, true, "ArnNotEquals"},
		{opArnLike, true, "ArnNotLike"},
		{opNull, false, "Null"},
	}
}

// lookupOperator finds a base operator by name, case-insensitively. ArnEquals
// and ArnLike are documented alike (wildcards in each of the six segments),
// so both compile to opArnLike.
func lookupOperator(name string) (opInfo, bool) {
	for _, o := range operatorList() {
		if strings.EqualFold(o.name, name) {
			return o, true
		}
	}
	return opInfo{}, false
}

// setQual is a condition's set qualifier.
type setQual uint8

const (
	setNone setQual = iota
	setAny          // ForAnyValue:
	setAll          // ForAllValues:
)

// cond is a compiled Condition.
type cond struct {
	key      string
	kind     opKind
	neg      bool
	set      setQual
	ifExists bool

	strs  []pattern // String*, Bool (policy variables allowed)
	arns  []arnPattern
	nums  []float64
	dates []time.Time
	nets  []netip.Prefix
	bins  [][]byte
	nulls []bool // Null: true means "the key is absent"
}

// parseOperator splits an operator as written ("ForAnyValue:StringLikeIfExists")
// into its parts. Operator names match case-insensitively.
func parseOperator(op string) (c cond, err error) {
	base := op
	if q, rest, ok := strings.Cut(op, ":"); ok {
		switch strings.ToLower(q) {
		case "foranyvalue":
			c.set = setAny
		case "forallvalues":
			c.set = setAll
		default:
			return cond{}, fmt.Errorf("unknown set qualifier %q in operator %q; use ForAnyValue: or ForAllValues:", q, op)
		}
		base = rest
	}
	lower := strings.ToLower(base)
	if strings.HasSuffix(lower, "ifexists") && lower != "ifexists" {
		c.ifExists = true
		lower = strings.TrimSuffix(lower, "ifexists")
	}
	o, ok := lookupOperator(lower)
	if !ok {
		msg := fmt.Sprintf("unknown condition operator %q", op)
		if s := suggestOperator(lower); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		} else {
			msg += "; see the IAM condition operators (StringEquals, StringLike, ArnLike, Bool, NumericLessThan, DateGreaterThan, IpAddress, Null, ...)"
		}
		return cond{}, fmt.Errorf("%s", msg)
	}
	if o.kind == opNull && (c.ifExists || c.set != setNone) {
		return cond{}, fmt.Errorf("operator %q: Null takes no IfExists suffix and no set qualifier; write \"Null\"", op)
	}
	c.kind, c.neg = o.kind, o.neg
	return c, nil
}

// suggestOperator returns the known operator nearest to a misspelt one.
func suggestOperator(lower string) string {
	best, bestD := "", 4
	for _, o := range operatorList() {
		if d := levenshtein.ComputeDistance(lower, strings.ToLower(o.name)); d < bestD {
			best, bestD = o.name, d
		}
	}
	return best
}

// addValue compiles one condition value for c's operator.
func (c *cond) addValue(v string, vars bool) error {
	switch c.kind {
	case opStringEquals, opStringEqualsIgnoreCase, opBool:
		p, err := compilePattern(v, false, vars)
		if err != nil {
			return err
		}
		if c.kind == opBool && !p.vars && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return fmt.Errorf("value %q is not true or false", v)
		}
		c.strs = append(c.strs, p)
	case opStringLike:
		p, err := compilePattern(v, true, vars)
		if err != nil {
			return err
		}
		c.strs = append(c.strs, p)
	case opArnLike:
		p, err := compileARNPattern(v, vars)
		if err != nil {
			return err
		}
		c.arns = append(c.arns, p)
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		n, ok := parseNumber(v)
		if !ok {
			return fmt.Errorf("value %q is not a number (policy variables are not supported by numeric operators); write a number such as 10 or 2.5", v)
		}
		c.nums = append(c.nums, n)
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(v)
		if !ok {
			return fmt.Errorf("value %q is not a date; write ISO 8601 (2026-01-31T12:00:00Z) or epoch seconds (1769860800)", v)
		}
		c.dates = append(c.dates, t)
	case opIPAddress:
		p, ok := parsePrefix(v)
		if !ok {
			return fmt.Errorf("value %q is not an IP address or CIDR block; write 203.0.113.0/24 or 2001:db8::/32", v)
		}
		c.nets = append(c.nets, p)
	case opBinaryEquals:
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return fmt.Errorf("value %q is not base64; BinaryEquals compares base64-encoded bytes", v)
		}
		c.bins = append(c.bins, b)
	case opNull:
		switch strings.ToLower(v) {
		case "true":
			c.nulls = append(c.nulls, true)
		case "false":
			c.nulls = append(c.nulls, false)
		default:
			return fmt.Errorf("value %q is not true or false; \"true\" tests that the key is absent, \"false\" that it is present", v)
		}
	}
	return nil
}

// eval decides the condition against the request context.
//
// The edge cases follow the IAM guide ("Condition operators",
// "Single-valued vs. multivalued context keys"):
//   - a key missing from the request fails a positive operator and passes a
//     negated one (StringNotEquals, ArnNotLike, NotIpAddress, ...);
//   - ...IfExists passes when the key is missing;
//   - ForAllValues passes when the key is missing or has no values (the
//     guide warns this makes an Allow permissive), ForAnyValue fails;
//   - Null "true" passes when the key is missing, "false" when present.
//
// A key with no values counts as missing, as the guide says of a context
// key that "resolves to a null dataset".
func (c *cond) eval(ctx contextKeys) bool {
	vals := ctx.get(c.key)
	if c.kind == opNull {
		absent := len(vals) == 0
		for _, want := range c.nulls {
			if want == absent {
				return true
			}
		}
		return false
	}
	if len(vals) == 0 {
		switch {
		case c.ifExists, c.set == setAll:
			return true
		case c.set == setAny:
			return false
		}
		return c.neg
	}
	switch c.set {
	case setAny:
		for _, v := range vals {
			if c.test(v, ctx) {
				return true
			}
		}
		return false
	case setAll:
		for _, v := range vals {
			if !c.test(v, ctx) {
				return false
			}
		}
		return true
	}
	// A single-valued operator against a key with several values (such as a
	// two-service aws:CalledVia chain) matches nothing, negated or not: AWS
	// wants ForAnyValue/ForAllValues there, and users report that a bare
	// StringEquals on aws:CalledVia is denied once the chain has more than
	// one service (boogy/iam-policy-validator PR 161; cloud-copilot's
	// iam-simulate models it the same way).
	if len(vals) > 1 {
		return false
	}
	return c.test(vals[0], ctx)
}

// test applies the operator to one request value: a positive operator
// passes when any policy value matches (values are ORed); a negated one when
// none does.
func (c *cond) test(v string, ctx contextKeys) bool {
	return c.matchAny(v, ctx) != c.neg
}

// matchAny reports whether v matches any policy value under the positive
// form of the operator. A value whose policy variable has no value and no
// default matches nothing.
func (c *cond) matchAny(v string, ctx contextKeys) bool {
	switch c.kind {
	case opStringEquals, opStringEqualsIgnoreCase, opBool:
		fold := c.kind != opStringEquals
		for _, p := range c.strs {
			parts, ok := p.resolve(ctx)
			if !ok {
				continue
			}
			if w := text(parts); w == v || fold && strings.EqualFold(w, v) {
				return true
			}
		}
	case opStringLike:
		for _, p := range c.strs {
			if parts, ok := p.resolve(ctx); ok && glob(parts, v) {
				return true
			}
		}
	case opArnLike:
		for _, p := range c.arns {
			if p.match(v, ctx) {
				return true
			}
		}
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		n, ok := parseNumber(v)
		if !ok {
			return false
		}
		for _, w := range c.nums {
			if compare(c.kind-opNumericEquals, cmpFloat(n, w)) {
				return true
			}
		}
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, w := range c.dates {
			if compare(c.kind-opDateEquals, t.Compare(w)) {
				return true
			}
		}
	case opIPAddress:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, p := range c.nets {
			if p.Contains(a) {
				return true
			}
		}
	case opBinaryEquals:
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return false
		}
		for _, w := range c.bins {
			if bytes.Equal(b, w) {
				return true
			}
		}
	}
	return false
}

// compare applies the comparison at offset rel from the Equals operator of
// its family (Equals, LessThan, LessThanEquals, GreaterThan,
// GreaterThanEquals) to the result of comparing request to policy value.
func compare(rel opKind, cmp int) bool {
	switch rel {
	case 0:
		return cmp == 0
	case 1:
		return cmp < 0
	case 2:
		return cmp <= 0
	case 3:
		return cmp > 0
	default:
		return cmp >= 0
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseNumber reads a decimal integer or float; it refuses the hex, NaN and
// Inf forms strconv would take.
func parseNumber(s string) (float64, bool) {
	if s == "" || strings.Trim(s, "0123456789.eE+-") != "" {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	return n, err == nil
}

// parseDate reads an ISO 8601 date-time (a zone-less one is UTC) or epoch
// seconds, the two forms the IAM guide allows for date conditions. Eight
// digits are read as a basic-format date (20260131), not as epoch seconds,
// which would fall in 1970-1973.
func parseDate(s string) (time.Time, bool) {
	if s != "" && strings.Trim(s, "0123456789") == "" && len(s) != 8 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	// The ISO 8601 forms accepted; a zone-less time is UTC.
	layouts := [...]string{
		time.RFC3339Nano,
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04:05",
		"2006-01-02T15:04",
		"2006-01-02",
		"20060102T150405Z0700",
		"20060102T150405Z",
		"20060102",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parsePrefix reads a CIDR block or a single address (as a /32 or /128).
func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}
