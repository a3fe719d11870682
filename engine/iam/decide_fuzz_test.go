package iam

import "testing"

// gen builds policies and requests from fuzz bytes: each choice reads one
// byte (0 once the bytes run out), so every input is a valid PolicySet.
type gen struct {
	b     []byte
	i     int
	pools fuzzPools
}

func (g *gen) byte() byte {
	if g.i >= len(g.b) {
		return 0
	}
	g.i++
	return g.b[g.i-1]
}

func (g *gen) pick(list []string) string { return list[int(g.byte())%len(list)] }

// fuzzPools are what gen picks from: few enough values that generated
// statements, principals and requests meet one another often.
type fuzzPools struct {
	actions, resources, callers []string
	principals                  []Principal
	conditions                  [][]Condition
	contexts                    []map[string][]string
}

func newGen(data []byte) *gen {
	return &gen{b: data, pools: fuzzPools{
		actions:   []string{"s3:GetObject", "s3:*", "*", "glue:GetTable", "kms:Decrypt", "sts:AssumeRole", "s3:Get*", "s3:PutObject"},
		resources: []string{"*", "arn:aws:s3:::data/*", object, keyARN, tableB, targetRole, "arn:aws:s3:::other/*", "arn:aws:glue:*:*:table/*"},
		principals: []Principal{
			{"*", "*"}, {"AWS", "*"}, {"AWS", sessionARN}, {"AWS", roleARN}, {"AWS", acctA}, {"AWS", rootARN},
			{"AWS", acctB}, {"AWS", userARN}, {"AWS", fedARN}, {"Service", "athena.amazonaws.com"}, {"AWS", otherRoleB},
		},
		conditions: [][]Condition{
			nil,
			{{Operator: "StringEquals", Key: "aws:username", Values: []string{"alice"}}},
			{{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"true"}}},
			{{Operator: "ArnEquals", Key: "aws:PrincipalArn", Values: []string{roleARN}}},
			{{Operator: "ForAnyValue:StringEquals", Key: "aws:CalledVia", Values: []string{"athena.amazonaws.com"}}},
			{{Operator: "StringNotEqualsIfExists", Key: "aws:PrincipalAccount", Values: []string{acctB}}},
		},
		callers: []string{sessionARN, userARN, fedARN, rootARN, "", "arn:aws:sts::" + acctB + ":assumed-role/QuiltUser/x"},
		contexts: []map[string][]string{
			{"aws:PrincipalArn": {roleARN}, "aws:username": {"alice"}},
			{"aws:SecureTransport": {"true"}, "aws:CalledVia": {"athena.amazonaws.com"}},
			{"aws:PrincipalAccount": {acctA}},
			nil,
		},
	}}
}

// statement builds one statement; a resource statement gets a Principal
// or NotPrincipal.
func (g *gen) statement(effect Effect, resource bool) Statement {
	st := Statement{Effect: effect, Conditions: g.pools.conditions[int(g.byte())%len(g.pools.conditions)]}
	if g.byte()%5 == 0 {
		st.NotActions = []string{g.pick(g.pools.actions)}
	} else {
		st.Actions = []string{g.pick(g.pools.actions), g.pick(g.pools.actions)}
	}
	if g.byte()%5 == 0 {
		st.NotResources = []string{g.pick(g.pools.resources)}
	} else {
		st.Resources = []string{g.pick(g.pools.resources)}
	}
	if resource {
		list := []Principal{g.pools.principals[int(g.byte())%len(g.pools.principals)], g.pools.principals[int(g.byte())%len(g.pools.principals)]}
		if g.byte()%4 == 0 {
			st.NotPrincipals = list
		} else {
			st.Principals = list
		}
	}
	return st
}

func (g *gen) policy(name string, resource bool) *Policy {
	p := &Policy{Name: name, Version: Version2012}
	for n := int(g.byte() % 4); n > 0; n-- {
		e := Allow
		if g.byte()%3 == 0 {
			e = Deny
		}
		p.Statements = append(p.Statements, g.statement(e, resource))
	}
	_ = p.Compile()
	return p
}

func (g *gen) policies(name string, max byte) []*Policy {
	var out []*Policy
	for n := g.byte() % (max + 1); n > 0; n-- {
		out = append(out, g.policy(name, false))
	}
	return out
}

func (g *gen) set() PolicySet {
	s := PolicySet{Identity: g.policies("identity", 2), Session: g.policies("session", 2)}
	if g.byte()%2 == 1 {
		s.Boundary = g.policy("boundary", false)
	}
	if n := g.byte() % 4; n > 0 {
		for ; n > 0; n-- {
			s.SCPs = append(s.SCPs, g.policies("scp", 2))
		}
	}
	if g.byte()%2 == 1 {
		s.Resource = g.policy("resource", true)
	}
	if g.byte()%3 == 0 {
		s.ResourceAccount = acctB
	}
	return s
}

