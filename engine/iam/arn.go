package iam

import (
	"fmt"
	"strings"
)

// ARN is an Amazon Resource Name split into its six colon-separated parts:
// arn:Partition:Service:Region:Account:Resource. Resource keeps any further
// colons ("function:name:alias").
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// ParseARN splits s into an ARN. It needs the "arn:" prefix, six parts and
// a partition and service; region and account may be empty (S3 ARNs have
// neither).
func ParseARN(s string) (ARN, error) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return ARN{}, fmt.Errorf("%q is not an ARN: want arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE", s)
	}
	if f[1] == "" || f[2] == "" {
		return ARN{}, fmt.Errorf("ARN %q has an empty partition or service", s)
	}
	return ARN{Partition: f[1], Service: f[2], Region: f[3], Account: f[4], Resource: f[5]}, nil
}

// String returns the ARN in its usual colon-separated form.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// arnPattern is a compiled Resource/NotResource entry or Arn* condition
// value, split into up to six segments at the colons written in the policy
// (not at colons that a variable's value brings in).
type arnPattern struct {
	all  bool // the pattern is exactly "*"
	segs []pattern
}

// compileARNPattern compiles a resource pattern.
func compileARNPattern(s string, vars bool) (arnPattern, error) {
	if s == "*" {
		return arnPattern{all: true}, nil
	}
	p, err := compilePattern(s, true, vars)
	if err != nil {
		return arnPattern{}, err
	}
	var segs []pattern
	cur := pattern{}
	for _, pt := range p.parts {
		if pt.kind != partLit || len(segs) == 5 {
			cur.parts = append(cur.parts, pt)
			cur.vars = cur.vars || pt.kind == partVar
			continue
		}
		lit := pt.lit
		for len(segs) < 5 {
			i := strings.IndexByte(lit, ':')
			if i < 0 {
				break
			}
			if i > 0 {
				cur.parts = append(cur.parts, part{kind: partLit, lit: lit[:i]})
			}
			segs = append(segs, cur)
			cur = pattern{}
			lit = lit[i+1:]
		}
		if lit != "" {
			cur.parts = append(cur.parts, part{kind: partLit, lit: lit})
		}
	}
	segs = append(segs, cur)
	return arnPattern{segs: segs}, nil
}

// match reports whether the pattern matches the ARN (or "*") s.
//
// The IAM guide ("IAM JSON policy elements: Resource", wildcards section)
// says wildcards work within each colon-separated segment, and that a * that
// is the last character of a segment may run past the colons. So each of
// the first five segments matches on its own, the sixth (the resource)
// takes the rest of the ARN, colons and all, and a pattern cut short, like
// "arn:aws:s3:*", matches the rest when its last segment ends in *.
// Matching is case-sensitive, as for ArnLike.
func (a arnPattern) match(s string, ctx contextKeys) bool {
	if a.all {
		return true
	}
	k := len(a.segs)
	var buf [6]string
	sub := splitN(s, k, buf[:0])
	if len(sub) != k {
		return false
	}
	for i, seg := range a.segs {
		parts, ok := seg.resolve(ctx)
		if !ok {
			return false
		}
		rest := sub[i]
		if i == k-1 && k < 6 {
			if n := len(parts); n > 0 && parts[n-1].kind == partStar {
				// Everything before that trailing * stays within the segment.
				if c := strings.IndexByte(rest, ':'); c >= 0 {
					rest = rest[:c]
				}
			} else if strings.IndexByte(rest, ':') >= 0 {
				return false
			}
		}
		if !glob(parts, rest) {
			return false
		}
	}
	return true
}

// splitN is strings.SplitN(s, ":", n) into buf, without allocating.
func splitN(s string, n int, buf []string) []string {
	for len(buf) < n-1 {
		i := strings.IndexByte(s, ':')
		if i < 0 {
			break
		}
		buf = append(buf, s[:i])
		s = s[i+1:]
	}
	return append(buf, s)
}

// MatchResource reports whether a Resource pattern from a policy ("*",
// "arn:aws:s3:::bucket/*", "arn:aws:glue:*:*:table/db/*") matches the
// resource ARN, with AWS's per-segment wildcard rules. Policy variables in
// pattern are not substituted.
func MatchResource(pattern, resource string) bool {
	p, err := compileARNPattern(pattern, false)
	if err != nil {
		return false
	}
	return p.match(resource, nil)
}
