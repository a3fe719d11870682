package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui/report"
)

// This file prints what the session works out about refusals: the
// pre-send check's refusal with the statement that fixes the whole query,
// and the explanation after AWS refused.

// refused prints why the check before sending refused a statement (err,
// from session.Check) and returns the exit code: the grants' refusal
// whole, or the pairs the role's policies lack with the statement that
// fixes the whole query.
func refused(st streams, s *session.Session, err error) int {
	var r *session.Refusal
	var g *grants.Refusal
	var e *engine.Error
	switch {
	case errors.As(err, &r):
		fmt.Fprintf(st.Err, "quiltq: %s\n", r.Summary())
		report.Refusal(st.Err, s.RoleName(), r)
		return exitDenied
	case errors.As(err, &g):
		fmt.Fprintf(st.Err, "quiltq: %v\n", g)
		return exitDenied
	case errors.As(err, &e) && e.Op == "grant check" && e.Kind == engine.Invalid:
		fmt.Fprintf(st.Err, "quiltq: %v\n", e.Err)
		return exitFailed
	case engine.KindOf(err) == engine.Canceled:
		return exitInterrupted
	}
	return -1
}

// checkNotes prints what the check let through with a remark: only the
// fast path's own read of the result file missing (the rows then come
// through Athena), or what it could not tell.
func checkNotes(st streams, s *session.Session, v session.Verdict) {
	for _, note := range v.Notes {
		fmt.Fprintf(st.Err, "quiltq: note: %s\n", note)
	}
	if len(v.Gaps) > 0 && v.Needs != nil {
		fmt.Fprintf(st.Err, "quiltq: note: %s may not read the result file itself (s3:GetObject outside Athena), so the rows will come through GetQueryResults pages, which is slower\n", s.RoleName())
		report.Fix(st.Err, s.RoleName(), v.Needs.Requirements, v.Needs.Notes, v.Gaps)
	}
}

// explainRefusal prints, after a refusal's original text, what the
// session works out about it (see session.Explanation).
func explainRefusal(w io.Writer, s *session.Session, x athena.Execution, err error) {
	report.Explanation(w, s.Explain(context.Background(), x, err))
}

// explainSessionFailure explains a refusal met before any statement was
// sent (session.ExplainUnsent), as after a refused query.
func explainSessionFailure(w io.Writer, s *session.Session, stmts []string, err error) {
	if e, ok := s.ExplainUnsent(context.Background(), stmts, err); ok {
		report.Explanation(w, e)
	}
}
