package iam

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/agnivade/levenshtein"
)

// The policy language versions IAM accepts. Policy variables are only
// substituted under Version2012; a policy without a Version is read as
// Version2008, as AWS does.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// ParseError is a policy document that IAM would refuse. It says where
// (a line and column, and for anything past JSON syntax the JSON path, such
// as Statement[2].Effect) and what is wrong and what would be right.
type ParseError struct {
	Name   string // the policy's name, as given to Parse
	Line   int    // 1-based
	Column int    // 1-based, in characters
	Path   string // JSON path; empty for a JSON syntax error
	Msg    string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.Name != "" {
		b.WriteString(e.Name + ": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Column)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Parse reads one identity policy document. name labels it in errors and in
// Result.Policy. A malformed document returns a *ParseError. Session
// policies, permissions boundaries and SCPs share the identity policy's
// grammar (no Principal), so Parse reads them too.
func Parse(name string, doc []byte) (*Policy, error) {
	return parse(name, doc, false)
}

// ParseResource reads one resource-based policy document (a bucket policy,
// a KMS key policy, a Lambda function policy, a Glue catalog policy, a
// role's trust policy): the identity grammar plus Principal or NotPrincipal
// in every statement, as IAM requires of resource-based policies ("You must
// use the Principal element in resource-based policies", IAM User Guide,
// "AWS JSON policy elements: Principal").
func ParseResource(name string, doc []byte) (*Policy, error) {
	return parse(name, doc, true)
}

func parse(name string, doc []byte, resource bool) (*Policy, error) {
	doc = trimBOM(doc)
	root, err := parseJSON(doc)
	if err != nil {
		err.(*ParseError).Name = name
		return nil, err
	}
	p := &parser{doc: doc, name: name, resource: resource}
	pol, err := p.policy(root)
	if err != nil {
		return nil, err
	}
	return pol, nil
}

// trimBOM drops a UTF-8 byte-order mark that Windows editors add.
func trimBOM(doc []byte) []byte {
	if len(doc) >= 3 && doc[0] == 0xEF && doc[1] == 0xBB && doc[2] == 0xBF {
		return doc[3:]
	}
	return doc
}

// parser turns a JSON tree into a Policy.
type parser struct {
	doc      []byte
	name     string
	resource bool // a resource-based policy: Principal/NotPrincipal required
}

// errorf returns a ParseError located at n, under path.
func (p *parser) errorf(off int, path, format string, args ...any) error {
	line, col := position(p.doc, off)
	return &ParseError{Name: p.name, Line: line, Column: col, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// unknownKey words an unexpected member, suggesting the element meant.
func (p *parser) unknownKey(m jsonMember, path string, known []string) error {
	for _, k := range known {
		if strings.EqualFold(k, m.key) {
			return p.errorf(m.off, path, "element %q is spelt with the wrong case; write %q", m.key, k)
		}
	}
	for _, k := range known {
		if levenshtein.ComputeDistance(strings.ToLower(k), strings.ToLower(m.key)) <= 2 {
			return p.errorf(m.off, path, "unknown element %q; did you mean %q?", m.key, k)
		}
	}
	return p.errorf(m.off, path, "unknown element %q; allowed here: %s", m.key, strings.Join(known, ", "))
}

func (p *parser) policy(root *jsonNode) (*Policy, error) {
	if root.kind != jsonObject {
		return nil, p.errorf(root.off, "", "the policy is %s; want a JSON object with Version and Statement", root.kind)
	}
	pol := &Policy{Name: p.name}
	var stmts *jsonNode
	for _, m := range root.members {
		switch m.key {
		case "Version":
			if m.val.kind != jsonString {
				return nil, p.errorf(m.val.off, "Version", "Version is %s; want the string %q", m.val.kind, Version2012)
			}
			if m.val.text != Version2012 && m.val.text != Version2008 {
				return nil, p.errorf(m.val.off, "Version", "Version %q is not a policy language version; use %q (or the older %q)", m.val.text, Version2012, Version2008)
			}
			pol.Version = m.val.text
		case "Id":
			if m.val.kind != jsonString {
				return nil, p.errorf(m.val.off, "Id", "Id is %s; want a string", m.val.kind)
			}
			pol.ID = m.val.text
		case "Statement":
			stmts = m.val
		default:
			return nil, p.unknownKey(m, m.key, []string{"Version", "Id", "Statement"})
		}
	}
	if stmts == nil {
		return nil, p.errorf(root.off, "", "the policy has no Statement; add \"Statement\": [{\"Effect\": \"Allow\", \"Action\": ..., \"Resource\": ...}]")
	}
	vars := pol.Version == Version2012
	switch stmts.kind {
	case jsonObject:
		st, err := p.statement(stmts, "Statement", 0, vars)
		if err != nil {
			return nil, err
		}
		pol.Statements = []Statement{st}
	case jsonArray:
		if len(stmts.elems) == 0 {
			return nil, p.errorf(stmts.off, "Statement", "Statement is an empty list; add at least one statement")
		}
		for i, e := range stmts.elems {
			st, err := p.statement(e, fmt.Sprintf("Statement[%d]", i), i, vars)
			if err != nil {
				return nil, err
			}
			pol.Statements = append(pol.Statements, st)
		}
	default:
		return nil, p.errorf(stmts.off, "Statement", "Statement is %s; want an object or a list of objects", stmts.kind)
	}
	// IAM refuses two statements with the same Sid in one policy.
	seen := map[string]int{}
	for i, st := range pol.Statements {
		if st.Sid == "" {
			continue
		}
		if j, ok := seen[st.Sid]; ok {
			path := fmt.Sprintf("Statement[%d].Sid", i)
			return nil, p.errorf(p.sidOffset(stmts, i), path, "Sid %q is also used by Statement[%d]; Sids must be unique within a policy", st.Sid, j)
		}
		seen[st.Sid] = i
	}
	return pol, nil
}

// sidOffset finds the Sid value of statement i, for error locations.
func (p *parser) sidOffset(stmts *jsonNode, i int) int {
	n := stmts
	if stmts.kind == jsonArray {
		n = stmts.elems[i]
	}
	for _, m := range n.members {
		if m.key == "Sid" {
			return m.val.off
		}
	}
	return n.off
}

func (p *parser) statement(n *jsonNode, path string, index int, vars bool) (Statement, error) {
	st := Statement{Index: index}
	if n.kind != jsonObject {
		return st, p.errorf(n.off, path, "a statement is %s; want an object with Effect, Action and Resource", n.kind)
	}
	c := &compiled{}
	var hasEffect, hasAction, hasNotAction, hasResource, hasNotResource, hasPrincipal, hasNotPrincipal bool
	for _, m := range n.members {
		mpath := path + "." + m.key
		var err error
		switch m.key {
		case "Sid":
			if m.val.kind != jsonString {
				return st, p.errorf(m.val.off, mpath, "Sid is %s; want a string of letters and digits", m.val.kind)
			}
			if strings.Trim(m.val.text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
				return st, p.errorf(m.val.off, mpath, "Sid %q may hold only letters and digits (IAM checks [0-9A-Za-z]*); remove the other characters", m.val.text)
			}
			st.Sid = m.val.text
		case "Effect":
			hasEffect = true
			if m.val.kind != jsonString || (m.val.text != "Allow" && m.val.text != "Deny") {
				return st, p.errorf(m.val.off, mpath, "Effect is %s; want \"Allow\" or \"Deny\" (case-sensitive)", describe(m.val))
			}
			st.Effect = Effect(m.val.text)
		case "Action":
			hasAction = true
			if st.Actions, c.actions, err = p.actions(m.val, mpath); err != nil {
				return st, err
			}
		case "NotAction":
			hasNotAction = true
			if st.NotActions, c.notActions, err = p.actions(m.val, mpath); err != nil {
				return st, err
			}
		case "Resource":
			hasResource = true
			if st.Resources, c.resources, err = p.resources(m.val, mpath, vars); err != nil {
				return st, err
			}
		case "NotResource":
			hasNotResource = true
			if st.NotResources, c.notResources, err = p.resources(m.val, mpath, vars); err != nil {
				return st, err
			}
		case "Condition":
			if st.Conditions, c.conds, err = p.conditions(m.val, mpath, vars); err != nil {
				return st, err
			}
		case "Principal", "NotPrincipal":
			if !p.resource {
				return st, p.errorf(m.off, mpath, "%s is not allowed in an identity policy: the principal is the user or role the policy is attached to; remove it (%s belongs in resource-based and trust policies)", m.key, m.key)
			}
			list, err := p.principals(m.val, mpath)
			if err != nil {
				return st, err
			}
			if m.key == "Principal" {
				hasPrincipal, st.Principals = true, list
			} else {
				hasNotPrincipal, st.NotPrincipals = true, list
			}
		default:
			known := []string{"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
			if p.resource {
				known = append(known, "Principal", "NotPrincipal")
			}
			return st, p.unknownKey(m, mpath, known)
		}
	}
	switch {
	case hasPrincipal && hasNotPrincipal:
		return st, p.errorf(n.off, path, "the statement has both Principal and NotPrincipal; keep one")
	case p.resource && !hasPrincipal && !hasNotPrincipal:
		return st, p.errorf(n.off, path, "a resource-based policy statement needs a Principal; add \"Principal\": {\"AWS\": \"arn:aws:iam::ACCOUNT:role/NAME\"} (or \"*\" with a Condition)")
	}
	switch {
	case !hasEffect:
		return st, p.errorf(n.off, path, "the statement has no Effect; add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"")
	case hasAction && hasNotAction:
		return st, p.errorf(n.off, path, "the statement has both Action and NotAction; keep one")
	case !hasAction && !hasNotAction:
		return st, p.errorf(n.off, path, "the statement has no Action; add \"Action\": \"service:ActionName\" (or NotAction)")
	case hasResource && hasNotResource:
		return st, p.errorf(n.off, path, "the statement has both Resource and NotResource; keep one")
	case !hasResource && !hasNotResource:
		return st, p.errorf(n.off, path, "the statement has no Resource; add \"Resource\": \"*\" or the ARNs it covers (or NotResource)")
	}
	st.c = c
	return st, nil
}

// describe words a JSON value for an error: its text if a string.
func describe(n *jsonNode) string {
	if n.kind == jsonString {
		return strconv.Quote(n.text)
	}
	return n.kind.String()
}

// strings reads a string-or-list element into its values.
func (p *parser) stringList(n *jsonNode, path, what string) ([]string, []*jsonNode, error) {
	switch n.kind {
	case jsonString:
		return []string{n.text}, []*jsonNode{n}, nil
	case jsonArray:
		if len(n.elems) == 0 {
			return nil, nil, p.errorf(n.off, path, "%s is an empty list; list at least one", path[strings.LastIndexByte(path, '.')+1:])
		}
		out := make([]string, 0, len(n.elems))
		for i, e := range n.elems {
			if e.kind != jsonString {
				return nil, nil, p.errorf(e.off, fmt.Sprintf("%s[%d]", path, i), "%s is %s; want a string such as %s", what, e.kind, example(what))
			}
			out = append(out, e.text)
		}
		return out, n.elems, nil
	}
	return nil, nil, p.errorf(n.off, path, "%s is %s; want a string or a list of strings", path[strings.LastIndexByte(path, '.')+1:], n.kind)
}

func example(what string) string {
	if what == "an action" {
		return `"s3:GetObject"`
	}
	return `"arn:aws:s3:::bucket/*"`
}

func (p *parser) actions(n *jsonNode, path string) ([]string, []pattern, error) {
	vals, nodes, err := p.stringList(n, path, "an action")
	if err != nil {
		return nil, nil, err
	}
	pats := make([]pattern, len(vals))
	for i, v := range vals {
		if err := checkAction(v); err != nil {
			epath := path
			if n.kind == jsonArray {
				epath = fmt.Sprintf("%s[%d]", path, i)
			}
			return nil, nil, p.errorf(nodes[i].off, epath, "%v", err)
		}
		pats[i] = compileAction(v)
	}
	return vals, pats, nil
}

// checkAction accepts "*" and "service:Action", where the service prefix
// has no wildcards (IAM refuses "s3*:Get").
func checkAction(a string) error {
	if a == "*" {
		return nil
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok || svc == "" || name == "" || strings.Contains(name, ":") {
		return fmt.Errorf("action %q is not of the form \"service:ActionName\" (as in \"s3:GetObject\") or \"*\"", a)
	}
	if strings.Trim(strings.ToLower(svc), "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return fmt.Errorf("action %q: the service prefix %q may hold only letters, digits and hyphens, and no wildcards", a, svc)
	}
	return nil
}

// compileAction compiles an action pattern for case-insensitive matching.
func compileAction(a string) pattern {
	p, _ := compilePattern(strings.ToLower(a), true, false)
	return p
}

func (p *parser) resources(n *jsonNode, path string, vars bool) ([]string, []arnPattern, error) {
	vals, nodes, err := p.stringList(n, path, "a resource")
	if err != nil {
		return nil, nil, err
	}
	pats := make([]arnPattern, len(vals))
	for i, v := range vals {
		epath := path
		if n.kind == jsonArray {
			epath = fmt.Sprintf("%s[%d]", path, i)
		}
		if v != "*" && !strings.HasPrefix(v, "arn:") {
			return nil, nil, p.errorf(nodes[i].off, epath, "resource %q is not an ARN; write an ARN such as \"arn:aws:s3:::bucket/*\", or \"*\"", v)
		}
		if pats[i], err = compileARNPattern(v, vars); err != nil {
			return nil, nil, p.errorf(nodes[i].off, epath, "%v", err)
		}
	}
	return vals, pats, nil
}

// keyPath appends an object key to a JSON path, bracketed when it is not a
// plain identifier (condition keys and qualified operators hold colons).
func keyPath(path, key string) string {
	if key != "" && strings.Trim(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == "" {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func (p *parser) conditions(n *jsonNode, path string, vars bool) ([]Condition, []cond, error) {
	if n.kind != jsonObject {
		return nil, nil, p.errorf(n.off, path, "Condition is %s; want an object such as {\"StringEquals\": {\"aws:CalledVia\": \"athena.amazonaws.com\"}}", n.kind)
	}
	var conds []Condition
	var compiled []cond
	for _, om := range n.members {
		opath := keyPath(path, om.key)
		proto, err := parseOperator(om.key)
		if err != nil {
			return nil, nil, p.errorf(om.off, opath, "%v", err)
		}
		if om.val.kind != jsonObject {
			return nil, nil, p.errorf(om.val.off, opath, "%s is %s; want an object of condition keys to values", om.key, om.val.kind)
		}
		if len(om.val.members) == 0 {
			return nil, nil, p.errorf(om.val.off, opath, "%s names no condition key; add one, as in {\"aws:CalledVia\": \"athena.amazonaws.com\"}", om.key)
		}
		for _, km := range om.val.members {
			kpath := keyPath(opath, km.key)
			if svc, name, ok := strings.Cut(km.key, ":"); !ok || svc == "" || name == "" {
				return nil, nil, p.errorf(km.off, kpath, "condition key %q has no service prefix; write it as in \"aws:SourceIp\" or \"s3:prefix\"", km.key)
			}
			c := proto
			c.key = km.key
			var vals []string
			var nodes []*jsonNode
			switch km.val.kind {
			case jsonArray:
				if len(km.val.elems) == 0 {
					return nil, nil, p.errorf(km.val.off, kpath, "the value list is empty; give at least one value")
				}
				nodes = km.val.elems
			default:
				nodes = []*jsonNode{km.val}
			}
			for i, vn := range nodes {
				vpath := kpath
				if km.val.kind == jsonArray {
					vpath = fmt.Sprintf("%s[%d]", kpath, i)
				}
				if vn.kind != jsonString && vn.kind != jsonNumber && vn.kind != jsonBool {
					return nil, nil, p.errorf(vn.off, vpath, "a condition value is %s; want a string, number or boolean (or a list of them)", vn.kind)
				}
				if err := c.addValue(vn.text, vars); err != nil {
					return nil, nil, p.errorf(vn.off, vpath, "%s: %v", om.key, err)
				}
				vals = append(vals, vn.text)
			}
			conds = append(conds, Condition{Operator: om.key, Key: km.key, Values: vals})
			compiled = append(compiled, c)
		}
	}
	return conds, compiled, nil
}

// principalTypes are the keys a Principal object may hold (IAM User Guide,
// "AWS JSON policy elements: Principal").
func principalTypes() []string { return []string{"AWS", "Service", "Federated", "CanonicalUser"} }

// principals reads a Principal or NotPrincipal element: "*", or an object
// of principal types to a string or a list of strings.
func (p *parser) principals(n *jsonNode, path string) ([]Principal, error) {
	if n.kind == jsonString {
		if n.text != "*" {
			return nil, p.errorf(n.off, path, "a principal written as a string must be \"*\"; name others in an object, as in {\"AWS\": %q}", n.text)
		}
		return []Principal{{Type: "*", ID: "*"}}, nil
	}
	if n.kind != jsonObject {
		return nil, p.errorf(n.off, path, "%s is %s; want \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:role/NAME\"}", path[strings.LastIndexByte(path, '.')+1:], n.kind)
	}
	if len(n.members) == 0 {
		return nil, p.errorf(n.off, path, "the principal object is empty; name at least one principal, as in {\"AWS\": \"123456789012\"}")
	}
	var out []Principal
	for _, m := range n.members {
		mpath := keyPath(path, m.key)
		known := false
		for _, t := range principalTypes() {
			known = known || t == m.key
		}
		if !known {
			return nil, p.unknownKey(m, mpath, principalTypes())
		}
		vals, nodes, err := p.stringList(m.val, mpath, "a principal")
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			if m.key == "AWS" {
				if err := checkAWSPrincipal(v); err != nil {
					epath := mpath
					if m.val.kind == jsonArray {
						epath = fmt.Sprintf("%s[%d]", mpath, i)
					}
					return nil, p.errorf(nodes[i].off, epath, "%v", err)
				}
			}
			out = append(out, Principal{Type: m.key, ID: v})
		}
	}
	return out, nil
}

// checkAWSPrincipal accepts "*", a 12-digit account id or an ARN without
// wildcards: IAM does not match a wildcard within a principal ("You cannot
// use a wildcard to match part of a principal name or ARN", IAM User
// Guide, "AWS JSON policy elements: Principal").
func checkAWSPrincipal(v string) error {
	switch {
	case v == "*":
		return nil
	case IsAccountID(v):
		return nil
	case !strings.HasPrefix(v, "arn:"):
		return fmt.Errorf("AWS principal %q is neither an account id (12 digits) nor an ARN; write \"123456789012\", \"arn:aws:iam::123456789012:role/NAME\" or \"*\"", v)
	case strings.ContainsAny(v, "*?"):
		return fmt.Errorf("AWS principal %q has a wildcard; IAM matches principals exactly, so use \"*\" with an ArnLike condition on aws:PrincipalArn instead", v)
	}
	if _, err := ParseARN(v); err != nil {
		return err
	}
	return nil
}

// IsAccountID reports whether s is a 12-digit AWS account id.
func IsAccountID(s string) bool {
	return len(s) == 12 && strings.Trim(s, "0123456789") == ""
}
