// Package engine holds the types every part of quiltq shares: table
// references, result columns and rows, and the one error type that the
// engine hands to its two faces (the TUI and `quiltq -e`).
package engine

import (
	"errors"
	"fmt"
)

// Access is what a statement does to a table.
type Access string

// The access levels a reference can carry.
const (
	Read     Access = "read"
	Write    Access = "write"
	Metadata Access = "metadata"
)

// Ref is one table reference, resolved against the session's defaults and
// lower-cased as Athena folds names. Database or Table is "*" for a
// database-level or catalog-level reference.
type Ref struct {
	Catalog  string
	Database string
	Table    string
	Access   Access
}

// String renders the reference as a quoted three-part SQL name.
func (r Ref) String() string {
	return fmt.Sprintf("%q.%q.%q", r.Catalog, r.Database, r.Table)
}

// Column describes one result column with its Athena type name
// (varchar, bigint, double, boolean, date, timestamp, ...).
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Value is one nullable cell. Athena delivers every value as text; Null
// keeps SQL NULL apart from the empty string.
type Value struct {
	Text string
	Null bool
}

// Row is one result row, in column order.
type Row []Value

// Kind classifies an Error so that callers can choose an exit code and a
// next step without looking at the text.
type Kind int

// The kinds of failure a user can meet.
const (
	Other       Kind = iota
	Denied           // refused by AWS or by the local grant check
	Credentials      // not logged in, expired or unknown credentials
	NotFound         // no such table, database, workgroup, query
	Invalid          // malformed input: SQL, flags, config, server replies
	Throttled        // rate limits that outlived the retries
	Canceled         // stopped by the user
	Failed           // the query ran and failed
)

var kindNames = [...]string{"other", "denied", "credentials", "not found", "invalid", "throttled", "canceled", "failed"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is the engine's error: the operation that failed, its kind and the
// underlying cause, whose text is kept whole.
type Error struct {
	Op   string
	Kind Kind
	Err  error
}

func (e *Error) Error() string {
	switch {
	case e.Op != "" && e.Err != nil:
		return e.Op + ": " + e.Err.Error()
	case e.Err != nil:
		return e.Err.Error()
	default:
		return e.Op + ": " + e.Kind.String()
	}
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is match on kind: errors.Is(err, &Error{Kind: Denied}).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Op == "" && t.Err == nil && t.Kind == e.Kind
}

// KindOf reports the kind of the first *Error in err's chain, or Other.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}
