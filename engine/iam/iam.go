// Package iam reads AWS IAM policy documents and evaluates requests against
// them with AWS's logic: an explicit Deny beats an Allow, which beats the
// implicit deny.
package iam

// Effect is a statement's effect.
type Effect string

// The two effects a statement can have.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy is one parsed identity policy document. Version is as written
// (empty when the document has none, which AWS reads as 2008-10-17).
type Policy struct {
	Name       string // where it came from: a file name or a role policy name
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one statement of a policy, with its lists normalized to
// slices whatever form (string or list) the document used.
type Statement struct {
	Index        int // position in the policy's Statement list
	Sid          string
	Effect       Effect
	Actions      []string
	NotActions   []string
	Resources    []string
	NotResources []string
	Conditions   []Condition

	// c is the compiled form Parse builds, so that Evaluate never re-reads
	// policy text. A program that edits a parsed Statement must call
	// (*Policy).Compile again.
	c *compiled
}

// Condition is one (operator, key, values) test of a Condition block.
// Operator is as written, qualifiers included ("ForAnyValue:StringLike",
// "StringEqualsIfExists").
type Condition struct {
	Operator string
	Key      string
	Values   []string
}

// Request is one authorization question.
type Request struct {
	Principal string // the caller's ARN
	Action    string // "service:Action"
	Resource  string // an ARN, or "*"
	// Context holds condition keys and their values; a key with several
	// values (aws:CalledVia) is multi-valued. Keys match case-insensitively.
	Context map[string][]string
}

// Decision is the outcome of an evaluation.
type Decision int

// The three outcomes AWS's evaluation logic can reach.
const (
	ImplicitlyDenied Decision = iota
	Allowed
	ExplicitlyDenied
)

// String returns the decision's name: "Allowed", "ImplicitlyDenied" or
// "ExplicitlyDenied".
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "Allowed"
	case ExplicitlyDenied:
		return "ExplicitlyDenied"
	default:
		return "ImplicitlyDenied"
	}
}

// Result says what was decided and which statement decided it. Statement
// is nil for an implicit deny.
type Result struct {
	Decision  Decision
	Policy    string     // the deciding policy's Name; empty for an implicit deny
	Statement *Statement // the deciding statement, inside that policy
}
