package iam

import "testing"

// FuzzParse checks that Parse and ParseResource never panic, that every
// error they return is located, and that every policy they accept
// evaluates without panicking.
// The seed corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/${aws:username, 'x'}/*"}}`))
	f.Add([]byte(`{"Statement": [{"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:s3:*", "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": ["a*", "${*}"]}}}]}`))
	reqs := []Request{
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/al/k", Context: map[string][]string{"aws:username": {"al"}}},
		{Action: "athena:StartQueryExecution", Resource: "*", Context: map[string][]string{
			"aws:CalledVia": {"athena.amazonaws.com", "glue.amazonaws.com"}, "aws:SourceIp": {"203.0.113.9"},
			"aws:CurrentTime": {"2026-03-01T12:00:00Z"}, "s3:max-keys": {"10"}, "aws:SecureTransport": {"true"}}},
		{Action: "", Resource: "", Context: nil},
	}
	f.Add([]byte(`{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotPrincipal": {"AWS": ["123456789012", "arn:aws:iam::123456789012:role/R"]}, "Action": "s3:*", "Resource": "*"}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		// The resource-policy grammar: every error located, every policy
		// decided without panicking.
		if rp, err := ParseResource("fuzz", doc); err != nil {
			if pe, ok := err.(*ParseError); !ok || pe.Line < 1 || pe.Column < 1 {
				t.Fatalf("ParseResource: got %v (%T), want a located *ParseError", err, err)
			}
		} else {
			for _, r := range reqs {
				Decide(r, PolicySet{Resource: rp})
			}
		}
		p, err := Parse("fuzz", doc)
		if err != nil {
			pe, ok := err.(*ParseError)
			if !ok {
				t.Fatalf("got %T, want *ParseError", err)
			}
			if pe.Line < 1 || pe.Column < 1 {
				t.Fatalf("error %q: got line %d column %d, want a location", err, pe.Line, pe.Column)
			}
			return
		}
		for _, r := range reqs {
			res := Evaluate(r, p)
			if res.Decision != ImplicitlyDenied && res.Statement == nil {
				t.Fatalf("decision %v without a statement", res.Decision)
			}
		}
	})
}
