package iam

import (
	"errors"
	"fmt"
	"strings"
)

// compiled is a statement ready to evaluate.
type compiled struct {
	actions, notActions     []pattern // lower-cased
	resources, notResources []arnPattern
	conds                   []cond
}

// Compile (re)builds the evaluation form of every statement from its
// exported fields, and reports the first statement that does not compile.
// Parse does this already; call Compile for a Policy built by hand or
// edited after parsing. Evaluate compiles an uncompiled statement on each
// call, with any value that does not compile matching nothing.
func (p *Policy) Compile() error {
	var errs []error
	for i := range p.Statements {
		c, err := compileStatement(&p.Statements[i], p.Version == Version2012)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: Statement[%d]: %w", p.Name, i, err))
		}
		p.Statements[i].c = c
	}
	return errors.Join(errs...)
}

// compileStatement compiles st. On an error it still returns a usable
// compiled form in which the bad parts match nothing.
func compileStatement(st *Statement, vars bool) (*compiled, error) {
	var errs []error
	c := &compiled{}
	for _, a := range st.Actions {
		if err := checkAction(a); err != nil {
			errs = append(errs, err)
		}
		c.actions = append(c.actions, compileAction(a))
	}
	for _, a := range st.NotActions {
		if err := checkAction(a); err != nil {
			errs = append(errs, err)
		}
		c.notActions = append(c.notActions, compileAction(a))
	}
	res := func(list []string) []arnPattern {
		var out []arnPattern
		for _, r := range list {
			p, err := compileARNPattern(r, vars)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, p)
		}
		return out
	}
	c.resources, c.notResources = res(st.Resources), res(st.NotResources)
	for _, cd := range st.Conditions {
		k, err := parseOperator(cd.Operator)
		if err == nil {
			k.key = cd.Key
			for _, v := range cd.Values {
				if err = k.addValue(v, vars); err != nil {
					break
				}
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("condition %s %s: %w", cd.Operator, cd.Key, err))
			// A condition that cannot be read never holds.
			k = cond{key: cd.Key, kind: opNull}
		}
		c.conds = append(c.conds, k)
	}
	return c, errors.Join(errs...)
}

// contextKeys is the request context. Keys match case-insensitively (IAM
// guide: condition key names are not case-sensitive); values do not.
type contextKeys map[string][]string

// get returns the values of key, trying the exact spelling first, since
// policies and callers mostly agree on it.
func (ctx contextKeys) get(key string) []string {
	if v, ok := ctx[key]; ok {
		return v
	}
	var out []string
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			out = append(out, v...)
		}
	}
	return out
}

// Evaluate decides req against the identity policies with AWS's logic: an
// explicit Deny in any matching statement wins, else an Allow, else the
// request is implicitly denied. The Result names the first matching Deny
// or, failing that, the first matching Allow, in policy then statement
// order. nil policies are skipped.
func Evaluate(req Request, policies ...*Policy) Result {
	ctx := contextKeys(req.Context)
	action := strings.ToLower(req.Action)
	var allow Result
	for _, p := range policies {
		if p == nil {
			continue
		}
		vars := p.Version == Version2012
		for i := range p.Statements {
			st := &p.Statements[i]
			if st.Effect != Deny && (st.Effect != Allow || allow.Statement != nil) {
				continue // an Allow after the first matching one decides nothing
			}
			c := st.c
			if c == nil {
				c, _ = compileStatement(st, vars)
			}
			if !c.applies(action, req.Resource, ctx) {
				continue
			}
			if st.Effect == Deny {
				return Result{Decision: ExplicitlyDenied, Policy: p.Name, Statement: st}
			}
			allow = Result{Decision: Allowed, Policy: p.Name, Statement: st}
		}
	}
	return allow // the zero Result is ImplicitlyDenied
}

// applies reports whether the statement covers the lower-cased action, the
// resource and the context.
func (c *compiled) applies(action, resource string, ctx contextKeys) bool {
	if len(c.notActions) > 0 {
		for _, p := range c.notActions {
			if glob(p.parts, action) {
				return false
			}
		}
	} else if !anyAction(c.actions, action) {
		return false
	}
	if len(c.notResources) > 0 {
		for _, p := range c.notResources {
			if p.match(resource, ctx) {
				return false
			}
		}
	} else if !anyResource(c.resources, resource, ctx) {
		return false
	}
	for i := range c.conds {
		if !c.conds[i].eval(ctx) {
			return false
		}
	}
	return true
}

func anyAction(pats []pattern, action string) bool {
	for _, p := range pats {
		if glob(p.parts, action) {
			return true
		}
	}
	return false
}

func anyResource(pats []arnPattern, resource string, ctx contextKeys) bool {
	for _, p := range pats {
		if p.match(resource, ctx) {
			return true
		}
	}
	return false
}