// targets are the policies of s that exist: adding a statement to one
// changes no policy type's presence, which on its own can narrow
// (a first session policy, boundary, SCP level or key policy).
func targets(s *PolicySet) []**Policy {
	var out []**Policy
	for i := range s.Identity {
		out = append(out, &s.Identity[i])
	}
	for i := range s.Session {
		out = append(out, &s.Session[i])
	}
	if s.Boundary != nil {
		out = append(out, &s.Boundary)
	}
	for _, level := range s.SCPs {
		for i := range level {
			out = append(out, &level[i])
		}
	}
	if s.Resource != nil {
		out = append(out, &s.Resource)
	}
	return out
}

// with returns a copy of s in which policy number k of targets has one
// more statement.
func with(s PolicySet, k int, st Statement) PolicySet {
	c := s
	c.Identity = append([]*Policy(nil), s.Identity...)
	c.Session = append([]*Policy(nil), s.Session...)
	c.SCPs = make([][]*Policy, len(s.SCPs))
	for i, l := range s.SCPs {
		c.SCPs[i] = append([]*Policy(nil), l...)
	}
	t := targets(&c)[k]
	old := *t
	p := &Policy{Name: old.Name, Version: old.Version, Statements: append(append([]Statement(nil), old.Statements...), st)}
	_ = p.Compile()
	*t = p
	return c
}

// FuzzDecide checks the combined evaluation on generated policy sets:
// it never panics; an explicit deny always names its Deny statement and
// an allowed request a policy type; adding an Allow statement to any
// policy never turns an allowed request into a denied one; adding a Deny
// statement never allows a denied request nor softens an explicit deny;
// and with identity policies alone it agrees with Evaluate.
func FuzzDecide(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add([]byte("the quick brown fox jumps over the lazy dog, twice: the quick brown fox"))
	f.Add([]byte{2, 1, 0, 1, 2, 1, 0, 2, 3, 1, 1, 1, 0, 3, 2, 3, 1, 1, 3, 2, 0, 2, 1, 5, 2, 0, 1, 0, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		g := newGen(data)
		set := g.set()
		req := Request{Principal: g.pick(g.pools.callers), Action: g.pick(g.pools.actions[:6]), Resource: g.pick([]string{object, keyARN, tableB, targetRole, "arn:aws:s3:::other/k"}),
			Context: g.pools.contexts[int(g.byte())%len(g.pools.contexts)]}
		if req.Action == "*" || req.Action == "s3:*" {
			req.Action = "s3:GetObject"
		}
		before := Decide(req, set)
		switch {
		case before.Decision == ExplicitlyDenied && (before.Statement == nil || before.Statement.Effect != Deny):
			t.Fatalf("explicit deny by %s without its Deny statement: %+v", before.DeniedBy, before.Result)
		case before.Decision == Allowed && (before.DeniedBy != PolicyNone || before.AllowedBy == PolicyNone):
			t.Fatalf("allowed, but denied_by %s allowed_by %s", before.DeniedBy, before.AllowedBy)
		case before.Decision != Allowed && (before.DeniedBy == PolicyNone || before.DeniedBy == ""):
			t.Fatalf("%v with no policy type", before.Decision)
		}
		if len(set.Identity) > 0 && set.Session == nil && set.Boundary == nil && set.SCPs == nil && set.Resource == nil &&
			(req.Principal == sessionARN || req.Principal == userARN) && resourceAccount(set.ResourceAccount, req.Resource) != acctB {
			if ev := Evaluate(req, set.Identity...); ev.Decision != before.Decision {
				t.Fatalf("identity only: Decide %v, Evaluate %v", before.Decision, ev.Decision)
			}
		}
		ts := targets(&set)
		if len(ts) == 0 {
			return
		}
		k := int(g.byte()) % len(ts)
		resource := *ts[k] == set.Resource
		if after := Decide(req, with(set, k, g.statement(Allow, resource))); before.Decision == Allowed && after.Decision != Allowed {
			t.Fatalf("adding an Allow to %s turned allowed into %v by %s", (*ts[k]).Name, after.Decision, after.DeniedBy)
		}
		after := Decide(req, with(set, k, g.statement(Deny, resource)))
		if before.Decision != Allowed && after.Decision == Allowed {
			t.Fatalf("adding a Deny to %s allowed a request that was %v", (*ts[k]).Name, before.Decision)
		}
		if before.Decision == ExplicitlyDenied && after.Decision != ExplicitlyDenied {
			t.Fatalf("adding a Deny to %s turned an explicit deny into %v", (*ts[k]).Name, after.Decision)
		}
	})
}
