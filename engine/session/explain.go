package session

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/explain"
)

// Explanation is what a refusal means and what fixes it: the refusal as
// its text reads, who must act, and, where a statement on the caller's
// role fixes it, the statement that fixes the whole statement that was
// refused (every pair it needs that the role lacks, not only the one AWS
// named).
type Explanation struct {
	Denial explain.Denial
	Remedy explain.Remedy
	// Credentials says the credentials were refused (expired, unknown,
	// badly signed): no policy helps, and nothing below is set.
	Credentials bool
	// Principal is who was refused: as the refusal names it, else as STS
	// names the caller (PrincipalFromSTS).
	Principal        string
	PrincipalFromSTS bool
	// NoStatement says no identity statement fixes it (an explicit Deny,
	// another kind of policy, a connector's own role): Remedy says who
	// must act.
	NoStatement bool
	// Whole is the whole-statement fix, when it could be worked out;
	// WholeErr says why not. RoleName and Policies name the role and
	// where its policies came from ("" when they are not known).
	Whole    *WholeFix
	WholeErr error
	RoleName string
	Policies string
	// TextFix is the statement the refusal's text alone supports, for
	// when the whole statement's could not be worked out.
	TextFix *explain.Policy
}

// ExplainUnsent explains a refusal met before any statement of stmts was
// sent (choosing the workgroup, most often) against the statements and
// the workgroup, catalog and database asked for, as Explain does after a
// refused query. ok is false when err is no refusal (nor refused
// credentials), or is no login at all, whose own words say how to log
// in: there is nothing to explain. s may be nil, as for Explain.
func (s *Session) ExplainUnsent(ctx context.Context, stmts []string, err error) (e Explanation, ok bool) {
	if k := engine.KindOf(err); k != engine.Denied && k != engine.Credentials || errors.Is(err, ErrNotLoggedIn) {
		return Explanation{}, false
	}
	x := athena.Execution{SQL: strings.Join(stmts, ";\n")}
	if s != nil {
		st := s.Settings()
		x.Workgroup, x.Catalog, x.Database = st.Workgroup(), st.Catalog(), st.Database()
	}
	return s.Explain(ctx, x, err), true
}

// Explain explains err, a refusal of the statement x ran (or was to run:
// x may have only SQL, workgroup, catalog and database). s may be nil,
// when no session could be opened: then only the text is read.
func (s *Session) Explain(ctx context.Context, x athena.Execution, err error) Explanation {
	d := explain.Parse(DeniedText(err))
	e := Explanation{Denial: d, Remedy: d.Remedy()}
	if engine.KindOf(err) == engine.Credentials || d.Category == explain.CategoryCredentials {
		e.Credentials = true
		e.Remedy = explain.Denial{Category: explain.CategoryCredentials}.Remedy()
		return e
	}
	// The lookups below run after the query's own context may be spent;
	// they get a bounded context of their own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	e.Principal = d.Principal
	if e.Principal == "" && s != nil {
		if c, err := s.Caller(ctx); err == nil {
			e.Principal, e.PrincipalFromSTS = c.ARN, true
		}
	}
	// A refusal that names no action is still worked out from the query;
	// only a cause no identity statement reaches stops here.
	if IdentityCannotFix(d) {
		e.NoStatement = true
		return e
	}
	textCtx := explain.Context{Workgroup: x.Workgroup, DataCatalog: x.Catalog}
	if s == nil || x.SQL == "" {
		e.TextFix = explain.FixDenial(d, textCtx)
		return e
	}
	wf, werr := s.WholeFix(ctx, Statement{SQL: x.SQL, Catalog: x.Catalog, Database: x.Database, Workgroup: x.Workgroup}, d)
	e.RoleName = s.RoleName() // the caller is known now, if it can be
	if k := s.Known(); k != nil {
		e.Policies = k.Source
	}
	if werr != nil {
		e.WholeErr = werr
		e.TextFix = explain.FixDenial(d, wf.Needs.Context)
		return e
	}
	e.Whole = &wf
	return e
}

// NextStep is the one-line next step every front end gives after err:
// the scan limit's own (raise it, or narrow the query), else Athena's
// hint for the kind of err. There is none when there is no login at all,
// whose own words say how to log in, nor for a stopped query: what became
// of it (stopped, or perhaps still running) is said where it was stopped,
// and a hint would only contradict it.
func NextStep(err error) string {
	if err == nil || errors.Is(err, ErrNotLoggedIn) || engine.KindOf(err) == engine.Canceled {
		return ""
	}
	if e := ScanLimitOf(err); e != nil {
		return e.Next()
	}
	return athena.Hint(err)
}
