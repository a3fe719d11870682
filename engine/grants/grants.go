// Package grants decides, before a query leaves the machine, whether the
// user may touch each table it names. What a user may touch comes from
// sources: their Quilt role (the buckets it grants), a rules file a team
// curates (grants.toml), and an IAM policy when one is known. Each source
// rules over the references it knows about and abstains on the rest; a
// reference passes unless some source denies it, so a deny always wins.
//
// The check is a convenience and, where quiltq runs queries for others, a
// boundary: AWS still enforces IAM on whatever is sent, but a query the
// grants refuse is never sent at all.
package grants

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
)

// Verdict is what the grants say of one reference.
type Verdict string

// The verdicts. Unknown means no configured source rules over the
// reference (or no source is configured, as when nobody is logged in).
const (
	Allowed Verdict = "allowed"
	Denied  Verdict = "denied"
	Unknown Verdict = "unknown"
)

// Source is one origin of grants.
type Source interface {
	// Name says where the grants come from, for messages: "Quilt role
	// ReadOnlyQuilt", "rules file /home/ann/.config/quiltq/grants.toml".
	Name() string
	// Decide rules on ref for a statement of the given kind: Allowed or
	// Denied with the reason, or Unknown when ref is outside what the
	// source knows.
	Decide(ref engine.Ref, kind iam.StatementKind) (Verdict, string)
	// Offer says, in a few words, what the user may use instead, naming
	// only what the user can already see (their buckets, their own rules).
	// "" when the source has nothing useful to offer.
	Offer(ref engine.Ref) string
}

// Decision is the verdict on one reference, with the source that decided
// and why. A denied reference carries every source that denied it.
type Decision struct {
	Ref     engine.Ref
	Verdict Verdict
	Reasons []Reason
}

// Reason is one source's word on a reference.
type Reason struct {
	Source string
	Why    string
	// Instead is what the user may use instead (see Source.Offer).
	Instead string
	// IAM says the source is an IAM policy, so an identity-policy
	// statement can change its word; the Quilt role's buckets and a
	// rules file are changed by whoever manages them.
	IAM bool
}

// Checker checks references against every configured source.
type Checker struct {
	Sources []Source
}

// Check decides each reference. kind is the statement's kind (it says
// which writes a write reference makes); references of SHOW and DESCRIBE
// kinds are decided as such whatever kind is given.
func (c *Checker) Check(refs []engine.Ref, kind iam.StatementKind) []Decision {
	out := make([]Decision, 0, len(refs))
	for _, r := range refs {
		out = append(out, c.decide(r, kind))
	}
	return out
}

func (c *Checker) decide(r engine.Ref, kind iam.StatementKind) Decision {
	d := Decision{Ref: r, Verdict: Unknown}
	var allowed []Reason
	for _, s := range c.Sources {
		v, why := s.Decide(r, refKind(r, kind))
		switch v {
		case Denied:
			d.Verdict = Denied
			_, isPolicy := s.(*Policy)
			d.Reasons = append(d.Reasons, Reason{Source: s.Name(), Why: why, Instead: s.Offer(r), IAM: isPolicy})
		case Allowed:
			allowed = append(allowed, Reason{Source: s.Name(), Why: why})
		}
	}
	if d.Verdict != Denied && len(allowed) > 0 {
		d.Verdict, d.Reasons = Allowed, allowed
	}
	return d
}

// refKind is the statement kind a reference is decided as: a catalog- or
// database-level reference is a listing, a metadata reference a
// DESCRIBE, a read a SELECT; a write keeps the statement's kind.
func refKind(r engine.Ref, kind iam.StatementKind) iam.StatementKind {
	switch {
	case r.Database == "*":
		return iam.ShowDatabases
	case r.Table == "*" && r.Access == engine.Write:
		return kind // CREATE or DROP DATABASE
	case r.Table == "*":
		return iam.ShowTables
	case r.Access == engine.Metadata:
		return iam.Describe
	case r.Access == engine.Read:
		return iam.Select
	case kind == "" || kind == iam.Select || kind == iam.Describe:
		return iam.Insert
	}
	return kind
}

// Denials returns the denied decisions of ds.
func Denials(ds []Decision) []Decision {
	var out []Decision
	for _, d := range ds {
		if d.Verdict == Denied {
			out = append(out, d)
		}
	}
	return out
}

// Refusal is the error of a query the grants refuse: it names each
// refused reference, its access, which source refused it and why, and what
// the user may use instead.
type Refusal struct {
	Denied []Decision
}

// ByIAM reports whether some denial came from an IAM policy, which an
// identity-policy statement can fix.
func (e *Refusal) ByIAM() bool {
	for _, d := range e.Denied {
		for _, r := range d.Reasons {
			if r.IAM {
				return true
			}
		}
	}
	return false
}

func (e *Refusal) Error() string {
	var b strings.Builder
	n := len(e.Denied)
	fmt.Fprintf(&b, "refused before sending: %d table reference%s not granted", n, plural(n))
	var offers []string
	for _, d := range e.Denied {
		fmt.Fprintf(&b, "\n  %s (%s):", Display(d.Ref), d.Ref.Access)
		for _, r := range d.Reasons {
			fmt.Fprintf(&b, "\n    %s: %s", r.Source, r.Why)
			if r.Instead != "" && !slices.Contains(offers, r.Instead) {
				offers = append(offers, r.Instead)
			}
		}
	}
	sort.Strings(offers)
	for _, o := range offers {
		fmt.Fprintf(&b, "\n  instead: %s", o)
	}
	return b.String()
}

// Display renders a reference as SQL would name it, with "*" parts
// spelled out for listings.
func Display(r engine.Ref) string {
	switch {
	case r.Database == "*":
		return quote(r.Catalog) + " (every database)"
	case r.Table == "*":
		return quote(r.Catalog) + "." + quote(r.Database) + " (every table)"
	}
	return quote(r.Catalog) + "." + quote(r.Database) + "." + quote(r.Table)
}

// quote writes a name as SQL quotes it, with its control characters
// escaped: a refused name must not break the listing it is shown in, nor
// act on the terminal.
func quote(s string) string { return `"` + engine.Escape(strings.ReplaceAll(s, `"`, `""`)) + `"` }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
